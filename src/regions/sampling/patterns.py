"""Distinct activation patterns among random points: a lower bound on the region count.

A point's pattern comes from the float64 forward pass, the fast path for millions of
points, with a rigorous bound on every pre-activation's error (Higham's ``gamma_n``, the
bounds of ``regions.rounding``, carried from layer to layer). Where a bound does not
certify a state (a point within rounding of a breakpoint, weights whose products cancel,
a pass that overflows), the point's pattern is decided exactly
(``regions.polyhedra.patterns_at``). So every pattern counted is a point's exact
pattern. The one way to count a pattern of no region is a point exactly on a breakpoint,
whose states follow the tie rule of ``regions.network.neuron_states``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from ..domain import resolve
from ..errors import RegionsError
from ..network import Network, max_states, neuron_states, state_slope_offset
from ..polyhedra import patterns_at
from ..predicates import Decisions, matrix_error
from ..rounding import (UNIT_ROUNDOFF, affine_enclosure, evaluation_bound, overflow_expected,
                        scaled_enclosure)
from ..tolerances import CHUNK
from .points import positive_count, sample_points

__all__ = ["CHUNK", "PatternSample", "distinct_patterns", "unique_rows"]


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


@overflow_expected
def distinct_patterns(network: Network, domain=None, samples: int = 1_000_000, *,
                      seed: int = 0, sizes=None) -> PatternSample:
    """Count distinct activation patterns among ``samples`` random points of ``domain``.

    Points are drawn by :func:`sample_points` (uniform on a bounded domain,
    scale-free on an unbounded one; default domain: all of R^n). The result does not
    exceed the exact count (see :mod:`regions.sampling.patterns` for the caveat of points
    exactly on a breakpoint) and converges to it as ``samples`` grows.

    Parameters
    ----------
    sizes : sequence of int, optional
        Sample sizes at which to report the curve; default powers of two up
        to ``samples``, and ``samples``.
    """
    domain = resolve(domain, network)
    samples = positive_count(samples, "samples")
    if sizes is None:
        sizes = [2 ** k for k in range(int(math.log2(samples)) + 1) if 2 ** k < samples]
        sizes.append(samples)
    sizes = np.unique(np.asarray(sizes, dtype=np.int64))
    if sizes.size == 0 or sizes[0] < 1 or sizes[-1] > samples:
        raise RegionsError(f"sizes must lie in [1, {samples}]")
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    decisions = None
    first_seen: dict = {}
    patterns = []
    for offset in range(0, samples, CHUNK):
        k = min(CHUNK, samples - offset)
        z = sample_points(domain, k, rng)
        pattern, certain = certified_patterns(network, domain, z)
        if not certain.all():
            decisions = decisions or Decisions(network, domain)
            pattern[~certain] = patterns_at(network, domain, z[~certain], decisions)
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


def certified_patterns(network: Network, domain, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The float64 forward pass's activation patterns of working-coordinate points ``z``
    (k, dim), ``(k, P)`` int8, and whether error bounds certify every state, ``(k,)`` bool
    (where they do, the pattern is the point's exact pattern).

    The first layer's pre-activations (with the domain's embedding, one exact map) err by
    at most :func:`evaluation_bound`; a later layer's by at most :func:`affine_enclosure`'s
    bound, from the error of its input. A state is certified where the value is farther
    from each breakpoint than its bound (a max unit's where its winner exceeds every other
    input by more than both bounds), and the output ``slope * value + offset`` then errs by
    at most :func:`scaled_enclosure`'s bound. A bound that is not finite certifies
    nothing."""
    k = z.shape[0]
    certain = np.ones(k, dtype=bool)
    states, h, error = [], z, None
    for index, layer in enumerate(network.layers):
        W, b = layer.weight, layer.bias
        if index == 0:   # the domain's embedding and the first layer, as one exact map
            rows, offsets = W @ domain.basis, W @ domain.origin + b
            value = h @ rows.T + offsets
            bound = evaluation_bound(rows, offsets, matrix_error(
                W, domain.basis, domain.origin, b, domain.basis_error()), h)
        else:
            value, bound = affine_enclosure(h, error, W, b)
        # a difference from a breakpoint or between two values rounds too
        bound *= 1.0 + 4.0 * UNIT_ROUNDOFF
        if layer.activation == "identity":
            certain &= np.all(np.isfinite(bound), axis=1)
            h, error = value, bound
            continue
        if layer.activation == "max":
            state = max_states(value, layer.windows)
            chosen = layer.windows[np.arange(layer.width), state.astype(np.int64)]
            h = np.take_along_axis(value, chosen, axis=1)
            error = np.take_along_axis(bound, chosen, axis=1)
            for unit, size in enumerate(layer.window_sizes.tolist()):
                for position in range(size):
                    other = layer.windows[unit, position]
                    certain &= ((chosen[:, unit] == other)
                                | (h[:, unit] - value[:, other] > error[:, unit] + bound[:, other]))
        else:
            state = neuron_states(value, layer.activation)
            for breakpoint in layer.breakpoints:
                certain &= np.all(np.abs(value - breakpoint) > bound, axis=1)
            slope, offset = state_slope_offset(state, layer)
            h, error = scaled_enclosure(slope, value, bound, offset)
        states.append(state)
    pattern = (np.concatenate(states, axis=1) if states else np.zeros((k, 0), dtype=np.int8))
    return pattern, certain


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


def unique_rows(patterns: np.ndarray) -> np.ndarray:
    if patterns.shape[0] == 0:
        return patterns
    _, index = np.unique(_pattern_keys(patterns), return_index=True)
    return patterns[np.sort(index)]
