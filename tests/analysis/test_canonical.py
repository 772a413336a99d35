"""regions.canonical: the canonical parameters under hidden-neuron permutation and rescaling.

The truths are independent of the canonical form's code: copies built from known exact
symmetries (neurons permuted, rows scaled by c and columns by 1/c, every value checked to
be the exact real product, so the copy is the same function by construction), and
regions.compare, which decides exactly whether two networks are the same function on a
domain; dead, duplicate and off-on-the-box neurons of hand-built networks, worked by hand.
"""

import json
import time
from fractions import Fraction

import numpy as np
import pytest

import regions
from regions.cli import main
from regions.random_networks import random_network


def exactly(values) -> np.ndarray:
    """Exact rationals as float64, each checked to be a float64 already (no rounding)."""
    array = np.array([[float(v) for v in row] for row in values], dtype=np.float64)
    for row, out in zip(values, array.tolist()):
        assert all(Fraction(x) == v for v, x in zip(row, out)), "the copy would round"
    return array


def transformed(net, perms, factors):
    """``net`` with hidden layer ``l``'s neuron ``i`` taken from neuron ``perms[l][i]`` and
    its row multiplied by ``factors[l][i]``, every later column divided by it: computed in
    rationals, and every value must be a float64, so the copy is exactly the same function."""
    perms = [np.asarray(p) for p in perms] + [np.arange(net.output_dim)]
    factors = [[Fraction(f) for f in fs] for fs in factors] + [[Fraction(1)] * net.output_dim]
    before, divide = np.arange(net.input_dim), [Fraction(1)] * net.input_dim
    pairs = []
    for layer, order, scale in zip(net.layers, perms, factors):
        W = [[scale[i] * Fraction(layer.weight[order[i], before[k]]) / divide[k]
              for k in range(layer.in_dim)] for i in range(layer.width)]
        b = [[scale[i] * Fraction(layer.bias[order[i]])] for i in range(layer.width)]
        pairs.append((exactly(W), exactly(b)[:, 0]))
        before, divide = order, scale
    return regions.Network.from_layers(pairs, net.activations, net.layers[0].slope)


def mixed(widths, seed, activations):
    """``random_network``'s weights under other activations."""
    net = random_network(widths, seed=seed)
    return regions.Network.from_layers([(layer.weight, layer.bias) for layer in net.layers],
                                       activations)


def file_bytes(net, path) -> bytes:
    regions.write_network(net, path)
    return path.read_bytes()


def integer_network(widths, seed, activations=None):
    """Weights and biases 225 k, k in [-3, 3]: products by 3, 5, 15 and quotients by them,
    once on each side of a weight, stay integers, so rescaled copies are exact."""
    rng = np.random.default_rng(seed)
    return regions.Network.from_layers(
        [(225.0 * rng.integers(-3, 4, size=(m, n)), 225.0 * rng.integers(-3, 4, size=m))
         for n, m in zip(widths[:-1], widths[1:])], activations)


ODD = [Fraction(3), Fraction(5), Fraction(15), Fraction(1, 3), Fraction(1, 5),
       Fraction(1, 15), Fraction(2), Fraction(1, 2)]


def random_symmetry(net, seed, choices):
    rng = np.random.default_rng(seed)
    hidden = net.layers[:-1]
    return ([rng.permutation(layer.width) for layer in hidden],
            [[choices[k] for k in rng.integers(len(choices), size=layer.width)]
             for layer in hidden])


# --------------------------------------------------------------------------- byte identity


@pytest.mark.parametrize("seed", range(4))
def test_copies_rescaled_by_powers_of_two_give_byte_identical_files(seed, tmp_path):
    """Random float64 networks (whichever scales canonical picks) and copies with every
    hidden layer permuted and rescaled by powers of two, exact in float64."""
    net = random_network([2, 8, 8, 2], seed=seed)
    copy = transformed(net, *random_symmetry(
        net, seed, [Fraction(2) ** k for k in range(-4, 5)]))
    found = regions.compare(net, copy)
    assert found.equivalent and found.max_abs_difference == 0.0
    a, b = regions.canonical(net), regions.canonical(copy)
    assert file_bytes(a.network, tmp_path / "a.npz") == file_bytes(b.network, tmp_path / "b.npz")
    assert a.exact and b.exact and a.primitive == b.primitive


@pytest.mark.parametrize("seed", range(4))
def test_copies_rescaled_by_three_and_five_give_byte_identical_files(seed, tmp_path):
    """Factors 3, 5, 15, 1/3, 1/5, 1/15, 2, 1/2 on integer networks, where each rescaled
    value is exact (checked): the canonical files are the same bytes."""
    net = integer_network([3, 6, 5, 2], seed)
    copy = transformed(net, *random_symmetry(net, seed, ODD))
    assert regions.compare(net, copy).equivalent
    a, b = regions.canonical(net), regions.canonical(copy)
    assert a.duplicates == () and b.duplicates == ()      # ties would follow the input
    assert a.primitive and b.primitive and a.exact
    assert file_bytes(a.network, tmp_path / "a.npz") == file_bytes(b.network, tmp_path / "b.npz")
    # the canonical network is the input's function, exactly
    assert regions.compare(net, a.network).equivalent


def test_hardtanh_neurons_are_canonical_up_to_sign_only(tmp_path):
    """hardtanh is odd: a neuron negated with its column is the same function, and gives
    the same file; hardtanh(2 z) != 2 hardtanh(z): a neuron doubled is another function,
    and another canonical network."""
    net = mixed([2, 5, 4, 1], 3, ["hardtanh", "relu", "identity"])
    signs = [[Fraction(-1), Fraction(1), Fraction(-1), Fraction(-1), Fraction(1)],
             [Fraction(2), Fraction(1, 4), Fraction(1), Fraction(8)]]
    copy = transformed(net, [[4, 2, 0, 1, 3], [1, 3, 0, 2]], signs)
    assert regions.compare(net, copy).equivalent
    a = regions.canonical(net)
    assert file_bytes(a.network, tmp_path / "a.npz") == file_bytes(
        regions.canonical(copy).network, tmp_path / "b.npz")
    assert regions.compare(net, a.network).equivalent
    doubled = transformed(net, [range(5), range(4)], [[Fraction(2)] + [Fraction(1)] * 4,
                                                      [Fraction(1)] * 4])
    assert not regions.compare(net, doubled, regions.box(-1, 1)).equivalent
    assert not np.array_equal(regions.canonical(doubled).network.layers[0].weight,
                              a.network.layers[0].weight)


def test_identity_hidden_layers_take_any_nonzero_factor(tmp_path):
    net = integer_network([2, 3, 4, 1], 5, ["relu", "identity", "identity"])
    copy = transformed(net, [[2, 0, 1], [3, 1, 0, 2]],
                       [[Fraction(3), Fraction(1, 5), Fraction(2)],
                        [Fraction(-3), Fraction(-1, 5), Fraction(15), Fraction(-2)]])
    assert regions.compare(net, copy).equivalent
    a, b = regions.canonical(net), regions.canonical(copy)
    assert a.duplicates == ()
    assert file_bytes(a.network, tmp_path / "a.npz") == file_bytes(b.network, tmp_path / "b.npz")


def test_a_different_function_has_a_different_canonical_network(tmp_path):
    """One weight moved, or a ReLU neuron negated (relu(-z) != -relu(z)): compare says
    another function, so the canonical networks (each exactly its input's function)
    differ."""
    net = random_network([2, 6, 6, 1], seed=1)
    moved = regions.Network.from_layers(
        [(layer.weight + (i == 1) * np.eye(*layer.weight.shape) * 2.0 ** -10, layer.bias)
         for i, layer in enumerate(net.layers)])
    negated = transformed(net, [range(6), range(6)], [[Fraction(-1)] + [Fraction(1)] * 5,
                                                      [Fraction(1)] * 6])
    reference = file_bytes(regions.canonical(net).network, tmp_path / "a.npz")
    for other in (moved, negated):
        assert not regions.compare(net, other, regions.box(-1, 1)).equivalent
        found = regions.canonical(other)
        assert found.exact
        assert file_bytes(found.network, tmp_path / "b.npz") != reference


def test_a_row_sharing_an_odd_factor_falls_back_to_powers_of_two():
    """Row (3, 6, -3) with column 1 + 2^-52 (53 significant bits): the primitive row
    (1, 2, -1) / 2 would need the column 6 (1 + 2^-52), 55 bits. canonical scales by powers
    of two instead, and the function is kept exactly."""
    column = 1.0 + 2.0 ** -52
    net = regions.Network.from_layers([([[3.0, 6.0]], [-3.0]), ([[column]], [0.0])])
    found = regions.canonical(net)
    assert not found.primitive and found.exact and found.scales == ((Fraction(1, 4),),)
    assert found.network.layers[0].weight.tolist() == [[0.75, 1.5]]
    assert found.network.layers[1].weight.tolist() == [[4 * column]]
    assert regions.compare(net, found.network).equivalent
    integer = regions.canonical(regions.Network.from_layers([([[3.0, 6.0]], [-3.0]),
                                                            ([[1.0]], [0.0])]))
    assert integer.primitive and integer.network.layers[0].weight.tolist() == [[0.5, 1.0]]
    assert integer.network.layers[1].weight.tolist() == [[6.0]]


# --------------------------------------------------------------------------- the function


@pytest.mark.parametrize("widths, activations, seed, primitive", [
    ([2, 8, 8, 1], None, 0, False),                # a row shares an odd factor
    ([2, 8, 8, 1], None, 3, True),
    ([3, 6, 6, 2], ["leaky_relu", "relu", "identity"], 4, True),
    ([2, 5, 5, 1], ["hardtanh", "relu", "identity"], 2, True),
])
def test_the_canonical_network_computes_the_same_function(widths, activations, seed,
                                                          primitive):
    net = mixed(widths, seed, activations)
    found = regions.canonical(net)
    assert found.exact and found.primitive == primitive
    result = regions.compare(net, found.network)
    assert result.equivalent and result.max_abs_difference == 0.0


def test_float32_weights_keep_primitive_rows_exactly():
    for seed in range(5):
        net = random_network([2, 8, 8, 1], seed=seed)
        single = regions.Network.from_layers(
            [(layer.weight.astype(np.float32), layer.bias.astype(np.float32))
             for layer in net.layers])
        found = regions.canonical(single)
        assert found.primitive and found.exact


# --------------------------------------------------------------------------- dead, duplicates


def hand_built():
    """Layer 0 (ReLU, inputs x, y): 0 = relu(x - y), 1 = relu(-1) (dead), 2 = relu(2x - 2y)
    (a duplicate of 0, twice it), 3 = relu(0) (dead), 4 = relu(x + y - 10) (off on
    [-1, 1]^2, where x + y - 10 <= -8). Layer 1 (ReLU): 0 = relu(h0 + h4), 1 =
    relu(-h0 - h2 - 1) (dead: nonpositive weights on nonnegative inputs), 2 = relu(2 h0 +
    h2 + 2 h4) (4 times neuron 0 on the box, where h2 = 2 h0 and h4 = 0; not a duplicate
    on R^2). Output: 1 * layer 1's neurons."""
    W0 = np.array([[1.0, -1.0], [0.0, 0.0], [2.0, -2.0], [0.0, 0.0], [1.0, 1.0]])
    b0 = np.array([0.0, -1.0, 0.0, 0.0, -10.0])
    W1 = np.array([[1.0, 0.0, 0.0, 5.0, 1.0], [-1.0, 7.0, -1.0, 3.0, 0.0],
                   [2.0, 0.0, 1.0, 0.0, 2.0]])
    b1 = np.array([0.0, -1.0, 0.0])
    return regions.Network.from_layers([(W0, b0), (W1, b1), (np.ones((1, 3)), np.zeros(1))])


def test_dead_and_duplicate_neurons_are_reported():
    found = regions.canonical(hand_built())
    assert found.dead == ((0, 1), (0, 3), (1, 1))
    assert found.duplicates == ((0, (0, 2)),)
    assert found.dead_on_domain is None and not found.pruned
    assert found.network.widths == [2, 5, 3, 1]
    # dead neurons: zero rows and zero columns
    for layer, neuron in found.dead:
        position = list(found.order[layer]).index(neuron)
        assert not found.network.layers[layer].weight[position].any()
        assert found.network.layers[layer].bias[position] == 0.0
        assert not found.network.layers[layer + 1].weight[:, position].any()
    assert regions.compare(hand_built(), found.network).equivalent


def test_pruning_drops_dead_neurons_and_merges_duplicates():
    net = hand_built()
    found = regions.canonical(net, prune=True)
    # layer 0: 0 and 2 merged, 1 and 3 dropped -> relu(x + y - 10) scaled by 1/8 (largest
    # entry in [1, 2)), then relu(x - y); layer 1: neuron 1 dropped -> 2 neurons
    assert found.network.widths == [2, 2, 2, 1] and found.pruned
    assert regions.compare(net, found.network).equivalent
    assert found.network.layers[0].weight.tolist() == [[0.125, 0.125], [1.0, -1.0]]
    assert found.network.layers[0].bias.tolist() == [-1.25, 0.0]
    assert [o.tolist() for o in found.order] == [[4, 0], [0, 2]]
    # layer 1 over (h4 / 8, h0): h2 = 2 h0 makes the merged column its weights on h0 plus
    # twice those on h2, so neuron 0 is (8, 1 + 0), neuron 2 is (2 * 8, 2 + 2 * 1), scaled
    # to largest entry 1: (1, 1/8) and (1, 1/4)
    assert found.network.layers[1].weight.tolist() == [[1.0, 0.125], [1.0, 0.25]]
    assert found.scales[1] == (Fraction(1, 8), Fraction(1, 16))


def test_neurons_off_on_the_box_are_found_and_pruned_there_only():
    net = hand_built()
    box = regions.box(-1, 1)
    found = regions.canonical(net, box, prune=True)
    # off on the box: the dead ones and layer 0 neuron 4; in layer 1 only the dead one
    # (neuron 0 is relu(x - y) > 0 at (1, -1), neuron 2 likewise). Without h4, layer 1's
    # neurons 0 and 2 are relu(h0) and relu(4 h0): duplicates, merged
    assert found.dead_on_domain == ((0, 1), (0, 3), (0, 4), (1, 1))
    assert found.duplicates == ((0, (0, 2)), (1, (0, 2)))
    assert found.network.widths == [2, 1, 1, 1]
    assert found.network.layers[2].weight.tolist() == [[5.0]]       # 1 h0 + 1 (4 h0)
    assert regions.compare(net, found.network, box).equivalent
    assert not regions.compare(net, found.network).equivalent     # x + y > 10 differs


def test_pruned_copies_with_duplicates_give_byte_identical_files(tmp_path):
    net = hand_built()
    copy = transformed(net, [[4, 2, 3, 0, 1], [2, 0, 1]],
                       [[Fraction(1, 4), Fraction(2), Fraction(8), Fraction(1), Fraction(1)],
                        [Fraction(2), Fraction(1, 2), Fraction(4)]])
    assert regions.compare(net, copy).equivalent
    a, b = regions.canonical(net, prune=True), regions.canonical(copy, prune=True)
    assert file_bytes(a.network, tmp_path / "a.npz") == file_bytes(b.network, tmp_path / "b.npz")


def test_a_layer_with_every_neuron_dead_keeps_one_zero_neuron():
    net = regions.Network.from_layers([([[0.0, 0.0], [1.0, 0.0]], [-1.0, -5.0]),
                                       ([[2.0, 3.0]], [1.0])])
    found = regions.canonical(net, regions.box(-1, 1), prune=True)
    assert found.network.widths == [2, 1, 1]
    assert not found.network.layers[0].weight.any() and found.network.layers[1].weight[0, 0] == 0
    assert regions.compare(net, found.network, regions.box(-1, 1)).equivalent


def test_bad_input_is_refused():
    with pytest.raises(regions.RegionsError, match="regions.Network"):
        regions.canonical([[1.0]])


# --------------------------------------------------------------------------- files, CLI


def test_save_writes_the_same_bytes_whatever_the_clock(tmp_path, monkeypatch):
    net = random_network([2, 4, 1], seed=0)
    first = file_bytes(net, tmp_path / "a.npz")
    later = time.time() + 86_400 * 400
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(time, "localtime", lambda *args: time.gmtime(later))
    assert file_bytes(net, tmp_path / "b.npz") == first
    transposed = regions.Network([regions.network.Layer(
        np.asfortranarray(net.layers[0].weight), net.layers[0].bias), net.layers[1]])
    assert file_bytes(transposed, tmp_path / "c.npz") == first


def test_cli_writes_the_canonical_network(tmp_path, capsys):
    net = hand_built()
    regions.write_network(net, tmp_path / "a.npz")
    copy = transformed(net, [[4, 2, 3, 0, 1], [2, 0, 1]],
                       [[Fraction(1, 4), Fraction(2), Fraction(8), Fraction(1), Fraction(1)],
                        [Fraction(2), Fraction(1, 2), Fraction(4)]])
    regions.write_network(copy, tmp_path / "b.npz")
    code = main(["canonical", str(tmp_path / "a.npz"), "-o", str(tmp_path / "ca.npz"),
                 "--prune"])
    out, err = capsys.readouterr()
    assert code == 0 and err == f"wrote the canonical network to {tmp_path / 'ca.npz'}\n"
    assert out.splitlines() == [
        "Network(widths=[2, 2, 2, 1], activations=[relu,relu,identity])",
        "dead: layer 0 neuron 1; layer 0 neuron 3; layer 1 neuron 1",
        "duplicates: layer 0 neurons 0, 2",
        "exact: yes, scales: primitive rows, pruned"]
    assert main(["canonical", str(tmp_path / "b.npz"), "-o", str(tmp_path / "cb.npz"),
                 "--prune", "--json", "--quiet"]) == 0
    out, err = capsys.readouterr()
    summary = json.loads(out)
    assert err == "" and summary["output"] == str(tmp_path / "cb.npz")
    assert summary["widths"] == [2, 2, 2, 1] and summary["exact"] and summary["pruned"]
    assert summary["dead"] == [[0, 2], [0, 4], [1, 2]] and summary["dead_on_domain"] is None
    assert (tmp_path / "ca.npz").read_bytes() == (tmp_path / "cb.npz").read_bytes()
    assert regions.compare(net, regions.read_network(tmp_path / "ca.npz")).equivalent


def test_cli_finds_neurons_off_on_the_box(tmp_path, capsys):
    regions.write_network(hand_built(), tmp_path / "a.npz")
    assert main(["canonical", str(tmp_path / "a.npz"), "-o", str(tmp_path / "c.npz"),
                 "--box", "-1", "1", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["dead_on_domain"] == [[0, 1], [0, 3], [0, 4], [1, 1]]
    assert summary["widths"] == [2, 5, 3, 1] and not summary["pruned"]


def test_cli_refuses_bad_input(tmp_path, capsys):
    regions.write_network(hand_built(), tmp_path / "a.npz")
    assert main(["canonical", str(tmp_path / "a.npz"), "-o", str(tmp_path / "c.txt")]) == 2
    assert "the network format is .npz" in capsys.readouterr().err
    assert main(["canonical", str(tmp_path / "missing.npz"), "-o",
                 str(tmp_path / "c.npz")]) == 2
    assert "no such network file" in capsys.readouterr().err
    assert not (tmp_path / "c.npz").exists()
