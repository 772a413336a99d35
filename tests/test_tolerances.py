"""min_radius reports thin regions and decides nothing: hand-worked slivers, every engine.
Every tolerance and limit lives in regions.tolerances: no other module, Python or Cython,
defines a numeric constant of its own, the compiled cores hold the same values, and
docs/tolerances.md lists every one with its value, its meaning and where it is used."""

import ast
import functools
import importlib
import re
from pathlib import Path

import numpy as np
import pytest

import regions
from regions import rounding, tolerances
from regions.engines import _vertex
from regions.random_networks import random_network
from regions.sampling import regions_on_segments

METHODS = ("split", "vertex", "walk")


def two_breakpoints_1d(width: float) -> regions.Network:
    """ReLU neurons at x = 0 and x = width on R: three intervals, the middle one of length width."""
    return regions.Network.from_layers(
        [(np.array([[1.0], [1.0]]), np.array([0.0, -width])), (np.ones((1, 2)), np.zeros(1))])


@pytest.mark.parametrize("width", [1e-2, 1e-8, 1e-15])
def test_middle_interval_is_counted_and_reported_thin_below_min_radius(width):
    net = two_breakpoints_1d(width)
    wide = regions.enumerate_regions(net, regions.box(-1, 1), min_radius=width / 2 * 0.9)
    narrow = regions.enumerate_regions(net, regions.box(-1, 1), min_radius=width / 2 * 1.1)
    assert len(wide) == len(narrow) == 3
    middle = [i for i, p in enumerate(narrow.patterns.tolist()) if p == [1, 0]]
    assert wide.thin.tolist() == [] and narrow.thin.tolist() == middle
    along = regions_on_segments(net, [-1.0], [1.0], min_radius=width / 2 * 1.1)
    assert along.counts.tolist() == [3] and along.thin == 1


@pytest.mark.parametrize("method", METHODS)
def test_thin_strip_in_2d(method):
    # Two parallel lines y = 0 and y = w: the strip between them has inscribed radius w / 2.
    w = 1e-13
    net = regions.Network.from_layers(
        [(np.array([[0.0, 1.0], [0.0, 1.0]]), np.array([0.0, -w])), (np.ones((1, 2)), np.zeros(1))])
    part = regions.enumerate_regions(net, regions.box(-1, 1), method=method)
    assert len(part) == 3 and part.thin.size == 1
    strip = part.thin[0]
    assert part.patterns[strip].tolist() == [1, 0]
    counted = regions.count_regions(net, regions.box(-1, 1), method=method)
    assert (counted.regions, counted.thin_patterns.tolist()) == (3, [[1, 0]])
    assert counted.summary()["thin_patterns"] == [[1, 0]]
    assert len(regions.enumerate_regions(net, regions.box(-1, 1), method=method,
                                         min_radius=1e-15).thin) == 0


@pytest.mark.parametrize("seed", range(3))
def test_count_and_patterns_do_not_depend_on_min_radius(seed):
    net = random_network([2, 8, 8, 1], seed=seed)
    parts = [regions.enumerate_regions(net, regions.box(-1, 1), min_radius=r)
             for r in (1e-11, 1e-7, 1e-1)]
    assert all(np.array_equal(p.patterns, parts[0].patterns) for p in parts)
    assert parts[0].thin.size <= parts[1].thin.size <= parts[2].thin.size


def test_bad_min_radius_is_rejected():
    with pytest.raises(regions.RegionsError):
        regions.enumerate_regions(two_breakpoints_1d(1.0), min_radius=0.0)


ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "src" / "regions"

#: Numeric constants outside regions.tolerances that are neither tolerances nor limits.
NOT_LIMITS = {
    "regions.cli.EXIT_*": "exit codes of the command line",
    "regions.io.checkpoint.FORMAT_VERSION": "a file format's version",
    "regions.io.partitions.FORMAT_VERSION": "a file format's version",
    "regions.network.DEFAULT_LEAKY_SLOPE": "part of a network's definition",
    "regions.network.BREAKPOINTS": "where each activation bends: mathematics",
    "regions.bounds.formulas.HYPERPLANES_PER_NEURON": "hyperplanes of each activation: mathematics",
    "regions.rounding.UNIT_ROUNDOFF": "float64's own constant",
    "regions.rounding.SMALLEST_SUBNORMAL": "float64's own constant",
    "regions.engines.driver.UNLIMITED": "the no-limit sentinel",
    "regions.bounds.general_position._PRIME": "the modulus of exact rank arithmetic",
    "regions.engines._vertex.AT_INFINITY": "a row label",
}


def module_name(path: Path) -> str:
    return ".".join(("regions",) + path.relative_to(SOURCES).with_suffix("").parts
                    ).removesuffix(".__init__")


def is_numeric(node: ast.expr) -> bool:
    """Whether ``node`` is a number, arithmetic on numbers, or a tuple, list or dict (values)
    of those (an empty container is not: it holds no number)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp):
        return is_numeric(node.operand)
    if isinstance(node, ast.BinOp):
        return is_numeric(node.left) and is_numeric(node.right)
    items = (node.elts if isinstance(node, (ast.Tuple, ast.List)) else
             node.values if isinstance(node, ast.Dict) else [])
    items = [item for item in items if not (isinstance(item, ast.Tuple) and not item.elts)]
    return bool(items) and all(is_numeric(item) for item in items)


def numeric_names(source: str) -> dict:
    """Module-level upper-case names (private ones too) of Python ``source`` assigned a
    numeric value: name -> the value's source."""
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found |= {target.id: ast.unparse(node.value) for target in targets
                      if isinstance(target, ast.Name) and target.id.lstrip("_").isupper()
                      and is_numeric(node.value)}
    return found


def allowed(name: str) -> bool:
    return name in NOT_LIMITS or any(pattern.endswith("*") and name.startswith(pattern[:-1])
                                     for pattern in NOT_LIMITS)


def test_the_scan_sees_numbers_and_not_other_constants():
    source = ("A = 1\nB: float = -2.5e-3\nC = 2 ** 20\nD = (1e-2, 1e4)\nE = {'x': 7, 'y': ()}\n"
              "_F = 3\nG = 'ten'\nH = np.zeros(0)\nI = ()\nJ = True\nk = 4\n"
              "K = (('a', 'b'), ('c', 4))\nL = {-1: '-'}\n")
    assert sorted(numeric_names(source)) == ["A", "B", "C", "D", "E", "_F"]


def cython_sources() -> list[Path]:
    return sorted(list(SOURCES.rglob("*.pyx")) + list(SOURCES.rglob("*.pxd")))


def numeric_constants() -> dict:
    """The numeric constants of every module but regions.tolerances (and the Python-level
    ones of the Cython sources), by full name."""
    found = {}
    for path in sorted(SOURCES.rglob("*.py")):
        if path.name != "tolerances.py":
            found |= {f"{module_name(path)}.{name}": value
                      for name, value in numeric_names(path.read_text()).items()}
    for path in cython_sources():
        python_level = re.findall(r"^[A-Z_]+ = .+(?:\n[ \t]+.+)*", path.read_text(), re.M)
        found |= {f"{module_name(path)}.{name}": value
                  for name, value in numeric_names("\n".join(python_level)).items()}
    return found


def test_no_module_but_tolerances_defines_a_numeric_constant():
    """A new limit or tolerance goes into regions.tolerances, with its meaning; a numeric
    constant anywhere else fails here unless NOT_LIMITS says why it is neither."""
    found = numeric_constants()
    assert {name: value for name, value in found.items() if not allowed(name)} == {}
    assert all(name in found for name in NOT_LIMITS if not name.endswith("*"))   # none stale


def test_cython_constants_come_from_tolerances():
    """The Cython cores read their runtime constants from regions.tolerances at import; the
    compile-time ones are in compiled.pxd only, and the built module holds the same values."""
    compiled = SOURCES / "engines" / "compiled.pxd"
    for path in cython_sources():
        text = path.read_text()
        assert path == compiled or not re.search(r"static const|^cdef enum:", text, re.M), path
        for name, value in re.findall(r"^cdef \w+ ([A-Z_]+) = (.+)$", text, re.M):
            assert not is_numeric(ast.parse(value, mode="eval").body), (path, name)
            if value.startswith("tolerances."):
                assert value == f"tolerances.{name}" and hasattr(tolerances, name), (path, name)
    declared = set(re.findall(r"^\s+(?:const double )?([A-Z_]+)(?: = \d+)?$",
                              compiled.read_text(), re.M))
    assert declared == set(_vertex.COMPILED) == {"MAX_DIM", "BALL_SUBSET_LIMIT",
                                                  "BALL_SINGULAR_PIVOT", "BOUND_SAFETY",
                                                  "UNIT_ROUNDOFF", "SMALLEST_SUBNORMAL"}
    for name, value in _vertex.COMPILED.items():
        source = rounding if name in ("UNIT_ROUNDOFF", "SMALLEST_SUBNORMAL") else tolerances
        assert value == getattr(source, name), name


def constants() -> list[str]:
    return [name for name in tolerances.__all__ if name.isupper()]


@functools.cache
def importers() -> dict:
    """Module name -> the names it imports from regions.tolerances."""
    found = {}
    for path in SOURCES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("tolerances"):
                found.setdefault(module_name(path), set()).update(a.name for a in node.names)
    return found


def users(name: str) -> set[str]:
    """The modules that import ``name`` from regions.tolerances, and the Cython sources that
    read it (``tolerances.NAME``) or cimport it (compiled.pxd, where it is defined)."""
    found = {module for module, names in importers().items() if name in names}
    for path in cython_sources():
        text = path.read_text()
        if (re.search(rf"tolerances\.{name}\b|cimport [^:]*?\b{name}\b", text, re.S)
                or path.name == "compiled.pxd" and re.search(rf"\b{name}\b", text)):
            found.add(str(path.relative_to(SOURCES)))
    return found


def test_the_modules_that_use_a_constant_have_the_one_value():
    """``regions.engines.vertex.MAX_CORNERS`` and the like still work: each is the object of
    regions.tolerances, and every constant there is used somewhere."""
    for name in constants():
        modules = {user for user in users(name) if not user.endswith((".pyx", ".pxd"))}
        assert users(name), name
        for module in modules:
            assert getattr(importlib.import_module(module), name) is getattr(tolerances, name)


def test_every_module_imports_a_constant_from_tolerances_itself():
    """No constant reaches a module through another (regions.rounding's BOUND_SAFETY, a
    package's re-export): the import names the one module, so its users are known."""
    for path in SOURCES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and not (node.module or "").endswith("tolerances"):
                names = {alias.name for alias in node.names}
                assert not names & set(constants()), (path, node.module)


def test_docs_list_every_limit_and_tolerance_with_its_value_and_users():
    """docs/tolerances.md's tables name every constant of regions.tolerances, each with the
    value the code has, a meaning, and the modules that use it."""
    text = (ROOT / "docs" / "tolerances.md").read_text()
    section = text.split("## Every limit and tolerance", 1)[1]
    rows = re.findall(r"^\| `regions\.tolerances\.(\w+)` \| (.+?) \| (.+?) \| (.+?) \|$",
                      section, re.M)
    assert [name for name, *_ in rows] == constants()      # each once, in the module's order
    for name, written, meaning, used in rows:
        value = getattr(tolerances, name)
        assert (float(written) == value if isinstance(value, int | float)
                else written == repr(value)), (name, written, value)
        assert meaning.strip(), name
        assert set(re.findall(r"`([^`]+)`", used)) == users(name), name
