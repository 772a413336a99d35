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
* activations: ``ReLU``, ``LeakyReLU``, ``Hardtanh(-1, 1)`` (in a traced model also
  ``torch.relu``, ``F.leaky_relu``, ``F.hardtanh``, ``clamp(min=0)``, ``clamp(-1, 1)``);
* max pooling: ``MaxPool1d``/``MaxPool2d`` (any kernel, stride, padding and dilation;
  not ``ceil_mode`` nor ``return_indices``), in a ``Sequential``: a ``max`` layer
  (:class:`regions.Layer`) whose windows are the pool's, over the affine run before it
  (the identity when it follows an activation). Padding positions are never the max
  (PyTorch pads with -inf), so windows at the border are shorter. A window holds at most
  127 inputs. A maxout layer of rank ``k`` is ``Linear(n, units * k)`` then
  ``MaxPool1d(k)``.

Each maximal run of affine modules between two activations becomes one layer
``W x + b`` on the flattened tensors: a run of ``Linear`` layers keeps each
``Linear`` as its own layer (``identity`` between them), exactly; any other
run is one exact float64 matrix, read off the run's response to the zero
input and to every basis vector of its (flattened) input. The converted
network is then checked against the model's own forward pass on random
inputs, to ``CHECK_RTOL`` relative, and refused with the name of the first
layer that disagrees. ``MaxPool`` in a model that must be traced (skip
connections), ``MaxPool3d``, adaptive max pooling and ``torch.max`` are refused with a
message that says so.

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

from ..errors import SPELLINGS, NetworkError
from ..network import Layer, Network, activate, make_layer
from ..tolerances import CHECK_RTOL, CHECK_SAMPLES
from .conversion import (LayerBuilder, batch_size, check_inputs, check_layers, max_pool_windows,
                         reproduces)

__all__ = ["from_torch"]


def from_torch(module, input_shape=None) -> Network:
    """Convert a PyTorch model (see :mod:`regions.io.torch_model` for what it may hold).

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
    _refuse_training_mode(module, torch.nn)
    model = copy.deepcopy(module).double().eval()
    modules = _flatten(model, torch.nn)
    if not modules:
        raise NetworkError("the model holds no module")
    if input_shape is None:
        input_shape = _inferred_input_shape(model, modules, torch)
    input_shape = ((int(input_shape),) if np.ndim(input_shape) == 0
                   else tuple(int(s) for s in input_shape))
    if not all(_known(m, torch.nn) for m in modules):
        return _from_graph(model, input_shape, torch)
    layers, blocks, pools = _layers(modules, input_shape, torch)
    network = Network(layers)
    _check(network, model, blocks, pools, input_shape, torch)
    return network


def _refuse_training_mode(module, nn) -> None:
    """Refuse a BatchNorm or Dropout in training mode: there it uses the batch's own
    statistics or zeroes random entries, so the model is no function of one input, and
    converting it with eval semantics would count another network."""
    for name, sub in module.named_modules():
        if not sub.training:
            continue
        if isinstance(sub, _batch_norms(nn)) and sub.track_running_stats:
            does = "normalises by each batch's own statistics"
        elif isinstance(sub, _dropouts(nn)):
            does = "zeroes random entries"
        else:
            continue
        raise NetworkError(f"{type(sub).__name__} {name or '(the model itself)'!r} is in "
                           f"training mode, where it {does}: call model.eval() before "
                           f"converting the model (or before torch.save)")


def _inferred_input_shape(model, modules: list, torch) -> tuple:
    """``(in_features,)`` of the Linear that first reads the model's input (past
    pass-through modules), in a Sequential or, in a model of another kind, in its
    ``torch.fx`` trace; NetworkError asking for ``input_shape`` otherwise."""
    nn = torch.nn
    first = next((m for m in modules if not isinstance(m, _pass_through(nn))), None)
    if first is None:
        raise NetworkError("the model holds no affine layer")
    if isinstance(first, nn.Linear):
        return (first.in_features,)
    if type(first).__module__.startswith("torch."):
        _ask_for_input_shape(f"the first operation on the model's input is "
                             f"{type(first).__name__}, not a Linear")
    import torch.fx as fx
    try:
        traced = fx.symbolic_trace(model)
    except Exception:   # tracing runs user code: any error means "cannot trace"
        _ask_for_input_shape(f"torch.fx cannot trace {type(first).__name__}.forward to find "
                             f"the first operation on the model's input")
    placeholder = next(n for n in traced.graph.nodes if n.op == "placeholder")
    readers = _first_readers(traced, placeholder, nn)
    widths = {r.in_features for r in readers if isinstance(r, nn.Linear)}
    if len(widths) == 1 and all(isinstance(r, nn.Linear) for r in readers):
        return (widths.pop(),)
    reader = next((_describe(r) for r in readers if not isinstance(r, nn.Linear)),
                  "Linear layers of different widths")
    _ask_for_input_shape(f"the first operation on the model's input is {reader}, not a Linear")


def _ask_for_input_shape(why: str):
    """Refuse a model whose input shape cannot be read off it, saying ``why``."""
    raise NetworkError(f"{why}, so its input's shape is unknown: give {{input_shape}}, one "
                       "input's shape without the batch axis",
                       arguments={"input_shape": SPELLINGS["input_shape"]})


def _first_readers(traced, node, nn) -> list:
    """What first reads ``node``'s value in a traced graph, past pass-through modules: the
    modules called on it, or the other nodes that use it."""
    found = []
    for user in node.users:
        module = traced.get_submodule(user.target) if user.op == "call_module" else None
        if isinstance(module, _pass_through(nn)):
            found.extend(_first_readers(traced, user, nn))
        else:
            found.append(user if module is None else module)
    return found


def _describe(reader) -> str:
    """A module's class name, or a traced node's operation."""
    if not hasattr(reader, "op"):
        return type(reader).__name__
    if reader.op == "call_method":
        return f".{reader.target}()"
    if reader.op == "output":
        return "the model's output (the input returned as it is)"
    return f"{getattr(reader.target, '__name__', reader.target)}()"


def _known(module, nn) -> bool:
    """Whether the Sequential path converts ``module`` (else it is traced, or refused there)."""
    try:
        _kind(module, nn)
    except NetworkError:
        return type(module).__module__.startswith("torch.")  # torch's own: refused by _kind
    return True


def _pass_through(nn) -> tuple:
    """Modules that leave a flattened vector as it is (in eval mode)."""
    return (nn.Identity, nn.Flatten) + _dropouts(nn)


def _dropouts(nn) -> tuple:
    return (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d)


def _batch_norms(nn) -> tuple:
    return (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)


def _flatten(module, nn) -> list:
    if isinstance(module, nn.Sequential):
        return [leaf for sub in module for leaf in _flatten(sub, nn)]
    return [module]


def _kind(module, nn) -> str:
    """``"linear"``, ``"affine"``, or the activation name; NetworkError otherwise."""
    if isinstance(module, nn.Linear):
        return "linear"
    affine = (nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d,
              nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.Unflatten,
              nn.ZeroPad2d) + _batch_norms(nn) + _pass_through(nn)
    if isinstance(module, _batch_norms(nn)) and module.running_mean is None:
        raise NetworkError(f"{type(module).__name__}(track_running_stats=False) normalises "
                           f"each batch by its own statistics: not one affine map")
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
    if isinstance(module, (nn.MaxPool1d, nn.MaxPool2d)):
        if module.ceil_mode or module.return_indices:
            option = "ceil_mode" if module.ceil_mode else "return_indices"
            raise NetworkError(f"{name}({option}=True) is not carried: only the default "
                               f"floor mode without indices")
        return "max"
    if "MaxPool" in name:
        raise NetworkError(f"{name} is not carried: MaxPool1d and MaxPool2d are (max layers); "
                           f"use one of them, AvgPool or a strided convolution")
    raise NetworkError(f"unsupported module {name}: a Sequential of affine modules (Linear, "
                       f"Conv, AvgPool, BatchNorm, Dropout, Flatten) and ReLU / LeakyReLU / "
                       f"Hardtanh(-1, 1), with skip connections in a traced model")


def _layers(modules: list, input_shape: tuple, torch) -> tuple[list[Layer], list, dict]:
    """The network's layers, for each the torch modules of its affine part, and the pooling
    module of each max layer (by layer index)."""
    nn = torch.nn
    layers: list[Layer] = []
    blocks: list[list] = []
    pools: dict = {}
    run: list = []          # affine modules waiting for their activation
    shape = input_shape

    def close(activation: str, slope: float = 0.01, pool=None) -> None:
        nonlocal run, shape
        if pool is not None:    # built as identity, then made the pool's max layer
            close("identity")
            windows, shape = pool_windows(pool, shape)
            last = layers[-1]
            layers[-1] = make_layer(last.weight, last.bias, "max", slope, len(layers) - 1,
                                    windows)
            pools[len(layers) - 1] = pool
            return
        if not run:
            # an activation of the input or of another activation's output: on the identity
            size = int(np.prod(shape))
            layers.append(make_layer(np.eye(size), np.zeros(size), activation, slope,
                                     len(layers)))
            blocks.append([])
            return
        linears = [m for m in run if isinstance(m, nn.Linear)]
        if (len(shape) == 1 and linears
                and all(isinstance(m, (nn.Linear, *_pass_through(nn))) for m in run)):
            # on vectors: each Linear is a layer of its own, its weights taken as they are
            pending, width = [], shape[0]
            for module in run:
                pending.append(module)
                if isinstance(module, nn.Linear):
                    if module.in_features != width:
                        raise NetworkError(f"Linear(in_features={module.in_features}) cannot "
                                           f"take inputs of {width} features")
                    width = module.out_features
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
        elif kind == "max":
            close(kind, pool=module)
        elif kind == "leaky_relu":
            close(kind, float(module.negative_slope))
        else:
            close(kind)
    if run:
        if all(isinstance(m, _pass_through(nn)) for m in run) and layers:
            if len(layers) - 1 in pools:    # after the pool, which they must follow
                pools[len(layers) - 1] = nn.Sequential(pools[len(layers) - 1], *run)
            else:
                blocks[-1].extend(run)
            run = []
        else:
            close("identity")
    if not layers:
        raise NetworkError("the model holds no affine layer")
    return layers, blocks, pools


def pool_windows(pool, shape: tuple) -> tuple[np.ndarray, tuple]:
    """The windows (units, k) of a ``MaxPool1d``/``MaxPool2d`` on flattened (C-order) inputs
    of ``shape`` (``(C, L)`` or ``(L,)``; ``(C, H, W)`` or ``(H, W)``), -1 padded where a
    window reaches into the padding, and the output shape.

    >>> import pytest
    >>> torch = pytest.importorskip("torch")
    >>> windows, shape = pool_windows(torch.nn.MaxPool1d(2, padding=1), (1, 3))
    >>> windows.tolist(), shape
    ([[0, -1], [1, 2]], (1, 2))
    """
    spatial = 1 if "1d" in type(pool).__name__ else 2
    if len(shape) not in (spatial, spatial + 1):
        raise NetworkError(f"{type(pool).__name__} cannot take inputs of shape {shape}")

    def spread(value) -> tuple:
        return tuple(int(v) for v in (value if isinstance(value, (tuple, list))
                                      else (value,) * spatial))
    padding = spread(pool.padding)
    return max_pool_windows(shape, spread(pool.kernel_size),
                            spread(pool.stride or pool.kernel_size), padding, padding,
                            spread(pool.dilation), type(pool).__name__)


def _affine_matrix(run: list, shape: tuple, torch):
    """``(W (out, in), b (out,), output shape)`` of a run of affine modules on inputs of
    ``shape``: its response to zero and to every basis vector, in float64."""
    size = int(np.prod(shape))
    block = torch.nn.Sequential(*run)
    with torch.no_grad():
        try:
            zero = block(torch.zeros((1, *shape), dtype=torch.float64))
            response = block(torch.eye(size, dtype=torch.float64).reshape(size, *shape))
        except (RuntimeError, ValueError) as exc:
            names = ", ".join(type(m).__name__ for m in run)
            raise NetworkError(f"{names} cannot take inputs of shape {shape}: "
                               f"{str(exc).splitlines()[0]}") from None
    return _affine_from_responses(zero.numpy(), response.numpy())


def _affine_from_responses(zero: np.ndarray, response: np.ndarray):
    """``(W (out, in), b (out,), output shape)`` of an affine map from its outputs at zero
    ``(1, *out_shape)`` and at the ``in`` basis vectors ``(in, *out_shape)``."""
    size = response.shape[0]
    weight = (response.reshape(size, -1) - zero.reshape(1, -1)).T
    return (np.ascontiguousarray(weight, dtype=np.float64),
            np.array(zero.reshape(-1), dtype=np.float64), tuple(zero.shape[1:]))


def _check(network: Network, model, blocks: list, pools: dict, input_shape: tuple,
           torch) -> None:
    """The converted layers against the model's modules, layer by layer, and the network
    against the model's own forward pass, on random inputs."""
    x = check_inputs(int(np.prod(input_shape)))
    tensor = torch.from_numpy(x.reshape(CHECK_SAMPLES, *input_shape))
    values = x
    for index, (layer, block) in enumerate(zip(network.layers, blocks)):
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
            tensor = (pools[index](tensor) if index in pools
                      else _activate_torch(tensor, layer, torch))
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
                     "conv2d", "conv3d", "permute", "transpose", "getattr", "getitem", "mul",
                     "truediv", "iadd", "isub", "sum", "mean")
_AFFINE_METHODS = ("view", "reshape", "flatten", "size", "contiguous", "permute", "transpose",
                   "squeeze", "unsqueeze", "add", "sub", "neg", "dim", "mul", "div", "sum",
                   "mean")
_ACTIVATION_FUNCTIONS = {"relu": "relu", "relu_": "relu", "leaky_relu": "leaky_relu",
                         "hardtanh": "hardtanh"}
#: Uses of a tensor that read only its shape (they need no copy of its values).
_SHAPE_METHODS = ("size", "dim")


def _from_graph(model, input_shape: tuple, torch) -> Network:
    """Convert a model through its ``torch.fx`` graph, on probe batches
    (:mod:`regions.io.conversion`)."""
    import torch.fx as fx
    from torch.fx.passes.shape_prop import ShapeProp, TensorMetadata
    try:
        traced = fx.symbolic_trace(model)
    except Exception as exc:   # tracing runs user code: any error means "cannot trace"
        raise NetworkError(f"{type(model).__name__} is not a Sequential and torch.fx cannot "
                           f"trace it ({str(exc).splitlines()[0]}): write its forward with "
                           f"modules and tensor operations only") from None
    nodes = list(traced.graph.nodes)
    position = {node: k for k, node in enumerate(nodes)}
    _refuse_hidden_aliasing(traced, nodes, position)
    for node in nodes:                       # unsupported modules are refused by name first
        if node.op == "call_module":
            _kind(traced.get_submodule(node.target), torch.nn)
    last_use = [max((position[u] for u in node.users), default=-1) for node in nodes]
    try:
        ShapeProp(traced).propagate(torch.zeros((1, *input_shape), dtype=torch.float64))
    except RuntimeError as exc:
        raise NetworkError(f"{type(model).__name__} cannot take inputs of shape "
                           f"{input_shape}: {str(exc).splitlines()[0]}") from None
    sizes = [int(np.prod(node.meta["tensor_meta"].shape[1:]))
             if isinstance(node.meta.get("tensor_meta"), TensorMetadata) else 0 for node in nodes]
    builder = LayerBuilder(batch_size(sizes, last_use), int(np.prod(input_shape)))
    env: dict = {}
    derived: set = set()      # nodes whose values depend on the input (the others are constants)
    for k, node in enumerate(nodes):
        if node.op == "placeholder":
            env[node] = torch.from_numpy(builder.unit_probes(0, builder.input_size, input_shape))
            derived.add(node)
        elif node.op == "output":
            result = fx.node.map_arg(node.args[0], lambda n: env[n])
            if not isinstance(result, torch.Tensor):
                raise NetworkError("the model must return one tensor")
            builder.finish(node.args[0], result.detach().numpy())
        else:
            if any(n in derived for n in node.all_input_nodes):
                derived.add(node)
            args = fx.node.map_arg(node.args, lambda n: env[n])
            kwargs = fx.node.map_arg(node.kwargs, lambda n: env[n])
            activation = _node_activation(traced, node, args, kwargs, derived, torch)
            if activation is None or node.args[0] not in derived:   # (of a constant: run it)
                env[node] = _evaluate(traced, node, args, kwargs)
            else:
                live = {m: (m.name, env[m].detach().numpy()) for m in env
                        if m in derived and isinstance(env[m], torch.Tensor)
                        and _values_used(m, k, position)}
                out, carried = builder.activate(node.name, node.args[0],
                                                args[0].detach().numpy(), *activation, live)
                env[node] = torch.from_numpy(out)
                env.update({m: torch.from_numpy(value) for m, value in carried.items()})
        for m in [m for m in env if last_use[position[m]] <= k]:
            del env[m]
    network = Network(builder.layers)
    _check_graph(network, model, traced, builder.sources, input_shape, torch)
    return network


def _refuse_hidden_aliasing(traced, nodes: list, position: dict) -> None:
    """Refuse an in-place operation on a tensor that is read again after it: eager PyTorch
    changes every alias of that tensor (``skip = h; h += f(h)`` changes ``skip``), and the
    traced graph does not, so converting the trace would be silently wrong."""
    for node in nodes:
        name = getattr(node.target, "__name__", str(node.target))
        in_place = ((node.op == "call_function" and (name in ("iadd", "isub", "imul",
                                                               "itruediv")
                                                     or node.kwargs.get("inplace")))
                    or (node.op == "call_method" and name.endswith("_")
                        and not name.startswith("_"))
                    or (node.op == "call_module"
                        and getattr(traced.get_submodule(node.target), "inplace", False)))
        if not in_place or not node.args or not hasattr(node.args[0], "users"):
            continue
        changed = node.args[0]
        if any(position[user] > position[node] for user in changed.users):
            raise NetworkError(f"node {node.name!r} changes {changed.name!r} in place, and "
                               f"{changed.name!r} is read again after it: torch.fx does not "
                               f"trace that aliasing, so write the operation out of place")


def _values_used(node, k: int, position: dict) -> bool:
    """Whether a node after position ``k`` reads ``node``'s values (not only its shape)."""
    return any(position[u] > k and not (
        (u.op == "call_method" and u.target in _SHAPE_METHODS)
        or (u.op == "call_function" and getattr(u.target, "__name__", "") == "getattr"
            and u.args[1] in ("shape", "ndim"))) for u in node.users)


def _node_activation(traced, node, args, kwargs, derived: set, torch):
    """``(name, slope)`` when ``node`` applies an activation, else None (NetworkError for an
    operation that cannot be converted; ``derived``: the nodes that depend on the input)."""
    import torch.fx as fx
    if node.op == "call_module":
        kind = _kind(traced.get_submodule(node.target), torch.nn)
        if kind in ("linear", "affine"):
            return None
        if kind == "max":
            raise NetworkError(f"node {node.name!r}: max pooling in a model that must be "
                               f"traced (one with skip connections) is not carried yet; in a "
                               f"Sequential it is")
        return kind, float(getattr(traced.get_submodule(node.target), "negative_slope", 0.01))
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
    if name in ("clamp", "clip", "clamp_", "clip_") and node.op in ("call_function",
                                                                    "call_method"):
        low = args[1] if len(args) > 1 else kwargs.get("min")
        high = args[2] if len(args) > 2 else kwargs.get("max")
        if (low, high) == (0, None) or (low, high) == (0.0, None):
            return "relu", 0.01
        if low is not None and high is not None and (float(low), float(high)) == (-1.0, 1.0):
            return "hardtanh", 0.01
        raise NetworkError(f"node {node.name!r}: clamp({low}, {high}) is unsupported: only "
                           f"clamp(min=0) (ReLU) and clamp(-1, 1) (Hardtanh)")
    if (node.op == "call_function" and name in ("mul", "truediv")) or (
            node.op == "call_method" and node.target in ("mul", "div")):
        tensors = [isinstance(a, fx.Node) and a in derived and isinstance(v, torch.Tensor)
                   for a, v in zip(node.args[:2], args[:2])]
        if all(tensors) and len(tensors) == 2:
            raise NetworkError(f"node {node.name!r}: a product of two tensors is not "
                               f"piecewise linear")
        if name in ("truediv", "div") and len(tensors) == 2 and tensors[1]:
            raise NetworkError(f"node {node.name!r} divides by a tensor that depends on the "
                               f"input: not piecewise linear")
        return None
    if node.op == "get_attr" or (node.op == "call_function" and name in _AFFINE_FUNCTIONS) or (
            node.op == "call_method" and node.target in _AFFINE_METHODS):
        return None
    raise NetworkError(f"node {node.name!r} ({node.op} {name}) is unsupported: affine "
                       f"modules, additions, reshapes and ReLU / LeakyReLU / Hardtanh(-1, 1) "
                       f"only")


def _evaluate(traced, node, args, kwargs):
    if node.op == "call_module":
        return traced.get_submodule(node.target)(*args, **kwargs)
    if node.op == "call_function":
        return node.target(*args, **kwargs)
    if node.op == "call_method":
        return getattr(args[0], node.target)(*args[1:], **kwargs)
    return traced.get_parameter(node.target) if "." in node.target else \
        getattr(traced, node.target)


def _check_graph(network: Network, model, traced, sources: list, input_shape: tuple,
                 torch) -> None:
    """The converted layers against the values of the traced graph's nodes they stand for
    (copied as computed, so in-place operations later do not change them), and the network
    against the model itself (not its trace: fx drops aliasing), on random inputs."""
    import torch.fx as fx

    class Recorder(fx.Interpreter):
        def run_node(self, node):
            result = super().run_node(node)
            if isinstance(result, torch.Tensor):
                values[node] = result.detach().clone().numpy()
            return result

    values: dict = {}
    x = check_inputs(int(np.prod(input_shape)))
    with torch.no_grad():
        traced_output = Recorder(traced).run(torch.from_numpy(x.reshape(CHECK_SAMPLES,
                                                                         *input_shape)))
        whole = model(torch.from_numpy(x.reshape(CHECK_SAMPLES, *input_shape)))
    if not isinstance(whole, torch.Tensor):
        raise NetworkError("the model must return one tensor")
    if not reproduces(traced_output.numpy().reshape(CHECK_SAMPLES, -1),
                      whole.numpy().reshape(CHECK_SAMPLES, -1)):
        raise NetworkError("torch.fx's trace of the model does not compute what the model "
                           "does (an in-place operation on a tensor that another name still "
                           "holds, e.g. skip = h; h += f(h)?): write it out of place")
    check_layers(network, x, sources, values.__getitem__, whole.numpy(), lambda node: node.name)
