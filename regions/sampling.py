"""Sampled lower bounds and estimates of region counts, vectorised with numpy.

Three views, each cheaper than exact enumeration and each honest about what
it measures:

* :func:`distinct_patterns`: the number of distinct activation patterns among
  ``N`` random points of the domain, with the curve of that number versus
  ``N``. Every point (off a measure-zero boundary) lies in one region and
  carries its pattern, so this is a lower bound on the exact count and
  converges to it as ``N`` grows (every region has positive volume).
* :func:`regions_along_lines` / :func:`regions_on_segments`: exact region
  counts along straight lines, computed by piecewise-linear root finding
  layer by layer (no sampling along the line). A region is convex, so a line
  meets it in one interval: the number of intervals is the number of regions
  the line meets, a lower bound on the count; the distinct patterns met by
  all lines together are a better one. :func:`trajectory_transitions`
  applies the same computation to a polyline (the trajectory view of Raghu
  et al. 2017: pattern transitions along a 1-D curve).
* :func:`density_estimate`: the Hanin and Rolnick view. The number of
  breakpoints per unit length along isotropic random lines, turned into a
  boundary density (Crofton) and a number of regions per unit volume; an
  estimate, not a bound (see its docstring for exactly what it estimates).

Tolerance convention. Exact enumeration counts a region only if its largest
inscribed ball has a radius above ``min_radius`` times the tolerance scale (see
:mod:`regions.tolerances`). Along a chord of length ``L`` (scale ``L / 2``;
1 for a whole line) the same rule drops intervals not longer than
``min_radius * L``, so :func:`regions_on_segments` counts what
``regions.enumerate(net, regions.segment(p0, p1))`` counts. For
:func:`distinct_patterns` a point falling in a region thinner than the
tolerance could in principle add a pattern the enumeration drops;
``Partition.slivers`` and ``Partition.near_degenerate`` tell when that can
happen.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from .domain import Domain, is_box, resolve
from .errors import DomainError, RegionsError
from .lp import LPSolver
from .network import Network, neuron_states, state_slope_offset
from .tolerances import MIN_RADIUS

#: Radii (working units) between which points of an unbounded domain are drawn, log-uniformly.
UNBOUNDED_RADII = (1e-2, 1e4)
#: Points per vectorised block in :func:`distinct_patterns`.
CHUNK = 1 << 16
#: Draws per accepted point after which rejection sampling gives up.
MAX_REJECTION = 1000


# --------------------------------------------------------------------------- points and lines

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
        def draw(k):
            return rng.uniform(domain.lower, domain.upper, size=(k, dim))
    else:
        center = _center(domain)
        log_lo, log_hi = math.log(radii[0]), math.log(radii[1])

        def draw(k):
            radius = np.exp(rng.uniform(log_lo, log_hi, size=(k, 1)))
            return center + radius * _unit_vectors(rng, k, dim)
    return _rejection(domain, count, draw)


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
            center = (domain.lower + domain.upper) / 2.0
            radius = float(np.linalg.norm(domain.upper - domain.lower)) / 2.0
            p = center + _offsets_orthogonal(rng, u, radius)
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
    slack = domain.c - points @ domain.A.T            # (k, m): need t * slope <= slack
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = slack / slopes
    lo = np.max(np.where(slopes < 0, ratio, -np.inf), axis=1, initial=-np.inf)
    hi = np.min(np.where(slopes > 0, ratio, np.inf), axis=1, initial=np.inf)
    blocked = np.any((slopes == 0) & (slack < 0), axis=1)
    hi = np.where(blocked, -np.inf, hi)
    return lo, hi


# --------------------------------------------------------------------------- distinct patterns

@dataclass(frozen=True)
class PatternSample:
    """Distinct activation patterns among random points (a lower bound on the region count).

    Attributes
    ----------
    distinct : int
        Distinct patterns among all ``samples`` points.
    samples : int
    sizes : ndarray, shape (k,), int
        Sample sizes of the curve (increasing, last one ``samples``).
    curve : ndarray, shape (k,), int
        Distinct patterns among the first ``sizes[i]`` points (non-decreasing).
    patterns : ndarray, shape (distinct, P), int8
        The distinct patterns, in order of first appearance.
    seconds : float
    """

    distinct: int
    samples: int
    sizes: np.ndarray
    curve: np.ndarray
    patterns: np.ndarray
    seconds: float

    @property
    def points_per_second(self) -> float:
        return self.samples / self.seconds if self.seconds > 0 else float("inf")


def distinct_patterns(network: Network, domain=None, samples: int = 1_000_000, *,
                      seed: int = 0, sizes=None) -> PatternSample:
    """Count distinct activation patterns among ``samples`` random points of ``domain``.

    Points are drawn by :func:`sample_points` (uniform on a bounded domain,
    scale-free on an unbounded one; default domain: all of R^n). The result
    never exceeds the exact count (see the module docstring for the tolerance
    caveat) and converges to it as ``samples`` grows.

    Parameters
    ----------
    sizes : sequence of int, optional
        Sample sizes at which to report the curve; default powers of two up
        to ``samples``, and ``samples``.
    """
    domain = resolve(domain, network)
    samples = _positive(samples, "samples")
    if sizes is None:
        sizes = [2 ** k for k in range(int(math.log2(samples)) + 1) if 2 ** k < samples]
        sizes.append(samples)
    sizes = np.unique(np.asarray(sizes, dtype=np.int64))
    if sizes.size == 0 or sizes[0] < 1 or sizes[-1] > samples:
        raise RegionsError(f"sizes must lie in [1, {samples}]")
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    first_seen: dict = {}
    patterns = []
    for offset in range(0, samples, CHUNK):
        k = min(CHUNK, samples - offset)
        x = domain.to_input(sample_points(domain, k, rng))
        pattern = network.activation_pattern(x)
        keys = _pattern_keys(pattern)
        unique, index = np.unique(keys, return_index=True)
        for key, i in zip(unique.tolist(), index.tolist()):
            if key not in first_seen:
                first_seen[key] = offset + i
                patterns.append(pattern[i])
    seconds = time.perf_counter() - started
    order = np.argsort(list(first_seen.values()), kind="stable")
    firsts = np.sort(np.fromiter(first_seen.values(), dtype=np.int64, count=len(first_seen)))
    curve = np.searchsorted(firsts, sizes, side="left")
    stacked = (np.array(patterns, dtype=np.int8).reshape(len(patterns), network.pattern_length))
    return PatternSample(len(first_seen), samples, sizes, curve, stacked[order], seconds)


def _pattern_keys(pattern: np.ndarray) -> np.ndarray:
    """One hashable key per row: the states packed two bits each (exact, no hashing)."""
    codes = (pattern.astype(np.int16) + 1).astype(np.uint8)      # states -1, 0, 1 -> 0, 1, 2
    bits = np.concatenate([codes & 1, codes >> 1], axis=1)
    packed = np.packbits(bits, axis=1)
    width = packed.shape[1]
    if width <= 8:
        padded = np.zeros((packed.shape[0], 8), dtype=np.uint8)
        padded[:, :width] = packed
        return padded.view(np.uint64).ravel()
    return np.ascontiguousarray(packed).view(np.dtype((np.void, width))).ravel()


# --------------------------------------------------------------------------- exact counts on lines

@dataclass(frozen=True)
class LineCounts:
    """Exact region counts along lines.

    Attributes
    ----------
    counts : ndarray, shape (K,), int
        Regions each line meets (``1 +`` its transitions).
    lengths : ndarray, shape (K,)
        Chord lengths in input units (``inf`` for a line unbounded in the domain).
    distinct : int
        Distinct patterns met by all lines together (a lower bound on the
        region count of the domain, at least ``counts.max()``).
    patterns : ndarray, shape (distinct, P), int8
    seconds : float
    """

    counts: np.ndarray
    lengths: np.ndarray
    distinct: int
    patterns: np.ndarray
    seconds: float

    @property
    def lines(self) -> int:
        return int(self.counts.size)

    @property
    def transitions(self) -> int:
        """Total number of region changes over all lines."""
        return int(np.sum(self.counts - 1))


def regions_on_segments(network: Network, starts, ends, *,
                        min_radius: float = MIN_RADIUS) -> LineCounts:
    """Exact number of regions along each segment ``starts[k] -> ends[k]`` (input coordinates).

    ``starts``, ``ends`` : arrays of shape ``(K, n)`` (or ``(n,)`` for one
    segment). Counts what ``regions.enumerate(network, regions.segment(p0,
    p1))`` counts, by a different algorithm (breakpoints of the
    piecewise-linear pre-activations, layer by layer, no LP).
    """
    if not isinstance(network, Network):
        raise TypeError(f"expected a regions.Network, got {type(network).__name__}")
    starts = np.atleast_2d(np.asarray(starts, dtype=np.float64))
    ends = np.atleast_2d(np.asarray(ends, dtype=np.float64))
    if starts.shape != ends.shape or starts.shape[1] != network.input_dim:
        raise DomainError(f"segment ends must both have shape (K, {network.input_dim}), got "
                          f"{starts.shape} and {ends.shape}")
    lengths = np.linalg.norm(ends - starts, axis=1)
    if np.any(lengths == 0) or not np.all(np.isfinite(lengths)):
        raise DomainError("segments must have distinct, finite end points")
    return _count_on_chords(network, starts, (ends - starts) / lengths[:, None],
                            np.zeros(len(lengths)), lengths, min_radius)


def regions_on_lines(network: Network, points, directions, *,
                     min_radius: float = MIN_RADIUS) -> LineCounts:
    """Exact number of regions along each whole line ``points[k] + t directions[k]``, t in R.

    ``points``, ``directions`` : arrays of shape ``(K, n)`` (or ``(n,)``),
    input coordinates. Counts what ``regions.enumerate(network,
    regions.line(p, p + u))`` counts.
    """
    if not isinstance(network, Network):
        raise TypeError(f"expected a regions.Network, got {type(network).__name__}")
    points = np.atleast_2d(np.asarray(points, dtype=np.float64))
    directions = np.atleast_2d(np.asarray(directions, dtype=np.float64))
    if points.shape != directions.shape or points.shape[1] != network.input_dim:
        raise DomainError(f"line points and directions must both have shape "
                          f"(K, {network.input_dim}), got {points.shape} and {directions.shape}")
    norms = np.linalg.norm(directions, axis=1)
    if np.any(norms == 0) or not (np.all(np.isfinite(norms)) and np.all(np.isfinite(points))):
        raise DomainError("lines need finite points and non-zero finite directions")
    infinite = np.full(points.shape[0], np.inf)
    return _count_on_chords(network, points, directions / norms[:, None], -infinite, infinite,
                            min_radius)


def regions_along_lines(network: Network, domain=None, lines: int = 200, *, seed: int = 0,
                        min_radius: float = MIN_RADIUS) -> LineCounts:
    """Exact region counts along ``lines`` random lines of ``domain`` (see :func:`random_lines`).

    On a bounded domain each line is counted on its chord; on an unbounded
    one, along its whole extent in the domain (whole lines in all of R^n).
    """
    domain = resolve(domain, network)
    rng = np.random.default_rng(seed)
    p, u, lo, hi = random_lines(domain, _positive(lines, "lines"), rng)
    return _count_on_chords(network, domain.to_input(p), u @ domain.basis.T, lo, hi, min_radius)


def _count_on_chords(network, origins, directions, lo, hi, min_radius) -> LineCounts:
    started = time.perf_counter()
    line, start, stop, patterns = line_intervals(network, origins, directions, lo, hi)
    chord_length = hi - lo
    scale = np.where(np.isfinite(chord_length), chord_length / 2.0, 1.0)
    keep = (stop - start) > 2.0 * float(min_radius) * scale[line]
    line, patterns = line[keep], patterns[keep]
    new_region = np.ones(line.size, dtype=bool)
    if line.size > 1:
        same_line = line[1:] == line[:-1]
        same_pattern = np.all(patterns[1:] == patterns[:-1], axis=1)
        new_region[1:] = ~(same_line & same_pattern)
    counts = np.bincount(line[new_region], minlength=origins.shape[0])
    distinct = _unique_rows(patterns)
    return LineCounts(counts, chord_length, len(distinct), distinct,
                      time.perf_counter() - started)


def line_intervals(network: Network, origins, directions, lo, hi):
    """Partition each line ``origins[k] + t directions[k]``, ``lo[k] < t < hi[k]``, into pieces.

    Exact 1-D computation, vectorised over all lines and pieces: on a piece
    the input of layer ``l`` is affine in ``t``, ``h = a t + c``, so each
    breakpoint of each neuron is crossed at most once there, at
    ``t = (breakpoint - w.c - b) / (w.a)``; pieces are split at those roots
    and the states on each new piece give the next layer's affine input.

    Parameters
    ----------
    origins, directions : ndarray, shape (K, n)
        Input-space lines (``directions`` need not be unit; ``t`` is in its units).
    lo, hi : ndarray, shape (K,)
        Parameter range of each line (may be infinite).

    Returns
    -------
    line : ndarray, shape (I,), int
        Line of each piece; pieces are ordered by line, then by ``t``.
    start, stop : ndarray, shape (I,)
        Parameter range of each piece (``start < stop``).
    patterns : ndarray, shape (I, P), int8
        Activation pattern on each piece.
    """
    A = np.asarray(directions, dtype=np.float64)
    C = np.asarray(origins, dtype=np.float64)
    start = np.asarray(lo, dtype=np.float64).copy()
    stop = np.asarray(hi, dtype=np.float64).copy()
    line = np.arange(A.shape[0])
    states_so_far: list[np.ndarray] = []
    for layer in network.layers:
        alpha = A @ layer.weight.T                  # (I, width): d(pre-activation)/dt
        gamma = C @ layer.weight.T + layer.bias     # (I, width): pre-activation at t = 0
        if layer.activation == "identity":
            A, C = alpha, gamma
            continue
        parent, roots = [], []
        with np.errstate(divide="ignore", invalid="ignore"):
            for breakpoint in layer.breakpoints:
                t = (breakpoint - gamma) / alpha
                inside = (alpha != 0) & (t > start[:, None]) & (t < stop[:, None])
                rows, _ = np.nonzero(inside)
                parent.append(rows)
                roots.append(t[inside])
        pieces = np.concatenate([np.arange(start.size)] + parent)
        lower = np.concatenate([start] + roots)
        order = np.lexsort((lower, pieces))
        pieces, lower = pieces[order], lower[order]
        upper = stop[pieces].copy()
        follows = pieces[1:] == pieces[:-1]
        upper[:-1][follows] = lower[1:][follows]
        nonempty = upper > lower
        pieces, lower, upper = pieces[nonempty], lower[nonempty], upper[nonempty]
        z = alpha[pieces] * _interior_points(lower, upper)[:, None] + gamma[pieces]
        states = neuron_states(z, layer.activation)
        slope, shift = state_slope_offset(states, layer)
        A, C = slope * alpha[pieces], slope * gamma[pieces] + shift
        line, start, stop = line[pieces], lower, upper
        states_so_far = [s[pieces] for s in states_so_far] + [states]
    patterns = (np.concatenate(states_so_far, axis=1) if states_so_far
                else np.zeros((line.size, 0), dtype=np.int8))
    return line, start, stop, patterns


def _interior_points(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """A point strictly inside each interval (intervals may be unbounded on either side)."""
    finite_lo, finite_hi = np.isfinite(lower), np.isfinite(upper)
    with np.errstate(invalid="ignore"):
        mid = np.where(finite_lo & finite_hi, 0.5 * lower + 0.5 * upper, 0.0)
        mid = np.where(finite_lo & ~finite_hi, lower + np.maximum(1.0, np.abs(lower)), mid)
        mid = np.where(~finite_lo & finite_hi, upper - np.maximum(1.0, np.abs(upper)), mid)
    return mid


# --------------------------------------------------------------------------- trajectories

@dataclass(frozen=True)
class Trajectory:
    """Pattern transitions along a polyline.

    Attributes
    ----------
    transitions : int
        Number of points where the activation pattern changes.
    positions : ndarray, shape (transitions,)
        Arc length (input units, from the first vertex) of each transition.
    length : float
        Total arc length.
    """

    transitions: int
    positions: np.ndarray
    length: float


def trajectory_transitions(network: Network, points, closed: bool = False) -> Trajectory:
    """Exact number of activation-pattern transitions along the polyline through ``points``.

    The trajectory view of Raghu et al. (ICML 2017, Sec. 3): the number of
    transitions along a 1-D curve in input space measures how many regions
    (pattern changes) the curve crosses; a fine polyline approximates a
    smooth curve (a circle ``cos(t) p + sin(t) q``, say). Exact for the
    polyline itself: each edge is split at every breakpoint (as in
    :func:`line_intervals`), and a transition is counted wherever two
    consecutive pieces (across edges too) have different patterns.

    Parameters
    ----------
    points : array, shape (T, n)
        Vertices of the polyline (repeated consecutive vertices are skipped).
    closed : bool
        Also follow the edge from the last vertex back to the first.
    """
    if not isinstance(network, Network):
        raise TypeError(f"expected a regions.Network, got {type(network).__name__}")
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != network.input_dim or points.shape[0] < 2:
        raise DomainError(f"a trajectory needs points of shape (T >= 2, {network.input_dim}), "
                          f"got {points.shape}")
    if not np.all(np.isfinite(points)):
        raise DomainError("trajectory points must be finite")
    if closed:
        points = np.vstack([points, points[:1]])
    steps = np.diff(points, axis=0)
    lengths = np.linalg.norm(steps, axis=1)
    moving = lengths > 0
    if not np.any(moving):
        raise DomainError("trajectory points all coincide")
    starts, steps, lengths = points[:-1][moving], steps[moving], lengths[moving]
    offsets = np.concatenate([[0.0], np.cumsum(lengths)[:-1]])
    line, start, _, patterns = line_intervals(network, starts, steps / lengths[:, None],
                                              np.zeros(len(lengths)), lengths)
    change = np.any(patterns[1:] != patterns[:-1], axis=1)
    positions = offsets[line[1:]][change] + start[1:][change]
    return Trajectory(int(change.sum()), positions, float(lengths.sum()))


# --------------------------------------------------------------------------- Hanin-Rolnick density

@dataclass(frozen=True)
class DensityEstimate:
    """The Hanin-Rolnick style density estimate (see :func:`density_estimate`).

    Attributes
    ----------
    dim : int
        Working dimension ``n`` of the domain.
    lines : int
    total_length : float
        Summed chord length of the lines (input units).
    transitions : int
        Summed breakpoints (region changes) met by the lines.
    crossings_per_length : float
        ``lambda = transitions / total_length``.
    standard_error : float
        Delta-method standard error of ``lambda`` (lines are i.i.d.).
    boundary_density : float
        ``S = n kappa_n / (2 kappa_{n-1}) * lambda``: (n-1)-volume of region
        boundaries per unit volume (Crofton).
    regions_per_volume : float
        ``kappa_n (lambda / 2)^n``.
    volume : float or None
        Volume of the domain (box-shaped domains only).
    expected_regions : float or None
        ``sum_k kappa_k (lambda / 2)^k V_k(domain)`` (box-shaped domains
        only, ``V_k`` the intrinsic volumes: elementary symmetric
        polynomials of the side lengths).
    neurons : int
        Neurons with breakpoints (hard-tanh neurons count twice).
    """

    dim: int
    lines: int
    total_length: float
    transitions: int
    crossings_per_length: float
    standard_error: float
    boundary_density: float
    regions_per_volume: float
    volume: float | None
    expected_regions: float | None
    neurons: int

    @property
    def crossings_per_length_per_neuron(self) -> float:
        """``lambda / neurons``: Hanin and Rolnick predict it roughly independent of depth."""
        return self.crossings_per_length / self.neurons if self.neurons else 0.0


def density_estimate(network: Network, domain=None, lines: int = 1000, *, seed: int = 0,
                     min_radius: float = MIN_RADIUS) -> DensityEstimate:
    """Regions per unit volume from breakpoint counts along random lines (Hanin and Rolnick).

    Hanin and Rolnick ("Complexity of linear regions in deep networks", ICML
    2019; "Deep ReLU networks have surprisingly few activation patterns",
    NeurIPS 2019) show that the expected number of region boundaries a line
    segment crosses grows like (number of neurons) x (length), whatever the
    depth, and that the number of regions per unit volume grows like
    (number of neurons)^n. This function measures the first quantity and
    converts it into the second the way an isotropic random hyperplane
    arrangement would:

    1. ``lambda``: breakpoints per unit length along isotropic uniform random
       lines through the (bounded) domain, the ratio of total transitions to
       total chord length; exact counts per line (:func:`line_intervals`).
       This is a consistent estimator of the mean boundary-crossing density
       of the network's partition inside the domain.
    2. By the Cauchy-Crofton formula the (n-1)-volume of the region
       boundaries per unit volume of the domain is
       ``S = n kappa_n / (2 kappa_{n-1}) * lambda`` (``kappa_j`` the volume
       of the unit j-ball; ``S = 2 lambda`` in 3-D, ``pi lambda / 2`` in 2-D).
       This step is exact in expectation: no model assumed.
    3. ``regions_per_volume = kappa_n (lambda / 2)^n`` is the number of cells
       per unit volume of a stationary isotropic Poisson hyperplane
       tessellation with the same ``lambda`` (its vertex intensity), and
       ``expected_regions = sum_k kappa_k (lambda/2)^k V_k(K)`` is that
       tessellation's expected number of cells meeting the box ``K``
       (boundary regions included; Hadwiger's theorem fixes the constants
       from the k-dimensional case). This step is a model: it is what
       "regions per unit volume from line crossings" means, not a bound.
       In 1-D it is exact: ``1 + lambda L``, the count along the segment.

    Needs a bounded domain (raises :class:`~regions.errors.DomainError`).
    """
    domain = resolve(domain, network)
    if not domain.is_bounded:
        raise DomainError("the density estimate needs a bounded domain (a box, a bounded "
                          "polytope or a bounded slice)")
    counts = regions_along_lines(network, domain, lines, seed=seed, min_radius=min_radius)
    n = domain.dim
    crossings = (counts.counts - 1).astype(np.float64)
    total = float(counts.lengths.sum())
    lam = float(crossings.sum()) / total
    residual = crossings - lam * counts.lengths
    error = float(np.sqrt(np.sum(residual ** 2))) / total
    boundary = n * _ball_volume(n) / (2.0 * _ball_volume(n - 1)) * lam
    per_volume = _ball_volume(n) * (lam / 2.0) ** n
    volume = expected = None
    if is_box(domain):
        sides = domain.upper - domain.lower
        volume = float(np.prod(sides))
        elementary = np.poly(-sides)   # e_k(sides): coefficient k of prod (x + s_i)
        expected = float(sum(_ball_volume(k) * (lam / 2.0) ** k * elementary[k]
                             for k in range(n + 1)))
    neurons = sum(layer.width * len(layer.breakpoints) for layer in network.layers)
    return DensityEstimate(n, counts.lines, total, int(crossings.sum()), lam, error, boundary,
                           per_volume, volume, expected, neurons)


def _ball_volume(j: int) -> float:
    return math.pi ** (j / 2.0) / math.gamma(j / 2.0 + 1.0)


# --------------------------------------------------------------------------- helpers

def _positive(value, name: str) -> int:
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


def _center(domain: Domain) -> np.ndarray:
    if domain.A.shape[0] == 0:
        return np.zeros(domain.dim)
    return LPSolver().chebyshev(domain.A, domain.c).center


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


def _unique_rows(patterns: np.ndarray) -> np.ndarray:
    if patterns.shape[0] == 0:
        return patterns
    _, index = np.unique(_pattern_keys(patterns), return_index=True)
    return patterns[np.sort(index)]
