"""PyTorch models as networks (``regions.from_torch``): sequential, convolutional and with
skip connections (traced with torch.fx), against independent truths.

The converted network must reproduce torch's own forward pass. The region counts come from
a hand-worked 1-D example and from brute force: over every activation pattern (the oracles'
LPs) for sequential models, and over the *model's* own neurons for residual blocks: for each
on/off pattern of the model's ReLUs (not the converted network's), the block's algebra
written out in numpy gives the cell's inequalities, and an independent LP (Clarabel, through the oracles module) says whether
the cell is full-dimensional. The copy neurons the converter adds must add no region.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import regions  # noqa: E402

import oracles  # noqa: E402
from oracles import pattern_set, unambiguous  # noqa: E402


class Residual(nn.Module):
    """x + f(x): a skip connection."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return x + self.inner(x)


class Block(nn.Module):
    """relu(h + W2 relu(W1 h + b1) + b2): a ResNet block on vectors."""

    def __init__(self, width: int):
        super().__init__()
        self.inner, self.outer = nn.Linear(width, width), nn.Linear(width, width)

    def forward(self, h):
        return torch.relu(h + self.outer(torch.relu(self.inner(h))))


class ConvBlock(nn.Module):
    """The basic ResNet block on images, flattening with x.view(x.size(0), -1) at the end."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.bn = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        out = nn.functional.relu(self.bn(self.conv1(x)))
        out = nn.functional.relu(x + self.conv2(out))
        return out.view(out.size(0), -1)


def assert_computes(net, model, x, shape=None):
    """``net`` gives ``model``'s outputs, to 1e-12, on the rows of ``x`` (k, n), fed to the
    model as tensors of ``shape`` (default: vectors)."""
    with torch.no_grad():
        expected = model(torch.from_numpy(x.reshape(len(x), *(shape or x.shape[1:]))))
    assert np.allclose(net.forward(x), expected.numpy().reshape(len(x), -1), rtol=1e-12,
                       atol=1e-12)


def linear(weight, bias):
    layer = nn.Linear(len(weight[0]), len(weight)).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(weight, dtype=torch.float64))
        layer.bias.copy_(torch.tensor(bias, dtype=torch.float64))
    return layer


def test_hand_worked_1d_block():
    # h = relu(x); y = relu(h - 2 relu(h - 1) - 0.5): the model's neurons break at
    # x = 0 (h), x = 1 (inner) and x = 0.5, 1.5 (outer), so [-1, 3] holds 5 regions.
    block = Block(1)
    block.inner, block.outer = linear([[1.0]], [-1.0]), linear([[-2.0]], [-0.5])
    model = nn.Sequential(linear([[1.0]], [0.0]), nn.ReLU(), block, linear([[1.0]], [0.0]))
    net = regions.from_torch(model)
    part = regions.enumerate_regions(net, regions.box(-1, 3))
    assert len(part) == 5
    ends = sorted(round(float(w[0]), 6) for w in part.witnesses)
    cuts = [-1, 0, 0.5, 1, 1.5, 3]
    assert all(lo < w < hi for w, lo, hi in zip(ends, cuts[:-1], cuts[1:]))


@pytest.mark.parametrize("seed", [0, pytest.param(1, marks=pytest.mark.slow),
                                  pytest.param(2, marks=pytest.mark.slow)])
def test_random_block_matches_brute_force_over_the_models_neurons(seed):
    torch.manual_seed(seed)
    block = Block(3)
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), block, nn.Linear(3, 1)).double()
    weights = [(m.weight.detach().numpy(), m.bias.detach().numpy())
               for m in (model[0], block.inner, block.outer)]
    net = regions.from_torch(model)
    # layers: h (3); inner (3) + copies of h (3); outer (3); output
    assert net.widths == [2, 3, 6, 3, 1]
    part = regions.enumerate_regions(net, regions.box(-2, 2))
    real = np.delete(part.patterns, [6, 7, 8], axis=1)       # drop the copy neurons
    assert len({tuple(p) for p in real}) == len(part)         # copies add no region
    assert {tuple(int(v) for v in p) for p in real} == oracles.residual_block_patterns(weights, -2.0, 2.0)
    # a copy neuron's state is the state of the neuron it copies
    assert np.array_equal(part.patterns[:, 6:9], part.patterns[:, 0:3])


def test_conv_resnet_block_on_a_plane():
    torch.manual_seed(5)
    stem = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU())
    model = nn.Sequential(stem, ConvBlock(2), nn.Linear(2 * 3 * 3, 1)).double().eval()
    model[1].bn.running_mean.uniform_(-0.5, 0.5)
    model[1].bn.running_var.uniform_(0.5, 2.0)
    net = regions.from_torch(model, input_shape=(1, 3, 3))
    with torch.no_grad():
        x = torch.randn(8, 1, 3, 3, dtype=torch.float64)
        assert np.allclose(net.forward(x.reshape(8, -1).numpy()), model(x).numpy(),
                           rtol=1e-10, atol=1e-10)
    e = np.eye(9)
    part = regions.enumerate_regions(net, regions.plane(np.zeros(9), e[0], e[4], lo=-1, hi=1))
    # the converted regions are the model's: each witness's affine map is the model's,
    # and points of the same region (inside its witness ball) give the model's values
    inputs = part.input_witnesses
    with torch.no_grad():
        values = model(torch.from_numpy(inputs.reshape(-1, 1, 3, 3))).numpy()
    assert np.allclose(net.forward(inputs), values, rtol=1e-10, atol=1e-10)
    assert len(part) > 1 and part.complete


def test_refusals_name_the_node():
    class Leaky(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Linear(2, 2)

        def forward(self, h):
            return h + nn.functional.leaky_relu(self.inner(h), 0.1)

    class Product(nn.Module):
        def forward(self, h):
            return h * h

    class Alias(nn.Module):
        """g += ... also changes h in eager PyTorch; torch.fx's trace does not see it."""

        def __init__(self):
            super().__init__()
            self.inner = nn.Linear(2, 2)

        def forward(self, h):
            g = h
            g += self.inner(h)
            return torch.relu(g) + h

    class Sigmoid(nn.Module):
        def __init__(self):
            super().__init__()
            self.act = nn.Sigmoid()

        def forward(self, h):
            return h + self.act(h)

    class Pool(nn.Module):
        def __init__(self):
            super().__init__()
            self.pool = nn.MaxPool1d(2)

        def forward(self, h):
            return h + self.pool(h).repeat(1, 1, 2)

    with pytest.raises(regions.NetworkError, match="is the network input"):
        regions.from_torch(nn.Sequential(Block(2)), input_shape=(2,))
    cases = [
        (nn.Sequential(nn.Linear(2, 2), nn.LeakyReLU(0.1), Block(2)),
         "it is a leaky_relu output, which relu would change"),
        (nn.Sequential(nn.Linear(2, 2), nn.LeakyReLU(0.1), Leaky()),
         "leaky_relu changes its own negative outputs"),
        (nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2), Block(2)),
         "not the previous layer's output"),
        (nn.Sequential(nn.Linear(2, 2), Product()), "product of two tensors"),
        (nn.Sequential(nn.Linear(2, 2), nn.ReLU(), Alias()), "write it out of place"),
        (nn.Sequential(nn.Linear(2, 2), Sigmoid()), "unsupported module Sigmoid"),
    ]
    for model, message in cases:
        with pytest.raises(regions.NetworkError, match=message):
            regions.from_torch(model)
    with pytest.raises(regions.NetworkError, match="max pooling in a model that must be traced"):
        regions.from_torch(nn.Sequential(nn.Conv1d(1, 1, 1), Pool()), input_shape=(1, 4))


def test_hardtanh_outputs_are_carried():
    class TanhBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Linear(2, 2)

        def forward(self, h):
            return nn.functional.hardtanh(h - self.inner(nn.functional.hardtanh(h)))

    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 2), nn.Hardtanh(), TanhBlock(), nn.Linear(2, 1)).double()
    net = regions.from_torch(model)
    assert net.activations == ["hardtanh", "hardtanh", "hardtanh", "identity"]
    assert_computes(net, model, np.random.default_rng(0).normal(scale=3.0, size=(64, 2)))


def test_scaled_skips_in_place_relus_and_unused_activations_convert():
    # h * gamma (a constant parameter), ReLU(inplace=True) as torchvision's blocks use it,
    # and an activation whose output is never used: all exact.
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner, self.outer = nn.Linear(3, 3), nn.Linear(3, 3)
            self.relu = nn.ReLU(inplace=True)
            self.gamma = nn.Parameter(torch.tensor([0.5, -1.0, 2.0]))

        def forward(self, h):
            torch.relu(h)                      # an activation nobody uses
            out = self.relu(self.inner(h))
            out = self.outer(out)
            out += h * self.gamma
            return self.relu(out)

    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(inplace=True), Block(), nn.Linear(3, 1))
    net = regions.from_torch(model.double())
    assert_computes(net, model, np.random.default_rng(0).normal(size=(32, 2)))


def test_aliasing_the_trace_cannot_see_is_refused():
    # skip = h; h += relu(h - 4): eager PyTorch changes skip too, the trace does not; the
    # difference shows only where h > 4, which the check's inputs reach (sizes up to 100).
    class Alias(nn.Module):
        def __init__(self):
            super().__init__()
            self.first, self.second = nn.Linear(2, 2), nn.Linear(2, 2)
            with torch.no_grad():
                for layer, bias in ((self.first, 0.0), (self.second, -4.0)):
                    layer.weight.copy_(torch.eye(2))
                    layer.bias.fill_(bias)

        def forward(self, x):
            h = torch.relu(self.first(x))
            skip = h
            h += torch.relu(self.second(h))
            return h.sum(dim=1, keepdim=True) + skip.sum(dim=1, keepdim=True)

    with pytest.raises(regions.NetworkError, match="write it out of place"):
        regions.from_torch(Alias(), input_shape=(2,))
    # the same in place on a tensor nobody else holds, and clamp as ReLU and Hardtanh
    class Fine(nn.Module):
        def __init__(self):
            super().__init__()
            self.first, self.second = nn.Linear(2, 3), nn.Linear(3, 3)

        def forward(self, x):
            h = self.first(x).clamp(min=0)
            out = self.second(h)
            out += h
            return torch.clamp(out, -1, 1)

    torch.manual_seed(0)
    fine = Fine().double()
    net = regions.from_torch(fine, input_shape=(2,))
    assert net.activations == ["relu", "hardtanh"]
    assert_computes(net, fine, np.random.default_rng(1).normal(scale=3, size=(32, 2)))


def test_converter_edge_cases():
    # Found by fuzzing: each either converts exactly or is refused with a NetworkError.
    class Scaled(nn.Module):          # 2 h carried past a ReLU: relu(2 h) = 2 h for h >= 0
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c = nn.Linear(2, 2), nn.Linear(2, 2), nn.Linear(2, 1)

        def forward(self, x):
            h = torch.relu(self.a(x))
            t = torch.relu(self.b(h) + 2 * h)
            return self.c(t + 2 * h)

    class Sizes(nn.Module):           # shape arithmetic is not a product of tensors
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 2)

        def forward(self, x):
            h = torch.relu(self.conv(x))
            return h.view(h.size(0), h.size(1) * h.size(2) * h.size(3)) / h.shape[1]

    class OfConstant(nn.Module):      # an activation of a parameter is a constant
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(2, 3), nn.Parameter(torch.tensor([1.0, -1.0, 2.0]))

        def forward(self, x):
            return torch.relu(self.a(x)) + torch.relu(self.b)

    torch.manual_seed(4)
    x = np.random.default_rng(2).normal(scale=3, size=(32, 4))
    for model, shape in ((Scaled(), (2,)), (Sizes(), (1, 2, 2)), (OfConstant(), (2,)),
                         (nn.Sequential(nn.ReLU(), nn.Linear(2, 1)), (2,)),
                         (nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.ReLU()), 2)):
        model = model.double().eval()
        net = regions.from_torch(model, input_shape=shape)
        assert_computes(net, model, x[:, :net.input_dim], tuple(np.atleast_1d(shape)))
    refused = [
        (nn.Sequential(nn.Linear(3, 4), nn.ReLU()), (5,), "in_features=3"),
        (nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2, track_running_stats=False)), (2,),
         "its own statistics"),
    ]
    for model, shape, message in refused:
        with pytest.raises(regions.NetworkError, match=message):
            regions.from_torch(model, input_shape=shape)


# --------------------------------------------------------------------------- issue 23

class StartsWithLinear(nn.Module):
    """relu(W x + b) summed: a custom module whose first operation (past a Dropout) is a
    Linear."""

    def __init__(self):
        super().__init__()
        self.drop, self.first, self.out = nn.Dropout(0.5), nn.Linear(2, 3), nn.Linear(3, 1)

    def forward(self, x):
        return self.out(torch.relu(self.first(self.drop(x))))


class StartsWithView(nn.Module):
    """A Linear on the flattened input: its first operation is x.view."""

    def __init__(self):
        super().__init__()
        self.first = nn.Linear(4, 1)

    def forward(self, x):
        return self.first(x.view(-1, 4))


def test_input_shape_is_inferred_when_a_linear_reads_the_input_first():
    # Before: "the model starts with StartsWithLinear, not Linear: give input_shape"; after,
    # the torch.fx trace finds the Linear (past a Dropout), in the model itself and inside a
    # Sequential. Three lines in general position cut R^2 into 1 + 3 + 3 = 7 regions
    # (Zaslavsky); torch's own forward pass checks the maps.
    torch.manual_seed(0)
    model = StartsWithLinear().eval()
    for wrapped in (model, nn.Sequential(model, nn.ReLU())):
        net = regions.from_torch(wrapped)
        assert net.input_dim == 2
        x = np.random.default_rng(1).normal(size=(20, 2))
        with torch.no_grad():
            expected = wrapped.double()(torch.from_numpy(x)).numpy()
        assert np.allclose(net.forward(x), expected, rtol=1e-12, atol=1e-12)
    assert len(regions.enumerate_regions(regions.from_torch(model))) == oracles.zaslavsky(3, 2)


def test_an_unknown_input_shape_is_asked_for_by_its_api_and_cli_names(tmp_path, capsys):
    # The message names what reads the input first, and the argument as the caller gives
    # it: input_shape=(C, H, W) from Python, --input-shape C,H,W from the command line.
    from regions import cli
    model = StartsWithView().eval()
    with pytest.raises(regions.NetworkError) as error:
        regions.from_torch(model)
    assert str(error.value).startswith("the first operation on the model's input is .view(), "
                                       "not a Linear")
    assert "give input_shape=(C, H, W)" in str(error.value)
    path = tmp_path / "view.pt"
    torch.save(model, path)
    assert cli.main(["count", str(path), "--allow-pickle", "--quiet"]) == cli.EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "give --input-shape C,H,W" in err and "input_shape=" not in err
    # given, it converts: one Linear of 4 inputs to 1 output
    assert regions.from_torch(model, input_shape=(2, 2)).widths == [4, 1]


def test_from_torch():
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
    for model in (nn.Sequential(nn.Linear(2, 3), nn.Sigmoid()),
                  nn.Sequential(nn.Linear(2, 3), nn.Hardtanh(-2.0, 2.0)),
                  nn.Sequential(nn.ReLU(), nn.Linear(2, 3)),
                  nn.Sequential(nn.Flatten())):
        with pytest.raises(regions.NetworkError):
            regions.from_torch(model)


def test_from_torch_convolutional_model_matches_its_forward_and_brute_force():
    # Conv2d (stride, padding, dilation, groups), BatchNorm (eval), AvgPool, Dropout and a
    # nested Sequential become two exact affine layers; torch's own forward pass and brute
    # force on a plane slice of the 18-D input are the independent checks.
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
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), Residual(nn.Linear(3, 3)))
    net = regions.from_torch(model)
    inner = model[2].inner
    assert net.widths == [2, 3, 3] and net.activations == ["relu", "identity"]
    assert np.allclose(net.layers[1].weight, np.eye(3) + inner.weight.detach().numpy(),
                       rtol=0, atol=1e-15)
    assert np.allclose(net.layers[1].bias, inner.bias.detach().numpy(), rtol=0, atol=1e-15)


def test_cli_counts_a_pickled_convolutional_model_on_a_plane(tmp_path, capsys):
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


@pytest.mark.parametrize("kind", ["BatchNorm1d", "Dropout"])
def test_batchnorm_and_dropout_in_training_mode_are_refused(tmp_path, capsys, kind):
    # Before: converted silently with eval semantics (another network than the one saved in
    # training mode); after, refused naming the module, from Python and from a file.
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
