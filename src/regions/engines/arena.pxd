# cython: language_level=3
"""Growable byte buffers for the vertex engine: its stack, work space and results live in
these arenas, so millions of cells and regions cost no Python object each."""

from libc.stdint cimport uint64_t
from libc.stdlib cimport free, realloc


cdef struct Buffer:
    char* data
    size_t used
    size_t cap


cdef inline int reserve(Buffer* buf, size_t extra) except -1:
    """Make room for ``extra`` more bytes (may move ``buf.data``)."""
    cdef size_t cap
    cdef char* grown
    if buf.used + extra <= buf.cap:
        return 0
    cap = buf.cap * 2
    if cap < buf.used + extra:
        cap = buf.used + extra
    if cap < 4096:
        cap = 4096
    grown = <char*>realloc(buf.data, cap)
    if grown == NULL:
        raise MemoryError("vertex engine: out of memory")
    buf.data = grown
    buf.cap = cap
    return 0


cdef inline void release(Buffer* buf) noexcept:
    free(buf.data)
    buf.data = NULL
    buf.used = buf.cap = 0


cdef inline size_t pad8(size_t n) noexcept nogil:
    return (n + 7) & ~(<size_t>7)


cdef inline void copy_doubles(double* target, const double* source, int n) noexcept nogil:
    """``memcpy`` of ``n`` doubles, inline: for the short rows (``dim + 1`` entries) copied
    per generator and per row, where a library call costs more than the copy."""
    cdef int k
    for k in range(n):
        target[k] = source[k]


cdef inline void copy_words(uint64_t* target, const uint64_t* source, int n,
                            int zeros) noexcept nogil:
    """``n`` words of ``source``, then ``zeros`` zero words, inline (as ``copy_doubles``)."""
    cdef int k
    for k in range(n):
        target[k] = source[k]
    for k in range(n, n + zeros):
        target[k] = 0
