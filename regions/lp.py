"""Linear programs through HiGHS (``highspy``), called directly with numpy arrays.

One :class:`LPSolver` holds one HiGHS instance and counts the LPs it solves.
Every LP here is over a polyhedron ``{z : A z <= c}`` in working coordinates
whose rows have unit norm (the enumeration keeps them normalised).
"""

from __future__ import annotations

from dataclasses import dataclass

import time

import highspy
import numpy as np

from ._core import chebyshev_columns
from .tolerances import RADIUS_CAP

_INF = highspy.kHighsInf
_COLWISE = int(highspy.MatrixFormat.kColwise)
_MAXIMIZE = int(highspy.ObjSense.kMaximize)
_OPTIMAL = highspy.HighsModelStatus.kOptimal
_INFEASIBLE = highspy.HighsModelStatus.kInfeasible
_DECIDED = (_OPTIMAL, _INFEASIBLE, highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible)


class LPError(RuntimeError):
    """HiGHS ended an LP with a status other than optimal or infeasible."""


@dataclass(frozen=True)
class Ball:
    """An inscribed ball: ``center`` (dim,), ``radius`` (negative when the polyhedron is empty)."""

    center: np.ndarray
    radius: float


class LPSolver:
    """A reusable HiGHS instance; ``count`` LPs solved so far, ``seconds`` spent in HiGHS."""

    def __init__(self):
        self._highs = highspy.Highs()
        self._highs.setOptionValue("output_flag", False)
        self._highs.setOptionValue("presolve", "off")
        self.count = 0
        self.seconds = 0.0

    def _run(self):
        started = time.perf_counter()
        h = self._highs
        h.run()
        status = h.getModelStatus()
        if status not in _DECIDED:
            # Without presolve, HiGHS's simplex occasionally stops with status Unknown on
            # small LPs with free columns that do have an optimum; a cold solve with
            # presolve on settles them.
            h.setOptionValue("presolve", "on")
            h.clearSolver()
            h.run()
            status = h.getModelStatus()
            h.setOptionValue("presolve", "off")
        self.seconds += time.perf_counter() - started
        self.count += 1
        return status

    def _solve(self, num_col, num_row, cost, col_lower, col_upper, row_upper, start, index, value):
        h = self._highs
        h.passModel(num_col, num_row, value.size, _COLWISE, _MAXIMIZE, 0.0,
                    cost, col_lower, col_upper, np.full(num_row, -_INF), row_upper,
                    start, index, value, np.zeros(num_col, dtype=np.int32))
        status = self._run()
        if status == _INFEASIBLE:
            return None
        if status != _OPTIMAL:
            raise LPError(f"HiGHS returned {h.modelStatusToString(status)}")
        return np.asarray(h.getSolution().col_value), h.getInfo().objective_function_value

    def chebyshev(self, A: np.ndarray, c: np.ndarray, cap: float = RADIUS_CAP) -> Ball:
        """Largest ball in ``{z : A z <= c}``, radius capped at ``cap``.

        ``A`` has shape (m, dim) with unit-norm rows, ``c`` shape (m,). The
        radius is negative when the polyhedron is empty (the LP itself is
        always feasible: the radius variable is bounded above by ``cap`` only,
        so a hyperplane arbitrarily far from the polyhedron still gives a
        finite negative radius).
        """
        m, dim = A.shape
        start, index, value = chebyshev_columns(A)
        cost = np.zeros(dim + 1)
        cost[dim] = 1.0
        lower = np.full(dim + 1, -_INF)
        upper = np.full(dim + 1, _INF)
        upper[dim] = cap
        x, radius = self._solve(dim + 1, m, cost, lower, upper,
                                np.ascontiguousarray(c, dtype=np.float64), start, index, value)
        return Ball(x[:dim], float(radius))

    def maximize(self, A: np.ndarray, c: np.ndarray, direction: np.ndarray) -> float:
        """``max direction . z`` over ``{A z <= c}``; ``inf`` if unbounded, ``-inf`` if empty."""
        m, dim = A.shape
        h = self._highs
        start, index, value = chebyshev_columns(A)
        # Drop the radius column: the first dim columns are A itself.
        start, index, value = start[:dim + 1], index[:start[dim]], value[:start[dim]]
        h.passModel(dim, m, value.size, _COLWISE, _MAXIMIZE, 0.0,
                    np.ascontiguousarray(direction, dtype=np.float64), np.full(dim, -_INF),
                    np.full(dim, _INF), np.full(m, -_INF),
                    np.ascontiguousarray(c, dtype=np.float64), start, index, value,
                    np.zeros(dim, dtype=np.int32))
        status = self._run()
        if status == _OPTIMAL:
            return float(h.getInfo().objective_function_value)
        if status == _INFEASIBLE:
            return -np.inf
        if status in (highspy.HighsModelStatus.kUnbounded,
                      highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return np.inf
        raise LPError(f"HiGHS returned {h.modelStatusToString(status)}")

    def minimize_coordinate(self, A: np.ndarray, c: np.ndarray, i: int, sense: float) -> float:
        """``min sense * z_i`` over ``{A z <= c}`` (``-inf`` when unbounded)."""
        direction = np.zeros(A.shape[1])
        direction[i] = -sense
        return -self.maximize(A, c, direction)
