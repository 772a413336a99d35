"""The HiGHS wrapper against scipy's linprog (an independent entry point) on hard small LPs."""

import numpy as np
import pytest
from scipy.optimize import linprog

from regions.lp import LPSolver

# A slab (rows 2 and 3 opposite) with free variables: HiGHS without presolve stops with
# status Unknown here; the solver must still return the optimum.
SLAB_A = np.array([
    [0.6189840189585046, -0.7750997066071438, 0.12680390014308449],
    [-0.7495768210882333, -0.5975934847268614, -0.2846341797804071],
    [0.9400107824448064, 0.1947438104326335, 0.28009744230478334],
    [-0.9400107824448064, -0.1947438104326335, -0.28009744230478334],
    [0.9465708358469832, 0.08911727037200676, 0.3099383242604668],
    [-0.9841042762526185, -0.13124598725833594, -0.11963805535821133]])
SLAB_C = np.array([0.04265539352965964, 0.4409817389407131, 0.1640125970136197,
                   0.6276452081474716, -0.4679234657560658, 0.5963023595201883])


def scipy_max(A, c, direction):
    result = linprog(-direction, A_ub=A, b_ub=c, bounds=[(None, None)] * A.shape[1],
                     method="highs")
    return np.inf if result.status == 3 else -result.fun  # status 3: unbounded


def test_maximize_on_slab_with_status_unknown():
    assert LPSolver().maximize(SLAB_A, SLAB_C, SLAB_A[5]) == pytest.approx(
        scipy_max(SLAB_A, SLAB_C, SLAB_A[5]), abs=1e-9)


@pytest.mark.parametrize("seed", range(20))
def test_chebyshev_and_maximize_match_scipy(seed):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(8, 3))
    A /= np.linalg.norm(A, axis=1)[:, None]
    c = rng.uniform(-0.2, 1.0, size=8)
    solver = LPSolver()
    ball = solver.chebyshev(A, c, cap=10.0)
    result = linprog(np.r_[0, 0, 0, -1.0], A_ub=np.c_[A, np.ones(8)], b_ub=c,
                     bounds=[(None, None)] * 3 + [(None, 10.0)], method="highs")
    assert ball.radius == pytest.approx(-result.fun, abs=1e-9)
    if ball.radius > 0:
        assert np.all(A @ ball.center + ball.radius <= c + 1e-9)
        direction = rng.normal(size=3)
        expected = scipy_max(A, c, direction)
        got = solver.maximize(A, c, direction)
        assert got == pytest.approx(expected, abs=1e-8) if np.isfinite(expected) else got == np.inf


def test_constructing_a_solver_prints_nothing(capfd):
    """HiGHS 1.16 prints a banner from its constructor; stdout must stay clean for --json."""
    LPSolver()
    out, _ = capfd.readouterr()
    assert out == ""
