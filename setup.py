"""Build of the Cython core; the metadata is in pyproject.toml.

Every Cython source lives in the package beside the Python module that uses it
(``src/regions/engines/_vertex.pyx`` is ``regions.engines._vertex``), as in scipy;
``EXTENSIONS`` names them all (``tests/test_package.py`` checks it against the
sources and the wheel configuration).
"""

import platform

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

EXTENSIONS = {
    "regions.engines._vertex": "src/regions/engines/_vertex.pyx",
    "regions.engines._split": "src/regions/engines/_split.pyx",
    "regions._facets": "src/regions/_facets.pyx",
    "regions._simplex": "src/regions/_simplex.pyx",
    "regions._maps": "src/regions/_maps.pyx",
    "regions.complex._lattice": "src/regions/complex/_lattice.pyx",
}

# The incidence tests count bits (``__builtin_popcountll``): without the POPCNT
# instruction that is a library call, 6% of a 4-D count. Every x86-64 CPU since 2008 has it
# (it is part of x86-64-v2).
COMPILE_ARGS = ["-O3"] + (["-mpopcnt"] if platform.machine().lower() in ("x86_64", "amd64")
                          else [])

if __name__ == "__main__":
    setup(ext_modules=cythonize(
        [Extension(name, [source], extra_compile_args=COMPILE_ARGS,
                   include_dirs=[numpy.get_include()],
                   define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")])
         for name, source in EXTENSIONS.items()],
        compiler_directives={"language_level": 3}))
