"""Distinct activation patterns among random points: a lower bound on the region count.

A point's pattern comes from the float64 forward pass, the fast path for millions of
points. Where that pass overflows (a value of inf or NaN at some layer: weights near the
end of float64's range), the point's pattern is decided exactly instead
(:func:`regions.polyhedra.patterns_at`). The caveat: a point within rounding of a breakpoint
may take a neighbouring region's pattern, or, where hyperplanes meet, a pattern of no
region; such points are rare (the breakpoints have measure zero) and the count is a
lower bound in every other case.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from ..domain import resolve
from ..errors import RegionsError
from ..network import Network
from ..polyhedra import patterns_at
from ..predicates import Decisions
from ..rounding import overflow_expected
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
    within rounding of a breakpoint) and converges to it as ``samples`` grows.

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
        pattern, finite = network.float_patterns(domain.to_input(z))
        if not finite.all():
            decisions = decisions or Decisions(network, domain)
            pattern[~finite] = patterns_at(network, domain, z[~finite], decisions)
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


def unique_rows(patterns: np.ndarray) -> np.ndarray:
    if patterns.shape[0] == 0:
        return patterns
    _, index = np.unique(_pattern_keys(patterns), return_index=True)
    return patterns[np.sort(index)]
