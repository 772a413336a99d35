"""1-D dynamics: the laps of a network ``f : R -> R`` iterated on an interval it maps into
itself, and the topological entropy they estimate.

``f^k`` (``f`` composed ``k`` times) is itself a network, ``k`` copies of ``f``'s layers
one after the other, so its linear regions on the interval are enumerated exactly like any
1-D partition. A *lap* is a maximal interval on which ``f^k`` is monotone; by Misiurewicz
and Szlenk the topological entropy of a piecewise-monotone interval map is
``lim log(laps(f^k)) / k``. The estimate is printed beside the upper bound that depth and
width give: on R a layer of ``m`` neurons with ``b`` breakpoints each multiplies the number
of linear pieces by at most ``1 + b m``, so ``log laps(f^k) / k <= sum over layers of
log(1 + b m)`` (``O(l log m)`` for ``l`` layers of ``m`` units).

Beside the laps, the *oscillations* of each iterate are counted as Telgarsky's crossings
of a level ``y``: the number of times ``f^k - y`` changes sign along the interval (a
touch without a change does not count). ``f^k`` is linear between breakpoints, so the
signs at the ends of its linear regions decide it exactly. The tent map crosses ``1/2``
``2^k`` times; a map with ``c`` crossings needs depth or width, and iterating multiplies
them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..domain import box
from ..enumeration import enumerate_regions
from ..errors import RegionsError
from .geometry import interval_complex
from ..network import Network, require_elementwise
from ..rational import RationalMaps, exact_forward, float64_values, float_of, fraction

__all__ = ["iterate", "laps", "crossings", "region_ends", "exact_end_values", "self_map_range",
           "entropy_bound", "EntropyReport", "entropy"]

#: What a value of ``f`` beyond float64 is, in its refusal
#: (:func:`regions.rational.float64_values`).
_AT_AN_END = "a value of f at an end of a linear region"


def iterate(network: Network, times: int) -> Network:
    """``f^times``: the layers of a network ``R -> R`` repeated ``times`` times.

    >>> import regions
    >>> tent = regions.Network.from_layers([([[1.0], [1.0]], [0.0, -0.5]), ([[2.0, -4.0]], [0.0])])
    >>> iterate(tent, 3).forward([[0.1], [0.3]]).round(12).ravel().tolist()
    [0.8, 0.4]
    """
    if network.input_dim != 1 or network.output_dim != 1:
        raise RegionsError(f"iterating needs a network R -> R, not R^{network.input_dim} -> "
                           f"R^{network.output_dim}")
    if times < 1:
        raise RegionsError(f"iterations must be at least 1, got {times}")
    return Network(list(network.layers) * times)


def laps(network: Network, lo: float, hi: float) -> tuple[int, int]:
    """``(laps, regions)`` of a network ``R -> R`` on ``[lo, hi]``: its maximal monotone
    pieces, and its linear regions there (a flat piece joins its neighbours)."""
    return _laps(enumerate_regions(network, box(lo, hi)))


def _laps(part) -> tuple[int, int]:
    """:func:`laps` of an enumerated 1-D partition: the exact slope of each region, in
    order along the domain (flat regions join their neighbours)."""
    maps = RationalMaps(part.network, part.domain)
    order = np.argsort(part.witnesses[:, 0])
    slopes = [maps.output_map(part.patterns[i])[0][0, 0] for i in order]
    signs = [(s > 0) - (s < 0) for s in slopes if s != 0]
    turns = sum(1 for a, b in zip(signs, signs[1:]) if a != b)
    return turns + 1, len(part)


def crossings(part, level: float) -> int:
    """Sign changes of ``f - level`` along an enumerated 1-D partition of a network
    ``R -> R``, exactly (values exactly at the level do not change the sign).

    >>> import regions
    >>> tent = regions.Network.from_layers([([[1.0], [1.0]], [0.0, -0.5]), ([[2.0, -4.0]], [0.0])])
    >>> crossings(regions.enumerate_regions(tent, regions.box(0, 1)), 0.5)
    2
    """
    exact_level = fraction(level)
    signs = [(v > exact_level) - (v < exact_level) for v in exact_end_values(part)]
    signs = [s for s in signs if s != 0]
    return sum(1 for a, b in zip(signs, signs[1:]) if a != b)


def region_ends(part) -> tuple[np.ndarray, np.ndarray]:
    """The ends of the linear regions of a 1-D partition, in order along it, and the
    network's first output there: ``(t (k,), values (k,))`` (rounded from the exact ones)."""
    return interval_complex(part).breakpoints, np.array(float64_values(
        exact_end_values(part), _AT_AN_END))


def exact_end_values(part) -> list:
    """The network's first output at the ends of the linear regions, exactly, in order."""
    maps = RationalMaps(part.network, part.domain)
    return [exact_forward(maps, [fraction(t)])[1][0]
            for t in interval_complex(part).rational_breakpoints]


def self_map_range(part) -> tuple[float, float]:
    """The range of a network ``R -> R`` over an enumerated 1-D partition (its extremes lie
    at the ends of the linear regions: found exactly, rounded to float64)."""
    values = exact_end_values(part)
    lowest, highest = float64_values([min(values), max(values)], _AT_AN_END)
    return lowest, highest


def entropy_bound(network: Network) -> float:
    """``sum over non-identity layers of log(1 + breakpoints * width)``: the bound on
    ``log laps(f^k) / k`` from depth and width (see the module docstring)."""
    return sum(math.log(1 + len(layer.breakpoints) * layer.width) for layer in network.layers
               if layer.activation != "identity")


@dataclass(frozen=True)
class EntropyReport:
    """Laps of the iterates ``f, f^2, ..., f^K`` on an interval, and the entropy estimate.

    ``laps[k - 1]``, ``regions[k - 1]``, ``crossings[k - 1]`` (of ``level``: the
    oscillations, see ``crossings``) and ``estimates[k - 1] = log(laps) / k`` belong
    to ``f^k``; ``bound`` is ``entropy_bound``.

    Examples
    --------
    >>> import regions
    >>> tent = regions.Network.from_layers([([[1.0], [1.0]], [0.0, -0.5]), ([[2.0, -4.0]], [0.0])])
    >>> report = regions.entropy(tent, 0.0, 1.0, iterations=3)
    >>> report.laps
    [2, 4, 8]
    """

    interval: tuple[float, float]
    laps: list
    regions: list
    estimates: list
    bound: float
    level: float
    crossings: list


def entropy(network: Network, lo: float, hi: float, iterations: int,
            level: float | None = None, *, progress=None) -> EntropyReport:
    """Laps, oscillations and the entropy estimate of ``f`` on ``[lo, hi]`` for
    ``k = 1, ..., iterations`` (at least 1); oscillations are the crossings of ``level``
    (default the interval's midpoint). ``progress`` is passed to each enumeration
    (:func:`regions.enumerate_regions`).

    The tent map ``2 relu(x) - 4 relu(x - 1/2)`` on ``[0, 1]`` has ``2^k`` laps and
    entropy ``log 2``:

    >>> import regions
    >>> tent = regions.Network.from_layers([([[1.0], [1.0]], [0.0, -0.5]), ([[2.0, -4.0]], [0.0])])
    >>> report = entropy(tent, 0.0, 1.0, 4)
    >>> report.laps, [round(e / math.log(2), 12) for e in report.estimates]
    ([2, 4, 8, 16], [1.0, 1.0, 1.0, 1.0])
    >>> report.crossings                      # of 1/2
    [2, 4, 8, 16]
    """
    require_elementwise(network, "topological entropy")
    if not hi > lo:
        raise RegionsError(f"the interval [{lo}, {hi}] is empty")
    if not iterations >= 1:
        raise RegionsError(f"iterations must be at least 1, got {iterations}")
    once = enumerate_regions(iterate(network, 1), box(lo, hi), progress=progress)
    values = exact_end_values(once)
    if min(values) < fraction(lo) or max(values) > fraction(hi):
        raise RegionsError(f"f does not map [{lo:g}, {hi:g}] into itself: its range there is "
                           f"[{float_of(min(values)):.6g}, {float_of(max(values)):.6g}]")
    level = (lo + hi) / 2.0 if level is None else float(level)
    if not math.isfinite(level):
        raise RegionsError(f"the level must be a finite number, got {level}")
    counts, regions, crossed = [], [], []
    for k in range(1, iterations + 1):
        part = once if k == 1 else enumerate_regions(iterate(network, k), box(lo, hi),
                                                     progress=progress)
        found, total = _laps(part)
        counts.append(found)
        regions.append(total)
        crossed.append(crossings(part, level))
    estimates = [math.log(c) / k for k, c in enumerate(counts, start=1)]
    return EntropyReport((lo, hi), counts, regions, estimates, entropy_bound(network), level,
                         crossed)
