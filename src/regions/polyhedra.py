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

from . import lp_exact
from .domain import Domain
from .errors import RegionsError
from .lp import LPSolver
from .network import Network, max_winners, sides_from_states
from .predicates import (Decisions, layer_hyperplanes, matrix_error, max_part, output_map,
                          unit_hyperplanes)
from .rounding import UNIT_ROUNDOFF, certified_signs, overflow_expected, row_norms, strict_slack
from .tolerances import BOUND_SAFETY

__all__ = ["PatternConstraints", "pattern_constraints", "patterns_at", "states_at", "minimal_rows"]


@dataclass(frozen=True)
class PatternConstraints:
    """What an activation pattern imposes, in working coordinates.

    Attributes
    ----------
    A : ndarray, shape (m, dim)
        The domain's rows first, then one unit row per breakpoint hyperplane whose
        pre-activation is not exactly constant, oriented so that the region of the pattern
        is ``A z <= b`` (closed).
    b : ndarray, shape (m,)
    labels : ndarray, shape (m,), int64
        Domain face ``-1 - k`` or breakpoint hyperplane label (the numbering of
        :meth:`regions.Partition.describe_label`).
    errors : ndarray, shape (m,)
        Each row's error bound (:mod:`regions.predicates`).
    sides : ndarray, shape (m,), int8
        The side (+1 / -1) of its hyperplane each row keeps; 0 for domain rows.
    gradients : ndarray, shape (H, dim)
        For every breakpoint hyperplane ``t`` of the network (``H`` of them, in
        label order), the unit row of ``pre-activation - breakpoint`` under the
        pattern (zero for an exactly constant one), or of a max layer's pair hyperplane
        (:func:`regions.network.max_pairs`); ``offsets`` (H,) its value at ``z = 0``.
    offsets : ndarray, shape (H,)
    feasible : bool
        False when an exactly constant pre-activation contradicts its neuron's state
        (the pattern's region is then empty).
    C : ndarray, shape (out, dim)
    d : ndarray, shape (out,)
        The network's output ``y = C z + d`` under the pattern (float64).
    map_error : ndarray, shape (out,)
        Bound on the error of each row of ``[C | d]`` against the exact map.
    """

    A: np.ndarray
    b: np.ndarray
    labels: np.ndarray
    errors: np.ndarray
    sides: np.ndarray
    gradients: np.ndarray
    offsets: np.ndarray
    feasible: bool
    C: np.ndarray
    d: np.ndarray
    map_error: np.ndarray


@overflow_expected
def pattern_constraints(network: Network, domain: Domain, pattern,
                        decisions: Decisions | None = None) -> PatternConstraints:
    """The closed polyhedron of points of ``domain`` whose activation pattern is ``pattern``.

    ``pattern`` has shape (P,) with the state codes of :mod:`regions.network`.
    The closure is exact (pattern regions are convex): it is the domain cut by
    every breakpoint hyperplane on the side the pattern asks for. A
    pre-activation that is exactly constant adds no row but may make the pattern
    infeasible; constancy and the constants' signs are decided exactly
    (:func:`regions.predicates.layer_hyperplanes`; ``decisions`` carries the exact
    path and its counters). Maps that overflow float64 (weights of 1e200 and more) give
    rows of inf or NaN, which certify nothing: the exact path decides there, without
    numpy's warnings.
    """
    domain = domain.resolve(network.input_dim)
    pattern = np.asarray(pattern)
    if pattern.shape != (network.pattern_length,):
        raise RegionsError(f"pattern must have shape ({network.pattern_length},), "
                           f"got {pattern.shape}")
    decisions = decisions or Decisions(network, domain)
    M, m, M_error = domain.basis, domain.origin, domain.basis_error()
    norms = row_norms(domain.A)
    rows, rhs = [domain.A / norms[:, None]], [domain.b / norms]
    errors = [2 * UNIT_ROUNDOFF * np.maximum(np.max(np.abs(rows[0]), axis=1, initial=0.0),
                                             np.abs(rhs[0])) * BOUND_SAFETY]
    sides_kept = [np.zeros(domain.A.shape[0], np.int8)]
    labels = [-1 - np.arange(domain.A.shape[0], dtype=np.int64)]
    gradients, offsets = [], []
    feasible = True
    first_label, position = network.label_offsets(), 0
    previous = None
    for index, layer in enumerate(network.layers):
        G = layer.weight @ M
        beta = layer.weight @ m + layer.bias
        G_error = matrix_error(layer.weight, M, m, layer.bias, M_error)
        if layer.activation == "identity":
            M, m, M_error = G, beta, G_error
            continue
        states = pattern[position:position + layer.width]
        if layer.activation == "max":
            feasible &= _max_rows(decisions, pattern, index, layer, states, G, beta, G_error,
                                  int(first_label[index]), rows, rhs, errors, sides_kept,
                                  labels, gradients, offsets)
            position += layer.width
            M, m, M_error = output_map(layer, states, G, beta, G_error)
            previous = states
            continue
        planes = layer_hyperplanes(decisions, pattern, index, layer, G, beta, G_error, previous)
        position += layer.width
        gradients.append(planes.a)
        offsets.append(planes.c)
        sides = sides_from_states(states, layer.activation)
        if np.any(planes.constant & (planes.side != sides)):
            feasible = False
        cut = ~planes.constant
        rows.append(-(sides[cut, None] * planes.a[cut]))
        rhs.append(sides[cut] * planes.c[cut])
        errors.append(planes.e[cut])
        sides_kept.append(sides[cut].astype(np.int8))
        labels.append(first_label[index] + np.flatnonzero(cut).astype(np.int64))
        M, m, M_error = output_map(layer, states, G, beta, G_error)
        previous = states
    dim = domain.dim
    return PatternConstraints(
        A=np.ascontiguousarray(np.vstack(rows)), b=np.concatenate(rhs),
        labels=np.concatenate(labels), errors=np.concatenate(errors),
        sides=np.concatenate(sides_kept),
        gradients=np.vstack(gradients) if gradients else np.zeros((0, dim)),
        offsets=np.concatenate(offsets) if offsets else np.zeros(0),
        feasible=feasible, C=M, d=m, map_error=M_error)


def _max_rows(decisions: Decisions, pattern: np.ndarray, index: int, layer, states, G, beta,
              G_error, first: int, rows: list, rhs: list, errors: list, sides_kept: list,
              labels: list, gradients: list, offsets: list) -> bool:
    """Append a max layer's rows under its ``states`` (the pairs of each unit with its
    argmax, :func:`regions.predicates.max_part`) to the lists; False when an exactly
    constant pair rules a state out."""
    feasible = True
    for unit in range(layer.width):
        planes = unit_hyperplanes(decisions, pattern, first, layer, unit, G, beta, G_error)
        gradients.append(planes.a)
        offsets.append(planes.c)
        state = int(states[unit])
        size = int(layer.window_sizes[unit])
        part = max_part(planes, state) if 0 <= state < size else None
        if part is None:
            feasible = False
        else:
            pairs, sides = part
            rows.append(-(sides[:, None] * planes.a[pairs]))
            rhs.append(sides * planes.c[pairs])
            errors.append(planes.e[pairs])
            sides_kept.append(sides.astype(np.int8))
            labels.append(first + pairs)
        first += planes.a.shape[0]
    return feasible


def patterns_at(network: Network, domain: Domain, points,
                decisions: Decisions | None = None) -> np.ndarray:
    """Activation patterns of working-coordinate points, decided exactly.

    Layer by layer, under the states of the earlier layers, a neuron takes the
    state of its exact value at the point (a point is a float64, an exact
    rational), the value exactly at a breakpoint following the tie rule of
    :func:`regions.network.neuron_states`; a max unit takes the position of its largest
    input, ties to the lowest (from the exact signs of its pair hyperplanes).
    The float value decides when it is
    farther from the breakpoint than its error bound, the exact path otherwise.
    The float forward pass (:meth:`Network.activation_pattern`) can differ on points
    within rounding of a breakpoint; the walk, its looks across facets and the
    certificate use this.

    ``points`` has shape (k, dim) (or (dim,)); returns (k, P) int8 (or (P,)).

    >>> from regions import Network, whole_space
    >>> net = Network.from_layers([([[1.0, 0.0]], [0.0]), ([[1.0]], [0.0])])
    >>> patterns_at(net, whole_space(2), [[2.0, 0.0], [-2.0, 5.0], [0.0, 1.0]])
    array([[1],
           [0],
           [0]], dtype=int8)
    """
    z = np.asarray(points, dtype=np.float64)
    single = z.ndim == 1
    z = np.atleast_2d(z)
    decisions = decisions or Decisions(network, domain)
    out = np.empty((z.shape[0], network.pattern_length), dtype=np.int8)
    # Points whose states agree so far share one local affine map: one group each.
    groups = [(np.arange(z.shape[0]), domain.basis, domain.origin, domain.basis_error())]
    position, labels = 0, network.label_offsets()
    for index, layer in enumerate(network.layers):
        refined = []
        for members, M, m, M_error in groups:
            G = layer.weight @ M
            beta = layer.weight @ m + layer.bias
            G_error = matrix_error(layer.weight, M, m, layer.bias, M_error)
            if layer.activation == "identity":
                refined.append((members, G, beta, G_error))
                continue
            if layer.activation == "max":
                states = _max_states_at(decisions, out[members[0]], int(labels[index]), layer,
                                        G, beta, G_error, z[members])
                out[members, position:position + layer.width] = states
                distinct, which = np.unique(states, axis=0, return_inverse=True)
                for row_index, row in enumerate(distinct):
                    part = members[which.ravel() == row_index]
                    refined.append((part, *output_map(layer, row, G, beta, G_error)))
                continue
            k = len(layer.breakpoints)
            offsets = np.tile(np.asarray(layer.breakpoints), layer.width)
            rows = np.repeat(G, k, axis=0)
            shifted = np.repeat(beta, k) - offsets
            signs, values = certified_signs(rows, shifted, np.repeat(G_error, k), z[members])
            for i, t in zip(*np.nonzero(signs == 0)):
                if decisions.settle():
                    partial = out[members[i]].copy()
                    signs[i, t] = decisions.side_at_point(partial, int(labels[index] + t),
                                                          z[members[i]])
                else:
                    signs[i, t] = decisions.float_only_sign(values[i, t], "a pre-activation")
            states = states_at(signs, layer.activation)
            out[members, position:position + layer.width] = states
            distinct, which = np.unique(states, axis=0, return_inverse=True)
            for row_index, row in enumerate(distinct):
                part = members[which.ravel() == row_index]
                refined.append((part, *output_map(layer, row, G, beta, G_error)))
        if layer.activation != "identity":
            position += layer.width
        groups = refined
    return out[0] if single else out


def _max_states_at(decisions: Decisions, prefix: np.ndarray, first: int, layer, G, beta,
                   G_error, points: np.ndarray) -> np.ndarray:
    """States (k, units) int8 of a max layer's units at ``points`` (k, dim) that share the
    earlier states ``prefix`` (a pattern whose earlier layers are filled), exactly: each
    unit's pair hyperplanes (:func:`regions.predicates.unit_hyperplanes`) are signed in
    float64 where certified, in rationals otherwise; ``first`` is the layer's first label."""
    states = np.empty((points.shape[0], layer.width), dtype=np.int8)
    for unit in range(layer.width):
        planes = unit_hyperplanes(decisions, prefix, first, layer, unit, G, beta, G_error)
        signs, values = certified_signs(planes.a, planes.c, planes.e, points)
        signs[:, planes.constant] = planes.side[planes.constant]
        for i, t in zip(*np.nonzero(signs == 0)):
            if decisions.settle():
                signs[i, t] = decisions.side_at_point(prefix, first + int(t), points[i])
            else:
                signs[i, t] = decisions.float_only_sign(values[i, t], "a max unit's difference")
        size = int(layer.window_sizes[unit])
        states[:, unit] = max_winners(signs, size)
        first += planes.a.shape[0]
    return states


def states_at(signs: np.ndarray, activation: str) -> np.ndarray:
    """Neuron states from the exact signs (-1, 0, +1) of ``pre-activation - breakpoint``
    (``(k, width * breakpoints)`` in label order), by :func:`regions.network.neuron_states`'s
    rule: at a breakpoint a ReLU is off, a hard-tanh linear."""
    if activation == "hardtanh":
        low, high = signs[:, 0::2], signs[:, 1::2]
        return np.where(high > 0, 1, np.where(low < 0, -1, 0)).astype(np.int8)
    return (signs > 0).astype(np.int8)


def minimal_rows(A: np.ndarray, b: np.ndarray, labels: np.ndarray, solver: LPSolver | None = None):
    """Drop the rows of ``A z <= b`` that are not facets, exactly.

    Row ``i`` is kept when some point satisfies the other kept rows and violates row
    ``i``: the largest ball in that set (an LP) certifies it when float64 shows its
    center strictly inside (``regions.rounding.strict_slack``); otherwise an exact
    rational LP (``regions.lp_exact.compare_max``) decides. Rows are tested in
    order and removed as soon as found redundant, so of two identical rows exactly one
    is kept; a row that only touches the polyhedron (at a lower-dimensional face) is
    dropped. Returns ``(A, b, labels)`` of the rows kept, in their order.

    Exact for the rows as given. The rows of ``regions.Region.A`` are unit-normalised
    and rounded to float64, so near a degenerate vertex (three hyperplanes exactly
    concurrent, say) their minimal set can differ from the region's exact facets:
    ``regions.analysis.crossings.partition_facets`` gives those.

    >>> import numpy as np
    >>> import regions
    >>> A = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0], [1.0, 0.0]])
    >>> b = np.array([1.0, 1.0, 1.0, 1.0, 2.0])      # the last row: x <= 2, implied by x <= 1
    >>> A_min, b_min, labels = regions.minimal_rows(A, b, np.arange(5))
    >>> labels.tolist()
    [0, 1, 2, 3]
    """
    solver = solver or LPSolver()
    A, b = np.asarray(A, dtype=np.float64), np.asarray(b, dtype=np.float64)
    keep = np.ones(len(b), dtype=bool)
    for i in range(len(b)):
        keep[i] = False
        keep[i] = _beyond(A[keep], b[keep], A[i], b[i], solver)
    return A[keep], b[keep], labels[keep]


def _beyond(A: np.ndarray, b: np.ndarray, a: np.ndarray, c: float, solver: LPSolver) -> bool:
    """Whether some point of ``{A z <= b}`` has ``a . z > c``, exactly."""
    rows = np.vstack([A, -a])
    rhs = np.append(b, -c)
    norms = row_norms(rows)
    if np.all(norms > 0.0):
        ball = solver.proposal(np.ascontiguousarray(rows / norms[:, None]), rhs / norms)
        if ball.radius > 0.0 and strict_slack(rows, rhs, np.zeros(len(rhs)), ball.center):
            return True
    return lp_exact.compare_max(A, b, a, -c) > 0
