"""Exact rational linear programs over ``{x : A x <= c}``, for the answers float LPs cannot certify.

The solver walks the vertices of the polyhedron (the primal simplex method in
inequality form) in exact arithmetic: python-flint integers and rationals make
every decision, with no tolerance anywhere. Inputs are converted exactly (a
float ``v`` becomes ``fmpq(*v.as_integer_ratio())``).

How it works:

- Each row of ``A`` (with its entry of ``c``) is scaled by a positive rational
  to a primitive integer vector. The polyhedron, the points and the rays are
  unchanged, and the inverse of a basis stays fraction-free: it is kept as its
  adjugate and determinant (integers), updated by one exact rank-one step per
  pivot.
- A basis has ``d`` positions; each holds a row of ``A`` or an artificial unit
  row. A walk starts at a feasible point with the rows tight there taken in,
  the rest artificial. Each artificial position is then left along its
  direction (never lowering the objective) until a row blocks, which takes its
  place (purification). A direction that no row of ``A`` sees lies in the
  lineality space: unbounded when the objective grows along it, else its
  position stays artificial. Then the simplex: at a basis whose duals are all
  ``>= 0`` the point is optimal; else a row with a negative dual leaves (the
  steepest edge) and the walk moves along the edge it frees to the first row
  that blocks (the lowest index on ties). After a degenerate pivot (one that
  did not move the point) Bland's rule picks the lowest row index to leave
  until the point moves again, which prevents cycling.
- A warm-start basis that is feasible and already optimal is certified by
  two exact linear solves (its vertex and its duals), without the adjugate.
- Phase 1, when the first point is infeasible: maximise ``-s`` over
  ``{A x - s <= c, s >= 0}`` from ``(start, largest violation)``, stopping at
  ``s = 0``.

Examples
--------
>>> r = maximize([[1, 1], [-1, 0], [0, -1]], [1, 0, 0], [2, 1])
>>> r.status, r.value, r.point, r.active
('optimal', 2, [1, 0], (0, 2))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from numbers import Integral, Rational

from flint import fmpq, fmpz, fmpz_mat

from .errors import RegionsError
from .exact_numbers import fraction

__all__ = ["ExactLPResult", "maximize", "interior_point", "compare_max", "balanced",
           "balanced_row"]

_ZERO = fmpq(0)
_ONE = fmpq(1)


@dataclass(frozen=True)
class ExactLPResult:
    """The exact answer of :func:`maximize`.

    Attributes
    ----------
    status : str
        ``"optimal"``, ``"unbounded"`` or ``"infeasible"``.
    value : fmpq or None
        The optimal value ``f . point + f0`` (``"optimal"`` only).
    point : list of fmpq, length d, or None
        An optimal point (``"optimal"``), a feasible point (``"unbounded"``),
        ``None`` (``"infeasible"``).
    ray : list of fmpq, length d, or None
        For ``"unbounded"``: a primitive integer direction with ``A ray <= 0``
        and ``f . ray > 0``; else ``None``.
    dual : list of fmpq, length m, or None
        The certificate of ``status``, with ``y >= 0``: for ``"optimal"``,
        ``A^T y = f`` and ``c . y + f0 = value`` (so no feasible point does
        better); for ``"infeasible"``, ``A^T y = 0`` and ``c . y = -1`` (Farkas:
        summing the rows with weights ``y`` gives ``0 <= -1``); ``None`` for
        ``"unbounded"``, whose certificate is ``point`` and ``ray``.
    active : tuple of int
        The final basis, sorted: ``d`` rows tight at ``point`` and linearly
        independent. Empty when the walk ended before a vertex: the
        polyhedron has lineality (``A`` has rank ``< d``), the problem is
        infeasible, or it was found unbounded on the way to the first vertex.
    pivots : int
        Basis exchanges of the walk, phase 1 included (setting up a
        warm-start basis, or taking in the rows tight at the first point,
        does not count).

    Examples
    --------
    >>> r = maximize([[1]], [3], [1])
    >>> r
    ExactLPResult(status='optimal', value=3, point=[3], ray=None, dual=[1], active=(0,), pivots=1)
    """

    status: str
    value: fmpq | None
    point: list | None
    ray: list | None
    dual: list | None
    active: tuple[int, ...]
    pivots: int


def maximize(A, c, f, f0=0, *, start=None, basis: Iterable[int] | None = None) -> ExactLPResult:
    """Maximise ``f . x + f0`` over ``{x in Q^d : A x <= c}`` (``x`` free), exactly.

    Parameters
    ----------
    A : array_like, shape (m, d)
        Constraint rows: an ``fmpq_mat``/``fmpz_mat``, nested lists of
        ``fmpq``/``fmpz``/``int``/``Fraction``/``float``, or a numpy array.
        ``m = 0`` is allowed (``[]`` or an array of shape ``(0, d)``).
    c : array_like, shape (m,)
        Right-hand sides.
    f : array_like, shape (d,)
        Objective; its length fixes ``d``.
    f0 : number, optional
        Constant added to the objective.
    start : array_like, shape (d,), optional
        A point to begin from; when infeasible, phase 1 begins there.
    basis : iterable of int, optional
        Warm start, e.g. the rows a float LP reports tight at its optimum.
        The first ``d`` linearly independent rows among them (in the order
        given) are used when they exist and their vertex is feasible; then
        the simplex starts there (usually 0 pivots). Otherwise the basis is
        ignored, except that its vertex, when there is one, begins phase 1
        if ``start`` is not given.

    Returns
    -------
    ExactLPResult

    Raises
    ------
    RegionsError
        On shapes that do not agree, non-finite floats, values that are not
        numbers, or a basis index outside ``range(m)``.

    Examples
    --------
    >>> maximize([[1, 0], [0, 1], [-1, -1]], [1, 1, 0], [1, 1]).value
    2
    >>> r = maximize([[-1, 0], [0, -1]], [0, 0], [1, 2])
    >>> r.status, r.ray
    ('unbounded', [0, 1])
    >>> r = maximize([[1], [-1]], [-1, 0], [1])
    >>> r.status, r.dual
    ('infeasible', [1, 1])
    >>> r = maximize([[1, 1], [-1, -1]], [1, 1], [1, 1], f0=0.5)   # lineality
    >>> r.value, r.active
    (3/2, ())
    >>> maximize([[1, 0], [0, 1], [-1, -1]], [1, 1, 0], [1, 1], basis=[0, 1]).pivots
    0
    """
    problem = _Problem.build(A, c, f, f0)
    outcome = _solve(problem.system, problem.start(start), problem.basis(basis))
    return problem.result(outcome)


def compare_max(A, c, f, f0=0, *, start=None, basis: Iterable[int] | None = None) -> int:
    """The sign of ``sup {f . x + f0 : A x <= c}``: ``-1``, ``0`` or ``+1`` (``+1`` when unbounded).

    Answers whether the hyperplane ``f . x + f0 = 0`` reaches into the open side
    ``f . x + f0 > 0`` of the polyhedron, and stops as soon as a feasible point
    there is found. Parameters as in :func:`maximize`.

    Returns
    -------
    int

    Raises
    ------
    RegionsError
        When the polyhedron is empty, or on bad input as :func:`maximize`.

    Examples
    --------
    >>> square = [[1, 0], [0, 1], [-1, 0], [0, -1]]
    >>> compare_max(square, [1, 1, 1, 1], [1, 1], -2)
    0
    >>> compare_max(square, [1, 1, 1, 1], [1, 1], -3)
    -1
    >>> compare_max(square, [1, 1, 1, 1], [1, 0], 0.5)
    1
    """
    problem = _Problem.build(A, c, f, f0)
    threshold = -problem.f0 * problem.system.objective_scale
    outcome = _solve(problem.system, problem.start(start), problem.basis(basis),
                     stop=lambda level: level > threshold)
    if outcome.status == "infeasible":
        raise RegionsError("compare_max: the polyhedron {x : A x <= c} is empty")
    if outcome.status in ("unbounded", "stopped"):
        return 1
    value = problem.value(outcome.point)
    return (value > 0) - (value < 0)


def balanced_row(row: list, lead: int | None = None) -> list:
    """The rationals ``row`` times the power of two that puts its largest entry (of its
    first ``lead`` entries; None: of all) in ``[1/2, 2)``: a positive multiple, exactly (a
    row of zeros as it is)."""
    sizes = [int(abs(v.p)).bit_length() - int(v.q).bit_length() for v in row[:lead]
             if v != 0]
    if not sizes:
        return list(row)
    shift = fmpq(2) ** -max(sizes)
    return [v * shift for v in row]


def balanced(rows: list, rhs: list) -> tuple[list, list]:
    """Each row and its right-hand side times the power of two that puts the row's largest
    entry in ``[1/2, 2)`` (:func:`balanced_row`): the same strict inequalities, with
    slacks comparable from row to row, so the point that maximises the least slack lies
    where the region's shape puts it, not its rows' scales (rows of 1e-400 put it near
    1e400, beyond float64)."""
    scaled = [balanced_row(list(row) + [b], lead=-1) for row, b in zip(rows, rhs)]
    return [row[:-1] for row in scaled], [row[-1] for row in scaled]


def interior_point(A, c, *, start=None) -> list | None:
    """A point ``x`` with ``A x < c`` in every row, or ``None`` when there is none.

    Solves ``max t`` subject to ``A x + t <= c``, ``t <= 1``: the interior is
    nonempty iff the optimum is positive, and then the optimal ``x`` is
    strictly inside.

    Parameters
    ----------
    A : array_like, shape (m, d)
        Constraint rows (any input :func:`maximize` takes).
    c : array_like, shape (m,)
        Right-hand sides.
    start : array_like, shape (d,), optional
        A point to begin from (any point will do; default the origin). Returned
        itself when it is strictly inside.

    Returns
    -------
    list of fmpq, length d, or None
        ``None`` when ``{x : A x < c}`` is empty (the polyhedron is empty or
        has no interior).

    Examples
    --------
    >>> interior_point([[1, 0], [0, 1], [-1, -1]], [1, 1, 0])
    [1/3, 1/3]
    >>> interior_point([[1], [-1]], [2, -2]) is None
    True
    """
    rows = _rational_rows(A)
    point = None if start is None else _rational_vector(start, "start")
    dim = _dimension(A, rows, None if point is None else len(point))
    rhs = _rational_vector(c, "c", len(rows))
    rows, rhs = balanced(rows, rhs)
    point = [_ZERO] * dim if point is None else point
    margin = min([_ONE] + [b - _dot(row, point) for row, b in zip(rows, rhs)])
    if margin > 0 and start is not None:
        return point
    lifted = _System.build([row + [_ONE] for row in rows] + [[_ZERO] * dim + [_ONE]],
                           rhs + [_ONE], [_ZERO] * dim + [_ONE])
    outcome = _solve(lifted, point + [margin], None)
    *inside, depth = outcome.point
    return inside if depth > 0 else None


# --- input ---------------------------------------------------------------------------------

def _rational(value) -> fmpq:
    """One number as an exact ``fmpq``; a float (or numpy float) keeps its exact binary value."""
    if not (isinstance(value, (fmpq, fmpz, Integral, Rational))
            or hasattr(value, "as_integer_ratio")):
        raise RegionsError(f"not a number: {value!r}")
    try:
        return fraction(value)
    except (OverflowError, ValueError):
        raise RegionsError(f"not a finite number: {value!r}") from None


def _as_list(values) -> list:
    """A flint matrix, numpy array or any iterable as a (nested) Python list."""
    if hasattr(values, "tolist"):
        return values.tolist()
    return list(values)


def _rational_vector(values, name: str, length: int | None = None) -> list:
    """A flat vector as a list of ``fmpq``, checked against the expected length."""
    if hasattr(values, "entries"):
        values = values.entries()
    vector = [_rational(v) for v in _as_list(values)]
    if length is not None and len(vector) != length:
        raise RegionsError(f"{name} has {len(vector)} entries where {length} are needed")
    return vector


def _rational_rows(A) -> list:
    """The rows of ``A`` as lists of ``fmpq`` (lengths checked by :func:`_dimension`)."""
    if hasattr(A, "ncols") and A.nrows() == 0:
        return []
    return [[_rational(v) for v in _as_list(row)] for row in _as_list(A)]


def _dimension(A, rows: list, length: int | None) -> int:
    """The number of variables: ``length`` (of ``f`` or ``start``) when given, else the
    width of ``A`` (known from its shape even without rows); every row must agree."""
    if length is None:
        if hasattr(A, "ncols"):
            length = A.ncols()
        elif getattr(A, "ndim", None) == 2:
            length = A.shape[1]
        elif rows:
            length = len(rows[0])
        else:
            raise RegionsError("no rows and no point: the dimension is unknown")
    if length == 0:
        raise RegionsError("there must be at least one variable")
    if any(len(row) != length for row in rows):
        raise RegionsError(f"every row of A must have {length} entries")
    return length


def _dot(u, v):
    return sum((a * b for a, b in zip(u, v)), _ZERO)


def _common_denominator(values: Iterable[fmpq]) -> fmpz:
    denominator = fmpz(1)
    for value in values:
        denominator = denominator.lcm(value.q)
    return denominator


def _integers(values: Sequence[fmpq], denominator: fmpz) -> list:
    """``values`` times ``denominator`` (a common denominator of theirs), as ``fmpz``."""
    return [v.p * (denominator // v.q) for v in values]


def _primitive(row: Sequence[fmpq]) -> tuple[list, fmpq]:
    """``row`` times a positive rational that makes it a primitive integer vector, and that factor."""
    denominator = _common_denominator(row)
    integers = _integers(row, denominator)
    divisor = fmpz(0)
    for v in integers:
        divisor = divisor.gcd(v)
    if divisor == 0:
        return integers, _ONE
    return [v // divisor for v in integers], fmpq(denominator, divisor)


# --- the integer system --------------------------------------------------------------------

@dataclass(frozen=True)
class _System:
    """``max objective . x`` over ``{x : rows x <= rhs}``: integer rows and objective, rational rhs.

    Row ``i`` and ``rhs[i]`` are the caller's times ``row_scales[i] > 0``; the
    objective is the caller's times the integer ``objective_scale > 0``.
    """

    rows: list
    matrix: fmpz_mat
    rhs: list
    objective: list
    objective_scale: fmpz
    row_scales: list

    @classmethod
    def build(cls, rows: list, rhs: list, objective: list) -> _System:
        """From rational rows, rhs and objective: each row made primitive, the objective integer."""
        scaled = [_primitive(row) for row in rows]
        scale = _common_denominator(objective)
        return cls.of_integers([row for row, _ in scaled],
                               [bound * factor for bound, (_, factor) in zip(rhs, scaled)],
                               _integers(objective, scale), scale, [factor for _, factor in scaled])

    @classmethod
    def of_integers(cls, rows: list, rhs: list, objective: list, scale=fmpz(1),
                    row_scales: list | None = None) -> _System:
        flat = [v for row in rows for v in row]
        return cls(rows, fmpz_mat(len(rows), len(objective), flat), rhs, objective, scale,
                   row_scales if row_scales is not None else [_ONE] * len(rows))

    @property
    def dim(self) -> int:
        return len(self.objective)

    def row(self, index: int) -> fmpz_mat:
        return fmpz_mat(1, self.dim, self.rows[index])

    def submatrix(self, indices: Sequence[int]) -> fmpz_mat:
        return fmpz_mat(len(indices), self.dim, [v for i in indices for v in self.rows[i]])

    def times(self, direction: Sequence) -> list:
        """``rows . direction`` for an integer direction, as a list of ``fmpz`` of length m."""
        return (self.matrix * fmpz_mat(self.dim, 1, direction)).entries()

    def independent(self, indices: Sequence[int]) -> list:
        """The rows among ``indices`` that are independent of the rows before them (at most d)."""
        if not indices:
            return []
        head = indices[:self.dim]
        if len(head) == self.dim and self.submatrix(head).det() != 0:
            return list(head)   # the usual warm start: a determinant is cheaper than an echelon form
        reduced, _, rank = self.submatrix(indices).transpose().rref()
        return [indices[j] for j in _pivot_columns(reduced, rank)]

    def phase_one(self) -> _System:
        """``max -s`` over ``{rows x - s <= rhs, -s <= 0}`` in the variables ``(x, s)``."""
        dim = self.dim
        rows = [list(row) + [-1] for row in self.rows] + [[0] * dim + [-1]]
        return _System.of_integers(rows, self.rhs + [_ZERO], [0] * dim + [-1], fmpz(1),
                                   self.row_scales + [_ONE])


def _pivot_columns(reduced: fmpz_mat, rank: int) -> list:
    """The pivot columns of a matrix in reduced row echelon form."""
    columns, j = [], 0
    for i in range(rank):
        while reduced[i, j] == 0:
            j += 1
        columns.append(j)
        j += 1
    return columns


# --- the basis ------------------------------------------------------------------------------

class _Basis:
    """A nonsingular ``d x d`` matrix ``M`` of basis rows, kept as ``adjugate(M)`` and ``det(M)``.

    Position ``k`` holds a row index of the system, or ``None`` for the
    artificial unit row ``e_k``. Column ``k`` of the adjugate is the direction
    that moves the row at position ``k`` and keeps every other basis row fixed.
    """

    def __init__(self, rows: list, adjugate: fmpz_mat, determinant: fmpz):
        self.rows = rows
        self.adjugate = adjugate
        self.determinant = determinant

    @classmethod
    def of_rows(cls, system: _System, indices: Sequence[int]) -> _Basis:
        """The basis of the independent rows ``indices``, each at one of its pivot
        columns, with unit rows at the other positions."""
        dim = system.dim
        rows = [None] * dim
        if len(indices) == dim:
            rows = list(indices)
        elif indices:
            reduced, _, rank = system.submatrix(indices).rref()
            for index, k in zip(indices, _pivot_columns(reduced, rank)):
                rows[k] = index
        matrix = [system.rows[i] if i is not None else _unit(k, dim) for k, i in enumerate(rows)]
        determinant = fmpz_mat(matrix).det()
        # [M | I] reduces to [den I | den M^-1] for some integer den: rescale to det(M).
        reduced, denominator, _ = fmpz_mat([list(row) + _unit(k, dim)
                                            for k, row in enumerate(matrix)]).rref()
        inverse = [reduced[i, dim + j] for i in range(dim) for j in range(dim)]
        return cls(rows, fmpz_mat(dim, dim, inverse) * determinant / denominator, determinant)

    @property
    def complete(self) -> bool:
        return None not in self.rows

    @property
    def sign(self) -> int:
        return 1 if self.determinant > 0 else -1

    def column(self, k: int) -> list:
        return [self.adjugate[i, k] for i in range(len(self.rows))]

    def products(self, row: fmpz_mat) -> list:
        """``row . adjugate``: entry ``k`` is ``det(M)`` times ``row``'s coordinate on basis row ``k``."""
        return (row * self.adjugate).entries()

    def exchange(self, k: int, index: int, row: fmpz_mat) -> None:
        """Put row ``index`` (``row``, independent of the other positions' rows) at position ``k``.

        With ``r = row . adj(M)``, the matrix determinant lemma gives ``det(M') = r_k``
        and Sherman-Morrison ``adj(M') = (r_k adj(M) - adj(M) e_k (r - det(M) e_k)) / det(M)``,
        an exact integer division.
        """
        dim = len(self.rows)
        products = self.products(row)
        pivot = products[k]
        products[k] -= self.determinant
        update = fmpz_mat(dim, 1, self.column(k)) * fmpz_mat(1, dim, products)
        self.adjugate = (self.adjugate * pivot - update) / self.determinant
        self.determinant = pivot
        self.rows[k] = index


def _unit(k: int, dim: int) -> list:
    return [int(i == k) for i in range(dim)]


# --- the walk -------------------------------------------------------------------------------

class _Walk:
    """A point of the system: the solution of ``M x = b`` for a basis ``M``, moved by exact pivots.

    ``b`` holds the rhs of the basis rows and, at an artificial position ``k``,
    the coordinate ``x_k`` (which the walk keeps until that position is left).
    Everything is kept over one integer denominator, ``scale * det(M)``:
    ``numerators`` (of the point) and ``slacks`` (of ``rhs - rows . x``); ``ray``
    is set when the walk ends unbounded.
    """

    def __init__(self, system: _System, basis: _Basis, bounds: Sequence[fmpq]):
        self.system = system
        self.basis = basis
        self.scale = _common_denominator(list(system.rhs) + list(bounds))
        self.rhs = fmpz_mat(len(system.rhs), 1, _integers(system.rhs, self.scale))
        self.bounds = _integers(bounds, self.scale)
        self.pivots = 0
        self.ray = None
        self.degenerate = False
        self._locate()

    @classmethod
    def at(cls, system: _System, point: Sequence[fmpq]) -> _Walk:
        """A walk at ``point`` with only artificial rows."""
        dim = system.dim
        identity = fmpz_mat([_unit(k, dim) for k in range(dim)])
        return cls(system, _Basis([None] * dim, identity, fmpz(1)), point)

    def with_tight_rows(self) -> _Walk:
        """The walk at the same point whose basis holds the independent rows tight there."""
        tight = self.system.independent([j for j, s in enumerate(self.slacks) if s == 0])
        if not tight:
            return self
        point = self.point
        basis = _Basis.of_rows(self.system, tight)
        return _Walk(self.system, basis, [self.system.rhs[i] if i is not None else point[k]
                                          for k, i in enumerate(basis.rows)])

    def _locate(self) -> None:
        located = self.basis.adjugate * fmpz_mat(len(self.bounds), 1, self.bounds)
        self.numerators = located.entries()
        self.slacks = (self.rhs * self.basis.determinant - self.system.matrix * located).entries()

    @property
    def point(self) -> list:
        denominator = self.scale * self.basis.determinant
        return [fmpq(v, denominator) for v in self.numerators]

    @property
    def level(self) -> fmpq:
        """``objective . point``."""
        return fmpq(sum(a * v for a, v in zip(self.system.objective, self.numerators)),
                    self.scale * self.basis.determinant)

    @property
    def feasible(self) -> bool:
        sign = self.basis.sign
        return all(sign * s >= 0 for s in self.slacks)

    def run(self, stop: Callable | None = None) -> str:
        """Walk to ``"optimal"`` or ``"unbounded"``, or ``"stopped"`` once ``stop(level)`` holds.

        The point must be feasible.
        """
        if stop is not None and stop(self.level):
            return "stopped"
        for k in range(self.system.dim):
            if self.basis.rows[k] is None:
                ended = self._leave_artificial(k, stop)
                if ended:
                    return ended
        while (k := self._leaving()) is not None:
            direction = [-self.basis.sign * v for v in self.basis.column(k)]
            ended = self._step(k, direction, self.system.times(direction), stop)
            if ended:
                return ended
        return "optimal"

    def dual(self) -> list:
        """Per row of the system, its weight in ``objective = sum_i y_i rows_i`` over the basis rows
        (zero off the basis; an artificial position left holds a lineality direction, so its weight
        is zero too)."""
        weights = self.basis.products(fmpz_mat(1, self.system.dim, self.system.objective))
        dual = [_ZERO] * len(self.system.rows)
        for k, index in enumerate(self.basis.rows):
            if index is not None:
                dual[index] = fmpq(weights[k], self.basis.determinant)
        return dual

    def _leave_artificial(self, k: int, stop) -> str | None:
        """Move along the direction that frees artificial position ``k`` to the first blocking row.

        The sign is chosen so that the objective does not decrease and, when it
        stays level, so that some row blocks. A direction no row sees is in the
        lineality space: the walk is unbounded along it, or the position stays.
        """
        direction = self.basis.column(k)
        seen = self.system.times(direction)
        gain = sum(a * v for a, v in zip(self.system.objective, direction))
        if not any(seen):
            if gain == 0:
                return None
            self.ray = direction if gain > 0 else [-v for v in direction]
            return "unbounded"
        if gain < 0 or (gain == 0 and max(seen) <= 0):
            direction, seen = [-v for v in direction], [-v for v in seen]
        return self._step(k, direction, seen, stop)

    def _leaving(self) -> int | None:
        """The position of a basis row with a negative dual (None when there is none: optimal).

        The duals are ``objective . adjugate / det``; an artificial position left
        after purification holds a lineality direction, orthogonal to the
        objective, so its dual is zero. The steepest edge is taken (the most
        objective gained per unit of distance), except right after a degenerate
        pivot: then Bland's rule (the lowest row index) until the point moves
        again, which prevents cycling.
        """
        duals = self.basis.products(fmpz_mat(1, self.system.dim, self.system.objective))
        sign = self.basis.sign
        candidates = [k for k, dual in enumerate(duals) if sign * dual < 0]
        if not candidates:
            return None
        if self.degenerate:
            return min(candidates, key=self.basis.rows.__getitem__)
        return self._steepest(candidates, duals)

    def _steepest(self, candidates: list, duals: list) -> int:
        """The candidate position ``k`` with the largest ``(f . u_k)^2 / |u_k|^2``, ``u_k`` its edge
        direction (column ``k`` of the adjugate, whose dot with the objective is ``duals[k]``)."""
        dim = self.system.dim
        columns = self.basis.adjugate.transpose().entries()
        best = best_gain = best_norm = None
        for k in candidates:
            gain = duals[k] * duals[k]
            norm = sum(v * v for v in columns[k * dim:(k + 1) * dim])
            if best is None or gain * best_norm > best_gain * norm:
                best, best_gain, best_norm = k, gain, norm
        return best

    def _step(self, k: int, direction: list, seen: list, stop) -> str | None:
        """Move along ``direction`` (``seen`` = rows . direction) to the first blocking row,
        which takes position ``k``."""
        index = self._ratio_test(seen)
        if index is None:
            self.ray = direction
            return "unbounded"
        self.degenerate = self.slacks[index] == 0
        self.basis.exchange(k, index, self.system.row(index))
        self.bounds[k] = self.rhs[index, 0]
        self.pivots += 1
        self._locate()
        if stop is not None and stop(self.level):
            return "stopped"
        return None

    def _ratio_test(self, seen: list) -> int | None:
        """The first row met along a direction; the lowest index on ties (Bland).

        The step to row ``j`` is ``slack_j / seen_j``. The slacks share the
        denominator ``scale * det``, so their numerators times the sign of
        ``det`` are compared, by cross-multiplication.
        """
        sign = self.basis.sign
        best = best_slack = best_rate = None
        for index, rate in enumerate(seen):
            if rate > 0:
                slack = sign * self.slacks[index]
                if best is None or slack * best_rate < best_slack * rate:
                    best, best_slack, best_rate = index, slack, rate
        return best


# --- driving the walk -----------------------------------------------------------------------

@dataclass(frozen=True)
class _Outcome:
    """How a solve ended, in the system's terms.

    ``status``: "optimal", "unbounded", "stopped" (``stop`` held at ``point``) or
    "infeasible". ``dual``: the weights of the system's rows that certify an
    optimum, or, when infeasible, Farkas weights (from phase 1). ``basis``: the
    final basis rows when complete, else ().
    """

    status: str
    pivots: int
    point: list | None = None
    ray: list | None = None
    dual: list | None = None
    basis: tuple = ()


def _solve(system: _System, start: list | None, basis: list | None, stop=None) -> _Outcome:
    """Solve from the warm-start vertex when it is feasible, else from ``start`` (or the origin),
    through phase 1 when that is infeasible."""
    rows = system.independent(basis) if basis is not None else []
    if len(rows) == system.dim:
        vertex = _vertex(system, rows)
        if _feasible(system, vertex):
            dual = _basis_dual(system, rows)
            if dual is not None:   # already optimal: certified without forming the adjugate
                return _Outcome("optimal", 0, vertex, dual=dual, basis=tuple(rows))
            walk = _Walk(system, _Basis.of_rows(system, rows), [system.rhs[i] for i in rows])
            return _walked(walk, stop)
        start = start if start is not None else vertex
    walk = _Walk.at(system, start if start is not None else [_ZERO] * system.dim)
    if walk.feasible:
        return _walked(walk.with_tight_rows(), stop)
    found, lifted = _phase_one(system, walk)
    if found is None:
        return _Outcome("infeasible", lifted.pivots, dual=lifted.dual()[:len(system.rows)])
    return _walked(found, stop, lifted.pivots)


def _walked(walk: _Walk, stop, pivots: int = 0) -> _Outcome:
    """Run ``walk`` (after ``pivots`` of phase 1) and say how it ended."""
    status = walk.run(stop)
    return _Outcome(status, pivots + walk.pivots, walk.point, walk.ray,
                    walk.dual() if status == "optimal" else None,
                    tuple(walk.basis.rows) if walk.basis.complete else ())


def _vertex(system: _System, rows: list) -> list:
    """The point where the d independent ``rows`` are tight (one exact linear solve)."""
    bounds = [system.rhs[i] for i in rows]
    scale = _common_denominator(bounds)
    solution = system.submatrix(rows).solve(fmpz_mat(len(rows), 1, _integers(bounds, scale)))
    return [v / scale for v in solution.entries()]


def _feasible(system: _System, point: list) -> bool:
    denominator = _common_denominator(point)
    values = system.times(_integers(point, denominator))
    return all(v <= bound * denominator for bound, v in zip(system.rhs, values))


def _basis_dual(system: _System, rows: list) -> list | None:
    """The weights ``y >= 0`` of the d independent ``rows`` with ``objective = sum y_i rows_i``
    (zero elsewhere), or None when a weight is negative."""
    weights = system.submatrix(rows).transpose().solve(
        fmpz_mat(len(rows), 1, system.objective)).entries()
    if any(y < 0 for y in weights):
        return None
    dual = [_ZERO] * len(system.rows)
    for index, y in zip(rows, weights):
        dual[index] = y
    return dual


def _phase_one(system: _System, infeasible: _Walk) -> tuple[_Walk | None, _Walk]:
    """Maximise ``-s`` over ``{A x - s <= c, s >= 0}`` from ``(point, largest violation)``, to ``s = 0``:
    a walk from the feasible point found, or None (infeasible); and phase 1's walk."""
    excess = fmpq(-min(infeasible.slacks), infeasible.scale)
    lifted = _Walk.at(system.phase_one(), infeasible.point + [excess]).with_tight_rows()
    lifted.run(stop=lambda level: level >= 0)
    if lifted.level < 0:
        return None, lifted
    return _Walk.at(system, lifted.point[:-1]).with_tight_rows(), lifted


# --- the caller's problem -------------------------------------------------------------------

@dataclass(frozen=True)
class _Problem:
    """The caller's problem in exact rationals, and its integer system."""

    f: list
    f0: fmpq
    rhs: list
    system: _System

    @classmethod
    def build(cls, A, c, f, f0) -> _Problem:
        rows = _rational_rows(A)
        objective = _rational_vector(f, "f")
        _dimension(A, rows, len(objective))
        rhs = _rational_vector(c, "c", len(rows))
        return cls(objective, _rational(f0), rhs, _System.build(rows, rhs, objective))

    def start(self, point) -> list | None:
        return None if point is None else _rational_vector(point, "start", len(self.f))

    def basis(self, indices) -> list | None:
        if indices is None:
            return None
        rows = list(indices)
        for index in rows:
            if not isinstance(index, Integral) or not 0 <= index < len(self.system.rows):
                raise RegionsError(f"basis index {index!r} is not a row index "
                                   f"(there are {len(self.system.rows)} rows)")
        return [int(index) for index in rows]

    def value(self, point: list) -> fmpq:
        return _dot(self.f, point) + self.f0

    def result(self, outcome: _Outcome) -> ExactLPResult:
        if outcome.status == "infeasible":
            return ExactLPResult("infeasible", None, None, None, self.farkas(outcome.dual), (),
                                 outcome.pivots)
        active = tuple(sorted(outcome.basis))
        if outcome.status == "unbounded":
            return ExactLPResult("unbounded", None, outcome.point, _primitive_ray(outcome.ray),
                                 None, active, outcome.pivots)
        dual = self.caller_weights(outcome.dual, self.system.objective_scale)
        return ExactLPResult("optimal", self.value(outcome.point), outcome.point, None, dual,
                             active, outcome.pivots)

    def caller_weights(self, dual: list, divisor) -> list:
        """Weights of the system's rows as weights of the caller's rows (over ``divisor``)."""
        return [y * scale / divisor for y, scale in zip(dual, self.system.row_scales)]

    def farkas(self, dual: list) -> list:
        """From phase 1's optimum ``-s < 0``: its dual on the rows ``A x - s <= c`` gives
        ``sum_i y_i a_i = 0`` and ``sum_i y_i c_i = -s``; normalised to ``c . y = -1``."""
        weights = self.caller_weights(dual, 1)
        total = -_dot(weights, self.rhs)
        return [y / total for y in weights]


def _primitive_ray(direction: list) -> list:
    divisor = fmpz(0)
    for v in direction:
        divisor = divisor.gcd(v)
    return [fmpq(v // divisor) for v in direction]
