# cython: language_level=3
"""The compile-time constants of the vertex core, each equal to the constant of the same
name in :mod:`regions.tolerances` (``UNIT_ROUNDOFF``: :mod:`regions.rounding`), where
their meanings are. C needs them at compile time: ``MAX_DIM`` sizes fixed-size buffers,
and the inline functions of the ``.pxd`` files see only C constants. ``_vertex.pyx``
exports the values it was built with as ``COMPILED``, and tests/test_tolerances.py checks
each against the Python one."""


cdef enum:
    MAX_DIM = 64

cdef extern from *:
    """
    static const double BALL_SUBSET_LIMIT = 4096;
    static const double BALL_SINGULAR_PIVOT = 1e-12;
    static const double BOUND_SAFETY = 1.000001;
    static const double UNIT_ROUNDOFF = 1.1102230246251565e-16;
    static const double SMALLEST_SUBNORMAL = 4.9406564584124654e-324;
    """
    const double BALL_SUBSET_LIMIT
    const double BALL_SINGULAR_PIVOT
    const double BOUND_SAFETY
    const double UNIT_ROUNDOFF
    const double SMALLEST_SUBNORMAL
