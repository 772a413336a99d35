"""Lists of equal-layout tuples (arrays and scalars) as a few contiguous arrays.

Cells and records of every engine (``regions.engines.base``) are such tuples. Packed,
they are stored in checkpoints (``regions.io.checkpoint``) and sent between processes
(:mod:`regions.engines.parallel`) as a handful of arrays instead of many small objects,
and unpacked bit for bit.
"""

from __future__ import annotations

import numpy as np

__all__ = ["pack_tuples", "unpack_tuples"]

_SCALARS = {"b": bool, "i": int, "u": int, "f": float}


def pack_tuples(items: list) -> dict:
    """``items`` (N tuples of one layout) field by field: ``"count"`` (N), and per field
    ``k`` either ``"k_data"`` (every item's array raveled, concatenated) with ``"k_shapes"``
    (N, ndim) int64, or ``"k_scalars"`` (N,). Raises ValueError if an array field mixes
    dtypes (unpacking would not give back the same bytes)."""
    packed = {"count": np.int64(len(items))}
    for k in range(len(items[0]) if items else 0):
        values = [item[k] for item in items]
        if isinstance(values[0], np.ndarray):
            dtype = values[0].dtype
            if any(v.dtype != dtype for v in values):
                raise ValueError(f"field {k} mixes dtypes")
            packed[f"{k}_data"] = np.concatenate([np.ravel(v) for v in values])
            packed[f"{k}_shapes"] = np.array([v.shape for v in values],
                                             dtype=np.int64).reshape(len(values), -1)
        else:
            packed[f"{k}_scalars"] = np.array(values)
    return packed


def unpack_tuples(packed: dict) -> list:
    """The tuples :func:`pack_tuples` packed: arrays as views of the packed data, scalars as
    Python ``bool``, ``int`` or ``float``."""
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
    data, shapes = packed[f"{k}_data"], packed[f"{k}_shapes"]
    sizes = np.prod(shapes, axis=1) if shapes.shape[1] else np.ones(count, np.int64)
    ends = np.cumsum(sizes)
    return [data[end - size:end].reshape(shape)
            for end, size, shape in zip(ends, sizes, shapes.tolist())]
