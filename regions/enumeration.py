"""Exact enumeration of linear regions by layer-by-layer splitting.

The algorithm: start with the domain as a single cell. On a cell produced by
layers ``0..l-1`` every neuron of those layers has a fixed state, so the
network up to layer ``l`` is one affine map ``h(z) = M z + m`` there, and the
pre-activations of layer ``l`` are affine too: ``W_l (M z + m) + b_l``. Each of
their breakpoint hyperplanes either misses the cell (decided without an LP
when possible: constant pre-activation, interval bounds over the domain's
bounding box) or cuts it; :func:`regions._core.split_cell` splits the cell by
every hyperplane that cuts it into two full-dimensional pieces. Cells are
processed depth-first over this layer tree, so finished regions come out
early and memory stays proportional to depth times width.
"""

from __future__ import annotations

import time

import numpy as np

from ._core import classify, split_cell
from .domain import Domain, whole_space
from .errors import DomainError, RegionsError
from .lp import LPSolver
from .network import Layer, Network, state_slope_offset
from .partition import Partition
from .tolerances import MIN_RADIUS, ZERO_NORM


def enumerate_regions(network: Network, domain=None, *, min_radius: float = MIN_RADIUS,
                      progress=None) -> Partition:
    """Enumerate every full-dimensional linear region of ``network`` over ``domain``.

    Parameters
    ----------
    network : Network
    domain : Domain, optional
        Default: all of R^n (:func:`regions.whole_space`). Slices (``plane``,
        ``line``, ``segment``) are enumerated in their own coordinates.
    min_radius : float
        A region counts when its largest inscribed ball has a radius above
        this (see :mod:`regions.tolerances`).
    progress : callable, optional
        Called about twice a second as
        ``progress(regions_found, layer, pending_cells, seconds)``, where
        ``layer`` is the layer of the cell just taken from the work stack.

    Returns
    -------
    Partition
    """
    if not isinstance(network, Network):
        raise TypeError(f"expected a regions.Network, got {type(network).__name__}")
    domain = (domain if domain is not None else whole_space()).resolve(network.input_dim)
    min_radius = float(min_radius)
    if not (np.isfinite(min_radius) and min_radius > 0.0):
        raise RegionsError(f"min_radius must be positive and finite, got {min_radius}")

    started = time.perf_counter()
    solver = LPSolver()
    root = solver.chebyshev(domain.A, domain.c)
    if root.radius <= min_radius:
        raise DomainError(f"the {domain.kind} domain has no interior ball of radius {min_radius}")
    layers = network.layers
    hyperplane_offsets = np.cumsum([0] + [l.width * len(l.breakpoints) for l in layers])
    per_layer = [0] * len(layers)
    root_cell = (domain.A, domain.c, -1 - np.arange(domain.A.shape[0], dtype=np.int64),
                 root.center, root.radius, True)
    # Stack entries: (layer index, cell, affine map M (n_l, dim), m (n_l,), pattern pieces).
    stack = [(0, root_cell, domain.basis, domain.origin, [])]
    patterns, witnesses, margins, rows, maps = [], [], [], [], []
    last_report = started
    while stack:
        index, cell, M, m, pieces = stack.pop()
        if progress is not None and time.perf_counter() - last_report > 0.5:
            last_report = time.perf_counter()
            progress(len(patterns), index, len(stack), last_report - started)
        if index == len(layers):
            A, c, labels, center, radius, exact = cell
            if not exact:
                ball = solver.chebyshev(A, c)
                center, radius = ball.center, ball.radius
            patterns.append(np.concatenate(pieces) if pieces else np.zeros(0, np.int8))
            witnesses.append(center)
            margins.append(radius)
            rows.append((A, c, labels))
            maps.append((M, m))
            continue
        layer = layers[index]
        children = _split_by_layer(cell, layer, M, m, domain, hyperplane_offsets[index],
                                   solver, min_radius)
        per_layer[index] += len(children)
        for child, states, M_next, m_next in reversed(children):
            stack.append((index + 1, child, M_next, m_next,
                          pieces + [states] if layer.activation != "identity" else pieces))

    seconds = time.perf_counter() - started
    count = len(patterns)
    return Partition(
        network=network,
        domain=domain,
        patterns=(np.array(patterns, dtype=np.int8).reshape(count, network.pattern_length)),
        witnesses=np.array(witnesses, dtype=np.float64).reshape(count, domain.dim),
        margins=np.array(margins, dtype=np.float64),
        per_layer=per_layer,
        lps=solver.count,
        seconds=seconds,
        lp_seconds=solver.seconds,
        min_radius=min_radius,
        _rows=rows,
        _maps=maps,
    )


def _split_by_layer(cell, layer: Layer, M: np.ndarray, m: np.ndarray, domain: Domain,
                    label_offset: int, solver: LPSolver, min_radius: float):
    """Split ``cell`` by the breakpoint hyperplanes of ``layer``.

    Returns a list of ``(child cell, states (width,) int8, M_next, m_next)``
    where ``M_next z + m_next`` is the layer's output on the child.
    """
    G = layer.weight @ M                  # (width, dim) pre-activation gradients
    beta = layer.weight @ m + layer.bias  # (width,)
    if layer.activation == "identity":
        return [(cell, np.zeros(0, np.int8), G, beta)]

    # Rounding in W @ M is at most about eps * sum_k |W_jk| |M_k|: below ZERO_NORM times
    # that bound a gradient is taken as exactly zero (dead neurons, zero rows).
    scale = np.abs(layer.weight) @ np.linalg.norm(M, axis=1)
    offsets = np.asarray(layer.breakpoints)
    k = offsets.size
    G_planes = np.ascontiguousarray(np.repeat(G, k, axis=0))
    beta_planes = np.ascontiguousarray((beta[:, None] - offsets[None, :]).ravel())
    threshold = np.repeat(ZERO_NORM * scale, k)
    # At exactly z = breakpoint, neuron_states puts relu's z = 0 in state 0 (side -1)
    # and hardtanh's z = -1 / z = 1 in the linear state (sides +1 / -1).
    tie = np.tile(np.array([1, -1] if k == 2 else [-1], dtype=np.int8), layer.width)
    sides, norms = classify(G_planes, beta_planes, threshold, tie, domain.lower, domain.upper)
    undecided = [int(t) for t in np.flatnonzero(sides == 0)]
    ids = label_offset + np.arange(G_planes.shape[0], dtype=np.int64)
    start = cell + (sides, undecided)
    pieces = split_cell(start, G_planes, beta_planes, norms, ids, solver, min_radius)

    children = []
    for A, c, labels, center, radius, exact, piece_sides, _ in pieces:
        states = _states_from_sides(piece_sides, k)
        slope, shift = state_slope_offset(states, layer)
        children.append(((A, c, labels, center, radius, exact), states,
                         slope[:, None] * G, slope * beta + shift))
    return children


def _states_from_sides(sides: np.ndarray, breakpoints: int) -> np.ndarray:
    """Neuron states from the sides of their breakpoint hyperplanes."""
    if breakpoints == 1:
        return (sides > 0).astype(np.int8)
    lower, upper = sides[0::2], sides[1::2]  # sides of z = -1 and z = +1
    return np.where(upper > 0, 1, np.where(lower < 0, -1, 0)).astype(np.int8)
