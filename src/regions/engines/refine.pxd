# cython: language_level=3
"""A generator computed again from the constraints tight at it, with an a posteriori error
bound that does not grow with the generator's history.

The error bounds of ``crossing.pxd`` add up along chains of crossings. When one grows
too large, the generator is solved anew from ``dim`` independent tight rows (a vertex:
``a_i . z + c_i = 0``; a ray: ``dim - 1`` rows with ``a_i . d = 0`` and the normalisation
``d_old . d = 1``), and its distance to the exact generator is bounded rigorously
(Rump's verification): with ``X`` an approximate inverse of the system ``S``, if
``rho = |I - X S*| < 1`` for the exact system ``S*`` then ``|S*^-1| <= |X| / (1 - rho)``,
and the error is at most ``|S*^-1|`` times the exact residual, both in the max norm.
Both bounds add what their products may lose to underflow (half a subnormal spacing
each, whatever their size).
"""

from libc.math cimport fabs, sqrt

from .compiled cimport BOUND_SAFETY, MAX_DIM, SMALLEST_SUBNORMAL, UNIT_ROUNDOFF
from .rounding cimport bound_max, gamma, scaled_norm


cdef inline int choose_rows(const double* rows, int k, int dim, int wanted, double* work,
                            int* chosen) noexcept nogil:
    """Pick ``wanted`` rows of ``rows`` (k, dim + 1; only the first ``dim`` columns count)
    that are linearly independent and well conditioned: Gaussian elimination over all rows,
    the pivot the largest remaining entry of its column. ``work`` holds ``k * dim``
    doubles. Returns how many were found."""
    cdef int i, j, c, best, found = 0
    cdef double pivot, factor
    cdef int used[128]
    if k > 128:
        k = 128
    for i in range(k):
        used[i] = 0
        for j in range(dim):
            work[i * dim + j] = rows[i * (dim + 1) + j]
    for c in range(dim):
        if found == wanted:
            break
        best = -1
        pivot = 0.0
        for i in range(k):
            if not used[i] and fabs(work[i * dim + c]) > pivot:
                pivot = fabs(work[i * dim + c])
                best = i
        if best < 0:
            continue
        used[best] = 1
        chosen[found] = best
        found += 1
        for i in range(k):
            if not used[i] and work[i * dim + c] != 0.0:
                factor = work[i * dim + c] / work[best * dim + c]
                for j in range(c, dim):
                    work[i * dim + j] -= factor * work[best * dim + j]
    return found


cdef inline int lu_solve(double* S, int n, double* rhs, int columns, int* perm) noexcept nogil:
    """Solve ``S X = rhs`` in place (``S`` (n, n) row-major, overwritten by its LU factors;
    ``rhs`` (n, columns), overwritten by ``X``), partial pivoting. Returns 0 when a pivot
    is exactly zero."""
    cdef int i, j, c, p
    cdef double f, t
    for c in range(n):
        p = c
        for i in range(c + 1, n):
            if fabs(S[i * n + c]) > fabs(S[p * n + c]):
                p = i
        if S[p * n + c] == 0.0:
            return 0
        perm[c] = p
        if p != c:
            for j in range(n):
                t = S[c * n + j]
                S[c * n + j] = S[p * n + j]
                S[p * n + j] = t
            for j in range(columns):
                t = rhs[c * columns + j]
                rhs[c * columns + j] = rhs[p * columns + j]
                rhs[p * columns + j] = t
        for i in range(c + 1, n):
            f = S[i * n + c] / S[c * n + c]
            S[i * n + c] = f
            for j in range(c + 1, n):
                S[i * n + j] -= f * S[c * n + j]
            for j in range(columns):
                rhs[i * columns + j] -= f * rhs[c * columns + j]
    for c in range(n - 1, -1, -1):
        for j in range(columns):
            t = rhs[c * columns + j]
            for i in range(c + 1, n):
                t -= S[c * n + i] * rhs[i * columns + j]
            rhs[c * columns + j] = t / S[c * n + c]
    return 1


cdef inline double refine(const double* rows, const double* errors, int k, int dim, bint ray,
                          double* z, double* work, int* index) noexcept nogil:
    """Solve the generator ``z`` (``dim + 1`` entries, homogeneous) anew from its tight rows
    ``rows`` (k, dim + 1) in value form ``a . z + c`` with error bounds ``errors`` (k,); a
    ray keeps its orientation and comes out unit. ``work`` holds ``5 dim^2 + 4 dim + k dim``
    doubles, ``index`` ``2 dim`` ints. Returns the error bound of the new ``z`` (1e300 when
    the rows do not determine it, or the bound cannot be verified; ``z`` is then kept)."""
    cdef int n = dim, i, j, c, wanted = dim - 1 if ray else dim
    cdef double* S = work                   # (n, n) the system
    cdef double* X = S + n * n              # (n, n) its approximate inverse
    cdef double* LU = X + n * n             # (n, n) factors
    cdef double* E = LU + n * n             # (n, n) error bounds of the system's entries
    cdef double* rhs = E + n * n            # (n,) right-hand side, then the solution
    cdef double* residual = rhs + n         # (n,)
    cdef double* scratch = residual + n     # (k, n) for choose_rows
    cdef int* chosen = index
    cdef int* perm = index + n
    cdef double old[MAX_DIM]
    cdef double norm, value, bound, inverse_norm, rho, row_sum, size, t
    cdef double underflow = (n + 3) * SMALLEST_SUBNORMAL     # a residual row's products
    if choose_rows(rows, k, dim, wanted, scratch, chosen) < wanted:
        return 1e300
    for j in range(dim):
        old[j] = z[j]
    for i in range(wanted):
        for j in range(n):
            S[i * n + j] = rows[chosen[i] * (dim + 1) + j]
            E[i * n + j] = errors[chosen[i]]
        rhs[i] = -rows[chosen[i] * (dim + 1) + dim] if not ray else 0.0
    if ray:                                  # the normalisation row d_old . d = 1 (exact)
        for j in range(n):
            S[(n - 1) * n + j] = old[j]
            E[(n - 1) * n + j] = 0.0
        rhs[n - 1] = 1.0
    # the solution
    for i in range(n * n):
        LU[i] = S[i]
    if not lu_solve(LU, n, rhs, 1, perm):
        return 1e300
    # the approximate inverse
    for i in range(n * n):
        LU[i] = S[i]
        X[i] = 0.0
    for i in range(n):
        X[i * n + i] = 1.0
    if not lu_solve(LU, n, X, n, perm):
        return 1e300
    # rho >= |I - X S*| (max norm): the computed I - X S, its rounding, and X (S - S*)
    rho = 0.0
    inverse_norm = 0.0
    for i in range(n):
        row_sum = 0.0
        size = 0.0
        for j in range(n):
            t = 1.0 if i == j else 0.0
            bound = 0.0
            for c in range(n):
                t -= X[i * n + c] * S[c * n + j]
                bound += fabs(X[i * n + c]) * (fabs(S[c * n + j]) * gamma(n + 1) + E[c * n + j])
            row_sum += fabs(t) + bound + (gamma(n + 1) if i == j else 0.0)
            size += fabs(X[i * n + j])
        rho = bound_max(rho, row_sum + 2.0 * n * n * SMALLEST_SUBNORMAL)
        inverse_norm = bound_max(inverse_norm, size)
    rho *= BOUND_SAFETY
    if not rho < 0.5:
        return 1e300
    inverse_norm = inverse_norm / (1.0 - rho) * BOUND_SAFETY
    # the exact residual of the new solution, largest entry
    size = 0.0
    for j in range(n):
        size += fabs(rhs[j])
    bound = 0.0
    for i in range(n):
        value = 0.0
        t = 0.0
        for j in range(n):
            value += S[i * n + j] * rhs[j]
            t += fabs(S[i * n + j] * rhs[j])
        if i < wanted and not ray:
            value += rows[chosen[i] * (dim + 1) + dim]
            t += fabs(rows[chosen[i] * (dim + 1) + dim])
            bound = bound_max(bound, fabs(value) + gamma(n + 2) * t
                              + errors[chosen[i]] * (size + 1.0) + underflow)
        elif ray and i < wanted:
            bound = bound_max(bound, fabs(value) + gamma(n + 2) * t
                              + errors[chosen[i]] * size + underflow)
        else:                                # the normalisation row: exact as written
            bound = bound_max(bound, fabs(value - 1.0) + gamma(n + 2) * (t + 1.0) + underflow)
    bound = inverse_norm * bound * BOUND_SAFETY + SMALLEST_SUBNORMAL
    if ray:                                  # normalised as crossing.pxd's cross_rays
        norm = scaled_norm(rhs, n)
        if not bound * 2.0 * sqrt(<double>n) < norm:
            return 1e300
        for j in range(n):
            z[j] = rhs[j] / norm
        z[n] = 0.0
        return (2.0 * sqrt(<double>n) * bound / norm + gamma(n) + 6.0 * UNIT_ROUNDOFF) \
            * BOUND_SAFETY
    for j in range(n):
        z[j] = rhs[j]
    z[n] = 1.0
    return bound
