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


def assorted_max_net(seed: int):
    """A small random network with a max layer, from a family that hits the degenerate
    cases: 1 to 3 inputs; integer weights on odd seeds (exact ties), Gaussian on even;
    a duplicated input (seed % 3 == 0); random windows of 1 to all inputs, overlapping;
    a ReLU layer before the pool, often dead (seed % 4 == 1); a ReLU layer after it on
    even seeds."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3)) + (1 if seed % 5 == 0 else 0)
    h = int(rng.integers(2, 5))
    integer = seed % 2 == 1
    W = rng.integers(-2, 3, size=(h, n)).astype(float) if integer else rng.normal(size=(h, n))
    b = rng.integers(-2, 3, size=h) / 2 if integer else rng.normal(size=h)
    if seed % 3 == 0:
        W[-1], b[-1] = W[0], b[0]
    windows = [list(rng.choice(h, size=int(rng.integers(1, h + 1)), replace=False))
               for _ in range(int(rng.integers(1, 4)))]
    if seed % 4 == 1:
        layers = [(rng.normal(size=(h, n)), rng.normal(size=h) - (1.5 if seed % 8 == 1 else 0)),
                  (np.eye(h), np.zeros(h))]
        activations, pool = ["relu", "max"], {1: windows}
    else:
        layers, activations, pool = [(W, b)], ["max"], {0: windows}
    if seed % 2 == 0:
        layers.append((rng.normal(size=(2, len(windows))), rng.normal(size=2)))
        activations.append("relu")
    layers.append((rng.normal(size=(1, layers[-1][0].shape[0] if seed % 2 == 0
                                     else len(windows))), np.zeros(1)))
    activations.append("identity")
    return max_net(layers, activations, pool)
