"""The split engine's counts on boxes: the vertex engine's (a second algorithm), and the same
when the dual simplex that proposes its LPs fails or lies (its answers are proposals,
checked before they decide anything)."""

import numpy as np
import pytest

import regions
from regions import lp
from regions.engines import split
from regions.random_networks import random_network


NETWORKS = [([6, 6, 6, 1], 6), ([5, 8, 8, 1], 5), ([4, 5, 5, 5, 1], 4)]


def vertex_count(widths, dim, seed):
    box = regions.box(np.zeros(dim), np.ones(dim))
    return regions.count_regions(random_network(widths, seed=seed), box, method="vertex").regions


@pytest.mark.parametrize("widths, dim", NETWORKS)
def test_split_counts_on_boxes_match_the_vertex_engine(widths, dim):
    box = regions.box(np.zeros(dim), np.ones(dim))
    for seed in range(2):
        split = regions.count_regions(random_network(widths, seed=seed), box, method="split")
        assert split.regions == vertex_count(widths, dim, seed)


def lying_simplex(A, b, cap, start, inverse=None, stop_below=-np.inf, max_pivots=-1,
                  axis=None):
    """A dual simplex whose every answer is wrong: a centre outside, a radius too large,
    multipliers of the wrong rows."""
    m, dim = A.shape
    duals = np.zeros(m)
    duals[0] = 1.0
    return (np.full(dim, 3.0), 0.75, duals, 0.0, np.asarray(start), inverse)


@pytest.mark.parametrize("proposal", [lambda *args, **kwargs: None, lying_simplex],
                         ids=["failing", "lying"])
def test_split_counts_do_not_depend_on_the_dual_simplex(monkeypatch, proposal):
    """Its answers are proposals: failures go to HiGHS, wrong answers certify nothing."""
    widths, dim = NETWORKS[0]
    expected = vertex_count(widths, dim, 0)
    monkeypatch.setattr(lp, "chebyshev_dual", proposal)
    box = regions.box(np.zeros(dim), np.ones(dim))
    assert regions.count_regions(random_network(widths, seed=0), box,
                                 method="split").regions == expected


@pytest.mark.parametrize("widths, dim", [([8, 8, 8, 1], 8), ([7, 7, 7, 7, 1], 7)])
def test_hyperplanes_decided_on_the_whole_cell_keep_the_regions_and_their_order(
        monkeypatch, widths, dim):
    """Far hyperplanes that miss a cell are decided on it before the split (fewer LPs):
    the regions and their order are still the vertex engine's, as without that step."""
    box = regions.box(np.zeros(dim), np.ones(dim))
    network = random_network(widths, seed=0)
    vertex = regions.enumerate_regions(network, box, method="vertex")
    first = regions.enumerate_regions(network, box, method="split")
    monkeypatch.setattr(split, "FAR_RADII", np.inf)
    split_only = regions.enumerate_regions(network, box, method="split")
    assert np.array_equal(first.patterns, vertex.patterns)
    assert np.array_equal(split_only.patterns, vertex.patterns)
    assert first.lps < split_only.lps


def test_margins_are_the_inscribed_radii_highs_finds():
    """A region's margin is its Chebyshev radius, whether an LP solved it last or a parent's
    ball lay whole on one side of the last cut (then the region keeps it): HiGHS, solving
    each region's rows afresh, finds the same radius."""
    dim = 10
    part = regions.enumerate_regions(random_network([10, 10, 10, 1], seed=1),
                                     regions.box(np.zeros(dim), np.ones(dim)), method="split",
                                     max_regions=300)
    solver = lp.LPSolver()
    for i in range(len(part)):
        region = part[i]
        assert part.margins[i] == pytest.approx(solver.chebyshev(region.A, region.b).radius,
                                                rel=1e-9, abs=1e-12)


def test_cells_from_outside_must_begin_with_the_domain_rows():
    """The engine sums the domain's axis rows one product each, so a cell handed to it (a
    checkpoint's, a worker's) must begin with them."""
    box = regions.box(np.zeros(3), np.ones(3))
    engine = split.SplitEngine(random_network([3, 3, 1], seed=0), box)
    root = engine.roots()[0]
    engine.push(root)
    with pytest.raises(ValueError):
        engine.push(root._replace(A=root.A[::-1].copy()))


@pytest.mark.parametrize("seed", range(3))
def test_a_look_of_the_driver_per_split_keeps_the_regions_and_their_order(seed, monkeypatch):
    """A run returns to the driver after one split and the final regions it leaves
    (``SPLIT_CHUNK``): the regions are the vertex engine's, in the order of one cell per
    return, and ``max_regions`` stops at exactly that many, a prefix of them."""
    network, box = random_network([3, 6, 6, 1], seed=seed), regions.box(np.zeros(3), np.ones(3))
    chunked = regions.enumerate_regions(network, box, method="split")
    vertex = regions.enumerate_regions(network, box, method="vertex")
    assert np.array_equal(chunked.patterns, vertex.patterns)
    budget = len(chunked) // 2
    stopped = regions.enumerate_regions(network, box, method="split", max_regions=budget)
    assert len(stopped) == budget and np.array_equal(stopped.patterns,
                                                     chunked.patterns[:budget])
    monkeypatch.setattr(split.SplitEngine, "chunk", 1)
    single = regions.enumerate_regions(network, box, method="split")
    assert np.array_equal(single.patterns, chunked.patterns)
