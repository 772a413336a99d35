"""regions.compare: functional equivalence and the largest difference of two networks.

The truths are independent of the common refinement: symmetries that preserve the
function exactly (hidden neurons permuted and rescaled by powers of two, a ReLU layer
that passes nonnegative inputs through), hand-worked differences, and on the line the
exact breakpoints of each network on its own (oracles.line_partition), where the largest
difference of two piecewise-linear functions is attained at a breakpoint of one of them.
Max layers: permuted and rescaled units and window positions, envelopes worked by hand.
"""

import json

import numpy as np
import pytest

import regions
from regions.cli import main
from regions.random_networks import random_network

import oracles
from max_networks import max_net, random_maxout


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


# --------------------------------------------------------------------------- max layers


def test_maxout_with_units_and_positions_permuted_and_rescaled_is_equivalent():
    """Units permuted, the positions inside each window permuted (ties go elsewhere, the
    function does not change) and each unit's inputs scaled by one power of two (max of
    2^s a_i is 2^s max a_i), the next layer's column scaled back."""
    net = random_maxout(4, widths=(2, 3, 3), rank=3)
    rng = np.random.default_rng(0)
    W, b = net.layers[0].weight, net.layers[0].bias
    V, c = net.layers[1].weight, net.layers[1].bias
    order = rng.permutation(3)
    scale = 2.0 ** rng.integers(-3, 4, size=3)
    windows = [[3 * g + i for i in rng.permutation(3)] for g in order]
    other = max_net([(W * np.repeat(scale, 3)[:, None], b * np.repeat(scale, 3)),
                     (V[:, order] / scale[order][None, :], c), (net.layers[2].weight,
                                                                net.layers[2].bias)],
                    net.activations, {0: windows})
    for domain in (regions.box(-2, 2), None):
        found = regions.compare(net, other, domain)
        assert found.equivalent and found.differing == 0
        assert found.regions == len(regions.enumerate_regions(net, domain))


def test_largest_difference_of_two_envelopes_by_hand():
    """|x| = max(x, -x) and max(x, -x, 1/2) differ on (-1/2, 1/2), by 1/2 - |x|: at most
    1/2, at x = 0, on a box and on the whole line; the refinement has the breakpoints
    -1/2, 0, 1/2."""
    f = max_net([(np.array([[1.0], [-1.0]]), np.zeros(2)), (np.ones((1, 1)), np.zeros(1))],
                ["max", "identity"], {0: [[0, 1]]})
    g = max_net([(np.array([[1.0], [-1.0], [0.0]]), np.array([0.0, 0.0, 0.5])),
                 (np.ones((1, 1)), np.zeros(1))], ["max", "identity"], {0: [[0, 1, 2]]})
    for domain in (regions.box(-1, 1), None):
        found = regions.compare(f, g, domain)
        assert not found.equivalent
        assert (found.max_abs_difference, found.argmax.tolist()) == (0.5, [0.0])
        assert (found.regions, found.differing) == (4, 2)


def test_networks_of_different_depths_with_max_layers():
    """A pass-through ReLU after |x| = max(x, -x) >= 0 changes nothing, whether the max
    layer is hidden or last (the shorter network is lengthened before its last layer)."""
    absolute = (np.array([[1.0], [-1.0]]), np.zeros(2))
    hidden = max_net([absolute, (np.array([[2.0]]), np.zeros(1))], ["max", "identity"],
                     {0: [[0, 1]]})
    longer = max_net([absolute, (np.eye(1), np.zeros(1)), (np.array([[2.0]]), np.zeros(1))],
                     ["max", "relu", "identity"], {0: [[0, 1]]})
    assert regions.compare(hidden, longer, regions.box(-1, 1)).equivalent
    last = max_net([(np.array([[1.0], [-1.0]]), np.zeros(2)), (np.eye(2), np.zeros(2))],
                   ["relu", "max"], {1: [[0, 1]]})
    last_longer = max_net([(np.array([[1.0], [-1.0]]), np.zeros(2)), (np.eye(2), np.zeros(2)),
                           (np.eye(2), np.zeros(2))], ["relu", "relu", "max"], {2: [[0, 1]]})
    assert regions.compare(last, last_longer).equivalent
    moved = max_net([(np.array([[1.0], [-1.0]]), np.array([0.0, 0.25])),
                     (np.eye(2), np.zeros(2)), (np.eye(2), np.zeros(2))],
                    ["relu", "relu", "max"], {2: [[0, 1]]})
    found = regions.compare(last, moved, regions.box(-1, 1))
    assert not found.equivalent and found.max_abs_difference == 0.25   # at x <= 0


@pytest.mark.parametrize("domain", [regions.box(-1, 1), regions.whole_space()],
                         ids=["box", "whole"])
def test_a_perturbed_output_bias_differs_by_exactly_the_perturbation(domain):
    """f and f + 2^-10 differ by 2^-10 everywhere, on the box and on all of R^2."""
    f = random_network([2, 6, 6, 1], seed=3)
    layers = [(layer.weight, layer.bias) for layer in f.layers]
    layers[-1] = (layers[-1][0], layers[-1][1] + 2.0 ** -10)
    found = regions.compare(f, regions.Network.from_layers(layers), domain)
    assert not found.equivalent and found.max_abs_difference == 2.0 ** -10


def test_a_perturbed_output_weight_differs_by_a_closed_form_on_the_box():
    """Output weight of neuron relu(x/2 - y/4 + 1/8) raised by 1/2: f - g = -relu(...) / 2,
    largest on [-1, 1]^2 at the corner (1, -1): (1/2 + 1/4 + 1/8) / 2 = 7/16."""
    W = np.array([[1.0, 0.0], [0.5, -0.25], [-1.0, 1.0]])
    b = np.array([0.0, 0.125, 0.5])
    f = regions.Network.from_layers([(W, b), (np.array([[1.0, -2.0, 0.75]]), np.zeros(1))])
    g = regions.Network.from_layers([(W, b), (np.array([[1.0, -1.5, 0.75]]), np.zeros(1))])
    found = regions.compare(f, g, regions.box(-1, 1))
    assert not found.equivalent and found.max_abs_difference == 7 / 16
    assert np.array_equal(found.argmax, [1.0, -1.0])
