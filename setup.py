"""Build of the Cython core (``cext/_core.pyx`` -> ``regions._core``); metadata is in pyproject.toml."""

from Cython.Build import cythonize
from setuptools import Extension, setup

extensions = [
    Extension("regions._core", ["cext/_core.pyx"], extra_compile_args=["-O3"]),
    Extension("regions._facets", ["cext/_facets.pyx"], extra_compile_args=["-O3"]),
    Extension("regions._vertex", ["cext/_vertex.pyx"], extra_compile_args=["-O3"]),
]

setup(ext_modules=cythonize(extensions, include_path=["cext"],
                            compiler_directives={"language_level": 3}))
