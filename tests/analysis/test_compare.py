"""regions.compare: functional equivalence and the largest difference of two networks.

The truths are independent of the common refinement: symmetries that preserve the
function exactly (hidden neurons permuted and rescaled by powers of two, a ReLU layer
that passes nonnegative inputs through), hand-worked differences, and on the line the
exact breakpoints of each network on its own (oracles.line_partition), where the largest
difference of two piecewise-linear functions is attained at a breakpoint of one of them.
"""

import json

import numpy as np
import pytest

import regions
from regions.cli import main
from regions.random_networks import random_network

import oracles


def permuted_and_rescaled(net, seed=0):
    """The same function: each hidden layer's neurons permuted and scaled by powers of two
    (exact in float64), the next layer's columns scaled back."""
    rng = np.random.default_rng(seed)
    layers = [(layer.weight.copy(), layer.bias.copy()) for layer in net.layers]
    for index in range(len(layers) - 1):
        W, b = layers[index]
        order = rng.permutation(W.shape[0])
        scale = 2.0 ** rng.integers(-3, 4, size=W.shape[0])
        layers[index] = (W[order] * scale[:, None], b[order] * scale)
        V, c = layers[index + 1]
        layers[index + 1] = (V[:, order] / scale[None, :], c)
    return regions.Network.from_layers(layers, activations=net.activations)


@pytest.mark.parametrize("domain", [regions.box(-1, 1), regions.whole_space()],
                         ids=["box", "whole"])
def test_permuted_and_rescaled_networks_are_equivalent(domain):
    net = random_network([2, 8, 8, 2], seed=5)
    found = regions.compare(net, permuted_and_rescaled(net), domain)
    assert found.equivalent and found.max_abs_difference == 0.0 and found.differing == 0
    assert found.regions == len(regions.enumerate_regions(net, domain))


def test_scaling_by_three_is_not_exact():
    """Scaling a neuron by 3 and its outgoing weight by fl(1/3) changes the function by a
    rounding error: not equivalent, exactly, though the difference is tiny."""
    net = random_network([2, 6, 1], seed=2)
    W, b = net.layers[0].weight.copy(), net.layers[0].bias.copy()
    V = net.layers[1].weight.copy()
    W[0], b[0], V[:, 0] = 3 * W[0], 3 * b[0], V[:, 0] * (1 / 3)
    other = regions.Network.from_layers([(W, b), (V, net.layers[1].bias)])
    found = regions.compare(net, other, regions.box(-1, 1))
    assert not found.equivalent and 0.0 < found.max_abs_difference < 1e-14


def test_a_pass_through_layer_makes_no_difference():
    """relu(h) = h for h = relu(...) >= 0: a network one layer longer, the same function."""
    net = random_network([2, 5, 5, 1], seed=7)
    hidden = net.layers[1].width
    longer = regions.Network.from_layers(
        [(layer.weight, layer.bias) for layer in net.layers[:2]]
        + [(np.eye(hidden), np.zeros(hidden)), (net.layers[2].weight, net.layers[2].bias)],
        activations=["relu", "relu", "relu", "identity"])
    assert regions.compare(net, longer).equivalent
    assert regions.compare(longer, net, regions.box(-2, 2)).equivalent


def test_a_neuron_dead_on_the_box_differs_only_outside_it():
    """A neuron off on all of [-1, 1]^2 (bias -10) with another outgoing weight: the same
    function on the box; on R^2 the difference grows without bound along its normal."""
    W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    b = np.array([0.0, 0.0, -10.0])
    f = regions.Network.from_layers([(W, b), (np.array([[1.0, 1.0, 1.0]]), np.zeros(1))])
    g = regions.Network.from_layers([(W, b), (np.array([[1.0, 1.0, 5.0]]), np.zeros(1))])
    assert regions.compare(f, g, regions.box(-1, 1)).equivalent
    far = regions.compare(f, g)
    assert not far.equivalent and far.max_abs_difference == np.inf and far.argmax is None
    near = regions.compare(f, g, regions.box(-6, 6))   # 4 relu(x + y - 10), largest at (6, 6)
    assert near.max_abs_difference == 8.0 and np.array_equal(near.argmax, [6.0, 6.0])


@pytest.mark.parametrize("seed", range(4))
def test_largest_difference_on_an_interval_matches_the_breakpoints(seed):
    """1-D: the largest |f - g| on [-3, 2] is attained at an end or at a breakpoint of f
    or of g, each found exactly by its own line sweep."""
    f = random_network([1, 6, 6, 1], seed=seed)
    g = random_network([1, 5, 4, 3, 1], seed=seed + 100)
    points = {-3.0, 2.0}
    for net in (f, g):
        for interval in oracles.line_partition(net, [0.0], [1.0], -3.0, 2.0):
            points |= {interval.lo, interval.hi}
    xs = np.array(sorted(points))[:, None]
    truth = np.abs(f.forward(xs) - g.forward(xs)).max()
    found = regions.compare(f, g, regions.box(-3, 2))
    assert not found.equivalent
    assert found.max_abs_difference == pytest.approx(truth, rel=1e-9, abs=1e-12)
    at = np.abs(f.forward(found.argmax[None, :]) - g.forward(found.argmax[None, :])).max()
    assert at == pytest.approx(truth, rel=1e-9, abs=1e-12)


def test_networks_that_cannot_be_compared_are_refused():
    net = random_network([2, 4, 1], seed=0)
    with pytest.raises(regions.RegionsError, match="2 and 3 inputs"):
        regions.compare(net, random_network([3, 4, 1], seed=0))
    with pytest.raises(regions.RegionsError, match="1 and 2 outputs"):
        regions.compare(net, random_network([2, 4, 2], seed=0))
    tanh = random_network([2, 4, 1], seed=0, activation="hardtanh")
    with pytest.raises(regions.RegionsError, match="layer 0 is relu in the first network "
                                                   "and hardtanh in the second"):
        regions.compare(net, tanh)


def test_cli_compare(tmp_path, capsys):
    W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    b = np.array([0.0, 0.0, -10.0])
    paths = []
    for weight in (1.0, 5.0):
        paths.append(tmp_path / f"net{weight:g}.npz")
        regions.write_network(regions.Network.from_layers(
            [(W, b), (np.array([[1.0, 1.0, weight]]), np.zeros(1))]), paths[-1])
    assert main(["compare", *map(str, paths), "--box", "-6", "6", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert (found["equivalent"], found["max_abs_difference"], found["argmax"]) == (
        False, 8.0, [6.0, 6.0])
    assert main(["compare", *map(str, paths), "--box", "-1", "1"]) == 0
    assert capsys.readouterr().out.startswith("equivalent: yes\n")
    assert main(["compare", *map(str, paths), "--quiet"]) == 0
    assert "max |f - g|: unbounded" in capsys.readouterr().out
