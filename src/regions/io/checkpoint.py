"""Checkpoints of a running enumeration: atomic, bit-exact, tied to one network and domain.

A checkpoint holds the engine's depth-first stack of cells and its counters (and
a count's thin regions' patterns) in one ``.npz`` file; an enumeration's final
regions go to *shards* beside it (``FILE.regions/000000.npz``, ...), one per
write with the regions found since the previous one, which the main file lists
with their checksums. So a write costs the stack and the new regions, never the
history (:class:`Writer`). No file holds pickles: cells and records are tuples
of arrays and scalars, stored field by field, every variable-length array
concatenated with its shapes, so any engine of :mod:`regions.engines` is
checkpointed the same way. Each file is written to a temporary file beside the
target, flushed to disk, then renamed over the target, so a
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
from dataclasses import dataclass, field

import numpy as np

from ..engines.base import Counters
from ..errors import CheckpointError
from ..packing import pack_tuples, unpack_tuples

__all__ = ["FORMAT_VERSION", "SHARDS", "Saved", "fingerprint", "Shard", "Writer", "save", "load"]

#: Version 2 added the ``checksum`` entry (SHA-256 of every other array); version 3 holds
#: any engine's cells and records (an ``engine`` name, tuples stored field by field);
#: version 4 stores the vertex engine's generators homogeneously (a column for rays);
#: version 5 the exact engines' error bounds and decision counters; version 6 counts, and
#: an enumeration's regions in shards.
FORMAT_VERSION = 6
#: The folder of an enumeration's shards, beside its checkpoint ``FILE``.
SHARDS = "{}.regions"


@dataclass
class Saved:
    """Everything a run needs to continue.

    ``engine``: the engine's name (``"split"``, ``"vertex"``, ``"walk"``); ``cells``:
    its stack, bottom first, as plain tuples of its cell type's fields; ``records``: the
    final regions found so far, as plain tuples of its record type's fields;
    ``counters``: a :class:`regions.engines.base.Counters`; ``seconds``: time spent so far;
    ``thin_patterns``: a count's (:func:`regions.count_regions`) thin regions' patterns,
    (T, P) int8, its only records, or None for an enumeration's checkpoint;
    ``shards``: the :class:`Shard` files that hold the records.
    """

    engine: str
    cells: list
    records: list
    counters: Counters
    seconds: float
    thin_patterns: np.ndarray | None = None
    shards: list = field(default_factory=list)

    @property
    def run(self) -> str:
        """``"count"`` or ``"enumeration"``: the function that wrote it."""
        return "enumeration" if self.thin_patterns is None else "count"


def _pack_tuples(prefix: str, items: list, arrays: dict) -> None:
    """Store a list of equal-layout tuples (arrays and scalars) field by field
    (:func:`regions.packing.pack_tuples`), under names starting with ``prefix``."""
    try:
        packed = pack_tuples(items)
    except ValueError as exc:
        raise CheckpointError(f"checkpoint {prefix} {exc}") from None
    arrays.update({f"{prefix}_{name}": value for name, value in packed.items()})


def _unpack_tuples(prefix: str, arrays: dict) -> list:
    start = f"{prefix}_"
    return unpack_tuples({name[len(start):]: value for name, value in arrays.items()
                          if name.startswith(start)})


def fingerprint(network, domain, min_radius: float, exact: bool = True) -> str:
    """SHA-256 over every array and setting that determines the result."""
    named = []
    for i, layer in enumerate(network.layers):
        named += [(f"activation{i}", np.array(layer.activation)),
                  (f"slope{i}", np.float64(layer.slope)),
                  (f"weight{i}", layer.weight), (f"bias{i}", layer.bias)]
        if layer.activation == "max":
            named.append((f"windows{i}", layer.windows))
    named += [("kind", np.array(domain.kind)), ("A", domain.A), ("b", domain.b),
              ("origin", domain.origin), ("basis", domain.basis),
              ("min_radius", np.float64(min_radius)), ("exact", np.bool_(exact))]
    if domain.rational_basis is not None:    # a slice: its exact basis, not only the rounded
        named.append(("rational_basis", np.array([str(v) for row in domain.rational_basis
                                                  for v in row])))
    return _digest(named)


@dataclass(frozen=True)
class Shard:
    """A file of final regions beside a checkpoint: its ``name`` (relative to the
    checkpoint's folder), the number of ``records`` in it and its content's ``checksum``."""

    name: str
    records: int
    checksum: str


class Writer:
    """The checkpoints of one run at ``path``, tagged with fingerprint ``key``.

    Each :meth:`write` first adds the records found since the previous write as a new
    shard, then replaces the main file (cells, counters, the list of shards); ``shards``
    continues those of a run resumed from the same file.
    """

    def __init__(self, path, key: str, shards=()):
        self.path, self.key = os.fspath(path), key
        self.shards = list(shards)
        self.written = sum(shard.records for shard in self.shards)
        self.stale_removed = False

    def write(self, saved: Saved) -> None:
        """Write ``saved`` (``saved.records``: every record so far)."""
        if len(saved.records) > self.written:
            self.shards.append(_save_shard(self.path, self.key, len(self.shards),
                                           saved.records[self.written:]))
            self.written = len(saved.records)
        save(self.path, self.key, saved, self.shards)
        if not self.stale_removed:      # later writes add only the shards they list
            _remove_stale_shards(self.path, len(self.shards))
            self.stale_removed = True


def _folder(path) -> str:
    """The folder of the checkpoint at ``path``, which its shards' names are relative to."""
    return os.path.dirname(os.path.abspath(path))


def _shard_folder(path: str) -> str:
    """The shards' folder, relative to :func:`_folder`."""
    return SHARDS.format(os.path.basename(path))


def _save_shard(path: str, key: str, index: int, records: list) -> Shard:
    """Write ``records`` atomically as shard ``index`` of the checkpoint at ``path``."""
    name = os.path.join(_shard_folder(path), f"{index:06d}.npz")
    target = os.path.join(_folder(path), name)
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
    except OSError as exc:
        raise CheckpointError(f"cannot write checkpoint {path}: {_cause(exc)}") from exc
    arrays = {"version": np.int64(FORMAT_VERSION), "fingerprint": np.array(key)}
    _pack_tuples("record", records, arrays)
    checksum = _checksum(arrays)
    arrays["checksum"] = np.array(checksum)
    _write_atomically(target, arrays)
    return Shard(name, len(records), checksum)


def _remove_stale_shards(path: str, kept: int) -> None:
    """Remove shards numbered ``kept`` and up (a run killed between a shard and its main
    file, or an earlier run at the same path, left them; nothing refers to them)."""
    folder = os.path.join(_folder(path), _shard_folder(path))
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        stem, _, extension = name.partition(".")
        if extension == "npz" and stem.isdigit() and len(stem) == 6 and int(stem) >= kept:
            try:
                os.unlink(os.path.join(folder, name))
            except OSError:
                pass


def save(path, key: str, saved: Saved, shards=()) -> None:
    """Write the main file of ``saved`` atomically to ``path`` (an ``.npz``), tagged with
    fingerprint ``key``, listing ``shards`` (its records must be in them: :class:`Writer`)."""
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
    arrays["shard_names"] = np.array([shard.name for shard in shards], dtype=str)
    arrays["shard_records"] = np.array([shard.records for shard in shards], dtype=np.int64)
    arrays["shard_checksums"] = np.array([shard.checksum for shard in shards], dtype=str)
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
    """Read a checkpoint written by :func:`save` and its shards; refuse
    (:class:`CheckpointError`) one that is missing, unreadable, truncated or corrupt, or was
    made for another network or domain."""
    path = os.fspath(path)
    arrays = _read(path, key)
    try:
        saved = _saved(arrays)
        folder = _folder(path)
        for name, records, checksum in zip(arrays["shard_names"].tolist(),
                                           arrays["shard_records"].tolist(),
                                           arrays["shard_checksums"].tolist()):
            shard = _read(os.path.join(folder, name), key, checksum)
            saved.records += _unpack_tuples("record", shard)
            saved.shards.append(Shard(name, records, checksum))
    except KeyError as exc:
        raise CheckpointError(f"{path} lacks checkpoint field {exc}") from None
    except (IndexError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{path} is inconsistent: {_first_line(exc)}") from None
    if len(saved.records) != sum(shard.records for shard in saved.shards):
        raise CheckpointError(f"{path} is inconsistent: its shards hold other regions")
    return saved


def _read(path: str, key: str, checksum: str | None = None) -> dict:
    """The verified arrays of a checkpoint file (or of a shard whose ``checksum`` its
    checkpoint lists)."""
    if not os.path.isfile(path):
        raise CheckpointError(f"no such checkpoint: {path}" if checksum is None else
                              f"{path}, a shard of the checkpoint, is missing")
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
    if checksum is not None and str(arrays["checksum"]) != checksum:
        raise CheckpointError(f"{path} is not the shard its checkpoint wrote")
    if str(arrays.get("fingerprint", "")) != key:
        raise CheckpointError(
            f"{path} was written for a different network, domain or tolerance; "
            "refusing to resume from it")
    return arrays


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else "no detail"


def _saved(arrays: dict) -> Saved:
    lps, regions, exact_decisions, uncertain_decisions = (int(v) for v in arrays["counters"])
    counters = Counters(regions, arrays["per_layer"].tolist(), lps, float(arrays["times"][1]),
                        exact_decisions, uncertain_decisions)
    return Saved(str(arrays["engine"]), _unpack_tuples("cell", arrays), [], counters,
                 float(arrays["times"][0]), arrays.get("thin_patterns"))
