"""Network files: the ``.npz`` format (round trips, defaults, bad files) and PyTorch
state dicts.

Independent sources: the file-format contract of shared/README.md, the forward pass of
torch itself, and brute-force pattern enumeration (or Zaslavsky's formula) for the counts of
loaded networks.
"""

import numpy as np
import pytest

import regions

import oracles
from oracles import pattern_set, random_net, unambiguous


def pairs_of(widths, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(o, i)), rng.normal(size=o)) for i, o in zip(widths[:-1], widths[1:])]


def write(path, **arrays):
    np.savez(path, **arrays)
    return path


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("activations", [
    ["relu", "relu", "identity"],
    ["leaky_relu", "hardtanh", "identity"],
    ["hardtanh", "identity", "relu"],
])
def test_save_load_round_trip(tmp_path, activations):
    net = random_net([3, 4, 2, 2], activations, 4, slope=0.25)
    path = tmp_path / "net.npz"
    regions.write_network(net, path, widths=np.array(net.widths), seed=np.int64(4))
    back = regions.read_network(path)
    assert back.activations == net.activations
    for a, b in zip(net.layers, back.layers):
        assert np.array_equal(a.weight, b.weight) and np.array_equal(a.bias, b.bias)
        if a.activation == "leaky_relu":
            assert b.slope == 0.25
    X = np.random.default_rng(0).normal(size=(50, 3))
    assert np.array_equal(net.forward(X), back.forward(X))


def test_default_activations_rule(tmp_path):
    # No 'activations' key: relu for every layer but the last, which is identity.
    (W0, b0), (W1, b1), (W2, b2) = pairs_of([2, 3, 2, 1], seed=2)
    path = write(tmp_path / "plain.npz", W0=W0, b0=b0, W1=W1, b1=b1, W2=W2, b2=b2,
                 widths=np.array([2, 3, 2, 1]), domain=np.array("box"))
    net = regions.read_network(path)
    assert net.activations == ["relu", "relu", "identity"]
    X = np.random.default_rng(1).normal(size=(20, 2))
    expected = np.maximum(np.maximum(X @ W0.T + b0, 0) @ W1.T + b1, 0) @ W2.T + b2
    assert np.allclose(net.forward(X), expected)
    truth = unambiguous(oracles.brute_force_patterns, net, oracles.box_slice([-1, -1], [1, 1]))
    assert pattern_set(regions.enumerate_regions(net, regions.box(-1, 1))) == truth


def test_single_layer_file_defaults_to_identity(tmp_path):
    W0, b0 = pairs_of([2, 3])[0]
    net = regions.read_network(write(tmp_path / "one.npz", W0=W0, b0=b0))
    assert net.activations == ["identity"]
    assert len(regions.enumerate_regions(net)) == 1


def test_byte_string_activations(tmp_path):
    (W0, b0), (W1, b1) = pairs_of([2, 3, 1])
    path = write(tmp_path / "bytes.npz", W0=W0, b0=b0, W1=W1, b1=b1,
                 activations=np.array([b"hardtanh", b"identity"]))
    assert regions.read_network(path).activations == ["hardtanh", "identity"]


BAD_FILES = {
    # name: (arrays, expected exception)
    "b1 missing": (lambda W: dict(W0=W[0][0], b0=W[0][1], W1=W[1][0]), regions.FileFormatError),
    "no W0": (lambda W: dict(W1=W[1][0], b1=W[1][1]), regions.FileFormatError),
    "no layers": (lambda W: dict(weights=W[0][0]), regions.FileFormatError),
    "activations too long": (lambda W: dict(W0=W[0][0], b0=W[0][1], W1=W[1][0], b1=W[1][1],
                                            activations=np.array(["relu"] * 3)),
                             regions.FileFormatError),
    "activations not strings": (lambda W: dict(W0=W[0][0], b0=W[0][1], W1=W[1][0], b1=W[1][1],
                                               activations=np.array([1, 2])),
                                regions.FileFormatError),
    "unknown activation": (lambda W: dict(W0=W[0][0], b0=W[0][1], W1=W[1][0], b1=W[1][1],
                                          activations=np.array(["relu", "softplus"])),
                           regions.NetworkError),
    "string weights": (lambda W: dict(W0=np.array([["1", "2"]]), b0=np.zeros(1)),
                       regions.NetworkError),
    "mismatched shapes": (lambda W: dict(W0=W[0][0], b0=W[0][1], W1=np.ones((1, 5)), b1=W[1][1]),
                          regions.NetworkError),
    "nan weights": (lambda W: dict(W0=W[0][0] * np.nan, b0=W[0][1], W1=W[1][0], b1=W[1][1]),
                    regions.NetworkError),
    "inf bias": (lambda W: dict(W0=W[0][0], b0=W[0][1] * np.inf, W1=W[1][0], b1=W[1][1]),
                 regions.NetworkError),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_files(tmp_path, case):
    arrays, error = BAD_FILES[case]
    path = write(tmp_path / "bad.npz", **arrays(pairs_of([2, 3, 1])))
    with pytest.raises(error):
        regions.read_network(path)


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(regions.FileFormatError):
        regions.read_network(tmp_path / "nope.npz")
    with pytest.raises(regions.FileFormatError):
        regions.read_network(tmp_path)  # a directory
    text = tmp_path / "text.npz"
    text.write_text("W0 = [[1, 2]]\n")
    with pytest.raises(regions.FileFormatError):
        regions.read_network(text)


# --------------------------------------------------------------------------- torch


def test_torch_state_dict_file(tmp_path):
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1)).double()
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    net = regions.read_network(path, activations=["relu", "identity"])
    assert net.activations == ["relu", "identity"]
    X = np.random.default_rng(0).normal(size=(30, 2))
    with torch.no_grad():
        assert np.allclose(net.forward(X), model(torch.from_numpy(X)).numpy())
    assert len(regions.enumerate_regions(net)) == oracles.zaslavsky(4, 2)
