# distutils: language = c++
# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The level loop of the face lattice (:mod:`regions.complex.faces`): every face's facets,
from the top down, by exact sign vectors.

A face is a list of rows of one sign table ``(rows, L)`` int8, its generators: a vertex's
row is its sign vector, a ray's the signs of every label's slope along it in the faces it
generates (every ray row of a region is its own row; its facets share it). A face's rows
are its vertices' first. Its sign vector is the common nonzero sign of its rows, label by
label, and identifies it. The facets of a face are the maximal sets of its rows on which
one label with a nonzero sign vanishes, among those holding a vertex.
"""

import numpy as np
from cpython.bytes cimport PyBytes_FromStringAndSize
from libc.stdint cimport int8_t, int32_t, int64_t, uint64_t
from libc.string cimport memcpy
from libcpp.vector cimport vector

from ..errors import RegionsError

__all__ = ["descend"]


cdef inline bint _subset(const uint64_t* a, const uint64_t* b, Py_ssize_t words) noexcept:
    """Whether bit set ``a`` lies in bit set ``b``."""
    cdef Py_ssize_t w
    for w in range(words):
        if a[w] & ~b[w]:
            return False
    return True


cdef inline bint _meets(const uint64_t* a, const uint64_t* b, Py_ssize_t words) noexcept:
    """Whether bit sets ``a`` and ``b`` share a bit."""
    cdef Py_ssize_t w
    for w in range(words):
        if a[w] & b[w]:
            return True
    return False


cdef inline bint _equal(const uint64_t* a, const uint64_t* b, Py_ssize_t words) noexcept:
    cdef Py_ssize_t w
    for w in range(words):
        if a[w] != b[w]:
            return False
    return True


cdef bint _common_signs(const int8_t[:, ::1] table, const int32_t* rows, Py_ssize_t count,
                        int8_t* out) noexcept:
    """``out[j]``: the common nonzero sign of label ``j`` on ``rows`` (0 when it vanishes on
    all); False when some label takes both signs."""
    cdef Py_ssize_t width = table.shape[1], i, j
    cdef int8_t s
    for j in range(width):
        out[j] = 0
    for i in range(count):
        for j in range(width):
            s = table[rows[i], j]
            if s != 0:
                if out[j] == -s:
                    return False
                out[j] = s
    return True


def descend(const int8_t[:, ::1] table, const int32_t[::1] region_rows,
            const int64_t[::1] region_starts, const int32_t[::1] vertex_rows, int top):
    """The faces below the regions' closures, level by level.

    Parameters
    ----------
    table : (rows, L) int8, the sign table.
    region_rows, region_starts : region ``r``'s rows are
        ``region_rows[region_starts[r]:region_starts[r + 1]]``, vertices first.
    vertex_rows : (rows,) int32, 1 for a vertex's row, 0 for a ray's.
    top : the regions' dimension.

    Returns
    -------
    ``(rows (int32), starts (F + 1,) int64, signs (F, L) int8, dims (F,) int64, parents
    (E,) int64, children (E,) int64, regions (int32), region_starts (F + 1,) int64)``: every
    face, numbered as found (the regions first), its rows ``rows[starts[f]:starts[f + 1]]``,
    every edge of the Hasse diagram, from a face to a facet, in the order found, and each
    face's regions (ascending) ``regions[region_starts[f]:region_starts[f + 1]]``: those of
    the faces it is a facet of (all found before it, as every face of a level is found
    before any of the next is taken).

    Examples
    --------
    The segment [0, 1], one region; labels ``x`` and ``1 - x``, vertices 0 and 1:

    >>> import numpy as np
    >>> rows, starts, signs, dims, parents, children, regions, _ = descend(
    ...     np.array([[0, 1], [1, 0]], np.int8), np.array([0, 1], np.int32),
    ...     np.array([0, 2], np.int64), np.array([1, 1], np.int32), 1)
    >>> dims.tolist(), signs.tolist(), children.tolist(), regions.tolist()
    ([1, 0, 0], [[1, 1], [0, 1], [1, 0]], [1, 2], [0, 0, 0])
    """
    cdef Py_ssize_t width = table.shape[1], regions = region_starts.shape[0] - 1
    cdef Py_ssize_t f, g, j, i, k, count, words, candidates, kept, w
    cdef int64_t start, stop
    cdef vector[int32_t] rows
    cdef vector[int64_t] starts
    cdef vector[int8_t] signs
    cdef vector[int64_t] dims, parents, children
    cdef vector[uint64_t] cuts
    cdef vector[int32_t] facet_rows
    cdef vector[int8_t] facet_signs
    cdef vector[char] maximal
    cdef vector[Py_ssize_t] chosen
    cdef const int8_t* entry
    cdef uint64_t bit
    cdef vector[vector[int32_t]] owners
    cdef const int32_t* face
    cdef dict found = {}
    facet_signs.resize(width)

    starts.push_back(0)
    for f in range(regions):
        for i in range(region_starts[f], region_starts[f + 1]):
            rows.push_back(region_rows[i])
        starts.push_back(rows.size())
        signs.resize((f + 1) * width)
        if not _common_signs(table, &region_rows[region_starts[f]],
                             region_starts[f + 1] - region_starts[f], &signs[f * width]):
            raise RegionsError("a label changes sign across the closure of a face")
        dims.push_back(top)
        owners.push_back(vector[int32_t](1, <int32_t>f))
        found[PyBytes_FromStringAndSize(<char*>&signs[f * width], width)] = f

    f = 0
    while f < <Py_ssize_t>dims.size():
        start, stop = starts[f], starts[f + 1]
        count = stop - start
        words = (count + 63) >> 6
        # each label's zero set among the face's rows, and the rows that are vertices
        cuts.assign((width + 1) * words, 0)
        face = &rows[start]
        for i in range(count):
            entry = &table[face[i], 0]
            bit = (<uint64_t>1) << (i & 63)
            if vertex_rows[face[i]]:
                cuts[width * words + (i >> 6)] |= bit
            for j in range(width):
                if entry[j] == 0:
                    cuts[j * words + (i >> 6)] |= bit
        chosen.clear()
        for j in range(width):
            if signs[f * width + j] == 0 or not _meets(&cuts[j * words], &cuts[width * words],
                                                       words):
                continue                    # no vertex: not a face
            for k in range(<Py_ssize_t>chosen.size()):
                if _equal(&cuts[chosen[k] * words], &cuts[j * words], words):
                    break
            else:
                chosen.push_back(j)
        candidates = chosen.size()
        maximal.assign(candidates, 1)
        for i in range(candidates):
            for k in range(candidates):
                if k != i and _subset(&cuts[chosen[i] * words], &cuts[chosen[k] * words],
                                      words):
                    maximal[i] = 0
                    break
        for i in range(candidates):
            if not maximal[i]:
                continue
            facet_rows.clear()
            face = &rows[start]
            for k in range(count):
                if (cuts[chosen[i] * words + (k >> 6)] >> (k & 63)) & 1:
                    facet_rows.push_back(face[k])
            # the rows of a region's face: no label changes sign on them
            _common_signs(table, facet_rows.data(), facet_rows.size(), facet_signs.data())
            key = PyBytes_FromStringAndSize(<char*>facet_signs.data(), width)
            known = found.get(key)
            if known is None:
                g = dims.size()
                found[key] = g
                for k in range(<Py_ssize_t>facet_rows.size()):
                    rows.push_back(facet_rows[k])
                starts.push_back(rows.size())
                for k in range(width):
                    signs.push_back(facet_signs[k])
                dims.push_back(dims[f] - 1)
                owners.push_back(vector[int32_t]())
            else:
                g = known
            _merge(owners[g], owners[f])
            parents.push_back(f)
            children.push_back(g)
        f += 1

    cdef vector[int32_t] regions_flat
    cdef vector[int64_t] regions_starts
    regions_starts.push_back(0)
    for f in range(<Py_ssize_t>owners.size()):
        regions_flat.insert(regions_flat.end(), owners[f].begin(), owners[f].end())
        regions_starts.push_back(regions_flat.size())
    return (_copy(rows.data(), rows.size(), np.int32), _copy(starts.data(), starts.size(), np.int64),
            _copy(signs.data(), signs.size(), np.int8).reshape(dims.size(), width),
            _copy(dims.data(), dims.size(), np.int64),
            _copy(parents.data(), parents.size(), np.int64),
            _copy(children.data(), children.size(), np.int64),
            _copy(regions_flat.data(), regions_flat.size(), np.int32),
            _copy(regions_starts.data(), regions_starts.size(), np.int64))


cdef void _merge(vector[int32_t]& into, const vector[int32_t]& more) noexcept:
    """``into`` (ascending) joined by ``more`` (ascending), ascending, without repeats."""
    cdef vector[int32_t] joined
    cdef size_t i = 0, k = 0
    joined.reserve(into.size() + more.size())
    while i < into.size() or k < more.size():
        if k == more.size() or (i < into.size() and into[i] < more[k]):
            joined.push_back(into[i])
            i += 1
        elif i == into.size() or more[k] < into[i]:
            joined.push_back(more[k])
            k += 1
        else:
            joined.push_back(into[i])
            i += 1
            k += 1
    into.swap(joined)


cdef _copy(const void* data, Py_ssize_t count, dtype):
    """A copy of ``count`` values of ``dtype`` at ``data`` as an ndarray."""
    array = np.empty(count, dtype=dtype)
    cdef unsigned char[::1] raw = array.view(np.uint8)
    if count:
        memcpy(&raw[0], data, raw.shape[0])
    return array
