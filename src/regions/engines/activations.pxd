# cython: language_level=3
"""The activation rules of ``src/regions/network.py`` in C, for the Cython engines.

One-to-one with the Python rules, which remain the reference
(``tests/engines/test_activations.py`` checks every case against them):

* ``breakpoint``   -- ``network.BREAKPOINTS``: the offsets ``t`` of the
  hyperplanes ``z = t`` (relu, leaky_relu: 0; hardtanh: -1, +1);
* ``tie_side``     -- ``network.tie_sides``: the side of a breakpoint that a
  pre-activation exactly on it belongs to;
* ``state_from_sides`` -- ``network.states_from_sides``: a neuron's state
  from the sides of its breakpoint hyperplanes;
* ``slope_offset`` -- ``network.state_slope_offset``: the activation's local
  affine form ``out = slope * z + offset`` in a state.

``MAX`` (max pooling, maxout) is no elementwise rule: the core splits its layers by
their units' pair hyperplanes (``VertexCore.split_max``), and none of these functions
is called for it.
"""

cdef enum Activation:
    RELU = 0
    LEAKY_RELU = 1
    HARDTANH = 2
    IDENTITY = 3
    MAX = 4


cdef inline int breakpoints_per_neuron(int act) noexcept nogil:
    if act == IDENTITY:
        return 0
    return 2 if act == HARDTANH else 1


cdef inline double breakpoint(int act, int q) noexcept nogil:
    """Offset of breakpoint ``q`` (0-based) of a neuron."""
    if act == HARDTANH:
        return -1.0 if q == 0 else 1.0
    return 0.0


cdef inline signed char tie_side(int act, int q) noexcept nogil:
    """Side (+1 above, -1 at or below) of breakpoint ``q`` for a value exactly on it."""
    if act == HARDTANH:
        return 1 if q == 0 else -1
    return -1


cdef inline signed char state_from_sides(int act, const signed char* sides) noexcept nogil:
    """State of a neuron from the sides of its breakpoints (``sides[0]``, and ``sides[1]``
    for hard-tanh)."""
    if act == HARDTANH:
        if sides[1] > 0:
            return 1
        if sides[0] < 0:
            return -1
        return 0
    return 1 if sides[0] > 0 else 0


cdef inline void slope_offset(int act, double leak, signed char state, double* slope,
                              double* offset) noexcept nogil:
    """Local affine form of the activation in ``state``."""
    if act == HARDTANH:
        slope[0] = 1.0 if state == 0 else 0.0
        offset[0] = state
    elif act == IDENTITY:
        slope[0] = 1.0
        offset[0] = 0.0
    else:
        offset[0] = 0.0
        if state == 1:
            slope[0] = 1.0
        elif act == LEAKY_RELU:
            slope[0] = leak
        else:
            slope[0] = 0.0
