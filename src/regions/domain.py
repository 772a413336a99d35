"""Domains: where regions are enumerated.

A domain is a convex polyhedron in *working coordinates* ``z`` of dimension
``dim``, ``{z : A z <= b}``, together with an affine embedding into input
space, ``x = origin + basis @ z``. For full-dimensional domains (all of R^n, a
box, a polytope) the embedding is the identity. For slices (a plane through
three points, a line or a segment through two) the embedding passes exactly
through the given points: its basis is an exact rational matrix
(:meth:`Domain.exact_basis`) whose columns lie exactly in the slice and are
orthonormal up to rounding; ``basis`` holds them rounded to float64, and every
engine carries the rounding's bound (:meth:`Domain.basis_error`) into its
predicates, deciding on the exact basis. Distances in slice coordinates are
therefore those of input space (up to rounding), and the network restricted to
the slice is the network with its first layer precomposed with the embedding.

A slice's first column is the exact difference ``p1 - p0`` divided by its length
``L`` rounded to float64 (a rational, not a float), so slice coordinate ``L`` is
exactly ``p1``: a segment is exactly the set between its two points, its ends the
rows ``t >= 0`` and ``t <= L`` of float64 numbers. A plane's second column is
``p2 - p0`` minus its exact orthogonal projection on ``p1 - p0``, divided by its norm
(a dyadic rational within rounding of it): exactly orthogonal to the first.

Every number that defines a domain (box bounds, polytope rows, slice points) is
a float64, hence an exact rational, and the enumeration treats it so: no
tolerance enters the definition of a domain.

Build domains with :func:`whole_space`, :func:`box`, :func:`polytope`,
:func:`plane`, :func:`line` and :func:`segment`. A domain whose dimension
depends on the network (``whole_space()``, ``box(-1, 1)`` with scalar bounds)
is resolved by :meth:`Domain.resolve` when enumeration starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from flint import fmpq, fmpq_mat

from .errors import DomainError
from .exact_numbers import float_of, float_outward, fraction
from . import lp_exact
from .lp import Ball, LPError, LPSolver
from .network import Network
from .rounding import certified_signs, rounded_rows_error, strict_slack
from .tolerances import UNITS_RADIUS_CAP

__all__ = ["Domain", "is_box", "tolerance_scale", "resolve", "AnyDimension", "whole_space", "box",
           "polytope", "plane", "line", "segment", "inscribed_ball",
           "power_of_two_unit"]


@dataclass(frozen=True)
class Domain:
    """A convex polyhedral domain, possibly an affine slice of input space.

    Attributes
    ----------
    kind : str
        ``"whole"``, ``"box"``, ``"polytope"``, ``"plane"``, ``"line"`` or ``"segment"``.
    A : ndarray, shape (m, dim)
        Constraint rows in working coordinates, exactly as given (a box's rows are
        signed unit axes; a polytope's rows are the user's, zero rows dropped).
    b : ndarray, shape (m,)
        Right-hand sides: the domain is ``A z <= b`` (as a region's ``A z <= b``).
    origin : ndarray, shape (n,)
        Input-space point of working coordinate ``z = 0``.
    basis : ndarray, shape (n, dim)
        Embedding ``x = origin + basis @ z`` (identity for full-dimensional domains),
        rounded to float64 for slices (see :meth:`exact_basis`).
    lower, upper : ndarray, shape (dim,)
        Bounding box of the domain in working coordinates (``-inf``/``inf`` where unbounded).
    rational_basis : tuple of tuple of Fraction, or None
        The exact basis of a slice, row by row; None when ``basis`` is exact.

    Examples
    --------
    >>> import regions
    >>> square = regions.box(-1, 1).resolve(2)
    >>> square.kind, square.dim, square.is_bounded, square.A.shape
    ('box', 2, True, (4, 2))
    """

    kind: str
    A: np.ndarray
    b: np.ndarray
    origin: np.ndarray
    basis: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    rational_basis: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def dim(self) -> int:
        """Dimension of the working coordinates."""
        return self.basis.shape[1]

    @property
    def input_dim(self) -> int:
        return self.basis.shape[0]

    @property
    def is_bounded(self) -> bool:
        # in Python floats: a run asks it often, of a few numbers
        return (all(map(math.isfinite, self.lower.tolist()))
                and all(map(math.isfinite, self.upper.tolist())))

    def exact_basis(self):
        """The embedding's basis as an exact ``flint.fmpq_mat`` (n, dim): for a slice, the
        exact direction(s) divided exactly by their lengths rounded to float64.

        >>> line([0.0, 0.0], [2.0, 0.0]).exact_basis().tolist()
        [[1], [0]]
        """
        values = (self.basis if self.rational_basis is None
                  else np.array(self.rational_basis, dtype=object))
        n, dim = values.shape
        return fmpq_mat(n, dim, [fmpq(*Fraction(v).as_integer_ratio()) for v in values.ravel()])

    def basis_error(self) -> np.ndarray:
        """Bound on the error of each row of the float ``[basis | origin]`` (n,) against the
        exact embedding: zero unless a slice's rational basis was rounded
        (``regions.rounding.rounded_rows_error``, subnormal entries included)."""
        if self.rational_basis is None:
            return np.zeros(self.input_dim)
        return rounded_rows_error(self.basis)

    def scaled(self, scale: float) -> "Domain":
        """The same domain in working coordinates divided by ``scale`` (a power of two, so
        the rescaled domain is exactly the same set)."""
        rational = None if self.rational_basis is None else tuple(
            tuple(v * Fraction(scale) for v in row) for row in self.rational_basis)
        return Domain(self.kind, self.A, self.b / scale, self.origin, self.basis * scale,
                      self.lower / scale, self.upper / scale, rational)

    def within(self, lo: float, hi: float) -> "Domain":
        """All of R^n, or a slice without bounds, restricted to the box ``[lo, hi]`` of its
        coordinates (the same origin and exact basis).

        >>> plane([0, 0, 0], [1, 0, 0], [0, 1, 0]).within(-1, 1).upper
        array([1., 1.])
        """
        if self.A.shape[0]:
            raise DomainError(f"a {self.kind} domain with faces has its own bounds")
        if self.rational_basis is None:
            return box(np.full(self.dim, float(lo)), np.full(self.dim, float(hi)))
        columns = [[row[j] for row in self.rational_basis] for j in range(self.dim)]
        return _slice(self.kind, self.origin, columns, lo, hi)

    def to_input(self, z) -> np.ndarray:
        """Map working coordinates ``(..., dim)`` to input coordinates ``(..., n)``."""
        return np.asarray(z, dtype=np.float64) @ self.basis.T + self.origin

    def resolve(self, input_dim: int) -> "Domain":
        """Return this domain checked against a network with ``input_dim`` inputs."""
        if self.input_dim != input_dim:
            raise DomainError(
                f"{self.kind} domain lives in R^{self.input_dim} but the network has "
                f"{input_dim} inputs")
        return self

    def contains(self, z) -> np.ndarray:
        """Whether working-coordinate points ``(k, dim)`` satisfy ``A z <= b``, exactly
        (float64 with an error bound, rationals where it cannot decide); (k,) bool."""
        z = np.atleast_2d(np.asarray(z, dtype=np.float64))
        finite = np.all(np.isfinite(z), axis=1)
        signs, _ = certified_signs(self.A, -self.b, np.zeros(len(self.b)), np.where(
            finite[:, None], z, 0.0))
        inside = finite & np.all(signs < 0, axis=1)
        for k in np.flatnonzero(finite & ~inside & ~np.any(signs > 0, axis=1)):
            point = [Fraction(v) for v in z[k]]
            inside[k] = all(sum((Fraction(a) * x for a, x in zip(row, point)), Fraction(0))
                            <= Fraction(c) for row, c in zip(self.A, self.b))
        return inside


def is_box(domain: Domain) -> bool:
    """Whether ``domain`` is exactly its bounding box: bounded, every row a signed unit
    axis at a face of the box (a box, or a polytope or slice bounds written as one)."""
    if not domain.is_bounded:
        return False
    for row, c in zip(domain.A, domain.b):
        axis = np.flatnonzero(row)
        if axis.size != 1 or abs(row[axis[0]]) != 1.0:
            return False
        i = axis[0]
        if not c == (domain.upper[i] if row[i] > 0 else -domain.lower[i]):
            return False
    return True


def tolerance_scale(domain: Domain) -> float:
    """The unit in which thin regions are measured on ``domain`` (see ``regions.tolerances``).

    The power of two at or just above half the longest side of the domain's
    bounding box when that is below 1 (a small domain is a zoom), else 1. A
    power of two, so dividing coordinates by it is exact.

    >>> tolerance_scale(box(-1e-3, 1e-3).resolve(2)), tolerance_scale(box(-1e8, 1e8).resolve(2))
    (0.001953125, 1.0)
    """
    if not domain.is_bounded:
        return 1.0
    half = float(np.max(domain.upper - domain.lower)) / 2.0
    if half >= 1.0:
        return 1.0
    mantissa, exponent = math.frexp(half)
    return math.ldexp(1.0, exponent - 1) if mantissa == 0.5 else math.ldexp(1.0, exponent)


def resolve(domain, network: Network) -> Domain:
    """``domain`` (``None``: all of R^n) resolved and checked against ``network``'s inputs.

    Raises ``TypeError`` when ``network`` is not a :class:`regions.Network`
    and :class:`DomainError` when the dimensions disagree.
    """
    if not isinstance(network, Network):
        raise TypeError(f"expected a regions.Network, got {type(network).__name__}")
    return (whole_space() if domain is None else domain).resolve(network.input_dim)


@dataclass(frozen=True)
class AnyDimension:
    """A domain whose dimension is taken from the network: ``whole_space()`` and
    ``box(lo, hi)`` with scalar bounds. :meth:`resolve` gives the :class:`Domain`.

    >>> box(-1, 1)
    AnyDimension(kind='box', lo=-1.0, hi=1.0)
    >>> box(-1, 1).resolve(2).upper
    array([1., 1.])
    """

    kind: str
    lo: float = 0.0
    hi: float = 0.0

    def resolve(self, input_dim: int) -> Domain:
        """The domain in R^input_dim."""
        if self.kind == "whole":
            return whole_space(input_dim)
        return box(np.full(input_dim, self.lo), np.full(input_dim, self.hi))


def _vector(value, name: str) -> np.ndarray:
    try:
        v = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise DomainError(f"{name} is not numeric") from None
    if v.ndim != 1 or v.size == 0:
        raise DomainError(f"{name} must be a non-empty 1-D array, got shape {v.shape}")
    if not np.all(np.isfinite(v)):
        raise DomainError(f"{name} has NaN or infinite entries")
    return v


def _identity(n: int, kind: str, A, c, lower, upper) -> Domain:
    return Domain(kind, A, c, np.zeros(n), np.eye(n), lower, upper)


def whole_space(n: int | None = None):
    """All of R^n (the default domain; what the theoretical bounds count).

    With ``n=None`` the dimension is taken from the network.

    >>> space = whole_space(3)
    >>> space.dim, space.is_bounded
    (3, False)
    """
    if n is None:
        return AnyDimension("whole")
    n = int(n)
    if n < 1:
        raise DomainError(f"dimension must be positive, got {n}")
    return _identity(n, "whole", np.zeros((0, n)), np.zeros(0),
                     np.full(n, -np.inf), np.full(n, np.inf))


def box(lo, hi):
    """The box ``[lo, hi]`` (per-coordinate arrays, or scalars for ``[lo, hi]^n``).

    Raises :class:`DomainError` when some ``lo_i >= hi_i`` (empty or flat box).

    >>> box([-1, 0], [1, 2]).resolve(2).upper
    array([1., 2.])
    >>> box(-1, 1).resolve(3).dim
    3
    """
    if np.ndim(lo) == 0 and np.ndim(hi) == 0:
        lo_f, hi_f = float(lo), float(hi)
        if not (np.isfinite(lo_f) and np.isfinite(hi_f)):
            raise DomainError("box bounds must be finite")
        if not lo_f < hi_f:
            raise DomainError(f"empty box: lo={lo_f} is not below hi={hi_f}")
        return AnyDimension("box", lo_f, hi_f)
    lo_v, hi_v = _vector(lo, "box lo"), _vector(hi, "box hi")
    if lo_v.shape != hi_v.shape:
        if lo_v.size == 1 or hi_v.size == 1:
            lo_v, hi_v = np.broadcast_arrays(lo_v, hi_v)
        else:
            raise DomainError(f"box lo and hi differ in length: {lo_v.size} vs {hi_v.size}")
    bad = np.flatnonzero(~(lo_v < hi_v))
    if bad.size:
        i = int(bad[0])
        raise DomainError(f"empty box: coordinate {i} has lo={lo_v[i]} not below hi={hi_v[i]}")
    n = lo_v.size
    eye = np.eye(n)
    A = np.vstack([eye, -eye])
    c = np.concatenate([hi_v, -lo_v])
    return _identity(n, "box", A, c, lo_v.copy(), hi_v.copy())


def polytope(A, c) -> Domain:
    """The polyhedron ``{x : A x <= c}`` (need not be bounded).

    Raises :class:`DomainError` when it is empty or has no interior (decided exactly). Its
    bounding box (``lower``, ``upper``) is proved and rounded outward; a bound beyond
    float64's range (about 1.8e308) is infinite, so such a polytope counts as unbounded.

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> triangle = regions.polytope([[-1.0, 0.0], [0.0, -1.0], [1.0, 1.0]], [0.0, 0.0, 1.0])
    >>> triangle.kind, triangle.is_bounded, len(regions.enumerate_regions(net, triangle))
    ('polytope', True, 1)
    """
    A = np.asarray(A, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    if A.ndim != 2 or c.ndim != 1 or A.shape[0] != c.shape[0] or A.shape[1] == 0:
        raise DomainError(f"polytope needs A of shape (m, n) and c of shape (m,), got "
                          f"{A.shape} and {c.shape}")
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(c))):
        raise DomainError("polytope has NaN or infinite entries")
    A, c = _drop_zero_rows(A, c)
    n = A.shape[1]
    lower, upper = _bounding_box(A, c)
    return _identity(n, "polytope", A, c, lower, upper)


def plane(p0, p1, p2, lo=None, hi=None) -> Domain:
    """The 2-D plane through three points, in orthonormal slice coordinates.

    Slice coordinates ``(u, v)`` have origin ``p0``; ``u`` points towards
    ``p1`` and ``v`` lies in the plane, orthogonal to ``u``, towards ``p2``.
    The plane passes exactly through the three points (its exact basis is
    rational, :meth:`Domain.exact_basis`; orthonormal up to rounding), ``p1``
    exactly at ``(L, 0)`` with ``L`` the length ``|p1 - p0|`` rounded to float64.
    With ``lo``/``hi`` (scalars or length-2) the slice is restricted to the box
    ``[lo, hi]`` in slice coordinates, exactly: its corners and edges are those
    of the exact basis; otherwise it is the whole plane.
    Raises :class:`DomainError` when the points are exactly collinear.

    >>> square = plane([0, 0, 0], [1, 0, 0], [0, 1, 0], lo=-1, hi=1)
    >>> square.dim, square.to_input([0.5, 0.25])
    (2, array([0.5 , 0.25, 0.  ]))
    """
    p0, p1, p2 = (_vector(p, f"plane point {i}") for i, p in enumerate((p0, p1, p2)))
    if not p0.shape == p1.shape == p2.shape:
        raise DomainError("plane points must have the same dimension")
    if p0.size < 2:
        raise DomainError(f"a plane needs an input space of at least 2 dimensions, got "
                          f"points of {p0.size} coordinate: slice R^1 with a line or segment")
    first = _difference(p1, p0)
    if not any(first):
        raise DomainError("plane points are collinear (the first two coincide)")
    u = _divided(first, _length(first))
    rest = _rejection(_difference(p2, p0), first)
    if not any(rest):
        raise DomainError("plane points are collinear")
    v = _divided(rest, _norm(rest))
    return _slice("plane", p0, [u, v], lo, hi)


def line(p0, p1) -> Domain:
    """The whole line through two points; slice coordinate 0 at ``p0``, unit speed towards
    ``p1`` (up to rounding; the line passes exactly through both points, ``p1`` exactly at
    the length ``|p1 - p0|`` rounded to float64).

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> diagonal = regions.line([-1.0, -1.0], [1.0, 1.0])
    >>> diagonal.dim, len(regions.enumerate_regions(net, diagonal))
    (1, 2)
    """
    p0, p1 = _vector(p0, "line point 0"), _vector(p1, "line point 1")
    if p0.shape != p1.shape:
        raise DomainError("line points must have the same dimension")
    direction = _difference(p1, p0)
    if not any(direction):
        raise DomainError("line points coincide")
    return _slice("line", p0, [_divided(direction, _length(direction))], None, None)


def segment(p0, p1) -> Domain:
    """The segment from ``p0`` to ``p1``, exactly: slice coordinate ``t`` in ``[0, L]`` with
    ``L`` the length ``|p1 - p0|`` rounded to float64, at the exact speed ``(p1 - p0) / L``
    (unit up to rounding), so ``t = 0`` is exactly ``p0`` and ``t = L`` exactly ``p1``.

    >>> segment([0, 0], [3, 4]).upper
    array([5.])
    >>> from flint import fmpq
    >>> (segment([0, 0], [1, 0.75]).exact_basis() * fmpq(5, 4)).tolist()
    [[1], [3/4]]
    """
    p0, p1 = _vector(p0, "segment point 0"), _vector(p1, "segment point 1")
    if p0.shape != p1.shape:
        raise DomainError("segment points must have the same dimension")
    direction = _difference(p1, p0)
    if not any(direction):
        raise DomainError("segment points coincide")
    length = _length(direction)
    return _slice("segment", p0, [_divided(direction, length)], 0.0, length)


def _slice(kind: str, origin: np.ndarray, columns: list, lo, hi) -> Domain:
    """A slice through ``origin`` spanned by the exact rational ``columns``."""
    k = len(columns)
    rational = tuple(tuple(column[i] for column in columns) for i in range(origin.size))
    basis = np.array([[float(v) for v in row] for row in rational])
    if lo is None and hi is None:
        return Domain(kind, np.zeros((0, k)), np.zeros(0), origin, basis,
                      np.full(k, -np.inf), np.full(k, np.inf), rational)
    if lo is None or hi is None:
        raise DomainError("give both lo and hi to bound a slice")
    bounds = box(np.broadcast_to(np.asarray(lo, float), (k,)),
                 np.broadcast_to(np.asarray(hi, float), (k,)))
    return Domain(kind, bounds.A, bounds.b, origin, basis, bounds.lower, bounds.upper, rational)


def _difference(p: np.ndarray, q: np.ndarray) -> list:
    """``p - q`` exactly, as Fractions."""
    return [Fraction(float(a)) - Fraction(float(b)) for a, b in zip(p, q)]


def _floats(vector: list) -> np.ndarray:
    return np.array([float(v) for v in vector])


def _norm(vector: list) -> Fraction:
    """The Euclidean norm of an exact non-zero vector to within a few units in the last
    place of float64, as a dyadic rational: computed on the vector scaled exactly by a power
    of two, so that nothing overflows or underflows."""
    biggest = max(abs(v) for v in vector)
    shift = biggest.numerator.bit_length() - biggest.denominator.bit_length()
    scale = Fraction(2) ** shift
    return Fraction(float(np.linalg.norm(_floats([v / scale for v in vector])))) * scale


def _length(vector: list) -> float:
    """:func:`_norm` rounded to a positive float64 (a segment's or line's length, the unit
    of a plane's first coordinate); DomainError when float64 has no such number."""
    try:
        length = float(_norm(vector))
    except OverflowError:
        length = math.inf
    if not 0.0 < length < math.inf:
        raise DomainError("the distance between the points is beyond the range of float64")
    return length


def _rejection(vector: list, onto: list) -> list:
    """``vector`` minus its exact orthogonal projection on the exact non-zero ``onto``:
    exactly orthogonal to it, and zero exactly when the two are linearly dependent."""
    along = sum(a * b for a, b in zip(vector, onto)) / sum(b * b for b in onto)
    return [a - along * b for a, b in zip(vector, onto)]


def _divided(vector: list, length) -> list:
    """``vector / length`` exactly (``length`` a float64 or a rational): so ``length`` times
    the column is exactly ``vector``."""
    return [v / Fraction(length) for v in vector]


def _drop_zero_rows(A: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    zero = ~np.any(A != 0.0, axis=1)
    if np.any(zero & (c < 0)):
        raise DomainError("polytope is empty: a zero row has a negative right-hand side")
    return A[~zero], c[~zero]


def inscribed_ball(solver: LPSolver, A: np.ndarray, c: np.ndarray, unit: float | None = None,
                   room: float = 0.0) -> Ball | None:
    """A ball inside ``{x : A x <= c}``, or None when it has no interior (decided exactly):
    HiGHS's Chebyshev ball when float64 certifies its centre strictly inside, else an exact
    interior point rounded to float64 with radius 0 (certifying nothing) and no duals. A
    float radius above 0 proves nothing: HiGHS fails near the end of float64 (a box of
    1e300), finds no interior in a box 1e-300 thin beside sides of 1, and gives centres
    outside slivers 1e-9 wide between grazing rows, or balls in flat polytopes
    (``x + y <= -1`` and ``-2x - 2y <= 2`` beside a third row at a grazing angle).

    HiGHS solves the polyhedron as it is first (radius capped at ``RADIUS_CAP``, with duals
    and basis). When float64 certifies no ball there of radius above ``room``, HiGHS solves
    it again in units of ``unit`` (a power of two; by default :func:`power_of_two_unit` of
    ``c``): ``{w : A w <= c / unit}``, the same polyhedron when that division is exact (else
    there is no second solve), radius capped at ``UNITS_RADIUS_CAP``, and its ball comes back
    scaled, without duals or basis (a box of 1e300 in units of 2^997 is a box of about 1).
    The certified ball of the two with the larger radius is returned (the first on a tie),
    and the exact interior point when neither is certified.

    Why this order: as it is, the common case takes one LP and the split engine's root cell
    (:func:`regions.engines.split.root_ball`) gets the duals and basis of its largest ball.
    In units serves where HiGHS fails as it is, and a caller that wants the centre ``room``
    inside every side: capped as it is, the centre in a box of 1e300 may lie 1000 from a
    side, not clearly inside for qhull (:func:`regions.complex.geometry.region_interior`)."""
    ball = _certified(A, c, _highs_ball(solver, A, c, 1.0))
    if ball is None or not ball.radius > room:
        unit = power_of_two_unit(c) if unit is None else unit
        again = None if unit == 1.0 else _certified(A, c, _highs_ball(solver, A, c, unit))
        if again is not None and (ball is None or again.radius > ball.radius):
            ball = again
    if ball is not None:
        return ball
    point = lp_exact.interior_point(A, c)
    if point is None:
        return None
    return Ball(np.array([float_of(v) for v in point]), 0.0)


def _highs_ball(solver: LPSolver, A: np.ndarray, c: np.ndarray, unit: float) -> Ball | None:
    """HiGHS's Chebyshev ball of ``A x <= c`` solved in units of ``unit`` (1: as it is) and
    scaled back; None when HiGHS fails or dividing ``c`` by ``unit`` is not exact."""
    try:
        if unit == 1.0:
            return solver.chebyshev(A, c)
        with np.errstate(over="ignore", under="ignore"):
            scaled = c / unit
        if not np.array_equal(scaled * unit, c):
            return None
        ball = solver.chebyshev(A, scaled, UNITS_RADIUS_CAP)
    except LPError:
        return None
    with np.errstate(over="ignore"):
        return Ball(ball.center * unit, ball.radius * unit)


def _certified(A: np.ndarray, c: np.ndarray, ball: Ball | None) -> Ball | None:
    """``ball`` when its radius is above 0 and float64 certifies its centre strictly inside
    ``A x <= c``, else None."""
    if ball is None or not ball.radius > 0.0 or not np.all(np.isfinite(ball.center)):
        return None
    with np.errstate(over="ignore", invalid="ignore"):  # a bound of inf certifies nothing
        return ball if strict_slack(A, c, np.zeros(len(c)), ball.center) else None


def power_of_two_unit(values: np.ndarray) -> float:
    """The power of two at or just above the largest finite ``|values|`` (1 when there is
    none, or it is 0): a unit in which they are about 1, dividing by which is exact unless
    it makes a value subnormal."""
    values = np.abs(np.asarray(values, dtype=np.float64))
    largest = float(np.max(values[np.isfinite(values)], initial=0.0))
    if largest == 0.0:
        return 1.0
    mantissa, exponent = math.frexp(largest)
    return math.ldexp(1.0, exponent - 1 if mantissa == 0.5 else min(exponent, 1023))


def _bounding_box(A: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounding box of ``A x <= c``, rigorous since the split engine decides sides over it:
    each bound proved by exact multipliers (:func:`_dual_bound`) on the rows HiGHS's duals
    support, else the exact LP's optimum (warm-started from HiGHS's tightest rows), rounded
    outward to float64; +-inf where the polyhedron is unbounded that way or the bound is
    beyond float64. HiGHS's own optimum may lie inside its tolerance: ``x <= 1 + 1e-9 y``
    with ``y <= 1`` gave ``x <= 1``. DomainError if the polyhedron has no interior
    (:func:`inscribed_ball`)."""
    solver = LPSolver()
    if inscribed_ball(solver, A, c) is None:
        raise DomainError("polytope is empty or has no interior")
    n = A.shape[1]
    lower, upper = np.empty(n), np.empty(n)
    for i in range(n):
        for sense, out in ((1, upper), (-1, lower)):
            direction = np.zeros(n)
            direction[i] = sense
            try:
                _, point = solver.maximizer(A, c, direction)
            except LPError:
                point = None
            basis = None
            if point is not None and np.all(np.isfinite(point)):
                bound = _dual_bound(A, c, direction, solver.row_duals())
                if bound is not None:
                    out[i] = float_outward(sense * bound, sense)
                    continue
                basis = np.argsort(c - A @ point, kind="stable")[:n].tolist()
            result = lp_exact.maximize(A, c, direction, basis=basis)
            out[i] = sense * math.inf if result.status != "optimal" else \
                float_outward(sense * result.value, sense)
    return lower, upper


def _dual_bound(A: np.ndarray, c: np.ndarray, direction: np.ndarray, duals: np.ndarray):
    """An exact upper bound (fmpq) on ``direction . x`` over ``A x <= c`` by weak duality,
    or None: multipliers ``y >= 0`` on the rows where the float ``duals`` (m,) are not zero
    (at most n of them, the largest), solved exactly from ``A_S^T y = direction`` (its
    normal equations, then checked); then ``direction . x = y . A_S x <= y . c_S``."""
    n = A.shape[1]
    support = np.flatnonzero(duals != 0.0)
    support = support[np.argsort(-np.abs(duals[support]), kind="stable")][:n]
    if support.size == 0 or not np.all(np.isfinite(duals[support])):
        return None
    rows = fmpq_mat([[fraction(v) for v in A[k]] for k in support])
    target = fmpq_mat(n, 1, [fraction(v) for v in direction])
    try:
        y = (rows * rows.transpose()).solve(rows * target)
    except ZeroDivisionError:               # dependent rows: the exact LP decides
        return None
    if rows.transpose() * y != target or any(y[k, 0] < 0 for k in range(y.nrows())):
        return None
    return sum((y[k, 0] * fraction(c[j]) for k, j in enumerate(support)), fmpq(0))
