"""The warm-started dual simplex (regions._simplex) against HiGHS on the same inscribed-ball
LPs, degenerate ones included."""

import numpy as np
import pytest

from regions.lp import Basis, LPSolver

CAP = 10.0


def cube(dim: int) -> tuple[np.ndarray, np.ndarray]:
    """The unit cube [0, 1]^dim as ``A z <= b`` with unit rows."""
    return np.vstack([np.eye(dim), -np.eye(dim)]), np.r_[np.ones(dim), np.zeros(dim)]


def with_row(A, b, row, offset):
    return np.vstack([A, row]), np.r_[b, offset]


def assert_matches_highs(solver: LPSolver, A, b, basis: Basis):
    """The warm answer is optimal: HiGHS's radius, a centre whose ball fits, multipliers
    that certify the radius (``duals @ [A | norms] = e_r``, ``duals @ b = radius``)."""
    warm = solver.warm_chebyshev(A, b, basis, cap=CAP)
    cold = solver.chebyshev(A, b, cap=CAP)
    assert warm is not None
    assert warm.radius == pytest.approx(cold.radius, abs=1e-9)
    norms = np.linalg.norm(A, axis=1)
    assert np.all(A @ warm.center + norms * warm.radius <= b + 1e-9)
    assert np.abs(warm.duals @ A).max(initial=0.0) < 1e-9
    assert warm.duals @ norms + warm.cap_dual == pytest.approx(1.0, abs=1e-9)
    assert warm.duals @ b + warm.cap_dual * CAP == pytest.approx(warm.radius, abs=1e-9)
    return warm


@pytest.mark.parametrize("dim", [2, 5, 12])
@pytest.mark.parametrize("seed", range(5))
def test_chains_of_random_cuts_match_highs(dim, seed):
    """Each LP starts from the previous one's basis and inverse (kept over many pivots),
    as down one branch of a split."""
    rng = np.random.default_rng(seed)
    solver = LPSolver()
    A, b = cube(dim)
    ball = solver.chebyshev(A, b, cap=CAP)
    for _ in range(12):
        row = rng.normal(size=dim)
        row /= np.linalg.norm(row)
        A, b = with_row(A, b, row, row @ ball.center + rng.uniform(-0.3, 0.1))
        ball = assert_matches_highs(solver, A, b, ball.basis)


@pytest.mark.parametrize("seed", range(3))
def test_chains_of_cuts_of_a_64_d_cube_match_highs(seed):
    """A 64-D cube's ball touches every face, and a cut moves it off many: the pivots
    swap faces (rows of one coordinate, priced by that coordinate) for others."""
    rng = np.random.default_rng(seed)
    solver = LPSolver()
    A, b = cube(64)
    ball = solver.chebyshev(A, b, cap=CAP)
    for _ in range(4):
        row = rng.normal(size=64)
        row /= np.linalg.norm(row)
        A, b = with_row(A, b, row, row @ ball.center + rng.uniform(-0.3, 0.1))
        ball = assert_matches_highs(solver, A, b, ball.basis)


@pytest.mark.parametrize("dim", [1, 4, 9])
@pytest.mark.parametrize("seed", range(3))
def test_cuts_of_a_rotated_cube_match_highs(dim, seed):
    """No row has a single nonzero (a rotated cube; in 1-D every row has): the rows are
    priced as dense rows."""
    rng = np.random.default_rng(seed)
    rotation, _ = np.linalg.qr(rng.normal(size=(dim, dim)))
    A, b = cube(dim)
    A = A @ rotation.T
    solver = LPSolver()
    ball = solver.chebyshev(A, b, cap=CAP)
    for _ in range(6):
        row = rng.normal(size=dim)
        row /= np.linalg.norm(row)
        A, b = with_row(A, b, row, row @ ball.center + rng.uniform(-0.3, 0.1))
        ball = assert_matches_highs(solver, A, b, ball.basis)


@pytest.mark.parametrize("dim", [2, 3, 10])
def test_degenerate_cuts_match_highs(dim):
    solver = LPSolver()
    A, b = cube(dim)
    start = solver.chebyshev(A, b, cap=CAP).basis
    diagonal = np.ones(dim) / np.sqrt(dim)
    cuts = {
        "duplicate row": (A[0], b[0]),
        "parallel, tighter": (A[0], 0.25),
        "through a vertex": (diagonal, 0.0),              # touches the cube at the origin
        "through the far vertex": (-diagonal, -np.sqrt(dim)),
        "empty side": (-diagonal, -np.sqrt(dim) - 0.5),    # negative radius
        "sliver": (-A[0], -(1.0 - 1e-9)),
        "through the centre": (diagonal, diagonal @ np.full(dim, 0.5)),
    }
    for name, (row, offset) in cuts.items():
        assert_matches_highs(solver, *with_row(A, b, row, offset), start)
    A2, b2 = with_row(A, b, A[0], 0.25)                    # two parallel rows, then a third
    ball = assert_matches_highs(solver, A2, b2, start)
    assert_matches_highs(solver, *with_row(A2, b2, A[0], 0.125), ball.basis)


def test_a_start_that_is_no_basis_gives_no_answer():
    solver = LPSolver()
    A, b = cube(3)
    start = solver.chebyshev(A, b, cap=CAP).basis.rows
    singular = start.copy()
    singular[1] = singular[0]
    parallel_A, parallel_b = with_row(A, b, A[start[0]], 0.5)
    parallel = start.copy()
    parallel[1] = len(b)                                   # the same row as start[0]
    # e_r = y_0 e_1 + y_1 e_2 + y_2 e_3 + y_6 (1, 1, 1) / sqrt 3 (all with the norm column)
    # needs y_6 = 1 / (1 - sqrt 3) < 0
    diagonal_A, diagonal_b = with_row(A, b, np.ones(3) / np.sqrt(3), 1.0)
    infeasible = np.array([0, 1, 2, 6])
    assert solver.warm_chebyshev(A, b, Basis(singular), cap=CAP) is None
    assert solver.warm_chebyshev(parallel_A, parallel_b, Basis(parallel), cap=CAP) is None
    assert solver.warm_chebyshev(A, b, Basis(start[:3]), cap=CAP) is None
    assert solver.warm_chebyshev(diagonal_A, diagonal_b, Basis(infeasible), cap=CAP) is None
    assert solver.warm_chebyshev(A, b, None, cap=CAP) is None


@pytest.mark.parametrize("dim", [3, 10])
def test_stopping_below_a_radius_gives_a_bound_with_its_certificate(dim):
    """On an empty part the pivots may stop early: the radius they give bounds HiGHS's
    optimum from above, is below the threshold, and its duals add up to it."""
    solver = LPSolver()
    A, b = cube(dim)
    start = solver.chebyshev(A, b, cap=CAP).basis
    A, b = with_row(A, b, -np.ones(dim) / np.sqrt(dim), -np.sqrt(dim) - 0.5)
    early = solver.warm_chebyshev(A, b, start, cap=CAP, stop_below=-1e-3)
    optimum = solver.chebyshev(A, b, cap=CAP).radius
    assert optimum - 1e-9 <= early.radius < -1e-3
    norms = np.linalg.norm(A, axis=1)
    assert np.abs(early.duals @ A).max() < 1e-9
    assert early.duals @ norms + early.cap_dual == pytest.approx(1.0, abs=1e-9)
    assert early.duals @ b + early.cap_dual * CAP == pytest.approx(early.radius, abs=1e-9)


def scaled_box(lower: np.ndarray, upper: np.ndarray, scales: np.ndarray):
    """The box ``lower <= z <= upper`` as face rows with entries ``scales`` (2 dim,), upper
    faces first: rows of one nonzero entry of any size, as an exact rescaling leaves them."""
    dim = lower.size
    A = np.vstack([np.diag(scales[:dim]), -np.diag(scales[dim:])])
    return A, np.r_[scales[:dim] * upper, -scales[dim:] * lower]


def assert_inverse_of_basis(A, basis: Basis, faces: int):
    """The kept rows of the inverse (the radius's, and those of the coordinates no face row
    of the basis, among the ``faces`` leading rows of ``A``, pins) are those of the inverse
    of the basis rows ``[a_i | |a_i|]`` (-1: ``e_r``), by numpy's own inversion of them."""
    dim = A.shape[1]
    rows = [np.r_[np.zeros(dim), 1.0] if i < 0 else np.r_[A[i], np.linalg.norm(A[i])]
            for i in basis.rows]
    pinned = {int(np.flatnonzero(A[i])[0]) for i in basis.rows if 0 <= i < faces}
    kept = [j for j in range(dim + 1) if j not in pinned]
    assert len(kept) < dim + 1 or faces == 0
    assert np.allclose(basis.inverse[kept], np.linalg.inv(np.array(rows))[kept], atol=1e-8)


@pytest.mark.parametrize("dim", [3, 8, 64])
@pytest.mark.parametrize("seed", range(3))
def test_chains_of_cuts_of_thin_scaled_boxes_match_highs(dim, seed):
    """Boxes with face rows of any scale, some coordinates so thin that the ball touches
    both of their faces (two rows of one coordinate in the basis), cut down one branch;
    the axis rows given as the split engine gives them. Each answer matches HiGHS, and
    the inverse kept for the next LP is that of its basis."""
    from regions._simplex import leading_axes
    rng = np.random.default_rng(seed)
    lower = rng.uniform(-1.0, 1.0, dim)
    width = rng.uniform(0.5, 2.0, dim)
    width[rng.choice(dim, max(1, dim // 4), replace=False)] = rng.uniform(0.01, 0.1)
    A, b = scaled_box(lower, lower + width, rng.uniform(0.25, 4.0, 2 * dim))
    axis = leading_axes(A)
    solver = LPSolver()
    # HiGHS leaves the centre's free coordinates nonbasic here (no basis to start from): the
    # optimal basis, by hand, holds both faces of the thinnest coordinate (multipliers
    # 1 / (2 |entry|)) and a lower face of each other one (multiplier 0)
    thin = int(np.argmin(width))
    start = Basis(np.array([thin, dim + thin] + [dim + k for k in range(dim) if k != thin]))
    ball = solver.warm_chebyshev(A, b, start, cap=CAP, axis=axis)
    assert ball.radius == pytest.approx(solver.chebyshev(A, b, cap=CAP).radius, abs=1e-12)
    for _ in range(8):
        row = rng.normal(size=dim)
        row /= np.linalg.norm(row)
        A, b = with_row(A, b, row, row @ ball.center + rng.uniform(-0.2, 0.05))
        warm = solver.warm_chebyshev(A, b, ball.basis, cap=CAP, axis=axis)
        assert_matches_highs(solver, A, b, ball.basis)
        if warm.radius < 0.0:
            break
        assert_inverse_of_basis(A, warm.basis, 2 * dim)
        ball = warm


@pytest.mark.parametrize("dim", [2, 6])
def test_degenerate_cuts_of_a_thin_box_match_highs(dim):
    """A slab thinner in its first coordinate: cuts parallel to its faces (as later rows,
    not axis rows), through its corners, a sliver, and an empty side."""
    solver = LPSolver()
    upper = np.ones(dim)
    upper[0] = 0.1
    A, b = scaled_box(np.zeros(dim), upper, np.r_[np.full(dim, 2.0), np.full(dim, 0.5)])
    start = solver.chebyshev(A, b, cap=CAP).basis
    diagonal = np.ones(dim) / np.sqrt(dim)
    corner = upper @ diagonal
    e0 = np.eye(dim)[0]
    cuts = {
        "parallel to the thin faces, tighter": (e0, 0.05),
        "parallel to the thin faces, the same": (e0, 0.1),
        "parallel to a wide face": (np.eye(dim)[-1], 0.5),
        "through the origin corner": (diagonal, 0.0),
        "through the far corner": (-diagonal, -corner),
        "sliver at the thin face": (-e0, -(0.1 - 1e-9)),
        "empty side": (-diagonal, -corner - 0.5),
    }
    for name, (row, offset) in cuts.items():
        cut_A, cut_b = with_row(A, b, row, offset)
        warm = assert_matches_highs(solver, cut_A, cut_b, start)
        if warm.radius >= 0.0:
            assert_inverse_of_basis(cut_A, warm.basis, 2 * dim)
