"""min_radius reports thin regions and decides nothing: hand-worked slivers, every engine;
and docs/tolerances.md lists every limit and tolerance of the package with its value."""

import importlib
import inspect
import numbers
import pkgutil
import re
from pathlib import Path

import numpy as np
import pytest

import regions
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


def numeric_constants():
    """Every module-level numeric constant of the package's modules (upper-case names),
    less those that are neither a limit nor a tolerance: exit codes, file-format versions,
    the leaky slope's default, float64's own constants and the no-limit sentinel."""
    not_limits = {"FORMAT_VERSION", "DEFAULT_LEAKY_SLOPE", "UNIT_ROUNDOFF",
                  "SMALLEST_SUBNORMAL", "UNLIMITED"}
    found = {}
    for info in pkgutil.walk_packages(regions.__path__, "regions."):
        if info.name.rpartition(".")[2].startswith("_"):
            continue
        module = importlib.import_module(info.name)
        source = inspect.getsource(module)
        for name, value in vars(module).items():
            if (name.isupper() and name not in not_limits and not name.startswith(("EXIT_", "_"))
                    and re.search(rf"^{name}(: [^=]+)? = ", source, re.M)
                    and (isinstance(value, numbers.Real) and not isinstance(value, bool)
                         or name == "MAX_AUTO_DIM")):
                found[f"{info.name}.{name}"] = value
    return found


def test_docs_list_every_limit_and_tolerance_with_its_value():
    """docs/tolerances.md's tables name every numeric constant of the package, each with
    the value the code has and a meaning."""
    text = (Path(__file__).resolve().parent.parent / "docs" / "tolerances.md").read_text()
    section = text.split("## Every limit and tolerance", 1)[1]
    rows = {name: (value, meaning) for name, value, meaning in
            re.findall(r"^\| `([\w.]+)` \| (.+?) \| (.+?) \|$", section, re.M)}
    constants = numeric_constants()
    assert set(constants) <= set(rows), sorted(set(constants) - set(rows))
    for name, value in constants.items():
        written, meaning = rows[name]
        assert meaning.strip(), name
        if name.endswith("MAX_AUTO_DIM"):
            assert written == repr(value)
        else:
            assert float(written) == value, (name, written, value)
