"""Networks and the ``.npz`` file format: validation, round trips, defaults, torch.

Independent sources: the forward pass recomputed in ``oracles.preactivations``
(or by torch itself), the file-format contract of shared/README.md, and
brute-force pattern enumeration for the counts of loaded networks.
"""

import json

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


# --------------------------------------------------------------------------- bad networks


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


# --------------------------------------------------------------------------- forward and patterns


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


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize("activations", [
    ["relu", "relu", "identity"],
    ["leaky_relu", "hardtanh", "identity"],
    ["hardtanh", "identity", "relu"],
])
def test_save_load_round_trip(tmp_path, activations):
    net = random_net([3, 4, 2, 2], activations, 4, slope=0.25)
    path = tmp_path / "net.npz"
    regions.save(net, path, widths=np.array(net.widths), seed=np.int64(4))
    back = regions.load(path)
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
    net = regions.load(path)
    assert net.activations == ["relu", "relu", "identity"]
    X = np.random.default_rng(1).normal(size=(20, 2))
    expected = np.maximum(np.maximum(X @ W0.T + b0, 0) @ W1.T + b1, 0) @ W2.T + b2
    assert np.allclose(net.forward(X), expected)
    truth = unambiguous(oracles.brute_force_patterns, net, oracles.box_slice([-1, -1], [1, 1]))
    assert pattern_set(regions.enumerate_regions(net, regions.box(-1, 1))) == truth


def test_single_layer_file_defaults_to_identity(tmp_path):
    W0, b0 = pairs_of([2, 3])[0]
    net = regions.load(write(tmp_path / "one.npz", W0=W0, b0=b0))
    assert net.activations == ["identity"]
    assert len(regions.enumerate_regions(net)) == 1


def test_byte_string_activations(tmp_path):
    (W0, b0), (W1, b1) = pairs_of([2, 3, 1])
    path = write(tmp_path / "bytes.npz", W0=W0, b0=b0, W1=W1, b1=b1,
                 activations=np.array([b"hardtanh", b"identity"]))
    assert regions.load(path).activations == ["hardtanh", "identity"]


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
        regions.load(path)


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(regions.FileFormatError):
        regions.load(tmp_path / "nope.npz")
    with pytest.raises(regions.FileFormatError):
        regions.load(tmp_path)  # a directory
    text = tmp_path / "text.npz"
    text.write_text("W0 = [[1, 2]]\n")
    with pytest.raises(regions.FileFormatError):
        regions.load(text)


# --------------------------------------------------------------------------- torch


def test_from_torch():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.Hardtanh(),
                          nn.Linear(3, 2), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(2, 2),
                          nn.Linear(2, 1)).double()
    net = regions.from_torch(model)
    assert net.activations == ["relu", "hardtanh", "leaky_relu", "identity", "identity"]
    assert net.layers[2].slope == pytest.approx(0.2)
    X = np.random.default_rng(0).normal(size=(100, 2))
    with torch.no_grad():
        expected = model(torch.from_numpy(X)).numpy()
    assert np.allclose(net.forward(X), expected)
    truth = unambiguous(oracles.brute_force_patterns, net, oracles.box_slice([-1, -1], [1, 1]))
    assert pattern_set(regions.enumerate_regions(net, regions.box(-1, 1))) == truth


def test_from_torch_rejects_unsupported_modules():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    for model in (nn.Sequential(nn.Linear(2, 3), nn.Sigmoid()),
                  nn.Sequential(nn.Linear(2, 3), nn.Hardtanh(-2.0, 2.0)),
                  nn.Sequential(nn.ReLU(), nn.Linear(2, 3)),
                  nn.Sequential(nn.Flatten())):
        with pytest.raises(regions.NetworkError):
            regions.from_torch(model)


def test_torch_state_dict_file(tmp_path):
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1)).double()
    path = tmp_path / "model.pt"
    torch.save(model.state_dict(), path)
    net = regions.load(path, activations=["relu", "identity"])
    assert net.activations == ["relu", "identity"]
    X = np.random.default_rng(0).normal(size=(30, 2))
    with torch.no_grad():
        assert np.allclose(net.forward(X), model(torch.from_numpy(X)).numpy())
    assert len(regions.enumerate_regions(net)) == oracles.zaslavsky(4, 2)


def test_from_torch_convolutional_model_matches_its_forward_and_brute_force():
    # Conv2d (stride, padding, dilation, groups), BatchNorm (eval), AvgPool, Dropout and a
    # nested Sequential become two exact affine layers; torch's own forward pass and brute
    # force on a plane slice of the 18-D input are the independent checks.
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(3)
    model = nn.Sequential(
        nn.Conv2d(2, 4, 3, stride=2, padding=1, dilation=1, groups=2), nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Sequential(nn.AvgPool2d(2), nn.Dropout(0.5), nn.Flatten(), nn.Linear(4, 3)),
        nn.Hardtanh(), nn.Linear(3, 1)).eval()
    with torch.no_grad():
        model[1].running_mean.uniform_(-0.5, 0.5)
        model[1].running_var.uniform_(0.5, 2.0)
    net = regions.from_torch(model, input_shape=(2, 3, 3))
    assert net.widths == [18, 16, 3, 1] and net.activations == ["relu", "hardtanh", "identity"]
    X = np.random.default_rng(1).normal(size=(50, 18))
    with torch.no_grad():
        expected = model.double().eval()(torch.from_numpy(X.reshape(50, 2, 3, 3))).numpy()
    assert np.allclose(net.forward(X), expected, rtol=1e-12, atol=1e-12)
    rng = np.random.default_rng(2)
    p0, p1, p2 = (rng.normal(size=18) for _ in range(3))
    part = regions.enumerate_regions(net, regions.plane(p0, p1, p2, -1, 1))
    truth = unambiguous(oracles.brute_force_patterns, net, oracles.plane_slice(p0, p1, p2, -1, 1))
    assert pattern_set(part) == truth


def test_from_torch_refusals_name_the_problem():
    torch = pytest.importorskip("torch")
    nn = torch.nn
    cases = [(nn.Sequential(nn.Conv2d(1, 2, 2), nn.ReLU(), nn.Flatten(), nn.Linear(8, 1)),
              None, r"is Conv2d, not a Linear, .*give input_shape=\(C, H, W\)"),
             (nn.Sequential(nn.Conv2d(1, 2, 2), nn.MaxPool2d(2, ceil_mode=True), nn.ReLU()),
              (1, 4, 4), r"MaxPool2d\(ceil_mode=True\) is not carried"),
             (nn.Sequential(nn.Linear(2, 3), nn.Sigmoid()), None, "unsupported module Sigmoid"),
             (nn.Sequential(nn.Conv2d(1, 2, 2), nn.ReLU()), (3, 4, 4), "cannot take inputs"),
             (nn.Sequential(Residual(nn.Sequential(nn.Linear(2, 2), nn.ReLU()))), (2,),
              "is the network input")]
    for model, shape, message in cases:
        with pytest.raises(regions.NetworkError, match=message):
            regions.from_torch(model, input_shape=shape)


def test_from_torch_folds_an_affine_skip_connection():
    # h + (W h + b) after a ReLU: no activation inside the block, so one affine layer I + W.
    torch = pytest.importorskip("torch")
    nn = torch.nn
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), Residual(nn.Linear(3, 3)))
    net = regions.from_torch(model)
    inner = model[2].inner
    assert net.widths == [2, 3, 3] and net.activations == ["relu", "identity"]
    assert np.allclose(net.layers[1].weight, np.eye(3) + inner.weight.detach().numpy(),
                       rtol=0, atol=1e-15)
    assert np.allclose(net.layers[1].bias, inner.bias.detach().numpy(), rtol=0, atol=1e-15)


try:
    import torch as _torch

    class Residual(_torch.nn.Module):
        """x + f(x): a skip connection."""

        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            return x + self.inner(x)
except ImportError:  # pragma: no cover - torch is optional
    Residual = None


def test_cli_counts_a_pickled_convolutional_model_on_a_plane(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(4)
    model = nn.Sequential(nn.Conv2d(1, 3, 2), nn.ReLU(), nn.Flatten(), nn.Linear(12, 1))
    path = tmp_path / "conv.pt"
    torch.save(model, path)
    from regions.cli import main
    argv = ["count", str(path), "--allow-pickle", "--plane", "0," * 8 + "0", "1," + "0," * 7 + "0",
            "0,1," + "0," * 6 + "0", "--box", "-1", "1", "--json", "--quiet"]
    assert main(argv) == 2 and "give --input-shape C,H,W" in capsys.readouterr().err
    assert main(argv + ["--input-shape", "1,3,3"]) == 0
    count = json.loads(capsys.readouterr().out)["regions"]
    net = regions.from_torch(model, input_shape=(1, 3, 3))
    e = np.eye(9)
    truth = unambiguous(oracles.brute_force_patterns, net,
                        oracles.plane_slice(np.zeros(9), e[0], e[1], -1, 1))
    assert count == len(truth)


def test_shape_errors_hint_at_the_out_in_convention():
    # A weight stored (in, out): the bias matches its second axis, or the next layer's
    # second axis matches the previous width only after transposing.
    with pytest.raises(regions.NetworkError, match=r"is this weight transposed, \(3, 2\)\?"):
        regions.Network.from_layers([(np.ones((2, 3)), np.zeros(3))])
    with pytest.raises(regions.NetworkError, match="is layer 1's weight transposed"):
        regions.Network.from_layers([(np.ones((4, 2)), np.zeros(4)),
                                     (np.ones((4, 3)), np.zeros(4))])   # (3, 4) stored as (4, 3)


# --------------------------------------------------------------------------- issue 23

@pytest.mark.parametrize("kind", ["BatchNorm1d", "Dropout"])
def test_batchnorm_and_dropout_in_training_mode_are_refused(tmp_path, capsys, kind):
    # Before: converted silently with eval semantics (another network than the one saved in
    # training mode); after, refused naming the module, from Python and from a file.
    torch = pytest.importorskip("torch")
    from regions import cli
    nn = torch.nn
    middle = nn.BatchNorm1d(3) if kind == "BatchNorm1d" else nn.Dropout(0.2)
    model = nn.Sequential(nn.Linear(2, 3), middle, nn.ReLU(), nn.Linear(3, 1))
    message = f"{kind} '1' is in training mode"
    with pytest.raises(regions.NetworkError, match=message):
        regions.from_torch(model)
    path = tmp_path / "training.pt"
    torch.save(model, path)
    assert cli.main(["count", str(path), "--allow-pickle", "--quiet"]) == cli.EXIT_BAD_INPUT
    assert message in capsys.readouterr().err
    # in eval mode it converts: 3 lines in general position on R^2, 7 regions (Zaslavsky)
    assert len(regions.enumerate_regions(regions.from_torch(model.eval()))) == 7
