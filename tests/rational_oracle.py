"""Exact rational oracles for the linear regions of piecewise-linear networks.

Independent of ``regions``: they read only a network's public attributes
(``network.layers[i].weight``, ``.bias``, ``.activation``, ``.slope``) and a
domain's arrays (``domain.A``, ``domain.b``, ``domain.origin``,
``domain.basis``). Every float64 is taken as the exact rational it is
(a python-flint ``fmpq``); there is no tolerance anywhere.

The definition computed. A layer is ``y = act(W x + b)``; a neuron's state is
relu / leaky_relu: 1 if z > 0 else 0; hardtanh: -1 if z < -1, 0 if
-1 <= z <= 1, +1 if z > 1; identity layers have no state. The domain lives in
working coordinates ``z`` (``x = origin + basis @ z``, ``A z <= b``). An
activation pattern (the states of every non-identity layer, layer by layer)
is a *region* when the open set of interior points of the domain at which
every neuron with a non-constant pre-activation (an affine function of
``z`` given the states of the earlier layers) lies strictly inside the open
interval of its state is nonempty, and every neuron whose pre-activation is
exactly constant (gradient exactly zero) is in the state of that constant.

Oracles:

* :func:`exact_regions` -- any dimension: cells are split neuron by neuron,
  each candidate cell decided by :func:`strict_interior_point`, an exact
  simplex whose every answer is checked by a certificate (a strictly
  feasible point, or a Motzkin infeasibility certificate).
* :func:`brute_force_regions` -- every pattern tried, one exact LP each
  (tiny networks; a second algorithm to check the first). It also takes max layers
  (max pooling, maxout: ``layer.windows``, one row of pre-activation indices per unit,
  padded with -1): a unit's state is the position ``i`` of the largest input; on the
  open region every other input ``j`` whose difference ``z_j - z_i`` is not exactly
  constant is strictly below ``z_i``, and a constant difference must be negative, or
  zero with ``i`` before ``j`` (ties to the lowest position).
* :func:`exact_cells_2d` / :func:`exact_regions_2d` -- 2-D, LP-free: exact
  convex polygon clipping inside the square ``[-R, R]^2`` for a *symbolic*,
  infinitely large ``R`` (see "Symbolic square" below), so all of R^2 and
  every unbounded cell are handled exactly with no bound to compute.
* :func:`exact_breakpoints_1d` / :func:`exact_intervals` -- exact 1-D sweep.
* :func:`brute_force_f_vector_2d` -- the f-vector of a bounded 2-D complex from the
  regions of :func:`brute_force_regions` (max layers too) and their closures' vertices,
  every crossing of two rows solved by Cramer's rule; an edge is a piece of a region's
  side between consecutive vertices of the complex.
* :func:`brute_force_adjacency` -- the adjacency graph from its definition: two
  regions are adjacent when their closures meet in a set of dimension ``dim - 1``
  (exact LPs on each hyperplane of one region's rows; any dimension, max layers too);
  :func:`brute_force_pieces` joins the adjacent ones with equal exact maps.
* :func:`exact_pieces` -- linear pieces (maximal connected unions of regions
  adjacent across a facet with exactly equal affine maps) in 1-D and 2-D.
* :func:`zaslavsky`, :func:`parallel_families`, :func:`first_layer_hyperplanes`,
  :func:`in_general_position` -- closed formulas and their exact hypotheses.

Symbolic square. The 2-D oracle clips inside ``[-R, R]^2`` for an ``R``
larger than any number the computation meets. A line is four integers
``(a, b, c0, c1)``, the set ``a x + b y + c0 + c1 R = 0`` (``c1 != 0`` only on
the square's sides; a network's line is its rational coefficients times a
positive integer); a vertex is five integers ``(X0, X1, Y0, Y1, W)``, ``W > 0``,
the point ``((X0 + X1 R) / W, (Y0 + Y1 R) / W)``, always computed as the
crossing of two lines (Cramer's rule), never by interpolation. The sign of a
line at a vertex is the sign of ``s1 R + s0`` (``s1``, ``s0`` integers), which
for every large enough ``R`` is the sign of ``s1``, or of ``s0`` when
``s1 = 0``. The clipping makes finitely many such decisions, so it computes
exactly what it would compute for every rational ``R`` above some ``R0``; and
once ``[-R, R]^2`` meets the interior of every one of the finitely many
regions, the domain and the domain cut to the square have the same regions.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from math import comb

from flint import fmpq, fmpq_mat

ZERO = fmpq(0)
#: (state, lower breakpoint, upper breakpoint): the open pre-activation interval of each
#: state (None: unbounded).
STATES = {
    "relu": ((0, None, 0), (1, 0, None)),
    "leaky_relu": ((0, None, 0), (1, 0, None)),
    "hardtanh": ((-1, None, -1), (0, -1, 1), (1, 1, None)),
}
BREAKPOINTS = {"relu": (0,), "leaky_relu": (0,), "hardtanh": (-1, 1), "identity": ()}


# --------------------------------------------------------------------------- numbers


def q(x) -> fmpq:
    """The exact rational value of a float64 (or of a Python int, or an fmpq as it is)."""
    if isinstance(x, fmpq):
        return x
    if isinstance(x, int):
        return fmpq(x)
    num, den = float(x).as_integer_ratio()
    return fmpq(num, den)


def q_vector(v) -> list:
    """An array of shape (k,) as a list of k fmpq."""
    return [q(x) for x in v]


def q_matrix(M) -> list:
    """An array of shape (r, k) as r lists of k fmpq."""
    return [q_vector(row) for row in M]


def dot(u, v):
    """Exact dot product of two equal-length sequences."""
    total = ZERO
    for a, b in zip(u, v):
        total += a * b
    return total


# --------------------------------------------------------------------------- networks


@dataclass(frozen=True)
class ExactLayer:
    """One layer in rationals: ``weight`` (out lists of in fmpq), ``bias`` (out fmpq)."""

    weight: list
    bias: list
    activation: str
    slope: fmpq
    windows: tuple = ()


def exact_layers(network) -> list:
    """The network's layers as :class:`ExactLayer` (its public attributes only; a max
    layer's ``windows`` as tuples of indices without the -1 padding)."""
    return [ExactLayer(q_matrix(layer.weight), q_vector(layer.bias), layer.activation,
                       q(layer.slope),
                       tuple(tuple(int(i) for i in row if i >= 0) for row in layer.windows)
                       if layer.activation == "max" else ())
            for layer in network.layers]


def constant_state(value, activation: str) -> int:
    """State of a neuron whose pre-activation is ``value`` (a breakpoint goes to state 0)."""
    if activation == "hardtanh":
        return -1 if value < -1 else (1 if value > 1 else 0)
    return 1 if value > 0 else 0


def slope_shift(state: int, layer: ExactLayer) -> tuple:
    """``(slope, shift)``: the activation is ``slope * z + shift`` in ``state``."""
    if layer.activation == "relu":
        return fmpq(state), ZERO
    if layer.activation == "leaky_relu":
        return (fmpq(1) if state == 1 else layer.slope), ZERO
    if layer.activation == "hardtanh":
        return fmpq(1 if state == 0 else 0), fmpq(state)
    return fmpq(1), ZERO


def preactivations(layer: ExactLayer, M: list, m: list) -> tuple:
    """Layer pre-activations ``G z + beta`` when its input is ``M z + m``.

    ``M``: (in lists of dim), ``m``: (in,); returns ``G`` (out lists of dim), ``beta`` (out,).
    """
    columns = list(zip(*M))
    G = [[dot(row, column) for column in columns] for row in layer.weight]
    beta = [dot(row, m) + bias for row, bias in zip(layer.weight, layer.bias)]
    return G, beta


def activated(layer: ExactLayer, states, G: list, beta: list) -> tuple:
    """The layer's output map ``(M, m)`` (shapes as in :func:`preactivations`) under ``states``
    (one per neuron; ignored for identity layers)."""
    if layer.activation == "identity":
        return G, beta
    M, m = [], []
    for state, row, value in zip(states, G, beta):
        slope, shift = slope_shift(state, layer)
        M.append([slope * g for g in row])
        m.append(slope * value + shift)
    return M, m


def is_zero(row) -> bool:
    """Whether every entry of a gradient is exactly zero."""
    return all(g == 0 for g in row)


def exact_basis(domain) -> list:
    """The slice's exact basis (n lists of dim fmpq): ``domain.rational_basis`` (Fractions)
    when the domain has one (a slice through given points), else the float ``basis``."""
    rational = getattr(domain, "rational_basis", None)
    if rational is None:
        return q_matrix(domain.basis)
    return [[fmpq(v.numerator, v.denominator) for v in row] for row in rational]


def domain_map(domain) -> tuple:
    """The embedding ``x = origin + basis @ z`` as ``(M, m)``: ``M`` n lists of dim, ``m`` (n,)."""
    return exact_basis(domain), q_vector(domain.origin)


def domain_rows(domain) -> list:
    """The domain's rows ``A z <= b`` as ``[(a (dim fmpq), b)]``."""
    return [(q_vector(a), q(c)) for a, c in zip(domain.A, domain.b)]


def last_stateful(layers: list) -> int:
    """Index of the last non-identity layer (-1 if there is none)."""
    return max((i for i, layer in enumerate(layers) if layer.activation != "identity"),
               default=-1)


# --------------------------------------------------------------------------- exact LP


def _pivot(rows, rhs, obj, r: int, e: int) -> fmpq:
    """Exchange basic row ``r`` with nonbasic column ``e`` in the dictionary
    ``basic_i = rhs_i - sum_j rows[i][j] x_j``, ``objective = value + sum_j obj[j] x_j``
    (in place); returns the objective's increase."""
    p = rows[r][e]
    rows[r] = [a / p for a in rows[r]]
    rows[r][e] = 1 / p
    rhs[r] = rhs[r] / p
    for i in range(len(rows)):
        f = rows[i][e]
        if i == r or f == 0:
            continue
        rows[i] = [a - f * b for a, b in zip(rows[i], rows[r])]
        rows[i][e] = -f / p
        rhs[i] -= f * rhs[r]
    f = obj[e]
    obj[:] = [a - f * b for a, b in zip(obj, rows[r])]
    obj[e] = -f / p
    return f * rhs[r]


def maximise(A: list, b: list, cost: list) -> tuple:
    """max ``cost . x`` subject to ``A x <= b``, ``x >= 0``, for ``b >= 0`` and a bounded LP.

    Dictionary simplex with Bland's rule (no cycling), from the slack basis
    (feasible as ``b >= 0``). ``A``: m lists of n; returns ``(value, x (n,), y (m,))``
    with ``y`` the optimal dual (``y >= 0``, ``A^T y >= cost``, ``b . y = value``).
    """
    m, n = len(A), len(cost)
    rows, rhs, obj = [list(r) for r in A], list(b), list(cost)
    basic, nonbasic = list(range(n, n + m)), list(range(n))
    value = ZERO
    while True:
        entering = [(nonbasic[j], j) for j in range(n) if obj[j] > 0]
        if not entering:
            break
        e = min(entering)[1]
        ratios = [(rhs[i] / rows[i][e], basic[i], i) for i in range(m) if rows[i][e] > 0]
        r = min(ratios)[2]
        value += _pivot(rows, rhs, obj, r, e)
        basic[r], nonbasic[e] = nonbasic[e], basic[r]
    x = [ZERO] * (n + m)
    for i, var in enumerate(basic):
        x[var] = rhs[i]
    y = [ZERO] * m
    for j, var in enumerate(nonbasic):
        if var >= n:
            y[var - n] = -obj[j]
    return value, x[:n], y


def strict_interior_point(rows: list, dim: int):
    """A point ``z`` with ``a . z < c`` for every ``(a, c)`` in ``rows``, or None if there is none.

    Solves ``max t`` s.t. ``a . z + t <= c``, ``t <= 1`` (``z = z+ - z-``,
    ``t = u + t0`` with ``t0 = min(0, min c)`` so the origin is feasible): the
    system is strictly feasible iff ``t* > 0``. Every answer is certified
    exactly before it is returned: the point against every row, or, when
    ``t* <= 0``, the dual ``y >= 0`` of the rows with ``sum y a = 0``,
    ``sum y c <= 0``, ``y != 0`` (Motzkin's transposition theorem: then no
    point satisfies the rows strictly). ``rows`` has ``a`` of length ``dim``.
    """
    t0 = min([ZERO] + [c for _, c in rows])
    A = [list(a) + [-x for x in a] + [fmpq(1)] for a, _ in rows]
    A.append([ZERO] * (2 * dim) + [fmpq(1)])
    b = [c - t0 for _, c in rows] + [1 - t0]
    value, x, y = maximise(A, b, [ZERO] * (2 * dim) + [fmpq(1)])
    if value + t0 > 0:
        z = [x[i] - x[dim + i] for i in range(dim)]
        if not all(dot(a, z) < c for a, c in rows):
            raise RuntimeError("exact LP: the optimal point is not strictly feasible")
        return z
    y = y[:len(rows)]
    combined = [dot(y, column) for column in zip(*[a for a, _ in rows])] if rows else []
    if not (all(v >= 0 for v in y) and any(v > 0 for v in y) and is_zero(combined)
            and dot(y, [c for _, c in rows]) <= 0):
        raise RuntimeError("exact LP: no valid infeasibility certificate")
    return None


# --------------------------------------------------------------------------- any dimension


@dataclass(frozen=True)
class Cell:
    """A cell of :func:`exact_regions`: ``rows`` ``[(a, c)]`` (``a . z < c``), a point
    ``witness`` (dim,) strictly inside, the ``pattern`` so far and the input map ``(M, m)``
    of the next layer."""

    rows: list
    witness: list
    pattern: tuple
    M: list
    m: list


def _state_rows(g: list, beta, lo, hi) -> list:
    """Strict rows for ``lo < g . z + beta < hi`` (``lo``, ``hi`` None when unbounded)."""
    rows = []
    if lo is not None:
        rows.append(([-x for x in g], beta - lo))
    if hi is not None:
        rows.append((list(g), hi - beta))
    return rows


def _split_cell(rows, witness, g, beta, activation: str, dim: int) -> list:
    """The nonempty pieces ``(state, rows, witness)`` of the open cell ``rows`` under a neuron
    with non-constant pre-activation ``g . z + beta``; a piece holding the witness needs no LP."""
    value = dot(g, witness) + beta
    pieces = []
    for state, lo, hi in STATES[activation]:
        extra = _state_rows(g, beta, lo, hi)
        if (lo is None or value > lo) and (hi is None or value < hi):
            pieces.append((state, rows + extra, witness))
            continue
        point = strict_interior_point(rows + extra, dim)
        if point is not None:
            pieces.append((state, rows + extra, point))
    return pieces


def _refine(cell: Cell, layer: ExactLayer, dim: int) -> list:
    """The cells of ``layer``'s states inside ``cell`` (neuron by neuron), with their maps."""
    G, beta = preactivations(layer, cell.M, cell.m)
    if layer.activation == "identity":
        return [Cell(cell.rows, cell.witness, cell.pattern, G, beta)]
    parts = [(cell.rows, cell.witness, ())]
    for g, value in zip(G, beta):
        if is_zero(g):
            state = constant_state(value, layer.activation)
            parts = [(rows, point, states + (state,)) for rows, point, states in parts]
            continue
        parts = [(rows2, point2, states + (state,))
                 for rows, point, states in parts
                 for state, rows2, point2 in _split_cell(rows, point, g, value,
                                                         layer.activation, dim)]
    return [Cell(rows, point, cell.pattern + states, *activated(layer, states, G, beta))
            for rows, point, states in parts]


def exact_cells(network, domain) -> list:
    """Every region of ``network`` over ``domain`` as a :class:`Cell` (any dimension;
    ``M, m`` is then the network's output map ``C z + d``)."""
    dim = domain.basis.shape[1]
    rows = domain_rows(domain)
    witness = strict_interior_point(rows, dim)
    if witness is None:
        raise ValueError("the domain has no interior")
    cells = [Cell(rows, witness, (), *domain_map(domain))]
    for layer in exact_layers(network):
        cells = [child for cell in cells for child in _refine(cell, layer, dim)]
    return cells


def exact_regions(network, domain) -> set:
    """The set of activation patterns (tuples of int) of the regions, any dimension."""
    return {cell.pattern for cell in exact_cells(network, domain)}


def pattern_rows(layers: list, domain, pattern: tuple):
    """The strict rows ``[(a, c)]`` of ``pattern``'s open region (the domain's interior
    and every non-constant neuron strictly in its state), or None when a constant neuron
    is not in the state of its constant."""
    system = pattern_system(layers, domain, pattern)
    return None if system is None else system[0]


def pattern_system(layers: list, domain, pattern: tuple):
    """``(rows, M, m)``: :func:`pattern_rows` and the network's output map ``M z + m``
    under ``pattern`` (out lists of dim, (out,)), or None as there."""
    rows = domain_rows(domain)
    M, m = domain_map(domain)
    states = iter(pattern)
    for layer in layers:
        G, beta = preactivations(layer, M, m)
        if layer.activation == "identity":
            M, m = G, beta
            continue
        if layer.activation == "max":
            chosen = [next(states) for _ in layer.windows]
            for window, winner in zip(layer.windows, chosen):
                top = window[winner]
                for position, other in enumerate(window):
                    if position == winner:
                        continue
                    g = [a - b for a, b in zip(G[other], G[top])]
                    value = beta[other] - beta[top]        # z_other - z_top = g . z + value
                    if is_zero(g):
                        if value > 0 or (value == 0 and position < winner):
                            return None
                        continue
                    rows.append((g, -value))
            M = [G[window[winner]] for window, winner in zip(layer.windows, chosen)]
            m = [beta[window[winner]] for window, winner in zip(layer.windows, chosen)]
            continue
        chosen = [next(states) for _ in beta]
        for g, value, state in zip(G, beta, chosen):
            if is_zero(g):
                if constant_state(value, layer.activation) != state:
                    return None
                continue
            _, lo, hi = next(s for s in STATES[layer.activation] if s[0] == state)
            rows += _state_rows(g, value, lo, hi)
        M, m = activated(layer, chosen, G, beta)
    return rows, M, m


def brute_force_regions(network, domain) -> set:
    """The set of region patterns by trying every pattern (one exact LP each): a second,
    simpler algorithm than :func:`exact_regions`, for networks of a dozen neurons."""
    layers = exact_layers(network)
    dim = domain.basis.shape[1]
    choices = []
    for layer in layers:
        if layer.activation == "max":
            choices += [range(len(window)) for window in layer.windows]
        elif layer.activation != "identity":
            choices += [[state for state, _, _ in STATES[layer.activation]]] * len(layer.bias)
    found = set()
    for pattern in itertools.product(*choices):
        rows = pattern_rows(layers, domain, pattern)
        if rows is not None and strict_interior_point(rows, dim) is not None:
            found.add(pattern)
    return found


def closure_vertices_2d(rows: list) -> set:
    """The vertices of the closure ``a . z <= c`` of 2-D rows, exactly: every crossing of
    two rows' lines inside all the rows."""
    found = set()
    for (a, c), (b, d) in itertools.combinations(rows, 2):
        det = a[0] * b[1] - a[1] * b[0]
        if det == 0:
            continue
        point = ((c * b[1] - d * a[1]) / det, (a[0] * d - b[0] * c) / det)
        if all(g[0] * point[0] + g[1] * point[1] <= h for g, h in rows):
            found.add(point)
    return found


def brute_force_f_vector_2d(net, domain) -> list:
    """The f-vector of a 2-D bounded complex from its regions by the rational oracle
    (every pattern, one exact LP each) and their closures' vertices, exactly: an edge is a
    piece of a region's side between two consecutive vertices of the complex on it."""
    layers = exact_layers(net)
    closures = [closure_vertices_2d(pattern_rows(layers, domain, pattern))
                for pattern in brute_force_regions(net, domain)]
    vertices = set().union(*closures)
    edges = set()
    for corners in closures:
        for p, r in itertools.combinations(sorted(corners), 2):
            if is_side(p, r, corners):      # the vertices on it, in order along it
                side = sorted(v for v in vertices if cross_2d(p, r, v) == 0 and p <= v <= r)
                edges.update(zip(side[:-1], side[1:]))
    return [len(vertices), len(edges), len(closures)]


def cross_2d(p, r, v):
    """The cross product of ``r - p`` and ``v - p``: 0 when ``v`` is on the line ``p r``."""
    return (r[0] - p[0]) * (v[1] - p[1]) - (r[1] - p[1]) * (v[0] - p[0])


def is_side(p, r, corners) -> bool:
    """Whether the segment ``p r`` of two corners (extreme points) of a convex polygon is
    one of its sides: every corner on one side of its line."""
    crosses = [cross_2d(p, r, v) for v in corners]
    return all(c >= 0 for c in crosses) or all(c <= 0 for c in crosses)


def on_hyperplane(rows: list, a: list, c) -> list | None:
    """``rows`` ``[(g, v)]`` restricted to the hyperplane ``a . z = c`` (``a != 0``), in the
    hyperplane's own coordinates (``z_k`` eliminated for the first ``a_k != 0``): the rows
    that still cut, ``[(g', v')]`` in ``dim - 1`` variables; a row constant on the
    hyperplane is dropped when ``g . z <= v`` holds on all of it, and the answer is None
    when it holds nowhere."""
    k = next(i for i, x in enumerate(a) if x != 0)
    restricted = []
    for g, v in rows:
        factor = g[k] / a[k]          # z_k = (c - sum_{j != k} a_j z_j) / a_k
        g2 = [g[j] - factor * a[j] for j in range(len(a)) if j != k]
        v2 = v - factor * c
        if is_zero(g2):
            if v2 < 0:
                return None
            continue
        restricted.append((g2, v2))
    return restricted


def closures_meet_in_a_facet(first: list, second: list, dim: int) -> bool:
    """Whether the closures of two disjoint open polyhedra (strict rows ``[(a, c)]``,
    ``a . z < c``) meet in a set of dimension ``dim - 1``, exactly.

    The meeting set lies in the boundary of the first closure, so when it has dimension
    ``dim - 1`` it spans the hyperplane of one of the first's rows; restricted to that
    hyperplane the closures' rows (those not constant on it) then hold strictly at some
    point (one exact LP per row)."""
    for a, c in first:
        if is_zero(a):
            continue
        restricted = on_hyperplane(first + second, a, c)
        if restricted is None:
            continue
        if not restricted or strict_interior_point(restricted, dim - 1) is not None:
            return True
    return False


def brute_force_adjacency(network, domain) -> set:
    """Every pair ``frozenset({p, q})`` of region patterns (:func:`brute_force_regions`)
    whose closures meet in a set of dimension ``dim - 1`` (one exact LP per row and pair):
    the edges of the adjacency graph, from its definition."""
    layers = exact_layers(network)
    dim = domain.basis.shape[1]
    rows = {p: pattern_rows(layers, domain, p) for p in brute_force_regions(network, domain)}
    return {frozenset((p, r)) for p, r in itertools.combinations(sorted(rows), 2)
            if closures_meet_in_a_facet(rows[p], rows[r], dim)}


def brute_force_pieces(network, domain) -> int:
    """The number of linear pieces: connected components of the adjacency graph
    (:func:`brute_force_adjacency`) whose edges join regions with exactly equal output
    maps (any dimension, max layers too)."""
    layers = exact_layers(network)
    regions = sorted(brute_force_regions(network, domain))
    maps = {p: pattern_system(layers, domain, p)[1:] for p in regions}
    sets = UnionFind(len(regions))
    index = {p: i for i, p in enumerate(regions)}
    for pair in brute_force_adjacency(network, domain):
        p, r = sorted(pair)
        if maps[p] == maps[r]:
            sets.union(index[p], index[r])
    return sets.count()


# --------------------------------------------------------------------------- 2-D clipping

#: The square [-R, R]^2: its corners and the line of the edge leaving each.
SQUARE = (((0, -1, 0, -1, 1), (0, 1, 0, -1, 1), (0, 1, 0, 1, 1), (0, -1, 0, 1, 1)),
          ((0, 1, 0, 1), (1, 0, 0, -1), (0, 1, 0, -1), (1, 0, 0, 1)))


def integer_line(g: list, c) -> tuple:
    """The line ``g . z + c = 0`` (fmpq, ``g`` of length 2) as integers ``(a, b, c0, 0)``,
    scaled by a positive integer (so every sign is kept)."""
    scale = math.lcm(*(int(x.q) for x in (g[0], g[1], c)))
    return tuple(int(x.p) * (scale // int(x.q)) for x in (g[0], g[1], c)) + (0,)


def sign_at(line: tuple, v: tuple) -> int:
    """Sign (-1, 0, 1) of ``a x + b y + c0 + c1 R`` at vertex ``v`` (as ``R`` grows)."""
    a, b, c0, c1 = line
    X0, X1, Y0, Y1, W = v
    s = a * X1 + b * Y1 + c1 * W
    if s == 0:
        s = a * X0 + b * Y0 + c0 * W
    return (s > 0) - (s < 0)


def meet(line: tuple, other: tuple) -> tuple:
    """The vertex where two non-parallel lines cross (Cramer's rule, exact, ``W > 0``)."""
    g1, g2, c0, c1 = line
    h1, h2, e0, e1 = other
    W = g1 * h2 - g2 * h1
    v = (-c0 * h2 + e0 * g2, -c1 * h2 + e1 * g2, -e0 * g1 + c0 * h1, -e1 * g1 + c1 * h1, W)
    return v if W > 0 else tuple(-x for x in v)


def clip(polygon: tuple, line: tuple) -> tuple:
    """The part of a convex polygon where ``line >= 0`` (Sutherland-Hodgman).

    ``polygon`` is ``(vertices, lines)``, ``lines[i]`` the line of the edge from
    vertex ``i`` to vertex ``i + 1``; ``line`` must cut it (vertices strictly
    on both sides). Crossings are ``meet(edge line, line)``.
    """
    vertices, lines = polygon
    signs = [sign_at(line, v) for v in vertices]
    if not (1 in signs and -1 in signs):
        raise RuntimeError("clip: the line does not cut the polygon")
    out_vertices, out_lines = [], []
    n = len(vertices)
    for i in range(n):
        sv, sw = signs[i], signs[(i + 1) % n]
        if sv >= 0:
            out_vertices.append(vertices[i])
            out_lines.append(lines[i] if sw >= 0 or sv > 0 else line)
        if sv * sw < 0:
            out_vertices.append(meet(lines[i], line))
            out_lines.append(line if sv > 0 else lines[i])
    return tuple(out_vertices), tuple(out_lines)


def neuron_lines(g: list, beta, activation: str) -> dict:
    """Breakpoint -> integer line of ``g . z + beta - breakpoint`` (non-constant neuron)."""
    return {bp: integer_line(g, beta - bp) for bp in BREAKPOINTS[activation]}


def feasible_states(vertices, lines: dict, activation: str) -> list:
    """The ``(state, lo, hi)`` of :data:`STATES` whose open interval meets the values a
    non-constant pre-activation takes inside the polygon: some vertex above ``lo`` and
    some vertex below ``hi`` (the values inside are the open interval between the least
    and the greatest vertex value)."""
    signs = {bp: {sign_at(line, v) for v in vertices} for bp, line in lines.items()}
    return [(state, lo, hi) for state, lo, hi in STATES[activation]
            if (lo is None or 1 in signs[lo]) and (hi is None or -1 in signs[hi])]


def slab(polygon: tuple, lines: dict, lo, hi) -> tuple:
    """The polygon cut to ``lo <= pre-activation <= hi``, clipping only where a bound cuts
    (``lo``, ``hi``: a feasible state's breakpoints, None when unbounded)."""
    if lo is not None and any(sign_at(lines[lo], v) < 0 for v in polygon[0]):
        polygon = clip(polygon, lines[lo])
    if hi is not None and any(sign_at(lines[hi], v) > 0 for v in polygon[0]):
        polygon = clip(polygon, tuple(-x for x in lines[hi]))
    return polygon


def _layer_pieces(polygon: tuple, G: list, beta: list, activation: str) -> list:
    """``[(polygon, states)]``: the pieces of ``polygon`` with the layer's states.

    Depth-first: on each piece, every neuron still undecided is evaluated at
    the vertices; a neuron with one feasible state there keeps it (in every
    sub-piece too), and the first with several splits the piece, whose parts
    inherit only the neurons that had several. Constant neurons take the
    state of their constant.
    """
    states = [constant_state(value, activation) if is_zero(g) else None
              for g, value in zip(G, beta)]
    lines = {j: neuron_lines(G[j], beta[j], activation)
             for j, state in enumerate(states) if state is None}
    pieces, stack = [], [(polygon, states, list(lines))]
    while stack:
        polygon, states, undecided = stack.pop()
        splitting = []
        for j in undecided:
            options = feasible_states(polygon[0], lines[j], activation)
            if len(options) == 1:
                states[j] = options[0][0]
            else:
                splitting.append((j, options))
        if not splitting:
            pieces.append((polygon, tuple(states)))
            continue
        (j, options), rest = splitting[0], [s[0] for s in splitting[1:]]
        for state, lo, hi in options:
            child = list(states)
            child[j] = state
            stack.append((slab(polygon, lines[j], lo, hi), child, rest))
    return pieces


def domain_polygon(domain) -> tuple:
    """The 2-D domain ``A z <= b`` cut to the symbolic square, as ``(vertices, lines)``."""
    polygon = SQUARE
    for a, c in domain_rows(domain):
        line = integer_line([-a[0], -a[1]], c)
        signs = {sign_at(line, v) for v in polygon[0]}
        if 1 not in signs:
            raise ValueError("the domain has no interior")
        if -1 in signs:
            polygon = clip(polygon, line)
    return polygon


@dataclass(frozen=True)
class Cell2D:
    """A cell of :func:`exact_cells_2d`: its ``polygon`` ``(vertices, lines)`` (symbolic, see
    the module docstring), ``pattern`` so far, and the input map ``(M, m)`` of the next layer
    (``M`` k lists of 2; None once no map is needed)."""

    polygon: tuple
    pattern: tuple
    M: list | None
    m: list | None


def exact_cells_2d(network, domain, maps: bool = False) -> list:
    """Every region of ``network`` over a 2-D ``domain`` as a :class:`Cell2D`, by exact
    clipping; with ``maps``, ``(M, m)`` is the network's output map ``(C, d)``, else the
    maps are dropped after the last non-identity layer."""
    layers = exact_layers(network)
    last = len(layers) - 1 if maps else last_stateful(layers)
    cells = [Cell2D(domain_polygon(domain), (), *domain_map(domain))]
    for index, layer in enumerate(layers[:last + 1]):
        keep_map = maps or index < last
        new = []
        for cell in cells:
            G, beta = preactivations(layer, cell.M, cell.m)
            if layer.activation == "identity":
                new.append(Cell2D(cell.polygon, cell.pattern, G, beta))
                continue
            for polygon, states in _layer_pieces(cell.polygon, G, beta, layer.activation):
                M, m = activated(layer, states, G, beta) if keep_map else (None, None)
                new.append(Cell2D(polygon, cell.pattern + states, M, m))
        cells = new
    return cells


def exact_regions_2d(network, domain) -> set:
    """The set of activation patterns of the regions over a 2-D domain (clipping)."""
    patterns = [cell.pattern for cell in exact_cells_2d(network, domain)]
    if len(set(patterns)) != len(patterns):
        raise RuntimeError("two cells with one pattern: regions are convex, so a bug")
    return set(patterns)


# --------------------------------------------------------------------------- 1-D sweep


@dataclass(frozen=True)
class Interval:
    """A region of :func:`exact_breakpoints_1d`: ``lo < t < hi`` (None: unbounded), its
    ``pattern`` and the network's map ``y = C t + d`` there (``C``, ``d``: out fmpq each)."""

    lo: fmpq | None
    hi: fmpq | None
    pattern: tuple
    C: list
    d: list


def _bound(x):
    """An interval end as fmpq, or None for an infinite or missing one."""
    if isinstance(x, fmpq):
        return x
    return None if x is None or x in (float("inf"), float("-inf")) else q(x)


def _inside(t, lo, hi) -> bool:
    """Whether ``lo < t < hi`` (an end None: unbounded)."""
    return (lo is None or t > lo) and (hi is None or t < hi)


def _interior_point(lo, hi) -> fmpq:
    """A point strictly inside ``(lo, hi)`` (either end None)."""
    if lo is None and hi is None:
        return ZERO
    if lo is None:
        return hi - 1
    if hi is None:
        return lo + 1
    return (lo + hi) / 2


def _cuts(slopes: list, offsets: list, activation: str, lo, hi) -> list:
    """Sorted distinct breakpoints ``t`` strictly inside ``(lo, hi)`` of neurons with
    pre-activations ``slopes * t + offsets``."""
    points = {(bp - o) / s for s, o in zip(slopes, offsets) if s != 0
              for bp in BREAKPOINTS[activation]}
    return sorted(t for t in points if _inside(t, lo, hi))


def exact_breakpoints_1d(network, origin, direction, lo=None, hi=None) -> list:
    """The regions of ``network`` along ``x = origin + t * direction``, ``lo < t < hi``.

    ``origin``, ``direction``: arrays (n,); ``lo``, ``hi``: floats, fmpq, or None/inf
    for unbounded ends. Returns the :class:`Interval` list in increasing ``t``.
    """
    pieces = [Interval(_bound(lo), _bound(hi), (), q_vector(direction), q_vector(origin))]
    for layer in exact_layers(network):
        new = []
        for piece in pieces:
            G, beta = preactivations(layer, [[s] for s in piece.C], piece.d)
            slopes = [row[0] for row in G]
            if layer.activation == "identity":
                new.append(Interval(piece.lo, piece.hi, piece.pattern, slopes, beta))
                continue
            ends = [piece.lo] + _cuts(slopes, beta, layer.activation, piece.lo, piece.hi) + [
                piece.hi]
            for a, b in zip(ends, ends[1:]):
                t = _interior_point(a, b)
                states = [constant_state(s * t + o, layer.activation)
                          for s, o in zip(slopes, beta)]
                M, m = activated(layer, states, [[s] for s in slopes], beta)
                new.append(Interval(a, b, piece.pattern + tuple(states), [r[0] for r in M], m))
        pieces = new
    return pieces


def slice_interval(domain) -> tuple:
    """``(lo, hi)`` of a 1-D domain's rows ``a t <= c`` (None where unbounded)."""
    lo = hi = None
    for (a,), c in domain_rows(domain):
        if a > 0:
            hi = c / a if hi is None else min(hi, c / a)
        elif a < 0:
            lo = c / a if lo is None else max(lo, c / a)
        elif c < 0:
            raise ValueError("the domain is empty")
    return lo, hi


def exact_intervals(network, domain) -> list:
    """:func:`exact_breakpoints_1d` over a 1-D domain (line or segment)."""
    lo, hi = slice_interval(domain)
    return exact_breakpoints_1d(network, domain.origin, [row[0] for row in exact_basis(domain)],
                                lo, hi)


# --------------------------------------------------------------------------- linear pieces


class UnionFind:
    """Disjoint sets over ``range(n)``."""

    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        self.parent[self.find(i)] = self.find(j)

    def count(self) -> int:
        return sum(1 for i in range(len(self.parent)) if self.find(i) == i)


def pieces_1d(intervals: list) -> int:
    """Linear pieces of a sorted :class:`Interval` list: runs of equal maps."""
    return 1 + sum(1 for a, b in zip(intervals, intervals[1:]) if (a.C, a.d) != (b.C, b.d))


def canonical_line(line: tuple) -> tuple:
    """A proper integer line ``(a, b, c0, 0)`` divided by its content, first nonzero of
    ``(a, b)`` positive: equal for the two orientations and every scaling of one line."""
    a, b, c0, _ = line
    content = math.gcd(a, b, c0) * (1 if (a if a != 0 else b) > 0 else -1)
    return a // content, b // content, c0 // content, 0


def _along(line: tuple, v: tuple) -> tuple:
    """Position of vertex ``v`` on a line: its y (its x on a horizontal line), as the
    symbolic number ``(R coefficient, constant)``."""
    X0, X1, Y0, Y1, W = v
    return (fmpq(Y1, W), fmpq(Y0, W)) if line[0] != 0 else (fmpq(X1, W), fmpq(X0, W))


def _side(line: tuple, vertices) -> int:
    """+1 or -1: the side of ``line`` that a polygon with an edge on it lies on."""
    return 1 if any(sign_at(line, v) > 0 for v in vertices) else -1


def facet_edges(cells: list) -> dict:
    """Every cell edge on a proper line: canonical line -> ``[(start, end, side, cell)]``
    (positions along the line, ``start < end``)."""
    edges = {}
    for index, cell in enumerate(cells):
        vertices, lines = cell.polygon
        for i, line in enumerate(lines):
            if line[3] != 0:
                continue
            key = canonical_line(line)
            after = vertices[(i + 1) % len(vertices)]
            ends = sorted((_along(key, vertices[i]), _along(key, after)))
            edges.setdefault(key, []).append((ends[0], ends[1], _side(key, vertices), index))
    return edges


def adjacent_pairs(cells: list) -> set:
    """Pairs of cells sharing an edge of positive length (a 1-D facet)."""
    pairs = set()
    for edges in facet_edges(cells).values():
        above = sorted(e for e in edges if e[2] > 0)
        below = sorted(e for e in edges if e[2] < 0)
        i = j = 0
        while i < len(above) and j < len(below):
            a, b = above[i], below[j]
            if max(a[0], b[0]) < min(a[1], b[1]):
                pairs.add((a[3], b[3]))
            if a[1] < b[1]:
                i += 1
            else:
                j += 1
    return pairs


def pieces_2d(cells: list) -> int:
    """Linear pieces of 2-D cells built with ``maps=True``."""
    sets = UnionFind(len(cells))
    for i, j in adjacent_pairs(cells):
        if (cells[i].M, cells[i].m) == (cells[j].M, cells[j].m):
            sets.union(i, j)
    return sets.count()


def exact_pieces(network, domain) -> int:
    """Number of linear pieces of the network's function over a 1-D or 2-D domain."""
    dim = domain.basis.shape[1]
    if dim == 1:
        return pieces_1d(exact_intervals(network, domain))
    if dim == 2:
        return pieces_2d(exact_cells_2d(network, domain, maps=True))
    raise NotImplementedError("exact_pieces: 1-D and 2-D domains only")


# --------------------------------------------------------------------------- formulas


def zaslavsky(num_hyperplanes: int, dim: int) -> int:
    """Regions of ``num_hyperplanes`` hyperplanes in general position in R^dim."""
    return sum(comb(num_hyperplanes, i) for i in range(dim + 1))


def parallel_families(families: int, per_family: int, dim: int) -> int:
    """Regions of ``families`` directions in general position with ``per_family`` parallel
    hyperplanes each (offsets generic), in R^dim: sum_i C(families, i) per_family^i."""
    return sum(comb(families, i) * per_family ** i for i in range(dim + 1))


def first_layer_hyperplanes(network, domain) -> list:
    """The first layer's breakpoint hyperplanes in working coordinates, ``[(g (dim,), c)]``
    for ``g . z + c = 0`` (hard-tanh neurons give two), constant ones left out."""
    layer = exact_layers(network)[0]
    G, beta = preactivations(layer, *domain_map(domain))
    return [(g, value - bp) for g, value in zip(G, beta) if not is_zero(g)
            for bp in BREAKPOINTS[layer.activation]]


def meeting_point(hyperplanes) -> tuple | None:
    """The one point where ``dim`` hyperplanes ``[(g, c)]`` meet, or None (singular)."""
    dim = len(hyperplanes)
    matrix = fmpq_mat(dim, dim, [x for g, _ in hyperplanes for x in g])
    if matrix.det() == 0:
        return None
    solution = matrix.solve(fmpq_mat(dim, 1, [-c for _, c in hyperplanes]))
    return tuple(solution[i, 0] for i in range(dim))


def in_general_position(hyperplanes, dim: int) -> bool:
    """Whether hyperplanes ``[(g (dim,), c)]`` of R^dim are in general position: every
    ``dim`` of them meet in exactly one point and no two such points coincide (so no
    ``dim + 1`` share a point, and every ``k <= dim`` meet in a ``(dim - k)``-flat)."""
    seen = set()
    for subset in itertools.combinations(hyperplanes, dim):
        point = meeting_point(subset)
        if point is None or point in seen:
            return False
        seen.add(point)
    return True
