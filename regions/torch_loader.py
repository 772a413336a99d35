"""Conversion of PyTorch models to :class:`~regions.network.Network` (torch is optional).

A model is a ``torch.nn.Sequential`` (nested ones are flattened) of affine
modules and elementwise piecewise-linear activations, or any model
``torch.fx`` can trace into such modules and tensor additions (residual
blocks), evaluated in eval mode and float64:

* affine: ``Linear``, ``Conv1d``/``Conv2d``/``Conv3d`` (any stride, padding,
  dilation, groups), ``AvgPool1d``/``2d``/``3d``, ``AdaptiveAvgPool1d``/``2d``,
  ``BatchNorm1d``/``2d``/``3d`` (running statistics, eval mode), ``Dropout``
  (identity in eval mode), ``Flatten``, ``Unflatten``, ``Identity``,
  ``ZeroPad2d``;
* activations: ``ReLU``, ``LeakyReLU``, ``Hardtanh(-1, 1)``.

Each maximal run of affine modules between two activations becomes one layer
``W x + b`` on the flattened tensors: a run of ``Linear`` layers keeps each
``Linear`` as its own layer (``identity`` between them), exactly; any other
run is one exact float64 matrix, read off the run's response to the zero
input and to every basis vector of its (flattened) input. The converted
network is then checked against the model's own forward pass on random
inputs, to ``CHECK_RTOL`` relative, and refused with the name of the first
layer that disagrees. ``MaxPool`` (piecewise linear, but not elementwise) is
refused with a message that says so.

**Skip connections** (a model that is not a Sequential of the modules above,
e.g. ``relu(h + f(h))``) are traced with ``torch.fx`` and converted
exactly, layer by layer: each activation becomes a layer, and every tensor
still needed after it (the ``h`` a residual block adds back) is carried
through that layer by extra neurons that copy it. A copy is exact only when
the activation leaves the value unchanged, so the value must be the output of
an earlier layer of the same activation (``relu(relu(h)) = relu(h)``, and
likewise for ``Hardtanh``); the usual ResNet block, whose input is the
previous block's ReLU output, is of this kind. A copy neuron's state is the
state of the neuron it copies (its pre-activation is that neuron's output:
positive, or identically zero), so copies add entries to the patterns but
never a region. Carrying the raw input or a pre-activation past an
activation, or a leaky ReLU's output, is refused with the name of the node.
"""

from __future__ import annotations

import copy

import numpy as np

from .errors import NetworkError
from .network import Layer, Network, activate, make_layer

#: The converted network must match the model's forward pass to this relative accuracy.
CHECK_RTOL = 1e-10
#: Random inputs of that check.
CHECK_SAMPLES = 16


def from_torch(module, input_shape=None) -> Network:
    """Convert a PyTorch model (see the module docstring for what it may hold).

    Parameters
    ----------
    module : torch.nn.Module
        A ``Sequential`` (or one module). It is copied, not changed.
    input_shape : tuple of int, optional
        The shape of one input without the batch dimension, e.g. ``(1, 28, 28)`` for a
        ``Conv2d`` model; needed when the model does not start with a ``Linear``. The
        network's inputs are the flattened (C-order) input tensors.

    Examples
    --------
    >>> import pytest
    >>> torch = pytest.importorskip("torch")   # the example needs PyTorch
    >>> model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 2), torch.nn.ReLU(),
    ...                             torch.nn.Flatten(), torch.nn.Linear(8, 1))
    >>> net = from_torch(model, input_shape=(1, 3, 3))
    >>> net.widths, net.activations
    ([9, 8, 1], ['relu', 'identity'])
    """
    try:
        import torch
    except ImportError:  # pragma: no cover - exercised only without torch
        raise NetworkError("regions.from_torch needs PyTorch (pip install torch)") from None
    model = copy.deepcopy(module).double().eval()
    modules = _flatten(model, torch.nn)
    if not modules:
        raise NetworkError("the model holds no module")
    if input_shape is None:
        first = next((m for m in modules if not isinstance(m, _pass_through(torch.nn))), None)
        if not isinstance(first, torch.nn.Linear):
            raise NetworkError(f"the model starts with {type(first).__name__}, not Linear: "
                               f"give input_shape (one input's shape, without the batch axis)")
        input_shape = (first.in_features,)
    input_shape = tuple(int(s) for s in input_shape)
    if not all(_known(m, torch.nn) for m in modules):
        return _from_graph(model, input_shape, torch)
    layers, blocks = _layers(modules, input_shape, torch)
    network = Network(layers)
    _check(network, model, blocks, input_shape, torch)
    return network


def _known(module, nn) -> bool:
    """Whether the Sequential path converts ``module`` (else it is traced, or refused there)."""
    try:
        _kind(module, nn)
    except NetworkError:
        return type(module).__module__.startswith("torch.")  # torch's own: refused by _kind
    return True


def _pass_through(nn) -> tuple:
    """Modules that leave a flattened vector as it is (in eval mode)."""
    return (nn.Identity, nn.Flatten, nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d)


def _flatten(module, nn) -> list:
    if isinstance(module, nn.Sequential):
        return [leaf for sub in module for leaf in _flatten(sub, nn)]
    return [module]


def _kind(module, nn) -> str:
    """``"linear"``, ``"affine"``, or the activation name; NetworkError otherwise."""
    if isinstance(module, nn.Linear):
        return "linear"
    affine = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d,
              nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.BatchNorm1d, nn.BatchNorm2d,
              nn.BatchNorm3d, nn.Unflatten, nn.ZeroPad2d) + _pass_through(nn)
    if isinstance(module, affine):
        return "affine"
    if isinstance(module, nn.ReLU):
        return "relu"
    if isinstance(module, nn.LeakyReLU):
        return "leaky_relu"
    if isinstance(module, nn.Hardtanh):
        if (float(module.min_val), float(module.max_val)) != (-1.0, 1.0):
            raise NetworkError(f"Hardtanh({module.min_val}, {module.max_val}) is unsupported: "
                               f"only (-1, 1)")
        return "hardtanh"
    name = type(module).__name__
    if "MaxPool" in name:
        raise NetworkError(f"{name} is piecewise linear but not elementwise, which the "
                           f"enumeration cannot carry: use AvgPool or a strided convolution")
    raise NetworkError(f"unsupported module {name}: a Sequential of affine modules (Linear, "
                       f"Conv, AvgPool, BatchNorm, Dropout, Flatten) and ReLU / LeakyReLU / "
                       f"Hardtanh(-1, 1); residual blocks are not converted")


def _layers(modules: list, input_shape: tuple, torch) -> tuple[list[Layer], list]:
    """The network's layers, and for each the torch modules it stands for."""
    nn = torch.nn
    layers: list[Layer] = []
    blocks: list[list] = []
    run: list = []          # affine modules waiting for their activation
    shape = input_shape

    def close(activation: str, slope: float = 0.01) -> None:
        nonlocal run, shape
        if not run:
            raise NetworkError(f"{activation} must follow an affine module (Linear, Conv, ...)")
        linears = [m for m in run if isinstance(m, nn.Linear)]
        if (len(shape) == 1 and linears
                and all(isinstance(m, (nn.Linear, *_pass_through(nn))) for m in run)):
            # on vectors: each Linear is a layer of its own, its weights taken as they are
            pending = []
            for module in run:
                pending.append(module)
                if isinstance(module, nn.Linear):
                    weight = module.weight.detach().numpy().copy()
                    bias = (module.bias.detach().numpy().copy() if module.bias is not None
                            else np.zeros(weight.shape[0]))
                    last = module is linears[-1]
                    layers.append(make_layer(weight, bias, activation if last else "identity",
                                             slope, len(layers)))
                    blocks.append(pending)
                    pending = []
            blocks[-1].extend(pending)
            shape = (linears[-1].out_features,)
        else:
            weight, bias, shape = _affine_matrix(run, shape, torch)
            layers.append(make_layer(weight, bias, activation, slope, len(layers)))
            blocks.append(list(run))
        run = []

    for module in modules:
        kind = _kind(module, nn)
        if kind in ("linear", "affine"):
            run.append(module)
        elif kind == "leaky_relu":
            close(kind, float(module.negative_slope))
        else:
            close(kind)
    if run:
        if all(isinstance(m, _pass_through(nn)) for m in run) and layers:
            blocks[-1].extend(run)
            run = []
        else:
            close("identity")
    if not layers:
        raise NetworkError("the model holds no affine layer")
    return layers, blocks


def _affine_matrix(run: list, shape: tuple, torch):
    """``(W (out, in), b (out,), output shape)`` of a run of affine modules on inputs of
    ``shape``: its response to zero and to every basis vector, in float64."""
    size = int(np.prod(shape))
    block = torch.nn.Sequential(*run)
    with torch.no_grad():
        try:
            zero = block(torch.zeros((1, *shape), dtype=torch.float64))
            response = block(torch.eye(size, dtype=torch.float64).reshape(size, *shape))
        except RuntimeError as exc:
            names = ", ".join(type(m).__name__ for m in run)
            raise NetworkError(f"{names} cannot take inputs of shape {shape}: "
                               f"{str(exc).splitlines()[0]}") from None
    return affine_from_responses(zero.numpy(), response.numpy())


def affine_from_responses(zero: np.ndarray, response: np.ndarray):
    """``(W (out, in), b (out,), output shape)`` of an affine map from its outputs at zero
    ``(1, *out_shape)`` and at the ``in`` basis vectors ``(in, *out_shape)``."""
    size = response.shape[0]
    weight = (response.reshape(size, -1) - zero.reshape(1, -1)).T
    return (np.ascontiguousarray(weight, dtype=np.float64),
            np.array(zero.reshape(-1), dtype=np.float64), tuple(zero.shape[1:]))


def reproduces(values: np.ndarray, expected: np.ndarray) -> bool:
    """Whether a converted network's ``values`` match a model's ``expected`` outputs to
    ``CHECK_RTOL`` (relative, and absolute against the outputs' largest size)."""
    return values.shape == expected.shape and np.allclose(
        values, expected, rtol=CHECK_RTOL, atol=CHECK_RTOL * max(1.0, np.abs(expected).max()))


def _check(network: Network, model, blocks: list, input_shape: tuple, torch) -> None:
    """The converted layers against the model's modules, layer by layer, and the network
    against the model's own forward pass, on random inputs."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(CHECK_SAMPLES, int(np.prod(input_shape))))
    tensor = torch.from_numpy(x.reshape(CHECK_SAMPLES, *input_shape))
    values = x
    for layer, block in zip(network.layers, blocks):
        values = values @ layer.weight.T + layer.bias
        with torch.no_grad():
            for module in block:
                tensor = module(tensor)
        expected = tensor.reshape(CHECK_SAMPLES, -1).numpy()
        if not reproduces(values, expected):
            names = ", ".join(type(m).__name__ for m in block)
            raise NetworkError(f"the converted layer ({names}) does not reproduce the model's "
                               f"output to {CHECK_RTOL:g} relative")
        values = activate(values, layer)
        with torch.no_grad():
            tensor = _activate_torch(tensor, layer, torch)
    with torch.no_grad():
        whole = model(torch.from_numpy(x.reshape(CHECK_SAMPLES, *input_shape)))
    whole = whole.reshape(CHECK_SAMPLES, -1).numpy()
    if not reproduces(network.forward(x), whole):
        raise NetworkError(f"the converted network does not reproduce the model's output to "
                           f"{CHECK_RTOL:g} relative")


def _activate_torch(tensor, layer: Layer, torch):
    functional = torch.nn.functional
    if layer.activation == "relu":
        return functional.relu(tensor)
    if layer.activation == "leaky_relu":
        return functional.leaky_relu(tensor, layer.slope)
    if layer.activation == "hardtanh":
        return functional.hardtanh(tensor)
    return tensor


# --------------------------------------------------------------------------- traced models

#: Tensor functions and methods that are affine (or only reshape) on the batch of probes.
_AFFINE_FUNCTIONS = ("add", "sub", "neg", "flatten", "cat", "reshape", "squeeze", "unsqueeze",
                     "pad", "avg_pool1d", "avg_pool2d", "avg_pool3d", "linear", "conv1d",
                     "conv2d", "conv3d", "permute", "transpose")
_AFFINE_METHODS = ("view", "reshape", "flatten", "size", "contiguous", "permute", "transpose",
                   "squeeze", "unsqueeze", "add", "sub", "neg", "dim")
_ACTIVATION_FUNCTIONS = {"relu": "relu", "relu_": "relu", "leaky_relu": "leaky_relu",
                         "hardtanh": "hardtanh"}


def _from_graph(model, input_shape: tuple, torch) -> Network:
    """Convert a model through its ``torch.fx`` graph (see the module docstring).

    Every tensor is kept as a batch of *probes*: its values when the current
    layer's output ``s`` is zero and each unit vector (row ``0`` and rows
    ``1..dim s``), so an affine operation applied to the batch gives the
    affine map in ``s`` of its result. At an activation, the map of its input
    and of every tensor used later becomes the next layer.
    """
    import torch.fx as fx
    from torch.fx.passes.shape_prop import ShapeProp
    try:
        traced = fx.symbolic_trace(model)
    except Exception as exc:   # tracing runs user code: any error means "cannot trace"
        raise NetworkError(f"{type(model).__name__} is not a Sequential and torch.fx cannot "
                           f"trace it ({str(exc).splitlines()[0]}): write its forward with "
                           f"modules and tensor operations only") from None
    nodes = list(traced.graph.nodes)
    position = {node: k for k, node in enumerate(nodes)}
    last_use = {node: max((position[u] for u in node.users), default=-1) for node in nodes}
    sample = torch.zeros((1, *input_shape), dtype=torch.float64)
    try:
        ShapeProp(traced).propagate(sample)
    except RuntimeError as exc:
        raise NetworkError(f"{type(model).__name__} cannot take inputs of shape "
                           f"{input_shape}: {str(exc).splitlines()[0]}") from None
    sizes = {node: int(np.prod(node.meta["tensor_meta"].shape[1:])) for node in nodes
             if isinstance(node.meta.get("tensor_meta"), fx.passes.shape_prop.TensorMetadata)}
    # One batch size for every probe batch (the most values alive at once, plus the zero
    # probe), so code like x.view(x.size(0), -1) sees the same batch everywhere.
    batch = 1 + max(sum(sizes.get(m, 0) for m in nodes[:k + 1] if last_use[m] > k)
                    for k in range(len(nodes)))
    builder = _GraphLayers(traced, nodes, last_use, batch, torch)
    layers, sources = builder.run(int(np.prod(input_shape)), input_shape)
    network = Network(layers)
    _check_graph(network, traced, sources, input_shape, torch)
    return network


class _GraphLayers:
    """Walks a traced graph on probe batches and emits a layer at each activation."""

    def __init__(self, traced, nodes, last_use, batch, torch):
        self.traced, self.nodes, self.last_use, self.batch = traced, nodes, last_use, batch
        self.torch = torch
        self.layers: list[Layer] = []
        self.sources: list[list] = []    # per layer: (node, first row, rows) of what it holds
        self.stage_activation = None     # the activation whose outputs are s (None: the input)
        self.stage_slope = 0.0

    def run(self, size: int, input_shape: tuple):
        import torch.fx as fx
        self.input_size = size
        env = {}
        derived = set()    # nodes whose values depend on the input (the others are constants)
        for k, node in enumerate(self.nodes):
            if node.op == "placeholder":
                env[node] = self.unit_probes(0, size, input_shape)
                derived.add(node)
            elif node.op == "output":
                result = fx.node.map_arg(node.args[0], lambda n: env[n])
                self.finish(node.args[0], result)
            else:
                if any(n in derived for n in node.all_input_nodes):
                    derived.add(node)
                args = fx.node.map_arg(node.args, lambda n: env[n])
                kwargs = fx.node.map_arg(node.kwargs, lambda n: env[n])
                activation = self.activation(node, args, kwargs)
                if activation is None:
                    env[node] = self.evaluate(node, args, kwargs)
                else:
                    live = [m for m in env if m in derived and isinstance(env[m], self.torch.Tensor)
                            and self.value_needed(m, k)]
                    self.emit(node, args[0], activation, live, env)
            for m in [m for m in env if self.last_use[m] <= k]:
                del env[m]
        return self.layers, self.sources

    def value_needed(self, node, k: int) -> bool:
        """Whether a node after position ``k`` uses ``node``'s values (not only its shape)."""
        position = {n: i for i, n in enumerate(self.nodes)}
        return any(position[u] > k and not (
            (u.op == "call_method" and u.target in ("size", "dim"))
            or (u.op == "call_function" and getattr(u.target, "__name__", "") == "getattr"
                and u.args[1] in ("shape", "ndim"))) for u in node.users)

    def unit_probes(self, first: int, rows: int, shape: tuple):
        """Probes of ``rows`` coordinates of s from ``first`` on, shaped ``(batch, *shape)``."""
        probes = self.torch.zeros((self.batch, rows), dtype=self.torch.float64)
        probes[1 + first + np.arange(rows), np.arange(rows)] = 1.0
        return probes.reshape(self.batch, *shape)

    def affine(self, node, probes) -> tuple[np.ndarray, np.ndarray]:
        """``(W (k, dim s), b (k,))`` of a tensor's probes."""
        flat = probes.detach().reshape(self.batch, -1).numpy()
        dim = self.layers[-1].width if self.layers else self.input_size
        if not np.array_equal(flat[1 + dim:], np.broadcast_to(flat[0], flat[1 + dim:].shape)):
            raise NetworkError(f"node {node.name!r} mixes the batch entries: only operations "
                               f"on each input alone can be converted")
        return np.ascontiguousarray((flat[1:1 + dim] - flat[0]).T), flat[0].copy()

    def activation(self, node, args, kwargs):
        """``(name, slope)`` when ``node`` applies an activation, else None (NetworkError for
        an operation that cannot be converted)."""
        nn = self.torch.nn
        if node.op == "call_module":
            module = self.traced.get_submodule(node.target)
            kind = _kind(module, nn)
            if kind in ("linear", "affine"):
                return None
            return kind, float(getattr(module, "negative_slope", 0.01))
        name = getattr(node.target, "__name__", str(node.target))
        if node.op == "call_function" and name in _ACTIVATION_FUNCTIONS:
            kind = _ACTIVATION_FUNCTIONS[name]
            if kind == "hardtanh":
                bounds = list(args[1:3]) + [kwargs.get("min_val", -1.0),
                                            kwargs.get("max_val", 1.0)][len(args[1:3]):]
                if [float(v) for v in bounds] != [-1.0, 1.0]:
                    raise NetworkError(f"node {node.name!r}: hardtanh{tuple(bounds)} is "
                                       f"unsupported: only (-1, 1)")
            slope = args[1] if len(args) > 1 else kwargs.get("negative_slope", 0.01)
            return kind, float(slope) if kind == "leaky_relu" else 0.01
        if node.op == "call_method" and node.target in ("relu", "relu_"):
            return "relu", 0.01
        if node.op == "get_attr":
            return None
        if node.op == "call_function" and (name in _AFFINE_FUNCTIONS or name in (
                "getattr", "getitem", "mul", "truediv")):
            if name in ("mul", "truediv") and all(isinstance(a, self.torch.Tensor)
                                                  for a in args[:2]):
                raise NetworkError(f"node {node.name!r}: a product of two tensors is not "
                                   f"piecewise linear")
            return None
        if node.op == "call_method" and node.target in _AFFINE_METHODS + ("mul", "div"):
            return None
        raise NetworkError(f"node {node.name!r} ({node.op} {name}) is unsupported: affine "
                           f"modules, additions, reshapes and ReLU / LeakyReLU / "
                           f"Hardtanh(-1, 1) only")

    def evaluate(self, node, args, kwargs):
        if node.op == "call_module":
            return self.traced.get_submodule(node.target)(*args, **kwargs)
        if node.op == "call_function":
            return node.target(*args, **kwargs)
        if node.op == "call_method":
            return getattr(args[0], node.target)(*args[1:], **kwargs)
        return getattr(self.traced, node.target) if "." not in node.target else \
            self.traced.get_parameter(node.target)

    def carried_rows(self, node, probes, activation: str) -> np.ndarray:
        """Which coordinates of s the tensor ``probes`` is (a copy of each), or NetworkError
        when it cannot pass the activation unchanged."""
        W, b = self.affine(node, probes)
        ones = W == 1.0
        copies = (np.count_nonzero(W, axis=1) == 1) & ones.any(axis=1) & (b == 0.0)
        if self.stage_activation is None:
            why = "it is the network input"
        elif not copies.all():
            why = "it is not the previous layer's output (a pre-activation, or a sum)"
        elif self.stage_activation != activation:
            why = f"it is a {self.stage_activation} output, which {activation} would change"
        elif activation not in ("relu", "hardtanh"):
            why = f"{activation} changes its own negative outputs again"
        else:
            why = None
        if why:
            raise NetworkError(
                f"node {node.name!r} is used after the {activation} that follows it, and {why}: "
                f"only an earlier layer's ReLU or Hardtanh outputs pass an activation of the "
                f"same kind unchanged, so this skip connection cannot be carried exactly")
        return np.argmax(ones, axis=1)

    def emit(self, node, probes, activation, live, env) -> None:
        """The layer of the activation at ``node``: its input's rows, then a copy of every
        live tensor (each coordinate of s once)."""
        name, slope = activation
        W, b = self.affine(node, probes)
        shape = tuple(probes.shape[1:])
        rows, biases, sources = [W], [b], [(node.args[0], 0, W.shape[0])]
        copied: dict[int, int] = {}
        carried = []
        for m in live:
            at = []
            for j in self.carried_rows(m, env[m], name):
                if j not in copied:
                    copied[j] = W.shape[0] + len(copied)
                at.append(copied[j])
            carried.append((m, at))
        dim = self.layers[-1].width if self.layers else self.input_size
        copy = np.zeros((len(copied), dim))
        copy[np.arange(len(copied)), list(copied)] = 1.0
        rows.append(copy)
        biases.append(np.zeros(len(copied)))
        self.layers.append(make_layer(np.vstack(rows), np.concatenate(biases), name, slope,
                                      len(self.layers)))
        self.sources.append(sources)
        self.stage_activation = name
        env[node] = self.unit_probes(0, W.shape[0], shape)
        for m, at in carried:
            flat = self.torch.zeros((self.batch, len(at)), dtype=self.torch.float64)
            flat[1 + np.array(at, dtype=np.int64), np.arange(len(at))] = 1.0
            env[m] = flat.reshape(env[m].shape)

    def finish(self, node, result) -> None:
        """The output: one more (identity) layer unless it is the last layer's output."""
        if not isinstance(result, self.torch.Tensor):
            raise NetworkError("the model must return one tensor")
        W, b = self.affine(node, result)
        if self.layers and W.shape[0] == W.shape[1] and np.array_equal(W, np.eye(len(W))) \
                and not b.any():
            return
        self.layers.append(make_layer(W, b, "identity", 0.01, len(self.layers)))
        self.sources.append([(node, 0, W.shape[0])])


def _check_graph(network: Network, traced, sources: list, input_shape: tuple, torch) -> None:
    """The converted layers against the values of the model's nodes they stand for, and the
    network against the model's output, on random inputs (as :func:`_check`)."""
    import torch.fx as fx
    rng = np.random.default_rng(0)
    x = rng.normal(size=(CHECK_SAMPLES, int(np.prod(input_shape))))
    recorder = fx.Interpreter(traced, garbage_collect_values=False)
    with torch.no_grad():
        whole = recorder.run(torch.from_numpy(x.reshape(CHECK_SAMPLES, *input_shape)))
    values = x
    for layer, held in zip(network.layers, sources):
        values = values @ layer.weight.T + layer.bias
        for node, first, rows in held:
            expected = recorder.env[node].reshape(CHECK_SAMPLES, -1).numpy()
            if not reproduces(values[:, first:first + rows], expected):
                raise NetworkError(f"the converted layer at node {node.name!r} does not "
                                   f"reproduce the model's values to {CHECK_RTOL:g} relative")
        values = activate(values, layer)
    if not reproduces(values, whole.reshape(CHECK_SAMPLES, -1).numpy()):
        raise NetworkError(f"the converted network does not reproduce the model's output to "
                           f"{CHECK_RTOL:g} relative")
