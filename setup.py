"""Build of the Cython core; the metadata is in pyproject.toml.

Every Cython source lives in the package beside the Python module that uses it
(``src/regions/engines/_vertex.pyx`` is ``regions.engines._vertex``), as in scipy;
``EXTENSIONS`` names them all (``tests/test_package.py`` checks it against the
sources and the wheel configuration).
"""

from Cython.Build import cythonize
from setuptools import Extension, setup

EXTENSIONS = {
    "regions.engines._vertex": "src/regions/engines/_vertex.pyx",
    "regions.engines._split": "src/regions/engines/_split.pyx",
    "regions._facets": "src/regions/_facets.pyx",
    "regions._simplex": "src/regions/_simplex.pyx",
    "regions.complex._lattice": "src/regions/complex/_lattice.pyx",
}

if __name__ == "__main__":
    setup(ext_modules=cythonize(
        [Extension(name, [source], extra_compile_args=["-O3"])
         for name, source in EXTENSIONS.items()],
        compiler_directives={"language_level": 3}))
