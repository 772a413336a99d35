"""Domains: where regions are enumerated.

A domain is a convex polyhedron in *working coordinates* ``z`` of dimension
``dim``, ``{z : A z <= c}``, together with an affine embedding into input
space, ``x = origin + basis @ z``. For full-dimensional domains (all of R^n, a
box, a polytope) the embedding is the identity. For slices (a plane through
three points, a line or a segment through two) ``basis`` has orthonormal
columns, so distances and tolerances in slice coordinates equal those in
input space, and the network restricted to the slice is the network with its
first layer precomposed with the embedding.

Build domains with :func:`whole_space`, :func:`box`, :func:`polytope`,
:func:`plane`, :func:`line` and :func:`segment`. A domain whose dimension
depends on the network (``whole_space()``, ``box(-1, 1)`` with scalar bounds)
is resolved by :meth:`Domain.resolve` when enumeration starts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import DomainError
from .lp import LPSolver
from .network import Network
from .tolerances import MAX_EXTENT, MIN_RADIUS, RESOLUTION_MARGIN


@dataclass(frozen=True)
class Domain:
    """A convex polyhedral domain, possibly an affine slice of input space.

    Attributes
    ----------
    kind : str
        ``"whole"``, ``"box"``, ``"polytope"``, ``"plane"``, ``"line"`` or ``"segment"``.
    A : ndarray, shape (m, dim)
        Constraint rows in working coordinates, each of unit Euclidean norm.
    b : ndarray, shape (m,)
        Right-hand sides: the domain is ``A z <= b`` (as a region's ``A z <= b``).
    origin : ndarray, shape (n,)
        Input-space point of working coordinate ``z = 0``.
    basis : ndarray, shape (n, dim)
        Embedding ``x = origin + basis @ z`` (identity for full-dimensional domains).
    lower, upper : ndarray, shape (dim,)
        Bounding box of the domain in working coordinates (``-inf``/``inf`` where unbounded).
    """

    kind: str
    A: np.ndarray
    b: np.ndarray
    origin: np.ndarray
    basis: np.ndarray
    lower: np.ndarray
    upper: np.ndarray

    @property
    def dim(self) -> int:
        """Dimension of the working coordinates."""
        return self.basis.shape[1]

    @property
    def input_dim(self) -> int:
        return self.basis.shape[0]

    @property
    def is_bounded(self) -> bool:
        return bool(np.all(np.isfinite(self.lower)) and np.all(np.isfinite(self.upper)))

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

    def contains(self, z, tol: float = 0.0) -> np.ndarray:
        """Whether working-coordinate points ``(k, dim)`` satisfy ``A z <= c + tol``."""
        z = np.atleast_2d(np.asarray(z, dtype=np.float64))
        return np.all(z @ self.A.T <= self.b + tol, axis=1)


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
    """The unit of every tolerance on ``domain`` (see :mod:`regions.tolerances`).

    Half the longest side of the domain's bounding box when that is below 1
    (a small domain is a zoom: its tolerances shrink with it), else 1: the
    tolerances of every domain at least as large as the unit box are those
    of all of R^n, so a box that holds every vertex of the partition gives
    the R^n count, however large it is.

    >>> tolerance_scale(box(-1e-3, 1e-3).resolve(2)), tolerance_scale(box(-1e8, 1e8).resolve(2))
    (0.001, 1.0)
    """
    if not domain.is_bounded:
        return 1.0
    return min(float(np.max(domain.upper - domain.lower)) / 2.0, 1.0)


def check_resolvable(domain: Domain, min_radius: float) -> None:
    """DomainError when float64 cannot resolve the tolerance on ``domain``.

    Two limits: the half-width of the domain's bounding box may not exceed
    ``MAX_EXTENT`` (cells touching faces that far away are computed with a
    rounding of ``eps * MAX_EXTENT`` input units), and the rounding of an
    input coordinate at the domain's center, ``eps * |center|``, must stay
    ``RESOLUTION_MARGIN`` times below the tolerance ``min_radius * scale``.
    """
    scale = tolerance_scale(domain)
    if domain.is_bounded:
        half = float(np.max(domain.upper - domain.lower)) / 2.0
        if not half <= MAX_EXTENT:
            raise DomainError(
                f"the {domain.kind} domain is {half:.3g} input units wide (half-width); "
                f"float64 resolves the tolerance only up to {MAX_EXTENT:.0e}: use a smaller "
                "box, or all of R^n (the default), which it contains")
        center = domain.to_input((domain.lower + domain.upper) / 2.0)
    else:
        center = domain.origin
    rounding = float(np.max(np.abs(center), initial=0.0)) * np.finfo(np.float64).eps
    if rounding * RESOLUTION_MARGIN > min_radius * scale:
        raise DomainError(
            f"the {domain.kind} domain is too small for its distance from the origin: "
            f"float64 rounds input coordinates there by {rounding:.2g}, not far enough below "
            f"the tolerance {min_radius * scale:.2g} (min_radius {min_radius:g} times the "
            f"tolerance scale {scale:.3g}); translate the network's inputs towards the origin")


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

    Raises :class:`DomainError` when it is empty or has no interior.
    """
    A = np.asarray(A, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    if A.ndim != 2 or c.ndim != 1 or A.shape[0] != c.shape[0] or A.shape[1] == 0:
        raise DomainError(f"polytope needs A of shape (m, n) and c of shape (m,), got "
                          f"{A.shape} and {c.shape}")
    if not (np.all(np.isfinite(A)) and np.all(np.isfinite(c))):
        raise DomainError("polytope has NaN or infinite entries")
    A, c = _normalise_rows(A, c)
    n = A.shape[1]
    lower, upper = _bounding_box(A, c)
    return _identity(n, "polytope", A, c, lower, upper)


def plane(p0, p1, p2, lo=None, hi=None) -> Domain:
    """The 2-D plane through three points, in orthonormal slice coordinates.

    Slice coordinates ``(u, v)`` have origin ``p0``; ``u`` points towards
    ``p1`` and ``v`` lies in the plane, orthogonal to ``u``, towards ``p2``.
    With ``lo``/``hi`` (scalars or length-2) the slice is restricted to the
    box ``[lo, hi]`` in slice coordinates; otherwise it is the whole plane.

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
    basis = _orthonormal_basis(np.stack([p1 - p0, p2 - p0], axis=1), "plane points are collinear")
    return _slice("plane", p0, basis, lo, hi)


def line(p0, p1) -> Domain:
    """The whole line through two points; slice coordinate 0 at ``p0``, unit speed towards ``p1``."""
    p0, p1 = _vector(p0, "line point 0"), _vector(p1, "line point 1")
    if p0.shape != p1.shape:
        raise DomainError("line points must have the same dimension")
    basis = _orthonormal_basis((p1 - p0)[:, None], "line points coincide")
    return _slice("line", p0, basis, None, None)


def segment(p0, p1) -> Domain:
    """The segment from ``p0`` to ``p1``: slice coordinate ``t`` in ``[0, |p1 - p0|]``.

    >>> segment([0, 0], [3, 4]).upper
    array([5.])
    """
    p0, p1 = _vector(p0, "segment point 0"), _vector(p1, "segment point 1")
    if p0.shape != p1.shape:
        raise DomainError("segment points must have the same dimension")
    basis = _orthonormal_basis((p1 - p0)[:, None], "segment points coincide")
    return _slice("segment", p0, basis, 0.0, float(np.linalg.norm(p1 - p0)))


def _slice(kind: str, origin: np.ndarray, basis: np.ndarray, lo, hi) -> Domain:
    k = basis.shape[1]
    if lo is None and hi is None:
        return Domain(kind, np.zeros((0, k)), np.zeros(0), origin, basis,
                      np.full(k, -np.inf), np.full(k, np.inf))
    if lo is None or hi is None:
        raise DomainError("give both lo and hi to bound a slice")
    bounds = box(np.broadcast_to(np.asarray(lo, float), (k,)),
                 np.broadcast_to(np.asarray(hi, float), (k,)))
    return Domain(kind, bounds.A, bounds.b, origin, basis, bounds.lower, bounds.upper)


def _orthonormal_basis(directions: np.ndarray, message: str) -> np.ndarray:
    """Gram-Schmidt on the columns of ``directions``; DomainError if they are dependent."""
    scale = max(float(np.max(np.abs(directions))), 1e-300)
    q, r = np.linalg.qr(directions)
    if np.any(np.abs(np.diag(r)) <= 1e-12 * scale * directions.shape[0]):
        raise DomainError(message)
    return q * np.sign(np.diag(r))  # keep each axis pointing towards its defining point


def _normalise_rows(A: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    norms = np.linalg.norm(A, axis=1)
    zero = norms == 0.0
    if np.any(zero & (c < 0)):
        raise DomainError("polytope is empty: a zero row has a negative right-hand side")
    keep = ~zero
    return A[keep] / norms[keep, None], c[keep] / norms[keep]


def _bounding_box(A: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bounding box of ``A x <= c`` by 2n LPs; DomainError if the polyhedron has no interior."""
    solver = LPSolver()
    if solver.chebyshev(A, c).radius <= MIN_RADIUS:
        raise DomainError("polytope is empty or has no interior")
    n = A.shape[1]
    lower, upper = np.empty(n), np.empty(n)
    for i in range(n):
        lower[i] = solver.minimize_coordinate(A, c, i, sense=1.0)
        upper[i] = -solver.minimize_coordinate(A, c, i, sense=-1.0)
    return lower, upper
