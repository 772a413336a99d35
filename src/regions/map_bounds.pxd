# cython: language_level=3
"""The rounding bound of one row of a layer's pre-activation map, shared by the layer maps
of :mod:`regions.predicates` (``_maps.pyx``) and of the vertex engine
(``engines/preactivation.pxd``)."""

from libc.math cimport fabs


cdef inline double row_rounding(const double* weights, double bias, const double* sizes,
                                const double* source_error, int n_in, double g,
                                double subnormal, double* inherited) noexcept nogil:
    """The rounding error bound of the row ``weights . source + bias`` computed in float64
    (``weights`` (n_in,) exact, the source's rows of largest entries ``sizes`` (n_in,)):
    ``g (|weights| . sizes + |bias|)`` with ``g`` gamma of the sum's length, plus what its
    products may lose to underflow, which ``gamma`` does not cover (half of ``subnormal``,
    the smallest subnormal, for each product not exactly zero, counted twice over: a row of
    exact zeros has no error). Adds ``|weights| . source_error`` (the error the source
    carries in) to ``inherited``."""
    cdef int j, products = 0
    cdef double w, magnitude = fabs(bias)
    for j in range(n_in):
        w = fabs(weights[j])
        magnitude += w * sizes[j]
        inherited[0] += w * source_error[j]
        if w != 0.0 and (sizes[j] != 0.0 or source_error[j] != 0.0):
            products += 1
    if products or bias != 0.0:
        return g * magnitude + (2 * products + 2) * subnormal
    return g * magnitude
