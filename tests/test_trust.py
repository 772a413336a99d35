"""No silent wrong answers: huge boxes, unresolvable domains, PyTorch files without
activations, and counts that depend on the tolerance.

Expected counts come from closed formulas (Zaslavsky for lines in general position,
parallel families for hard-tanh) or from the defining property itself: once a box
holds every vertex of the partition, its regions are those of all of R^n, whatever
the box's size.
"""

import json
from itertools import combinations
from math import comb

import numpy as np
import pytest

import regions
from regions.cli import EXIT_BAD_INPUT, EXIT_TOLERANCE_DEPENDENT, main
from regions.random_networks import random_network

BIG = [1e4, 1e6, 1e8, 1e10, 1e12]


def pattern_set(part):
    return set(map(bytes, part.patterns))


def line_vertices_radius(net):
    """Largest distance from the origin of an intersection of two first-layer lines (2-D)."""
    W, b = net.layers[0].weight, net.layers[0].bias
    far = 0.0
    for i, j in combinations(range(W.shape[0]), 2):
        point = np.linalg.solve(W[[i, j]], -b[[i, j]])
        far = max(far, float(np.linalg.norm(point, np.inf)))
    return far


ONE_LAYER = random_network([2, 12, 1], seed=4)
ZASLAVSKY_12_LINES = sum(comb(12, i) for i in range(3))   # 1 + 12 + 66 = 79


@pytest.mark.parametrize("size", BIG, ids=[f"{s:.0e}" for s in BIG])
@pytest.mark.parametrize("method", ["split", "vertex", "walk"])
def test_one_layer_count_is_zaslavsky_in_every_box_holding_the_vertices(method, size):
    assert line_vertices_radius(ONE_LAYER) < BIG[0]
    part = regions.enumerate_regions(ONE_LAYER, regions.box(-size, size), method=method)
    assert len(part) == ZASLAVSKY_12_LINES
    assert part.complete and not part.tolerance_dependent


DEEP = {"relu-2d": random_network([2, 16, 16, 16, 1], seed=0),
        "hardtanh-2d": random_network([2, 6, 6, 1], seed=2, activation="hardtanh"),
        "relu-3d": random_network([3, 6, 6, 1], seed=1)}


@pytest.fixture(scope="module")
def whole_space_patterns():
    return {name: pattern_set(regions.enumerate_regions(net, method="split"))
            for name, net in DEEP.items()}


@pytest.mark.parametrize("size", BIG, ids=[f"{s:.0e}" for s in BIG])
@pytest.mark.parametrize("name", list(DEEP))
def test_vertex_method_in_huge_boxes_gives_the_whole_space_regions(whole_space_patterns,
                                                                   name, size):
    part = regions.enumerate_regions(DEEP[name], regions.box(-size, size), method="vertex")
    assert pattern_set(part) == whole_space_patterns[name]
    assert len(part) == len(whole_space_patterns[name])
    assert part.scale == 1.0 and not part.tolerance_dependent


@pytest.mark.parametrize("name", ["hardtanh-2d", "relu-3d"])
def test_split_method_in_the_largest_box_gives_the_whole_space_regions(whole_space_patterns,
                                                                      name):
    part = regions.enumerate_regions(DEEP[name], regions.box(-1e12, 1e12), method="split")
    assert pattern_set(part) == whole_space_patterns[name]


def test_hardtanh_parallel_families_in_a_huge_box():
    # 5 hard-tanh neurons: 5 directions with 2 parallel lines each; in general position
    # sum_{i<=2} C(5, i) 2^i = 1 + 10 + 40 = 51 regions, all of whose vertices lie near
    # the origin.
    net = random_network([2, 5, 1], seed=3, activation="hardtanh")
    expected = sum(comb(5, i) * 2 ** i for i in range(3))
    for method in ("split", "vertex"):
        assert len(regions.enumerate_regions(net, regions.box(-1e12, 1e12), method=method)) == expected
    assert len(regions.enumerate_regions(net)) == expected


@pytest.mark.parametrize("lo,hi", [(-1.0, 1e308), (-1e13, 1e13), (0.0, 1e15)],
                         ids=["1e308", "1e13", "1e15"])
def test_boxes_beyond_float64_resolution_are_refused(lo, hi):
    with pytest.raises(regions.DomainError, match="float64"):
        regions.enumerate_regions(ONE_LAYER, regions.box(lo, hi))


def test_tiny_box_far_from_the_origin_is_refused():
    # Input coordinates near 1e6 are rounded by 2e-10; the tolerance on a box of width
    # 1e-6 is 1e-7 * 5e-7 = 5e-14: float64 cannot tell a sliver from a region there.
    with pytest.raises(regions.DomainError, match="float64 rounds"):
        regions.enumerate_regions(ONE_LAYER, regions.box([1e6, 1e6], [1e6 + 1e-6, 1e6 + 1e-6]))
    # 1e3 from the origin, width 1: rounding 2e-13, far below the tolerance 5e-8.
    near = regions.enumerate_regions(ONE_LAYER, regions.box([1e3, 1e3], [1e3 + 1, 1e3 + 1]))
    assert near.complete


def test_cli_refuses_an_unresolvable_box_in_one_line(tmp_path, capsys):
    path = tmp_path / "net.npz"
    regions.save(ONE_LAYER, path)
    assert main(["count", str(path), "--box", "-1", "1e308", "--quiet"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip()
    assert err.startswith("regions: error:") and "\n" not in err and "float64" in err


# --------------------------------------------------------------------------- tolerance

def gap_network(width):
    """1-D ReLU breakpoints at x = 0 and x = width: the middle interval has radius width / 2."""
    return regions.Network.from_layers(
        [(np.array([[1.0], [1.0]]), np.array([0.0, -width])), (np.ones((1, 2)), np.zeros(1))])


@pytest.mark.parametrize("width,regions_expected,dependent",
                         [(1e-6, 3, True), (1e-7, 2, True), (0.5, 3, False)],
                         ids=["near-degenerate", "sliver-dropped", "clean"])
def test_tolerance_dependence_is_in_the_json_and_the_exit_code(tmp_path, capsys, width,
                                                               regions_expected, dependent):
    path = tmp_path / "gap.npz"
    regions.save(gap_network(width), path)
    code = main(["count", str(path), "--box", "-1", "1", "--json", "--quiet"])
    summary = json.loads(capsys.readouterr().out)
    assert summary["regions"] == regions_expected
    assert summary["tolerance_dependent"] is dependent
    assert code == (EXIT_TOLERANCE_DEPENDENT if dependent else 0)


# --------------------------------------------------------------------------- PyTorch files

HARDTANH_FAMILIES = sum(comb(6, i) * 2 ** i for i in range(3))   # 6 directions, 2 lines each: 73


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def hardtanh_model(torch):
    torch.manual_seed(5)
    return torch.nn.Sequential(torch.nn.Linear(2, 6), torch.nn.Hardtanh(),
                               torch.nn.Linear(6, 1)).double()


def test_state_dict_without_activations_is_refused(torch, tmp_path, capsys):
    path = tmp_path / "model.pt"
    torch.save(hardtanh_model(torch).state_dict(), path)
    with pytest.raises(regions.FileFormatError, match="stores no activations"):
        regions.load(path)
    assert main(["count", str(path), "--quiet"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip()
    assert "--activations" in err and "\n" not in err


def test_state_dict_with_activations_counts_the_hardtanh_model(torch, tmp_path, capsys):
    path = tmp_path / "model.pt"
    model = hardtanh_model(torch)
    torch.save(model.state_dict(), path)
    net = regions.load(path, activations=["hardtanh", "identity"])
    x = np.random.default_rng(0).normal(size=(50, 2)) * 3
    with torch.no_grad():
        assert np.allclose(net.forward(x), model(torch.from_numpy(x)).numpy(), rtol=1e-12)
    code = main(["count", str(path), "--activations", "hardtanh,identity", "--json", "--quiet"])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["regions"] == HARDTANH_FAMILIES


def test_full_pickled_model_needs_the_opt_in(torch, tmp_path, capsys):
    path = tmp_path / "model.pt"
    torch.save(hardtanh_model(torch), path)
    with pytest.raises(regions.FileFormatError, match="allow_pickle"):
        regions.load(path)
    assert main(["count", str(path), "--quiet"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip()
    assert "--allow-pickle" in err and "\n" not in err and "Unsupported global" in err
    net = regions.load(path, allow_pickle=True)
    assert net.activations == ["hardtanh", "identity"]
    assert main(["count", str(path), "--allow-pickle", "--json", "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)["regions"] == HARDTANH_FAMILIES
    with pytest.raises(regions.FileFormatError, match="activations come from"):
        regions.load(path, allow_pickle=True, activations=["relu", "identity"])


def test_npz_files_refuse_pytorch_options(tmp_path):
    path = tmp_path / "net.npz"
    regions.save(ONE_LAYER, path)
    with pytest.raises(regions.FileFormatError, match="PyTorch"):
        regions.load(path, activations=["relu", "identity"])
