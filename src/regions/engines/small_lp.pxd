# cython: language_level=3
"""The largest ball in a small polyhedron without an LP (the vertex engine's near-degenerate
pieces): every subset of ``dim + 1`` tight rows solved by Gaussian elimination."""

from libc.math cimport fabs

from .compiled cimport BALL_SINGULAR_PIVOT, BALL_SUBSET_LIMIT


cdef inline int ball_by_subsets(double* rows, int m, int dim, double* center,
                         double* radius) noexcept nogil:
    """Largest ball in ``{z : a_i . z <= c_i}`` (unit ``a_i``, bounded) without an LP.

    The Chebyshev LP ``max r : a_i . z + r <= c_i`` over ``(z, r)`` attains its
    optimum at a vertex, where ``dim + 1`` rows are tight: every such subset is
    solved, and each solution counts with ``r`` minus its worst violation of
    the other rows, so the answer is a radius that truly fits (up to rounding)
    and the optimum itself is among the candidates. Returns 0 when there are
    more than ``BALL_SUBSET_LIMIT`` subsets or every subset is singular (then
    ``radius`` is unset), else 1.
    """
    cdef int d1 = dim + 1, cols = dim + 1, i, j, k, p, q, best_row
    cdef int idx[8]
    cdef double M[8][9]
    cdef double x[8]
    cdef double subsets = 1.0, piv, f, s, worst, value, best = -1e300
    if d1 > 8 or m < d1:
        return 0
    for i in range(d1):
        subsets = subsets * (m - i) / (i + 1)
    if subsets > BALL_SUBSET_LIMIT:
        return 0
    for i in range(d1):
        idx[i] = i
    while True:
        # solve [a_i 1] (z, r) = c_i over the subset, Gaussian elimination with pivoting
        for i in range(d1):
            for k in range(dim):
                M[i][k] = rows[idx[i] * cols + k]
            M[i][dim] = 1.0
            M[i][d1] = rows[idx[i] * cols + dim]
        value = -1e300
        for p in range(d1):
            best_row = p
            for i in range(p + 1, d1):
                if fabs(M[i][p]) > fabs(M[best_row][p]):
                    best_row = i
            if fabs(M[best_row][p]) < BALL_SINGULAR_PIVOT:
                break
            if best_row != p:
                for k in range(d1 + 1):
                    f = M[p][k]
                    M[p][k] = M[best_row][k]
                    M[best_row][k] = f
            for i in range(p + 1, d1):
                f = M[i][p] / M[p][p]
                for k in range(p, d1 + 1):
                    M[i][k] -= f * M[p][k]
        else:
            for p in range(d1 - 1, -1, -1):
                s = M[p][d1]
                for k in range(p + 1, d1):
                    s -= M[p][k] * x[k]
                x[p] = s / M[p][p]
            worst = 0.0
            for j in range(m):
                s = x[dim] - rows[j * cols + dim]
                for k in range(dim):
                    s += rows[j * cols + k] * x[k]
                if s > worst:
                    worst = s
            value = x[dim] - worst
        if value > best:
            best = value
            for k in range(dim):
                center[k] = x[k]
        # next subset in lexicographic order
        q = d1 - 1
        while q >= 0 and idx[q] == m - d1 + q:
            q -= 1
        if q < 0:
            break
        idx[q] += 1
        for i in range(q + 1, d1):
            idx[i] = idx[i - 1] + 1
    if best == -1e300:
        return 0
    radius[0] = best
    return 1
