"""Small networks written by hand in the tests: weights as nested lists or arrays."""

import numpy as np

import regions

__all__ = ["network", "one_layer"]


def network(layers, activations=None) -> regions.Network:
    """A network from ``[(W, b), ...]`` (default activations: relu hidden layers, identity
    output)."""
    return regions.Network.from_layers(
        [(np.asarray(W, float), np.asarray(b, float)) for W, b in layers], activations)


def one_layer(W, b, activation="relu", out=None, out_bias=0.0) -> regions.Network:
    """``out . activation(W x + b) + out_bias``: one hidden layer of ``len(b)`` neurons, whose
    breakpoints are the hyperplanes ``W x + b = 0`` (and ``= +-1`` for hardtanh); ``out``
    (default all ones, the sum) is the identity output's one row."""
    W = np.asarray(W, float)
    out = np.ones(W.shape[0]) if out is None else out
    return network([(W, b), ([out], [out_bias])], [activation, "identity"])
