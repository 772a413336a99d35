# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""The float parts of :mod:`regions.predicates`' layer maps, as loops: the error bound of a
layer's pre-activation map, and its breakpoint hyperplanes scaled to unit float norm with
their error bounds. The same formulas as the numpy they replace (one pass, no temporary
arrays: on a cell of a 10-wide layer that was about 130 µs of numpy calls per cell); the
bounds hold for any order of summation."""

import numpy as np
cimport numpy as cnp
from libc.float cimport DBL_MAX
from libc.math cimport INFINITY, fabs, sqrt

from .map_bounds cimport row_rounding
from .ndarrays cimport checked, matrix, new_array, vector
from .rounding import SMALLEST_SUBNORMAL as _SMALLEST_SUBNORMAL
from .rounding import UNIT_ROUNDOFF as _UNIT_ROUNDOFF
from .rounding import gamma
from .tolerances import BOUND_SAFETY as _BOUND_SAFETY

cnp.import_array()

__all__ = ["map_error", "hyperplane_rows"]

cdef double UNIT_ROUNDOFF = _UNIT_ROUNDOFF
cdef double SMALLEST_SUBNORMAL = _SMALLEST_SUBNORMAL
cdef double BOUND_SAFETY = _BOUND_SAFETY


cdef inline double row_largest(const double* row, Py_ssize_t n) noexcept nogil:
    cdef Py_ssize_t k
    cdef double s = 0.0
    for k in range(n):
        if fabs(row[k]) > s or row[k] != row[k]:      # a NaN stays, as numpy's max keeps it
            s = fabs(row[k])
    return s


def map_error(W, M, m, bias, M_error):
    """Error bound of each row of ``[W M | W m + bias]`` computed in float64 from a map
    ``M z + m`` whose rows err by at most ``M_error`` (n_in,) in every entry, from the exact
    ``W`` (n, n_in) and ``bias`` (n,): ``(gamma(n_in + 2) * (|W| max(|M_j|, |m_j|) + |bias|)
    + |W| M_error + (2 k + 2) SMALLEST_SUBNORMAL) * BOUND_SAFETY`` (n,), ``k`` the
    products of a row that are not exactly zero (each may lose half a subnormal spacing to
    underflow, which ``gamma`` does not cover; a row of exact zeros has no error). ``M``
    (n_in, dim), ``m`` (n_in,).

    Examples
    --------
    >>> import numpy as np
    >>> error = map_error(np.array([[2.0, -1.0]]), np.eye(2), np.zeros(2), np.zeros(1),
    ...                   np.array([0.0, 1e-10]))
    >>> bool(1e-10 < error[0] < 1.01e-10)
    True
    """
    cdef Py_ssize_t[2] w_shape = [0, 0], m_shape = [0, 0]
    cdef const double* W_in = matrix(W, w_shape, "W")
    cdef const double* M_in = matrix(M, m_shape, "M")
    cdef Py_ssize_t n = w_shape[0], n_in = w_shape[1], dim = m_shape[1], i, j
    if m_shape[0] != n_in:
        raise ValueError(f"W {W.shape} and M {M.shape} do not compose")
    cdef const double* m_in = vector(m, n_in, "m")
    cdef const double* bias_in = vector(bias, n, "bias")
    cdef const double* M_error_in = vector(M_error, n_in, "M_error")
    cdef double g = gamma(n_in + 2), inherited, rounding
    sizes_arr = new_array(1, n_in, 0, cnp.NPY_DOUBLE, False)
    error_arr = new_array(1, n, 0, cnp.NPY_DOUBLE, False)
    cdef double* sizes = <double*>cnp.PyArray_DATA(<cnp.ndarray>sizes_arr)
    cdef double* error = <double*>cnp.PyArray_DATA(<cnp.ndarray>error_arr)
    for j in range(n_in):
        sizes[j] = row_largest(M_in + j * dim, dim)
        if fabs(m_in[j]) > sizes[j] or m_in[j] != m_in[j]:
            sizes[j] = fabs(m_in[j])
    for i in range(n):
        inherited = 0.0
        rounding = row_rounding(W_in + i * n_in, bias_in[i], sizes, M_error_in, <int>n_in, g,
                                SMALLEST_SUBNORMAL, &inherited)
        error[i] = (rounding + inherited) * BOUND_SAFETY
    return error_arr


def hyperplane_rows(G, beta, G_error, zero, offsets):
    """The breakpoint hyperplanes ``G_j z + beta_j - offset_q`` of a layer (neuron-major,
    ``T = n * len(offsets)``), each divided by its gradient's float norm: ``(a (T, dim),
    c (T,), e (T,))``, ``e`` bounding the largest error of the entries of ``[a | c]``
    against the exact hyperplane divided by the same float. ``G`` (n, dim) and ``beta``
    (n,) are the pre-activation map, ``G_error`` (n,) its row error bounds; a row where
    ``zero`` (n,) bool holds has an exactly zero gradient: ``a`` 0 and the norm 1. The norm
    is taken of the row scaled by its largest entry (the squares of entries beyond 1e154
    overflow).

    Examples
    --------
    >>> import numpy as np
    >>> a, c, e = hyperplane_rows(np.array([[3.0, 4.0]]), np.array([5.0]), np.zeros(1),
    ...                           np.zeros(1, bool), np.array([0.0]))
    >>> a.tolist(), c.tolist()
    ([[0.6, 0.8]], [1.0])
    """
    cdef Py_ssize_t[2] shape = [0, 0]
    cdef const double* G_in = matrix(G, shape, "G")
    cdef Py_ssize_t n = shape[0], dim = shape[1], j, q, k, t
    cdef const double* beta_in = vector(beta, n, "beta")
    cdef const double* G_error_in = vector(G_error, n, "G_error")
    cdef const double* offsets_in = vector(offsets, -1, "offsets")
    cdef Py_ssize_t breaks = cnp.PyArray_DIM(<cnp.ndarray>offsets, 0)
    cdef cnp.ndarray zero_arr = checked(np.ascontiguousarray(zero, dtype=np.bool_),
                                        cnp.NPY_BOOL, 1, "zero")
    if cnp.PyArray_DIM(zero_arr, 0) != n:
        raise ValueError(f"zero: shape {zero.shape}, not ({n},)")
    cdef const cnp.npy_bool* is_zero = <const cnp.npy_bool*>cnp.PyArray_DATA(zero_arr)
    a_arr = new_array(2, n * breaks, dim, cnp.NPY_DOUBLE, True)
    c_arr = new_array(1, n * breaks, 0, cnp.NPY_DOUBLE, False)
    e_arr = new_array(1, n * breaks, 0, cnp.NPY_DOUBLE, False)
    cdef double* a = <double*>cnp.PyArray_DATA(<cnp.ndarray>a_arr)
    cdef double* c = <double*>cnp.PyArray_DATA(<cnp.ndarray>c_arr)
    cdef double* e = <double*>cnp.PyArray_DATA(<cnp.ndarray>e_arr)
    cdef double scale, squares, norm, size, rows_size, v, pre, rounding, underflow
    cdef bint vanished
    if breaks == 0:
        return a_arr, c_arr, e_arr
    for j in range(n):
        norm = 1.0
        pre = 1.0       # divided by first, then by norm: the divisor is pre * norm
        vanished = False
        if not is_zero[j]:
            scale = row_largest(G_in + j * dim, dim)
            if scale > 0.0 or scale != scale:     # a NaN makes the row NaN, as in numpy
                squares = 0.0
                for k in range(dim):
                    v = G_in[j * dim + k] / scale
                    squares += v * v
                norm = scale * sqrt(squares)
                if norm > DBL_MAX and scale <= DBL_MAX:
                    # the norm of a row of entries near 1e308 is beyond float64: divide by
                    # the largest entry, then by the scaled row's norm (two roundings, and
                    # an entry far below the largest may underflow on the way)
                    pre, norm = scale, sqrt(squares)
            else:
                # not exactly zero, but every entry underflowed (1e-200 * 1e-200 x): the
                # row is no unit row, so no float test of it holds; its sides are decided
                # exactly (an infinite error bound, as in the vertex engine)
                vanished = True
            if norm == 0.0:
                norm = 1.0
        rounding = 2.0 * UNIT_ROUNDOFF if pre == 1.0 else 3.0 * UNIT_ROUNDOFF
        underflow = 0.0 if pre == 1.0 else SMALLEST_SUBNORMAL
        rows_size = 0.0
        if not is_zero[j]:
            for k in range(dim):
                a[j * breaks * dim + k] = G_in[j * dim + k] / pre / norm
            rows_size = row_largest(a + j * breaks * dim, dim)
        for q in range(breaks):
            t = j * breaks + q
            if q:
                for k in range(dim):
                    a[t * dim + k] = a[j * breaks * dim + k]
            c[t] = (beta_in[j] - offsets_in[q]) / pre / norm
            size = fabs(c[t]) if fabs(c[t]) > rows_size or c[t] != c[t] else rows_size
            e[t] = INFINITY if vanished else \
                (G_error_in[j] / pre / norm + rounding * size + underflow) * BOUND_SAFETY
    return a_arr, c_arr, e_arr
