# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
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
cimport numpy as cnp
from libc.math cimport fabs, sqrt, INFINITY, isfinite
from libc.stdint cimport int64_t
from libc.string cimport memcpy

from ..dots cimport abs_dot4, dot4
from ..ndarrays cimport checked, indices, matrix, new_array, vector
from .compiled cimport SMALLEST_SUBNORMAL
from .rounding cimport BOUND_SAFETY, UNIT_ROUNDOFF, dmin, gamma

cnp.import_array()

__all__ = ["RowStore", "with_row", "strictly_inside", "radius_bound", "probe", "box_sides"]


cdef inline double row_dot(const double* A, Py_ssize_t dim, Py_ssize_t i, const double* z,
                           const int64_t* axis, Py_ssize_t axes) noexcept nogil:
    """``A[i] . z`` (A row-major, ``dim`` columns), one product when row ``i`` is among the
    ``axes`` leading axis rows (the same float as the whole sum: the other products are
    exact zeros for a finite ``z``)."""
    if i < axes:
        return A[i * dim + axis[i]] * z[axis[i]]
    return dot4(A + i * dim, z, dim)


cdef inline double row_abs_dot(const double* A, Py_ssize_t dim, Py_ssize_t i, const double* z,
                               const int64_t* axis, Py_ssize_t axes) noexcept nogil:
    """``|A[i]| . |z|``, as :func:`row_dot`."""
    if i < axes:
        return fabs(A[i * dim + axis[i]]) * fabs(z[axis[i]])
    return abs_dot4(A + i * dim, z, dim)


cdef inline double row_norm(const double* A, Py_ssize_t dim, Py_ssize_t i,
                            const int64_t* axis, Py_ssize_t axes) noexcept nogil:
    """``||A[i]||``, as :func:`row_dot`."""
    if i < axes:
        return sqrt(A[i * dim + axis[i]] * A[i * dim + axis[i]])
    return sqrt(dot4(A + i * dim, A + i * dim, dim))


cdef struct Rows:
    # The rows ``A z <= b`` (A (m, dim) row-major) with their error bounds ``errors`` (m,).
    const double* A
    const double* b
    const double* errors
    Py_ssize_t m
    Py_ssize_t dim


cdef Rows rows_of(object A, object b, object errors) except *:
    """The rows ``A z <= b`` with error bounds ``errors``, their shapes checked."""
    cdef Rows rows
    cdef Py_ssize_t[2] shape = [0, 0]
    rows.A = matrix(A, shape, "A")
    rows.m, rows.dim = shape[0], shape[1]
    rows.b = vector(b, rows.m, "b")
    rows.errors = vector(errors, rows.m, "errors")
    return rows


cdef const int64_t* axis_rows(object axis, Py_ssize_t m, double size,
                              Py_ssize_t* axes) except? NULL:
    """The coordinates of the leading rows to treat as axis rows, their number into
    ``axes``: ``axis``'s, or none (NULL) when the point's ``size`` (its l1 norm) is not
    finite (a zero product with an infinite or NaN entry is NaN, which the full sums keep)."""
    axes[0] = 0
    if axis is None or not isfinite(size):
        return NULL
    cdef const int64_t* coordinates = indices(axis, "axis")
    if cnp.PyArray_DIM(<cnp.ndarray>axis, 0) > m:
        raise ValueError("more axis rows than rows")
    axes[0] = cnp.PyArray_DIM(<cnp.ndarray>axis, 0)
    return coordinates if axes[0] else NULL


cdef double l1(const double* z, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t k
    cdef double s = 0.0
    for k in range(n):
        s += fabs(z[k])
    return s


cdef inline double slack_bound(const double* A, Py_ssize_t dim, const double* b,
                               const double* errors, Py_ssize_t i, const double* point,
                               double size, double g, const int64_t* axis,
                               Py_ssize_t axes) noexcept nogil:
    """The error bound of ``b[i] - A[i] . point`` (``size``: ``|point|_1``; ``g``: gamma of
    the evaluation's length; rows below ``axes``: axis rows, :func:`row_dot`), with what
    its ``dim`` products may lose to underflow, which ``gamma`` does not cover."""
    return (errors[i] * (size + 1.0)
            + g * (row_abs_dot(A, dim, i, point, axis, axes) + fabs(b[i]))
            + (dim + 1) * SMALLEST_SUBNORMAL) * BOUND_SAFETY


cdef class RowStore:
    """Rows ``A z <= b`` with their error bounds, labels and sides, and room for more: the
    pieces of one cell's split share the rows they have in common. A piece holds the first
    ``m`` rows (read-only views, :func:`with_row`) and adds its cut in place when no other
    piece has claimed row ``m`` (``top == m``); else its rows are copied into a new store.
    So the rows a piece holds are never written again, and the first part of a piece's cut
    costs one row, not a copy of all of them (64 KiB for a 64-D box's faces)."""

    cdef readonly cnp.ndarray A, b, errors, labels, sides
    cdef readonly Py_ssize_t capacity, dim
    #: Rows claimed: those of the longest piece made from this store.
    cdef public Py_ssize_t top

    def __cinit__(self, Py_ssize_t capacity, Py_ssize_t dim):
        self.capacity, self.dim, self.top = capacity, dim, 0
        self.A = new_array(2, capacity, dim, cnp.NPY_DOUBLE, False)
        self.b = new_array(1, capacity, 0, cnp.NPY_DOUBLE, False)
        self.errors = new_array(1, capacity, 0, cnp.NPY_DOUBLE, False)
        self.labels = new_array(1, capacity, 0, cnp.NPY_INT64, False)
        self.sides = new_array(1, capacity, 0, cnp.NPY_INT8, False)

    def release(self, Py_ssize_t rows):
        """Give back the row a piece of ``rows`` rows claimed last (:func:`with_row`), whose
        part no piece holds (it was found empty, or not kept)."""
        if self.top == rows + 1:
            self.top = rows

    cdef bint holds(self, object A, object b, object errors, object labels,
                    object row_sides, Py_ssize_t m):
        """Whether the ``m`` rows given are this store's first ``m``, and row ``m`` is free."""
        return (self.top == m and m < self.capacity
                and cnp.PyArray_DATA(<cnp.ndarray>A) == cnp.PyArray_DATA(self.A)
                and cnp.PyArray_DATA(<cnp.ndarray>b) == cnp.PyArray_DATA(self.b)
                and cnp.PyArray_DATA(<cnp.ndarray>errors) == cnp.PyArray_DATA(self.errors)
                and cnp.PyArray_DATA(<cnp.ndarray>labels) == cnp.PyArray_DATA(self.labels)
                and cnp.PyArray_DATA(<cnp.ndarray>row_sides) == cnp.PyArray_DATA(self.sides))


cdef cnp.ndarray first_rows(cnp.ndarray array, Py_ssize_t rows):
    """A read-only view of the first ``rows`` rows of ``array`` (C-ordered, 1-D or 2-D),
    which keeps ``array`` alive."""
    cdef cnp.npy_intp[2] dims
    dims[0] = rows
    dims[1] = cnp.PyArray_DIM(array, 1) if cnp.PyArray_NDIM(array) == 2 else 0
    view = cnp.PyArray_SimpleNewFromData(cnp.PyArray_NDIM(array), dims,
                                         cnp.PyArray_TYPE(array), cnp.PyArray_DATA(array))
    cnp.Py_INCREF(array)
    cnp.PyArray_SetBaseObject(<cnp.ndarray>view, array)
    cnp.PyArray_CLEARFLAGS(<cnp.ndarray>view, cnp.NPY_ARRAY_WRITEABLE)
    return <cnp.ndarray>view


def with_row(store, A, b, errors, labels, row_sides, a, c, e, long long label, Py_ssize_t t,
             int side, Py_ssize_t room):
    """The rows ``(A, b, errors)`` (A (m, dim), b (m,), errors (m,)), labelled ``labels``
    (m,) int64 with sides ``row_sides`` (m,) int8, and one more: side ``side`` (+1 / -1) of
    hyperplane ``a[t] . z + c[t]`` (error bound ``e[t]``), as the row ``-side a[t] . z <=
    side c[t]`` labelled ``label``. Returns ``(A, b, errors, labels, row_sides, store)``,
    (m + 1, dim) and (m + 1,) each, read-only views of the :class:`RowStore` ``store``: the
    one given when it holds the rows given and row ``m`` is free, else a new one with the
    rows copied and ``room`` rows to spare after row ``m``. ``store.release(m)`` gives row
    ``m`` back once the part is not kept.

    Examples
    --------
    >>> import numpy as np
    >>> A, b = np.array([[1.0, 0.0]]), np.array([1.0])
    >>> A, b, errors, labels, sides, store = with_row(
    ...     None, A, b, np.zeros(1), np.array([-1]), np.zeros(1, np.int8),
    ...     np.array([[0.0, 1.0]]), np.array([-0.5]), np.array([1e-16]), 7, 0, -1, 1)
    >>> A.tolist(), b.tolist(), errors.tolist(), labels.tolist(), sides.tolist()
    ([[1.0, 0.0], [0.0, 1.0]], [1.0, 0.5], [0.0, 1e-16], [-1, 7], [0, -1])

    The first part of these rows takes the spare row in place; a second part of the same
    rows gets a copy:

    >>> first = with_row(store, A, b, errors, labels, sides, np.array([[1.0, 1.0]]),
    ...                  np.zeros(1), np.zeros(1), 8, 0, 1, 0)
    >>> second = with_row(store, A, b, errors, labels, sides, np.array([[1.0, 1.0]]),
    ...                   np.zeros(1), np.zeros(1), 8, 0, -1, 0)
    >>> first[5] is store, second[5] is store, first[0][2].tolist(), second[0][2].tolist()
    (True, False, [-1.0, -1.0], [1.0, 1.0])
    """
    cdef Rows R = rows_of(A, b, errors)
    cdef Py_ssize_t[2] planes = [0, 0]
    cdef const double* a_in = matrix(a, planes, "a")
    cdef Py_ssize_t m = R.m, dim = planes[1], k
    if R.dim != dim or not 0 <= t < planes[0] or room < 0:
        raise ValueError("rows and hyperplanes of different shapes")
    cdef const double* c_in = vector(c, planes[0], "c")
    cdef const double* e_in = vector(e, planes[0], "e")
    cdef const int64_t* labels_in = indices(labels, "labels")
    cdef const signed char* sides_in = <const signed char*>cnp.PyArray_DATA(
        checked(row_sides, cnp.NPY_INT8, 1, "row_sides"))
    if (cnp.PyArray_DIM(<cnp.ndarray>labels, 0) != m
            or cnp.PyArray_DIM(<cnp.ndarray>row_sides, 0) != m):
        raise ValueError("rows, labels and sides of different lengths")
    cdef RowStore out
    if store is not None and (<RowStore?>store).dim == dim and (<RowStore>store).holds(
            A, b, errors, labels, row_sides, m):
        out = <RowStore>store
    else:
        out = RowStore(m + 1 + room, dim)
        if m:
            memcpy(cnp.PyArray_DATA(out.A), R.A, m * dim * sizeof(double))
            memcpy(cnp.PyArray_DATA(out.b), R.b, m * sizeof(double))
            memcpy(cnp.PyArray_DATA(out.errors), R.errors, m * sizeof(double))
            memcpy(cnp.PyArray_DATA(out.labels), labels_in, m * sizeof(int64_t))
            memcpy(cnp.PyArray_DATA(out.sides), sides_in, m)
    cdef double* A_out = <double*>cnp.PyArray_DATA(out.A)
    for k in range(dim):
        A_out[m * dim + k] = -side * a_in[t * dim + k]
    (<double*>cnp.PyArray_DATA(out.b))[m] = side * c_in[t]
    (<double*>cnp.PyArray_DATA(out.errors))[m] = e_in[t]
    (<int64_t*>cnp.PyArray_DATA(out.labels))[m] = label
    (<signed char*>cnp.PyArray_DATA(out.sides))[m] = side
    out.top = m + 1
    return (first_rows(out.A, m + 1), first_rows(out.b, m + 1), first_rows(out.errors, m + 1),
            first_rows(out.labels, m + 1), first_rows(out.sides, m + 1), out)


def strictly_inside(A, b, errors, point, axis=None):
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
    cdef Rows R = rows_of(A, b, errors)
    cdef Py_ssize_t dim = R.dim, i, axes
    cdef const double* z = vector(point, dim, "point")
    cdef double size = l1(z, dim), g = gamma(<int>dim + 1)
    cdef const int64_t* axis_in = axis_rows(axis, R.m, size, &axes)
    for i in range(R.m):
        if not R.b[i] - row_dot(R.A, dim, i, z, axis_in, axes) > slack_bound(
                R.A, dim, R.b, R.errors, i, z, size, g, axis_in, axes):
            return False
    return True


def radius_bound(A, b, errors, duals, double cap_dual, box_abs, double cap, axis=None):
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
    cdef Rows R = rows_of(A, b, errors)
    cdef Py_ssize_t m = R.m, dim = R.dim, i, k, axes
    cdef const double* A_in = R.A
    cdef const double* b_in = R.b
    cdef const double* errors_in = R.errors
    cdef const double* y_in = vector(duals, m, "duals")
    cdef const double* box = vector(box_abs, dim, "box_abs")
    cdef double y, norm, slack = 1.0 - cap_dual, numerator = cap_dual * cap
    cdef double weight = cap_dual * cap, residual_bound = 0.0, box_size = l1(box, dim) + 1.0
    cdef const int64_t* axis_in = axis_rows(axis, m, box_size, &axes)
    residual_arr = new_array(1, dim, 0, cnp.NPY_DOUBLE, True)
    cdef double* residual = <double*>cnp.PyArray_DATA(<cnp.ndarray>residual_arr)
    for i in range(m):
        y = y_in[i]
        if y == 0.0:
            continue
        norm = row_norm(A_in, dim, i, axis_in, axes)
        slack -= y * norm
        numerator += y * (b_in[i] + errors_in[i] * box_size)
        weight += y * (fabs(b_in[i]) + row_abs_dot(A_in, dim, i, box, axis_in, axes)
                       + norm * cap)
        if i < axes:
            residual[axis_in[i]] += y * A_in[i * dim + axis_in[i]]
        else:
            for k in range(dim):
                residual[k] += y * A_in[i * dim + k]
    if not fabs(slack) < 0.5:
        return INFINITY
    for k in range(dim):
        residual_bound += fabs(residual[k]) * box[k]
    cdef double bound = (numerator + residual_bound
                         + gamma(2 * <int>(m + dim + 4)) * weight
                         + 2 * (m + dim + 4) * SMALLEST_SUBNORMAL) * BOUND_SAFETY
    return bound / (1.0 - fabs(slack)) if bound > 0 else bound / (1.0 + fabs(slack))


def probe(a, c, e, A, b, errors, center, double radius, axis=None):
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
    cdef Rows H = rows_of(a, c, e), R = rows_of(A, b, errors)
    cdef Py_ssize_t T = H.m, m = R.m, dim = R.dim, t, i, axes
    if H.dim != dim:
        raise ValueError("rows and hyperplanes of different shapes")
    cdef const double* a_in = H.A
    cdef const double* c_in = H.b
    cdef const double* e_in = H.errors
    cdef const double* A_in = R.A
    cdef const double* b_in = R.b
    cdef const double* errors_in = R.errors
    cdef const double* z = vector(center, dim, "center")
    cdef double size = l1(z, dim), value, bound, norm
    cdef double g_sign = gamma(<int>dim + 1), g_slack = gamma(<int>dim + 2)
    signs_arr = new_array(1, T, 0, cnp.NPY_INT8, True)
    values_arr = new_array(1, T, 0, cnp.NPY_DOUBLE, False)
    slacks_arr = new_array(1, T, 0, cnp.NPY_DOUBLE, False)
    cdef signed char* signs = <signed char*>cnp.PyArray_DATA(<cnp.ndarray>signs_arr)
    cdef double* values = <double*>cnp.PyArray_DATA(<cnp.ndarray>values_arr)
    cdef double* slacks = <double*>cnp.PyArray_DATA(<cnp.ndarray>slacks_arr)
    for t in range(T):
        value = dot4(a_in + t * dim, z, dim) + c_in[t]
        values[t] = value
        bound = slack_bound(a_in, dim, c_in, e_in, t, z, size, g_sign, NULL, 0)
        signs[t] = 1 if value > bound else (-1 if value < -bound else 0)
        slacks[t] = slack_bound(a_in, dim, c_in, e_in, t, z, size, g_slack, NULL, 0)
    cdef double certified = 0.0
    cdef const int64_t* axis_in = axis_rows(axis, m, size, &axes)
    if radius > 0.0:
        certified = radius
        for i in range(m):
            norm = row_norm(A_in, dim, i, axis_in, axes) * (1.0 + 4 * UNIT_ROUNDOFF) + errors_in[i]
            value = (b_in[i] - row_dot(A_in, dim, i, z, axis_in, axes)
                     - slack_bound(A_in, dim, b_in, errors_in, i, z, size, g_slack, axis_in,
                                   axes)) / norm
            if not value > 0.0:     # (NaN too: a row whose bound overflowed certifies none)
                certified = 0.0
                break
            certified = dmin(certified, value)
    return certified, signs_arr, values_arr, slacks_arr


def box_sides(a, c, e, lower, upper, box_abs, sides):
    """Decide by interval arithmetic over the box ``[lower, upper]`` (dim,) the sides of the
    hyperplanes ``a z + c`` (a (T, dim), rows with error bounds ``e`` (T,)) that ``sides``
    (T,) int8 leaves at 0: +1 where the hyperplane's least value over the box is certified
    positive, -1 where its largest is certified negative, in place. ``box_abs`` (dim,):
    ``max(|lower|, |upper|)``.

    Examples
    --------
    >>> import numpy as np
    >>> sides = np.zeros(3, np.int8)
    >>> box_sides(np.array([[1.0], [1.0], [1.0]]), np.array([-2.0, 0.5, -0.5]), np.zeros(3),
    ...           np.zeros(1), np.ones(1), np.ones(1), sides)
    >>> sides.tolist()
    [-1, 1, 0]
    """
    cdef Rows H = rows_of(a, c, e)
    cdef Py_ssize_t T = H.m, dim = H.dim, t, k
    cdef const double* low_in = vector(lower, dim, "lower")
    cdef const double* high_in = vector(upper, dim, "upper")
    cdef const double* box = vector(box_abs, dim, "box_abs")
    cdef signed char* out = <signed char*>cnp.PyArray_DATA(
        checked(sides, cnp.NPY_INT8, 1, "sides"))
    if cnp.PyArray_DIM(<cnp.ndarray>sides, 0) != T:
        raise ValueError(f"sides: shape {sides.shape}, not ({T},)")
    cdef double g = gamma(<int>dim + 2), size = l1(box, dim) + 1.0, low, high, x, y, bound
    for t in range(T):
        if out[t] != 0:
            continue
        low = high = H.b[t]
        for k in range(dim):
            x = H.A[t * dim + k] * low_in[k]
            y = H.A[t * dim + k] * high_in[k]
            low += x if x < y else y
            high += y if x < y else x
        bound = (H.errors[t] * size + g * (abs_dot4(H.A + t * dim, box, dim) + fabs(H.b[t]))
                 + (dim + 1) * SMALLEST_SUBNORMAL)
        if low > bound * BOUND_SAFETY:
            out[t] = 1
        elif high < -bound * BOUND_SAFETY:
            out[t] = -1
