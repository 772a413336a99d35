"""Checkpoints of a running enumeration: atomic, bit-exact, tied to one network and domain.

A checkpoint holds the finished regions, the depth-first work stack and the
counters, in one ``.npz`` file (no pickles: every variable-length list of
arrays is stored concatenated, with offsets). It is written to a temporary
file beside the target, flushed to disk, then renamed over the target, so a
process killed at any moment leaves either the previous checkpoint or the new
one, never a torn file. Because every LP is solved from scratch from arrays
restored bit for bit, resuming gives exactly the regions, in exactly the
order, of an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass, field

import numpy as np

from .errors import FileFormatError

FORMAT_VERSION = 1


@dataclass
class WorkItem:
    """A cell waiting on the depth-first stack.

    ``layer``: index of the next layer to apply; ``A (m, dim)``, ``c (m,)``,
    ``labels (m,)``: its constraints; ``center (dim,)``, ``radius``,
    ``exact``: an inscribed ball (``exact`` when it is the largest);
    ``M (n, dim)``, ``m (n,)``: the affine map of the layer output feeding
    ``layer``; ``pattern (k,)``: states of the layers already applied.
    """

    layer: int
    A: np.ndarray
    c: np.ndarray
    labels: np.ndarray
    center: np.ndarray
    radius: float
    exact: bool
    M: np.ndarray
    m: np.ndarray
    pattern: np.ndarray


@dataclass
class FinishedRegion:
    """A final region before H-representation minimisation (internal coordinates)."""

    pattern: np.ndarray
    witness: np.ndarray
    margin: float
    A: np.ndarray
    c: np.ndarray
    labels: np.ndarray
    C: np.ndarray
    d: np.ndarray


@dataclass
class State:
    """Everything an enumeration needs to continue."""

    stack: list = field(default_factory=list)        # list[WorkItem]
    finished: list = field(default_factory=list)     # list[FinishedRegion]
    per_layer: list = field(default_factory=list)
    lps: int = 0
    seconds: float = 0.0
    lp_seconds: float = 0.0
    slivers: int = 0


def fingerprint(network, domain, min_radius: float) -> str:
    """SHA-256 over every array and setting that determines the result."""
    digest = hashlib.sha256()
    for layer in network.layers:
        digest.update(layer.activation.encode())
        digest.update(np.float64(layer.slope).tobytes())
        for array in (layer.weight, layer.bias):
            digest.update(str(array.shape).encode())
            digest.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
    digest.update(domain.kind.encode())
    for array in (domain.A, domain.c, domain.origin, domain.basis):
        digest.update(str(array.shape).encode())
        digest.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
    digest.update(np.float64(min_radius).tobytes())
    return digest.hexdigest()


def _pack(arrays: list, dtype, width: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate arrays along axis 0; return (data, offsets)."""
    offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([a.shape[0] for a in arrays])
    if arrays:
        data = np.concatenate([np.asarray(a, dtype=dtype) for a in arrays], axis=0)
    else:
        data = np.zeros((0,) if width is None else (0, width), dtype=dtype)
    return data, offsets


def _unpack(data: np.ndarray, offsets: np.ndarray) -> list:
    return [data[offsets[i]:offsets[i + 1]] for i in range(len(offsets) - 1)]


def save(path, state: State, key: str, dim: int) -> None:
    """Write ``state`` atomically to ``path`` (an ``.npz``), tagged with fingerprint ``key``."""
    arrays = {
        "version": np.int64(FORMAT_VERSION), "fingerprint": np.array(key),
        "per_layer": np.asarray(state.per_layer, dtype=np.int64),
        "counters": np.array([state.lps, state.slivers], dtype=np.int64),
        "times": np.array([state.seconds, state.lp_seconds]),
    }
    for prefix, items in (("stack", state.stack), ("done", state.finished)):
        names = ["A", "c", "labels", "pattern"] + (["M", "m"] if prefix == "stack" else ["C", "d"])
        for name in names:
            dtype = np.int8 if name == "pattern" else (np.int64 if name == "labels" else np.float64)
            data, offsets = _pack([getattr(item, name) for item in items], dtype,
                                  dim if name in ("A", "M", "C") else None)
            arrays[f"{prefix}_{name}"], arrays[f"{prefix}_{name}_offsets"] = data, offsets
        center_name = "center" if prefix == "stack" else "witness"
        radius_name = "radius" if prefix == "stack" else "margin"
        arrays[f"{prefix}_center"] = np.array([getattr(i, center_name) for i in items],
                                              dtype=np.float64).reshape(len(items), dim)
        arrays[f"{prefix}_radius"] = np.array([getattr(i, radius_name) for i in items],
                                              dtype=np.float64)
    arrays["stack_layer"] = np.array([i.layer for i in state.stack], dtype=np.int64)
    arrays["stack_exact"] = np.array([i.exact for i in state.stack], dtype=bool)

    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".checkpoint-", suffix=".npz", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load(path, key: str) -> State:
    """Read a checkpoint written by :func:`save`; refuse one made for another network or domain."""
    if not os.path.isfile(path):
        raise FileFormatError(f"no such checkpoint: {path}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise FileFormatError(f"{path} is not a readable checkpoint: {exc}") from None
    try:
        if int(arrays["version"]) != FORMAT_VERSION:
            raise FileFormatError(f"{path}: checkpoint format {int(arrays['version'])} "
                                  f"is not {FORMAT_VERSION}")
        if str(arrays["fingerprint"]) != key:
            raise FileFormatError(
                f"{path} was written for a different network, domain or tolerance; "
                "refusing to resume from it")
        state = State(per_layer=arrays["per_layer"].tolist(),
                      lps=int(arrays["counters"][0]), slivers=int(arrays["counters"][1]),
                      seconds=float(arrays["times"][0]), lp_seconds=float(arrays["times"][1]))
        stack = {n: _unpack(arrays[f"stack_{n}"], arrays[f"stack_{n}_offsets"])
                 for n in ("A", "c", "labels", "pattern", "M", "m")}
        for i in range(len(arrays["stack_layer"])):
            state.stack.append(WorkItem(
                int(arrays["stack_layer"][i]), stack["A"][i], stack["c"][i], stack["labels"][i],
                arrays["stack_center"][i], float(arrays["stack_radius"][i]),
                bool(arrays["stack_exact"][i]), stack["M"][i], stack["m"][i], stack["pattern"][i]))
        done = {n: _unpack(arrays[f"done_{n}"], arrays[f"done_{n}_offsets"])
                for n in ("A", "c", "labels", "pattern", "C", "d")}
        for i in range(len(arrays["done_radius"])):
            state.finished.append(FinishedRegion(
                done["pattern"][i], arrays["done_center"][i], float(arrays["done_radius"][i]),
                done["A"][i], done["c"][i], done["labels"][i], done["C"][i], done["d"][i]))
    except KeyError as exc:
        raise FileFormatError(f"{path} lacks checkpoint field {exc}") from None
    return state
