# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""Hot loops of facet work: facet LP assembly and point-in-polytope bookkeeping.

Conventions shared with ``regions.facets`` and ``regions.analysis.certify``: a region is
``{z : A z <= b}`` in working coordinates with unit-norm rows; many regions are
stored back to back in one array of rows with ``starts[r]:starts[r + 1]``
holding region ``r``'s rows.
"""

import numpy as np
from libc.math cimport fabs, sqrt


def facet_section(const double[:, ::1] A, const double[::1] b, Py_ssize_t row,
                  double parallel_norm):
    """The region ``A z <= b`` cut by the hyperplane of ``row``, in coordinates on that hyperplane.

    The hyperplane ``A[row] . z = b[row]`` is parametrised as
    ``z = origin + basis @ u`` with ``basis`` (dim, dim - 1) orthonormal
    (columns of a Householder reflection), so that a Chebyshev LP in ``u``
    gives the largest (dim-1)-ball of the facet. Every other row becomes
    ``(A[j] @ basis) u <= b[j] - A[j] . origin``, normalised; a row whose
    restriction has norm at most ``parallel_norm`` is parallel to the
    hyperplane and constant on it, so it is dropped when satisfied there.

    Returns
    -------
    rows : (k, dim - 1) unit rows, rhs : (k,), basis : (dim, dim - 1), origin : (dim,),
    sources : (k,) int64, the row of ``A`` each section row comes from,
    excluding : int, a parallel row that excludes the whole hyperplane (-1: none).
    """
    cdef Py_ssize_t m = A.shape[0], dim = A.shape[1], i, j, k, col, kept = 0
    cdef Py_ssize_t excluding = -1
    cdef double s, vnorm2, pivot, norm, rhs
    origin_arr = np.empty(dim, dtype=np.float64)
    basis_arr = np.empty((dim, dim - 1), dtype=np.float64)
    rows_arr = np.empty((m, dim - 1), dtype=np.float64)
    rhs_arr = np.empty(m, dtype=np.float64)
    cdef double[::1] origin = origin_arr
    cdef double[:, ::1] basis = basis_arr
    cdef double[:, ::1] rows = rows_arr
    cdef double[::1] rhs_out = rhs_arr
    cdef double[::1] v = np.empty(dim, dtype=np.float64)
    sources_arr = np.empty(m, dtype=np.int64)
    cdef long long[::1] sources = sources_arr

    # Householder vector v = a + sign(a_p) e_p for the largest |a_p|: the reflection
    # I - 2 v v^T / |v|^2 maps a to -sign(a_p) e_p, so its other columns span a's complement.
    k = 0
    for i in range(dim):
        origin[i] = A[row, i] * b[row]
        v[i] = A[row, i]
        if fabs(A[row, i]) > fabs(A[row, k]):
            k = i
    pivot = 1.0 if A[row, k] >= 0.0 else -1.0
    v[k] += pivot
    vnorm2 = 0.0
    for i in range(dim):
        vnorm2 += v[i] * v[i]
    col = 0
    for j in range(dim):
        if j == k:
            continue
        for i in range(dim):
            basis[i, col] = (1.0 if i == j else 0.0) - 2.0 * v[i] * v[j] / vnorm2
        col += 1

    for j in range(m):
        if j == row:
            continue
        rhs = b[j]
        for i in range(dim):
            rhs -= A[j, i] * origin[i]
        norm = 0.0
        for col in range(dim - 1):
            s = 0.0
            for i in range(dim):
                s += A[j, i] * basis[i, col]
            rows[kept, col] = s
            norm += s * s
        norm = sqrt(norm)
        if norm <= parallel_norm:
            if rhs < 0.0 and excluding < 0:
                excluding = j
            continue
        for col in range(dim - 1):
            rows[kept, col] /= norm
        rhs_out[kept] = rhs / norm
        sources[kept] = j
        kept += 1
    return (np.ascontiguousarray(rows_arr[:kept]), rhs_arr[:kept].copy(), basis_arr,
            origin_arr, sources_arr[:kept].copy(), excluding)


def points_in_polytopes(const double[:, ::1] points, const double[:, ::1] A,
                        const double[::1] b, const long[::1] starts, double slack):
    """Which of many polytopes contain each point, by their constraints.

    Parameters
    ----------
    points : (k, dim)
    A : (M, dim), b : (M,)
        Rows of all polytopes back to back; polytope ``r`` is
        ``A[starts[r]:starts[r+1]] z <= b[starts[r]:starts[r+1]] + slack``.
    starts : (R + 1,) int64
    slack : float

    Returns
    -------
    indptr : (k + 1,) int64, indices : int64
        Polytopes containing point ``i`` are ``indices[indptr[i]:indptr[i+1]]``, ascending.
    """
    cdef Py_ssize_t k = points.shape[0], dim = points.shape[1], R = starts.shape[0] - 1
    cdef Py_ssize_t p, r, row, i
    cdef double s
    cdef bint inside
    indptr_arr = np.zeros(k + 1, dtype=np.int64)
    cdef long[::1] indptr = indptr_arr
    found = []
    for p in range(k):
        for r in range(R):
            inside = True
            for row in range(starts[r], starts[r + 1]):
                s = -b[row]
                for i in range(dim):
                    s += A[row, i] * points[p, i]
                if s > slack:
                    inside = False
                    break
            if inside:
                found.append(r)
        indptr[p + 1] = len(found)
    return indptr_arr, np.asarray(found, dtype=np.int64)
