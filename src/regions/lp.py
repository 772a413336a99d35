"""Linear programs through HiGHS (``highspy``), called directly with numpy arrays.

One :class:`LPSolver` holds one HiGHS instance and counts the LPs it solves.
Every LP here is over a polyhedron ``{z : A z <= c}`` in working coordinates
whose rows have unit norm (the enumeration keeps them normalised).
"""

from __future__ import annotations

import os
import sys
import time
from typing import NamedTuple

import highspy
import numpy as np

from ._simplex import chebyshev_dual
from .tolerances import RADIUS_CAP

__all__ = ["constraint_columns", "LPError", "Ball", "LPSolver"]

_INF = highspy.kHighsInf
_COLWISE = int(highspy.MatrixFormat.kColwise)
_MAXIMIZE = int(highspy.ObjSense.kMaximize)
_OPTIMAL = highspy.HighsModelStatus.kOptimal
_INFEASIBLE = highspy.HighsModelStatus.kInfeasible
#: Cold retries of an LP that ended with an undecided status: (option, value, default).
_RETRIES = (("presolve", "on", "off"), ("simplex_strategy", 4, 1))
_DECIDED = (_OPTIMAL, _INFEASIBLE, highspy.HighsModelStatus.kUnbounded,
            highspy.HighsModelStatus.kUnboundedOrInfeasible)
_BASIC = highspy.HighsBasisStatus.kBasic
_AT_UPPER = highspy.HighsBasisStatus.kUpper


def _silent_highs() -> highspy.Highs:
    """A HiGHS instance with its logging off.

    HiGHS 1.16 prints a banner to file descriptor 1 from its C++ constructor,
    before any option can be set; stdout must stay clean (``regions count
    --json`` prints JSON there), so fd 1 points at /dev/null while the
    constructor runs.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highs = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    highs.setOptionValue("output_flag", False)
    # HiGHS reads any bound beyond 1e20 as infinite; a breakpoint that far away is real
    highs.setOptionValue("infinite_bound", _INF)
    return highs


def constraint_columns(A: np.ndarray, with_norms: bool):
    """Column-wise sparse form of ``A`` (m, dim), or of ``[A | norms(A)]``, for HiGHS.

    The extra column of row norms is the radius column of the inscribed-ball
    LP. Returns ``(start, index, value)``: int32 arrays of length ``cols + 1``
    and ``m * cols``, and the float64 values column by column.
    """
    m = A.shape[0]
    if with_norms:
        A = np.column_stack([A, np.sqrt(np.einsum("ij,ij->i", A, A))])
    cols = A.shape[1]
    start = np.arange(0, m * cols + 1, max(m, 1), dtype=np.int32)[:cols + 1]
    if m == 0:
        start = np.zeros(cols + 1, dtype=np.int32)
    index = np.tile(np.arange(m, dtype=np.int32), cols)
    return start, index, np.ascontiguousarray(A.T).ravel()


class LPError(RuntimeError):
    """HiGHS ended an LP with a status other than optimal or infeasible."""


class Ball(NamedTuple):
    """An inscribed ball: ``center`` (dim,), ``radius`` (negative when the polyhedron is empty).

    ``duals`` (m,) and ``cap_dual`` are the LP's dual values (clipped at 0): ``duals @ A``
    is about 0, ``duals @ norms + cap_dual`` about 1, and ``duals @ b + cap_dual * cap``
    about ``radius``; :mod:`regions.predicates` turns them into a rigorous upper bound on
    the exact radius. ``basis``: the LP's final :class:`Basis` (optimal, unless the dual
    simplex stopped early on an empty polyhedron), a warm start for the LP of any
    polyhedron with more rows appended (:meth:`LPSolver.warm_chebyshev`); None when unknown.
    """

    center: np.ndarray
    radius: float
    duals: np.ndarray | None = None
    cap_dual: float = 0.0
    basis: "Basis | None" = None


class Basis(NamedTuple):
    """A basis of the inscribed-ball LP: ``rows`` (dim + 1,) the indices of the rows held
    at their bounds (-1: the radius at its cap), and the inverse (dim + 1, dim + 1) of
    their matrix ``[a_i | |a_i|]`` when known (None: the dual simplex computes it). Only
    the rows of the inverse that :func:`regions._simplex.chebyshev_dual` keeps hold it (the
    radius's, and those of the coordinates no leading axis row of the basis pins), so a
    basis is a start for LPs whose leading axis rows include its own (as the cells of one
    domain share theirs); any other start is caught by the solver's drift check or by the
    caller's certificates, which send the LP to a fresh inverse or to HiGHS."""

    rows: np.ndarray
    inverse: np.ndarray | None = None


class LPSolver:
    """A reusable HiGHS instance and the warm-started dual simplex; ``count`` LPs solved so
    far, ``seconds`` spent solving them."""

    def __init__(self):
        self._instance = None
        self.count = 0
        self.seconds = 0.0

    @property
    def _highs(self) -> highspy.Highs:
        """The HiGHS instance, made at the first LP (making one costs about 0.2 ms, and
        most vertex-engine runs solve no LP)."""
        if self._instance is None:
            self._instance = _silent_highs()
            self._instance.setOptionValue("presolve", "off")
        return self._instance

    def _run(self, decided=_DECIDED):
        started = time.perf_counter()
        h = self._highs
        h.run()
        status = h.getModelStatus()
        # Without presolve, HiGHS's dual simplex occasionally stops with status Unknown on
        # small LPs with free columns that do have an optimum, and on LPs whose right-hand
        # sides span many orders of magnitude (the faces of a box of half-width 1e12 beside
        # hyperplanes near the origin); cold solves with presolve on, then with the primal
        # simplex, settle them.
        for option, value, default in _RETRIES:
            if status in decided:
                break
            h.setOptionValue(option, value)
            h.clearSolver()
            h.run()
            status = h.getModelStatus()
            h.setOptionValue(option, default)
        self.seconds += time.perf_counter() - started
        self.count += 1
        return status

    def _maximize(self, A, c, cost, upper, with_norms: bool, decided=_DECIDED):
        """Solve ``max cost . v`` s.t. ``[A | norms(A)?] v <= c``, ``v <= upper``; return the
        status (retried cold while it is not one of ``decided``)."""
        m, cols = A.shape[0], cost.size
        start, index, value = constraint_columns(A, with_norms)
        self._highs.passModel(cols, m, value.size, _COLWISE, _MAXIMIZE, 0.0,
                              cost, np.full(cols, -_INF), upper, np.full(m, -_INF),
                              np.ascontiguousarray(c, dtype=np.float64), start, index, value,
                              np.zeros(cols, dtype=np.int32))
        return self._run(decided)

    def _failure(self, status) -> LPError:
        return LPError(f"HiGHS returned {self._highs.modelStatusToString(status)}")

    def chebyshev(self, A: np.ndarray, c: np.ndarray, cap: float = RADIUS_CAP) -> Ball:
        """Largest ball in ``{z : A z <= c}``, radius capped at ``cap``.

        ``A`` has shape (m, dim) with unit-norm rows, ``c`` shape (m,). The
        radius is negative when the polyhedron is empty (the LP itself is
        always feasible: the radius variable is bounded above by ``cap`` only,
        so a hyperplane arbitrarily far from the polyhedron still gives a
        finite negative radius).
        """
        dim = A.shape[1]
        cost = np.zeros(dim + 1)
        cost[dim] = 1.0
        upper = np.full(dim + 1, _INF)
        upper[dim] = cap
        # always feasible and bounded: any other status is HiGHS's numerical trouble
        status = self._maximize(A, c, cost, upper, with_norms=True, decided=(_OPTIMAL,))
        if status != _OPTIMAL:
            raise self._failure(status)
        solution = self._highs.getSolution()
        x = np.asarray(solution.col_value)
        duals = np.maximum(np.asarray(solution.row_dual), 0.0)
        return Ball(x[:dim], float(self._highs.getInfo().objective_function_value), duals,
                    abs(float(solution.col_dual[dim])), self._chebyshev_basis(dim))

    def _chebyshev_basis(self, dim: int) -> Basis | None:
        """The optimal basis of the inscribed-ball LP just solved, as the rows it holds at
        their bounds (-1: the radius at its cap); None when a centre coordinate is nonbasic
        (an unbounded or degenerate polyhedron), which no dual simplex start can express."""
        status = self._highs.getBasis()
        if not status.valid or any(s != _BASIC for s in status.col_status[:dim]):
            return None
        rows = [i for i, s in enumerate(status.row_status) if s != _BASIC]
        if status.col_status[dim] == _AT_UPPER:
            rows.append(-1)
        return Basis(np.array(rows, dtype=np.int64)) if len(rows) == dim + 1 else None

    def warm_chebyshev(self, A: np.ndarray, c: np.ndarray, basis: Basis | None,
                       cap: float = RADIUS_CAP, stop_below: float = -np.inf,
                       axis: np.ndarray | None = None) -> Ball | None:
        """:meth:`chebyshev` by dense dual simplex pivots from ``basis``, a dual feasible
        basis (the optimal one of a polyhedron whose rows ``A`` extends); None when there is
        no basis or the pivots fail (then HiGHS must solve it). A proposal, like HiGHS's.
        Once a basis bounds the radius below ``stop_below`` (negative: the polyhedron is
        empty), the pivots stop: that ball's radius is the bound and its duals prove it.
        ``axis``: the coordinates of the leading rows of ``A`` that are axis rows, when known
        (:func:`regions._simplex.leading_axes`)."""
        if basis is None:
            return None
        started = time.perf_counter()
        solution = chebyshev_dual(np.ascontiguousarray(A, dtype=np.float64),
                                  np.ascontiguousarray(c, dtype=np.float64), cap, basis.rows,
                                  basis.inverse, stop_below, axis=axis)
        self.seconds += time.perf_counter() - started
        self.count += 1
        if solution is None:
            return None
        center, radius, duals, cap_dual, rows, inverse = solution
        return Ball(center, radius, duals, cap_dual, Basis(rows, inverse))

    def proposal(self, A: np.ndarray, c: np.ndarray, cap: float = RADIUS_CAP) -> Ball:
        """:meth:`chebyshev` where its answer is only a proposal that exact arithmetic
        checks: when HiGHS fails on the LP (numerical trouble on extreme inputs, such as
        breakpoints 1e12 away beside others near the origin), a ball of radius NaN at the
        origin, which proves nothing, so the caller's exact path decides."""
        try:
            return self.chebyshev(A, c, cap)
        except LPError:
            return Ball(np.zeros(A.shape[1]), float("nan"))

    def maximize(self, A: np.ndarray, c: np.ndarray, direction: np.ndarray) -> float:
        """``max direction . z`` over ``{A z <= c}``; ``inf`` if unbounded, ``-inf`` if empty."""
        dim = A.shape[1]
        status = self._maximize(A, c, np.ascontiguousarray(direction, dtype=np.float64),
                                np.full(dim, _INF), with_norms=False)
        if status == _OPTIMAL:
            return float(self._highs.getInfo().objective_function_value)
        if status == _INFEASIBLE:
            return -np.inf
        if status in (highspy.HighsModelStatus.kUnbounded,
                      highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return np.inf
        raise self._failure(status)

    def maximizer(self, A: np.ndarray, c: np.ndarray,
                  direction: np.ndarray) -> tuple[float, np.ndarray | None]:
        """``(max direction . z, a point attaining it)`` over ``{A z <= c}``; ``(inf, None)``
        if unbounded, ``(-inf, None)`` if empty."""
        value = self.maximize(A, c, direction)
        if not np.isfinite(value):
            return value, None
        return value, np.asarray(self._highs.getSolution().col_value)[:A.shape[1]].copy()

    def row_duals(self) -> np.ndarray:
        """The row duals of the last LP solved (m,): proposals, e.g. the support of a dual
        certificate that exact arithmetic checks."""
        return np.asarray(self._highs.getSolution().row_dual, dtype=np.float64).copy()

    def minimize_coordinate(self, A: np.ndarray, c: np.ndarray, i: int, sense: float) -> float:
        """``min sense * z_i`` over ``{A z <= c}`` (``-inf`` when unbounded)."""
        direction = np.zeros(A.shape[1])
        direction[i] = -sense
        return -self.maximize(A, c, direction)
