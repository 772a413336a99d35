"""Exact region counts along lines, segments and polylines (piecewise-linear root finding)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..domain import resolve
from ..errors import DomainError
from ..network import Network, neuron_states, state_slope_offset
from ..tolerances import MIN_RADIUS
from .patterns import unique_rows
from .points import positive_count, random_lines


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


def regions_on_segments(network: Network, starts, ends, *,
                        min_radius: float = MIN_RADIUS) -> LineCounts:
    """Exact number of regions along each segment ``starts[k] -> ends[k]`` (input coordinates).

    ``starts``, ``ends`` : arrays of shape ``(K, n)`` (or ``(n,)`` for one
    segment). Counts what ``regions.enumerate_regions(network, regions.segment(p0,
    p1))`` counts, by a different algorithm (breakpoints of the
    piecewise-linear pre-activations, layer by layer, no LP).
    """
    starts, ends = _point_pairs(network, starts, ends, "segment ends")
    lengths = np.linalg.norm(ends - starts, axis=1)
    if np.any(lengths == 0) or not np.all(np.isfinite(lengths)):
        raise DomainError("segments must have distinct, finite end points")
    return _count_on_chords(network, starts, (ends - starts) / lengths[:, None],
                            np.zeros(len(lengths)), lengths, min_radius)


def regions_on_lines(network: Network, points, directions, *,
                     min_radius: float = MIN_RADIUS) -> LineCounts:
    """Exact number of regions along each whole line ``points[k] + t directions[k]``, t in R.

    ``points``, ``directions`` : arrays of shape ``(K, n)`` (or ``(n,)``),
    input coordinates. Counts what ``regions.enumerate_regions(network,
    regions.line(p, p + u))`` counts.
    """
    points, directions = _point_pairs(network, points, directions, "line points and directions")
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
    p, u, lo, hi = random_lines(domain, positive_count(lines, "lines"), rng)
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
    distinct = unique_rows(patterns)
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
