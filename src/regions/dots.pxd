# cython: language_level=3
"""Dot products in four partial sums, for the Cython cores (``_simplex.pyx``,
``engines/_split.pyx``): a chain of dependent additions runs at one per four cycles, four
chains fill the pipeline. Higham's rounding bound holds for any order of summation; callers
that need bit-identical results share this one order."""

from libc.math cimport fabs


cdef inline double dot4(const double* a, const double* z, Py_ssize_t n) noexcept nogil:
    """``a . z`` over ``n`` entries."""
    cdef Py_ssize_t k = 0
    cdef double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    while k + 4 <= n:
        s0 += a[k] * z[k]
        s1 += a[k + 1] * z[k + 1]
        s2 += a[k + 2] * z[k + 2]
        s3 += a[k + 3] * z[k + 3]
        k += 4
    while k < n:
        s0 += a[k] * z[k]
        k += 1
    return (s0 + s1) + (s2 + s3)


cdef inline double abs_dot4(const double* a, const double* z, Py_ssize_t n) noexcept nogil:
    """``|a| . |z|`` over ``n`` entries."""
    cdef Py_ssize_t k = 0
    cdef double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    while k + 4 <= n:
        s0 += fabs(a[k]) * fabs(z[k])
        s1 += fabs(a[k + 1]) * fabs(z[k + 1])
        s2 += fabs(a[k + 2]) * fabs(z[k + 2])
        s3 += fabs(a[k + 3]) * fabs(z[k + 3])
        k += 4
    while k < n:
        s0 += fabs(a[k]) * fabs(z[k])
        k += 1
    return (s0 + s1) + (s2 + s3)
