"""The rigorous float64 error bounds (:mod:`regions.rounding`) and the vertex engine's map
bounds built on them, against exact values: matrices whose norms are known in closed form,
and rational maps composed in exact arithmetic."""

import numpy as np
import pytest
from flint import fmpq

from regions import box
from regions.engines.vertex import VertexEngine
from regions.network import Network
from regions.random_networks import random_network
from regions.rational import RationalMaps
from regions.rounding import row_norm_bounds, spectral_norm_bound


def hadamard(n: int) -> np.ndarray:
    """Sylvester's Hadamard matrix (n a power of two): ``H H^T = n I``, so ``||H|| = sqrt n``."""
    H = np.ones((1, 1))
    while H.shape[0] < n:
        H = np.block([[H, H], [H, -H]])
    return H


@pytest.mark.parametrize("n", [1, 2, 16, 64, 256])
@pytest.mark.parametrize("k", [-1000, -60, 0, 60, 1000])
def test_spectral_bound_of_a_scaled_hadamard_matrix(n, k):
    H = np.ldexp(hadamard(n), k)
    exact = np.sqrt(n) * 2.0 ** k            # a power of two times sqrt(n): within 1 ulp
    bound = spectral_norm_bound(H)
    assert bound >= exact * (1 + 2.0 ** -52)
    assert bound <= exact * n ** (1 / 128) * (1 + 1e-6)


def test_spectral_bound_of_a_rank_one_matrix():
    """``||u v^T|| = ||u|| ||v||``: (3, 4) and (1, 2, 2) give exactly 15."""
    W = np.outer([3.0, 4.0], [1.0, 2.0, 2.0])
    assert 15.0 < spectral_norm_bound(W) <= 15.0 * (1 + 1e-6)
    assert 15.0 < spectral_norm_bound(W.T) <= 15.0 * (1 + 1e-6)


@pytest.mark.parametrize("shape", [(64, 64), (300, 20), (3, 500), (128, 128)])
def test_spectral_bound_of_random_matrices_against_svd(shape):
    W = np.random.default_rng(sum(shape)).normal(size=shape)
    largest = np.linalg.svd(W, compute_uv=False)[0]  # accurate to ~1e-15 relative
    bound = spectral_norm_bound(W)
    assert largest * (1 - 1e-12) <= bound <= largest * min(shape) ** (1 / 128) * (1 + 1e-6)


def test_spectral_bound_edge_cases():
    assert spectral_norm_bound(np.zeros((3, 4))) == 0.0
    assert spectral_norm_bound(np.array([[5e-324]])) >= 5e-324
    assert spectral_norm_bound(np.array([[1e308, 1e308], [1e308, 1e308]])) == np.inf
    # an entry 2^-1100 below the largest one vanishes when scaled, and is still covered
    W = np.array([[1.0, 0.0], [0.0, 2.0 ** -1070]])
    assert spectral_norm_bound(W) >= 1.0


def test_row_norm_bounds():
    W = np.array([[3.0, 4.0], [0.0, 0.0], [1e-300, 0.0], [5e-324, 5e-324]])
    bounds = row_norm_bounds(W)
    assert 5.0 <= bounds[0] <= 5.0 * (1 + 1e-5)
    assert bounds[1] >= 0.0
    assert 1e-300 <= bounds[2] <= 1e-300 * (1 + 1e-5)
    assert bounds[3] >= np.sqrt(2) * 5e-324
    assert np.all(row_norm_bounds(np.ldexp(W[:1], 1000)) >= 5.0 * 2.0 ** 1000)


def _error_of(rows: np.ndarray, exact) -> np.ndarray:
    """Largest |float - exact| of each row of a float map against an exact ``(M, m)``."""
    M, m = exact
    dim = M.ncols()
    out = np.zeros(rows.shape[0])
    for j in range(rows.shape[0]):
        entries = [M[j, k] for k in range(dim)] + [m[j, 0]]
        out[j] = max(float(abs(fmpq(*rows[j, k].as_integer_ratio()) - entries[k]))
                     for k in range(dim + 1))
    return out


@pytest.mark.parametrize("widths, activation", [([2] + [24] * 7 + [1], "relu"),
                                                ([2] + [16] * 5 + [1], "hardtanh"),
                                                ([2] + [16] * 5 + [1], "leaky_relu")])
@pytest.mark.parametrize("injected", [0.0, 1e-9])
def test_vertex_map_error_bounds_hold(widths, activation, injected):
    """Every cell's map (a layer's input map, or its pre-activation map when premapped) is
    within its row error bounds of the exact rational map of the cell's pattern: checked
    on cells taken off the stack as the engine runs, at every depth. Rounding alone stays
    far inside its bounds, so the first cell's map is also given a declared error of
    ``injected`` (every entry off by that much, in random directions): the engine must
    carry it through every layer within its bounds (a bound that underestimated how
    errors grow, say through a too small spectral norm, fails here)."""
    base = random_network(widths, seed=3)
    network = Network.from_layers(
        [(layer.weight * 3.0, layer.bias) for layer in base.layers],
        [activation] * (len(widths) - 2) + ["identity"])
    domain = box(-1, 1).resolve(2)
    engine = VertexEngine(network, domain)
    exact = RationalMaps(network, engine.working)
    rng = np.random.default_rng(0)
    for cell in engine.roots():
        offsets = injected * rng.choice([-1.0, 1.0], size=cell.map.shape)
        engine.push(cell._replace(map=cell.map + offsets,
                                  map_error=np.full(len(cell.map), 2 * injected)))
    checked, depths = 0, set()
    while engine.pending and checked < 400:
        engine.run(7, 10 ** 9)
        if not engine.pending:
            break
        cell = engine.pop()
        if cell.layer == 0 or cell.layer >= len(network.layers):
            continue
        states = np.asarray(cell.pattern, dtype=np.int8)
        maps = (exact.preactivation(states, cell.layer) if cell.premapped
                else exact.input_map(states, cell.layer))
        error = _error_of(cell.map, maps)
        assert np.all(error <= cell.map_error), (cell.layer, error.max(), cell.map_error.max())
        checked += 1
        depths.add(cell.layer)
    assert checked > 50 and len(depths) >= len(widths) - 3
