"""Lists of equal-layout tuples (arrays and scalars) as a few contiguous arrays.

Cells and records of every engine (``regions.engines.base``) are such tuples. Packed,
they are stored in checkpoints (``regions.io.checkpoint``) and sent between processes
(:mod:`regions.engines.parallel`) as a handful of arrays instead of many small objects,
and unpacked bit for bit. Sent between processes, an array field that many tuples
share (a vertex cell's map error bounds: the children of one cell have the same) is
sent once per distinct array, with an index per tuple (``distinct``).
"""

from __future__ import annotations

import numpy as np

from .tolerances import DISTINCT_BYTES

__all__ = ["pack_tuples", "unpack_tuples"]

_SCALARS = {"b": bool, "i": int, "u": int, "f": float}


def pack_tuples(items: list, distinct: bool = False) -> dict:
    """``items`` (N tuples of one layout) field by field: ``"count"`` (N), and per field
    ``k`` either ``"k_data"`` (every item's array raveled, concatenated) with ``"k_shapes"``
    (N, ndim) int64, or ``"k_scalars"`` (N,). With ``distinct``, an array field whose
    distinct arrays (same shape and bytes) take fewer bytes with an index than all of
    them holds only those (``"k_data"``, ``"k_shapes"`` (D, ndim)) and ``"k_index"`` (N,)
    int64: item ``i``'s array is distinct array ``k_index[i]`` (looked for in the fields
    whose first array takes at least ``DISTINCT_BYTES``: finding repeats copies every
    array). Raises ValueError if an array field mixes dtypes (unpacking would not give
    back the same bytes)."""
    packed = {"count": np.int64(len(items))}
    for k in range(len(items[0]) if items else 0):
        values = [item[k] for item in items]
        if not isinstance(values[0], np.ndarray):
            packed[f"{k}_scalars"] = np.array(values)
            continue
        dtype = values[0].dtype
        if any(v.dtype != dtype for v in values):
            raise ValueError(f"field {k} mixes dtypes")
        if distinct and values[0].nbytes >= DISTINCT_BYTES:
            values = _index_repeats(values, packed, k)
        packed[f"{k}_data"] = np.concatenate([np.ravel(v) for v in values])
        packed[f"{k}_shapes"] = np.array([v.shape for v in values],
                                         dtype=np.int64).reshape(len(values), -1)
    return packed


def _index_repeats(values: list, packed: dict, k: int) -> list:
    """``values`` (N arrays of one dtype), or their distinct arrays (D, first occurrences
    in order) when those and an index (``packed["k_index"]``, (N,) int64) take fewer
    bytes."""
    first: dict = {}
    kept, index = [], np.empty(len(values), np.int64)
    for i, value in enumerate(values):
        index[i] = first.setdefault((value.shape, value.tobytes()), len(kept))
        if index[i] == len(kept):
            kept.append(value)
    if len(kept) == len(values):
        return values
    if sum(v.nbytes for v in kept) + index.nbytes >= sum(v.nbytes for v in values):
        return values
    packed[f"{k}_index"] = index
    return kept


def unpack_tuples(packed: dict) -> list:
    """The tuples :func:`pack_tuples` packed: arrays as views of the packed data (read-only
    where tuples share one: ``k_index``), scalars as Python ``bool``, ``int`` or
    ``float``."""
    count = int(packed["count"])
    fields, k = [], 0
    while count and (f"{k}_data" in packed or f"{k}_scalars" in packed):
        fields.append(_unpack_field(packed, k, count))
        k += 1
    return [tuple(field[i] for field in fields) for i in range(count)]


def _unpack_field(packed: dict, k: int, count: int) -> list:
    """Field ``k`` of ``count`` packed tuples."""
    if f"{k}_scalars" in packed:
        values = packed[f"{k}_scalars"]
        convert = _SCALARS[values.dtype.kind]
        return [convert(v) for v in values]
    if f"{k}_index" not in packed:
        return _arrays(packed[f"{k}_data"], packed[f"{k}_shapes"])
    shared = _arrays(packed[f"{k}_data"], packed[f"{k}_shapes"])
    for array in shared:
        array.flags.writeable = False
    return [shared[i] for i in packed[f"{k}_index"].tolist()]


def _arrays(data: np.ndarray, shapes: np.ndarray) -> list:
    """The arrays ``data`` holds raveled one after another, of shapes ``shapes`` (M, ndim):
    views."""
    sizes = (np.prod(shapes, axis=1) if shapes.shape[1]
             else np.ones(shapes.shape[0], np.int64))
    ends = np.cumsum(sizes)
    return [data[end - size:end].reshape(shape)
            for end, size, shape in zip(ends, sizes, shapes.tolist())]
