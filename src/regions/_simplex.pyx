# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""A dense dual simplex for the inscribed-ball LP, warm-started from a dual feasible basis.

The LP is ``max r`` over ``x = (z, r)`` subject to ``a_i . z + |a_i| r <= b_i`` (the rows of
``A z <= b``) and ``r <= cap`` (the *cap row*, index -1 in a basis). A basis is ``dim + 1``
row indices whose rows are linearly independent; it is dual feasible when the multipliers
``y`` with ``sum_k y_k row_{B_k} = e_r`` are non-negative. Appending a row to a polyhedron
keeps every basis of it dual feasible, so the optimal basis of a cell is a start for its
children's LPs: adding one cut takes one to three pivots in a few dimensions, about 20 on
the cells of a 64-dimensional box (whose balls touch many faces at once). The entering row
is priced by Devex weights, which take a quarter fewer pivots there than the largest
relative violation (a part proved empty, three times fewer).

Everything here is a proposal: the caller certifies any answer it uses
(:mod:`regions.rounding`, the engines' radius bounds), and falls back to HiGHS when this
returns None (a singular or dual infeasible basis, an iteration limit, a dual ray).
"""

import numpy as np
cimport numpy as cnp
from libc.math cimport INFINITY, fabs, sqrt
from libc.stdint cimport int64_t
from libc.string cimport memcpy
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from scipy.linalg.cython_blas cimport dgemv

from regions import tolerances

from .dots cimport dot4
from .ndarrays cimport indices, matrix, new_array, vector

cnp.import_array()

# Read from regions.tolerances (their meanings are there).
cdef double SIMPLEX_SINGULAR_PIVOT = tolerances.SIMPLEX_SINGULAR_PIVOT
cdef double SIMPLEX_FEASIBILITY = tolerances.SIMPLEX_FEASIBILITY
cdef double SIMPLEX_DUAL_TOLERANCE = tolerances.SIMPLEX_DUAL_TOLERANCE


cdef inline void basis_row(const double* A, const double* norms, Py_ssize_t dim,
                           Py_ssize_t i, double* out) noexcept nogil:
    """Row ``i`` of the LP (``i = -1``: the cap row) into ``out`` (dim + 1,); ``A`` (m, dim)
    row-major."""
    cdef Py_ssize_t k
    if i < 0:
        for k in range(dim):
            out[k] = 0.0
        out[dim] = 1.0
        return
    for k in range(dim):
        out[k] = A[i * dim + k]
    out[dim] = norms[i]


cdef int invert(double* M, double* inverse, Py_ssize_t n) noexcept nogil:
    """``inverse`` of ``M`` (n, n), both row-major, by Gauss-Jordan elimination with partial
    pivoting (``M`` is overwritten); 0 when a pivot is below ``SIMPLEX_SINGULAR_PIVOT``."""
    cdef Py_ssize_t i, j, k, best
    cdef double f, pivot
    for i in range(n):
        for j in range(n):
            inverse[i * n + j] = 1.0 if i == j else 0.0
    for k in range(n):
        best = k
        for i in range(k + 1, n):
            if fabs(M[i * n + k]) > fabs(M[best * n + k]):
                best = i
        if fabs(M[best * n + k]) < SIMPLEX_SINGULAR_PIVOT:
            return 0
        if best != k:
            for j in range(n):
                f = M[k * n + j]; M[k * n + j] = M[best * n + j]; M[best * n + j] = f
                f = inverse[k * n + j]; inverse[k * n + j] = inverse[best * n + j]
                inverse[best * n + j] = f
        pivot = M[k * n + k]
        for j in range(n):
            M[k * n + j] /= pivot
            inverse[k * n + j] /= pivot
        for i in range(n):
            if i != k and M[i * n + k] != 0.0:
                f = M[i * n + k]
                for j in range(n):
                    M[i * n + j] -= f * M[k * n + j]
                    inverse[i * n + j] -= f * inverse[k * n + j]
    return 1


cdef inline double rhs(const double* b, double cap, Py_ssize_t i) noexcept nogil:
    return cap if i < 0 else b[i]


cdef bint tight(const double* A, const double* norms, const double* b, double cap,
               const int64_t* basis, Py_ssize_t dim, const double* x, const int64_t* axis,
               const double* coef, Py_ssize_t axes) noexcept nogil:
    """Whether every row of ``basis`` (dim + 1,) holds with equality at ``x`` up to
    ``SIMPLEX_FEASIBILITY`` (a kept basis inverse has not drifted); the ``axes`` leading
    rows are axis rows, whose coordinates ``axis`` and entries there ``coef`` (axes,) hold."""
    cdef Py_ssize_t k, j, i
    cdef double s
    for k in range(dim + 1):
        i = basis[k]
        if i < 0:
            s = x[dim] - cap
        elif i < axes:
            s = norms[i] * x[dim] - b[i] + coef[i] * x[axis[i]]
        else:
            s = norms[i] * x[dim] - b[i]
            for j in range(dim):
                s += A[i * dim + j] * x[j]
        if fabs(s) > SIMPLEX_FEASIBILITY * (1.0 + fabs(rhs(b, cap, i))):
            return False
    return True


def chebyshev_dual(A, b, double cap, start, start_inverse=None, double stop_below=-np.inf,
                   int max_pivots=-1, axis=None):
    """The inscribed-ball LP of ``A z <= b`` (A (m, dim), b (m,)), radius capped at ``cap``,
    by dual simplex pivots from the dual feasible basis ``start`` (dim + 1,) of row indices
    (-1: the cap row), whose matrix's inverse ``start_inverse`` (dim + 1, dim + 1) is known
    (None: computed here; one kept over many pivots is refreshed when its optimal vertex
    does not fit its own rows). Only the inverse's *kept* rows are read and returned: those
    of the radius and of the coordinates no face row of the basis pins (a face row
    ``c z_j + |c| r <= b_f`` among the leading axis rows fixes ``z_j``, and row ``j`` of the
    inverse follows from the radius's row, :func:`pinned_entry`); the other rows of the
    returned inverse hold 0 or stale values. Of the 65 rows on a 64-D box's cells, about 7
    are kept.

    Returns ``(center (dim,), radius, duals (m,), cap_dual, basis (dim + 1,), inverse)`` at
    an optimal basis, or at the first basis whose radius (an upper bound on the optimum, as
    every dual feasible basis gives) is below ``stop_below``: there the polyhedron is
    empty, and the duals say why. None when the start is singular or not dual feasible,
    the LP needs more than ``max_pivots`` pivots (default ``6 dim + 38``), or its dual has
    a ray (the LP has no feasible point, which the inscribed-ball LP always has: numerical
    trouble). ``axis``: the coordinates of the leading rows of ``A`` with one nonzero entry
    (:func:`leading_axes`), when the caller knows them (None: found
    here, one scan of those rows per LP)."""
    cdef Py_ssize_t[2] shape = [0, 0]
    cdef const double* A_ptr = matrix(A, shape, "A")
    cdef Py_ssize_t m = shape[0], dim = shape[1], n = dim + 1
    cdef const int64_t* axis_ptr = NULL
    cdef Py_ssize_t given_axes = -1
    if axis is not None:
        axis_ptr = indices(axis, "axis")
        given_axes = cnp.PyArray_DIM(<cnp.ndarray>axis, 0)
    if given_axes > m:
        return None
    cdef const int64_t* start_ptr = indices(start, "start")
    if cnp.PyArray_DIM(<cnp.ndarray>start, 0) != n:
        return None
    cdef const double* b_ptr = vector(b, -1, "b")
    if cnp.PyArray_DIM(<cnp.ndarray>b, 0) != m:
        return None
    if max_pivots < 0:
        max_pivots = 6 * n + 32     # parts of 64-D boxes proved empty take up to 280
    basis_arr = new_array(1, n, 0, cnp.NPY_INT64, False)
    # the rows it does not keep: 0, not whatever was there
    inverse_arr = new_array(2, n, n, cnp.NPY_DOUBLE, True)
    cdef const double* given = NULL
    cdef Py_ssize_t[2] given_shape = [0, 0]
    if start_inverse is None:
        M_arr = new_array(2, n, n, cnp.NPY_DOUBLE, False)
    else:
        M_arr = None
        start_inverse = np.ascontiguousarray(start_inverse, dtype=np.float64)
        given = matrix(start_inverse, given_shape, "start_inverse")
        if given_shape[0] != n or given_shape[1] != n:
            return None
    # scratch: norms (m), values = A @ z (m), the leading axis rows' nonzero entries (m),
    # per row (m + 1, index m: the cap row) the violation that makes it enter (inf: in the
    # basis), the weight of its violation and its Devex weight; A @ column (m); the axis
    # rows' 1 / entry and |entry| / entry (m each); then x, w, column, the basis rows' b,
    # one LP row, the ratio test's ratios (n each); and (ints) the axis rows' coordinates
    # (m), the pinned coordinates' basis positions (n)
    cdef double* work = <double*>PyMem_Malloc((9 * m + 3 + 6 * n) * sizeof(double))
    cdef int64_t* ints = <int64_t*>PyMem_Malloc((m + n) * sizeof(int64_t))
    cdef double* inverse = <double*>cnp.PyArray_DATA(<cnp.ndarray>inverse_arr)
    cdef int64_t* basis = <int64_t*>cnp.PyArray_DATA(<cnp.ndarray>basis_arr)
    memcpy(basis, start_ptr, n * sizeof(int64_t))
    cdef double* M = NULL
    if M_arr is not None:
        M = <double*>cnp.PyArray_DATA(<cnp.ndarray>M_arr)
    if given_axes <= 0:
        axis_ptr = NULL
    cdef int found
    cdef double* duals
    cdef double* center
    cdef double cap_dual = 0.0, y, radius
    cdef double* x
    cdef Py_ssize_t k
    if work == NULL or ints == NULL:
        PyMem_Free(work)
        PyMem_Free(ints)
        raise MemoryError()
    try:
        found = dual_pivots(A_ptr, b_ptr, m, dim, cap, basis, given, inverse, M, work,
                            stop_below, max_pivots, axis_ptr, given_axes, ints, ints + m)
        if found == 0:
            return None
        if found == 2:        # a kept inverse had drifted: start again with a computed one
            return chebyshev_dual(A, b, cap, start, None, stop_below, max_pivots, axis)
        duals_arr = new_array(1, m, 0, cnp.NPY_DOUBLE, True)
        duals = <double*>cnp.PyArray_DATA(<cnp.ndarray>duals_arr)
        for k in range(n):
            y = inverse[(n - 1) * n + k]
            if y < -SIMPLEX_DUAL_TOLERANCE * 1e3:
                return None
            if basis[k] < 0:
                cap_dual = max(y, 0.0)
            else:
                duals[basis[k]] = max(y, 0.0)
        center_arr = new_array(1, dim, 0, cnp.NPY_DOUBLE, False)
        center = <double*>cnp.PyArray_DATA(<cnp.ndarray>center_arr)
        x = work + 9 * m + 3
        for k in range(dim):
            center[k] = x[k]
        radius = x[dim]
    finally:
        PyMem_Free(work)
        PyMem_Free(ints)
    return center_arr, radius, duals_arr, cap_dual, basis_arr, inverse_arr


cdef inline Py_ssize_t axis_of(const double* a, Py_ssize_t dim) noexcept nogil:
    """The one coordinate where the row ``a`` (dim,) is nonzero; -1 when it is not one."""
    cdef Py_ssize_t j = 0, k
    while j < dim and a[j] == 0.0:
        j += 1
    if j == dim:
        return -1
    for k in range(j + 1, dim):
        if a[k] != 0.0:
            return -1
    return j


def leading_axes(const double[:, ::1] A):
    """The coordinate of each leading row of ``A`` (m, dim) with exactly one nonzero entry
    (a box face), up to the first row that has not (int64, at most m): the ``axis``
    argument of :func:`chebyshev_dual` and of ``regions.engines._split``'s certified tests
    for any rows that begin with these.

    Examples
    --------
    >>> import numpy as np
    >>> leading_axes(np.array([[0.0, 2.0], [-1.0, 0.0], [1.0, 1.0], [1.0, 0.0]])).tolist()
    [1, 0]
    """
    cdef Py_ssize_t m = A.shape[0], dim = A.shape[1], i = 0, j
    out = np.empty(m, np.int64)
    while i < m:
        j = axis_of(&A[i, 0], dim)
        if j < 0:
            break
        out[i] = j
        i += 1
    return out[:i]


cdef void update_devex(const double* A, const double* norms, const int64_t* axis,
                       const double* coef, Py_ssize_t axes, Py_ssize_t m, Py_ssize_t dim,
                       const int64_t* basis, const double* column, double best_w,
                       Py_ssize_t enter, Py_ssize_t leave, double* devex,
                       double* alpha) noexcept:
    """The Devex weights (Harris's estimates, in Forrest and Goldfarb's dual form, of the dual
    steepest edge norms ``1 + |inverse^T row_i|^2``) after the pivot of row ``enter`` into
    basis position ``leave``, whose pivot entry is ``best_w``; ``column`` (n,) is column
    ``leave`` of the inverse before the pivot, ``alpha`` (m,) scratch. A row's weight grows
    to ``theta_i^2`` times the entering row's, ``theta_i = (inverse^T row_i)_leave /
    best_w``; the leaving row's is the entering row's over ``best_w^2``, at least 1."""
    cdef Py_ssize_t i, q = m if enter < 0 else enter
    cdef double theta, scale = devex[q] / (best_w * best_w), radius_entry = column[dim]
    cdef int blas_dim = <int>dim, blas_rest = <int>(m - axes), one_step = 1
    cdef double one = 1.0, zero = 0.0
    cdef char transpose = b'T'
    if blas_rest > 0:
        dgemv(&transpose, &blas_dim, &blas_rest, &one, <double*>A + axes * dim, &blas_dim,
              column, &one_step, &zero, alpha + axes, &one_step)
    for i in range(axes):
        alpha[i] = coef[i] * column[axis[i]]
    # basis rows' weights are updated too (branch-free): they are reset when they leave
    for i in range(m):
        theta = alpha[i] + norms[i] * radius_entry
        devex[i] = max(devex[i], theta * theta * scale)
    devex[m] = max(devex[m], radius_entry * radius_entry * scale)
    i = basis[leave]
    devex[m if i < 0 else i] = max(scale, 1.0)


cdef inline double pinned_entry(const double* inverse, const double* recip,
                                const double* slope, const int64_t* basis, Py_ssize_t n,
                                Py_ssize_t p, Py_ssize_t k) noexcept nogil:
    """Entry ``k`` of row ``j`` of the inverse (n, n) when the face row ``c z_j + |c| r <=
    b_f`` is in the basis at position ``p``: that row of the basis matrix times the inverse
    is ``e_p``, so row ``j`` is ``(e_p - |c| (row n - 1)) / c``; ``recip`` (axes,) holds the
    faces' ``1 / c``, ``slope`` (axes,) their ``|c| / c``."""
    cdef Py_ssize_t f = basis[p]
    return (recip[f] if k == p else 0.0) - slope[f] * inverse[(n - 1) * n + k]


cdef void rebuild_pinned(double* inverse, const double* recip, const double* slope,
                         const int64_t* basis, const int64_t* pin, Py_ssize_t n,
                         Py_ssize_t j) noexcept nogil:
    """Row ``j`` of the inverse (n, n) from row ``n - 1``, ``j`` pinned by the face at basis
    position ``pin[j]`` (:func:`pinned_entry`)."""
    cdef Py_ssize_t k, p = pin[j], f = basis[p]
    cdef double g = slope[f]
    for k in range(n):
        inverse[j * n + k] = -g * inverse[(n - 1) * n + k]
    inverse[j * n + p] += recip[f]


cdef int dual_pivots(const double* A, const double* b, Py_ssize_t m, Py_ssize_t dim, double cap,
                     int64_t* basis, const double* given, double* inverse, double* M,
                     double* work, double stop_below, int max_pivots, const int64_t* given_axis,
                     Py_ssize_t given_axes, int64_t* axis, int64_t* pin) noexcept:
    """The pivots of :func:`chebyshev_dual` from ``basis`` (dim + 1,) and its ``inverse``
    (n, n), kept from earlier pivots, or computed here from the basis rows when ``M`` (n, n
    scratch) is given; the leading axis rows ``given_axis`` (``given_axes`` of them; -1:
    found here), whose coordinates go to ``axis`` (at least m,) and their nonzero entries
    to ``work``'s third block, so the pricing reads neither from ``A``. ``pin`` (n,
    scratch): per coordinate ``j`` the basis position of a face row of ``j`` (-1: none, and
    always at ``dim``); row ``j`` of the inverse then follows from row ``dim``
    (:func:`pinned_entry`), so only the kept rows (the others: as many as the basis has
    rows that are not faces of distinct coordinates) are copied from ``given`` (n, n) and
    updated along the pivots. On return the final basis, the kept rows of its inverse, and
    in ``work`` (see the caller's layout) its vertex ``x``. Returns 1 at an optimal (or
    stopped) basis, 2 when the kept inverse does not fit its own rows there, 0 on
    failure."""
    cdef Py_ssize_t n = dim + 1, i, j, k, l, leave, enter, axes = 0
    cdef double s, worst, violation, ratio, best_ratio, best_w, r, step, norm
    cdef int pivots = 0
    cdef bint fresh = True
    cdef double* norms = work
    cdef double* values = work + m
    cdef double* coef = work + 2 * m
    cdef double* entering = work + 3 * m            # in the basis: inf
    cdef double* weight = work + 4 * m + 1
    cdef double* devex = work + 5 * m + 2
    cdef double* alpha = work + 6 * m + 3
    cdef double* recip = work + 7 * m + 3
    cdef double* slope = work + 8 * m + 3
    cdef double* x = work + 9 * m + 3
    cdef double* w = x + n
    cdef double* column = w + n
    cdef double* basis_rhs = column + n
    cdef double* row = basis_rhs + n
    cdef double* ratios = row + n
    cdef int blas_dim = <int>dim, blas_rest, one_step = 1
    cdef double one = 1.0, zero = 0.0
    cdef char transpose = b'T'
    while axes < m:                 # the leading axis rows: a norm is one entry's size
        j = axis_of(A + axes * dim, dim) if given_axes < 0 else (
            given_axis[axes] if axes < given_axes else -1)
        if j < 0:
            break
        axis[axes] = j
        coef[axes] = A[axes * dim + j]
        norms[axes] = sqrt(coef[axes] * coef[axes])   # = dot4's, exactly
        recip[axes] = 1.0 / coef[axes]
        slope[axes] = norms[axes] / coef[axes]
        axes += 1
    for i in range(axes, m):
        norms[i] = sqrt(dot4(A + i * dim, A + i * dim, dim))
    for i in range(-1, m):          # violations are measured relative to 1 + |b_i|
        r = 1.0 + fabs(rhs(b, cap, i))
        entering[m if i < 0 else i] = SIMPLEX_FEASIBILITY * r
        weight[m if i < 0 else i] = 1.0 / r
        devex[m if i < 0 else i] = 1.0         # the reference framework: this start
    for k in range(n):
        i = basis[k]
        if i < -1 or i >= m or entering[m if i < 0 else i] == INFINITY:
            return 0
        entering[m if i < 0 else i] = INFINITY
        basis_rhs[k] = rhs(b, cap, i)
    for j in range(n):
        pin[j] = -1
    for k in range(n):
        i = basis[k]
        if 0 <= i < axes and pin[axis[i]] < 0:
            pin[axis[i]] = k
    if M != NULL:
        for k in range(n):
            basis_row(A, norms, dim, basis[k], M + k * n)
        if not invert(M, inverse, n):
            return 0
    else:                           # the kept rows of the given inverse
        for j in range(n):
            if pin[j] < 0:
                memcpy(inverse + j * n, given + j * n, n * sizeof(double))
    # the multipliers are row n - 1 of the inverse: y = inverse^T e_r
    for k in range(n):
        if inverse[(n - 1) * n + k] < -SIMPLEX_DUAL_TOLERANCE:
            return 0
    blas_rest = <int>(m - axes)
    # BLAS reads the row-major A (m, dim) as A^T
    while True:
        # A @ z (updated along the pivots): the first rows of a box's cells are its faces,
        # one coordinate each
        if fresh:
            x[dim] = dot4(inverse + dim * n, basis_rhs, n)     # x = inverse @ b_B
            for j in range(dim):
                if pin[j] < 0:
                    x[j] = dot4(inverse + j * n, basis_rhs, n)
                else:                           # its face fixes z_j
                    i = basis[pin[j]]
                    x[j] = b[i] * recip[i] - slope[i] * x[dim]
            if blas_rest > 0:
                dgemv(&transpose, &blas_dim, &blas_rest, &one, <double*>A + axes * dim,
                      &blas_dim, x, &one_step, &zero, values + axes, &one_step)
        enter, worst, violation, r = -2, 0.0, 0.0, x[dim]
        # the entering row: the largest squared relative violation over its Devex weight
        if r >= stop_below:
            s = r - cap
            if s > entering[m]:
                enter, worst, violation = -1, s * weight[m] * s * weight[m] / devex[m], s
            for i in range(axes):
                s = coef[i] * x[axis[i]] + norms[i] * r - b[i]
                if s > entering[i] and s * weight[i] * s * weight[i] > worst * devex[i]:
                    enter, worst, violation = i, s * weight[i] * s * weight[i] / devex[i], s
            for i in range(axes, m):
                s = values[i] + norms[i] * r - b[i]
                if s > entering[i] and s * weight[i] * s * weight[i] > worst * devex[i]:
                    enter, worst, violation = i, s * weight[i] * s * weight[i] / devex[i], s
        if enter == -2:
            if fresh:
                break
            fresh = True        # x was updated along the pivots: decide the end from a fresh x
            continue
        if pivots == max_pivots:
            return 0
        pivots += 1
        # w = inverse^T row: row = sum_k w_k row_{B_k}
        if enter >= axes:                      # the unpinned rows, then the pinned ones
            basis_row(A, norms, dim, enter, row)
            norm = 0.0
            for j in range(dim):
                if pin[j] >= 0:
                    norm -= row[j] * slope[basis[pin[j]]]
            norm += row[dim]
            for k in range(n):
                w[k] = norm * inverse[dim * n + k]
            for j in range(dim):
                s = row[j]
                if pin[j] < 0:
                    for k in range(n):
                        w[k] += s * inverse[j * n + k]
                else:
                    w[pin[j]] += s * recip[basis[pin[j]]]
        elif enter >= 0:                       # a face's row: two nonzeros
            j, s, norm = axis[enter], coef[enter], norms[enter]
            if pin[j] < 0:
                for k in range(n):
                    w[k] = s * inverse[j * n + k] + norm * inverse[dim * n + k]
            else:                              # the opposite face of a pinned coordinate
                for k in range(n):
                    w[k] = (s * pinned_entry(inverse, recip, slope, basis, n, pin[j], k)
                            + norm * inverse[dim * n + k])
        else:                                  # the cap row: one
            for k in range(n):
                w[k] = inverse[dim * n + k]
        # the ratio test, in two passes: the ratios (inf: no candidate), then the least
        for k in range(n):
            ratios[k] = (max(inverse[(n - 1) * n + k], 0.0) / w[k]
                         if w[k] > SIMPLEX_DUAL_TOLERANCE else INFINITY)
        leave, best_ratio, best_w = -1, INFINITY, 0.0
        for k in range(n):
            ratio = ratios[k]
            if ratio < best_ratio or (ratio == best_ratio and ratio < INFINITY
                                      and w[k] > best_w):
                leave, best_ratio, best_w = k, ratio, w[k]
        if leave < 0 or best_w < SIMPLEX_SINGULAR_PIVOT:
            return 0
        i = basis[leave]
        l = axis[i] if 0 <= i < axes else -1
        if l >= 0 and pin[l] == leave:         # the leaving face unpins its coordinate
            rebuild_pinned(inverse, recip, slope, basis, pin, n, l)
            pin[l] = -1
        for j in range(n):                     # inverse <- inverse E^-1 (row leave of E is w)
            w[j] = w[j] / best_w
            column[j] = (inverse[j * n + leave] if pin[j] < 0 else
                         pinned_entry(inverse, recip, slope, basis, n, pin[j], leave))
        update_devex(A, norms, axis, coef, axes, m, dim, basis, column, best_w, enter, leave,
                     devex, alpha)
        step = violation / best_w
        for j in range(n):
            if pin[j] < 0:
                s = column[j]
                for k in range(n):
                    inverse[j * n + k] -= s * w[k]
                inverse[j * n + leave] = s / best_w
            x[j] -= step * column[j]                     # the entering row becomes tight
        for i in range(axes, m):
            values[i] -= step * alpha[i]
        fresh = False
        basis_rhs[leave] = rhs(b, cap, enter)
        i = basis[leave]
        entering[m if i < 0 else i] = SIMPLEX_FEASIBILITY * (1.0 + fabs(rhs(b, cap, i)))
        basis[leave] = enter
        entering[m if enter < 0 else enter] = INFINITY
        if l >= 0 and pin[l] < 0:              # another face of its coordinate may pin it
            for k in range(n):
                i = basis[k]
                if 0 <= i < axes and axis[i] == l:
                    pin[l] = k
                    break
        if 0 <= enter < axes and pin[axis[enter]] < 0:
            pin[axis[enter]] = leave
    if M == NULL and not tight(A, norms, b, cap, basis, dim, x, axis, coef, axes):
        return 2
    return 1
