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
from regions.cli import EXIT_BAD_INPUT, main
from regions.random_networks import random_network

import oracles
from marks import engines

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
@pytest.mark.parametrize("method", engines("split", "vertex", "walk"))
def test_one_layer_count_is_zaslavsky_in_every_box_holding_the_vertices(method, size):
    assert line_vertices_radius(ONE_LAYER) < BIG[0]
    part = regions.enumerate_regions(ONE_LAYER, regions.box(-size, size), method=method)
    assert len(part) == ZASLAVSKY_12_LINES
    assert part.complete and part.certain


DEEP = {"relu-2d": random_network([2, 16, 16, 16, 1], seed=0),
        "hardtanh-2d": random_network([2, 6, 6, 1], seed=2, activation="hardtanh"),
        "relu-3d": random_network([3, 6, 6, 1], seed=1)}


@pytest.fixture(scope="module")
def whole_space_patterns():
    return {name: pattern_set(regions.enumerate_regions(net, method="split"))
            for name, net in DEEP.items()}


@pytest.mark.slow
@pytest.mark.parametrize("size", BIG, ids=[f"{s:.0e}" for s in BIG])
@pytest.mark.parametrize("name", list(DEEP))
def test_vertex_method_in_huge_boxes_gives_the_whole_space_regions(whole_space_patterns,
                                                                   name, size):
    part = regions.enumerate_regions(DEEP[name], regions.box(-size, size), method="vertex")
    assert pattern_set(part) == whole_space_patterns[name]
    assert len(part) == len(whole_space_patterns[name])
    assert part.scale == 1.0 and part.certain


@pytest.mark.slow
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


@pytest.mark.parametrize("lo,hi", [(-1.0, 1e308), (-1e13, 1e13)], ids=["1e308", "1e13"])
def test_boxes_far_beyond_the_vertices_give_zaslavsky(lo, hi):
    # Exact arithmetic has no resolution limit: every vertex lies inside these boxes.
    assert len(regions.enumerate_regions(ONE_LAYER, regions.box(lo, hi))) == ZASLAVSKY_12_LINES


def test_tiny_box_far_from_the_origin_is_exact():
    # Width 1e-6 around (1e6, 1e6), where float64 rounds input coordinates by 1e-10: the
    # regions are decided exactly, as by the exact oracle (brute force in Fractions).
    box = ([1e6, 1e6], [1e6 + 1e-6, 1e6 + 1e-6])
    truth = oracles.exact_patterns(ONE_LAYER, oracles.box_slice(*box))
    for method in ("split", "vertex", "walk"):
        part = regions.enumerate_regions(ONE_LAYER, regions.box(*box), method=method)
        assert oracles.pattern_set(part) == truth


def test_cli_counts_a_box_up_to_1e308(network_file, capsys):
    path = network_file(ONE_LAYER)
    assert main(["count", str(path), "--box", "-1", "1e308", "--json", "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)["regions"] == ZASLAVSKY_12_LINES


# --------------------------------------------------------------------------- tolerance

def gap_network(width):
    """1-D ReLU breakpoints at x = 0 and x = width: the middle interval has radius width / 2."""
    return regions.Network.from_layers(
        [(np.array([[1.0], [1.0]]), np.array([0.0, -width])), (np.ones((1, 2)), np.zeros(1))])


@pytest.mark.parametrize("width,thin", [(1e-6, 0), (1e-7, 1), (0.5, 0)],
                         ids=["narrow", "thin", "clean"])
def test_thin_regions_are_in_the_json_and_exit_0(tmp_path, capsys, width, thin):
    path = tmp_path / "gap.npz"
    regions.write_network(gap_network(width), path)
    code = main(["count", str(path), "--box", "-1", "1", "--json", "--quiet"])
    summary = json.loads(capsys.readouterr().out)
    assert (summary["regions"], summary["thin"], summary["certain"], code) == (3, thin, True, 0)


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
        regions.read_network(path)
    assert main(["count", str(path), "--quiet"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip()
    assert "--activations" in err and "\n" not in err


def test_state_dict_with_activations_counts_the_hardtanh_model(torch, tmp_path, capsys):
    path = tmp_path / "model.pt"
    model = hardtanh_model(torch)
    torch.save(model.state_dict(), path)
    net = regions.read_network(path, activations=["hardtanh", "identity"])
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
        regions.read_network(path)
    assert main(["count", str(path), "--quiet"]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip()
    assert "--allow-pickle" in err and "\n" not in err and "Unsupported global" in err
    net = regions.read_network(path, allow_pickle=True)
    assert net.activations == ["hardtanh", "identity"]
    assert main(["count", str(path), "--allow-pickle", "--json", "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)["regions"] == HARDTANH_FAMILIES
    with pytest.raises(regions.FileFormatError, match="activations come from"):
        regions.read_network(path, allow_pickle=True, activations=["relu", "identity"])


def test_npz_files_refuse_pytorch_options(network_file):
    path = network_file(ONE_LAYER)
    with pytest.raises(regions.FileFormatError, match="PyTorch"):
        regions.read_network(path, activations=["relu", "identity"])
