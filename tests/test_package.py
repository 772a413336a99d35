"""The package as users install it: every subpackage and extension present, sources shipped
in the sdist, the wheel configuration naming every extension.

Under ``.ci/run`` (``REGIONS_TEST_INSTALLED=1``) the tests must be running against the
installed wheel, not the source tree.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import pkgutil
import tomllib
from pathlib import Path

import pytest

import regions

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "src" / "regions"


def extensions() -> dict:
    """``setup.py``'s ``EXTENSIONS``: module name -> Cython source (read, not run: building
    needs Cython, which only the build environment has)."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and node.targets[0].id == "EXTENSIONS":
            return ast.literal_eval(node.value)
    raise AssertionError("setup.py defines no EXTENSIONS")


def test_tests_run_against_the_installed_package():
    if os.environ.get("REGIONS_TEST_INSTALLED") != "1":
        pytest.skip("only under .ci/run, which installs the wheel")
    location = Path(regions.__file__).resolve()
    assert "site-packages" in location.parts, location
    assert SOURCES not in location.parents


def test_every_subpackage_and_module_of_the_source_tree_is_installed():
    source_modules = {
        ".".join(("regions",) + path.relative_to(SOURCES).with_suffix("").parts)
        for path in SOURCES.rglob("*.py")}
    source_modules = {name.removesuffix(".__init__") for name in source_modules}
    installed = {"regions"} | {info.name for info in
                               pkgutil.walk_packages(regions.__path__, "regions.")}
    assert source_modules <= installed, sorted(source_modules - installed)


def test_every_cython_source_is_built_and_imports():
    built = extensions()
    sources = {str(path.relative_to(ROOT)) for path in SOURCES.rglob("*.pyx")}
    assert set(built.values()) == sources
    for name in built:
        importlib.import_module(name)


def test_the_sdist_manifest_ships_the_cython_sources():
    manifest = (ROOT / "MANIFEST.in").read_text()
    assert "recursive-include src *.pyx *.pxd" in manifest


def test_the_wheel_configuration_names_every_extension():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["cibuildwheel"]
    assert config["build"] == "cp311-* cp312-* cp313-*"
    for name in extensions():
        assert name in config["test-command"], f"cibuildwheel's test does not import {name}"


def test_every_module_declares_its_public_names():
    """Each public module has ``__all__``, and every name in it is there (a submodule, for
    a package, once imported)."""
    for info in pkgutil.walk_packages(regions.__path__, "regions."):
        if info.name.rpartition(".")[2].startswith("_"):
            continue                # __main__ and the compiled extensions
        module = importlib.import_module(info.name)
        assert hasattr(module, "__all__"), f"{info.name} has no __all__"
        for name in module.__all__:
            if not hasattr(module, name):
                importlib.import_module(f"{info.name}.{name}")


def test_the_package_docstring_indexes_every_public_name():
    """regions' docstring lists its public names by the data flow: exactly ``__all__``."""
    index = regions.__doc__.split("in the order the data flows:", 1)[1]
    listed = {name.strip() for line in index.splitlines() if line.startswith("    ")
              for name in line.split(",") if name.strip()}
    assert listed == set(regions.__all__)


def test_every_public_function_and_class_has_an_example():
    missing = [name for name in regions.__all__
               if (inspect.isfunction(getattr(regions, name))
                   or inspect.isclass(getattr(regions, name)))
               and ">>>" not in (inspect.getdoc(getattr(regions, name)) or "")]
    assert not missing, missing


def test_test_folders_mirror_the_package():
    """tests/<package>/test_<module>.py tests src/regions/<package>/<module>: every test
    file of a subfolder names a module (or Cython source) of the package's folder."""
    source = ROOT / "src" / "regions"
    folders = [path for path in (ROOT / "tests").iterdir()
               if path.is_dir() and any(path.glob("test_*.py"))]
    assert folders, "no test folder"
    for folder in folders:
        assert (source / folder.name / "__init__.py").is_file(), folder.name
        for test in folder.glob("test_*.py"):
            module = test.stem.removeprefix("test_")
            assert any((source / folder.name / f"{module}{suffix}").is_file()
                       for suffix in (".py", ".pyx", ".pxd")), test.relative_to(ROOT)
