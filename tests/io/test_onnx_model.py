"""ONNX models (regions.from_onnx, .onnx files): counts against brute force, refusals.

The models are built here with onnx.helper, in float32 as exported models are; the
converted network must reproduce onnx's own reference evaluation and give brute force's
regions.
"""

import json
import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402
from onnx.reference import ReferenceEvaluator  # noqa: E402

import regions  # noqa: E402
from regions.cli import main  # noqa: E402

import oracles  # noqa: E402
from oracles import pattern_set, unambiguous  # noqa: E402


def model(nodes, initializers, input_shape, output="y"):
    graph = helper.make_graph(
        nodes, "m", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, *input_shape])],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, None)],
        [numpy_helper.from_array(np.asarray(a, np.float32), name) for name, a in initializers])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def mlp(rng):
    return model(
        [helper.make_node("Gemm", ["x", "W0", "b0"], ["h0"], transB=1),
         helper.make_node("Relu", ["h0"], ["a0"]),
         helper.make_node("MatMul", ["a0", "W1"], ["h1"]),
         helper.make_node("Add", ["h1", "b1"], ["g1"]),
         helper.make_node("Clip", ["g1", "lo", "hi"], ["a1"]),
         helper.make_node("Gemm", ["a1", "W2", "b2"], ["y"], transB=1)],
        [("W0", rng.normal(size=(5, 2))), ("b0", rng.normal(size=5)),
         ("W1", rng.normal(size=(5, 4))), ("b1", rng.normal(size=4)),
         ("lo", -1.0), ("hi", 1.0), ("W2", rng.normal(size=(1, 4))), ("b2", [0.0])], [2])


def conv(rng):
    return model(
        [helper.make_node("Conv", ["x", "K", "c"], ["h0"], pads=[1, 1, 1, 1], strides=[2, 2]),
         helper.make_node("BatchNormalization", ["h0", "s", "t", "m", "v"], ["n0"]),
         helper.make_node("LeakyRelu", ["n0"], ["a0"], alpha=0.1),
         helper.make_node("AveragePool", ["a0"], ["p0"], kernel_shape=[2, 2]),
         helper.make_node("Flatten", ["p0"], ["f0"]),
         helper.make_node("Gemm", ["f0", "W", "b"], ["y"], transB=1)],
        [("K", rng.normal(size=(3, 1, 3, 3))), ("c", rng.normal(size=3)),
         ("s", rng.uniform(0.5, 2, size=3)), ("t", rng.normal(size=3)),
         ("m", rng.normal(size=3) * 0.1), ("v", rng.uniform(0.5, 2, size=3)),
         ("W", rng.normal(size=(1, 3))), ("b", [0.1])], [1, 4, 4])


@pytest.mark.parametrize("seed", range(2), ids=["seed0", "seed1"])
def test_mlp_matches_onnx_and_brute_force(seed, tmp_path):
    m = mlp(np.random.default_rng(seed))
    path = tmp_path / "mlp.onnx"
    onnx.save(m, path)
    net = regions.read_network(path)
    assert net.widths == [2, 5, 4, 1] and net.activations == ["relu", "hardtanh", "identity"]
    X = np.random.default_rng(9).normal(size=(20, 2)).astype(np.float32)
    assert np.allclose(net.forward(X), ReferenceEvaluator(m).run(None, {"x": X})[0], atol=1e-5)
    truth = unambiguous(oracles.brute_force_patterns, net, oracles.box_slice([-2, -2], [2, 2]))
    assert pattern_set(regions.enumerate_regions(net, regions.box(-2, 2))) == truth


def test_convolutional_model_on_a_plane(tmp_path, capsys):
    m = conv(np.random.default_rng(3))
    net = regions.from_onnx(m)
    assert net.widths == [16, 12, 1] and net.activations == ["leaky_relu", "identity"]
    e = np.eye(16)
    truth = unambiguous(oracles.brute_force_patterns, net,
                        oracles.plane_slice(np.zeros(16), e[0], e[5], -2, 2))
    path = tmp_path / "conv.onnx"
    onnx.save(m, path)
    plane = ["--plane", ",".join(["0"] * 16), ",".join(map(str, e[0].astype(int))),
             ",".join(map(str, e[5].astype(int))), "--box", "-2", "2"]
    assert main(["count", str(path), *plane, "--json", "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)["regions"] == len(truth)


def test_refusals_name_the_operator(tmp_path):
    rng = np.random.default_rng(0)
    pooled = model([helper.make_node("Conv", ["x", "K"], ["h"]),
                    helper.make_node("MaxPool", ["h"], ["y"], kernel_shape=[2, 2],
                                     ceil_mode=1)],
                   [("K", rng.normal(size=(1, 1, 2, 2)))], [1, 3, 3])
    skip = model([helper.make_node("Gemm", ["x", "W"], ["h"], transB=1),
                  helper.make_node("Relu", ["h"], ["a"]),
                  helper.make_node("Add", ["a", "x"], ["y"])],
                 [("W", rng.normal(size=(2, 2)))], [2])
    sigmoid = model([helper.make_node("Gemm", ["x", "W"], ["h"], transB=1),
                     helper.make_node("Sigmoid", ["h"], ["y"])], [("W", np.ones((2, 2)))], [2])
    clip = model([helper.make_node("Gemm", ["x", "W"], ["h"], transB=1),
                  helper.make_node("Clip", ["h", "lo", "hi"], ["y"])],
                 [("W", np.ones((2, 2))), ("lo", 0.0), ("hi", 6.0)], [2])
    for m, message in ((pooled, "ceil_mode=1"), (skip, "skip connection"),
                       (sigmoid, "unsupported ONNX operator Sigmoid"), (clip, "only \\(-1, 1\\)")):
        with pytest.raises(regions.NetworkError, match=message):
            regions.from_onnx(m)
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    with pytest.raises(regions.FileFormatError, match="not a readable ONNX model"):
        regions.read_network(bad)


def test_residual_block_matches_brute_force_over_the_models_neurons():
    # x -> a = relu(W0 x + b0) -> y = relu(a + W2 relu(W1 a + b1) + b2) -> W3 y: an Add of
    # two computed tensors, as exported ResNets have; the skipped a is carried by copies.
    rng = np.random.default_rng(3)
    W0, W1, W2 = (rng.normal(size=(3, k)).astype(np.float32) for k in (2, 3, 3))
    b0, b1, b2 = (rng.normal(size=3).astype(np.float32) for _ in range(3))
    m = model([helper.make_node("Gemm", ["x", "W0", "b0"], ["h"], transB=1),
               helper.make_node("Relu", ["h"], ["a"]),
               helper.make_node("Gemm", ["a", "W1", "b1"], ["g"], transB=1),
               helper.make_node("Relu", ["g"], ["c"]),
               helper.make_node("Gemm", ["c", "W2", "b2"], ["d"], transB=1),
               helper.make_node("Add", ["a", "d"], ["e"]),
               helper.make_node("Relu", ["e"], ["r"]),
               helper.make_node("Gemm", ["r", "W3"], ["y"], transB=1)],
              [("W0", W0), ("b0", b0), ("W1", W1), ("b1", b1), ("W2", W2), ("b2", b2),
               ("W3", np.ones((1, 3)))], [2])
    net = regions.from_onnx(m)
    assert net.widths == [2, 3, 6, 3, 1]          # the inner layer carries 3 copies of a
    part = regions.enumerate_regions(net, regions.box(-2, 2))
    real = np.delete(part.patterns, [6, 7, 8], axis=1)
    weights = [(W.astype(np.float64), b.astype(np.float64)) for W, b in
               ((W0, b0), (W1, b1), (W2, b2))]
    assert {tuple(int(v) for v in p) for p in real} == oracles.residual_block_patterns(
        weights, -2.0, 2.0)
    assert len({tuple(p) for p in real}) == len(part)
    x = rng.normal(size=(8, 2))
    expected = ReferenceEvaluator(m).run(None, {"x": x.astype(np.float32)})[0]
    assert np.allclose(net.forward(x), expected, rtol=1e-5, atol=1e-5)   # float32 model


@pytest.mark.parametrize("dynamic", [True, False], ids=["dynamic-batch", "fixed-batch"])
def test_exported_resnet_block_matches_the_torch_conversion(dynamic, tmp_path):
    # A conv ResNet block exported by PyTorch (Shape/Gather/Concat for x.view(x.size(0), -1)
    # with a dynamic batch; a constant (1, 18) shape with a fixed one), converted from ONNX
    # and, independently, from the traced torch model: the same function and, on a plane,
    # the same regions.
    torch = pytest.importorskip("torch")
    import warnings
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem, self.c1 = nn.Conv2d(1, 2, 3, padding=1), nn.Conv2d(2, 2, 3, padding=1)
            self.c2, self.fc = nn.Conv2d(2, 2, 3, padding=1), nn.Linear(18, 1)

        def forward(self, x):
            h = torch.relu(self.stem(x))
            h = torch.relu(h + self.c2(torch.relu(self.c1(h))))
            return self.fc(h.view(h.size(0), -1))

    torch.manual_seed(2)
    model = Net().eval()
    path = tmp_path / "block.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.randn(1, 1, 3, 3), str(path), dynamo=False,
                          input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}} if dynamic else None)
    from_onnx = regions.from_onnx(path)
    from_torch = regions.from_torch(model, input_shape=(1, 3, 3))
    assert from_onnx.widths == from_torch.widths == [9, 18, 36, 18, 1]
    x = np.random.default_rng(0).normal(size=(16, 9))
    with torch.no_grad():
        expected = model.double()(torch.from_numpy(x.reshape(16, 1, 3, 3))).numpy()
    assert np.allclose(from_onnx.forward(x), expected, rtol=1e-5, atol=1e-6)  # float32 file
    e = np.eye(9)
    plane = regions.plane(np.zeros(9), e[0], e[4], lo=-1, hi=1)
    assert len(regions.enumerate_regions(from_onnx, plane)) == \
        len(regions.enumerate_regions(from_torch, plane))


def test_clip_at_zero_is_relu_and_constant_subgraphs_fold():
    # Clip(0, inf) is ReLU; c1 + c2 of two initializers is computed once, as a constant,
    # even when it is used after an activation (only input-dependent tensors are carried).
    rng = np.random.default_rng(5)
    m = model([helper.make_node("Gemm", ["x", "W", "b"], ["h"], transB=1),
               helper.make_node("Clip", ["h", "zero"], ["a"]),
               helper.make_node("Add", ["c1", "c2"], ["c"]),
               helper.make_node("Add", ["a", "c"], ["y"])],
              [("W", rng.normal(size=(3, 2))), ("b", rng.normal(size=3)), ("zero", 0.0),
               ("c1", rng.normal(size=3)), ("c2", rng.normal(size=3))], [2])
    net = regions.from_onnx(m)
    assert net.activations == ["relu", "identity"]
    x = rng.normal(size=(16, 2))
    expected = ReferenceEvaluator(m).run(None, {"x": x.astype(np.float32)})[0]
    assert np.allclose(net.forward(x), expected, rtol=1e-5, atol=1e-5)


def test_torch_onnx_export_with_its_defaults(tmp_path):
    # torch >= 2.9 exports through torch.export, which needs onnxscript (regions[onnx]
    # installs it) and writes x.view(...) / Flatten as a Reshape with allowzero=1 and the
    # example's batch size: converted with any batch (before: refused, "fixes the batch
    # size"). torch's own forward pass is the reference.
    torch = pytest.importorskip("torch")
    pytest.importorskip("onnxscript")
    nn = torch.nn
    torch.manual_seed(4)
    model = nn.Sequential(nn.Conv2d(1, 2, 2), nn.ReLU(), nn.Flatten(), nn.Linear(8, 1)).eval()
    path = tmp_path / "default.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.zeros(1, 1, 3, 3),), str(path))
    net = regions.from_onnx(path)
    assert net.widths == [9, 8, 1]
    x = np.random.default_rng(0).normal(size=(16, 9))
    with torch.no_grad():
        expected = model.double()(torch.from_numpy(x.reshape(16, 1, 3, 3))).numpy()
    assert np.allclose(net.forward(x), expected, rtol=1e-5, atol=1e-6)  # float32 file
