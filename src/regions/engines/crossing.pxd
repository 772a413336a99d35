# cython: language_level=3
"""Edges and their crossings: the combinatorial adjacency test of the double description
method, and the new generator where an edge crosses a hyperplane, with a rigorous bound on
its error (the exact generator lies within it, largest entry).

Generators are homogeneous: a vertex ``(x, 1)``, a unit ray ``(d, 0)``. An edge joins a
generator ``p`` where the hyperplane's value is ``sp > 0`` to one, ``q``, where it is
``sq < 0``; the values' own error bounds are ``bp < sp`` and ``bq < -sq`` (their signs are
certified), and the generators' error bounds are ``ep``, ``eq``.

Each bound adds what its products may lose to underflow (half a subnormal spacing each,
whatever their size, which the relative ``UNIT_ROUNDOFF`` terms do not cover when the
generators' entries are themselves tiny): the crossing's products and the bound's own.
"""

from libc.math cimport fabs, sqrt
from libc.stdint cimport int32_t, uint64_t
from libc.string cimport memset

from .compiled cimport BOUND_SAFETY, SMALLEST_SUBNORMAL, UNIT_ROUNDOFF
from .rounding cimport bound_max, gamma, largest_entry, scaled_norm


cdef extern from *:
    int popcount "__builtin_popcountll"(unsigned long long) nogil
    int lowest_bit "__builtin_ctzll"(unsigned long long) nogil


cdef inline int common_bits(const uint64_t* p, const uint64_t* q, const uint64_t* mask,
                            uint64_t* common, int words) noexcept nogil:
    """``common = p & q & mask``; returns its number of bits."""
    cdef int w, bits = 0
    for w in range(words):
        common[w] = p[w] & q[w] & mask[w]
        bits += popcount(common[w])
    return bits


cdef inline int masked_bits(const uint64_t* p, const uint64_t* mask, int words) noexcept nogil:
    """The number of bits of ``p & mask``."""
    cdef int w, bits = 0
    for w in range(words):
        bits += popcount(p[w] & mask[w])
    return bits


cdef inline void on_constraints(const uint64_t* inc, const int32_t* vid, int nv,
                                const uint64_t* mask, int words, uint64_t* tight_on) noexcept nogil:
    """The incidence transposed, for ``nv <= 64`` generators: bit ``j`` of ``tight_on[b]``
    is set when generator ``vid[j]`` is tight on constraint ``b`` (a bit of ``mask``);
    ``tight_on`` holds ``64 * words`` words."""
    cdef int j, w
    cdef uint64_t x
    memset(tight_on, 0, <size_t>64 * words * sizeof(uint64_t))
    for j in range(nv):
        for w in range(words):
            x = inc[<size_t>vid[j] * words + w] & mask[w]
            while x:
                tight_on[w * 64 + lowest_bit(x)] |= (<uint64_t>1) << j
                x &= x - 1


cdef inline bint only_pair(const uint64_t* tight_on, const uint64_t* common, int words,
                           int p, int q) noexcept nogil:
    """Whether generators ``p`` and ``q`` (places, below 64) are the only ones tight on every
    constraint of ``common`` (the combinatorial edge test on :func:`on_constraints`)."""
    cdef int w
    cdef uint64_t x, on = ~(<uint64_t>0)
    for w in range(words):
        x = common[w]
        while x:
            on &= tight_on[w * 64 + lowest_bit(x)]
            x &= x - 1
    return on == (((<uint64_t>1) << p) | ((<uint64_t>1) << q))


cdef inline uint64_t* on_vertices(const uint64_t* inc, const int32_t* vid, int nv, int words,
                                  int dim, uint64_t* levels) noexcept nogil:
    """The bits set in at least ``dim`` of the incidence bitsets ``inc + vid[j] * words``
    (``j < nv``): counts saturating at ``dim``, one bitset per level in ``levels``
    (``dim * words`` words: level ``k`` holds the bits of at least ``k + 1`` of them);
    returns the last level."""
    cdef int j, w, k
    cdef uint64_t x, once = 0, twice = 0
    if words == 1 and dim == 2:     # the plane's usual case, in registers
        for j in range(nv):
            x = inc[vid[j]]
            twice |= once & x
            once |= x
        levels[0], levels[1] = once, twice
        return levels + 1
    memset(levels, 0, <size_t>dim * words * sizeof(uint64_t))
    for j in range(nv):
        for w in range(words):
            x = inc[<size_t>vid[j] * words + w]
            for k in range(dim - 1, 0, -1):
                levels[k * words + w] |= levels[(k - 1) * words + w] & x
            levels[w] |= x
    return levels + <size_t>(dim - 1) * words


cdef inline int keep_rows(const uint64_t* shared, int m, int words, uint64_t* mask,
                          int32_t* position, int32_t* keep_bits) noexcept nogil:
    """The bits ``b < m`` of ``shared``, in order: ``mask`` holds them (and no other bit),
    ``keep_bits`` lists them, ``position[b]`` is ``b``'s place in that list; returns their
    number."""
    cdef int w, b, kept = 0
    cdef uint64_t x
    for w in range(words):
        if (w + 1) * 64 <= m:
            mask[w] = shared[w]
        elif w * 64 < m:
            mask[w] = shared[w] & (((<uint64_t>1) << (m - w * 64)) - 1)
        else:
            mask[w] = 0
        x = mask[w]
        while x:
            b = w * 64 + lowest_bit(x)
            position[b] = kept
            keep_bits[kept] = b
            kept += 1
            x &= x - 1
    return kept


cdef inline void renumber_bits(const uint64_t* bits, const uint64_t* mask,
                               const int32_t* position, int words, uint64_t* out,
                               int out_words) noexcept nogil:
    """``out``: bit ``position[b]`` for each bit ``b`` of ``bits & mask``, no other."""
    cdef int w, b
    cdef uint64_t x, word = 0
    if out_words == 1:          # the usual case: one word, kept in a register
        for w in range(words):
            x = bits[w] & mask[w]
            while x:
                word |= (<uint64_t>1) << position[w * 64 + lowest_bit(x)]
                x &= x - 1
        out[0] = word
        return
    for w in range(out_words):
        out[w] = 0
    for w in range(words):
        x = bits[w] & mask[w]
        while x:
            b = position[w * 64 + lowest_bit(x)]
            out[b >> 6] |= (<uint64_t>1) << (b & 63)
            x &= x - 1


cdef inline bint contains_bits(const uint64_t* p, const uint64_t* bits, int words) noexcept nogil:
    cdef int w
    for w in range(words):
        if (p[w] & bits[w]) != bits[w]:
            return False
    return True


cdef inline double cross_vertices(const double* p, double sp, double bp, double ep,
                                  const double* q, double sq, double bq, double eq,
                                  double* out, int dim) noexcept nogil:
    """The vertex where the edge between vertices ``p`` and ``q`` crosses: written to
    ``out`` (``dim + 1`` entries); returns its error bound.

    ``out = wp p + wq q`` with ``wp = -sq / (sp - sq)``. The exact weight differs from
    ``wp`` by at most ``delta = (|sq| bp + sp bq) / (D (D - bp - bq))`` (plus rounding),
    ``D = sp - sq``, so the exact vertex is within
    ``(wp + 2 delta) ep + (wq + 2 delta) eq + delta |p - q| + rounding``.
    """
    cdef int k
    cdef double D = sp - sq
    # (D is positive unless the values' signs were guessed: the float-only mode)
    cdef double wp = -sq / D if D > 0.0 else 0.5, wq = sp / D if D > 0.0 else 0.5
    cdef double low = (D - bp - bq) * (1.0 - 2.0 * UNIT_ROUNDOFF)
    cdef double spread = 0.0, size = 0.0
    for k in range(dim):
        out[k] = wp * p[k] + wq * q[k]
        spread = bound_max(spread, fabs(p[k] - q[k]))
        size = bound_max(size, fabs(p[k]) + fabs(q[k]))
    out[dim] = 1.0
    if not low > 0.0:       # the values' signs were not certified (float-only mode)
        return 1e300
    cdef double delta = (fabs(sq) * bp + sp * bq) / (D * low) + 3.0 * UNIT_ROUNDOFF
    return ((wp + 2.0 * delta) * ep + (wq + 2.0 * delta) * eq + delta * spread
            + 6.0 * UNIT_ROUNDOFF * size + 4.0 * SMALLEST_SUBNORMAL) * BOUND_SAFETY


cdef inline double cross_vertex_ray(const double* p, double sp, double bp, double ep,
                                    const double* r, double sr, double br, double er,
                                    double* out, int dim) noexcept nogil:
    """The vertex where the ray from vertex ``p`` along unit ray ``r`` crosses (``sp`` and
    ``sr`` of opposite signs): ``out = p + tau r``, ``tau = |sp| / |sr|``; returns its
    error bound."""
    cdef int k
    cdef double asp = fabs(sp), asr = fabs(sr)
    cdef double tau = asp / asr if asr > 0.0 else 1.0
    for k in range(dim):
        out[k] = p[k] + tau * r[k]
    out[dim] = 1.0
    if not asr > br:        # the values' signs were not certified (float-only mode)
        return 1e300
    cdef double dtau = ((bp * asr + asp * br) / (asr * (asr - br) * (1.0 - 2.0 * UNIT_ROUNDOFF))
                        + 2.0 * UNIT_ROUNDOFF * tau)
    cdef double rsize = largest_entry(r, dim)
    return (ep + dtau * rsize + (tau + dtau) * er
            + 3.0 * UNIT_ROUNDOFF * (largest_entry(p, dim) + tau * rsize)
            + 3.0 * SMALLEST_SUBNORMAL) * BOUND_SAFETY


cdef inline double cross_rays(const double* p, double sp, double bp, double ep,
                              const double* q, double sq, double bq, double eq,
                              double* out, int dim) noexcept nogil:
    """The unit ray between rays ``p`` (``sp > 0``) and ``q`` (``sq < 0``) parallel to the
    hyperplane: ``|sq| p + sp q``, normalised; returns its error bound (1e300 when the
    unnormalised ray is not larger than its own error). The norm is taken of the ray
    scaled by its largest entry, so no square underflows or overflows; its rounding
    (``gamma(dim)`` for the sum of squares) and the division's are the last term."""
    cdef int k
    cdef double asq = fabs(sq), norm, error
    cdef double psize = largest_entry(p, dim), qsize = largest_entry(q, dim)
    for k in range(dim):
        out[k] = asq * p[k] + sp * q[k]
    norm = scaled_norm(out, dim)
    if not norm > 0.0:      # the values' signs were not certified (float-only mode)
        for k in range(dim):
            out[k] = p[k]
        out[dim] = 0.0
        return 1e300
    error = (bq * psize + (asq + bq) * ep + bp * qsize + (sp + bp) * eq
             + 2.0 * UNIT_ROUNDOFF * (asq * psize + sp * qsize) + 7.0 * SMALLEST_SUBNORMAL)
    for k in range(dim):
        out[k] /= norm
    out[dim] = 0.0
    if not error * 2.0 < norm:
        return 1e300
    return (2.0 * sqrt(<double>dim) * error / norm + gamma(dim) + 6.0 * UNIT_ROUNDOFF) \
        * BOUND_SAFETY
