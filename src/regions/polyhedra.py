"""Polyhedra of activation patterns: constraints, minimal H-representations.

A region of a network is the set of points of the domain with one activation
pattern: with every state fixed, every pre-activation is one affine function
of the working coordinates, so the region is a polyhedron ``A z <= b``
(:func:`pattern_constraints`). Its minimal H-representation drops the rows
that do not bound it (:func:`minimal_rows`, one LP per row; the largest
inscribed ball is :meth:`regions.lp.LPSolver.chebyshev`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .domain import Domain
from .errors import RegionsError
from .lp import LPSolver
from .network import (Network, breakpoint_hyperplanes, neuron_states, sides_from_states,
                      state_slope_offset, tie_sides)
from .tolerances import REDUNDANCY_GAP


@dataclass(frozen=True)
class PatternConstraints:
    """What an activation pattern imposes, in working coordinates.

    Attributes
    ----------
    A : ndarray, shape (m, dim)
        Unit rows: the domain's rows first, then one row per breakpoint
        hyperplane whose pre-activation is not constant, oriented so that the
        region of the pattern is ``A z <= b`` (closed).
    b : ndarray, shape (m,)
    labels : ndarray, shape (m,), int64
        Domain face ``-1 - k`` or breakpoint hyperplane label (the numbering of
        :meth:`regions.Partition.describe_label`).
    gradients : ndarray, shape (H, dim)
        For every breakpoint hyperplane ``t`` of the network (``H`` of them, in
        label order), the gradient of ``pre-activation - breakpoint`` under the
        pattern; ``offsets`` (H,) its value at ``z = 0``.
    offsets : ndarray, shape (H,)
    feasible : bool
        False when a constant pre-activation contradicts its neuron's state
        (the pattern's region is then empty).
    C : ndarray, shape (out, dim)
    d : ndarray, shape (out,)
        The network's output ``y = C z + d`` under the pattern.
    """

    A: np.ndarray
    b: np.ndarray
    labels: np.ndarray
    gradients: np.ndarray
    offsets: np.ndarray
    feasible: bool
    C: np.ndarray
    d: np.ndarray


def pattern_constraints(network: Network, domain: Domain, pattern) -> PatternConstraints:
    """The closed polyhedron of points of ``domain`` whose activation pattern is ``pattern``.

    ``pattern`` has shape (P,) with the state codes of :mod:`regions.network`.
    The closure is exact (pattern regions are convex): it is the domain cut by
    every breakpoint hyperplane on the side the pattern asks for. A
    pre-activation whose gradient is below ``ZERO_NORM`` (relative, as in the
    enumeration) is constant: it adds no row but may make the pattern
    infeasible.
    """
    domain = domain.resolve(network.input_dim)
    pattern = np.asarray(pattern)
    if pattern.shape != (network.pattern_length,):
        raise RegionsError(f"pattern must have shape ({network.pattern_length},), "
                           f"got {pattern.shape}")
    M, m = domain.basis, domain.origin
    rows = [domain.A]
    rhs = [domain.b]
    labels = [-1 - np.arange(domain.A.shape[0], dtype=np.int64)]
    gradients, offsets = [], []
    feasible = True
    first_label, position = network.label_offsets(), 0
    for index, layer in enumerate(network.layers):
        G = layer.weight @ M
        beta = layer.weight @ m + layer.bias
        if layer.activation == "identity":
            M, m = G, beta
            continue
        states = pattern[position:position + layer.width]
        position += layer.width
        G_planes, h_planes, threshold = breakpoint_hyperplanes(layer, G, beta, M)
        gradients.append(G_planes)
        offsets.append(h_planes)
        sides = sides_from_states(states, layer.activation)
        norms = np.linalg.norm(G_planes, axis=1)
        constant = norms <= threshold
        signed = sides * h_planes
        ties = (h_planes == 0.0) & (sides == tie_sides(layer.activation, layer.width))
        if np.any(constant & ~((signed > 0.0) | ties)):
            feasible = False
        cut = ~constant
        rows.append(-(sides[cut, None] * G_planes[cut]) / norms[cut, None])
        rhs.append(signed[cut] / norms[cut])
        labels.append(first_label[index] + np.flatnonzero(cut).astype(np.int64))
        slope, shift = state_slope_offset(states, layer)
        M, m = slope[:, None] * G, slope * beta + shift
    dim = domain.dim
    return PatternConstraints(
        A=np.ascontiguousarray(np.vstack(rows)), b=np.concatenate(rhs),
        labels=np.concatenate(labels),
        gradients=np.vstack(gradients) if gradients else np.zeros((0, dim)),
        offsets=np.concatenate(offsets) if offsets else np.zeros(0),
        feasible=feasible, C=M, d=m)


def patterns_at(network: Network, domain: Domain, points) -> np.ndarray:
    """Activation patterns of working-coordinate points under the enumeration's rule.

    The rule of :func:`pattern_constraints` and of every engine: layer by
    layer, under the states of the earlier layers, a neuron whose
    pre-activation gradient is below the ``ZERO_NORM`` rounding bound is
    constant there and takes the state of its constant (a dead neuron, or one
    that cancels only up to rounding, such as ``x - 3x * fl(1/3)``); the other
    neurons take the state of their value at the point. The float forward pass
    (:meth:`Network.activation_pattern`) can differ from it on the constant
    neurons, which is why the walk, its probes and the certificate use this.

    ``points`` has shape (k, dim) (or (dim,)); returns (k, P) int8 (or (P,)).

    >>> from regions import Network, whole_space
    >>> net = Network.from_layers([([[1.0, 0.0]], [0.0]), ([[1.0]], [0.0])])
    >>> patterns_at(net, whole_space(2), [[2.0, 0.0], [-2.0, 5.0]])
    array([[1],
           [0]], dtype=int8)
    """
    z = np.asarray(points, dtype=np.float64)
    single = z.ndim == 1
    z = np.atleast_2d(z)
    out = np.empty((z.shape[0], network.pattern_length), dtype=np.int8)
    # Points whose states agree so far share one local affine map: one group each.
    groups = [(np.arange(z.shape[0]), domain.basis, domain.origin)]
    position = 0
    for layer in network.layers:
        refined = []
        for members, M, m in groups:
            G = layer.weight @ M
            beta = layer.weight @ m + layer.bias
            if layer.activation == "identity":
                refined.append((members, G, beta))
                continue
            k = len(layer.breakpoints)
            G_planes, _, threshold = breakpoint_hyperplanes(layer, G, beta, M)
            constant = (np.linalg.norm(G_planes, axis=1) <= threshold)[::k]
            values = np.where(constant, beta, z[members] @ G.T + beta)
            states = neuron_states(values, layer.activation)
            out[members, position:position + layer.width] = states
            if np.all(states == states[0]):        # the common case: one region
                distinct, split = states[:1], [members]
            else:
                distinct, which = np.unique(states, axis=0, return_inverse=True)
                split = [members[which.ravel() == index] for index in range(len(distinct))]
            for row, part in zip(distinct, split):
                slope, shift = state_slope_offset(row, layer)
                refined.append((part, slope[:, None] * G, slope * beta + shift))
        if layer.activation != "identity":
            position += layer.width
        groups = refined
    return out[0] if single else out


def minimal_rows(A: np.ndarray, b: np.ndarray, labels: np.ndarray, solver: LPSolver | None = None):
    """Drop redundant rows of ``A z <= b`` (unit-norm rows), one LP per row.

    Row ``i`` is redundant when maximising ``A[i] . z`` over the other kept
    rows (and ``A[i] . z <= b[i] + 1``, to stay bounded) cannot exceed
    ``b[i] + REDUNDANCY_GAP``. Rows are tested in order and removed as soon
    as found redundant, so of two identical rows exactly one is kept.
    Returns ``(A, b, labels)`` of the rows kept, in their order.

    The split engine keeps rows that later cuts made redundant
    (:attr:`regions.Region.A`); this gives the facets alone:

    >>> import numpy as np
    >>> import regions
    >>> A = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0], [1.0, 0.0]])
    >>> b = np.array([1.0, 1.0, 1.0, 1.0, 2.0])      # the last row: x <= 2, implied by x <= 1
    >>> A_min, b_min, labels = regions.minimal_rows(A, b, np.arange(5))
    >>> labels.tolist()
    [0, 1, 2, 3]
    """
    solver = solver or LPSolver()
    keep = np.ones(len(b), dtype=bool)
    for i in range(len(b)):
        keep[i] = False
        rows = np.vstack([A[keep], A[i]])
        rhs = np.append(b[keep], b[i] + 1.0)
        keep[i] = solver.maximize(np.ascontiguousarray(rows), rhs, A[i]) > b[i] + REDUNDANCY_GAP
    return A[keep], b[keep], labels[keep]


def minimal_representation(system: PatternConstraints, domain: Domain, solver: LPSolver):
    """Minimal H-representation of a pattern's region.

    Without LPs first: of rows with identical normals (hard-tanh's two
    breakpoints, duplicate neurons) only the tightest can bind, and a row that
    the domain's bounding box satisfies entirely is redundant. The remaining
    rows go through :func:`minimal_rows` (one LP each).
    """
    A, b, labels = system.A, system.b, system.labels
    order = np.lexsort((b,) + tuple(A.T[::-1]))  # identical normals adjacent, tightest first
    first = np.ones(len(b), dtype=bool)
    first[1:] = np.any(A[order[1:]] != A[order[:-1]], axis=1)
    keep = np.zeros(len(b), dtype=bool)
    keep[order[first]] = True
    if domain.is_bounded:
        highest = np.maximum(A * domain.lower, A * domain.upper).sum(axis=1)
        keep &= (labels < 0) | (highest > b)
    return minimal_rows(np.ascontiguousarray(A[keep]), b[keep], labels[keep], solver)
