# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""The certified tests of the split engine's cuts, in one pass over a piece's rows each.

The split engine (:mod:`regions.engines.split`) cuts a piece ``A z <= b`` (rows with
error bounds, :mod:`regions.predicates`) by one hyperplane at a time, and decides each cut
from float64 values and rigorous bounds on their rounding (Higham's ``gamma_n``,
``rounding.pxd``): where its centre lies (:func:`probe`), whether an LP's ball is strictly
inside (:func:`strictly_inside`), and an upper bound on the exact inscribed radius from an
LP's duals (:func:`radius_bound`). These are the formulas of
:func:`regions.rounding.certified_signs` and of the engine's bounds, written as loops: the
bounds hold for any order of summation, and a loop makes no temporary arrays.
"""

import numpy as np
from libc.math cimport fabs, sqrt, INFINITY, isfinite
from libc.stdint cimport int64_t
from libc.string cimport memcpy

from ..dots cimport abs_dot4, dot4
from .rounding cimport BOUND_SAFETY, UNIT_ROUNDOFF, dmin, gamma

__all__ = ["with_row", "strictly_inside", "radius_bound", "probe"]


cdef double dot(const double[:, ::1] A, Py_ssize_t i, const double[::1] z) noexcept nogil:
    """``A[i] . z``."""
    return dot4(&A[i, 0], &z[0], A.shape[1])


cdef double abs_dot(const double[:, ::1] A, Py_ssize_t i, const double[::1] z) noexcept nogil:
    """``|A[i]| . |z|``."""
    return abs_dot4(&A[i, 0], &z[0], A.shape[1])


cdef double row_norm(const double[:, ::1] A, Py_ssize_t i) noexcept nogil:
    """``||A[i]||``."""
    cdef const double* a = &A[i, 0]
    return sqrt(dot4(a, a, A.shape[1]))


cdef inline double row_dot(const double[:, ::1] A, Py_ssize_t i, const double[::1] z,
                           const int64_t[::1] axis, Py_ssize_t axes) noexcept nogil:
    """``A[i] . z``, one product when row ``i`` is among the ``axes`` leading axis rows (the
    same float as :func:`dot`: the other products are exact zeros for a finite ``z``)."""
    if i < axes:
        return A[i, axis[i]] * z[axis[i]]
    return dot(A, i, z)


cdef inline double row_abs_dot(const double[:, ::1] A, Py_ssize_t i, const double[::1] z,
                               const int64_t[::1] axis, Py_ssize_t axes) noexcept nogil:
    """``|A[i]| . |z|``, as :func:`row_dot`."""
    if i < axes:
        return fabs(A[i, axis[i]]) * fabs(z[axis[i]])
    return abs_dot(A, i, z)


cdef inline double axis_row_norm(const double[:, ::1] A, Py_ssize_t i, const int64_t[::1] axis,
                                 Py_ssize_t axes) noexcept nogil:
    """``||A[i]||``, as :func:`row_dot`."""
    if i < axes:
        return sqrt(A[i, axis[i]] * A[i, axis[i]])
    return row_norm(A, i)


cdef Py_ssize_t axes_for(const int64_t[::1] axis, Py_ssize_t m, double size) except -1:
    """How many leading rows to treat as axis rows: ``len(axis)``, or 0 when the point's
    ``size`` (its l1 norm) is not finite (a zero product with an infinite or NaN entry is
    NaN, which the full sums keep)."""
    if axis is None or not isfinite(size):
        return 0
    if axis.shape[0] > m:
        raise ValueError("more axis rows than rows")
    return axis.shape[0]


cdef double l1(const double[::1] z) noexcept nogil:
    cdef Py_ssize_t k
    cdef double s = 0.0
    for k in range(z.shape[0]):
        s += fabs(z[k])
    return s


cdef double slack_bound(const double[:, ::1] A, const double[::1] b, const double[::1] errors,
                        Py_ssize_t i, const double[::1] point, double size, double g,
                        const int64_t[::1] axis, Py_ssize_t axes) noexcept nogil:
    """The error bound of ``b[i] - A[i] . point`` (``size``: ``|point|_1``; ``g``: gamma of
    the evaluation's length; rows below ``axes``: axis rows, :func:`row_dot`)."""
    return (errors[i] * (size + 1.0)
            + g * (row_abs_dot(A, i, point, axis, axes) + fabs(b[i]))) * BOUND_SAFETY


def with_row(const double[:, ::1] A, const double[::1] b, const double[::1] errors,
             const double[:, ::1] a, const double[::1] c, const double[::1] e, Py_ssize_t t,
             int side):
    """The rows ``(A, b, errors)`` (A (m, dim), b (m,), errors (m,)) and one more: side
    ``side`` (+1 / -1) of hyperplane ``a[t] . z + c[t]`` (error bound ``e[t]``), as the row
    ``-side a[t] . z <= side c[t]``. Returns new arrays (m + 1, dim), (m + 1,), (m + 1,).

    Examples
    --------
    >>> import numpy as np
    >>> A, b = np.array([[1.0, 0.0]]), np.array([1.0])
    >>> A, b, errors = with_row(A, b, np.zeros(1), np.array([[0.0, 1.0]]), np.array([-0.5]),
    ...                         np.array([1e-16]), 0, -1)
    >>> A.tolist(), b.tolist(), errors.tolist()
    ([[1.0, 0.0], [0.0, 1.0]], [1.0, 0.5], [0.0, 1e-16])
    """
    cdef Py_ssize_t m = A.shape[0], dim = a.shape[1], k
    if A.shape[1] != dim or b.shape[0] != m or errors.shape[0] != m or not 0 <= t < a.shape[0]:
        raise ValueError("rows and hyperplanes of different shapes")
    A_arr, b_arr, e_arr = np.empty((m + 1, dim)), np.empty(m + 1), np.empty(m + 1)
    cdef double[:, ::1] A_out = A_arr
    cdef double[::1] b_out = b_arr, e_out = e_arr
    if m:
        memcpy(&A_out[0, 0], &A[0, 0], m * dim * sizeof(double))
        memcpy(&b_out[0], &b[0], m * sizeof(double))
        memcpy(&e_out[0], &errors[0], m * sizeof(double))
    for k in range(dim):
        A_out[m, k] = -side * a[t, k]
    b_out[m] = side * c[t]
    e_out[m] = e[t]
    return A_arr, b_arr, e_arr


def strictly_inside(const double[:, ::1] A, const double[::1] b, const double[::1] errors,
                    const double[::1] point, const int64_t[::1] axis=None):
    """Whether float64 certifies that ``point`` (dim,) satisfies every row of ``A z <= b``
    (A (m, dim), b (m,), rows with error bounds ``errors`` (m,)) strictly: the bound of
    :func:`regions.rounding.strict_slack`. False for a point with a NaN. ``axis``: the
    coordinates of leading rows that are axis rows (``regions._simplex.leading_axes``; the same
    answer, from one product per such row).

    Examples
    --------
    >>> import numpy as np
    >>> A, b = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([1.0, 1.0])
    >>> strictly_inside(A, b, np.zeros(2), np.array([0.5, 0.5]))
    True
    >>> strictly_inside(A, b, np.zeros(2), np.array([0.5, 1.0]))     # on a face
    False
    >>> from regions._simplex import leading_axes
    >>> strictly_inside(A, b, np.zeros(2), np.array([0.5, 1.0]), leading_axes(A))
    False
    """
    cdef Py_ssize_t m = A.shape[0], i
    cdef double size = l1(point), g = gamma(<int>A.shape[1] + 1)
    cdef Py_ssize_t axes = axes_for(axis, m, size)
    for i in range(m):
        if not b[i] - row_dot(A, i, point, axis, axes) > slack_bound(A, b, errors, i, point,
                                                                    size, g, axis, axes):
            return False
    return True


def radius_bound(const double[:, ::1] A, const double[::1] b, const double[::1] errors,
                 const double[::1] duals, double cap_dual, const double[::1] box_abs,
                 double cap, const int64_t[::1] axis=None):
    """A rigorous upper bound on the exact Chebyshev radius (capped at ``cap``) of
    ``A z <= b`` (A (m, dim), b (m,), rows with error bounds ``errors`` (m,)) inside the
    box whose coordinates are at most ``box_abs`` (dim,) in absolute value, from any
    multipliers ``duals`` (m,) >= 0 and ``cap_dual`` >= 0 (an LP's, which make it tight):
    Neumaier and Shcherbina's safe bound, ``inf`` when the multipliers are too far from
    dual feasible to bound anything. ``axis``: as in :func:`strictly_inside`.

    Examples
    --------
    The interval ``[0, 1]`` has radius 1/2, and its two faces' multipliers 1/2 prove it:

    >>> import numpy as np
    >>> A, b = np.array([[1.0], [-1.0]]), np.array([1.0, 0.0])
    >>> bound = radius_bound(A, b, np.zeros(2), np.array([0.5, 0.5]), 0.0, np.ones(1), 10.0)
    >>> 0.5 <= bound < 0.5 + 1e-5
    True
    """
    cdef Py_ssize_t m = A.shape[0], dim = A.shape[1], i, k
    cdef double y, norm, slack = 1.0 - cap_dual, numerator = cap_dual * cap
    cdef double weight = cap_dual * cap, residual_bound = 0.0, box_size = l1(box_abs) + 1.0
    cdef Py_ssize_t axes = axes_for(axis, m, box_size)
    residual_arr = np.zeros(dim)
    cdef double[::1] residual = residual_arr
    for i in range(m):
        y = duals[i]
        if y == 0.0:
            continue
        norm = axis_row_norm(A, i, axis, axes)
        slack -= y * norm
        numerator += y * (b[i] + errors[i] * box_size)
        weight += y * (fabs(b[i]) + row_abs_dot(A, i, box_abs, axis, axes) + norm * cap)
        if i < axes:
            residual[axis[i]] += y * A[i, axis[i]]
        else:
            for k in range(dim):
                residual[k] += y * A[i, k]
    if not fabs(slack) < 0.5:
        return INFINITY
    for k in range(dim):
        residual_bound += fabs(residual[k]) * box_abs[k]
    cdef double bound = (numerator + residual_bound
                         + gamma(2 * <int>(m + dim + 4)) * weight) * BOUND_SAFETY
    return bound / (1.0 - fabs(slack)) if bound > 0 else bound / (1.0 + fabs(slack))


def probe(const double[:, ::1] a, const double[::1] c, const double[::1] e,
          const double[:, ::1] A, const double[::1] b, const double[::1] errors,
          const double[::1] center, double radius, const int64_t[::1] axis=None):
    """What a piece's centre tells about a layer's hyperplanes ``a z + c`` (a (T, dim),
    rows with error bounds ``e`` (T,)): ``(certified radius, signs (T,) int8, values (T,),
    slacks (T,))``. The certified radius is that of a ball around ``center`` (dim,) inside
    the exact piece ``A z <= b`` (rows with error bounds ``errors``), at most ``radius``
    (0 when none is certified); per hyperplane, the sign at the centre where certified (0:
    undecided), the float value there, and the value's error bound. ``axis``: the leading
    axis rows of ``A``, as in :func:`strictly_inside`.

    Examples
    --------
    The centre of the square ``[-1, 1]^2`` (radius 1) against ``x - 1/2`` and ``y``:

    >>> import numpy as np
    >>> A = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    >>> a, c = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([-0.5, 0.0])
    >>> radius, signs, values, slacks = probe(a, c, np.zeros(2), A, np.ones(4), np.zeros(4),
    ...                                       np.zeros(2), 1.0)
    >>> 1.0 - 1e-12 < radius <= 1.0, signs.tolist(), values.tolist()
    (True, [-1, 0], [-0.5, 0.0])
    """
    cdef Py_ssize_t T = a.shape[0], m = A.shape[0], dim = A.shape[1], t, i
    cdef double size = l1(center), value, bound, norm
    cdef double g_sign = gamma(<int>dim + 1), g_slack = gamma(<int>dim + 2)
    signs_arr = np.zeros(T, np.int8)
    values_arr = np.empty(T)
    slacks_arr = np.empty(T)
    cdef signed char[::1] signs = signs_arr
    cdef double[::1] values = values_arr, slacks = slacks_arr
    for t in range(T):
        value = dot(a, t, center) + c[t]
        values[t] = value
        bound = slack_bound(a, c, e, t, center, size, g_sign, axis, 0)
        signs[t] = 1 if value > bound else (-1 if value < -bound else 0)
        slacks[t] = slack_bound(a, c, e, t, center, size, g_slack, axis, 0)
    cdef double certified = 0.0
    cdef Py_ssize_t axes = axes_for(axis, m, size)
    if radius > 0.0:
        certified = radius
        for i in range(m):
            norm = axis_row_norm(A, i, axis, axes) * (1.0 + 4 * UNIT_ROUNDOFF) + errors[i]
            value = (b[i] - row_dot(A, i, center, axis, axes)
                     - slack_bound(A, b, errors, i, center, size, g_slack, axis, axes)) / norm
            certified = dmin(certified, value)
        if not certified > 0.0:
            certified = 0.0
    return certified, signs_arr, values_arr, slacks_arr
