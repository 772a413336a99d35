"""The split engine's certified tests (regions.engines._split) against exact rational
arithmetic: a point certified strictly inside is strictly inside exactly, a radius bound
bounds the exact inscribed radius (from an exact LP over rows whose norms are integers),
and a probe's signs and certified ball agree with exact evaluation; told which leading rows
are axis rows, each gives the same floats. The row store (with_row) never writes a row a
piece holds."""

from fractions import Fraction

import numpy as np
import pytest

from regions import lp_exact
from regions._simplex import leading_axes
from regions.engines._split import probe, radius_bound, strictly_inside, with_row
from regions.lp import LPSolver
from regions.rounding import strict_slack

CAP = 10.0
#: Integer rows with integer norms (Pythagorean quadruples), so inscribed radii are rational.
PYTHAGOREAN = np.array([[1, 2, 2], [2, 3, 6], [1, 4, 8], [4, 4, 7], [2, 6, 9], [6, 6, 7]],
                       dtype=np.float64)
BOX = np.vstack([np.eye(3), -np.eye(3)])


def random_rows(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` random Pythagorean rows, coordinates permuted and signs flipped."""
    picks = PYTHAGOREAN[rng.integers(len(PYTHAGOREAN), size=count)]
    rows = np.array([rng.permutation(row) for row in picks])
    return rows * rng.choice([-1.0, 1.0], size=rows.shape)


def polytope(rng: np.random.Generator, count: int, spread: float) -> tuple:
    """The box ``[-1, 1]^3`` cut by ``count`` random rows through points near the origin:
    ``(A, b)``, every entry exactly a small dyadic rational."""
    cuts = random_rows(rng, count)
    offsets = np.round(cuts @ rng.uniform(-spread, spread, 3) * 64) / 64
    return np.vstack([BOX, cuts]), np.r_[np.ones(6), offsets + cuts.sum(axis=1) / 64]


def exact_radius(A: np.ndarray, b: np.ndarray, errors: np.ndarray) -> Fraction:
    """The exact inscribed radius (capped at CAP) of ``A z <= b + errors``: an exact LP in
    ``(z, r)`` (the rows' norms are integers)."""
    norms = np.sqrt(np.einsum("ij,ij->i", A, A))
    assert np.all(norms == np.round(norms))
    lifted = [[Fraction(v) for v in row] + [Fraction(n)] for row, n in zip(A, norms)]
    lifted.append([Fraction(0)] * A.shape[1] + [Fraction(1)])
    rhs = [Fraction(v) + Fraction(e) for v, e in zip(b, errors)] + [Fraction(CAP)]
    result = lp_exact.maximize(lifted, rhs, [0] * A.shape[1] + [1])
    return Fraction(int(result.value.p), int(result.value.q))


def strictly_inside_exactly(A: np.ndarray, b: np.ndarray, point: np.ndarray) -> bool:
    return all(sum(Fraction(a) * Fraction(z) for a, z in zip(row, point)) < Fraction(c)
               for row, c in zip(A, b))


def centred_polytope(seed: int):
    """``(rng, A, b, errors, ball)``: the box cut by 4 random rows through points near the
    origin (:func:`polytope`), zero error bounds, and its Chebyshev ball from HiGHS."""
    rng = np.random.default_rng(seed)
    A, b = polytope(rng, 4, 0.3)
    return rng, A, b, np.zeros(len(b)), LPSolver().chebyshev(A, b, CAP)


@pytest.mark.parametrize("seed", range(20))
def test_points_certified_inside_are_inside_exactly(seed):
    rng, A, b, errors, ball = centred_polytope(seed)
    on_face = ball.center + (b[0] - A[0] @ ball.center) * A[0] / (A[0] @ A[0])
    nudged = [np.nextafter(on_face, on_face + step * A[0]) for step in (-1.0, 1.0)]
    certified = 0
    for point in [ball.center, on_face, *nudged, rng.uniform(-1, 1, 3)]:
        inside = strictly_inside(A, b, errors, point)
        if inside:
            assert strictly_inside_exactly(A, b, point)
            assert strict_slack(A, b, errors, point)
            certified += 1
    assert certified >= (ball.radius > 1e-6)         # the centre of a fat ball is certified
    assert not strictly_inside(A, b, errors, on_face)


def test_points_within_the_error_bounds_are_not_certified():
    A, b = BOX.copy(), np.ones(6)
    point = np.array([0.9, 0.0, 0.0])
    assert strictly_inside(A, b, np.zeros(6), point)
    assert not strictly_inside(A, b, np.full(6, 0.06), point)     # 0.1 <= 0.06 * (0.9 + 1)
    assert not strictly_inside(A, b, np.zeros(6), np.array([np.nan, 0.0, 0.0]))


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("error", [0.0, 2.0 ** -20])
def test_radius_bounds_bound_the_exact_radius(seed, error):
    """From HiGHS's duals the bound is tight (within 1e-6); from any other multipliers it
    still bounds a positive exact radius (or is inf); a bound below 0 proves the exact
    polytope (its rows moved by their error bounds) has no interior."""
    rng = np.random.default_rng(seed)
    A, b = polytope(rng, 5, 0.6)
    errors = np.full(len(b), error)
    exact = exact_radius(A, b, errors)
    ball = LPSolver().chebyshev(A, b, CAP)
    box_abs = np.ones(3)
    bound = radius_bound(A, b, errors, ball.duals, ball.cap_dual, box_abs, CAP)
    assert bound < float(exact) + 1e-6 + 16 * error
    if exact > 0:
        assert Fraction(bound) >= exact
    for _ in range(5):
        duals = ball.duals * rng.uniform(0.5, 1.5, len(b)) + rng.uniform(0, 0.05, len(b))
        other = radius_bound(A, b, errors, duals, ball.cap_dual, box_abs, CAP)
        if exact > 0:
            assert Fraction(other) >= exact if np.isfinite(other) else other == np.inf


def test_an_empty_polytope_has_a_negative_radius_bound():
    A = np.vstack([BOX, [[1.0, 2.0, 2.0], [-1.0, -2.0, -2.0]]])
    b = np.r_[np.ones(6), -1.0, 0.5]          # x + 2y + 2z <= -1 and >= -0.5
    ball = LPSolver().chebyshev(A, b, CAP)
    bound = radius_bound(A, b, np.zeros(8), ball.duals, ball.cap_dual, np.ones(3), CAP)
    assert exact_radius(A, b, np.zeros(8)) < 0
    assert bound < 0.0


@pytest.mark.parametrize("seed", range(20))
def test_probe_signs_and_ball_agree_with_exact_evaluation(seed):
    rng, A, b, errors, ball = centred_polytope(seed)
    planes = random_rows(rng, 6)
    through = rng.integers(0, 3, 6) == 0          # some planes through the centre exactly
    offsets = np.where(through, -(planes @ ball.center), rng.uniform(-1, 1, 6))
    radius, signs, values, slacks = probe(planes, offsets, np.zeros(6), A, b, errors,
                                          ball.center, ball.radius)
    for row, offset, sign, value, slack in zip(planes, offsets, signs, values, slacks):
        exact = Fraction(offset) + sum(Fraction(a) * Fraction(z)
                                       for a, z in zip(row, ball.center))
        assert abs(Fraction(value) - exact) <= Fraction(slack)
        if sign:
            assert (exact > 0) - (exact < 0) == sign
        elif abs(exact) > 1e-9:
            raise AssertionError("a sign far from zero is not certified")
    assert 0.0 <= radius <= ball.radius
    if ball.radius > 1e-6:
        assert radius > 0.99 * ball.radius
    # the certified ball is inside: each row's exact distance from the centre is above it
    for row, c in zip(A, b):
        gap = Fraction(c) - sum(Fraction(a) * Fraction(z) for a, z in zip(row, ball.center))
        assert gap >= Fraction(radius) * Fraction(float(np.linalg.norm(row)))


def test_leading_axes_stop_at_the_first_row_with_more_than_one_nonzero():
    A = np.vstack([np.diag([2.0, -0.5, 1.0]), [[1.0, 1.0, 0.0]], np.eye(3)])
    assert leading_axes(A).tolist() == [0, 1, 2]
    assert leading_axes(np.vstack([np.zeros((1, 3)), np.eye(3)])).tolist() == []
    assert leading_axes(np.zeros((0, 3))).tolist() == []


@pytest.mark.parametrize("seed", range(20))
def test_axis_rows_give_the_same_floats(seed):
    """strictly_inside, radius_bound and probe with the box faces' axes give exactly the
    answers of the full sums, on points inside, on faces, outside, infinite and NaN."""
    rng, A, b, errors, ball = centred_polytope(seed)
    A = A * rng.uniform(0.5, 2.0, (len(b), 1))            # faces of any scale
    errors = rng.uniform(0, 1e-9, len(b))
    axis = leading_axes(A)
    assert axis.tolist() == [0, 1, 2, 0, 1, 2]
    planes, offsets = random_rows(rng, 4), rng.uniform(-1, 1, 4)
    on_face = ball.center.copy()
    on_face[0] = b[0] / A[0, 0]
    for point in [ball.center, on_face, rng.uniform(-2, 2, 3), np.array([np.inf, 0.0, 0.0]),
                  np.array([0.0, np.nan, 0.0])]:
        assert strictly_inside(A, b, errors, point, axis) == strictly_inside(A, b, errors,
                                                                             point)
        full = probe(planes, offsets, np.zeros(4), A, b, errors, point, ball.radius)
        fast = probe(planes, offsets, np.zeros(4), A, b, errors, point, ball.radius, axis)
        np.testing.assert_array_equal(np.array(fast[0]), np.array(full[0]))
        for got, want in zip(fast[1:], full[1:]):
            np.testing.assert_array_equal(got, want)
    duals = ball.duals * rng.uniform(0.5, 1.5, len(b))
    assert radius_bound(A, b, errors, duals, ball.cap_dual, np.ones(3), CAP, axis) \
        == radius_bound(A, b, errors, duals, ball.cap_dual, np.ones(3), CAP)
    with pytest.raises(ValueError):
        strictly_inside(A[:2], b[:2], errors[:2], ball.center, axis)


@pytest.mark.parametrize("seed", range(20))
def test_the_row_store_never_writes_a_row_a_piece_holds(seed):
    # A depth-first split as the engine makes one: a piece's parts take its next row in its
    # store (or a copy), some are given back (found empty, or not kept), the others are
    # held. Every held piece's rows must stay those of its own list of cuts, kept here as
    # plain Python lists.
    rng = np.random.default_rng(seed)
    dim, planes = 3, 6
    a, c, e = rng.normal(size=(planes, dim)), rng.normal(size=planes), np.zeros(planes)
    start = (np.eye(dim), np.ones(dim), np.zeros(dim), -1 - np.arange(dim),
             np.zeros(dim, np.int8))
    stack = [(start, None, [])]
    held, made, in_place = [], 0, 0
    while stack:
        rows, store, cuts = stack.pop()
        held.append((rows, cuts))
        if len(cuts) == planes:
            continue
        t = len(cuts)
        parts = []
        for side in (-1, 1):
            part = with_row(store, *rows, a, c, e, 100 + t, t, side, planes - t - 1)
            made += 1
            in_place += part[5] is store
            if rng.random() < 0.3:          # found empty, or not kept
                part[5].release(len(rows[1]))
            else:
                parts.append((part[:5], part[5], cuts + [(t, side)]))
        stack.extend(parts)
        for rows_held, cuts_held in held:
            expected_A = np.vstack([start[0]] + [-side * a[u] for u, side in cuts_held])
            expected_b = np.r_[start[1], [side * c[u] for u, side in cuts_held]]
            assert np.array_equal(rows_held[0], expected_A)
            assert np.array_equal(rows_held[1], expected_b)
            assert rows_held[3].tolist() == list(start[3]) + [100 + u for u, _ in cuts_held]
            assert rows_held[4].tolist() == [0] * dim + [side for _, side in cuts_held]
    assert in_place < made and (in_place > 0 or len(held) == 1)
    with pytest.raises(ValueError):     # a piece's rows are read-only
        part[0][0, 0] = 2.0
