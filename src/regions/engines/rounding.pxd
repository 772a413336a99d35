# cython: language_level=3
"""Rounding error bounds of float64 evaluations, for the certified signs of the vertex engine
(the C side of :mod:`regions.predicates`, same constants and the same bounds)."""

from libc.math cimport INFINITY, fabs, sqrt

from .compiled cimport BOUND_SAFETY, UNIT_ROUNDOFF


cdef inline double dmax(double a, double b) noexcept nogil:
    """The larger of two doubles (inlined; libm's ``fmax`` is a call); ``b`` when either is
    NaN, so a NaN first argument is dropped."""
    return a if a > b else b


cdef inline double bound_max(double a, double b) noexcept nogil:
    """The larger of two error bounds, infinite when ``b`` is NaN (which a later ``dmax``
    would drop): a bound that is not a number bounds nothing."""
    return INFINITY if b != b else (a if a > b else b)


cdef inline double largest_entry(const double* v, int n) noexcept nogil:
    """The largest ``|v_k|`` of ``v`` (n,), a size that bounds: inf when an entry is NaN."""
    cdef int k
    cdef double s = 0.0
    for k in range(n):
        s = bound_max(s, fabs(v[k]))
    return s


cdef inline double dmin(double a, double b) noexcept nogil:
    return a if a < b else b


cdef inline double scaled_norm(const double* v, int n) noexcept nogil:
    """The 2-norm of ``v`` (n,); when its largest entry is beyond 1e-140 .. 1e140, of the
    vector scaled by that entry, so that no square underflows or overflows: positive
    whenever an entry is (a sum of squares of entries below 1e-162 is 0), 0 for a zero
    vector, NaN or inf where an entry is."""
    cdef int k
    cdef double size = 0.0, sum = 0.0, t
    for k in range(n):
        t = fabs(v[k])
        if t != t:
            return t
        size = dmax(size, t)
        sum += v[k] * v[k]
    if 1e-140 < size < 1e140:
        # no square overflows, and those that underflow weigh below 1e-40 of the sum
        return sqrt(sum)
    if size == 0.0 or size == INFINITY:
        return size
    sum = 0.0
    for k in range(n):
        t = v[k] / size
        sum += t * t
    return size * sqrt(sum)


cdef inline double gamma(int n) noexcept nogil:
    """Higham's ``gamma_n = n u / (1 - n u)``, padded (``regions.rounding.gamma``)."""
    cdef double nu = n * UNIT_ROUNDOFF
    return nu / (1.0 - nu) * BOUND_SAFETY


cdef inline int certify(double value, double bound) noexcept nogil:
    """+1 / -1 when ``value`` is farther from zero than ``bound``, else 0 (undecided).
    Without branches: which side a hyperplane passes a cell on is as good as random."""
    return <int>(value > bound) - <int>(value < -bound)
