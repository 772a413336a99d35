"""Conversion of ``torch.nn.Sequential`` models (torch is optional)."""

from __future__ import annotations

import numpy as np

from .errors import NetworkError
from .network import Layer, Network, make_layer


def from_torch(module) -> Network:
    """Convert a ``torch.nn.Sequential`` of ``Linear``/``ReLU``/``LeakyReLU``/``Hardtanh``.

    Each ``Linear`` may be followed by one activation module; a ``Linear``
    followed by another ``Linear`` (or by nothing) becomes an ``identity``
    layer. ``Identity`` and ``Flatten`` modules are skipped. Anything else,
    and ``Hardtanh`` with bounds other than (-1, 1), raises
    :class:`~regions.errors.NetworkError`.
    """
    return Network(_layers(module))


def _layers(module) -> list[Layer]:
    try:
        from torch import nn
    except ImportError:  # pragma: no cover - exercised only without torch
        raise NetworkError("regions.from_torch needs PyTorch (pip install torch)") from None

    modules = list(module) if isinstance(module, nn.Sequential) else [module]
    pending = None  # (weight, bias) of a Linear waiting for its activation
    layers: list[Layer] = []

    def close(activation: str, slope: float = 0.01):
        nonlocal pending
        weight, bias = pending
        layers.append(make_layer(weight, bias, activation, slope, len(layers)))
        pending = None

    for sub in modules:
        if isinstance(sub, (nn.Identity, nn.Flatten)):
            continue
        if isinstance(sub, nn.Linear):
            if pending is not None:
                close("identity")
            weight = sub.weight.detach().cpu().double().numpy()
            bias = (sub.bias.detach().cpu().double().numpy() if sub.bias is not None
                    else np.zeros(weight.shape[0]))
            pending = (weight, bias)
            continue
        if pending is None:
            raise NetworkError(f"{type(sub).__name__} must follow a Linear layer")
        if isinstance(sub, nn.ReLU):
            close("relu")
        elif isinstance(sub, nn.LeakyReLU):
            close("leaky_relu", float(sub.negative_slope))
        elif isinstance(sub, nn.Hardtanh):
            if (float(sub.min_val), float(sub.max_val)) != (-1.0, 1.0):
                raise NetworkError(
                    f"Hardtanh({sub.min_val}, {sub.max_val}) is unsupported: only (-1, 1)")
            close("hardtanh")
        else:
            raise NetworkError(f"unsupported module {type(sub).__name__}")
    if pending is not None:
        close("identity")
    if not layers:
        raise NetworkError("the module holds no Linear layer")
    return layers
