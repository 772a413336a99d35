"""The pieces of lines through a network: where each neuron's breakpoint is crossed.

Along a line ``C + t A`` the input of every layer is piecewise affine in ``t``; on a
piece, each breakpoint of each neuron is crossed at most once, at the root of an affine
function, and the states between the roots give the next layer's affine input. Two
implementations of that sweep:

* :func:`rational_line_intervals`: in rational arithmetic (python-flint), exact.
* :func:`certified_line_intervals`: in float64, vectorised, with a rigorous error bound
  on every coefficient (Higham's ``gamma_n``, :mod:`regions.rounding`). A neuron's
  sign at a piece's ends, a root's enclosure and the order of the roots are used only
  when the bound certifies them; a line where one is not certified is left undecided.
  A max unit (max pooling, maxout) cuts a piece where two of its inputs cross: the roots
  of its pair differences, certified as a neuron's; its state on each sub-piece is the
  argmax the pairs' signs give, and neighbours with the same states are joined again.

:func:`line_pieces` runs the float sweep and redoes the undecided lines exactly: the
filtered-predicate pattern of the rest of the package, so its answer is exact.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from flint import fmpq, fmpq_mat

from ..domain import whole_space
from ..network import BREAKPOINTS, Network, max_pairs, max_winners, state_slope_offset
from ..exact_numbers import float_of
from ..rational import RationalMaps, fraction, state_from_signs
from ..rounding import UNIT_ROUNDOFF, affine_enclosure, overflow_expected, scaled_enclosure
from ..tolerances import BOUND_SAFETY

__all__ = ["line_pieces", "certified_line_intervals", "rational_line_intervals"]


@overflow_expected
def line_pieces(network: Network, C: fmpq_mat, A: fmpq_mat, lo: list, hi: list):
    """The pieces of the exact lines ``C + t A`` (fmpq_mat, (n, K)), ``lo[k] < t < hi[k]``
    (lists of fmpq, ``None`` unbounded), exactly.

    Returns ``(line (I,) int64, start (I,), stop (I,), width (I,), patterns (I, P) int8,
    exact)``: pieces ordered by line, then ``t``; ``start``/``stop`` rounded to float64
    (``-inf``, ``inf`` unbounded) and ``width`` their difference (rounded from the exact
    one on the lines swept exactly); ``exact`` the number of lines the float64 sweep
    could not certify and that were swept in rational arithmetic. A line with an empty
    range has no piece.
    """
    K = len(lo)
    keep = [k for k in range(K) if lo[k] is None or hi[k] is None or lo[k] < hi[k]]
    C, A = _columns(C, keep), _columns(A, keep)
    lo, hi = [lo[k] for k in keep], [hi[k] for k in keep]
    line, start, stop, patterns, undecided = certified_line_intervals(network, C, A, lo, hi)
    width = stop - start
    if undecided.size:
        redo = undecided.tolist()
        r_line, r_start, r_stop, r_patterns = rational_line_intervals(
            network, _columns(C, redo), _columns(A, redo), [lo[k] for k in redo],
            [hi[k] for k in redo])
        r_width = np.array([np.inf if a is None or b is None else float_of(b - a)
                            for a, b in zip(r_start, r_stop)])
        line = np.concatenate([line, undecided[r_line]])
        start = np.concatenate([start, _floats(r_start, -np.inf)])
        stop = np.concatenate([stop, _floats(r_stop, np.inf)])
        width = np.concatenate([width, r_width])
        patterns = np.concatenate([patterns, r_patterns])
        order = np.argsort(line, kind="stable")
        line, start, stop, width, patterns = (line[order], start[order], stop[order],
                                              width[order], patterns[order])
    return (np.asarray(keep, dtype=np.int64)[line], start, stop, width, patterns,
            int(undecided.size))


def _columns(M: fmpq_mat, keep: list) -> fmpq_mat:
    if len(keep) == M.ncols():
        return M
    rows = M.nrows()
    return fmpq_mat(rows, len(keep), [M[i, k] for i in range(rows) for k in keep])


def _floats(values: list, infinity: float) -> np.ndarray:
    """Rationals (``None`` infinite) rounded to float64, +-inf beyond its range."""
    return np.array([infinity if v is None else float_of(v) for v in values],
                    dtype=np.float64)


def _enclosed(values: list, infinity: float):
    """Rationals (``None`` infinite) as float64 ``(nearest, radius)`` with the exact value
    within ``radius`` of ``nearest`` (0 where the conversion is exact)."""
    nearest = _floats(values, infinity)
    inexact = np.array([v is not None and not (np.isfinite(f) and fraction(f) == v)
                        for v, f in zip(values, nearest)], dtype=bool)
    radius = np.where(inexact, 2.0 * UNIT_ROUNDOFF * np.abs(nearest) + np.finfo(float).tiny,
                      0.0)
    return nearest, radius


def certified_line_intervals(network: Network, C: fmpq_mat, A: fmpq_mat, lo: list, hi: list):
    """The float64 sweep of :func:`line_pieces`, certified.

    Returns ``(line, start, stop, patterns, undecided)``: the pieces of every line whose
    every decision the error bounds certify (the same pieces and patterns as the exact
    sweep; ends rounded), and the indices (int64) of the other lines, which have no piece
    in the result.
    """
    K, n = len(lo), C.nrows()
    origins, origin_error = _enclosed(C.transpose().entries(), 0.0)
    directions, direction_error = _enclosed(A.transpose().entries(), 0.0)
    Cf, EC = origins.reshape(K, n), origin_error.reshape(K, n)
    Af, EA = directions.reshape(K, n), direction_error.reshape(K, n)
    s, s_err = _enclosed(lo, -np.inf)
    e, e_err = _enclosed(hi, np.inf)
    line = np.arange(K)
    doubtful = np.zeros(K, dtype=bool)
    states_so_far: list[np.ndarray] = []
    for layer in network.layers:
        alpha, ea = affine_enclosure(Af, EA, layer.weight)
        value, ev = affine_enclosure(Cf, EC, layer.weight, layer.bias)
        if layer.activation == "identity":
            Af, EA, Cf, EC = alpha, ea, value, ev
            continue
        ends = (s, s_err, e, e_err)
        if layer.activation == "max":
            parent, states, ends, unsure = _max_cut(alpha, ea, value, ev, ends, layer)
            chosen = layer.windows[np.arange(layer.width), states.astype(np.int64)]
            Af, EA, Cf, EC = (np.take_along_axis(x[parent], chosen, axis=1)
                              for x in (alpha, ea, value, ev))
        else:
            cut = _cut_at_roots(alpha, ea, value, ev, ends,
                                np.array(BREAKPOINTS[layer.activation]))
            parent, ends, unsure = cut.parent, cut.ends, cut.unsure
            states = _states(cut.signs, layer.activation)
            slope, shift = state_slope_offset(states, layer)
            Af, EA = scaled_enclosure(slope, alpha[parent], ea[parent])
            Cf, EC = scaled_enclosure(slope, value[parent], ev[parent], shift)
        doubtful[line[unsure]] = True
        line, (s, s_err, e, e_err) = line[parent], ends
        states_so_far = [old[parent] for old in states_so_far] + [states]
        alive = ~doubtful[line]
        line, s, s_err, e, e_err = line[alive], s[alive], s_err[alive], e[alive], e_err[alive]
        Af, EA, Cf, EC = Af[alive], EA[alive], Cf[alive], EC[alive]
        states_so_far = [old[alive] for old in states_so_far]
    patterns = (np.concatenate(states_so_far, axis=1) if states_so_far
                else np.zeros((line.size, 0), dtype=np.int8))
    return line, s, e, patterns, np.flatnonzero(doubtful)


@dataclass(frozen=True)
class _Cut:
    """Pieces split at the certified roots of their functions (:func:`_cut_at_roots`):
    ``parent`` (I',) the piece each sub-piece comes from, ``within`` (I',) its rank there,
    ``signs`` (I', width, k) the sign of each function minus each breakpoint on it,
    ``ends`` its ``(start, start_err, stop, stop_err)``, and ``unsure`` (I,) the pieces
    where a sign, a root or the order of two roots is not certified."""

    parent: np.ndarray
    within: np.ndarray
    signs: np.ndarray
    ends: tuple
    unsure: np.ndarray


def _cut_at_roots(alpha, ea, value, ev, ends: tuple, breakpoints: np.ndarray,
                  ties: np.ndarray | None = None) -> _Cut:
    """Split each piece at the roots of ``alpha t + value - breakpoint`` (I, width), with
    ``alpha``, ``value`` within ``ea``, ``ev`` of the exact ones, on pieces of ends
    ``(s, s_err, e, e_err)`` (I,). ``ties`` (I, width): functions exactly 0 everywhere,
    which take sign -1 (a tie to the earlier position of a max unit's pair)."""
    s, s_err, e, e_err = ends
    count = alpha.shape[0]
    # Signs (-1, +1; 0 where not certified) of z - breakpoint at each piece's two ends.
    left = np.stack([_end_signs(alpha, ea, value - t, ev, s, s_err, -1)
                     for t in breakpoints], axis=2)          # (I, width, k)
    right = np.stack([_end_signs(alpha, ea, value - t, ev, e, e_err, 1)
                      for t in breakpoints], axis=2)
    if ties is not None:
        left[ties], right[ties] = -1, -1
    crossing = left != right
    with np.errstate(divide="ignore", invalid="ignore"):
        root = (breakpoints[None, None, :] - value[:, :, None]) / alpha[:, :, None]
        margin = np.abs(alpha)[:, :, None] - ea[:, :, None]
        radius = ((2.0 * UNIT_ROUNDOFF * np.abs(alpha[:, :, None] * root) + ev[:, :, None]
                   + ea[:, :, None] * np.abs(root)) / margin
                  + 2.0 * UNIT_ROUNDOFF * np.abs(root)) * BOUND_SAFETY
    unsure = np.any((left == 0) | (right == 0), axis=(1, 2))
    # a root or its enclosure beyond float64 (overflow to inf or NaN) orders nothing
    unsure |= np.any(crossing & ~((margin > 0) & np.isfinite(root) & np.isfinite(radius)),
                     axis=(1, 2))
    piece, neuron, which = np.nonzero(crossing)
    r, rr = root[piece, neuron, which], radius[piece, neuron, which]
    order = np.lexsort((r, piece))
    piece, neuron, which = piece[order], neuron[order], which[order]
    r, rr = r[order], rr[order]
    same = piece[1:] == piece[:-1]
    overlap = same & (r[:-1] + rr[:-1] >= r[1:] - rr[1:])
    unsure[piece[1:][overlap]] = True
    # Sub-pieces: a parent with c certified roots gives c + 1, split at the roots.
    counts = np.bincount(piece, minlength=count)
    rank = np.full(crossing.shape, np.iinfo(np.int64).max, dtype=np.int64)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank[piece, neuron, which] = np.arange(piece.size) - first[piece]
    parent = np.repeat(np.arange(count), counts + 1)
    within = np.arange(parent.size) - np.repeat(first + np.arange(count), counts + 1)
    signs = np.where(rank[parent] < within[:, None, None], right[parent], left[parent])
    # Ends: a parent's own ends around its roots, in order.
    start = np.empty(parent.size)
    start_err = np.empty(parent.size)
    is_first = within == 0
    start[is_first], start_err[is_first] = s[parent[is_first]], s_err[parent[is_first]]
    start[~is_first], start_err[~is_first] = r, rr
    stop = np.empty(parent.size)
    stop_err = np.empty(parent.size)
    is_last = np.ones(parent.size, dtype=bool)
    is_last[:-1] = parent[1:] != parent[:-1]
    stop[is_last], stop_err[is_last] = e[parent[is_last]], e_err[parent[is_last]]
    stop[~is_last], stop_err[~is_last] = r, rr
    return _Cut(parent, within, signs, (start, start_err, stop, stop_err), unsure)


def _max_cut(alpha, ea, value, ev, ends: tuple, layer) -> tuple:
    """A max layer's pieces: each piece is cut where two inputs of a unit cross (the roots
    of the pair differences, certified as a neuron's), each unit's argmax taken from the
    pairs' signs, and neighbours with the same states joined again. Returns ``(parent,
    states (I', units) int8, ends, unsure)`` as :func:`_cut_at_roots`'s."""
    units, first, second = max_pairs(layer)
    earlier, later = layer.windows[units, first], layer.windows[units, second]
    d_alpha = alpha[:, later] - alpha[:, earlier]
    d_value = value[:, later] - value[:, earlier]
    d_ea = (ea[:, later] + ea[:, earlier] + UNIT_ROUNDOFF * np.abs(d_alpha)) * BOUND_SAFETY
    d_ev = (ev[:, later] + ev[:, earlier] + UNIT_ROUNDOFF * np.abs(d_value)) * BOUND_SAFETY
    ties = (d_alpha == 0) & (d_value == 0) & (d_ea == 0) & (d_ev == 0)
    cut = _cut_at_roots(d_alpha, d_ea, d_value, d_ev, ends, np.zeros(1), ties[:, :, None])
    states = _max_states(cut.signs[:, :, 0], layer)
    new = cut.within == 0
    new[1:] |= np.any(states[1:] != states[:-1], axis=1)
    keep = np.flatnonzero(new)
    last = np.flatnonzero(np.append(new[1:], new.size > 0))     # (none when no piece)
    start, start_err, stop, stop_err = cut.ends
    return (cut.parent[keep], states[keep],
            (start[keep], start_err[keep], stop[last], stop_err[last]), cut.unsure)


def _max_states(signs: np.ndarray, layer) -> np.ndarray:
    """Max units' states (I, units) int8 from the signs (I, H) of their pair hyperplanes
    (label order): the argmax, ties to the lowest position."""
    states = np.zeros((signs.shape[0], layer.width), dtype=np.int8)
    offset = 0
    for unit, size in enumerate(layer.window_sizes.tolist()):
        pairs = size * (size - 1) // 2
        states[:, unit] = max_winners(signs[:, offset:offset + pairs], size)
        offset += pairs
    return states


def _end_signs(alpha, ea, value, ev, t, t_err, infinite_side: int) -> np.ndarray:
    """Certified sign (int8, 0 when not certified) of ``alpha t + value`` at the end ``t``
    (exact value within ``t_err``; ``-inf``/``inf`` an unbounded end on ``infinite_side``),
    with ``alpha``, ``value`` (I, width) within ``ea``, ``ev`` of the exact ones."""
    finite = np.isfinite(t)[:, None]
    at = np.where(finite, t[:, None], 0.0)
    z = alpha * at + value
    bound = ((np.abs(alpha) + ea) * t_err[:, None] + ea * np.abs(at) + ev
             + 3.0 * UNIT_ROUNDOFF * (np.abs(alpha * at) + np.abs(value) + 1.0)) * BOUND_SAFETY
    certain = np.where(z > bound, 1, np.where(z < -bound, -1, 0))
    # At an infinite end the slope decides, or, for an exactly flat function, the value.
    flat = (alpha == 0) & (ea == 0)
    flat_sign = np.where(value > ev, 1, np.where(value < -ev, -1, 0))
    slope_sign = np.where(alpha > ea, 1, np.where(alpha < -ea, -1, 0)) * infinite_side
    at_infinity = np.where(flat, flat_sign, slope_sign)
    return np.where(finite, certain, at_infinity).astype(np.int8)


def _states(signs: np.ndarray, activation: str) -> np.ndarray:
    """Neuron states (I, width) int8 from the signs (I, width, k) of ``z - breakpoint``."""
    if activation == "hardtanh":
        return ((signs[:, :, 1] > 0).astype(np.int8) - (signs[:, :, 0] < 0).astype(np.int8))
    return (signs[:, :, 0] > 0).astype(np.int8)


def rational_line_intervals(network: Network, C: fmpq_mat, A: fmpq_mat, lo: list, hi: list):
    """:func:`line_intervals` of the exact lines ``C + t A`` (fmpq_mat, (n, K)) for
    ``lo[k] < t < hi[k]`` (lists of fmpq, ``None`` for unbounded), with exact piece ends:
    ``start``, ``stop`` are lists of fmpq (``None`` for unbounded)."""
    maps = RationalMaps(network, whole_space(network.input_dim))
    line = list(range(len(lo)))
    start, stop = list(lo), list(hi)
    states_so_far: list[np.ndarray] = []
    for index, layer in enumerate(network.layers):
        W, bias = maps.weights[index], maps.biases[index]
        count = len(line)
        alpha = (W * A).entries()          # row-major (width, count)
        gamma = (W * C).entries()
        width = layer.pre_width
        offsets = [bias[j, 0] for j in range(width)]
        if layer.activation == "max":
            A, C, line, start, stop, states = _max_pieces(alpha, gamma, offsets, layer,
                                                          line, start, stop)
            states_so_far = [s[[p for p, _ in states]] for s in states_so_far]
            states_so_far.append(np.array([piece for _, piece in states], dtype=np.int8)
                                 .reshape(len(states), layer.width))
            continue
        if layer.activation == "identity":
            A = fmpq_mat(width, count, alpha)
            C = fmpq_mat(width, count, [gamma[j * count + p] + offsets[j]
                                        for j in range(width) for p in range(count)])
            continue
        breakpoints = maps.breakpoints[index]
        parent, lower, upper, states = [], [], [], []
        for p in range(count):
            slopes = alpha[p::count]
            values = [g + b for g, b in zip(gamma[p::count], offsets)]
            crossed: dict = {}
            for j, slope in enumerate(slopes):
                if slope != 0:
                    for breakpoint in breakpoints:
                        t = (breakpoint - values[j]) / slope
                        if (start[p] is None or t > start[p]) and (stop[p] is None or t < stop[p]):
                            crossed.setdefault(t, []).append(j)
            ends = [start[p]] + sorted(crossed) + [stop[p]]
            # States on the first piece from the exact pre-activations there; later pieces
            # change only the neurons crossing at the roots between them.
            piece = _states_at(slopes, values, range(width), _inside(ends[0], ends[1]),
                               breakpoints, layer.activation, [0] * width)
            for k in range(len(ends) - 1):
                if k:
                    piece = _states_at(slopes, values, crossed[ends[k]],
                                       _inside(ends[k], ends[k + 1]), breakpoints,
                                       layer.activation, list(piece))
                parent.append(p)
                lower.append(ends[k])
                upper.append(ends[k + 1])
                states.append(piece)
        pieces = len(parent)
        new_alpha, new_gamma = [None] * (width * pieces), [None] * (width * pieces)
        forms = {state: maps.slope_offset(layer.activation, state, index)
                 for state in (-1, 0, 1)}
        for q, (p, piece) in enumerate(zip(parent, states)):
            for j, state in enumerate(piece):
                factor, shift = forms[state]
                if factor == 1:
                    new_alpha[j * pieces + q] = alpha[j * count + p]
                    new_gamma[j * pieces + q] = gamma[j * count + p] + offsets[j]
                elif factor == 0:
                    new_alpha[j * pieces + q] = factor
                    new_gamma[j * pieces + q] = shift
                else:
                    new_alpha[j * pieces + q] = factor * alpha[j * count + p]
                    new_gamma[j * pieces + q] = factor * (gamma[j * count + p] + offsets[j])
        states = np.array(states, dtype=np.int8).reshape(pieces, width)
        A = fmpq_mat(width, pieces, new_alpha)
        C = fmpq_mat(width, pieces, new_gamma)
        line = [line[p] for p in parent]
        start, stop = lower, upper
        states_so_far = [s[parent] for s in states_so_far] + [states]
    patterns = (np.concatenate(states_so_far, axis=1) if states_so_far
                else np.zeros((len(line), 0), dtype=np.int8))
    return np.array(line, dtype=np.int64), start, stop, patterns


def _max_pieces(alpha: list, gamma: list, offsets: list, layer, line: list, start: list,
                stop: list):
    """The pieces of a max layer along the lines' current pieces (``alpha``, ``gamma``:
    row-major (pre_width, count) slopes and values at ``t = 0`` before the bias
    ``offsets``). A unit's argmax changes only where two of its inputs cross, so each piece
    is cut at every such crossing, the states taken at a point strictly between cuts (there
    only identical inputs tie: the lowest position wins) and neighbours with equal states
    joined again. Returns the next layer's input ``(A, C)`` (fmpq_mat (units, pieces)), the
    pieces' ``line``, ``start``, ``stop`` and ``[(parent piece, states)]``."""
    count, windows = len(line), layer.windows
    units = [[int(i) for i in row if i >= 0] for row in windows]
    parents, lower, upper, pieces = [], [], [], []
    for p in range(count):
        slopes = alpha[p::count]
        values = [g + b for g, b in zip(gamma[p::count], offsets)]
        cuts = set()
        for window in units:
            for a, b in itertools.combinations(window, 2):
                if slopes[a] != slopes[b]:
                    t = (values[a] - values[b]) / (slopes[b] - slopes[a])
                    if (start[p] is None or t > start[p]) and (stop[p] is None or t < stop[p]):
                        cuts.add(t)
        ends = [start[p]] + sorted(cuts) + [stop[p]]
        for k in range(len(ends) - 1):
            t = _inside(ends[k], ends[k + 1])
            states = tuple(max(range(len(window)), key=lambda i: (
                slopes[window[i]] * t + values[window[i]], -i)) for window in units)
            if k and pieces[-1] == (p, states):
                upper[-1] = ends[k + 1]
                continue
            parents.append(p)
            lower.append(ends[k])
            upper.append(ends[k + 1])
            pieces.append((p, states))
    chosen = [[units[g][state] for g, state in enumerate(states)] for _, states in pieces]
    total = len(pieces)
    A = fmpq_mat(layer.width, total, [alpha[rows[g] * count + p] for g in range(layer.width)
                                      for (p, _), rows in zip(pieces, chosen)])
    C = fmpq_mat(layer.width, total, [gamma[rows[g] * count + p] + offsets[rows[g]]
                                      for g in range(layer.width)
                                      for (p, _), rows in zip(pieces, chosen)])
    return A, C, [line[p] for p in parents], lower, upper, pieces


def _states_at(slopes: list, values: list, neurons, t: fmpq, breakpoints, activation: str,
               states: list) -> list:
    """``states`` with the listed neurons' states at ``t`` (pre-activation ``slope t + value``)."""
    for j in neurons:
        z = slopes[j] * t + values[j]
        states[j] = state_from_signs([(z > b) - (z < b) for b in breakpoints], activation)
    return states


def _inside(lower, upper) -> fmpq:
    """A rational strictly inside ``(lower, upper)`` (``None`` for an infinite end)."""
    if lower is None and upper is None:
        return fmpq(0)
    if lower is None:
        return upper - 1
    if upper is None:
        return lower + 1
    return (lower + upper) / 2


