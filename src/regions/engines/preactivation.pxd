# cython: language_level=3
"""Pre-activation maps of the vertex engine and their error bounds.

A cell's layer input is ``M z + m`` (rows ``[M | m]``, ``dim + 1`` columns); the layer's
pre-activations are ``G = W [M | m] + [0 | b]``. Each row of a computed map carries a
bound on the largest error of its entries against the exact rational map (the weights
and the domain are exact; only rounding errs), so that signs computed from the map can
be certified (:mod:`regions.predicates`). Each map also carries a bound on the 2-norm of
each column of its error, which a layer multiplies by at most ``||W||_2``
(:func:`regions.rounding.spectral_norm_bound`): through many layers that grows far
slower than the row bounds' ``|W|``, and bounds each row's inherited error by
Cauchy-Schwarz."""

from libc.math cimport fabs, sqrt
from scipy.linalg.cython_blas cimport dgemm

from .compiled cimport BOUND_SAFETY, SMALLEST_SUBNORMAL, UNIT_ROUNDOFF
from ..map_bounds cimport row_rounding
from .rounding cimport gamma, largest_entry


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


cdef inline double root_of_squares(double squares, int n) noexcept nogil:
    """An upper bound on the 2-norm of a vector of ``n`` entries whose squares summed in
    float64 to ``squares``: each square may lose half a subnormal spacing to underflow
    (the sums of subnormals are exact), whose root is no longer negligible."""
    return sqrt(squares + n * SMALLEST_SUBNORMAL)


cdef inline double smaller(double bound, double other) noexcept nogil:
    """The smaller of two bounds, ``bound`` when ``other`` is NaN (``inf * 0``)."""
    return other if other < bound else bound


cdef inline double column_norm(const double* error, int n, double propagated) noexcept nogil:
    """A bound on the 2-norm of every column of a map's error, given its row bounds
    ``error`` (n,) and a bound ``propagated`` carried through the layers."""
    cdef int j
    cdef double squares = 0.0
    for j in range(n):
        squares += error[j] * error[j]
    return smaller(root_of_squares(squares, n) * BOUND_SAFETY, propagated * BOUND_SAFETY)


cdef inline double map_error(const double* W, const double* bias, int n, int n_in,
                             const double* source, const double* source_error,
                             double source_norm, const double* row_norm, double spectral,
                             int cols, double* sizes, double* error) noexcept nogil:
    """Error bound of each row of ``W @ source + [0 | bias]`` computed in float64 (one
    ``dgemm``) into ``error`` (n,); returns a bound on the 2-norm of each column of the
    result's error.

    ``source_error`` (n_in,) bounds the source's rows, ``source_norm`` the 2-norm of each
    column of its error; ``row_norm`` (n,) and ``spectral`` bound the 2-norms of the rows
    of ``W`` and of ``W``. The error inherited from the source is at most
    ``|W_j| . source_error`` and at most ``||W_j|| source_norm`` (Cauchy-Schwarz); the
    column norm grows by ``||W||_2`` a layer, far slower with depth than ``|W|``. Each
    product not exactly zero may also lose half a subnormal spacing to underflow, which
    ``gamma`` does not cover (``regions._maps.map_error``). ``sizes`` (n_in,) is work
    space."""
    cdef int j, i
    cdef double inherited, rounding, squares = 0.0
    cdef double g = gamma(n_in + 2)
    for i in range(n_in):
        sizes[i] = largest_entry(source + i * cols, cols)
    for j in range(n):
        inherited = 0.0
        rounding = row_rounding(W + j * n_in, bias[j], sizes, source_error, n_in, g,
                                SMALLEST_SUBNORMAL, &inherited)
        squares += rounding * rounding
        error[j] = (rounding + smaller(inherited, row_norm[j] * source_norm)) * BOUND_SAFETY
    return column_norm(error, n, spectral * source_norm + root_of_squares(squares, n))


cdef inline double output_error(double slope, double offset, const double* G_row,
                                double G_error, int cols, double* error) noexcept nogil:
    """Error bound of a row of the layer's output map ``slope * G + [0 | offset]`` into
    ``error``: the slope scales the error, and multiplying by a slope other than 0 or 1,
    or adding an offset, rounds once more. Returns that rounding's bound."""
    cdef double rounding = 0.0
    if slope == 0.0:
        error[0] = 0.0
        return 0.0
    if slope != 1.0 or offset != 0.0:   # (and what a product may lose to underflow)
        rounding = (UNIT_ROUNDOFF * (fabs(slope) * largest_entry(G_row, cols) + fabs(offset))
                    + SMALLEST_SUBNORMAL)
    error[0] = (fabs(slope) * G_error + rounding) * BOUND_SAFETY
    return rounding * BOUND_SAFETY
