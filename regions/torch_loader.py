"""Conversion of PyTorch models to :class:`~regions.network.Network` (torch is optional).

A model is a ``torch.nn.Sequential`` (nested ones are flattened) of affine
modules and elementwise piecewise-linear activations, evaluated in eval mode
and float64:

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
layer that disagrees. ``MaxPool`` (piecewise linear, but not elementwise)
and modules with skip connections are refused with a message that says so.
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
    layers, blocks = _layers(modules, input_shape, torch)
    network = Network(layers)
    _check(network, model, blocks, input_shape, torch)
    return network


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
