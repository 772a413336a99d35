"""The network file format: ``.npz`` with ``W0, b0, W1, b1, ...``.

``W_i`` has shape ``(out, in)`` (``y = W x + b``). An optional string array
``activations`` holds one entry per layer among ``relu``, ``leaky_relu``,
``hardtanh``, ``identity``; without it every layer is ``relu`` except the last,
which is ``identity``. An optional scalar ``leaky_slope`` sets the leaky-ReLU
slope. Other keys (``widths``, ``seed``, ``domain``, ...) are ignored. Files are
read with ``allow_pickle=False``: object arrays are rejected, never unpickled.
"""

from __future__ import annotations

import os
import re
import zipfile

import numpy as np

from .errors import FileFormatError, NetworkError
from .network import DEFAULT_LEAKY_SLOPE, Network

_LAYER_KEY = re.compile(r"^([Wb])(\d+)$")


def load(path) -> Network:
    """Read a network from an ``.npz`` file in the format above.

    Raises
    ------
    FileFormatError
        The file is missing, is not an ``.npz`` archive, or its keys do not
        form ``W0, b0, ..., W{L-1}, b{L-1}``.
    NetworkError
        The arrays have mismatched shapes, non-finite values or an unknown
        activation.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileFormatError(f"no such network file: {path}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise FileFormatError(f"{path} is not a readable .npz network file: {exc}") from None

    indices = {}
    for key in arrays:
        match = _LAYER_KEY.match(key)
        if match:
            indices.setdefault(int(match.group(2)), set()).add(match.group(1))
    if not indices:
        raise FileFormatError(f"{path} holds no W0/b0 arrays (keys: {sorted(arrays)})")
    count = max(indices) + 1
    for i in range(count):
        missing = {"W", "b"} - indices.get(i, set())
        if missing:
            raise FileFormatError(
                f"{path}: layer {i} lacks {', '.join(sorted(k + str(i) for k in missing))}")

    activations = None
    if "activations" in arrays:
        acts = arrays["activations"]
        if acts.dtype.kind not in "US" or acts.ndim != 1:
            raise FileFormatError(f"{path}: 'activations' must be a 1-D string array")
        activations = [a.decode() if isinstance(a, bytes) else str(a) for a in acts.tolist()]
        if len(activations) != count:
            raise FileFormatError(
                f"{path}: 'activations' has {len(activations)} entries for {count} layers")
    slope = DEFAULT_LEAKY_SLOPE
    if "leaky_slope" in arrays:
        try:
            slope = float(arrays["leaky_slope"])
        except (TypeError, ValueError):
            raise FileFormatError(f"{path}: 'leaky_slope' must be a scalar") from None

    for i in range(count):
        for key in (f"W{i}", f"b{i}"):
            if arrays[key].dtype.kind not in "fiu":
                raise NetworkError(f"{path}: {key} has non-numeric dtype {arrays[key].dtype}")
    pairs = [(arrays[f"W{i}"], arrays[f"b{i}"]) for i in range(count)]
    return Network.from_layers(pairs, activations, slope)


def save(network: Network, path, **metadata) -> None:
    """Write ``network`` to ``path`` in the ``.npz`` format; ``metadata`` arrays are stored too."""
    arrays = dict(metadata)
    for i, layer in enumerate(network.layers):
        arrays[f"W{i}"] = layer.weight
        arrays[f"b{i}"] = layer.bias
    arrays["activations"] = np.array(network.activations)
    if "leaky_relu" in network.activations:
        arrays["leaky_slope"] = np.float64(
            next(l.slope for l in network.layers if l.activation == "leaky_relu"))
    np.savez(path, **arrays)
