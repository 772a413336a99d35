"""Every geometric decision of the enumeration, decided exactly.

A decision is a *predicate*: the sign of an exact rational quantity (the side of
a hyperplane a point lies on; whether a gradient is zero; whether a hyperplane
reaches into a cell). Each one is first evaluated in float64 together with a
rigorous bound on its rounding error (Higham, *Accuracy and Stability of
Numerical Algorithms*, ch. 3: ``|fl(a . x) - a . x| <= gamma_n |a| . |x|`` with
``gamma_n = n u / (1 - n u)``, ``u = 2^-53``); when the value is farther from
zero than its bound, its sign is certified. Otherwise the predicate is
evaluated again in exact rational arithmetic (python-flint), from the network's
and the domain's float64 numbers taken as the rationals they are
(:mod:`regions.rational`). This is the filtered-predicate method of CGAL's exact
kernels and Shewchuk's adaptive predicates: exactness costs almost nothing when
the float value is far from zero, which is nearly always.

*Error bounds.* Every float row ``(a, c)`` of a hyperplane ``a . z + c`` carries a
bound ``e`` such that the exact row ``(a*, c*)``, scaled by the same positive
factor, satisfies ``|(a . z + c) - (a* . z + c*)| <= e (|z|_1 + 1)`` for every
``z``. A float map ``M z + m`` carries a bound per row on the largest error of
its entries.

:class:`Decisions` counts the predicates that needed rational arithmetic
(``exact_decisions``) and, in the float-only mode (``exact=False``), settles them
by the float value instead and counts them as ``uncertain_decisions``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from flint import fmpq, fmpq_mat

from . import lp_exact
from .domain import Domain
from .errors import float64_overflow
from ._maps import hyperplane_rows, map_error
from .network import Layer, Network, max_sides, state_slope_offset, tie_sides
from .rational import RationalMaps, fraction
from .rounding import SMALLEST_SUBNORMAL, UNIT_ROUNDOFF, gamma, row_norms
from .tolerances import BOUND_SAFETY

__all__ = ["matrix_error", "dual_bound", "Decisions", "Hyperplanes", "layer_hyperplanes",
           "unit_hyperplanes", "max_part", "output_map"]


def matrix_error(W: np.ndarray, M: np.ndarray, m: np.ndarray, bias: np.ndarray,
                 M_error: np.ndarray) -> np.ndarray:
    """Error bound of each row of ``[W M | W m + bias]`` computed in float64 from a map
    ``M z + m`` (n_in rows) whose rows err by at most ``M_error`` (n_in,) in every entry.

    Returns (n,): a bound on the largest entry error of each row of the product, from
    the exact ``W`` (the network's float64 weights) and the exact map
    (:func:`regions._maps.map_error`).
    """
    return map_error(_doubles(W), _doubles(M), _doubles(m), _doubles(bias), _doubles(M_error))


def _doubles(array: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(array, dtype=np.float64)


def _finite_start(point):
    """``point`` as the exact LP's starting guess, or None when a float LP that overflowed
    left it non-finite (the guess only speeds the exact LP up)."""
    if point is None or not np.all(np.isfinite(np.asarray(point, dtype=np.float64))):
        return None
    return point


def dual_bound(A: fmpq_mat, b: fmpq_mat, f: list, f0: fmpq, rows: list) -> bool:
    """Whether multipliers on ``rows`` of ``A z <= b`` prove ``f . z + f0 <= 0`` on the
    whole polyhedron, exactly: ``lambda >= 0`` with ``A_rows^T lambda = f`` and
    ``lambda . b_rows + f0 <= 0`` (weak duality). The rows are those a float LP found
    binding; False when they are dependent or give no such multipliers.

    On the unit square, ``x + y - 2 <= 0`` follows from ``x <= 1`` and ``y <= 1``, and
    ``x + y - 1 <= 0`` from nothing (it is false):

    >>> square = fmpq_mat([[1, 0], [0, 1], [-1, 0], [0, -1]])
    >>> ones = fmpq_mat([[1], [1], [0], [0]])
    >>> [dual_bound(square, ones, [fmpq(1), fmpq(1)], fmpq(f0), [0, 1]) for f0 in (-2, -1)]
    [True, False]
    >>> dual_bound(square, ones, [fmpq(1), fmpq(1)], fmpq(-2), [0])      # f outside the span
    False
    >>> dual_bound(square, ones, [fmpq(-1), fmpq(-1)], fmpq(-2), [0, 1])  # negative multipliers
    False
    """
    dim, k = A.ncols(), len(rows)
    system = fmpq_mat(dim, k + 1, [v for j in range(dim)
                                   for v in [A[i, j] for i in rows] + [f[j]]])
    reduced, rank = system.rref()
    if rank != k or any(reduced[i, i] != 1 for i in range(k)):
        return False    # dependent rows, or f outside their span (then rank is k + 1)
    multipliers = [reduced[i, k] for i in range(k)]
    if any(value < 0 for value in multipliers):
        return False
    return sum((m * b[i, 0] for m, i in zip(multipliers, rows)), fmpq(0)) + f0 <= 0


class Decisions:
    """The exact side of every decision of one enumeration, and its counters.

    Parameters
    ----------
    network, domain
        What is enumerated; ``domain`` is the engine's working domain (scaled by a power
        of two, so its rationals are exact too).
    exact : bool
        False for the float-only mode: undecided predicates are settled by their float
        value and counted in ``uncertain_decisions``.
    """

    def __init__(self, network: Network, domain: Domain, exact: bool = True):
        self.network, self.domain, self.exact = network, domain, exact
        self.exact_decisions = 0
        self.uncertain_decisions = 0
        self._maps: RationalMaps | None = None
        self.labels = network.label_offsets()

    @property
    def maps(self) -> RationalMaps:
        """The exact maps (built on first use: most runs never need them)."""
        if self._maps is None:
            self._maps = RationalMaps(self.network, self.domain)
        return self._maps

    def settle(self) -> bool:
        """Count one undecided predicate; True when it must be decided exactly, False in the
        float-only mode (then the caller answers by the float value, as
        :meth:`float_only_sign`)."""
        if self.exact:
            self.exact_decisions += 1
            return True
        self.uncertain_decisions += 1
        return False

    @staticmethod
    def float_only_sign(value: float, what: str) -> int:
        """The float-only mode's answer to an undecided predicate: the sign of its float
        ``value``; a DomainError when that overflowed to inf or NaN (it has no sign), naming
        ``what`` (:func:`regions.errors.float64_overflow`)."""
        if not np.isfinite(value):
            raise float64_overflow(what, remedy="; the exact mode (exact=True) decides it "
                                               "exactly")
        return int(np.sign(value))

    # ------------------------------------------------------------------ exact rows

    def row(self, pattern: np.ndarray, label: int) -> tuple[list, fmpq]:
        """Exact ``(a, c)`` of a constraint label under ``pattern``: a hyperplane
        ``a . z + c`` (pre-activation minus breakpoint), or a domain face as
        ``a . z + c <= 0`` inside."""
        if label < 0:
            return self.maps.domain_row(-1 - int(label))
        return self.maps.hyperplane(pattern, int(label))

    def oriented_rows(self, pattern: np.ndarray, labels: np.ndarray,
                      sides: np.ndarray) -> tuple[fmpq_mat, fmpq_mat]:
        """The exact cell ``{z : A z <= b}`` from constraint labels and the side (+1 / -1)
        the cell lies on for each hyperplane label (domain faces ignore their side)."""
        dim = self.domain.dim
        A = fmpq_mat(len(labels), dim)
        b = fmpq_mat(len(labels), 1)
        for i, (label, side) in enumerate(zip(labels, sides)):
            a, c = self.row(pattern, int(label))
            sign = 1 if label < 0 else -int(side)       # side s: s (a z + c) >= 0
            for k in range(dim):
                A[i, k] = sign * a[k]
            b[i, 0] = -sign * c
        return A, b

    # ------------------------------------------------------------------ predicates

    def zero_gradient(self, pattern: np.ndarray, layer: int, neuron: int) -> bool:
        """Whether neuron ``neuron`` of ``layer`` has an exactly constant pre-activation
        under ``pattern``'s earlier states."""
        G, _ = self.maps.preactivation(pattern, layer)
        return all(G[neuron, k] == 0 for k in range(G.ncols()))

    def zero_row(self, pattern: np.ndarray, label: int) -> bool:
        """Whether hyperplane ``label``'s gradient is exactly zero under ``pattern``."""
        a, _ = self.row(pattern, label)
        return all(v == 0 for v in a)

    def constant_sign(self, pattern: np.ndarray, label: int) -> int:
        """Sign (-1, 0, +1) of the exact constant term of hyperplane ``label``."""
        _, c = self.row(pattern, label)
        return (c > 0) - (c < 0)

    def constant_side(self, pattern: np.ndarray, layer: int, neuron: int,
                      breakpoint: float) -> int:
        """Sign of the exact constant ``pre-activation - breakpoint`` (-1, 0, +1)."""
        _, beta = self.maps.preactivation(pattern, layer)
        value = beta[neuron, 0] - fraction(breakpoint)
        return (value > 0) - (value < 0)

    def side_at_point(self, pattern: np.ndarray, label: int, point) -> int:
        """Exact sign of hyperplane ``label`` at a point (floats or rationals)."""
        a, c = self.row(pattern, label)
        value = c + sum((ak * fraction(x) for ak, x in zip(a, point)), fmpq(0))
        return (value > 0) - (value < 0)

    def reaches(self, pattern: np.ndarray, labels: np.ndarray, sides: np.ndarray,
                label: int, side: int, start=None, basis=None) -> bool:
        """Whether hyperplane ``label``'s ``side`` (+1 / -1) meets the interior of the exact
        cell (rows ``labels`` on ``sides``): ``sup side * (a . z + c) > 0`` over it.
        ``basis``: the rows a float LP found binding at that sup; when exact multipliers on
        them prove the sup is at most 0 (:func:`dual_bound`), no exact LP is solved."""
        a, c = self.row(pattern, label)
        f = [side * ak for ak in a]
        if basis:       # the multipliers need the rows of the basis only
            A, b = self.oriented_rows(pattern, labels[basis], sides[basis])
            if dual_bound(A, b, f, side * c, list(range(len(basis)))):
                return False
        A, b = self.oriented_rows(pattern, labels, sides)
        return lp_exact.compare_max(A, b, f, side * c, start=_finite_start(start),
                                    basis=basis) > 0

    def interior_point(self, pattern: np.ndarray, labels: np.ndarray,
                       sides: np.ndarray, start=None) -> tuple | None:
        """An exact point strictly inside the cell, as a tuple of ``fractions.Fraction``,
        or None when the cell has no interior."""
        A, b = self.oriented_rows(pattern, labels, sides)
        point = lp_exact.interior_point(A, b, start=_finite_start(start))
        if point is None:
            return None
        return tuple(Fraction(int(v.p), int(v.q)) for v in point)

    def equal_maps(self, first: np.ndarray, second: np.ndarray) -> bool:
        """Whether the network's affine maps under two patterns are exactly equal."""
        return self.maps.output_map(first) == self.maps.output_map(second)

    def counters(self) -> dict:
        return {"exact_decisions": self.exact_decisions,
                "uncertain_decisions": self.uncertain_decisions}


@dataclass(frozen=True)
class Hyperplanes:
    """The breakpoint hyperplanes of one layer on one cell, decided where they are constant.

    Hyperplane ``t`` (neuron-major, breakpoint-minor: the label order) is
    ``a[t] . z + c[t]`` (pre-activation minus breakpoint, divided by the gradient's float
    norm, so ``a`` is a unit row up to rounding) with error bound ``e[t]``
    (see the module docstring). ``constant[t]`` marks a neuron whose pre-activation is
    exactly constant on the cell; ``side[t]`` is then the sign of the exact constant (the
    activation's tie rule where it is 0), and 0 elsewhere.
    """

    a: np.ndarray
    c: np.ndarray
    e: np.ndarray
    constant: np.ndarray
    side: np.ndarray


def layer_hyperplanes(decisions: Decisions, pattern: np.ndarray, index: int, layer: Layer,
                      G: np.ndarray, beta: np.ndarray, G_error: np.ndarray,
                      input_states: np.ndarray | None = None) -> Hyperplanes:
    """The :class:`Hyperplanes` of ``layer`` (layer number ``index``) from its float
    pre-activation map ``G z + beta`` with row error bounds ``G_error``; ``pattern`` holds
    the states of the layers before it (for the exact path). A gradient is certified nonzero
    when larger than its bound, zero when it is exactly zero with no error or when every
    input it weighs is a neuron of the previous layer in a constant state
    (``input_states``, the previous layer's states, None when it has none); otherwise,
    and for constants too close to a breakpoint, the exact path decides."""
    k = len(layer.breakpoints)
    largest = np.max(np.abs(G), axis=1, initial=0.0)
    nonzero = largest > G_error
    zero = (largest == 0.0) & (G_error == 0.0)
    undecided = np.flatnonzero(~(nonzero | zero))
    previous = decisions.network.layers[index - 1] if index > 0 else None
    if (undecided.size and input_states is not None and previous is not None
            and previous.activation not in ("identity", "max")
            and len(input_states) == layer.weight.shape[1]):
        slopes = state_slope_offset(input_states, previous)[0]
        feeding = (layer.weight != 0.0) & (slopes != 0.0)
        zero |= (largest == 0.0) & ~feeding.any(axis=1)
        undecided = np.flatnonzero(~(nonzero | zero))
    for j in undecided:
        if decisions.settle():
            zero[j] = decisions.zero_gradient(pattern, index, int(j))
        else:
            zero[j] = largest[j] == 0.0
    offsets = np.asarray(layer.breakpoints, dtype=np.float64)
    a, c, e = hyperplane_rows(_doubles(G), _doubles(beta), _doubles(G_error), zero, offsets)
    constant = np.repeat(zero, k) if k > 1 else zero
    side = np.zeros(a.shape[0], np.int8)
    for t in np.flatnonzero(constant):
        j, q = divmod(int(t), k)
        value = beta[j] - offsets[q]
        bound = (G_error[j] + UNIT_ROUNDOFF * abs(value)) * BOUND_SAFETY
        if abs(value) > bound:
            side[t] = 1 if value > 0 else -1
        elif decisions.settle():
            side[t] = decisions.constant_side(pattern, index, j, layer.breakpoints[q])
        else:
            side[t] = decisions.float_only_sign(value, "a neuron's constant pre-activation")
        if side[t] == 0:
            side[t] = tie_sides(layer.activation, layer.width)[t]
    return Hyperplanes(a, c, e, constant, side)


def unit_hyperplanes(decisions: Decisions, pattern: np.ndarray, label: int, layer: Layer,
                     unit: int, G: np.ndarray, beta: np.ndarray,
                     G_error: np.ndarray) -> Hyperplanes:
    """The pair hyperplanes of max unit ``unit`` of ``layer`` (``label``: the first label of
    the unit's pairs) on one cell, as :class:`Hyperplanes` in the unit's pair order
    (:func:`regions.network.max_pairs`): ``z[w[q]] - z[w[p]]`` divided by its float norm,
    from the float pre-activation map ``G z + beta`` with row error bounds ``G_error``.
    The difference and the division round once each, so the error bound is that of
    :func:`layer_hyperplanes` with both rows' errors. A pair whose difference is exactly
    constant on the cell (identical rows: a tie everywhere, or a dead input) gets the sign
    of the constant, a tie going to side -1 (the earlier position wins)."""
    window = layer.windows[unit]
    size = int(np.count_nonzero(window >= 0))
    first, second = np.triu_indices(size, 1)
    earlier, later = window[first], window[second]
    D = G[later] - G[earlier]
    shifted = beta[later] - beta[earlier]
    D_error = G_error[later] + G_error[earlier]
    largest = np.max(np.abs(D), axis=1, initial=0.0)
    nonzero = largest > D_error
    zero = (largest == 0.0) & (D_error == 0.0)
    for t in np.flatnonzero(~nonzero & ~zero):
        if decisions.settle():
            zero[t] = decisions.zero_row(pattern, label + int(t))
        else:
            zero[t] = largest[t] == 0.0
    norms = row_norms(D)
    norms = np.where(zero | (norms == 0.0), 1.0, norms)
    a = D / norms[:, None]
    a[zero] = 0.0
    c = shifted / norms
    scale = np.maximum(np.max(np.abs(a), axis=1, initial=0.0), np.abs(c))
    e = (D_error / norms + 2 * UNIT_ROUNDOFF * scale) * BOUND_SAFETY
    side = np.zeros(a.shape[0], np.int8)
    for t in np.flatnonzero(zero):
        value = shifted[t]
        bound = (D_error[t] + UNIT_ROUNDOFF * abs(value)) * BOUND_SAFETY
        if abs(value) > bound or bound == 0.0:    # bound 0: both inputs and 0 are exact
            side[t] = int(np.sign(value))
        elif decisions.settle():
            side[t] = decisions.constant_sign(pattern, label + int(t))
        else:
            side[t] = decisions.float_only_sign(value, "a max unit's constant difference")
        if side[t] == 0:
            side[t] = -1
    return Hyperplanes(a, c, e, zero, side)


def max_part(planes: Hyperplanes, winner: int) -> tuple[bool, np.ndarray, np.ndarray] | None:
    """The rows that bound the part of a cell where max position ``winner`` is the argmax,
    from its unit's :class:`Hyperplanes`: None when an exactly constant pair rules the
    winner out, else ``(pairs, sides)``, the unit's non-constant pairs with ``winner``
    (indices in pair order) and the side the part keeps of each
    (:func:`regions.network.max_sides`)."""
    size = int(round((1 + np.sqrt(1 + 8 * planes.a.shape[0])) / 2))
    pairs, sides = max_sides(size, winner)
    constant = planes.constant[pairs]
    if np.any(planes.side[pairs][constant] != sides[constant]):
        return None
    return pairs[~constant], sides[~constant]


def output_map(layer: Layer, states: np.ndarray, G: np.ndarray, beta: np.ndarray,
               G_error: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The layer's output ``slope * (G z + beta) + offset`` under its ``states``, as
    ``(M, m, M_error)``: the next layer's input map and its row error bounds (the slope
    scales the error; a slope other than 0 or 1, or an offset, rounds once more). A max
    layer's output is the row its state selects, unrounded."""
    if layer.activation == "max":
        rows = layer.windows[np.arange(layer.width), states.astype(np.int64)]
        return G[rows], beta[rows], G_error[rows]
    slope, shift = state_slope_offset(states, layer)
    M = slope[:, None] * G
    m = slope * beta + shift
    M_error = np.abs(slope) * G_error
    once_more = (slope != 0.0) & ((slope != 1.0) | (shift != 0.0))
    if once_more.any():             # never for relu: its slopes are 0 and 1, exact
        # a product may also lose half a subnormal spacing to underflow
        rounding = UNIT_ROUNDOFF * (np.abs(slope) * np.maximum(
            np.max(np.abs(G), axis=1, initial=0.0), np.abs(beta)) + np.abs(shift)) \
            + SMALLEST_SUBNORMAL
        M_error = M_error + np.where(once_more, rounding, 0.0)
    return M, m, M_error * BOUND_SAFETY
