"""Conversion of ONNX models to :class:`~regions.network.Network` (``pip install "regions[onnx]"``).

The graph goes from its one input to its one output through affine operators and
elementwise piecewise-linear activations:

* affine: ``Gemm``, ``MatMul``, ``Add``/``Sub`` (also of two computed tensors),
  ``Mul``/``Div`` by a constant, ``Neg``, ``Conv``, ``BatchNormalization``,
  ``AveragePool``, ``GlobalAveragePool``, ``Flatten``, ``Reshape``, ``Transpose``,
  ``Squeeze``, ``Unsqueeze``, ``Pad``, ``Concat``, ``Slice``, ``Gather``, ``Expand``,
  ``Cast``, ``Identity``, ``Dropout``, and ``Shape`` (what exported ``x.view(x.size(0),
  -1)`` becomes); nodes computed from constants only are folded first;
* activations: ``Relu``, ``LeakyRelu``, ``Clip`` to ``[-1, 1]`` (hard-tanh);
* ``MaxPool`` (any ``kernel_shape``, ``strides``, ``pads``, ``dilations``; not
  ``ceil_mode``, an ``auto_pad`` other than ``NOTSET``/``VALID``, nor its ``Indices``
  output): a ``max`` layer (:class:`regions.Layer`) whose windows are the pool's.

Each activation becomes one exact float64 layer, read off probe batches
(:mod:`regions.io.conversion`) that ONNX's reference evaluator (:mod:`onnx.reference`, every
constant converted to float64) carries through the graph node by node. Skip connections
(``Add`` of two computed tensors, as in exported ResNets) are converted when the tensor
added back is an earlier ReLU or Hardtanh layer's output, carried by copy neurons that
add no region; otherwise they are refused naming the node. The network is then checked
against the model, also evaluated in float64, to ``CHECK_RTOL``: each layer against the
values it stands for, the output against the whole graph's. A skip connection across a
``MaxPool``, and any other operator, are refused by name.
"""

from __future__ import annotations

import os

import numpy as np

from ..errors import SPELLINGS, FileFormatError, NetworkError
from ..network import Network
from ..tolerances import CHECK_SAMPLES
from .conversion import (LayerBuilder, batch_size, check_inputs, check_layers,
                         max_pool_windows)

__all__ = ["AFFINE", "ACTIVATIONS", "from_onnx"]

AFFINE = {"Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Conv", "BatchNormalization",
          "AveragePool", "GlobalAveragePool", "Flatten", "Reshape", "Transpose", "Squeeze",
          "Unsqueeze", "Pad", "Identity", "Dropout", "Concat", "Slice", "Gather", "Neg",
          "Cast", "Shape", "Expand"}
ACTIVATIONS = {"Relu", "LeakyRelu", "Clip", "MaxPool"}


def from_onnx(model, input_shape=None) -> Network:
    """Convert an ONNX model (a path or an ``onnx.ModelProto``) to a Network.

    ``input_shape`` (one input's shape without the batch axis) is needed only when the
    model's input shape is not fixed in the file. The network's inputs are the flattened
    (C-order) input tensors.

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> from onnx import TensorProto, helper, numpy_helper
    >>> weights = [numpy_helper.from_array(np.float32(array), name) for array, name in
    ...            ((np.eye(2), "W1"), (np.zeros(2), "b1"), ([[1.0, 1.0]], "W2"), ([0.0], "b2"))]
    >>> nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["h"], transB=1),
    ...          helper.make_node("Relu", ["h"], ["r"]),
    ...          helper.make_node("Gemm", ["r", "W2", "b2"], ["y"], transB=1)]
    >>> graph = helper.make_graph(nodes, "mlp",
    ...     [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2])],
    ...     [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1])], weights)
    >>> net = regions.from_onnx(helper.make_model(graph))
    >>> net.widths, net.activations, len(regions.enumerate_regions(net))
    ([2, 2, 1], ['relu', 'identity'], 4)
    """
    try:
        import onnx
    except ImportError:
        raise NetworkError('ONNX models need the onnx package: pip install "regions[onnx]"') \
            from None
    if isinstance(model, (str, os.PathLike)):
        try:
            model = onnx.load(os.fspath(model))
        except Exception as exc:  # onnx raises protobuf errors of several types
            raise FileFormatError(f"{model} is not a readable ONNX model: "
                                  f"{type(exc).__name__}") from None
    graph = _Graph(model, input_shape)
    network, sources = _layers(graph)
    _check(network, sources, graph)
    return network


class _Graph:
    """An ONNX graph as the loader walks it: its nodes that depend on the input, in order,
    every constant (initializers, ``Constant`` nodes and nodes computed from constants
    only, in float64), and the model's opsets (each node is evaluated under them)."""

    def __init__(self, model, input_shape):
        from onnx import helper, numpy_helper
        self.opsets = list(model.opset_import)
        self.constants = {t.name: _double(numpy_helper.to_array(t))
                          for t in model.graph.initializer}
        inputs = [i for i in model.graph.input if i.name not in self.constants]
        if len(inputs) != 1 or len(model.graph.output) != 1:
            raise NetworkError("the ONNX graph must have one input and one output")
        self.input_name, self.output_name = inputs[0].name, model.graph.output[0].name
        self.shape = _input_shape(inputs[0], input_shape)
        batch = inputs[0].type.tensor_type.shape.dim[:1]
        fixed_batch = batch[0].dim_value if batch and batch[0].HasField("dim_value") else None
        self.nodes = []
        for node in model.graph.node:
            if (node.op_type == "Reshape" and fixed_batch is not None
                    and node.input[1] in self.constants
                    and self.constants[node.input[1]].ravel()[:1].tolist() == [fixed_batch]):
                # exported with a fixed batch, x.view(x.size(0), -1) becomes a constant
                # shape (batch, ...): keep the batch axis of whatever batch comes in
                node = self._batch_free_reshape(node, helper)
            if node.op_type == "Constant":
                value = helper.get_attribute_value(node.attribute[0])
                value = numpy_helper.to_array(value) if hasattr(value, "dims") else value
                self.constants[node.output[0]] = _double(np.asarray(value))
            elif all(not name or name in self.constants for name in node.input):
                self.constants[node.output[0]] = _double(self.run_node(node, {}))
            else:
                self.nodes.append(node)

    def _batch_free_reshape(self, node, helper):
        """A copy of the Reshape ``node`` whose target shape copies the batch axis (0)."""
        shape = np.array(self.constants[node.input[1]], dtype=np.int64).ravel()
        attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if attributes.get("allowzero") and not shape.all():
            raise NetworkError(f"Reshape node {node.name or node.output[0]!r} fixes the batch "
                               f"size (allowzero=1): export the model with a dynamic batch axis")
        # allowzero only changes what a 0 in the shape means: with none in the exported
        # shape it is off, and the 0 written at the batch axis copies the batch size
        attributes.pop("allowzero", None)
        shape[0] = 0
        name = f"{node.input[1]}/any_batch"
        self.constants[name] = shape
        return helper.make_node("Reshape", [node.input[0], name], list(node.output),
                                name=node.name, **attributes)

    def evaluator(self, nodes, inputs: list, output: str):
        """ONNX's reference evaluator of ``nodes`` from the values ``inputs`` (names) to
        ``output``, on float64 values, under the model's opsets."""
        from onnx import TensorProto, helper, numpy_helper
        from onnx.reference import ReferenceEvaluator
        used = {name for node in nodes for name in node.input if name in self.constants}
        graph = helper.make_graph(
            list(nodes), "run",
            [helper.make_tensor_value_info(name, TensorProto.DOUBLE, None) for name in inputs],
            [helper.make_tensor_value_info(output, TensorProto.DOUBLE, None)],
            [numpy_helper.from_array(self.constants[name], name) for name in sorted(used)])
        return ReferenceEvaluator(helper.make_model(graph, opset_imports=self.opsets))

    def run_node(self, node, env: dict) -> np.ndarray:
        """One node's output from the values ``env`` (name -> array) of its computed
        inputs."""
        inputs = [name for name in dict.fromkeys(node.input) if name and name not in
                  self.constants]
        try:
            return self.evaluator([node], inputs, node.output[0]).run(
                None, {name: env[name] for name in inputs})[0]
        except Exception as exc:  # the reference operators raise many types on bad shapes
            shapes = ", ".join(str(env[name].shape[1:]) for name in inputs)
            raise NetworkError(f"{node.op_type} node {node.name or node.output[0]!r} cannot "
                               f"take inputs of shape {shapes}: "
                               f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
                               ) from None

    def run_nodes(self, x: np.ndarray) -> dict:
        """Every value of the graph (name -> array) on the input batch ``x``."""
        values = {self.input_name: x}
        for node in self.nodes:
            values[node.output[0]] = self.run_node(node, values)
        return values


def _activation(node, constants):
    """``(name, slope)`` of an activation node, None for an affine one (NetworkError for
    anything else)."""
    if node.op_type in AFFINE:
        return None
    if node.op_type == "Relu":
        return "relu", 0.01
    if node.op_type == "LeakyRelu":
        return "leaky_relu", float(next((a.f for a in node.attribute if a.name == "alpha"), 0.01))
    if node.op_type == "Clip" and _clip_bounds(node, constants) == (-1.0, 1.0):
        return "hardtanh", 0.01
    if node.op_type == "Clip" and _clip_bounds(node, constants) == (0.0, np.inf):
        return "relu", 0.01
    if node.op_type == "Clip":
        raise NetworkError(f"Clip{_clip_bounds(node, constants)} is unsupported: only "
                           f"(-1, 1) (hard-tanh) and (0, inf) (ReLU)")
    if node.op_type == "MaxPool":
        _pool_attributes(node)
        return "max", 0.01
    if "MaxPool" in node.op_type:
        raise NetworkError(f"{node.op_type} is not carried: MaxPool is (a max layer)")
    raise NetworkError(f"unsupported ONNX operator {node.op_type}")


def _layers(graph: _Graph):
    """The network's layers from the graph, on probe batches (:mod:`regions.io.conversion`), and
    the graph values each layer stands for."""
    nodes, constants = graph.nodes, graph.constants
    last_use = {graph.input_name: -1}
    for k, node in enumerate(nodes):
        for name in node.input:
            if name in last_use:
                last_use[name] = k
        last_use[node.output[0]] = -1
    if graph.output_name not in last_use:
        raise NetworkError("the ONNX graph's output is not computed from its input")
    last_use[graph.output_name] = len(nodes)
    for node in nodes:
        _activation(node, constants)           # refuse before any work
    size = int(np.prod(graph.shape))
    outputs = graph.run_nodes(np.zeros((1, *graph.shape)))
    names = [graph.input_name] + [node.output[0] for node in nodes]
    builder = LayerBuilder(batch_size([int(np.prod(outputs[n].shape[1:])) for n in names],
                                      [last_use[n] + 1 for n in names]), size)
    env = {graph.input_name: builder.unit_probes(0, size, graph.shape)}
    for k, node in enumerate(nodes):
        activation = _activation(node, constants)
        live = {name: (name, value) for name, value in env.items() if last_use[name] > k
                and value.dtype.kind == "f" and value.ndim and len(value) == builder.batch}
        if activation is not None and activation[0] == "max":
            value = env[node.input[0]]
            windows, shape = max_pool_windows(tuple(value.shape[1:]), *_pool_attributes(
                node, len(value.shape) - 2), f"MaxPool node {node.name or node.output[0]!r}")
            env[node.output[0]] = builder.pool(node.name or node.output[0], node.input[0],
                                               value, windows, shape, live)
        elif activation is None:
            _refuse_products(node, env, builder.batch)
            env[node.output[0]] = graph.run_node(node, env)
        else:
            out, carried = builder.activate(node.name or node.output[0], node.input[0],
                                            env[node.input[0]], *activation, live)
            env[node.output[0]] = out
            env.update(carried)
        for name in [name for name in env if last_use[name] <= k]:
            del env[name]
    builder.finish(graph.output_name, env[graph.output_name])
    return Network(builder.layers), builder.sources


def _refuse_products(node, env: dict, batch: int) -> None:
    """Refuse a product of two tensors that depend on the input, or a division by one
    (shape arithmetic on integers, as exported ``x.view(x.size(0), -1)`` has, is fine)."""
    if node.op_type not in ("Mul", "MatMul", "Gemm", "Div"):
        return
    probes = [name for name in node.input[:2] if name in env and env[name].dtype.kind == "f"
              and env[name].ndim and len(env[name]) == batch]
    where = f"{node.op_type} node {node.name or node.output[0]!r}"
    if len(probes) == 2:
        raise NetworkError(f"{where} multiplies two computed tensors: a product is not "
                           f"piecewise linear")
    if node.op_type == "Div" and node.input[1] in probes:
        raise NetworkError(f"{where} divides by a computed tensor: not piecewise linear")


def _pool_attributes(node, spatial: int | None = None) -> tuple:
    """A ``MaxPool`` node's ``(kernel, strides, pads before, pads after, dilations)`` for
    ``spatial`` axes (None: only validate); NetworkError for what is not carried."""
    from onnx import helper
    attributes = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    where = f"MaxPool node {node.name or node.output[0]!r}"
    if len(node.output) > 1 and node.output[1]:
        raise NetworkError(f"{where} also outputs its Indices, which are not carried")
    if attributes.get("ceil_mode", 0):
        raise NetworkError(f"{where} has ceil_mode=1: only the default floor mode is carried")
    auto_pad = attributes.get("auto_pad", b"NOTSET")
    auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else str(auto_pad)
    if auto_pad not in ("NOTSET", "VALID"):
        raise NetworkError(f"{where} has auto_pad={auto_pad}: give explicit pads")
    kernel = tuple(int(v) for v in attributes["kernel_shape"])
    if spatial is None:
        return ()
    if len(kernel) != spatial:
        raise NetworkError(f"{where} has a {len(kernel)}-D kernel on {spatial}-D inputs")
    strides = tuple(int(v) for v in attributes.get("strides", (1,) * spatial))
    pads = tuple(int(v) for v in attributes.get("pads", (0,) * (2 * spatial)))
    if auto_pad == "VALID":
        pads = (0,) * (2 * spatial)
    dilations = tuple(int(v) for v in attributes.get("dilations", (1,) * spatial))
    return kernel, strides, pads[:spatial], pads[spatial:], dilations


def _double(array: np.ndarray) -> np.ndarray:
    return array.astype(np.float64) if np.issubdtype(array.dtype, np.floating) else array


def _input_shape(value_info, given) -> tuple:
    if given is not None:
        return tuple(int(s) for s in given)
    dims = value_info.type.tensor_type.shape.dim[1:]
    if not dims or any(not d.HasField("dim_value") for d in dims):
        raise NetworkError("the ONNX input's shape is not fixed: give {input_shape}, one "
                           "input's shape without the batch axis",
                           arguments={"input_shape": SPELLINGS["input_shape"]})
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


def _check(network: Network, sources: list, graph: _Graph) -> None:
    """The network against the graph evaluated in float64 on random inputs: each layer
    against the values it stands for, and the output against the whole graph's."""
    x = check_inputs(int(np.prod(graph.shape)))
    batch = x.reshape(CHECK_SAMPLES, *graph.shape)
    values = graph.run_nodes(batch)
    whole = graph.evaluator(graph.nodes, [graph.input_name], graph.output_name).run(
        None, {graph.input_name: batch})[0]
    check_layers(network, x, sources, values.__getitem__, whole, str)
