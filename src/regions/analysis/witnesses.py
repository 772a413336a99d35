"""Re-verification of witnesses in rational arithmetic.

Every float64 is a rational number, so the network's weights, the domain's
constraints and each witness can be converted to :class:`fractions.Fraction`
without error. :func:`exact_check` pushes each region's witness through the
network in exact arithmetic and checks that it lies *strictly* inside its
region: strictly inside the domain, and every neuron strictly on the side of
its breakpoint(s) that its state claims, and every max unit's state the position of
its strictly largest input. The one allowed equality is a neuron
whose pre-activation is exactly constant on the region (a dead neuron, a zero
row): its state then follows the tie rule of :func:`regions.network.neuron_states`;
for a max unit, an input that differs from the winner's by an exact constant (the same
gradient) and ties it from a later position (ties go to the lowest position).
No tolerance is involved: a failure is a real error of the enumeration.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ..network import Network, neuron_states, state_interval, state_slope_offset

__all__ = ["ExactFailure", "check_point", "exact_affine_map", "exact_check"]


@dataclass(frozen=True)
class ExactFailure:
    """A region whose witness fails the exact check: ``region`` index and a ``reason``."""

    region: int
    reason: str


def _fractions(array) -> list:
    """Numbers (floats, or Fractions kept as they are) as a flat list of Fractions."""
    if isinstance(array, (tuple, list)) and array and isinstance(array[0], Fraction):
        return list(array)
    return [Fraction(float(v)) for v in np.asarray(array, dtype=np.float64).ravel()]


def _exact_basis(domain) -> list:
    """The domain's exact basis (a slice's rational directions) as rows of Fractions."""
    basis = domain.exact_basis()
    return [[Fraction(int(basis[i, k].p), int(basis[i, k].q)) for k in range(basis.ncols())]
            for i in range(basis.nrows())]


def _affine_input(domain, z: list) -> tuple[list, list]:
    """Exact input point x = origin + basis z and its gradient d x / d z, per input coordinate."""
    origin = _fractions(domain.origin)
    values, gradients = [], []
    for i, row in enumerate(_exact_basis(domain)):
        values.append(origin[i] + sum(r * zk for r, zk in zip(row, z)))
        gradients.append(row)
    return values, gradients


def check_point(network: Network, domain, witness, pattern) -> str | None:
    """``None`` if ``witness`` (working coordinates; floats, or a tuple of Fractions) strictly
    has ``pattern``; else a reason."""
    z = _fractions(witness)
    A = np.asarray(domain.A)
    for i, bound in enumerate(_fractions(domain.b)):
        lhs = sum(a * zk for a, zk in zip(_fractions(A[i]), z))
        if not lhs < bound:
            return f"witness not strictly inside domain face {i}"
    values, gradients = _affine_input(domain, z)
    position = 0
    for index, layer in enumerate(network.layers):
        weight, bias = layer.weight, _fractions(layer.bias)
        pre_values, pre_gradients = [], []
        for j in range(layer.pre_width):
            row = _fractions(weight[j])
            pre_values.append(bias[j] + sum(w * v for w, v in zip(row, values)))
            pre_gradients.append([sum(w * g[k] for w, g in zip(row, gradients))
                                  for k in range(len(z))])
        if layer.activation == "identity":
            values, gradients = pre_values, pre_gradients
            continue
        if layer.activation == "max":
            states = pattern[position:position + layer.width]
            reason = _max_reason(pre_values, pre_gradients, layer, states, index)
            if reason is not None:
                return reason
            chosen = _chosen_rows(layer, states)
            values = [pre_values[r] for r in chosen]
            gradients = [pre_gradients[r] for r in chosen]
            position += layer.width
            continue
        out_values, out_gradients = [], []
        for j, (value, gradient) in enumerate(zip(pre_values, pre_gradients)):
            state = int(pattern[position + j])
            if not _strictly_in_state(value, state, layer.activation):
                constant = all(g == 0 for g in gradient)
                tie_state = int(neuron_states(np.array([float(value)]), layer.activation)[0])
                if not (constant and tie_state == state):
                    return (f"layer {index} neuron {j}: pre-activation {float(value)!r} "
                            f"is not strictly in state {state}")
            slope, offset = _local_affine(state, layer)
            out_values.append(slope * value + offset)
            out_gradients.append([slope * g for g in gradient])
        position += layer.width
        values, gradients = out_values, out_gradients
    return None


def _max_reason(values: list, gradients: list, layer, states, index: int) -> str | None:
    """None if every max unit's state is the position of its strictly largest input, up to
    the allowed equality: an input whose difference with the winner is exactly constant
    (the same gradient) may tie it from a later position; else a reason."""
    for unit, (window, state) in enumerate(zip(layer.windows, states)):
        size, state = int(np.count_nonzero(window >= 0)), int(state)
        if not 0 <= state < size:
            return f"layer {index} unit {unit}: state {state} is no position of its window"
        top = int(window[state])
        for position in range(size):
            other = int(window[position])
            if position == state or values[other] < values[top]:
                continue
            tie_allowed = position > state and values[other] == values[top]
            if not (tie_allowed and gradients[other] == gradients[top]):
                return (f"layer {index} unit {unit}: input {position} is not strictly below "
                        f"input {state}, the state's")
    return None


def _chosen_rows(layer, states) -> list:
    """The pre-activation each max unit's state selects (its output)."""
    return [int(layer.windows[unit, int(state)]) for unit, state in enumerate(states)]


def _strictly_in_state(value: Fraction, state: int, activation: str) -> bool:
    lo, hi = state_interval(state, activation)
    return (lo == -np.inf or Fraction(lo) < value) and (hi == np.inf or value < Fraction(hi))


def _local_affine(state: int, layer) -> tuple[Fraction, Fraction]:
    """The activation's slope and offset in ``state`` (:func:`regions.network.state_slope_offset`),
    exactly: they are 0, 1, the leaky slope or +-1, all floats."""
    slope, offset = state_slope_offset(np.array([state], dtype=np.int8), layer)
    return Fraction(float(slope[0])), Fraction(float(offset[0]))


def exact_affine_map(network: Network, domain, pattern) -> tuple:
    """The network's map ``C z + d`` on the region of ``pattern`` (working coordinates of
    ``domain``), in exact rationals: ``(C, d)`` as tuples of tuples of ``Fraction``.

    >>> from regions import Network, box
    >>> net = Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]), ([[1.0, 0.5]], [0.0])])
    >>> C, d = exact_affine_map(net, box(-1, 1).resolve(2), [1, 0])
    >>> [[str(c) for c in row] for row in C], [str(v) for v in d]
    ([['1', '0']], ['0'])
    """
    M = _exact_basis(domain)                                # (in, dim)
    m = _fractions(domain.origin)
    position = 0
    for layer in network.layers:
        W = [_fractions(row) for row in layer.weight]
        b = _fractions(layer.bias)
        G = [[sum((w * M[k][j] for k, w in enumerate(row)), Fraction(0))
              for j in range(len(M[0]))] for row in W]
        beta = [sum((w * m[k] for k, w in enumerate(row)), Fraction(0)) + bias
                for row, bias in zip(W, b)]
        if layer.activation == "identity":
            M, m = G, beta
            continue
        states = pattern[position:position + layer.width]
        position += layer.width
        if layer.activation == "max":
            chosen = _chosen_rows(layer, states)
            M, m = [G[r] for r in chosen], [beta[r] for r in chosen]
            continue
        local = [_local_affine(int(s), layer) for s in states]
        M = [[slope * g for g in row] for (slope, _), row in zip(local, G)]
        m = [slope * value + offset for (slope, offset), value in zip(local, beta)]
    return tuple(map(tuple, M)), tuple(m)


def exact_check(partition) -> list[ExactFailure]:
    """Check every region's witness exactly (its rational witness when it has one: a region
    too thin for a certified float64 point); return the failures (empty when all pass)."""
    failures = []
    for index in range(len(partition)):
        witness = partition.rational_witnesses.get(index, partition.witnesses[index])
        reason = check_point(partition.network, partition.domain, witness,
                             partition.patterns[index])
        if reason is not None:
            failures.append(ExactFailure(index, reason))
    return failures
