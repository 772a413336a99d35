"""The rigorous float64 error bounds (:mod:`regions.rounding`) and the vertex engine's map
bounds built on them, against exact values: matrices whose norms are known in closed form,
rational maps composed in exact arithmetic, and forward passes of networks of huge and tiny
weights evaluated in fractions."""

from fractions import Fraction

import numpy as np
import pytest
from flint import fmpq

from regions import box
from regions.engines.vertex import VertexEngine
from regions.network import Network
from regions.random_networks import random_network
from regions.rational import RationalMaps
from regions.rounding import (SMALLEST_SUBNORMAL, affine_enclosure, known_bounds,
                              float_rank, learn_bounds, row_norm_bounds, scaled_enclosure,
                              spectral_norm_bound, weight_sizes)


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


def test_weight_sizes_of_the_rank_one_matrix_and_kept_read_only():
    """Of ``(3, 4) (1, 2, 2)^T``: rows (3, 6, 6) and (4, 8, 8), largest entries 6 and 8,
    sums 15 and 20, row norms 9 and 12, spectral norm 15; one look gives all four, read-only,
    and another process learns them read-only too."""
    W = np.outer([3.0, 4.0], [1.0, 2.0, 2.0])
    row_max, row_sum, row_norm, spectral = sizes = weight_sizes(W)
    assert row_max.tolist() == [6.0, 8.0] and row_sum.tolist() == [15.0, 20.0]
    assert np.all(row_norm >= [9.0, 12.0]) and np.all(row_norm <= [9.0001, 12.0001])
    assert 15.0 < spectral <= 15.0 * (1 + 1e-6)
    assert weight_sizes(W.copy()) is sizes
    assert not any(array.flags.writeable for array in sizes[:3])
    assert any(key[0] == "sizes" for key in known_bounds())
    unpickled = (np.ones(2), np.ones(2), np.ones(2), 1.0)     # writeable, as unpickled
    learn_bounds({("sizes", (2, 1), b"another matrix"): unpickled})
    assert not any(array.flags.writeable for array in unpickled[:3])


def test_float_rank_of_rank_one_and_random_matrices():
    """An outer product has rank 1; a random (32, 2) matrix rank 2; asked again, the same."""
    assert float_rank(np.outer([3.0, 4.0, 5.0], [1.0, 2.0])) == 1
    M = np.random.default_rng(0).normal(size=(32, 2))
    assert float_rank(M) == float_rank(M.copy()) == 2
    assert float_rank(np.zeros((3, 3))) == 0


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


#: The neurons' slopes: 0 and +-1, exact, and others whose products round (0.01, 3), below
#: float64's normal range too (0.5 of an odd number of subnormal spacings, 2^-1000 of
#: anything below 2^-22).
SLOPES = np.array([0.0, 1.0, -1.0, 0.5, 0.01, 2.0 ** -1000, 3.0])


def _scaled_floats(rng, shape, exponent: int, zeros: float) -> np.ndarray:
    """Random floats of magnitude about ``2^exponent`` (each within 2^+-20 of it, some of
    them subnormal or exactly 0 near the bottom of float64's range), a fraction ``zeros``
    of them exactly 0."""
    floats = np.ldexp(rng.uniform(0.5, 1.0, shape) * rng.choice([-1.0, 1.0], shape),
                      exponent + rng.integers(-20, 21, shape))
    return np.where(rng.random(shape) < zeros, 0.0, floats)


def _exact(array: np.ndarray) -> np.ndarray:
    return np.vectorize(Fraction, otypes=[object])(array)


def _assert_encloses(value, bound, exact) -> int:
    """``|value - exact| <= bound`` wherever ``bound`` is finite, in fractions; returns how
    many entries were checked."""
    finite = np.isfinite(bound) & np.isfinite(value)
    for i in zip(*np.nonzero(finite)):
        assert abs(Fraction(value[i]) - exact[i]) <= Fraction(bound[i]), (i, value[i], bound[i])
    return int(finite.sum())


def _forward_pass(seed: int) -> tuple[int, int]:
    """A forward pass of a random network through :func:`affine_enclosure` and
    :func:`scaled_enclosure`, the exact one in fractions beside it, asserting that every
    float value is within its bound of the exact value; a line's direction (no bias) beside
    it. The inputs are known only within declared errors (the exact ones at the ends of
    those intervals or inside), each layer moves the values to about ``2^target`` (weights
    from 2^-1020 to 2^1020, with or without zeros) and each neuron takes one of
    ``SLOPES``. Returns how many entries were checked and how many values were
    subnormal."""
    rng = np.random.default_rng(seed)
    k, widths = 8, [3, 5, 4, 4, 3]
    exponent = int(rng.integers(-200, 200))
    x = _scaled_floats(rng, (k, widths[0]), exponent, 0.2)
    error = np.where(rng.random(x.shape) < 0.5, 0.0, np.abs(x) * 2.0 ** -30)
    exact = _exact(x) + _exact(error) * _exact(rng.choice([-1.0, -0.25, 0.5, 1.0], x.shape))
    direction, direction_error, direction_exact = x, error, exact
    checked = subnormal = 0
    for n, m in zip(widths[:-1], widths[1:]):
        target = int(rng.choice([t for t in (-1065, -1050, -1000, -500, 0, 500, 900)
                                 if abs(t - exponent) <= 1000]))
        W = _scaled_floats(rng, (m, n), target - exponent, rng.choice([0.0, 0.3]))
        b = np.where(rng.random(m) < 0.5, 0.0, _scaled_floats(rng, m, target, 0.0))
        value, bound = affine_enclosure(x, error, W, b)
        exact_value = exact @ _exact(W).T + _exact(b)
        checked += _assert_encloses(value, bound, exact_value)
        alpha, alpha_bound = affine_enclosure(direction, direction_error, W)
        exact_alpha = direction_exact @ _exact(W).T
        checked += _assert_encloses(alpha, alpha_bound, exact_alpha)
        slope = rng.choice(SLOPES, value.shape)
        offset = np.where(slope == 0.0, rng.choice([-1.0, 0.0, 1.0], value.shape), 0.0)
        x, error = scaled_enclosure(slope, value, bound, offset)
        exact = _exact(slope) * exact_value + _exact(offset)
        checked += _assert_encloses(x, error, exact)
        direction, direction_error = scaled_enclosure(slope, alpha, alpha_bound)
        direction_exact = _exact(slope) * exact_alpha
        checked += _assert_encloses(direction, direction_error, direction_exact)
        subnormal += int(np.sum((x != 0) & (np.abs(x) < np.finfo(float).tiny)))
        exponent = target
    return checked, subnormal


def test_forward_pass_enclosures_hold_in_exact_arithmetic():
    with np.errstate(over="ignore", invalid="ignore"):   # a bound beyond float64 checks nothing
        counts = [_forward_pass(seed) for seed in range(12)]
    assert all(checked >= 150 for checked, _ in counts), counts
    assert sum(subnormal for _, subnormal in counts) >= 20, counts


def test_exact_inputs_stay_exact():
    """Products that are exactly zero (an input and its error 0, or a weight 0) and slopes
    0 and +-1 round nothing: the bounds are exactly 0, which the sweep's flat functions and
    tied max inputs rely on."""
    x = np.array([[0.0, 3.0], [0.0, 0.0]])
    W = np.array([[1e300, 0.0], [2.0 ** -1070, 5.0]])
    value, bound = affine_enclosure(x, np.zeros_like(x), W)
    assert value.tolist() == [[0.0, 15.0], [0.0, 0.0]]
    assert bound[0, 0] == 0.0 and bound[0, 1] > 0.0 and bound[1].tolist() == [0.0, 0.0]
    value, bound = affine_enclosure(x, np.array([[SMALLEST_SUBNORMAL, 0.0], [0.0, 0.0]]), W)
    assert bound[0, 0] >= 1e300 * SMALLEST_SUBNORMAL and bound[1].tolist() == [0.0, 0.0]
    value, bound = affine_enclosure(x, np.zeros_like(x), np.full((3, 2), 0.1))   # no zero weight
    assert bound[0].min() > 0.0 and bound[1].tolist() == [0.0, 0.0, 0.0]
    slope = np.array([[0.0, 1.0, -1.0, 0.01]])
    result, error = scaled_enclosure(slope, np.array([[7.0, 3.0, 2.0, 0.0]]), np.zeros((1, 4)))
    assert result.tolist() == [[0.0, 3.0, -2.0, 0.0]] and error.tolist() == [[0.0] * 4]


def test_bounds_where_float64_underflows():
    """Hand-worked roundings that no relative bound covers, each checked in fractions."""
    # x = 3 2^-1040: gamma x underflows to 0, yet x W = 3 2^-40 (1 + 2^-52) needs 54 bits
    x, W = np.array([[3 * 2.0 ** -1040]]), np.array([[(1 + 2.0 ** -52) * 2.0 ** 1000]])
    value, bound = affine_enclosure(x, np.zeros((1, 1)), W)
    exact = Fraction(x[0, 0]) * Fraction(W[0, 0])
    assert 0 < abs(Fraction(value[0, 0]) - exact) <= Fraction(bound[0, 0])
    # 0.5 * 3 SMALLEST_SUBNORMAL rounds to 2 SMALLEST_SUBNORMAL (ties to even)
    x = np.array([3 * SMALLEST_SUBNORMAL])
    result, error = scaled_enclosure(np.array([0.5]), x, np.zeros(1))
    exact = Fraction(1, 2) * Fraction(x[0])
    assert 0 < abs(Fraction(result[0]) - exact) <= Fraction(error[0])
    # and 0.5 times an error of one subnormal spacing underflows to 0
    result, error = scaled_enclosure(np.array([0.5]), np.zeros(1), np.array([SMALLEST_SUBNORMAL]))
    assert result[0] == 0.0 and error[0] >= SMALLEST_SUBNORMAL / 2
