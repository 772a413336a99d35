"""Seeded random networks: the initialisation used by the benchmarks and the shared tables.

Weights are N(0, 2 / fan_in) (He), biases N(0, 0.1^2), drawn from
``numpy.random.default_rng(seed)`` layer by layer, W then b.
"""

from __future__ import annotations

import numpy as np

from .network import Network

__all__ = ["random_network"]


def random_network(widths, seed: int = 0, activation: str = "relu",
                   bias_std: float = 0.1) -> Network:
    """A random network with layer widths ``widths = [n_in, n_1, ..., n_out]``.

    Every hidden layer gets ``activation``; the last layer is ``identity``.
    """
    rng = np.random.default_rng(seed)
    pairs = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        weight = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_out, fan_in))
        bias = rng.normal(0.0, bias_std, size=fan_out)
        pairs.append((weight, bias))
    activations = [activation] * (len(pairs) - 1) + ["identity"]
    return Network.from_layers(pairs, activations)
