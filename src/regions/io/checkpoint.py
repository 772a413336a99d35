"""Checkpoints of a running enumeration: atomic, bit-exact, tied to one network and domain.

A checkpoint holds the engine's depth-first stack of cells, its counters and,
for an enumeration, the final regions found so far (a count keeps only the thin
regions' patterns, so its checkpoint is as small as the stack), in one ``.npz`` file (no pickles: cells and
records are tuples of arrays and scalars, stored field by field, every
variable-length array concatenated with its shapes), so any engine of
:mod:`regions.engines` is checkpointed the same way. It is written to a temporary
file beside the target, flushed to disk, then renamed over the target, so a
process killed at any moment leaves either the previous checkpoint or the new
one, never a torn file (a temporary file orphaned by such a kill is removed by
the next successful write to the same target). A write that fails (read-only
directory, full disk) raises :class:`~regions.errors.CheckpointError`, leaves
the previous checkpoint as it was and removes its temporary file.

Every checkpoint carries a SHA-256 of its own arrays (names, dtypes, shapes
and bytes), verified on load on top of the zip CRCs, so a truncated or
corrupted file is refused, never resumed from. Because every cell is restored
bit for bit (and every LP is solved from scratch from it), resuming gives
exactly the regions, in exactly the order, of an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass

import numpy as np

from ..engines.base import Counters
from ..errors import CheckpointError

#: Version 2 added the ``checksum`` entry (SHA-256 of every other array); version 3 holds
#: any engine's cells and records (an ``engine`` name, tuples stored field by field);
#: version 4 stores the vertex engine's generators homogeneously (a column for rays);
#: version 5 the exact engines' error bounds and decision counters; version 6 counts.
FORMAT_VERSION = 6


@dataclass
class Saved:
    """Everything a run needs to continue.

    ``engine``: the engine's name (``"split"``, ``"vertex"``, ``"walk"``); ``cells``:
    its stack, bottom first, as plain tuples of its cell type's fields; ``records``: the
    final regions found so far, as plain tuples of its record type's fields;
    ``counters``: a :class:`regions.engines.base.Counters`; ``seconds``: time spent so far;
    ``thin_patterns``: a count's (:func:`regions.count_regions`) thin regions' patterns,
    (T, P) int8, its only records, or None for an enumeration's checkpoint.
    """

    engine: str
    cells: list
    records: list
    counters: Counters
    seconds: float
    thin_patterns: np.ndarray | None = None

    @property
    def run(self) -> str:
        """``"count"`` or ``"enumeration"``: the function that wrote it."""
        return "enumeration" if self.thin_patterns is None else "count"


def _pack_tuples(prefix: str, items: list, arrays: dict) -> None:
    """Store a list of equal-layout tuples (arrays and scalars) field by field.

    An array field is stored raveled and concatenated, with every item's
    shape; a scalar field as one array. Dtypes are kept, so unpacking gives
    back the same bytes."""
    arrays[f"{prefix}_count"] = np.int64(len(items))
    if not items:
        return
    for k in range(len(items[0])):
        values = [item[k] for item in items]
        name = f"{prefix}_{k}"
        if isinstance(values[0], np.ndarray):
            dtype = values[0].dtype
            if any(v.dtype != dtype for v in values):
                raise CheckpointError(f"checkpoint field {name} mixes dtypes")
            arrays[f"{name}_data"] = np.concatenate([np.ravel(v) for v in values])
            arrays[f"{name}_shapes"] = np.array([v.shape for v in values],
                                                dtype=np.int64).reshape(len(values), -1)
        else:
            arrays[f"{name}_scalars"] = np.array(values)


def _unpack_tuples(prefix: str, arrays: dict) -> list:
    count = int(arrays[f"{prefix}_count"])
    fields, k = [], 0
    while count and (f"{prefix}_{k}_data" in arrays or f"{prefix}_{k}_scalars" in arrays):
        name = f"{prefix}_{k}"
        if f"{name}_scalars" in arrays:
            values = arrays[f"{name}_scalars"]
            convert = {"b": bool, "i": int, "u": int, "f": float}[values.dtype.kind]
            fields.append([convert(v) for v in values])
        else:
            data, shapes = arrays[f"{name}_data"], arrays[f"{name}_shapes"]
            sizes = np.prod(shapes, axis=1) if shapes.shape[1] else np.ones(count, np.int64)
            ends = np.cumsum(sizes)
            fields.append([data[end - size:end].reshape(shape)
                           for end, size, shape in zip(ends, sizes, shapes.tolist())])
        k += 1
    return [tuple(field[i] for field in fields) for i in range(count)]


def fingerprint(network, domain, min_radius: float, exact: bool = True) -> str:
    """SHA-256 over every array and setting that determines the result."""
    named = []
    for i, layer in enumerate(network.layers):
        named += [(f"activation{i}", np.array(layer.activation)),
                  (f"slope{i}", np.float64(layer.slope)),
                  (f"weight{i}", layer.weight), (f"bias{i}", layer.bias)]
    named += [("kind", np.array(domain.kind)), ("A", domain.A), ("b", domain.b),
              ("origin", domain.origin), ("basis", domain.basis),
              ("min_radius", np.float64(min_radius)), ("exact", np.bool_(exact))]
    return _digest(named)


def save(path, key: str, saved: Saved) -> None:
    """Write ``saved`` atomically to ``path`` (an ``.npz``), tagged with fingerprint ``key``."""
    arrays = {
        "version": np.int64(FORMAT_VERSION), "fingerprint": np.array(key),
        "engine": np.array(saved.engine),
        "per_layer": np.asarray(saved.counters.per_layer, dtype=np.int64),
        "counters": np.array([saved.counters.lps, saved.counters.regions,
                              saved.counters.exact_decisions,
                              saved.counters.uncertain_decisions], dtype=np.int64),
        "times": np.array([saved.seconds, saved.counters.lp_seconds], dtype=np.float64),
    }
    _pack_tuples("cell", saved.cells, arrays)
    _pack_tuples("record", saved.records, arrays)
    if saved.thin_patterns is not None:
        arrays["thin_patterns"] = np.asarray(saved.thin_patterns, dtype=np.int8)
    arrays["checksum"] = np.array(_checksum(arrays))
    _write_atomically(path, arrays)


def _checksum(arrays: dict) -> str:
    """SHA-256 over every array but ``checksum``, by name."""
    return _digest([(name, arrays[name]) for name in sorted(arrays) if name != "checksum"])


def _digest(named) -> str:
    """SHA-256 over ``(name, array)`` pairs: each name, dtype, shape and bytes, in order."""
    digest = hashlib.sha256()
    for name, array in named:
        array = np.ascontiguousarray(array)
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


def load(path, key: str) -> Saved:
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
        return _saved(arrays)
    except KeyError as exc:
        raise CheckpointError(f"{path} lacks checkpoint field {exc}") from None
    except (IndexError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{path} is inconsistent: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no detail"


def _saved(arrays: dict) -> Saved:
    lps, regions, exact_decisions, uncertain_decisions = (int(v) for v in arrays["counters"])
    counters = Counters(regions, arrays["per_layer"].tolist(), lps, float(arrays["times"][1]),
                        exact_decisions, uncertain_decisions)
    return Saved(str(arrays["engine"]), _unpack_tuples("cell", arrays),
                 _unpack_tuples("record", arrays), counters, float(arrays["times"][0]),
                 arrays.get("thin_patterns"))
