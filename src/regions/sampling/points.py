"""Random points and lines of a domain, and the chord of a line through it."""

from __future__ import annotations

import math

import numpy as np

from ..domain import Domain, inscribed_ball, power_of_two_unit
from ..errors import DomainError, RegionsError
from ..lp import LPSolver
from ..rounding import overflow_expected
from ..tolerances import MAX_REJECTION, UNBOUNDED_RADII

__all__ = ["UNBOUNDED_RADII", "MAX_REJECTION", "sample_points", "random_lines", "chord",
           "positive_count"]


@overflow_expected
def sample_points(domain: Domain, count: int, rng: np.random.Generator,
                  radii=UNBOUNDED_RADII) -> np.ndarray:
    """Random points of a resolved ``domain``, shape ``(count, domain.dim)``, working coordinates.

    Bounded domain: uniform (uniform in the bounding box, rejection outside
    the domain). Unbounded domain: a "scale-free" law with positive density
    everywhere, so every region, however far, has a positive probability:
    ``center + r u`` with ``u`` uniform on the sphere, ``log r`` uniform on
    ``log(radii)`` and ``center`` the center of the domain's largest
    inscribed ball (capped), rejection outside the domain.
    """
    count = int(count)
    dim = domain.dim
    if domain.is_bounded:
        lower, upper, unit = _in_units(domain)

        def draw(k):
            # in units where the box's width is finite, clipped to it against rounding
            return np.clip(rng.uniform(lower, upper, size=(k, dim)) * unit, domain.lower,
                           domain.upper)
    else:
        center = _center(domain)
        log_lo, log_hi = math.log(radii[0]), math.log(radii[1])

        def draw(k):
            radius = np.exp(rng.uniform(log_lo, log_hi, size=(k, 1)))
            return center + radius * _unit_vectors(rng, k, dim)
    return _rejection(domain, count, draw)


@overflow_expected
def random_lines(domain: Domain, count: int, rng: np.random.Generator):
    """Random lines through a resolved domain and their chords, in working coordinates.

    Bounded domain: isotropic uniform random (IUR) lines hitting the domain,
    i.e. the motion-invariant measure on lines conditioned on meeting it:
    direction ``u`` uniform on the sphere, offset uniform on the disc of
    ``u``'s orthogonal complement that covers the domain's projection.
    Unbounded domain: through a :func:`sample_points` point, uniform direction.

    Returns
    -------
    points, directions : ndarray, shape (count, dim)
        ``directions`` have unit norm.
    lo, hi : ndarray, shape (count,)
        The chord is ``points + t directions`` for ``lo <= t <= hi``
        (``-inf``/``inf`` where the domain is unbounded along the line).
    """
    dim = domain.dim
    points, directions, lows, highs = [], [], [], []
    found = drawn = 0
    while found < count:
        k = max(2 * (count - found), 64)
        drawn += k
        if drawn > MAX_REJECTION * count + 10_000:
            raise DomainError(f"random lines rarely meet the {domain.kind} domain")
        u = _unit_vectors(rng, k, dim)
        if domain.is_bounded:
            lower, upper, unit = _in_units(domain)
            center = (lower + upper) / 2.0 * unit
            radius = float(np.linalg.norm(upper - lower)) / 2.0
            p = center + _offsets_orthogonal(rng, u, radius) * unit
        else:
            p = sample_points(domain, k, rng)
        lo, hi = chord(domain, p, u)
        ok = hi > lo
        points.append(p[ok]), directions.append(u[ok]), lows.append(lo[ok]), highs.append(hi[ok])
        found += int(ok.sum())
    cat = [np.concatenate(a)[:count] for a in (points, directions, lows, highs)]
    return cat[0], cat[1], cat[2], cat[3]


def chord(domain: Domain, points: np.ndarray, directions: np.ndarray):
    """Parameter range ``[lo, hi]`` of each line ``points + t directions`` inside ``A z <= c``.

    Empty chords come back with ``lo >= hi``.
    """
    slopes = directions @ domain.A.T                  # (k, m)
    slack = domain.b - points @ domain.A.T            # (k, m): need t * slope <= slack
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = slack / slopes
    lo = np.max(np.where(slopes < 0, ratio, -np.inf), axis=1, initial=-np.inf)
    hi = np.min(np.where(slopes > 0, ratio, np.inf), axis=1, initial=np.inf)
    blocked = np.any((slopes == 0) & (slack < 0), axis=1)
    hi = np.where(blocked, -np.inf, hi)
    return lo, hi


def positive_count(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise RegionsError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _unit_vectors(rng: np.random.Generator, count: int, dim: int) -> np.ndarray:
    v = rng.standard_normal((count, dim))
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    while np.any(norms == 0):   # probability zero, but keep the result well defined
        bad = norms[:, 0] == 0
        v[bad] = rng.standard_normal((int(bad.sum()), dim))
        norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / norms


def _offsets_orthogonal(rng, directions: np.ndarray, radius: float) -> np.ndarray:
    """Points uniform on the radius-``radius`` disc orthogonal to each direction."""
    count, dim = directions.shape
    if dim == 1:
        return np.zeros((count, 1))
    g = rng.standard_normal((count, dim))
    g -= np.sum(g * directions, axis=1, keepdims=True) * directions
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    r = radius * rng.uniform(size=(count, 1)) ** (1.0 / (dim - 1))
    return r * g


def _in_units(domain: Domain) -> tuple[np.ndarray, np.ndarray, float]:
    """A bounded domain's bounding box ``(lower, upper)`` in units of ``unit``, a power of
    two: 1 unless the largest bound is beyond 2^500 or below 2^-500, where the box's width
    or the square of its diagonal overflows or underflows float64 (``[-2^1023, 2^1023]``,
    ``[-2^600, 2^600]^2``, ``[-2^-700, 2^-700]^4``, whose diagonal would be 0)."""
    bounds = np.concatenate([domain.lower, domain.upper])
    largest = np.max(np.abs(bounds), initial=0.0)
    if largest == 0.0 or 2.0 ** -500 <= largest <= 2.0 ** 500:
        return domain.lower, domain.upper, 1.0
    unit = power_of_two_unit(bounds)
    return domain.lower / unit, domain.upper / unit, unit


def _center(domain: Domain) -> np.ndarray:
    """The centre of the domain's largest inscribed ball (capped), certified strictly inside
    (:func:`regions.domain.inscribed_ball`: solved as it is, else in units of its right-hand
    sides); DomainError when float64 certifies no point inside it."""
    if domain.A.shape[0] == 0:
        return np.zeros(domain.dim)
    ball = inscribed_ball(LPSolver(), domain.A, domain.b)
    if ball is None or not ball.radius > 0.0:
        raise DomainError(f"random points of the {domain.kind} domain are centred at a point "
                          f"strictly inside it, and float64 certifies none (its interior is "
                          f"near the end of float64's range, or too thin there); shrink it")
    return ball.center


def _rejection(domain: Domain, count: int, draw) -> np.ndarray:
    if domain.A.shape[0] == 0 or domain.kind == "box":
        return draw(count)
    kept, found, drawn = [], 0, 0
    while found < count:
        k = max(2 * (count - found), 1024)
        drawn += k
        if drawn > MAX_REJECTION * count + 100_000:
            raise DomainError(f"random points rarely fall in the {domain.kind} domain")
        z = draw(k)
        z = z[domain.contains(z)]
        kept.append(z)
        found += z.shape[0]
    return np.concatenate(kept)[:count]
