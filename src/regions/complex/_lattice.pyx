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
    """Whether bit sets ``a`` and ``b`` are equal."""
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


cdef struct Lattice:
    # the faces found so far: face f's rows rows[starts[f]:starts[f + 1]], sign vector
    # signs[f * L:(f + 1) * L], dimension dims[f] and regions owners[f] (ascending), and the
    # Hasse diagram's edges parents[e] -> children[e]
    vector[int32_t] rows
    vector[int64_t] starts
    vector[int8_t] signs
    vector[int64_t] dims, parents, children
    vector[vector[int32_t]] owners


cdef struct Scratch:
    # one face's working sets: cuts, its labels' zero sets and (last) its vertices as bit
    # sets over its rows; chosen, its candidate facets' labels, and which are maximal; one
    # facet's rows and sign vector
    vector[uint64_t] cuts
    vector[Py_ssize_t] chosen
    vector[char] maximal
    vector[int32_t] facet_rows
    vector[int8_t] facet_signs


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
    cdef Py_ssize_t f = 0
    cdef Lattice lattice
    cdef Scratch scratch
    cdef dict found = {}                    # sign vector (bytes) -> face
    scratch.facet_signs.resize(table.shape[1])
    _add_regions(table, region_rows, region_starts, top, lattice, found)
    while f < <Py_ssize_t>lattice.dims.size():
        _add_facets(table, vertex_rows, f, lattice, scratch, found)
        f += 1
    return _arrays(lattice, table.shape[1])


cdef int _add_regions(const int8_t[:, ::1] table, const int32_t[::1] region_rows,
                      const int64_t[::1] region_starts, int top, Lattice& lattice,
                      dict found) except -1:
    """The regions as the lattice's first faces, each its own region, keyed in ``found``."""
    cdef Py_ssize_t width = table.shape[1], f
    cdef vector[int8_t] signs = vector[int8_t](width)
    lattice.starts.push_back(0)
    for f in range(region_starts.shape[0] - 1):
        if not _common_signs(table, &region_rows[region_starts[f]],
                             region_starts[f + 1] - region_starts[f], signs.data()):
            raise RegionsError("a label changes sign across the closure of a face")
        _append_face(lattice, &region_rows[region_starts[f]],
                     region_starts[f + 1] - region_starts[f], signs.data(), width, top)
        lattice.owners[f].push_back(<int32_t>f)
        found[PyBytes_FromStringAndSize(<char*>&lattice.signs[f * width], width)] = f
    return 0


cdef int _add_facets(const int8_t[:, ::1] table, const int32_t[::1] vertex_rows,
                     Py_ssize_t f, Lattice& lattice, Scratch& scratch, dict found) except -1:
    """Face ``f``'s facets, each found or added, and its edges to them."""
    cdef Py_ssize_t width = table.shape[1], i
    cdef int64_t start = lattice.starts[f]
    cdef Py_ssize_t count = lattice.starts[f + 1] - start, words = (count + 63) >> 6
    _zero_sets(table, vertex_rows, &lattice.rows[start], count, words, scratch.cuts)
    _facet_labels(&lattice.signs[f * width], width, scratch.cuts.data(), words, scratch.chosen)
    _mark_maximal(scratch.cuts.data(), words, scratch.chosen, scratch.maximal)
    for i in range(<Py_ssize_t>scratch.chosen.size()):
        if scratch.maximal[i]:
            # rows may have moved: the face's rows are taken again for each facet
            _rows_in(&lattice.rows[start], count, &scratch.cuts[scratch.chosen[i] * words],
                     scratch.facet_rows)
            _add_edge(table, f, lattice, scratch, found)
    return 0


cdef void _zero_sets(const int8_t[:, ::1] table, const int32_t[::1] vertex_rows,
                     const int32_t* face, Py_ssize_t count, Py_ssize_t words,
                     vector[uint64_t]& cuts) noexcept:
    """``cuts``: each label's zero set among the face's ``count`` rows, then the rows that
    are vertices, as bit sets of ``words`` words."""
    cdef Py_ssize_t width = table.shape[1], i, j
    cdef const int8_t* entry
    cdef uint64_t bit
    cuts.assign((width + 1) * words, 0)
    for i in range(count):
        entry = &table[face[i], 0]
        bit = (<uint64_t>1) << (i & 63)
        if vertex_rows[face[i]]:
            cuts[width * words + (i >> 6)] |= bit
        for j in range(width):
            if entry[j] == 0:
                cuts[j * words + (i >> 6)] |= bit


cdef void _facet_labels(const int8_t* signs, Py_ssize_t width, const uint64_t* cuts,
                        Py_ssize_t words, vector[Py_ssize_t]& chosen) noexcept:
    """``chosen``: the labels nonzero on the face (sign vector ``signs``) whose zero sets
    hold a vertex, the first label of each distinct zero set."""
    cdef Py_ssize_t j, k
    chosen.clear()
    for j in range(width):
        if signs[j] == 0 or not _meets(&cuts[j * words], &cuts[width * words], words):
            continue                    # no vertex: not a face
        for k in range(<Py_ssize_t>chosen.size()):
            if _equal(&cuts[chosen[k] * words], &cuts[j * words], words):
                break
        else:
            chosen.push_back(j)


cdef void _mark_maximal(const uint64_t* cuts, Py_ssize_t words,
                        const vector[Py_ssize_t]& chosen, vector[char]& maximal) noexcept:
    """``maximal[i]``: whether ``chosen[i]``'s zero set lies in no other chosen one's."""
    cdef Py_ssize_t candidates = chosen.size(), i, k
    maximal.assign(candidates, 1)
    for i in range(candidates):
        for k in range(candidates):
            if k != i and _subset(&cuts[chosen[i] * words], &cuts[chosen[k] * words], words):
                maximal[i] = 0
                break


cdef void _rows_in(const int32_t* face, Py_ssize_t count, const uint64_t* cut,
                   vector[int32_t]& out) noexcept:
    """``out``: the face's rows (``count`` of them) in bit set ``cut``, in order."""
    cdef Py_ssize_t k
    out.clear()
    for k in range(count):
        if (cut[k >> 6] >> (k & 63)) & 1:
            out.push_back(face[k])


cdef int _add_edge(const int8_t[:, ::1] table, Py_ssize_t f, Lattice& lattice,
                   Scratch& scratch, dict found) except -1:
    """The facet of face ``f`` on ``scratch.facet_rows``, keyed by its sign vector (added one
    dimension below ``f`` when new), its regions joined by ``f``'s, and the edge to it."""
    cdef Py_ssize_t width = table.shape[1], g
    # the rows of a region's face: no label changes sign on them
    _common_signs(table, scratch.facet_rows.data(), scratch.facet_rows.size(),
                  scratch.facet_signs.data())
    key = PyBytes_FromStringAndSize(<char*>scratch.facet_signs.data(), width)
    known = found.get(key)
    if known is None:
        g = lattice.dims.size()
        found[key] = g
        _append_face(lattice, scratch.facet_rows.data(), scratch.facet_rows.size(),
                     scratch.facet_signs.data(), width, lattice.dims[f] - 1)
    else:
        g = known
    _merge(lattice.owners[g], lattice.owners[f])
    lattice.parents.push_back(f)
    lattice.children.push_back(g)
    return 0


cdef void _append_face(Lattice& lattice, const int32_t* rows, Py_ssize_t count,
                       const int8_t* signs, Py_ssize_t width, int64_t dim) noexcept:
    """A new face of ``count`` rows, sign vector ``signs`` and dimension ``dim``, no regions."""
    cdef Py_ssize_t k
    for k in range(count):
        lattice.rows.push_back(rows[k])
    lattice.starts.push_back(lattice.rows.size())
    for k in range(width):
        lattice.signs.push_back(signs[k])
    lattice.dims.push_back(dim)
    lattice.owners.push_back(vector[int32_t]())


cdef tuple _arrays(Lattice& lattice, Py_ssize_t width):
    """:func:`descend`'s arrays, copied from ``lattice``."""
    cdef vector[int32_t] regions_flat
    cdef vector[int64_t] regions_starts
    cdef Py_ssize_t f
    regions_starts.push_back(0)
    for f in range(<Py_ssize_t>lattice.owners.size()):
        regions_flat.insert(regions_flat.end(), lattice.owners[f].begin(),
                            lattice.owners[f].end())
        regions_starts.push_back(regions_flat.size())
    return (_copy(lattice.rows.data(), lattice.rows.size(), np.int32),
            _copy(lattice.starts.data(), lattice.starts.size(), np.int64),
            _copy(lattice.signs.data(), lattice.signs.size(), np.int8).reshape(
                lattice.dims.size(), width),
            _copy(lattice.dims.data(), lattice.dims.size(), np.int64),
            _copy(lattice.parents.data(), lattice.parents.size(), np.int64),
            _copy(lattice.children.data(), lattice.children.size(), np.int64),
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
