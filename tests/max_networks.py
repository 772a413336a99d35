"""Networks with max layers (max pooling, maxout) shared by the tests: builders only, no
truths (the truths are in ``rational_oracle``, closed forms and hand-worked cases)."""

from __future__ import annotations

import math

import numpy as np

import regions


def max_net(layers, activations, windows):
    return regions.Network.from_layers(layers, activations, windows=windows)


def random_maxout(seed: int, widths=(2, 3, 3), rank: int = 2, tail: str = "relu"):
    """[n -> units maxout units of ``rank`` -> ``tail`` layer of ``hidden`` -> 1]; a ``max``
    tail is one unit over its ``hidden`` pre-activations."""
    rng = np.random.default_rng(seed)
    n, units, hidden = widths
    windows = {0: [[g * rank + i for i in range(rank)] for g in range(units)]}
    if tail == "max":
        windows[1] = [list(range(hidden))]
    out = 1 if tail == "max" else hidden
    return max_net([(rng.normal(size=(units * rank, n)), rng.normal(size=units * rank)),
                    (rng.normal(size=(hidden, units)), rng.normal(size=hidden)),
                    (rng.normal(size=(1, out)), np.zeros(1))],
                   ["max", tail, "identity"], windows)


def pooled(seed: int):
    """[2 -> relu 4 -> max over overlapping and ragged windows -> 1] (max pooling)."""
    rng = np.random.default_rng(seed)
    return max_net([(rng.normal(size=(4, 2)), rng.normal(size=4) * 0.5),
                    (np.eye(4), np.zeros(4)),
                    (np.ones((1, 3)), np.zeros(1))],
                   ["relu", "max", "identity"], {1: [[0, 1, -1], [1, 2, 3], [3, -1, -1]]})


def convex_fan(k: int, point=(0.3, -0.2)):
    """max_i a_i . (x - point) with a_i on the unit circle: every a_i is a vertex of the
    gradients' convex hull, so each function is the largest on a cone: k regions."""
    angles = 2 * math.pi * np.arange(k) / k + 0.1
    A = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return max_net([(A, -A @ np.asarray(point)), (np.ones((1, 1)), np.zeros(1))],
                   ["max", "identity"], {0: [list(range(k))]})


def exact_fan(gradients, point=(0, 0)):
    """max_i g_i . (x - point) for integer gradients ``g_i`` and an integer ``point``: every
    number is exact, so the k lines meet exactly at ``point`` (``convex_fan``'s rounded
    ones miss it by a rounding)."""
    G = np.asarray(gradients, dtype=np.float64)
    return max_net([(G, -G @ np.asarray(point, dtype=np.float64)),
                    (np.ones((1, 1)), np.zeros(1))], ["max", "identity"],
                   {0: [list(range(len(G)))]})
