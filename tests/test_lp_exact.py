"""regions.lp_exact checked exactly, in ``fractions.Fraction`` arithmetic, three ways.

- Certificates: every answer carries its proof (an optimum its dual weights, an
  unbounded problem a feasible point and a ray, an infeasible one Farkas
  weights); ``check`` verifies it without python-flint, so a pass proves the
  answer whatever path the solver took.
- A brute-force reference on small full-rank problems: the optimum is the best
  vertex (solutions of d rows), unboundedness an extreme ray (the null
  directions of d - 1 rows) along which f grows.
- sympy's ``lpmax`` on hand-made cases (degenerate, duplicate and zero rows,
  lineality, Beale's cycling example). sympy 1.14's simplex is not used on
  random problems: it answers some small ones wrongly (an "optimum" at a point
  that violates the constraints, or InfeasibleLPError for a feasible problem).
"""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import numpy as np
import pytest
from flint import fmpq, fmpq_mat, fmpz, fmpz_mat

from regions.errors import RegionsError
from regions.lp_exact import compare_max, interior_point, maximize


# --- exact helpers (Fraction only) ------------------------------------------------------------

def frac(value) -> Fraction:
    if isinstance(value, fmpq):
        return Fraction(int(value.p), int(value.q))
    if isinstance(value, float):
        return Fraction(*value.as_integer_ratio())
    return Fraction(value)


def fracs(values) -> list:
    return [frac(v) for v in values]


def dot(u, v) -> Fraction:
    return sum((a * b for a, b in zip(u, v)), Fraction(0))


def feasible(A, c, x) -> bool:
    return all(dot(row, x) <= b for row, b in zip(A, c))


def rref(rows: list, ncols: int) -> tuple[list, list]:
    """Reduced row echelon form over the rationals and its pivot columns."""
    M = [list(row) for row in rows]
    pivots = []
    for j in range(ncols):
        r = len(pivots)
        p = next((i for i in range(r, len(M)) if M[i][j] != 0), None)
        if p is None:
            continue
        M[r], M[p] = M[p], M[r]
        M[r] = [v / M[r][j] for v in M[r]]
        for i in range(len(M)):
            if i != r and M[i][j] != 0:
                M[i] = [a - M[i][j] * b for a, b in zip(M[i], M[r])]
        pivots.append(j)
    return M, pivots


def rank(rows: list, ncols: int) -> int:
    return len(rref(rows, ncols)[1])


def check(A, c, f, f0, result) -> None:
    """Verify ``result`` of ``maximize(A, c, f, f0)`` from its certificate, exactly."""
    A = [fracs(row) for row in A]
    c, f, f0 = fracs(c), fracs(f), frac(f0)
    m, d = len(A), len(f)
    if result.status == "infeasible":
        assert result.point is None and result.value is None and result.ray is None
        y = fracs(result.dual)
        assert len(y) == m and min(y) >= 0
        assert all(dot(y, [row[j] for row in A]) == 0 for j in range(d))
        assert dot(c, y) == -1
        assert result.active == ()
        return
    x = fracs(result.point)
    assert len(x) == d and feasible(A, c, x)
    if result.active:
        assert len(result.active) == d == len(set(result.active))
        assert all(dot(A[i], x) == c[i] for i in result.active)
        assert rank([A[i] for i in result.active], d) == d
    if result.status == "unbounded":
        ray = fracs(result.ray)
        assert all(dot(row, ray) <= 0 for row in A) and dot(f, ray) > 0
        assert result.value is None and result.dual is None
        return
    assert result.status == "optimal" and result.ray is None
    assert frac(result.value) == dot(f, x) + f0
    y = fracs(result.dual)
    assert len(y) == m and all(v >= 0 for v in y)
    assert all(dot(y, [row[j] for row in A]) == f[j] for j in range(d))
    assert dot(c, y) + f0 == frac(result.value)


def reference(A, c, f):
    """``(status, value)`` by brute force, for ``A`` of full column rank."""
    A, c, f = [fracs(row) for row in A], fracs(c), fracs(f)
    m, d = len(A), len(f)
    vertices = []
    for rows in itertools.combinations(range(m), d):
        M, pivots = rref([A[i] + [c[i]] for i in rows], d + 1)
        if pivots == list(range(d)):
            x = [M[i][d] for i in range(d)]
            if feasible(A, c, x):
                vertices.append(x)
    if not vertices:
        return "infeasible", None
    for rows in itertools.combinations(range(m), d - 1):
        M, pivots = rref([A[i] for i in rows], d)
        if len(pivots) != d - 1:
            continue
        free = next(j for j in range(d) if j not in pivots)
        u = [Fraction(0)] * d
        u[free] = Fraction(1)
        for i, j in enumerate(pivots):
            u[j] = -M[i][free]
        for ray in (u, [-v for v in u]):
            if all(dot(row, ray) <= 0 for row in A) and dot(f, ray) > 0:
                return "unbounded", None
    return "optimal", max(dot(f, x) for x in vertices)


# --- hand-made cases against sympy ------------------------------------------------------------

H = Fraction(1, 2)
CASES = {
    "triangle": ([[1, 1], [-1, 0], [0, -1]], [1, 0, 0], [2, 1]),
    "nine rows through the optimal vertex, duplicates": (
        [[1, 0], [0, 1], [1, 1], [2, 1], [1, 2], [1, 0], [2, 0], [-1, 0], [0, -1]],
        [1, 1, 2, 3, 3, 1, 2, 0, 0], [1, 1]),
    "pyramid apex (four facets meet)": (
        [[1, 0, 1], [-1, 0, 1], [0, 1, 1], [0, -1, 1], [0, 0, -1]], [1, 1, 1, 1, 0], [0, 0, 1]),
    "zero rows with rhs 0 and 5": ([[0, 0], [1, 0], [0, 1], [0, 0], [-1, -1]], [0, 1, 1, 5, 0], [1, 1]),
    "zero row with rhs -1": ([[0, 0], [1, 0]], [-1, 1], [1, 0]),
    "unbounded cone": ([[-1, 0], [1, -1]], [0, 0], [1, 1]),
    "disjoint half-planes": ([[1, 0], [-1, 0], [0, 1]], [-1, 0, 3], [0, 1]),
    "lineality, f in the row space": ([[1, 1, 0], [-1, -1, 0]], [2, 0], [2, 2, 0]),
    "lineality, f outside the row space": ([[1, 1, 0], [-1, -1, 0]], [2, 0], [1, 0, 0]),
    "Beale's cycling example": (
        [[Fraction(1, 4), -8, -1, 9], [H, -12, -H, 3], [0, 0, 1, 0],
         [-1, 0, 0, 0], [0, -1, 0, 0], [0, 0, -1, 0], [0, 0, 0, -1]],
        [0, 0, 1, 0, 0, 0, 0], [Fraction(3, 4), -20, H, -6]),
    "dyadic data": ([[H, Fraction(1, 4)], [Fraction(-3, 8), 1], [-1, 0], [0, -1]],
                    [Fraction(5, 16), 1, 0, 0], [1, H]),
}


def sympy_max(A, c, f):
    sympy = pytest.importorskip("sympy")
    from sympy.solvers.simplex import InfeasibleLPError, UnboundedLPError, lpmax
    xs = sympy.symbols(f"x0:{len(f)}")
    linear = lambda row: sum((sympy.Rational(frac(a)) * x for a, x in zip(row, xs)), sympy.S.Zero)
    constraints = [linear(row) <= sympy.Rational(frac(b)) for row, b in zip(A, c)]
    try:
        value = lpmax(linear(f), constraints)[0]
    except InfeasibleLPError:
        return "infeasible", None
    except UnboundedLPError:
        return "unbounded", None
    return "optimal", Fraction(int(value.p), int(value.q))


@pytest.mark.parametrize("name", list(CASES))
def test_hand_made_cases_agree_with_sympy(name):
    A, c, f = CASES[name]
    result = maximize(A, c, f)
    check(A, c, f, 0, result)
    status, value = sympy_max(A, c, f)
    assert result.status == status
    if status == "optimal":
        assert frac(result.value) == value


def test_beale_from_its_degenerate_origin():
    A, c, f = CASES["Beale's cycling example"]
    result = maximize(A, c, f, start=[0, 0, 0, 0])
    check(A, c, f, 0, result)
    assert result.value == fmpq(5, 4)


# --- random problems ---------------------------------------------------------------------------

def random_problem(rng: random.Random):
    """A small LP with integer or dyadic data, often degenerate, with duplicate or zero rows,
    or of rank < d."""
    d, m = rng.randint(1, 6), rng.randint(0, 20)
    dyadic = rng.random() < 0.4
    number = (lambda: Fraction(rng.randint(-8, 8), rng.choice([1, 2, 4, 8]))) if dyadic else (
        lambda: Fraction(rng.randint(-3, 3)))
    A = [[number() for _ in range(d)] for _ in range(m)]
    if m and rng.random() < 0.3:   # rank < d: rows drawn from a smaller space
        r = rng.randint(0, d - 1)
        basis = [[number() for _ in range(d)] for _ in range(r)]
        A = [[dot([number() for _ in range(r)], [row[j] for row in basis]) for j in range(d)]
             for _ in range(m)]
    if rng.random() < 0.5:   # degenerate: many rows tight at one point p
        p = [number() for _ in range(d)]
        c = [dot(row, p) + (0 if rng.random() < 0.6 else abs(number())) for row in A]
    else:
        c = [number() + 1 for _ in range(m)]
    for _ in range(rng.randint(0, 2) if m else 0):   # duplicates, scaled by a positive factor
        i, scale = rng.randrange(m), Fraction(rng.randint(1, 4), rng.choice([1, 2]))
        A.append([scale * v for v in A[i]])
        c.append(scale * c[i])
    if rng.random() < 0.2:
        A.append([Fraction(0)] * d)
        c.append(Fraction(rng.choice([-1, 0, 2])))
    f = [number() for _ in range(d)]
    if A and rng.random() < 0.3:   # f a nonnegative combination of rows: often bounded
        weights = [Fraction(rng.randint(0, 2)) for _ in A]
        f = [dot(weights, [row[j] for row in A]) for j in range(d)]
    return A, c, f


SEEDS = range(120)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_problems(seed):
    rng = random.Random(seed)
    for _ in range(3):
        A, c, f = random_problem(rng)
        f0 = Fraction(rng.randint(-3, 3), 2)
        result = maximize(A, c, f, f0)
        check(A, c, f, f0, result)
        d = len(f)
        if d <= 3 and len(A) <= 9 and rank(A, d) == d:
            status, value = reference(A, c, f)
            assert result.status == status
            if status == "optimal":
                assert frac(result.value) == value + f0
        check_starts(A, c, f, f0, result, rng)
        check_compare_max(A, c, f, f0, result)
        check_interior_point(A, c, d)


def check_starts(A, c, f, f0, result, rng):
    """Warm starts (right, wrong, singular, infeasible) and start points (feasible or not)
    change the path, never the answer."""
    m, d = len(A), len(f)
    tries = [dict(start=[Fraction(rng.randint(-3, 3)) for _ in range(d)]),
             dict(start=result.point)]
    if m:
        tries.append(dict(basis=rng.sample(range(m), min(d, m))))
        tries.append(dict(basis=[rng.randrange(m)] * d))
    if result.active:
        tries.append(dict(basis=list(result.active)))
    for options in tries:
        again = maximize(A, c, f, f0, **options)
        check(A, c, f, f0, again)
        assert again.status == result.status and again.value == result.value
    if result.status == "optimal" and result.active:
        assert maximize(A, c, f, f0, basis=list(result.active)).pivots == 0


def check_compare_max(A, c, f, f0, result):
    if result.status == "infeasible":
        with pytest.raises(RegionsError, match="empty"):
            compare_max(A, c, f, f0)
        return
    if result.status == "unbounded":
        assert compare_max(A, c, f, f0) == 1
        return
    value = frac(result.value)
    for shift, sign in ((0, 0), (Fraction(-1, 1024), -1), (Fraction(1, 1024), 1)):
        assert compare_max(A, c, f, f0 - value + shift) == sign
        assert compare_max(A, c, f, f0 - value + shift, basis=list(result.active)) == sign


def check_interior_point(A, c, d):
    """A returned point is strictly inside; None is proven by the certificate of
    ``max t : A x + t <= c, t <= 1`` (an optimum ``<= 0``, or infeasible)."""
    x = interior_point(A, c) if A else interior_point(np.zeros((0, d)), [])
    if x is not None:
        assert len(x) == d
        assert all(dot(fracs(row), fracs(x)) < frac(b) for row, b in zip(A, c))
        return
    lifted = [fracs(row) + [1] for row in A] + [[0] * d + [1]]
    bounds = list(c) + [1]
    objective = [0] * d + [1]
    result = maximize(lifted, bounds, objective)
    check(lifted, bounds, objective, 0, result)
    assert result.status == "optimal" and result.value <= 0


# --- special inputs ------------------------------------------------------------------------------

def test_no_rows():
    assert maximize([], [], [0, 0], 3).value == 3
    result = maximize(np.zeros((0, 2)), np.zeros(0), [1, -2])
    check([], [], [1, -2], 0, result)
    assert result.status == "unbounded" and result.active == ()
    assert maximize(fmpq_mat(0, 2), [], [0, 0]).point == [0, 0]


def test_lineality():
    A, c = [[1, 1, 0], [-1, -1, 0]], [2, 0]
    inside = maximize(A, c, [2, 2, 0], 1)
    check(A, c, [2, 2, 0], 1, inside)
    assert inside.value == 5 and inside.active == ()
    outside = maximize(A, c, [1, 0, 1])
    check(A, c, [1, 0, 1], 0, outside)
    assert outside.status == "unbounded"
    infeasible = maximize(A + [[1, 1, 0]], c + [-1], [1, 0, 0])
    check(A + [[1, 1, 0]], c + [-1], [1, 0, 0], 0, infeasible)
    assert infeasible.status == "infeasible"


def test_floats_of_huge_and_tiny_magnitude_are_exact():
    A = [[1e300, 0.0], [0.0, 1e-300], [-1.0, 0.0], [0.0, -1.0]]
    c = [1e-300, 3e300, 0.0, 0.0]
    result = maximize(A, c, [1.0, 1e-200])
    check(A, c, [1.0, 1e-200], 0, result)
    x = frac(1e-300) / frac(1e300)
    y = frac(3e300) / frac(1e-300)
    assert fracs(result.point) == [x, y]
    assert frac(result.value) == x + frac(1e-200) * y


def test_input_types_agree():
    A = [[1, 2], [-3, 1], [0, -1], [Fraction(1, 3), -1]]
    c = [4, 2, 1, 1]
    f = [1, 1]
    expected = maximize(A, c, f)
    check(A, c, f, 0, expected)
    as_fmpq = [[fmpq(frac(v).numerator, frac(v).denominator) for v in row] for row in A]
    variants = [
        (fmpq_mat(as_fmpq), fmpq_mat(4, 1, c), np.array(f, dtype=np.float64)),
        ([[fmpz(1), fmpz(2)], [fmpz(-3), fmpz(1)], [0, -1], [fmpq(1, 3), -1]],
         np.array(c, dtype=np.int64), (np.float32(1), 1.0)),
        ([[Fraction(v) for v in row] for row in A], [Fraction(v) for v in c], fmpz_mat([[1, 1]])),
    ]
    for A2, c2, f2 in variants:
        assert maximize(A2, c2, f2) == expected


def test_numpy_float_arrays_are_converted_exactly():
    rng = np.random.default_rng(0)
    A = np.vstack([rng.standard_normal((8, 3)), -np.eye(3), np.eye(3)])
    c = np.concatenate([rng.uniform(0.1, 1.0, 8), np.full(6, 0.5)])
    f = rng.standard_normal(3)
    result = maximize(A, c, f)
    check(A.tolist(), c.tolist(), f.tolist(), 0, result)
    assert result.status == "optimal"
    assert maximize(A, c, f, basis=list(result.active)).pivots == 0


@pytest.mark.parametrize("bad", [
    dict(A=[[1, 0]], c=[1], f=[1]),                   # row length != len(f)
    dict(A=[[1, 0]], c=[1, 2], f=[1, 0]),             # len(c) != m
    dict(A=[[float("nan"), 0]], c=[1], f=[1, 0]),
    dict(A=[[1, 0]], c=[float("inf")], f=[1, 0]),
    dict(A=[[1, 0]], c=[1], f=["1", 0]),
    dict(A=[[1, 0]], c=[1], f=[1, 0], basis=[1]),
    dict(A=[[1, 0]], c=[1], f=[1, 0], start=[0]),
    dict(A=[], c=[], f=[]),
])
def test_bad_input_raises(bad):
    A, c, f = bad.pop("A"), bad.pop("c"), bad.pop("f")
    with pytest.raises(RegionsError):
        maximize(A, c, f, **bad)


# --- warm starts and start points ---------------------------------------------------------------

SQUARE = ([[1, 0], [0, 1], [-1, 0], [0, -1]], [1, 1, 1, 1])


def test_warm_start_right_wrong_singular_infeasible():
    A, c = SQUARE
    f = [2, 1]
    right = maximize(A, c, f, basis=[0, 1])
    assert right.pivots == 0 and right.value == 3 and right.active == (0, 1)
    wrong = maximize(A, c, f, basis=[2, 3])             # feasible vertex (-1, -1), not optimal
    assert wrong.pivots > 0 and wrong.value == 3
    singular = maximize(A, c, f, basis=[0, 2])          # parallel rows: ignored
    assert singular.value == 3
    cut = A + [[1, 1]]
    infeasible_vertex = maximize(cut, c + [0], f, basis=[0, 1])   # (1, 1) violates x + y <= 0
    check(cut, c + [0], f, 0, infeasible_vertex)
    assert infeasible_vertex.value == 1
    several = maximize(A, c, f, basis=[0, 0, 2, 1, 3])  # the first independent pair: 0, 1
    assert several.pivots == 0 and several.active == (0, 1)


def test_start_points():
    A, c = SQUARE
    for start in ([0, 0], [Fraction(1, 3), 1], [5, -7], [0.1, 1e10]):
        result = maximize(A, c, [1, 1], start=start)
        check(A, c, [1, 1], 0, result)
        assert result.value == 2


# --- compare_max -----------------------------------------------------------------------------------

def test_compare_max():
    A, c = SQUARE
    assert compare_max(A, c, [1, 1], -2) == 0
    tiny = Fraction(1, 2 ** 60)
    assert compare_max(A, c, [1, 1], -2 - tiny) == -1
    assert compare_max(A, c, [1, 1], -2 + tiny) == 1
    assert compare_max(A, c, [1, 1], -2, basis=[0, 1]) == 0
    assert compare_max([[-1, 0]], [0], [1, 0]) == 1       # unbounded
    with pytest.raises(RegionsError, match="empty"):
        compare_max([[1], [-1]], [0, -1], [1])


# --- interior_point ----------------------------------------------------------------------------------

def test_interior_point_of_a_thin_slab():
    width = Fraction(1, 2 ** 60)
    A, c = [[1, 0], [-1, 0], [0, 1], [0, -1]], [width, 0, 1, 1]
    x = interior_point(A, c)
    assert 0 < frac(x[0]) < width and -1 < frac(x[1]) < 1
    slab = interior_point([[1, 1, 1], [-1, -1, -1]], [2.0 ** -60, 0.0])   # with lineality
    assert 0 < sum(fracs(slab)) < Fraction(1, 2 ** 60)


def test_interior_point_none():
    assert interior_point([[1, 0], [-1, 0]], [1, -1]) is None    # the line x = 1: no interior
    assert interior_point([[1], [-1]], [0, -1]) is None          # empty
    assert interior_point([[0, 0]], [0]) is None                 # 0 < 0 fails


def test_interior_point_without_rows_and_with_start():
    assert interior_point(np.zeros((0, 3)), []) == [0, 0, 0]
    assert interior_point([], [], start=[1, 2]) == [1, 2]
    x = interior_point([[1, 1]], [-10], start=[100, 100])
    assert frac(x[0]) + frac(x[1]) < -10
