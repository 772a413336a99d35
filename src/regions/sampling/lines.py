"""Exact region counts along lines, segments and polylines (piecewise-linear root finding)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from flint import fmpq, fmpq_mat

from ..domain import Domain, resolve
from ..errors import DomainError
from ..exact_numbers import float_of
from ..network import Network
from ..rounding import overflow_expected
from ..rational import column, fraction, matrix
from ..tolerances import MIN_RADIUS
from .patterns import unique_rows
from .points import positive_count, random_lines
from .sweep import line_pieces

__all__ = ["LineCounts", "regions_on_segments", "regions_on_lines", "regions_along_lines",
           "to_input", "exact_chords", "line_intervals", "Trajectory", "trajectory_transitions"]


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
    thin : int
        Pieces (regions met, counted in ``counts``) no longer than ``2 min_radius``
        times the chord's half-length (``min_radius`` on a whole line): a report of
        how thin the regions along the lines get, not a correction.
    exact_lines : int
        Lines whose float64 sweep an error bound could not certify, swept again in
        rational arithmetic (degenerate lines: concurrent or duplicate hyperplanes).
    seconds : float
    """

    counts: np.ndarray
    lengths: np.ndarray
    distinct: int
    patterns: np.ndarray
    thin: int
    exact_lines: int
    seconds: float

    @property
    def lines(self) -> int:
        return int(self.counts.size)

    @property
    def transitions(self) -> int:
        """Total number of region changes over all lines."""
        return int(np.sum(self.counts - 1))


def _point_pairs(network: Network, first, second, what: str):
    """Two arrays of input points, each ``(K, n)`` (or ``(n,)``), checked against ``network``."""
    if not isinstance(network, Network):
        raise TypeError(f"expected a regions.Network, got {type(network).__name__}")
    first = np.atleast_2d(np.asarray(first, dtype=np.float64))
    second = np.atleast_2d(np.asarray(second, dtype=np.float64))
    if first.shape != second.shape or first.shape[1] != network.input_dim:
        raise DomainError(f"{what} must both have shape (K, {network.input_dim}), got "
                          f"{first.shape} and {second.shape}")
    return first, second


@overflow_expected
def regions_on_segments(network: Network, starts, ends, *,
                        min_radius: float = MIN_RADIUS) -> LineCounts:
    """Exact number of regions along each segment ``starts[k] -> ends[k]`` (input coordinates).

    ``starts``, ``ends`` : arrays of shape ``(K, n)`` (or ``(n,)`` for one
    segment). Counts what ``regions.enumerate_regions(network, regions.segment(p0,
    p1))`` counts, by a different algorithm (breakpoints of the
    piecewise-linear pre-activations, layer by layer, in rational arithmetic, no
    LP). ``min_radius`` only decides which pieces ``LineCounts.thin`` reports.
    """
    starts, ends = _point_pairs(network, starts, ends, "segment ends")
    lengths = np.linalg.norm(ends - starts, axis=1)
    if np.any(np.all(ends == starts, axis=1)) or not np.all(np.isfinite(lengths)):
        raise DomainError("segments must have distinct, finite end points")
    origins = matrix(starts.T)
    K = len(lengths)
    return _count_on_chords(network, origins, matrix(ends.T) - origins, [fmpq(0)] * K,
                            [fmpq(1)] * K, lengths, min_radius)


@overflow_expected
def regions_on_lines(network: Network, points, directions, *,
                     min_radius: float = MIN_RADIUS) -> LineCounts:
    """Exact number of regions along each whole line ``points[k] + t directions[k]``, t in R.

    ``points``, ``directions`` : arrays of shape ``(K, n)`` (or ``(n,)``),
    input coordinates. Counts what ``regions.enumerate_regions(network,
    regions.line(p, p + u))`` counts.
    """
    points, directions = _point_pairs(network, points, directions, "line points and directions")
    if np.any(np.all(directions == 0, axis=1)) or not (
            np.all(np.isfinite(directions)) and np.all(np.isfinite(points))):
        raise DomainError("lines need finite points and non-zero finite directions")
    K = points.shape[0]
    return _count_on_chords(network, matrix(points.T), matrix(directions.T), [None] * K,
                            [None] * K, np.linalg.norm(directions, axis=1), min_radius)


@overflow_expected
def regions_along_lines(network: Network, domain=None, lines: int = 200, *, seed: int = 0,
                        min_radius: float = MIN_RADIUS) -> LineCounts:
    """Exact region counts along ``lines`` random lines of ``domain`` (see :func:`random_lines`).

    On a bounded domain each line is counted on its chord (computed exactly); on an
    unbounded one, along its whole extent in the domain (whole lines in all of R^n).
    """
    domain = resolve(domain, network)
    rng = np.random.default_rng(seed)
    p, u, _, _ = random_lines(domain, positive_count(lines, "lines"), rng)
    points, directions = matrix(p.T), matrix(u.T)
    lo, hi = exact_chords(domain, points, directions)
    origins, directions = to_input(domain, points, directions)
    return _count_on_chords(network, origins, directions, lo, hi,
                            np.linalg.norm(u @ domain.basis.T, axis=1), min_radius)


def to_input(domain: Domain, points: fmpq_mat, directions: fmpq_mat):
    """Lines ``points + t directions`` of working coordinates (fmpq_mat, (dim, K)) as
    exact input-space lines ``(origins, directions)``, each (n, K)."""
    basis = domain.exact_basis()
    origins = basis * points
    origin = column(domain.origin)
    count = points.ncols()
    origins += fmpq_mat(origin.nrows(), count,
                        [origin[i, 0] for i in range(origin.nrows()) for _ in range(count)])
    return origins, basis * directions


def exact_chords(domain: Domain, points: fmpq_mat, directions: fmpq_mat):
    """Exact parameter range ``(lo, hi)`` (lists of fmpq, ``None`` unbounded) of each line
    ``points + t directions`` (working coordinates, fmpq_mat (dim, K)) inside ``A z <= b``;
    an empty chord comes back as ``(0, 0)``."""
    rows = matrix(domain.A)
    bounds = column(domain.b)
    slopes = rows * directions
    at_zero = rows * points
    lo, hi = [], []
    for k in range(points.ncols()):
        low = high = None
        for i in range(rows.nrows()):
            slope, slack = slopes[i, k], bounds[i, 0] - at_zero[i, k]
            if slope == 0:
                if slack < 0:       # outside a face parallel to the line: empty chord
                    low, high = fmpq(0), fmpq(0)
                    break
                continue
            t = slack / slope
            if slope > 0:
                high = t if high is None or t < high else high
            else:
                low = t if low is None or t > low else low
        lo.append(low), hi.append(high)
    return lo, hi


def _count_on_chords(network, origins, directions, lo, hi, speeds, min_radius) -> LineCounts:
    """Count the pieces of the exact lines ``origins + t directions`` (fmpq_mat, (n, K)),
    ``lo[k] < t < hi[k]`` (fmpq, ``None`` unbounded); ``speeds`` (K,): input length per
    unit of ``t``."""
    started = time.perf_counter()
    line, _, _, width, patterns, exact_lines = line_pieces(network, origins, directions, lo, hi)
    speeds = np.asarray(speeds, dtype=np.float64)
    lengths = speeds * np.array([np.inf if a is None or b is None else float_of(b - a)
                                 for a, b in zip(lo, hi)])
    # Thin pieces (input length at most 2 min_radius times the chord's half-length, or
    # min_radius on a whole line) are reported, never dropped.
    scale = np.where(np.isfinite(lengths), lengths / 2.0, 1.0)
    thin = int(np.count_nonzero(
        width * speeds[line] <= 2.0 * float(min_radius) * scale[line]))
    distinct = unique_rows(patterns)
    return LineCounts(np.bincount(line, minlength=len(lo)), lengths, len(distinct), distinct,
                      thin, exact_lines, time.perf_counter() - started)


@overflow_expected
def line_intervals(network: Network, origins, directions, lo, hi):
    """Partition each line ``origins[k] + t directions[k]``, ``lo[k] < t < hi[k]``, into pieces.

    Exact 1-D computation in rational arithmetic (every float64 is a rational): on a
    piece the input of layer ``l`` is affine in ``t``, ``h = a t + c``, so each
    breakpoint of each neuron is crossed at most once there, at
    ``t = (breakpoint - w.c - b) / (w.a)``; pieces are split at those roots (equal
    roots are one point: concurrent hyperplanes) and the states on each new piece
    give the next layer's affine input.

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
        Parameter range of each piece (``start < stop`` exactly; the float64 values
        shown are rounded).
    patterns : ndarray, shape (I, P), int8
        Activation pattern on each piece.
    """
    origins = np.atleast_2d(np.asarray(origins, dtype=np.float64))
    directions = np.atleast_2d(np.asarray(directions, dtype=np.float64))
    line, start, stop, _, patterns, _ = line_pieces(
        network, matrix(origins.T), matrix(directions.T), _ends(lo), _ends(hi))
    return line, start, stop, patterns


def _ends(values) -> list:
    """Parameter bounds as exact fmpq, ``None`` where infinite."""
    return [fraction(v) if np.isfinite(v) else None for v in np.ravel(values)]


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


@overflow_expected
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
    moving = np.any(points[1:] != points[:-1], axis=1)
    if not np.any(moving):
        raise DomainError("trajectory points all coincide")
    starts, ends = points[:-1][moving], points[1:][moving]
    lengths = np.linalg.norm(ends - starts, axis=1)
    offsets = np.concatenate([[0.0], np.cumsum(lengths)[:-1]])
    origins = matrix(starts.T)
    K = len(lengths)
    line, start, _, _, patterns, _ = line_pieces(
        network, origins, matrix(ends.T) - origins, [fmpq(0)] * K, [fmpq(1)] * K)
    change = np.any(patterns[1:] != patterns[:-1], axis=1)
    positions = offsets[line[1:]][change] + start[1:][change] * lengths[line[1:]][change]
    return Trajectory(int(change.sum()), positions, float(lengths.sum()))
