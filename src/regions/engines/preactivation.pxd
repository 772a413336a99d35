# cython: language_level=3
"""Pre-activation maps of the vertex engine and their error bounds.

A cell's layer input is ``M z + m`` (rows ``[M | m]``, ``dim + 1`` columns); the layer's
pre-activations are ``G = W [M | m] + [0 | b]``. Each row of a computed map carries a
bound on the largest error of its entries against the exact rational map (the weights
and the domain are exact; only rounding errs), so that signs computed from the map can
be certified (:mod:`regions.predicates`).
"""

from libc.math cimport fabs
from scipy.linalg.cython_blas cimport dgemm

from .rounding cimport BOUND_SAFETY, UNIT_ROUNDOFF, dmax, gamma


cdef inline void affine_map(const double* W, const double* bias, int n, int n_in,
                            const double* source, int cols, double* out) noexcept nogil:
    """``out (n, cols) = W (n, n_in) @ source (n_in, cols) + [0 | bias]``: one BLAS ``dgemm``
    (column-major: ``out^T = source^T @ W^T``)."""
    cdef double one = 1.0, zero = 0.0
    cdef char no = b'N'
    cdef int j
    dgemm(&no, &no, &cols, &n, &n_in, &one, <double*>source, &cols, <double*>W, &n_in, &zero,
          out, &cols)
    for j in range(n):
        out[j * cols + cols - 1] += bias[j]


cdef inline double row_size(const double* row, int cols) noexcept nogil:
    """Largest absolute entry of a row."""
    cdef int k
    cdef double s = 0.0
    for k in range(cols):
        s = dmax(s, fabs(row[k]))
    return s


cdef inline void map_error(const double* W, const double* bias, int n, int n_in,
                           const double* source, const double* source_error, int cols,
                           int terms, double growth, double* sizes, double* error) noexcept nogil:
    """Error bound of each row of ``W @ source + [0 | bias]`` computed in float64 with at
    most ``terms`` rounded additions per entry, when the sum of the absolute values of those
    terms is at most ``growth`` times ``|W| |source| + |bias|`` (1 for a plain product; more
    when rank-one updates replace some terms). ``source_error`` (n_in,) bounds the source's
    rows. ``sizes`` (n_in,) is work space. Writes ``error`` (n,)."""
    cdef int j, i
    cdef double magnitude, inherited, w
    cdef double g = gamma(terms) * growth
    for i in range(n_in):
        sizes[i] = row_size(source + i * cols, cols)
    for j in range(n):
        magnitude = fabs(bias[j])
        inherited = 0.0
        for i in range(n_in):
            w = fabs(W[j * n_in + i])
            magnitude += w * sizes[i]
            inherited += w * source_error[i]
        error[j] = (g * magnitude + inherited) * BOUND_SAFETY


cdef inline void output_error(double slope, double offset, const double* G_row, double G_error,
                              int cols, double* error) noexcept nogil:
    """Error bound of a row of the layer's output map ``slope * G + [0 | offset]``: the
    slope scales the error, and multiplying by a slope other than 0 or 1, or adding an
    offset, rounds once more."""
    if slope == 0.0:
        error[0] = 0.0
        return
    error[0] = fabs(slope) * G_error
    if slope != 1.0 or offset != 0.0:
        error[0] += UNIT_ROUNDOFF * (fabs(slope) * row_size(G_row, cols) + fabs(offset))
    error[0] *= BOUND_SAFETY
