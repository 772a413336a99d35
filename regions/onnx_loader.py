"""Conversion of ONNX models to :class:`~regions.network.Network` (``pip install "regions[onnx]"``).

The graph must be a chain from its one input to its one output (every node's inputs are
the previous node's output and constants), of affine operators and elementwise
piecewise-linear activations:

* affine: ``Gemm``, ``MatMul``, ``Add``/``Sub``/``Mul``/``Div`` by a constant, ``Conv``,
  ``BatchNormalization``, ``AveragePool``, ``GlobalAveragePool``, ``Flatten``,
  ``Reshape``, ``Transpose``, ``Squeeze``, ``Unsqueeze``, ``Pad``, ``Identity``,
  ``Dropout``;
* activations: ``Relu``, ``LeakyRelu``, ``Clip`` to ``[-1, 1]`` (hard-tanh).

As for PyTorch models (:mod:`regions.torch_loader`), each run of affine operators between
two activations becomes one exact float64 layer, read off its response (ONNX's reference
evaluator, :mod:`onnx.reference`, with every constant converted to float64) to zero and
to every basis vector of its flattened input; the network is then checked against the
whole model, also evaluated in float64, to ``CHECK_RTOL``. ``MaxPool``, skip connections
(an operator fed by two computed tensors) and any other operator are refused by name.
"""

from __future__ import annotations

import os

import numpy as np

from .errors import FileFormatError, NetworkError
from .network import Network, make_layer
from .torch_loader import CHECK_RTOL, CHECK_SAMPLES, affine_from_responses, reproduces

AFFINE = {"Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Conv", "BatchNormalization",
          "AveragePool", "GlobalAveragePool", "Flatten", "Reshape", "Transpose", "Squeeze",
          "Unsqueeze", "Pad", "Identity", "Dropout"}
ACTIVATIONS = {"Relu", "LeakyRelu", "Clip"}


def from_onnx(model, input_shape=None) -> Network:
    """Convert an ONNX model (a path or an ``onnx.ModelProto``) to a Network.

    ``input_shape`` (one input's shape without the batch axis) is needed only when the
    model's input shape is not fixed in the file. The network's inputs are the flattened
    (C-order) input tensors.
    """
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        raise NetworkError('ONNX models need the onnx package: pip install "regions[onnx]"') \
            from None
    if isinstance(model, (str, os.PathLike)):
        try:
            model = onnx.load(os.fspath(model))
        except Exception as exc:  # onnx raises protobuf errors of several types
            raise FileFormatError(f"{model} is not a readable ONNX model: "
                                  f"{type(exc).__name__}") from None
    graph = model.graph
    constants = {t.name: _double(numpy_helper.to_array(t)) for t in graph.initializer}
    nodes = []
    for node in graph.node:
        if node.op_type == "Constant":
            constants[node.output[0]] = _double(numpy_helper.to_array(node.attribute[0].t))
        else:
            nodes.append(node)
    inputs = [i for i in graph.input if i.name not in constants]
    if len(inputs) != 1 or len(graph.output) != 1:
        raise NetworkError("the ONNX graph must have one input and one output")
    shape = _input_shape(inputs[0], input_shape)
    layers, runs, current, run = [], [], inputs[0].name, []

    def close(activation: str, slope: float = 0.01) -> None:
        nonlocal run, shape
        if not run:
            raise NetworkError(f"{activation} must follow an affine operator")
        weight, bias, shape = _affine_matrix(run, constants, shape)
        layers.append(make_layer(weight, bias, activation, slope, len(layers)))
        runs.append(run)
        run = []

    for node in nodes:
        computed = [name for name in node.input if name and name not in constants]
        if computed != [current]:
            raise NetworkError(f"{node.op_type} node {node.name or node.output[0]!r} is not fed by "
                               f"the previous node alone (a skip connection?): only chains "
                               f"convert")
        current = node.output[0]
        if node.op_type in AFFINE:
            run.append(node)
        elif node.op_type == "Relu":
            close("relu")
        elif node.op_type == "LeakyRelu":
            alpha = next((a.f for a in node.attribute if a.name == "alpha"), 0.01)
            close("leaky_relu", float(alpha))
        elif node.op_type == "Clip" and _clip_bounds(node, constants) == (-1.0, 1.0):
            close("hardtanh")
        elif node.op_type == "Clip":
            raise NetworkError(f"Clip{_clip_bounds(node, constants)} is unsupported: only "
                               f"(-1, 1) (hard-tanh)")
        elif "MaxPool" in node.op_type:
            raise NetworkError(f"{node.op_type} is piecewise linear but not elementwise, which "
                               f"the enumeration cannot carry")
        else:
            raise NetworkError(f"unsupported ONNX operator {node.op_type}")
    if current != graph.output[0].name:
        raise NetworkError("the ONNX graph's output is not the end of its chain")
    if run:
        close("identity")
    network = Network(layers)
    _check(network, nodes, constants, inputs[0].name, _input_shape(inputs[0], input_shape))
    return network


def _double(array: np.ndarray) -> np.ndarray:
    return array.astype(np.float64) if np.issubdtype(array.dtype, np.floating) else array


def _input_shape(value_info, given) -> tuple:
    if given is not None:
        return tuple(int(s) for s in given)
    dims = value_info.type.tensor_type.shape.dim[1:]
    if not dims or any(not d.HasField("dim_value") for d in dims):
        raise NetworkError("the ONNX input's shape is not fixed: give input_shape (one "
                           "input's shape, without the batch axis)")
    return tuple(int(d.dim_value) for d in dims)


def _clip_bounds(node, constants) -> tuple:
    names = list(node.input[1:]) + [None, None]
    low = float(constants[names[0]]) if names[0] else -np.inf
    high = float(constants[names[1]]) if names[1] else np.inf
    for attribute in node.attribute:                 # opset < 11 keeps them as attributes
        if attribute.name == "min":
            low = float(attribute.f)
        if attribute.name == "max":
            high = float(attribute.f)
    return low, high


def _evaluator(nodes, constants, input_name: str):
    """ONNX's reference evaluator of ``nodes`` on a float64 input, constants in float64."""
    from onnx import TensorProto, helper, numpy_helper
    from onnx.reference import ReferenceEvaluator
    used = {name for node in nodes for name in node.input if name in constants}
    graph = helper.make_graph(
        list(nodes), "run",
        [helper.make_tensor_value_info(input_name, TensorProto.DOUBLE, None)],
        [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.DOUBLE, None)],
        [numpy_helper.from_array(constants[name], name) for name in sorted(used)])
    return ReferenceEvaluator(helper.make_model(graph))


def _affine_matrix(run, constants, shape: tuple):
    """``(W (out, in), b (out,), output shape)`` of a run of affine nodes on ``shape``."""
    size = int(np.prod(shape))
    evaluator = _evaluator(run, constants, run[0].input[0])
    name = run[0].input[0]
    try:
        zero = evaluator.run(None, {name: np.zeros((1, *shape))})[0]
        response = evaluator.run(None, {name: np.eye(size).reshape(size, *shape)})[0]
    except Exception as exc:  # the reference operators raise many types on bad shapes
        ops = ", ".join(node.op_type for node in run)
        raise NetworkError(f"{ops} cannot take inputs of shape {shape}: "
                           f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") \
            from None
    return affine_from_responses(zero, response)


def _check(network: Network, nodes, constants, input_name: str, shape: tuple) -> None:
    """The network against the whole graph evaluated in float64, on random inputs."""
    x = np.random.default_rng(0).normal(size=(CHECK_SAMPLES, int(np.prod(shape))))
    whole = _evaluator(nodes, constants, input_name).run(
        None, {input_name: x.reshape(CHECK_SAMPLES, *shape)})[0].reshape(CHECK_SAMPLES, -1)
    if not reproduces(network.forward(x), whole):
        raise NetworkError(f"the converted network does not reproduce the ONNX model's output "
                           f"to {CHECK_RTOL:g} relative")
