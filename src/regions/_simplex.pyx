# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""A dense dual simplex for the inscribed-ball LP, warm-started from a dual feasible basis.

The LP is ``max r`` over ``x = (z, r)`` subject to ``a_i . z + |a_i| r <= b_i`` (the rows of
``A z <= b``) and ``r <= cap`` (the *cap row*, index -1 in a basis). A basis is ``dim + 1``
row indices whose rows are linearly independent; it is dual feasible when the multipliers
``y`` with ``sum_k y_k row_{B_k} = e_r`` are non-negative. Appending a row to a polyhedron
keeps every basis of it dual feasible, so the optimal basis of a cell is a start for its
children's LPs, and adding one cut usually takes one to three pivots.

Everything here is a proposal: the caller certifies any answer it uses
(:mod:`regions.rounding`, the engines' radius bounds), and falls back to HiGHS when this
returns None (a singular or dual infeasible basis, an iteration limit, a dual ray).
"""

import numpy as np
from libc.math cimport fabs, sqrt
from libc.stdint cimport int64_t
from scipy.linalg.cython_blas cimport dgemv, dger

from regions import tolerances

# Read from regions.tolerances (their meanings are there).
cdef double SIMPLEX_SINGULAR_PIVOT = tolerances.SIMPLEX_SINGULAR_PIVOT
cdef double SIMPLEX_FEASIBILITY = tolerances.SIMPLEX_FEASIBILITY
cdef double SIMPLEX_DUAL_TOLERANCE = tolerances.SIMPLEX_DUAL_TOLERANCE


cdef inline void basis_row(const double[:, ::1] A, const double[::1] norms, Py_ssize_t i,
                           double[::1] out) noexcept nogil:
    """Row ``i`` of the LP (``i = -1``: the cap row) into ``out`` (dim + 1,)."""
    cdef Py_ssize_t dim = A.shape[1], k
    if i < 0:
        for k in range(dim):
            out[k] = 0.0
        out[dim] = 1.0
        return
    for k in range(dim):
        out[k] = A[i, k]
    out[dim] = norms[i]


cdef int invert(double[:, ::1] M, double[:, ::1] inverse) noexcept nogil:
    """``inverse`` of ``M`` (n, n) by Gauss-Jordan elimination with partial pivoting
    (``M`` is overwritten); 0 when a pivot is below ``SIMPLEX_SINGULAR_PIVOT``."""
    cdef Py_ssize_t n = M.shape[0], i, j, k, best
    cdef double f, pivot
    for i in range(n):
        for j in range(n):
            inverse[i, j] = 1.0 if i == j else 0.0
    for k in range(n):
        best = k
        for i in range(k + 1, n):
            if fabs(M[i, k]) > fabs(M[best, k]):
                best = i
        if fabs(M[best, k]) < SIMPLEX_SINGULAR_PIVOT:
            return 0
        if best != k:
            for j in range(n):
                f = M[k, j]; M[k, j] = M[best, j]; M[best, j] = f
                f = inverse[k, j]; inverse[k, j] = inverse[best, j]; inverse[best, j] = f
        pivot = M[k, k]
        for j in range(n):
            M[k, j] /= pivot
            inverse[k, j] /= pivot
        for i in range(n):
            if i != k and M[i, k] != 0.0:
                f = M[i, k]
                for j in range(n):
                    M[i, j] -= f * M[k, j]
                    inverse[i, j] -= f * inverse[k, j]
    return 1


cdef double rhs(const double[::1] b, double cap, Py_ssize_t i) noexcept nogil:
    return cap if i < 0 else b[i]


cdef bint tight(const double[:, ::1] A, const double[::1] norms, const double[::1] b,
               double cap, const int64_t[::1] basis, const double[::1] x) noexcept:
    """Whether every row of ``basis`` holds with equality at ``x`` up to
    ``SIMPLEX_FEASIBILITY`` (a kept basis inverse has not drifted)."""
    cdef Py_ssize_t dim = A.shape[1], k, j, i
    cdef double s
    for k in range(basis.shape[0]):
        i = basis[k]
        if i < 0:
            s = x[dim] - cap
        else:
            s = norms[i] * x[dim] - b[i]
            for j in range(dim):
                s += A[i, j] * x[j]
        if fabs(s) > SIMPLEX_FEASIBILITY * (1.0 + fabs(rhs(b, cap, i))):
            return False
    return True


def chebyshev_dual(const double[:, ::1] A, const double[::1] b, double cap,
                   const int64_t[::1] start, start_inverse=None, double stop_below=-np.inf,
                   int max_pivots=-1):
    """The inscribed-ball LP of ``A z <= b`` (A (m, dim), b (m,)), radius capped at ``cap``,
    by dual simplex pivots from the dual feasible basis ``start`` (dim + 1,) of row indices
    (-1: the cap row), whose matrix's inverse ``start_inverse`` (dim + 1, dim + 1) is known
    (None: computed here; one kept over many pivots is refreshed when its optimal vertex
    does not fit its own rows).

    Returns ``(center (dim,), radius, duals (m,), cap_dual, basis (dim + 1,), inverse)`` at
    an optimal basis, or at the first basis whose radius (an upper bound on the optimum, as
    every dual feasible basis gives) is below ``stop_below``: there the polyhedron is
    empty, and the duals say why. None when the start is singular or not dual feasible,
    the LP needs more than ``max_pivots`` pivots (default ``2 dim + 34``), or its dual has
    a ray (the LP has no feasible point, which the inscribed-ball LP always has: numerical
    trouble)."""
    cdef Py_ssize_t m = A.shape[0], dim = A.shape[1], n = dim + 1, i, j, k, l, leave, enter
    cdef double s, worst, ratio, best_ratio, best_w, scale
    cdef int pivots
    if start.shape[0] != n:
        return None
    if max_pivots < 0:
        max_pivots = 2 * n + 32
    norms_arr = np.empty(m)
    cdef double[::1] norms = norms_arr
    for i in range(m):
        s = 0.0
        for j in range(dim):
            s += A[i, j] * A[i, j]
        norms[i] = sqrt(s)
    basis_arr = np.asarray(start, dtype=np.int64).copy()
    cdef int64_t[::1] basis = basis_arr
    in_basis_arr = np.zeros(m + 1, dtype=np.int8)      # index m: the cap row
    cdef signed char[::1] in_basis = in_basis_arr
    M_arr = np.empty((n, n))
    inverse_arr = np.empty((n, n))
    cdef double[:, ::1] M = M_arr
    cdef double[:, ::1] inverse = inverse_arr
    row_arr = np.empty(n)
    cdef double[::1] row = row_arr
    x_arr = np.empty(n)
    cdef double[::1] x = x_arr
    w_arr = np.empty(n)
    cdef double[::1] w = w_arr
    column_arr = np.empty(n)
    cdef double[::1] column = column_arr
    rhs_arr = np.empty(n)                               # b of the basis rows
    cdef double[::1] basis_rhs = rhs_arr
    values_arr = np.empty(max(m, 1))                    # A @ z
    cdef double[::1] values = values_arr
    cdef int blas_n = <int>n, blas_dim = <int>dim, blas_m = <int>m, one_step = 1
    cdef double one = 1.0, zero = 0.0, minus_one = -1.0
    cdef char transpose = b'T', straight = b'N'
    for k in range(n):
        i = basis[k]
        if i < -1 or i >= m or in_basis[m if i < 0 else i]:
            return None
        in_basis[m if i < 0 else i] = 1
        basis_rhs[k] = rhs(b, cap, i)
        basis_row(A, norms, i, row)
        for j in range(n):
            M[k, j] = row[j]
    if start_inverse is None:
        if not invert(M, inverse):
            return None
    else:
        inverse_arr[:, :] = start_inverse
    # the multipliers are row n - 1 of the inverse: y = inverse^T e_r
    for k in range(n):
        if inverse[n - 1, k] < -SIMPLEX_DUAL_TOLERANCE:
            return None
    pivots = 0
    # BLAS reads the row-major (n, n) inverse as its transpose, and A (m, dim) as A^T
    while True:
        dgemv(&transpose, &blas_n, &blas_n, &one, &inverse[0, 0], &blas_n, &basis_rhs[0],
              &one_step, &zero, &x[0], &one_step)                  # x = inverse @ b_B
        if m > 0:
            dgemv(&transpose, &blas_dim, &blas_m, &one, <double*>&A[0, 0], &blas_dim, &x[0],
                  &one_step, &zero, &values[0], &one_step)         # values = A @ z
        if x[dim] < stop_below:
            break
        enter, worst = -2, 0.0
        for i in range(-1, m):
            if in_basis[m if i < 0 else i]:
                continue
            s = x[dim] - cap if i < 0 else values[i] + norms[i] * x[dim] - b[i]
            scale = 1.0 + fabs(rhs(b, cap, i))
            if s > SIMPLEX_FEASIBILITY * scale and s / scale > worst:
                enter, worst = i, s / scale
        if enter == -2:
            break
        if pivots == max_pivots:
            return None
        pivots += 1
        basis_row(A, norms, enter, row)
        dgemv(&straight, &blas_n, &blas_n, &one, &inverse[0, 0], &blas_n, &row[0], &one_step,
              &zero, &w[0], &one_step)         # w = inverse^T row: row = sum_k w_k row_{B_k}
        leave, best_ratio, best_w = -1, 0.0, 0.0
        for k in range(n):
            if w[k] > SIMPLEX_DUAL_TOLERANCE:
                ratio = max(inverse[n - 1, k], 0.0) / w[k]
                if leave < 0 or ratio < best_ratio or (ratio == best_ratio and w[k] > best_w):
                    leave, best_ratio, best_w = k, ratio, w[k]
        if leave < 0 or best_w < SIMPLEX_SINGULAR_PIVOT:
            return None
        for l in range(n):                     # inverse <- inverse E^-1 (row leave of E is w)
            w[l] = w[l] / best_w
            column[l] = inverse[l, leave]
        dger(&blas_n, &blas_n, &minus_one, &w[0], &one_step, &column[0], &one_step,
             &inverse[0, 0], &blas_n)
        for j in range(n):
            inverse[j, leave] = column[j] / best_w
        basis_rhs[leave] = rhs(b, cap, enter)
        i = basis[leave]
        in_basis[m if i < 0 else i] = 0
        basis[leave] = enter
        in_basis[m if enter < 0 else enter] = 1
    if start_inverse is not None and not tight(A, norms, b, cap, basis, x):
        return chebyshev_dual(A, b, cap, start, None, stop_below, max_pivots)
    duals_arr = np.zeros(m)
    cdef double[::1] duals = duals_arr
    cdef double cap_dual = 0.0
    for k in range(n):
        s = inverse[n - 1, k]
        if s < -SIMPLEX_DUAL_TOLERANCE * 1e3:
            return None
        if basis[k] < 0:
            cap_dual = max(s, 0.0)
        else:
            duals[basis[k]] = max(s, 0.0)
    return x_arr[:dim].copy(), float(x[dim]), duals_arr, cap_dual, basis_arr, inverse_arr
