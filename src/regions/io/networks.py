"""The network file format: ``.npz`` with ``W0, b0, W1, b1, ...``.

``W_i`` has shape ``(out, in)`` (``y = W x + b``). An optional string array
``activations`` holds one entry per layer among ``relu``, ``leaky_relu``,
``hardtanh``, ``identity``, ``max``; without it every layer is ``relu`` except the
last, which is ``identity``. An optional scalar ``leaky_slope`` sets the leaky-ReLU
slope. A ``max`` layer ``i`` (max pooling, maxout: :class:`regions.Layer`) needs an
integer array ``windows{i}`` of shape (units, k): each unit's indices into the
layer's pre-activations ``W_i x + b_i``, padded at the end with -1; ``windows{i}``
for a layer that is not ``max`` is refused. Other keys (``widths``, ``seed``,
``domain``, ...) are ignored. Files are read with ``allow_pickle=False``: object
arrays are rejected, never unpickled.
"""

from __future__ import annotations

import os
import re
import zipfile

import numpy as np

from ..deprecation import renamed_attribute
from ..errors import SPELLINGS, FileFormatError, NetworkError, activations_spelling
from ..network import DEFAULT_LEAKY_SLOPE, Network
from ..tolerances import MAX_ARRAY_ELEMENTS, MAX_LAYERS, MAX_TOTAL_ELEMENTS
from .onnx_model import from_onnx
from .torch_model import from_torch

__all__ = ["MAX_ARRAY_ELEMENTS", "MAX_TOTAL_ELEMENTS", "MAX_LAYERS", "RENAMED", "read_network",
           "read_torch", "write_network"]

#: Old names of this module's functions (deprecated, kept for one release): old -> new.
RENAMED = {"load": "read_network", "save": "write_network", "load_torch": "read_torch"}

_LAYER_KEY = re.compile(r"^([Wb])(\d+)$")


def _check_sizes(path: str) -> None:
    """Read every array header in the archive and reject absurd sizes before any allocation."""
    total = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not info.filename.endswith(".npy"):
                continue
            with archive.open(info) as member:
                version = np.lib.format.read_magic(member)
                if version == (1, 0):
                    shape, _, dtype = np.lib.format.read_array_header_1_0(member)
                else:
                    shape, _, dtype = np.lib.format.read_array_header_2_0(member)
            if dtype.hasobject:
                raise FileFormatError(f"{path}: array {info.filename[:-4]!r} holds Python "
                                      "objects; only numeric and string arrays are read")
            elements = int(np.prod(shape, dtype=object))
            if elements > MAX_ARRAY_ELEMENTS:
                raise FileFormatError(f"{path}: array {info.filename[:-4]!r} has shape {shape}, "
                                      f"more than {MAX_ARRAY_ELEMENTS:,} elements")
            total += elements
    if total > MAX_TOTAL_ELEMENTS:
        raise FileFormatError(f"{path}: {total:,} elements in all, more than "
                              f"{MAX_TOTAL_ELEMENTS:,}")


def read_network(path, *, activations=None, allow_pickle: bool = False,
                 input_shape=None) -> Network:
    """Read a network from an ``.npz`` file in the format above, or a PyTorch file.

    Parameters
    ----------
    path : path
        ``.npz`` (the contract above), ``.pt``/``.pth`` (see ``read_torch``), or
        ``.onnx`` (:func:`regions.from_onnx`).
    activations : sequence of str, optional
        PyTorch state dicts only: one activation per Linear layer (a state
        dict stores none, so it is refused without them).
    allow_pickle : bool
        PyTorch files only: also load a full pickled model (``torch.save(model)``),
        which runs arbitrary code while unpickling. Only for files you trust.
    input_shape : tuple of int, optional
        Full PyTorch models that do not start with a ``Linear`` (a ``Conv2d``, ...), and
        ONNX models whose input shape is not fixed: one input's shape without the batch
        axis (:func:`regions.from_torch`).

    Raises
    ------
    FileFormatError
        The file is missing, is not an ``.npz`` archive, or its keys do not
        form ``W0, b0, ..., W{L-1}, b{L-1}``.
    NetworkError
        The arrays have mismatched shapes, non-finite values or an unknown
        activation.

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "net.npz")
    >>> regions.write_network(net, path)
    >>> regions.read_network(path).widths
    [2, 2, 1]
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileFormatError(f"no such network file: {path}")
    if path.endswith((".pt", ".pth")):
        return read_torch(path, activations, allow_pickle=allow_pickle, input_shape=input_shape)
    if path.endswith(".onnx"):
        if activations is not None or allow_pickle:
            raise FileFormatError(f"{path}: an ONNX model carries its own activations; "
                                  "activations and allow_pickle are for PyTorch files")
        return from_onnx(path, input_shape)
    if activations is not None or allow_pickle or input_shape is not None:
        raise FileFormatError(f"{path}: an .npz network carries its own activations; "
                              "activations, allow_pickle and input_shape are for PyTorch files")
    try:
        _check_sizes(path)
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except FileFormatError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError, RuntimeError) as exc:
        raise FileFormatError(f"{path} is not a readable .npz network file: {exc}") from None

    indices = {}
    for key in arrays:
        match = _LAYER_KEY.match(key)
        if match:
            indices.setdefault(int(match.group(2)), set()).add(match.group(1))
    if not indices:
        raise FileFormatError(f"{path} holds no W0/b0 arrays (keys: {sorted(arrays)})")
    count = max(indices) + 1
    if count > MAX_LAYERS:
        raise FileFormatError(f"{path}: {count} layers, more than {MAX_LAYERS}")
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
        except (TypeError, ValueError):  # non-scalar or non-numeric
            raise FileFormatError(f"{path}: 'leaky_slope' must be a scalar") from None

    for i in range(count):
        for key in (f"W{i}", f"b{i}"):
            if arrays[key].dtype.kind not in "fiu":
                raise NetworkError(f"{path}: {key} has non-numeric dtype {arrays[key].dtype}")
    windows = {}
    for key, array in arrays.items():
        match = re.match(r"^windows(\d+)$", key)
        if match is None:
            continue
        i = int(match.group(1))
        if i >= count or activations is None or activations[i] != "max":
            raise FileFormatError(f"{path}: {key} given, but layer {i} is not a max layer")
        if array.dtype.kind not in "iu" or array.ndim != 2:
            raise FileFormatError(f"{path}: {key} must be a 2-D integer array (units, k)")
        windows[i] = array
    missing = [i for i, act in enumerate(activations or []) if act == "max" and i not in windows]
    if missing:
        raise FileFormatError(f"{path}: layer {missing[0]} is a max layer without "
                              f"windows{missing[0]} (units, k)")
    pairs = [(arrays[f"W{i}"], arrays[f"b{i}"]) for i in range(count)]
    return Network.from_layers(pairs, activations, slope, windows)


def read_torch(path, activations=None, *, allow_pickle: bool = False,
               input_shape=None) -> Network:
    """Read a PyTorch file saved with ``torch.save``.

    A ``state_dict`` of an ``nn.Sequential`` is read with
    ``torch.load(..., weights_only=True)`` (tensors only, never arbitrary
    pickled objects): keys ``"<i>.weight"`` and ``"<i>.bias"`` give the
    Linear layers in order of ``i``. A state dict stores no activations, so
    ``activations`` (one per Linear layer, e.g. ``["relu", "relu",
    "identity"]``) must be given; guessing ReLU would silently count another
    network. A full pickled model (``torch.save(model)``) loads only with
    ``allow_pickle=True``, because unpickling runs arbitrary code; its
    activations come from its modules (:func:`regions.from_torch`).
    """
    try:
        import torch
    except ImportError:  # pragma: no cover - exercised only without torch
        raise FileFormatError("reading .pt files needs PyTorch (pip install torch)") from None
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileFormatError(f"no such network file: {path}")
    try:
        state = torch.load(path, map_location="cpu", weights_only=not allow_pickle)
    except Exception as exc:  # torch raises many types for corrupt or unsafe files
        if not allow_pickle and "weights_only" in str(exc):
            raise FileFormatError(
                f"{path} is not a plain state_dict (torch: {_torch_reason(exc)}); if it is a "
                "full pickled model that you trust, load it with {allow_pickle}: "
                "unpickling runs arbitrary code",
                arguments={"allow_pickle": SPELLINGS["allow_pickle"]}) from None
        raise FileFormatError(f"{path} is not a readable torch file: "
                              f"{type(exc).__name__}: {_torch_reason(exc)}") from None
    if isinstance(state, torch.nn.Module):
        if activations is not None:
            raise FileFormatError(f"{path} holds a full model, whose activations come from "
                                  "its modules: do not pass activations")
        return from_torch(state, input_shape)
    if not isinstance(state, dict):
        raise FileFormatError(f"{path} holds a {type(state).__name__}, not a state_dict")
    weights = {}
    for key, tensor in state.items():
        prefix, _, kind = str(key).rpartition(".")
        if kind in ("weight", "bias") and prefix.isdigit() and isinstance(tensor, torch.Tensor):
            weights.setdefault(int(prefix), {})[kind] = tensor.detach().double().numpy()
    if not weights:
        raise FileFormatError(f"{path}: no '<i>.weight' tensors in the state_dict")
    if activations is None:
        usual = ["relu"] * (len(weights) - 1) + ["identity"]
        raise FileFormatError(
            f"{path} is a state_dict of {len(weights)} Linear layers, which stores no "
            "activations; give one per layer ({activations} for the usual MLP)",
            arguments={"activations": activations_spelling(usual)})
    pairs = []
    for i in sorted(weights):
        if "weight" not in weights[i]:
            raise FileFormatError(f"{path}: layer {i} has a bias but no weight")
        weight = weights[i]["weight"]
        pairs.append((weight, weights[i].get("bias", np.zeros(weight.shape[0]))))
    return Network.from_layers(pairs, list(activations))


def _torch_reason(exc: Exception) -> str:
    """The informative part of a torch loading error, on one line.

    ``torch.load`` explains a refused pickle over a dozen lines; the line
    naming what it met (``Unsupported global: GLOBAL ...``) is the one that
    says what the file holds.
    """
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    for line in lines:
        if "Unsupported global" in line or "Unsupported operand" in line:
            return line.split("WeightsUnpickler error:")[-1].strip()
    return lines[0] if lines else type(exc).__name__


def write_network(network: Network, path, **metadata) -> None:
    """Write ``network`` to ``path`` in the ``.npz`` format; ``metadata`` arrays are stored too.

    The same network (and metadata) gives the same bytes: arrays are written in C order,
    and each archive member carries zipfile's fixed date (1980-01-01), never the clock.

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "net.npz")
    >>> regions.write_network(net, path)
    >>> regions.read_network(path).activations
    ['relu', 'identity']
    """
    arrays = dict(metadata)
    for i, layer in enumerate(network.layers):
        arrays[f"W{i}"] = np.ascontiguousarray(layer.weight)
        arrays[f"b{i}"] = layer.bias
        if layer.activation == "max":
            arrays[f"windows{i}"] = layer.windows
    arrays["activations"] = np.array(network.activations)
    if "leaky_relu" in network.activations:
        arrays["leaky_slope"] = np.float64(
            next(l.slope for l in network.layers if l.activation == "leaky_relu"))
    np.savez(path, **arrays)


def __getattr__(name):
    return renamed_attribute(__name__, RENAMED, globals(), name)
