"""Networks built from arrays: validation (bad layers, slopes, points, transposed weights),
activation names, and the forward pass and activation patterns against an independent
forward pass written out here and ``oracles.true_patterns``, ties included."""

import numpy as np
import pytest

import regions

import oracles
from oracles import random_net


def pairs_of(widths, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(o, i)), rng.normal(size=o)) for i, o in zip(widths[:-1], widths[1:])]


def test_error_hierarchy():
    for cls in (regions.NetworkError, regions.DomainError, regions.FileFormatError):
        assert issubclass(cls, regions.RegionsError) and issubclass(cls, ValueError)


BAD_LAYERS = {
    "chain mismatch": (pairs_of([2, 3, 1])[:1] + [(np.ones((1, 4)), np.zeros(1))], None),
    "bias length": ([(np.ones((3, 2)), np.zeros(2)), (np.ones((1, 3)), np.zeros(1))], None),
    "bias 2-D": ([(np.ones((3, 2)), np.zeros((3, 1))), (np.ones((1, 3)), np.zeros(1))], None),
    "weight 1-D": ([(np.ones(3), np.zeros(3))], ["identity"]),
    "weight 3-D": ([(np.ones((3, 2, 1)), np.zeros(3))], ["identity"]),
    "empty weight": ([(np.ones((0, 2)), np.zeros(0))], ["identity"]),
    "nan weight": ([(np.array([[np.nan, 1.0]]), np.zeros(1)), (np.ones((1, 1)), np.zeros(1))],
                   None),
    "inf bias": ([(np.ones((1, 2)), np.array([np.inf])), (np.ones((1, 1)), np.zeros(1))], None),
    "unknown activation": (pairs_of([2, 3, 1]), ["sigmoid", "identity"]),
    "too many activations": (pairs_of([2, 3, 1]), ["relu", "relu", "identity"]),
    "too few activations": (pairs_of([2, 3, 1]), ["relu"]),
    "string weights": ([(np.array([["a", "b"]]), np.zeros(1))], ["identity"]),
    "ragged weights": ([([[1.0, 2.0], [3.0]], np.zeros(2))], ["identity"]),
    "not a pair": ([(np.ones((1, 2)),)], ["identity"]),
    "no layers": ([], []),
}


@pytest.mark.parametrize("case", sorted(BAD_LAYERS))
def test_bad_layers_raise_network_error(case):
    layers, activations = BAD_LAYERS[case]
    with pytest.raises(regions.NetworkError):
        regions.Network.from_layers(layers, activations)


def test_bad_leaky_slope():
    with pytest.raises(regions.NetworkError):
        regions.Network.from_layers(pairs_of([2, 3, 1]), ["leaky_relu", "identity"],
                                    slope=float("nan"))


def test_bad_points_and_arguments():
    net = random_net([2, 3, 1], ["relu", "identity"], 0)
    with pytest.raises(regions.NetworkError):
        net.forward(np.zeros((4, 3)))
    with pytest.raises(regions.NetworkError):
        net.activation_pattern(np.zeros(5))
    with pytest.raises(TypeError):
        regions.enumerate_regions("not a network")
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(regions.RegionsError):
            regions.enumerate_regions(net, min_radius=bad)


def test_activation_names_are_normalised():
    net = regions.Network.from_layers(pairs_of([2, 3, 3, 1]), ["ReLU", "Leaky-ReLU", "IDENTITY"])
    assert net.activations == ["relu", "leaky_relu", "identity"]


def test_the_network_owns_a_copy_of_the_weights():
    # Training code builds a network from its live parameters, then updates them in place.
    W, b = np.array([[1.0, -1.0]]), np.array([0.5])
    net = regions.Network.from_layers([(W, b)], ["relu"])
    W += 1.0
    b -= 1.0
    assert W.flags.writeable and b.flags.writeable
    assert net.layers[0].weight.tolist() == [[1.0, -1.0]] and net.layers[0].bias.tolist() == [0.5]
    assert not net.layers[0].weight.flags.writeable


@pytest.mark.parametrize("seed", range(3))
def test_forward_and_patterns_match_an_independent_forward_pass(seed):
    net = random_net([3, 4, 5, 3, 2], ["relu", "hardtanh", "leaky_relu", "identity"], seed)
    X = np.random.default_rng(seed).normal(scale=2.0, size=(200, 3))
    act = {"relu": lambda z: np.maximum(z, 0), "hardtanh": lambda z: np.clip(z, -1, 1),
           "leaky_relu": lambda z: np.where(z > 0, z, 0.1 * z), "identity": lambda z: z}
    h = X
    for layer in net.layers:
        h = act[layer.activation](h @ layer.weight.T + layer.bias)
    assert np.allclose(net.forward(X), h)
    assert np.array_equal(net.activation_pattern(X), oracles.true_patterns(net, X))
    assert net.pattern_length == 12
    assert [s.stop - s.start for s in net.pattern_slices()] == [4, 5, 3, 0]


def test_state_conventions_at_breakpoints():
    relu = regions.Network.from_layers([(np.eye(1), np.zeros(1))], ["relu"])
    points = np.array([[0.0], [1e-300], [-1e-300]])
    assert relu.activation_pattern(points).ravel().tolist() == [0, 1, 0]
    ht = regions.Network.from_layers([(np.eye(1), np.zeros(1))], ["hardtanh"])
    assert ht.activation_pattern(
        np.array([[-1.0], [1.0], [1.0 + 1e-15], [-1.0 - 1e-15]])).ravel().tolist() == [0, 0, 1, -1]


def test_shape_errors_hint_at_the_out_in_convention():
    # A weight stored (in, out): the bias matches its second axis, or the next layer's
    # second axis matches the previous width only after transposing.
    with pytest.raises(regions.NetworkError, match=r"is this weight transposed, \(3, 2\)\?"):
        regions.Network.from_layers([(np.ones((2, 3)), np.zeros(3))])
    with pytest.raises(regions.NetworkError, match="is layer 1's weight transposed"):
        regions.Network.from_layers([(np.ones((4, 2)), np.zeros(4)),
                                     (np.ones((4, 3)), np.zeros(4))])   # (3, 4) stored as (4, 3)
