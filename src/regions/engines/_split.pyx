# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Hot loops of the LP split engine: cheap side tests and cell splitting.

Conventions shared with ``regions.enumeration``: a cell is the polyhedron
``{z : A z <= c}`` in working coordinates with unit-norm rows; a hyperplane
``t`` of the layer being processed is ``g_t(z) = G[t] . z + beta[t] = 0``; its
*side* on a cell is +1 (the cell lies in ``g_t >= 0`` up to a sliver thinner
than the tolerance), -1, or 0 while undecided.
"""

import numpy as np
from libc.math cimport fabs, sqrt, INFINITY


def classify(const double[:, ::1] G, const double[::1] beta, const double[::1] zero_threshold,
             const signed char[::1] tie_side, const double[::1] lower, const double[::1] upper):
    """Sides of hyperplanes decided without an LP.

    Parameters
    ----------
    G : (T, dim) gradients, beta : (T,) offsets of ``g_t = G[t] . z + beta[t]``.
    zero_threshold : (T,)
        A hyperplane whose gradient norm is at most this is constant on the
        cell: its side is the sign of ``beta[t]`` (``tie_side[t]`` when zero).
    lower, upper : (dim,)
        A box containing the cell; when finite, a hyperplane whose range over
        the box excludes zero (interval arithmetic, exact for boxes) has its
        side decided.

    Returns
    -------
    sides : (T,) int8, +1 / -1 where decided, 0 where an LP may be needed.
    norms : (T,) float64 gradient norms.
    """
    cdef Py_ssize_t T = G.shape[0], dim = G.shape[1], t, k
    sides_arr = np.zeros(T, dtype=np.int8)
    norms_arr = np.empty(T, dtype=np.float64)
    cdef signed char[::1] sides = sides_arr
    cdef double[::1] norms = norms_arr
    cdef double s, lo, hi, g
    cdef bint bounded = True
    for k in range(dim):
        if not (fabs(lower[k]) < INFINITY and fabs(upper[k]) < INFINITY):
            bounded = False
    for t in range(T):
        s = 0.0
        for k in range(dim):
            s += G[t, k] * G[t, k]
        norms[t] = sqrt(s)
        if norms[t] <= zero_threshold[t]:
            if beta[t] > 0.0:
                sides[t] = 1
            elif beta[t] < 0.0:
                sides[t] = -1
            else:
                sides[t] = tie_side[t]
            continue
        if bounded:
            lo = beta[t]
            hi = beta[t]
            for k in range(dim):
                g = G[t, k]
                if g > 0.0:
                    lo += g * lower[k]
                    hi += g * upper[k]
                else:
                    lo += g * upper[k]
                    hi += g * lower[k]
            if lo >= 0.0:
                sides[t] = 1
            elif hi <= 0.0:
                sides[t] = -1
    return sides_arr, norms_arr


cdef inline double signed_distance(const double[:, ::1] G, const double[::1] beta,
                                   const double[::1] norms, Py_ssize_t t, const double[::1] x):
    cdef double s = beta[t]
    cdef Py_ssize_t k
    for k in range(G.shape[1]):
        s += G[t, k] * x[k]
    return s / norms[t]


def _child(cell, row, double rhs, long label, center, double radius, bint exact,
           Py_ssize_t t, signed char side, list undecided):
    A, c, labels, _, _, _, sides, _ = cell
    new_sides = sides.copy()
    new_sides[t] = side
    return (np.vstack([A, row[None, :]]), np.append(c, rhs), np.append(labels, label),
            center, radius, exact, new_sides, undecided)


def split_cell(cell, const double[:, ::1] G, const double[::1] beta, const double[::1] norms,
               const long[::1] hyperplane_ids, solver, double min_radius, double sliver_radius,
               long max_steps=-1):
    """Split one cell by every undecided hyperplane of a layer.

    ``cell`` is ``(A, c, labels, center, radius, exact, sides, undecided)``:
    constraints (m, dim) / (m,) with unit rows, their labels (m,), an
    inscribed ball (``exact`` when it is the largest one), the sides (T,) int8
    decided so far, and the list of undecided hyperplane indices. Each
    undecided hyperplane is tested on the current ball first: when both of
    its sides keep a ball of radius above ``min_radius`` inside the current
    ball, the cell splits with no LP; otherwise one inscribed-ball LP on the
    side away from the center (``solver.chebyshev``) decides. Returns
    ``(cells, slivers, unfinished)``: the final cells (same tuple layout,
    ``undecided`` empty), each a full-dimensional piece with every side
    decided, in depth-first order; the number of pieces dropped with an
    inscribed radius in ``(sliver_radius, min_radius]`` (near-degenerate
    cuts); and, when ``max_steps`` (>= 0) pieces were taken off the stack
    before it emptied, the pieces still on it (bottom first, each with its
    own ``sides`` and ``undecided``), to be split later.
    """
    cdef Py_ssize_t dim = G.shape[1], t, best, k
    cdef double s, best_abs, r, a, sigma, near_r, far_r
    cdef const double[::1] x
    cdef Py_ssize_t slivers = 0
    cdef long steps = 0
    out = []
    stack = [cell]
    while stack and steps != max_steps:
        steps += 1
        cell = stack.pop()
        A, c, labels, center, r, exact, sides, undecided = cell
        if not undecided:
            out.append(cell)
            continue
        x = center
        best = -1
        best_abs = INFINITY
        for t in undecided:
            s = fabs(signed_distance(G, beta, norms, t, x))
            if s < best_abs:
                best_abs = s
                best = t
        t = best
        s = signed_distance(G, beta, norms, t, x)
        sigma = 1.0 if s >= 0.0 else -1.0
        a = fabs(s)
        rest = [u for u in undecided if u != t]
        unit = np.asarray(G[t]) / norms[t]
        near_row = -sigma * unit           # sigma * g >= 0, the side holding the center
        near_rhs = sigma * beta[t] / norms[t]
        far_row = -near_row
        far_rhs = -near_rhs
        label = hyperplane_ids[t]
        if r - a > 2.0 * min_radius:
            # Both caps of the ball hold a ball above tolerance: a certain cut.
            near_center = center + (sigma * (r - a) / 2.0) * unit
            far_center = center - (sigma * (r + a) / 2.0) * unit
            stack.append(_child(cell, far_row, far_rhs, label, far_center, (r - a) / 2.0,
                                False, t, <signed char>(-sigma), rest))
            stack.append(_child(cell, near_row, near_rhs, label, near_center, (r + a) / 2.0,
                                False, t, <signed char>sigma, rest))
            continue
        far = solver.chebyshev(np.vstack([A, far_row[None, :]]), np.append(c, far_rhs))
        if far.radius <= min_radius:
            if far.radius > sliver_radius:
                slivers += 1
            new_sides = sides.copy()
            new_sides[t] = <signed char>sigma
            stack.append((A, c, labels, center, r, exact, new_sides, rest))
            continue
        if a >= r:
            near_center, near_r, near_exact = center, r, exact
        else:
            near_r = (r + a) / 2.0
            near_center = center + (sigma * (r - a) / 2.0) * unit
            near_exact = False
            if near_r <= min_radius:
                near = solver.chebyshev(np.vstack([A, near_row[None, :]]), np.append(c, near_rhs))
                near_center, near_r, near_exact = near.center, near.radius, True
                if sliver_radius < near_r <= min_radius:
                    slivers += 1
        if near_r <= min_radius:
            # Only the far side is full-dimensional: no split, the far ball is the cell's.
            new_sides = sides.copy()
            new_sides[t] = <signed char>(-sigma)
            stack.append((A, c, labels, far.center, far.radius, True, new_sides, rest))
            continue
        stack.append(_child(cell, far_row, far_rhs, label, far.center, far.radius,
                            True, t, <signed char>(-sigma), rest))
        stack.append(_child(cell, near_row, near_rhs, label, near_center, near_r,
                            near_exact, t, <signed char>sigma, rest))
    return out, slivers, stack
