"""The layer-map kernels of ``regions._maps`` against the numpy formulas they replaced and
against exact rationals: the error bounds hold, edge cases neither crash nor read past an
array."""

from fractions import Fraction

import numpy as np
import pytest

from regions._maps import hyperplane_rows, map_error
from regions.rounding import UNIT_ROUNDOFF, gamma
from regions.tolerances import BOUND_SAFETY


def numpy_map_error(W, M, m, bias, M_error):
    """The numpy formula ``map_error`` replaced (without its underflow term)."""
    absW = np.abs(W)
    magnitude = absW @ np.maximum(np.max(np.abs(M), axis=1, initial=0.0), np.abs(m)) \
        + np.abs(bias)
    return (gamma(W.shape[1] + 2) * magnitude + absW @ M_error) * BOUND_SAFETY


@pytest.mark.parametrize("seed", range(5))
def test_map_error_bounds_the_exact_error_and_is_at_least_the_numpy_formula(seed):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(6, 5)) * 10.0 ** rng.integers(-30, 30, size=(6, 5))
    M, m, bias = rng.normal(size=(5, 3)), rng.normal(size=5), rng.normal(size=6)
    error = map_error(W, M, m, bias, np.zeros(5))
    # the same formula, summed in another order
    assert np.all(error >= numpy_map_error(W, M, m, bias, np.zeros(5)) * (1.0 - 1e-14))
    G, beta = W @ M, W @ m + bias
    for i in range(6):
        for k in range(3):
            exact = sum(Fraction(W[i, j]) * Fraction(M[j, k]) for j in range(5))
            assert abs(Fraction(G[i, k]) - exact) <= Fraction(error[i])
        exact = sum(Fraction(W[i, j]) * Fraction(m[j]) for j in range(5)) + Fraction(bias[i])
        assert abs(Fraction(beta[i]) - exact) <= Fraction(error[i])


def test_map_error_covers_a_product_that_underflows():
    W, M = np.array([[1e-200]]), np.array([[1e-200]])
    error = map_error(W, M, np.zeros(1), np.zeros(1), np.zeros(1))
    assert (W @ M)[0, 0] == 0.0 and error[0] > 0.0     # the exact product is 1e-400
    subnormal = map_error(np.array([[1e-160]]), np.array([[1e-160]]), np.zeros(1), np.zeros(1),
                          np.zeros(1))
    exact = Fraction(1e-160) ** 2
    assert abs(Fraction(1e-160 * 1e-160) - exact) <= Fraction(subnormal[0])


def test_a_row_of_exact_zeros_has_no_error():
    error = map_error(np.array([[0.0, 2.0]]), np.array([[1.0], [0.0]]), np.zeros(2),
                      np.zeros(1), np.zeros(2))
    assert error[0] == 0.0


def test_hyperplane_rows_match_the_numpy_formulas():
    rng = np.random.default_rng(7)
    G, beta = rng.normal(size=(5, 4)), rng.normal(size=5)
    G_error, zero = np.full(5, 1e-15), np.array([False, True, False, False, False])
    G[1] = 0.0
    offsets = np.array([-1.0, 1.0])
    a, c, e = hyperplane_rows(G, beta, G_error, zero, offsets)
    norms = np.where(zero, 1.0, np.linalg.norm(G, axis=1))
    expected_a = np.repeat(np.where(zero[:, None], 0.0, G / norms[:, None]), 2, axis=0)
    expected_c = ((beta[:, None] - offsets) / norms[:, None]).ravel()
    size = np.maximum(np.max(np.abs(expected_a), axis=1), np.abs(expected_c))
    expected_e = (np.repeat(G_error / norms, 2) + 2 * UNIT_ROUNDOFF * size) * BOUND_SAFETY
    np.testing.assert_allclose(a, expected_a, rtol=1e-15, atol=0)
    np.testing.assert_allclose(c, expected_c, rtol=1e-15, atol=0)
    np.testing.assert_allclose(e, expected_e, rtol=1e-14, atol=0)


def test_hyperplane_rows_of_no_breakpoints_are_empty():
    a, c, e = hyperplane_rows(np.ones((50, 7)), np.zeros(50), np.zeros(50),
                              np.zeros(50, bool), np.zeros(0))
    assert a.shape == (0, 7) and c.shape == (0,) and e.shape == (0,)


@pytest.mark.parametrize("zero", [np.zeros((3, 2), bool), np.zeros(2, bool),
                                  np.zeros((3, 0), bool)])
def test_hyperplane_rows_refuse_zero_flags_of_another_shape(zero):
    with pytest.raises(ValueError):
        hyperplane_rows(np.ones((3, 2)), np.zeros(3), np.zeros(3), zero, np.zeros(1))


def test_a_nan_in_a_row_makes_it_nan_as_in_numpy():
    a, c, e = hyperplane_rows(np.array([[np.nan, 3.0], [3.0, 4.0]]), np.array([1.0, np.nan]),
                              np.zeros(2), np.zeros(2, bool), np.zeros(1))
    assert np.isnan(a[0]).all() and np.isnan(c[0]) and np.isnan(e[0])
    assert np.isnan(c[1]) and np.isnan(e[1]) and a[1].tolist() == [0.6, 0.8]


def test_evaluation_bounds_cover_products_that_underflow():
    """Three products of about 1.4 subnormal spacings each round to one spacing each: the
    float slack ``4 - 3`` spacings is positive, the exact one ``4 - 4.2`` negative."""
    from regions.engines._split import strictly_inside
    from regions.rounding import SMALLEST_SUBNORMAL, evaluation_bound
    rows, point = np.full((1, 3), 1e-200), np.full(3, 1.4 * (SMALLEST_SUBNORMAL / 1e-200))
    offset = 4 * SMALLEST_SUBNORMAL
    exact = Fraction(offset) - sum(Fraction(a) * Fraction(z) for a, z in zip(rows[0], point))
    computed = offset - sum(float(a * z) for a, z in zip(rows[0], point))   # no FMA
    assert exact < 0 < computed
    assert not strictly_inside(rows, np.array([offset]), np.zeros(1), point)
    assert evaluation_bound(rows, np.array([offset]), np.zeros(1), point)[0, 0] >= \
        abs(Fraction(computed) - exact)
