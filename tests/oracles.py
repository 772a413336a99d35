"""Independent reference implementations that the tests check ``regions`` against.

The oracles use nothing of ``regions`` but a ``Network``'s public attributes
(``layers``: weight, bias, activation, slope); the test helpers at the end
use ``regions.Network.from_layers`` only to build inputs. Every geometric
decision is made here from scratch:

* :func:`zaslavsky`, :func:`parallel_families` -- closed formulas for one layer.
* :func:`brute_force_patterns` -- every activation pattern, its polyhedron in
  working coordinates (:func:`pattern_polyhedron`), and an inscribed-ball LP
  solved by cvxpy with the Clarabel interior-point solver (not HiGHS, which the
  package uses), many LPs batched into one block-diagonal solve.
* :func:`exact_patterns` -- the same in exact rational arithmetic (an exact
  simplex on :class:`fractions.Fraction`), for nets with small integer or
  dyadic weights: dead neurons, coincident, parallel and concurrent
  hyperplanes and zero rows are decided exactly, with no tolerance.
* :func:`line_partition` -- exact 1-D breakpoint sweep along a line.
* :func:`polygon_partition` -- 2-D algorithm by convex polygon clipping,
  layer by layer, in floats or (``exact=True``) in Fractions; LP-free except
  for pieces whose inradius bracket ``A/P <= r <= 2A/P`` cannot decide them.
  :func:`whole_plane_partition` applies it to R^2 through two large squares.
* :class:`Slice` -- domains built independently (own Gram-Schmidt, own box rows).

Full-dimensionality: ``regions`` counts a region when its closed polyhedron,
computed exactly, has an interior. The exact oracles (:func:`exact_patterns`,
``polygon_partition(exact=True)``) decide the same in Fractions, with no
tolerance. The float oracles count a region when its radius exceeds
``KEEP = 1e-6`` and discard it below ``DROP = 1e-9``; a region in between is
*ambiguous* and the oracle raises :class:`Ambiguous`; the tests turn that into a
visible ``pytest.skip`` (:func:`unambiguous`), and the fixed seeds are chosen so
that none is. No constant of the package is copied: a pre-activation is
constant only when its gradient is exactly zero.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from math import comb

import cvxpy as cp
import numpy as np
import scipy.sparse as sp

DROP = 1e-9
KEEP = 1e-6
#: Radius cap of the oracle's inscribed-ball LP on unbounded polyhedra.
ORACLE_CAP = 1.0
#: Clarabel (interior point, through cvxpy): tight tolerances, the radii are compared
#: with the package's to 1e-6 relative.
_CLARABEL_OPTIONS = {"tol_gap_abs": 1e-11, "tol_gap_rel": 1e-11, "tol_feas": 1e-11,
                     "max_iter": 400}


class Ambiguous(Exception):
    """Some region's inscribed radius lies in ``[DROP, KEEP]``: no verdict for this input."""


# --------------------------------------------------------------------------- formulas


def zaslavsky(num_hyperplanes: int, dim: int) -> int:
    """Regions of ``num_hyperplanes`` hyperplanes in general position in R^dim."""
    return sum(comb(num_hyperplanes, i) for i in range(dim + 1))


def parallel_families(families: int, per_family: int, dim: int) -> int:
    """Regions of ``families`` generic directions, each with ``per_family`` parallel hyperplanes.

    Choosing ``i <= dim`` families in general position, every choice of one
    hyperplane from each gives one vertex-like flat: sum_i C(k, i) p^i.
    """
    return sum(comb(families, i) * per_family ** i for i in range(dim + 1))


# --------------------------------------------------------------------------- domains


@dataclass(frozen=True)
class Slice:
    """A domain ``{z : A z <= c}`` in working coordinates, embedded as ``x = origin + basis z``.

    Built here independently of ``regions.domain``. ``A`` rows need not be unit.
    """

    A: np.ndarray
    c: np.ndarray
    origin: np.ndarray
    basis: np.ndarray

    @property
    def dim(self) -> int:
        return self.basis.shape[1]

    def to_input(self, z) -> np.ndarray:
        return np.asarray(z, float) @ self.basis.T + self.origin


def whole_slice(n: int) -> Slice:
    return Slice(np.zeros((0, n)), np.zeros(0), np.zeros(n), np.eye(n))


def _box_rows(lo, hi):
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    eye = np.eye(lo.size)
    return np.vstack([eye, -eye]), np.concatenate([hi, -lo])


def box_slice(lo, hi) -> Slice:
    A, c = _box_rows(lo, hi)
    n = A.shape[1]
    return Slice(A, c, np.zeros(n), np.eye(n))


def polytope_slice(A, c) -> Slice:
    A = np.asarray(A, float)
    return Slice(A, np.asarray(c, float), np.zeros(A.shape[1]), np.eye(A.shape[1]))


def plane_slice(p0, p1, p2, lo=None, hi=None) -> Slice:
    """Plane through three points: origin ``p0``, ``u`` towards ``p1``, ``v`` towards ``p2``."""
    p0, p1, p2 = (np.asarray(p, float) for p in (p0, p1, p2))
    u = (p1 - p0) / np.linalg.norm(p1 - p0)
    w = (p2 - p0) - ((p2 - p0) @ u) * u
    v = w / np.linalg.norm(w)
    basis = np.stack([u, v], axis=1)
    if lo is None:
        return Slice(np.zeros((0, 2)), np.zeros(0), p0, basis)
    A, c = _box_rows(np.full(2, float(lo)), np.full(2, float(hi)))
    return Slice(A, c, p0, basis)


def line_slice(p0, p1) -> Slice:
    """The whole line through ``p0`` and ``p1``, at unit speed."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    direction = (p1 - p0) / np.linalg.norm(p1 - p0)
    return Slice(np.zeros((0, 1)), np.zeros(0), p0, direction[:, None])


def segment_slice(p0, p1) -> tuple[Slice, float]:
    """Segment ``t in [0, |p1 - p0|]`` at unit speed; returns the slice and the length."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    length = float(np.linalg.norm(p1 - p0))
    basis = ((p1 - p0) / length)[:, None]
    return Slice(np.array([[1.0], [-1.0]]), np.array([length, 0.0]), p0, basis), length


# --------------------------------------------------------------------------- network pieces


def states_of(z: np.ndarray, activation: str) -> np.ndarray:
    """Neuron states from pre-activations (relu/leaky: z > 0; hardtanh: -1, 0, 1)."""
    if activation == "hardtanh":
        return np.where(z > 1.0, 1, np.where(z < -1.0, -1, 0)).astype(np.int8)
    return (z > 0.0).astype(np.int8)


def slope_shift(states: np.ndarray, layer) -> tuple[np.ndarray, np.ndarray]:
    """The activation on a fixed state is ``slope * z + shift``."""
    states = np.asarray(states)
    if layer.activation == "relu":
        return (states == 1).astype(float), np.zeros(states.shape)
    if layer.activation == "leaky_relu":
        return np.where(states == 1, 1.0, layer.slope), np.zeros(states.shape)
    if layer.activation == "hardtanh":
        return (states == 0).astype(float), states.astype(float)
    return np.ones(states.shape), np.zeros(states.shape)


def preactivations(net, X) -> list[np.ndarray]:
    """Pre-activations ``(k, width)`` of every layer at input points ``X (k, n)``."""
    h = np.atleast_2d(np.asarray(X, float))
    out = []
    for layer in net.layers:
        z = h @ layer.weight.T + layer.bias
        out.append(z)
        if layer.activation == "relu":
            h = np.maximum(z, 0.0)
        elif layer.activation == "leaky_relu":
            h = np.where(z > 0, z, layer.slope * z)
        elif layer.activation == "hardtanh":
            h = np.clip(z, -1.0, 1.0)
        else:
            h = z
    return out


def true_patterns(net, X) -> np.ndarray:
    """Activation patterns ``(k, P)`` computed from :func:`preactivations`."""
    pieces = [states_of(z, layer.activation)
              for z, layer in zip(preactivations(net, X), net.layers)
              if layer.activation != "identity"]
    k = np.atleast_2d(X).shape[0]
    return np.concatenate(pieces, axis=1) if pieces else np.zeros((k, 0), np.int8)


def exact_pattern_at(net, x) -> tuple | None:
    """The activation pattern at the input point ``x`` (floats or Fractions), computed in
    exact rationals; None when some neuron sits exactly on a breakpoint there."""
    values = [_q(v) for v in x]
    pattern = []
    for W, b, act, slope in _exact_layers(net):
        z = [bb + sum((w * v for w, v in zip(row, values)), Fraction(0)) for row, bb in zip(W, b)]
        if act == "identity":
            values = z
            continue
        taus = (-1, 1) if act == "hardtanh" else (0,)
        if any(v == t for v in z for t in taus):
            return None
        states = [(1 if v > 1 else (-1 if v < -1 else 0)) if act == "hardtanh" else int(v > 0)
                  for v in z]
        pairs = [_exact_slope_shift(s, act, slope) for s in states]
        values = [a * v + s for (a, s), v in zip(pairs, z)]
        pattern.extend(states)
    return tuple(pattern)


def decisive(net, X, tol: float = 1e-9) -> np.ndarray:
    """Mask ``(k, P)``: the neuron's pre-activation is more than ``tol`` from its breakpoints."""
    pieces = []
    for z, layer in zip(preactivations(net, X), net.layers):
        if layer.activation == "identity":
            continue
        taus = (-1.0, 1.0) if layer.activation == "hardtanh" else (0.0,)
        pieces.append(np.all([np.abs(z - tau) > tol for tau in taus], axis=0))
    k = np.atleast_2d(X).shape[0]
    return np.concatenate(pieces, axis=1) if pieces else np.zeros((k, 0), bool)


# --------------------------------------------------------------------------- inscribed ball


def inscribed_balls(systems, dim: int, cap: float = ORACLE_CAP):
    """Largest balls (center, radius <= cap) of many polyhedra ``{z : A z <= c}`` at once.

    ``systems`` is a list of ``(A, c)``. All of them are stacked block-diagonally
    into one LP (maximise the sum of the radii; the blocks share no variable, so
    each radius is its own maximum), solved by cvxpy with the Clarabel
    interior-point solver -- not HiGHS, the package's solver. Rows with zero
    norm are constant constraints ``0 <= c``: the polyhedron is empty (radius
    ``-inf``) if one fails. Returns a list of ``(center, radius)``.
    """
    results = [None] * len(systems)
    blocks, rhs, owners = [], [], []
    for k, (A, c) in enumerate(systems):
        A = np.asarray(A, float).reshape(-1, dim)
        c = np.asarray(c, float).reshape(-1)
        norms = np.linalg.norm(A, axis=1)
        zero = norms == 0.0
        if np.any(c[zero] < 0.0):
            results[k] = (None, -np.inf)
            continue
        A, c, norms = A[~zero], c[~zero], norms[~zero]
        if A.shape[0] == 0:
            results[k] = (np.zeros(dim), float(cap))
            continue
        blocks.append(A / norms[:, None])
        rhs.append(c / norms)
        owners.append(k)
    if blocks:
        sizes = [b.shape[0] for b in blocks]
        K = len(blocks)
        Ablk = sp.block_diag(blocks, format="csr")
        E = sp.csr_matrix((np.ones(sum(sizes)), (np.arange(sum(sizes)),
                                                 np.repeat(np.arange(K), sizes))),
                          shape=(sum(sizes), K))
        z = cp.Variable(K * dim)
        r = cp.Variable(K)
        weights = cp.Parameter(K, nonneg=True)
        constraints = [Ablk @ z + E @ r <= np.concatenate(rhs)]
        if np.isfinite(cap):
            constraints.append(r <= cap)
        problem = cp.Problem(cp.Maximize(weights @ r), constraints)
        # The duality gap is shared by all blocks, and Clarabel's relative gap tolerance
        # is relative to the whole objective: a second pass weights each block by 1 / its
        # first-pass radius, so that every radius gets the same relative accuracy.
        weights.value = np.ones(K)
        for final in (False, True):
            problem.solve(solver=cp.CLARABEL, **_CLARABEL_OPTIONS)
            if problem.status not in ("optimal", "optimal_inaccurate") or r.value is None:
                raise RuntimeError(f"oracle LP failed: {problem.status}")
            if final or K == 1:
                break
            weights.value = 1.0 / np.clip(np.abs(r.value), 1e-6, None)
        Z = np.asarray(z.value).reshape(K, dim)
        for i, k in enumerate(owners):
            results[k] = (Z[i], float(r.value[i]))
    return results


def inscribed_ball(A: np.ndarray, c: np.ndarray, dim: int,
                   cap: float = ORACLE_CAP) -> tuple[np.ndarray | None, float]:
    """Largest ball (center, radius <= cap) in ``{z : A z <= c}``; radius negative if empty."""
    return inscribed_balls([(A, c)], dim, cap)[0]


def inscribed_radius(A: np.ndarray, c: np.ndarray, dim: int, cap: float = ORACLE_CAP) -> float:
    """Radius of :func:`inscribed_ball`."""
    return inscribed_ball(A, c, dim, cap)[1]


def _neuron_rows(g, beta, state: int, activation: str):
    """Constraints ``row . z <= rhs`` meaning ``neuron has state`` for ``z -> g.z + beta``.

    Returns a list of ``(row, rhs)``, or ``None`` when the state is impossible
    for a constant pre-activation. A pre-activation is constant only when its
    gradient is exactly zero (no tolerance: in floats this happens when every
    neuron feeding it is off or flat, in exact arithmetic whenever it is zero);
    its state is then decided exactly from the strict inequalities. Works on
    float arrays and on lists of :class:`fractions.Fraction` alike.
    """
    if not any(x != 0 for x in g):
        if activation == "hardtanh":
            ok = {1: beta > 1, -1: beta < -1, 0: -1 <= beta <= 1}[state]
        else:
            ok = beta > 0 if state == 1 else beta <= 0
        return [] if ok else None
    neg = [-x for x in g] if not isinstance(g, np.ndarray) else -g
    if activation == "hardtanh":
        if state == 1:
            return [(neg, beta - 1)]
        if state == -1:
            return [(g, -1 - beta)]
        return [(g, 1 - beta), (neg, 1 + beta)]
    return [(neg, beta)] if state == 1 else [(g, -beta)]


def _layer_states(layer) -> tuple[int, ...]:
    return (-1, 0, 1) if layer.activation == "hardtanh" else (0, 1)


def _classify(radius: float) -> bool:
    if radius > KEEP:
        return True
    if radius < DROP:
        return False
    raise Ambiguous(f"a pattern polyhedron has inscribed radius {radius:.3g}")


def _neurons(net):
    return [(li, j) for li, layer in enumerate(net.layers)
            if layer.activation != "identity" for j in range(layer.width)]


def brute_force_patterns(net, domain: Slice, exhaustive: bool = False) -> set[tuple]:
    """Every activation pattern whose polyhedron in ``domain`` holds a ball of radius > KEEP.

    With ``exhaustive=True`` every pattern in the full product of neuron
    states gets its own LP (all in one batched solve). Otherwise patterns are
    built neuron by neuron, breadth first, and a prefix is abandoned once the
    largest ball of its polyhedron has radius below DROP: the polyhedron of any
    completion is a subset of it, so no feasible pattern is lost. Every radius
    is the LP optimum of its own polyhedron, except when the parent's largest
    ball satisfies the child's new rows: it is then inside the child, which is
    a subset of the parent, so it is the child's largest ball too.
    Raises :class:`Ambiguous` when some pattern's radius is in ``[DROP, KEEP]``.
    """
    dim = domain.dim
    neurons = _neurons(net)
    A0 = np.asarray(domain.A, float).reshape(-1, dim)
    c0 = np.asarray(domain.c, float)
    if exhaustive:
        choices = [_layer_states(net.layers[li]) for li, _ in neurons]
        patterns, systems = [], []
        for pattern in itertools.product(*choices):
            rows = pattern_polyhedron(net, domain, pattern)
            if rows is not None:
                patterns.append(tuple(int(s) for s in pattern))
                systems.append(rows)
        balls = inscribed_balls(systems, dim)
        return {p for p, (_, radius) in zip(patterns, balls) if _classify(radius)}

    # Each node: (pattern, A, c, center, radius) with (center, radius) its largest ball.
    level = [((), A0, c0, *inscribed_ball(A0, c0, dim))]
    for depth, (li, j) in enumerate(neurons):
        layer = net.layers[li]
        children, pending = [], []
        for pattern, A, c, center, radius in level:
            G, beta = _layer_affine(net, domain, pattern, li)
            for state in _layer_states(layer):
                rows = _neuron_rows(G[j], beta[j], state, layer.activation)
                if rows is None:
                    continue
                A2 = np.vstack([A] + [np.asarray(r, float)[None, :] for r, _ in rows])
                c2 = np.concatenate([c, [float(rhs) for _, rhs in rows]])
                slacks = [(rhs - row @ center) / np.linalg.norm(row) for row, rhs in rows]
                child = (pattern + (state,), A2, c2)
                if all(s >= radius for s in slacks):
                    children.append((*child, center, radius))
                else:
                    pending.append(child)
        for child, (center, radius) in zip(pending, inscribed_balls(
                [(A2, c2) for _, A2, c2 in pending], dim)):
            children.append((*child, center, radius))
        level = [node for node in children if node[4] >= DROP]
    return {node[0] for node in level if _classify(node[4])}


def _layer_affine(net, domain: Slice, pattern: tuple, target: int):
    """Pre-activation ``G z + beta`` of layer ``target`` given the states of earlier layers."""
    M, m = domain.basis, domain.origin
    pos = 0
    for li, layer in enumerate(net.layers):
        G = layer.weight @ M
        beta = layer.weight @ m + layer.bias
        if li == target:
            return G, beta
        if layer.activation == "identity":
            M, m = G, beta
            continue
        states = np.asarray(pattern[pos:pos + layer.width])
        pos += layer.width
        slope, shift = slope_shift(states, layer)
        M, m = slope[:, None] * G, slope * beta + shift
    raise IndexError(target)


def pattern_polyhedron(net, domain: Slice, pattern: tuple):
    """``(A, c)``: the points of ``domain`` (working coordinates) with this pattern, closed.

    None if a constant neuron contradicts the pattern.
    """
    A = [np.asarray(domain.A, float).reshape(-1, domain.dim)]
    c = [np.asarray(domain.c, float)]
    pos = 0
    for li, layer in enumerate(net.layers):
        if layer.activation == "identity":
            continue
        G, beta = _layer_affine(net, domain, pattern, li)
        for j in range(layer.width):
            rows = _neuron_rows(G[j], beta[j], pattern[pos + j], layer.activation)
            if rows is None:
                return None
            for row, rhs in rows:
                A.append(np.asarray(row, float)[None, :])
                c.append([rhs])
        pos += layer.width
    return np.vstack(A), np.concatenate(c)


# --------------------------------------------------------------------------- exact arithmetic
#
# Networks with small integer or dyadic weights have exactly coincident, parallel and
# concurrent hyperplanes, exactly dead neurons and exactly zero rows. The functions below
# decide all of that in rational arithmetic (every float is a rational number, converted
# without rounding by ``Fraction(float)``), so no tolerance is involved in deciding whether a
# pattern's set is empty, lower-dimensional or full-dimensional.


def _q(x) -> Fraction:
    return Fraction(float(x)) if not isinstance(x, Fraction) else x


def _qvec(v):
    return [_q(x) for x in np.asarray(v, float).ravel()]


def _qmat(M):
    return [_qvec(row) for row in np.atleast_2d(np.asarray(M, float))]


def _matvec(M, v):
    return [sum((a * b for a, b in zip(row, v)), Fraction(0)) for row in M]


def _exact_layers(net):
    """Each layer as (W rows, b, activation, slope) in Fractions."""
    return [(_qmat(l.weight), _qvec(l.bias), l.activation, _q(l.slope)) for l in net.layers]


def _exact_slope_shift(state: int, activation: str, slope: Fraction):
    if activation == "relu":
        return Fraction(int(state == 1)), Fraction(0)
    if activation == "leaky_relu":
        return (Fraction(1) if state == 1 else slope), Fraction(0)
    if activation == "hardtanh":
        return Fraction(int(state == 0)), Fraction(state)
    return Fraction(1), Fraction(0)


def _exact_affine(layers, M, m, pattern, target):
    """Exact ``G z + beta`` of layer ``target`` (input map ``x = M z + m``, M as rows)."""
    pos = 0
    for li, (W, b, act, slope) in enumerate(layers):
        cols = list(zip(*M))  # columns of M: one per working coordinate
        G = [[sum((w * x for w, x in zip(row, col)), Fraction(0)) for col in cols] for row in W]
        beta = [bb + sum((w * x for w, x in zip(row, m)), Fraction(0)) for row, bb in zip(W, b)]
        if li == target:
            return G, beta
        if act == "identity":
            M, m = G, beta
            continue
        states = pattern[pos:pos + len(W)]
        pos += len(W)
        pairs = [_exact_slope_shift(s, act, slope) for s in states]
        M = [[a * x for x in row] for (a, _), row in zip(pairs, G)]
        m = [a * x + s for (a, s), x in zip(pairs, beta)]
    raise IndexError(target)


def exact_strict_lp(A, c, cap=Fraction(1)):
    """Exact ``max t`` s.t. ``A z + t <= c`` (every row), ``t <= cap``, z free.

    Rows and right-hand sides are Fractions; solved by a dense simplex in rational
    arithmetic with Bland's rule (no cycling on degenerate vertices). Returns
    ``(t, z)``. ``t > 0`` exactly when some ``z`` satisfies every row strictly, i.e.
    the polyhedron has an interior (zero rows must be removed by the caller).
    """
    m, d = len(A), len(A[0]) if A else 0
    t0 = min(min(c, default=cap), cap)
    # Variables: z+ (d), z- (d), s (t = t0 + s), slacks (m + 1). All rhs >= 0.
    n = 2 * d + 1
    rows = []
    for i in range(m):
        row = list(A[i]) + [-a for a in A[i]] + [Fraction(1)]
        slack = [Fraction(0)] * (m + 1)
        slack[i] = Fraction(1)
        rows.append(row + slack + [c[i] - t0])
    slack = [Fraction(0)] * (m + 1)
    slack[m] = Fraction(1)
    rows.append([Fraction(0)] * (2 * d) + [Fraction(1)] + slack + [cap - t0])
    basis = [n + i for i in range(m + 1)]
    width = n + m + 1
    obj = [Fraction(0)] * (width + 1)   # reduced costs of "maximise s": -c_j for basis 0
    obj[2 * d] = Fraction(-1)
    while True:
        enter = next((j for j in range(width) if obj[j] < 0), None)
        if enter is None:
            break
        best, leave = None, None
        for i, row in enumerate(rows):
            if row[enter] > 0:
                ratio = row[-1] / row[enter]
                if best is None or ratio < best or (ratio == best and basis[i] < basis[leave]):
                    best, leave = ratio, i
        if leave is None:
            raise RuntimeError("exact LP unbounded (cannot happen: t <= cap)")
        pivot = rows[leave]
        p = pivot[enter]
        nonzero = [k for k, y in enumerate(pivot) if y]
        for k in nonzero:
            pivot[k] = pivot[k] / p
        for row in rows + [obj]:
            if row is not pivot and row[enter]:
                f = row[enter]
                for k in nonzero:
                    row[k] = row[k] - f * pivot[k]
        basis[leave] = enter
    value = [Fraction(0)] * width
    for i, j in enumerate(basis):
        value[j] = rows[i][-1]
    z = [value[k] - value[d + k] for k in range(d)]
    return t0 + value[2 * d], z


def _exact_verdict(A, c, point=None):
    """Keep or drop ``{A z <= c}`` (Fractions), decided exactly: kept when it has an interior.

    Returns ``(keep, z)`` with ``z`` an exact point strictly inside when kept.
    Zero rows are constants: the set is empty if one fails (``0 <= c`` false),
    else they are dropped. With ``point`` (an exact point strictly inside a
    superset) kept at once when ``point`` is strictly inside this set too;
    otherwise the exact LP value ``t`` of :func:`exact_strict_lp` decides: an
    interior exactly when ``t > 0``. No tolerance: a sliver of width 1e-30 is kept.
    """
    if any(rhs < 0 for row, rhs in zip(A, c) if not any(x != 0 for x in row)):
        return False, None
    keep = [(row, rhs) for row, rhs in zip(A, c) if any(x != 0 for x in row)]
    if not keep:
        return True, point
    if point is not None:
        slack = min(rhs - sum((a * x for a, x in zip(row, point)), Fraction(0))
                    for row, rhs in keep)
        if slack > 0:
            return True, point
    t, z = exact_strict_lp([r for r, _ in keep], [h for _, h in keep])
    return (True, z) if t > 0 else (False, None)


def exact_patterns(net, domain: Slice) -> set[tuple]:
    """:func:`brute_force_patterns` in exact rational arithmetic.

    Patterns are grown neuron by neuron (depth first); each prefix's set is
    decided by :func:`exact_strict_lp` (or, for free, by an exact interior point
    of the parent that stays strictly inside). Zero gradients (dead neurons,
    zero rows, bias-only layers, deep neurons that cancel) are exactly zero,
    coincident and concurrent hyperplanes meet exactly: lower-dimensional
    pieces have ``t = 0`` exactly and are never counted.
    """
    layers = _exact_layers(net)
    neurons = _neurons(net)
    dim = domain.dim
    A0 = _qmat(np.asarray(domain.A, float).reshape(-1, dim)) if len(domain.c) else []
    c0 = _qvec(domain.c)
    M0, m0 = _qmat(domain.basis), _qvec(domain.origin)
    found = set()

    keep, z = _exact_verdict(A0, c0) if A0 else (True, [Fraction(0)] * dim)
    if not keep:
        return found

    def extend(pattern, A, c, point):
        if len(pattern) == len(neurons):
            if _exact_verdict(A, c, point)[0]:
                found.add(pattern)
            return
        li, j = neurons[len(pattern)]
        G, beta = _exact_affine(layers, M0, m0, pattern, li)
        for state in _layer_states(net.layers[li]):
            rows = _neuron_rows(G[j], beta[j], state, layers[li][2])
            if rows is None:
                continue
            A2 = A + [list(r) for r, _ in rows]
            c2 = c + [h for _, h in rows]
            keep, z = _exact_verdict(A2, c2, point)
            if keep:
                extend(pattern + (state,), A2, c2, z)

    extend((), A0, c0, z)
    return found


# --------------------------------------------------------------------------- 1-D sweep


@dataclass(frozen=True)
class Interval:
    lo: float
    hi: float
    pattern: tuple


def line_partition(net, origin, direction, t_lo: float = -np.inf,
                   t_hi: float = np.inf) -> list[Interval]:
    """Exact linear regions of ``t -> net(origin + t * direction)`` on ``[t_lo, t_hi]``.

    Layer by layer, every piece of the line on which the earlier layers are
    affine (``h = alpha t + gamma``) is cut at the roots of each neuron's
    ``z_j(t) - breakpoint``; states are read at piece midpoints. Adjacent
    pieces with the same pattern are merged (a pattern's set is convex).
    Pieces of half-length below DROP are dropped; Ambiguous if any final
    interval has half-length in ``[DROP, KEEP]``.
    """
    pieces = [(float(t_lo), float(t_hi), np.asarray(direction, float),
               np.asarray(origin, float), ())]
    for layer in net.layers:
        taus = (-1.0, 1.0) if layer.activation == "hardtanh" else (0.0,)
        refined = []
        for lo, hi, alpha, gamma, pattern in pieces:
            a = layer.weight @ alpha
            c = layer.weight @ gamma + layer.bias
            if layer.activation == "identity":
                refined.append((lo, hi, a, c, pattern))
                continue
            cuts = sorted({(tau - c[j]) / a[j] for j in range(layer.width) for tau in taus
                           if a[j] != 0.0 and lo < (tau - c[j]) / a[j] < hi})
            ends = [lo] + cuts + [hi]
            for u, v in zip(ends[:-1], ends[1:]):
                mid = _midpoint(u, v)
                states = states_of(a * mid + c, layer.activation)
                slope, shift = slope_shift(states, layer)
                refined.append((u, v, slope * a, slope * c + shift,
                                pattern + tuple(int(s) for s in states)))
        pieces = refined
    merged: list[Interval] = []
    for lo, hi, _, _, pattern in pieces:
        if (hi - lo) / 2.0 < DROP:
            continue
        if merged and merged[-1].pattern == pattern:
            merged[-1] = Interval(merged[-1].lo, hi, pattern)
        else:
            merged.append(Interval(lo, hi, pattern))
    for interval in merged:
        if (interval.hi - interval.lo) / 2.0 <= KEEP:
            raise Ambiguous(f"interval of length {interval.hi - interval.lo:.3g}")
    return merged


def _midpoint(u: float, v: float) -> float:
    if np.isinf(u) and np.isinf(v):
        return 0.0
    if np.isinf(u):
        return v - 1.0
    if np.isinf(v):
        return u + 1.0
    return 0.5 * (u + v)


# --------------------------------------------------------------------------- 2-D clipping


def _clip(poly, g, beta):
    """Split a convex polygon (list of vertices) by ``g . z + beta = 0``.

    Returns (part with <= 0, part with >= 0). Works in floats or Fractions. A
    polygon lying in the line (``g = 0``, ``beta = 0``) is returned once, as
    the ``<= 0`` part: which side it is does not matter, states are read at the
    centroid afterwards.
    """
    values = [g[0] * p[0] + g[1] * p[1] + beta for p in poly]
    if all(v == 0 for v in values):
        return poly, []
    neg, pos = [], []
    k = len(poly)
    for i in range(k):
        p, q = poly[i], poly[(i + 1) % k]
        vp, vq = values[i], values[(i + 1) % k]
        if vp <= 0:
            neg.append(p)
        if vp >= 0:
            pos.append(p)
        if (vp < 0 < vq) or (vq < 0 < vp):
            f = vp / (vp - vq)
            x = (p[0] + f * (q[0] - p[0]), p[1] + f * (q[1] - p[1]))
            neg.append(x)
            pos.append(x)
    return neg, pos


def _area2(poly):
    """Twice the (unsigned) area, exact for Fractions."""
    k = len(poly)
    if k < 3:
        return 0
    s = sum(poly[i][0] * poly[(i + 1) % k][1] - poly[i][1] * poly[(i + 1) % k][0]
            for i in range(k))
    return abs(s)


def _area_perimeter(poly) -> tuple[float, float]:
    if len(poly) < 3:
        return 0.0, 0.0
    P = [(float(x), float(y)) for x, y in poly]
    area = float(_area2(poly)) / 2.0
    perimeter = sum(math.hypot(P[i][0] - P[i - 1][0], P[i][1] - P[i - 1][1])
                    for i in range(len(P)))
    return area, perimeter


def _polygon_kept(poly, final: bool, exact: bool) -> bool:
    """Keep/drop a piece by its inradius r, bracketed for convex sets by A/P <= r <= 2A/P.

    In exact mode a piece is kept exactly when its area is not zero (no tolerance). Pieces
    with r surely below DROP are dropped; with ``final`` (a layer is complete) a
    piece that is neither surely above KEEP nor surely below DROP gets its exact
    inradius from an LP, and raises Ambiguous if that is in [DROP, KEEP].
    """
    if exact:
        return _area2(poly) != 0
    area, perimeter = _area_perimeter(poly)
    if perimeter == 0.0 or 2.0 * area / perimeter < DROP:
        return False
    if not final or area / perimeter > KEEP:
        return True
    return _classify(_polygon_inradius(np.array([[float(x), float(y)] for x, y in poly])))


def _polygon_rows(poly: np.ndarray):
    """The edge lines of a convex polygon as ``A z <= c``, oriented towards its centroid."""
    center = poly.mean(axis=0)
    edges = np.roll(poly, -1, axis=0) - poly
    keep = np.linalg.norm(edges, axis=1) > 0
    normals = np.stack([edges[keep, 1], -edges[keep, 0]], axis=1)
    rhs = np.einsum("ij,ij->i", normals, poly[keep])
    flip = normals @ center > rhs  # orient every edge so that the centroid satisfies it
    normals[flip], rhs[flip] = -normals[flip], -rhs[flip]
    return normals, rhs


def _polygon_inradius(poly: np.ndarray) -> float:
    """Inradius of a convex polygon from its edge lines (one Clarabel LP)."""
    return inscribed_radius(*_polygon_rows(poly), 2, cap=np.inf)


def polygon_inradii(polygons) -> np.ndarray:
    """Inradii of many convex polygons (k_i, 2), in one Clarabel LP."""
    return np.array([radius for _, radius in inscribed_balls(
        [_polygon_rows(np.asarray(p, float)) for p in polygons], 2, cap=np.inf)])


def polygon_partition(net, domain: Slice, polygon, exact: bool = False):
    """LP-free regions of a network on a convex polygon of a 2-D slice, by clipping.

    ``polygon`` (k, 2) lists the domain's vertices in working coordinates.
    Every piece carries the affine map of the layers so far; each breakpoint
    line of the next layer clips it. With ``exact=True`` everything (weights,
    slice, vertices) is a :class:`fractions.Fraction`: dead neurons have an
    exactly zero gradient, concurrent lines meet in one exact point and the
    pieces they would bound have zero area, so no tolerance decides a
    degenerate case. In float mode a neuron is constant only when its gradient
    is exactly zero. Returns ``(patterns, per_layer, pieces)``: the list of
    patterns, the piece count after each layer, and the final polygons.
    """
    if exact:
        conv, convm = _qvec, _qmat
        poly0 = [tuple(_qvec(p)) for p in np.asarray(polygon, float)]
        layers = _exact_layers(net)
        M0, m0 = convm(domain.basis), conv(domain.origin)
    else:
        poly0 = [tuple(p) for p in np.asarray(polygon, float)]
        layers = [(l.weight, l.bias, l.activation, l.slope) for l in net.layers]
        M0, m0 = np.asarray(domain.basis, float), np.asarray(domain.origin, float)
    pieces = [(poly0, M0, m0, ())]
    per_layer = []
    for (W, b, act, slope), layer in zip(layers, net.layers):
        taus = (-1, 1) if act == "hardtanh" else (0,)
        refined = []
        for poly, M, m, pattern in pieces:
            if exact:
                cols = list(zip(*M))
                G = [[sum((w * x for w, x in zip(row, col)), Fraction(0)) for col in cols]
                     for row in W]
                beta = [bb + sum((w * x for w, x in zip(row, m)), Fraction(0))
                        for row, bb in zip(W, b)]
            else:
                G, beta = W @ M, W @ m + b
            if act == "identity":
                refined.append((poly, G, beta, pattern))
                continue
            parts = [poly]
            for j in range(len(W)):
                for tau in taus:
                    split = []
                    for part in parts:
                        split.extend(p for p in _clip(part, G[j], beta[j] - tau)
                                     if _polygon_kept(p, False, exact))
                    parts = split
            for part in parts:
                # Centroid of the vertices: strictly inside a non-degenerate convex polygon.
                k = len(part)
                center = (sum(p[0] for p in part) / k, sum(p[1] for p in part) / k)
                z = [g[0] * center[0] + g[1] * center[1] + bb for g, bb in zip(G, beta)]
                if exact:
                    states = [(1 if v > 1 else -1 if v < -1 else 0) if act == "hardtanh"
                              else int(v > 0) for v in z]
                    pairs = [_exact_slope_shift(s, act, slope) for s in states]
                    M2 = [[a * x for x in row] for (a, _), row in zip(pairs, G)]
                    m2 = [a * x + s for (a, s), x in zip(pairs, beta)]
                else:
                    states = states_of(np.asarray(z), act)
                    sl, shift = slope_shift(states, layer)
                    M2, m2 = sl[:, None] * G, sl * beta + shift
                refined.append((part, M2, m2, pattern + tuple(int(s) for s in states)))
        pieces = [p for p in refined if _polygon_kept(p[0], True, exact)]
        per_layer.append(len(pieces))
    return ([p[3] for p in pieces], per_layer,
            [np.array([[float(x), float(y)] for x, y in p[0]]) for p in pieces])


def whole_plane_partition(net, near: float = 1e4, far: float = 1e7):
    """:func:`polygon_partition` of a 2-input network on all of R^2, via two large squares.

    Beyond its last vertex the partition is a fan of cones, and a square
    containing every vertex meets every region once. The vertices are not
    known in advance, so the squares of half-size ``near`` and ``far`` must
    see the same patterns (else Ambiguous: a thin cone, or a vertex, lies
    beyond ``near``); the ``far`` result is returned.
    """
    whole = whole_slice(2)
    inner = polygon_partition(net, whole, square(-near, near))
    outer = polygon_partition(net, whole, square(-far, far))
    if set(inner[0]) != set(outer[0]):
        raise Ambiguous(f"squares of half-size {near:g} and {far:g} see different regions")
    return outer


def square(lo: float, hi: float) -> np.ndarray:
    """Counter-clockwise vertices of ``[lo, hi]^2``."""
    return np.array([[lo, lo], [hi, lo], [hi, hi], [lo, hi]], dtype=float)


# --------------------------------------------------------------------------- test helpers


def hidden(rows, biases, activation="relu"):
    """One hidden layer with the given rows (neurons) and biases, then a 1-output identity."""
    import regions

    W = np.atleast_2d(np.asarray(rows, float))
    b = np.asarray(biases, float)
    return regions.Network.from_layers([(W, b), (np.ones((1, W.shape[0])), np.zeros(1))],
                                       [activation, "identity"])


def random_net(widths, activations, seed: int, bias_std: float = 0.5, slope: float = 0.1):
    """A ``regions.Network`` with N(0, 1) weights and N(0, bias_std^2) biases.

    ``activations`` has one entry per layer (the last is usually ``identity``).
    Larger biases than He-init put breakpoints of every layer inside the unit box.
    """
    import regions

    rng = np.random.default_rng(seed)
    pairs = [(rng.normal(size=(n_out, n_in)), rng.normal(0.0, bias_std, size=n_out))
             for n_in, n_out in zip(widths[:-1], widths[1:])]
    return regions.Network.from_layers(pairs, activations, slope=slope)


def pattern_set(partition) -> set[tuple]:
    """The partition's patterns as a set of int tuples (after checking they are distinct)."""
    patterns = {tuple(int(s) for s in row) for row in np.asarray(partition.patterns)}
    assert len(patterns) == len(partition), "two regions share one activation pattern"
    return patterns


def row_set(patterns) -> set[tuple]:
    """Rows of a pattern array as a set of int tuples (repeated rows allowed)."""
    return {tuple(int(s) for s in row) for row in patterns}


def unambiguous(oracle, *args, **kwargs):
    """Run an oracle; skip the calling test when it reports an ambiguous input."""
    import pytest

    try:
        return oracle(*args, **kwargs)
    except Ambiguous as exc:
        pytest.skip(f"oracle cannot decide this seed: {exc}")


def unit_square_partition(net):
    """``polygon_partition`` of a 2-input network on the square ``[-1, 1]^2`` (the common
    case of the tests): ``(patterns, per_layer, polygons)``; skips on an ambiguous input."""
    return unambiguous(polygon_partition, net, box_slice([-1, -1], [1, 1]), square(-1.0, 1.0))


def residual_block_patterns(weights, box_lo: float, box_hi: float) -> set[tuple]:
    """Brute force over the model's own ReLUs for x in R^2 -> h = relu(W0 x + b0) (3) ->
    y = relu(h + W2 relu(W1 h + b1) + b2) (3 + 3): the patterns ``(h, inner, y)`` whose
    cells in the box ``[box_lo, box_hi]^2`` are full-dimensional (the block's algebra
    written out per pattern, one LP each)."""
    (W0, b0), (W1, b1), (W2, b2) = weights
    found = set()
    box_rows = np.vstack([np.eye(2), -np.eye(2)])
    box_rhs = np.concatenate([np.full(2, box_hi), np.full(2, -box_lo)])
    for states in itertools.product((0, 1), repeat=9):
        s0, s1, s2 = (np.array(states[k:k + 3], float) for k in (0, 3, 6))
        rows, rhs = [box_rows], [box_rhs]
        # each pre-activation as (G, g) with value G x + g; state 1: > 0, state 0: <= 0
        G0, g0 = W0, b0
        H, h = s0[:, None] * G0, s0 * g0
        G1, g1 = W1 @ H, W1 @ h + b1
        A, a = s1[:, None] * G1, s1 * g1
        G2, g2 = H + W2 @ A, h + W2 @ a + b2
        for (G, g), s in (((G0, g0), s0), ((G1, g1), s1), ((G2, g2), s2)):
            sign = np.where(s == 1, -1.0, 1.0)        # on: -(Gx + g) <= 0; off: Gx + g <= 0
            rows.append(sign[:, None] * G)
            rhs.append(-sign * g)
        A_all, c_all = np.vstack(rows), np.concatenate(rhs)
        norms = np.linalg.norm(A_all, axis=1)
        keep = norms > 1e-12
        if np.any(c_all[~keep] < -1e-12):
            continue                                    # 0 <= c fails: empty
        if inscribed_radius(A_all[keep] / norms[keep, None],
                                    c_all[keep] / norms[keep], 2, cap=10.0) > 1e-6:
            found.add(states)
    return found


def segment_count(net, p0, p1) -> int:
    """Regions of ``net`` on the segment ``p0 -> p1``, by the exact sweep of
    :func:`line_partition` (the calling test is skipped when the sweep cannot decide)."""
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    length = float(np.linalg.norm(p1 - p0))
    return len(unambiguous(line_partition, net, p0, (p1 - p0) / length, 0.0, length))
