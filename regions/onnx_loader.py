"""Conversion of ONNX models to :class:`~regions.network.Network` (``pip install "regions[onnx]"``).

The graph goes from its one input to its one output through affine operators and
elementwise piecewise-linear activations:

* affine: ``Gemm``, ``MatMul``, ``Add``/``Sub``/``Mul``/``Div`` by a constant, ``Conv``,
  ``BatchNormalization``, ``AveragePool``, ``GlobalAveragePool``, ``Flatten``,
  ``Reshape``, ``Transpose``, ``Squeeze``, ``Unsqueeze``, ``Pad``, ``Identity``,
  ``Dropout``;
* activations: ``Relu``, ``LeakyRelu``, ``Clip`` to ``[-1, 1]`` (hard-tanh).

Each activation becomes one exact float64 layer, read off probe batches
(:mod:`regions.probes`) that ONNX's reference evaluator (:mod:`onnx.reference`, every
constant converted to float64) carries through the graph node by node. Skip connections
(``Add`` of two computed tensors, as in exported ResNets) are converted when the tensor
added back is an earlier ReLU or Hardtanh layer's output, carried by copy neurons that
add no region; otherwise they are refused naming the node. The network is then checked
against the model, also evaluated in float64, to ``CHECK_RTOL``: each layer against the
values it stands for, the output against the whole graph's. ``MaxPool`` and any other
operator are refused by name.
"""

from __future__ import annotations

import os

import numpy as np

from .errors import FileFormatError, NetworkError
from .network import Network
from .probes import CHECK_SAMPLES, LayerBuilder, batch_size, check_layers

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
    network, sources = _layers(nodes, constants, inputs[0].name, graph.output[0].name, shape)
    _check(network, sources, nodes, constants, inputs[0].name, graph.output[0].name, shape)
    return network


def _activation(node, constants):
    """``(name, slope)`` of an activation node, None for an affine one (NetworkError for
    anything else)."""
    computed = [name for name in node.input if name and name not in constants]
    if node.op_type in ("Mul", "Div", "MatMul", "Gemm") and len(computed) > 1:
        raise NetworkError(f"{node.op_type} node {node.name or node.output[0]!r} multiplies two "
                           f"computed tensors: a product is not piecewise linear")
    if node.op_type in AFFINE:
        return None
    if node.op_type == "Relu":
        return "relu", 0.01
    if node.op_type == "LeakyRelu":
        return "leaky_relu", float(next((a.f for a in node.attribute if a.name == "alpha"), 0.01))
    if node.op_type == "Clip" and _clip_bounds(node, constants) == (-1.0, 1.0):
        return "hardtanh", 0.01
    if node.op_type == "Clip":
        raise NetworkError(f"Clip{_clip_bounds(node, constants)} is unsupported: only "
                           f"(-1, 1) (hard-tanh)")
    if "MaxPool" in node.op_type:
        raise NetworkError(f"{node.op_type} is piecewise linear but not elementwise, which "
                           f"the enumeration cannot carry")
    raise NetworkError(f"unsupported ONNX operator {node.op_type}")


def _layers(nodes, constants, input_name: str, output_name: str, shape: tuple):
    """The network's layers from the graph, on probe batches (:mod:`regions.probes`), and
    the graph values each layer stands for."""
    last_use = {input_name: -1}
    for k, node in enumerate(nodes):
        for name in node.input:
            if name in last_use:
                last_use[name] = k
        last_use[node.output[0]] = -1
    last_use[output_name] = len(nodes)
    for node in nodes:
        _activation(node, constants)           # refuse before any work
    size = int(np.prod(shape))
    outputs = _run_nodes(nodes, constants, input_name, np.zeros((1, *shape)))
    names = [input_name] + [node.output[0] for node in nodes]
    builder = LayerBuilder(batch_size([int(np.prod(outputs[n].shape[1:])) for n in names],
                                      [last_use[n] + 1 for n in names]), size)
    env = {input_name: builder.unit_probes(0, size, shape)}
    for k, node in enumerate(nodes):
        activation = _activation(node, constants)
        if activation is None:
            env[node.output[0]] = _run_node(node, constants, env)
        else:
            live = {name: (name, value) for name, value in env.items() if last_use[name] > k}
            out, carried = builder.activate(node.name or node.output[0], node.input[0],
                                            env[node.input[0]], *activation, live)
            env[node.output[0]] = out
            env.update(carried)
        for name in [name for name in env if last_use[name] <= k]:
            del env[name]
    if output_name not in env:
        raise NetworkError("the ONNX graph's output is not computed from its input")
    builder.finish(output_name, env[output_name])
    return Network(builder.layers), builder.sources


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


def _evaluator(nodes, constants, inputs: list, output: str):
    """ONNX's reference evaluator of ``nodes`` from the values ``inputs`` (names) to
    ``output``, on float64 values, constants in float64."""
    from onnx import TensorProto, helper, numpy_helper
    from onnx.reference import ReferenceEvaluator
    used = {name for node in nodes for name in node.input if name in constants}
    graph = helper.make_graph(
        list(nodes), "run",
        [helper.make_tensor_value_info(name, TensorProto.DOUBLE, None) for name in inputs],
        [helper.make_tensor_value_info(output, TensorProto.DOUBLE, None)],
        [numpy_helper.from_array(constants[name], name) for name in sorted(used)])
    return ReferenceEvaluator(helper.make_model(graph))


def _run_node(node, constants, env: dict) -> np.ndarray:
    """One node's output from the values ``env`` (name -> array) of its computed inputs."""
    inputs = [name for name in dict.fromkeys(node.input) if name and name not in constants]
    try:
        return _evaluator([node], constants, inputs, node.output[0]).run(
            None, {name: env[name] for name in inputs})[0]
    except Exception as exc:  # the reference operators raise many types on bad shapes
        shapes = ", ".join(str(env[name].shape[1:]) for name in inputs)
        raise NetworkError(f"{node.op_type} node {node.name or node.output[0]!r} cannot take "
                           f"inputs of shape {shapes}: "
                           f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") \
            from None


def _run_nodes(nodes, constants, input_name: str, x: np.ndarray) -> dict:
    """Every value of the graph (name -> array) on the input batch ``x``."""
    values = {input_name: x}
    for node in nodes:
        values[node.output[0]] = _run_node(node, constants, values)
    return values


def _check(network: Network, sources: list, nodes, constants, input_name: str,
           output_name: str, shape: tuple) -> None:
    """The network against the graph evaluated in float64 on random inputs: each layer
    against the values it stands for, and the output against the whole graph's."""
    x = np.random.default_rng(0).normal(size=(CHECK_SAMPLES, int(np.prod(shape))))
    batch = x.reshape(CHECK_SAMPLES, *shape)
    values = _run_nodes(nodes, constants, input_name, batch)
    whole = _evaluator(nodes, constants, [input_name], output_name).run(
        None, {input_name: batch})[0]
    check_layers(network, x, sources, values.__getitem__, whole, str)
