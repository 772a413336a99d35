"""Checkpoints of a running enumeration: atomic, bit-exact, tied to one network and domain.

A checkpoint holds the finished regions, the depth-first work stack and the
counters, in one ``.npz`` file (no pickles: every variable-length list of
arrays is stored concatenated, with offsets). It is written to a temporary
file beside the target, flushed to disk, then renamed over the target, so a
process killed at any moment leaves either the previous checkpoint or the new
one, never a torn file (a temporary file orphaned by such a kill is removed by
the next successful write to the same target). A write that fails (read-only
directory, full disk) raises :class:`~regions.errors.CheckpointError`, leaves
the previous checkpoint as it was and removes its temporary file.

Every checkpoint carries a SHA-256 of its own arrays (names, dtypes, shapes
and bytes), verified on load on top of the zip CRCs, so a truncated or
corrupted file is refused, never resumed from. Because every LP is solved from
scratch from arrays restored bit for bit, resuming gives exactly the regions,
in exactly the order, of an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field

import numpy as np

from .errors import CheckpointError

#: Version 2 added the ``checksum`` entry (SHA-256 of every other array).
FORMAT_VERSION = 2


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

    arrays["checksum"] = np.array(_checksum(arrays))
    _write_atomically(path, arrays)


def _checksum(arrays: dict) -> str:
    """SHA-256 over every array but ``checksum``: name, dtype, shape and bytes, by name."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        if name == "checksum":
            continue
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}\0{array.dtype.str}\0{array.shape}\0".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _temporary_prefix(path) -> str:
    return f".{os.path.basename(os.fspath(path))}."


_TEMPORARY_SUFFIX = ".tmp"


def _write_atomically(path, arrays: dict) -> None:
    """``np.savez`` to a temporary file beside ``path``, fsync, rename over ``path``.

    Any OSError becomes a :class:`CheckpointError` naming the path and the cause;
    the temporary file is removed and ``path`` is left as it was."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    prefix = _temporary_prefix(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=_TEMPORARY_SUFFIX, dir=directory)
        try:
            handle = os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            raise
        with handle:
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise CheckpointError(f"cannot write checkpoint {path}: {_cause(exc)}"
                              + ("; the previous checkpoint is unchanged"
                                 if os.path.isfile(path) else "")) from exc
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    _sync_directory(directory)
    _remove_orphans(directory, prefix)


def _cause(exc: OSError) -> str:
    """One line for an OSError (its strerror, without the temporary file's name)."""
    if exc.strerror:
        return exc.strerror
    return " ".join(str(exc).split()) or type(exc).__name__


def _sync_directory(directory: str) -> None:
    """Make the rename durable (best effort: not every platform can fsync a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_orphans(directory: str, prefix: str) -> None:
    """Remove temporary files of this target left by a process killed while writing."""
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if name.startswith(prefix) and name.endswith(_TEMPORARY_SUFFIX):
            try:
                os.unlink(os.path.join(directory, name))
            except OSError:
                pass


def load(path, key: str) -> State:
    """Read a checkpoint written by :func:`save`; refuse (:class:`CheckpointError`) one that
    is missing, unreadable, truncated or corrupt, or was made for another network or domain."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise CheckpointError(f"no such checkpoint: {path}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except Exception as exc:  # noqa: BLE001 - whatever a damaged zip or .npy header raises
        raise CheckpointError(f"{path} is not a readable checkpoint (truncated or corrupt?): "
                              f"{type(exc).__name__}: {_first_line(exc)}") from None
    try:
        version = int(arrays["version"])
    except (KeyError, TypeError, ValueError):
        raise CheckpointError(f"{path} is not a checkpoint (no format version)") from None
    if version != FORMAT_VERSION:
        raise CheckpointError(f"{path}: checkpoint format {version} is not {FORMAT_VERSION}")
    if "checksum" not in arrays or str(arrays["checksum"]) != _checksum(arrays):
        raise CheckpointError(f"{path} is corrupt: its content does not match its checksum")
    if str(arrays.get("fingerprint", "")) != key:
        raise CheckpointError(
            f"{path} was written for a different network, domain or tolerance; "
            "refusing to resume from it")
    try:
        return _state(arrays)
    except KeyError as exc:
        raise CheckpointError(f"{path} lacks checkpoint field {exc}") from None
    except (IndexError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{path} is inconsistent: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no detail"


def _state(arrays: dict) -> State:
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
    return state
