"""The LP split engine: cells as H-representations, cut by LP feasibility tests.

On a cell produced by layers ``0..l-1`` every neuron of those layers has a
fixed state, so the network up to layer ``l`` is one affine map
``h(z) = M z + m`` there, and the pre-activations of layer ``l`` are affine
too: ``W_l (M z + m) + b_l``. Each of their breakpoint hyperplanes either
misses the cell (decided without an LP when possible: constant
pre-activation, interval bounds over the domain's bounding box) or cuts it;
:func:`regions.engines._split.split_cell` splits the cell by every hyperplane that
cuts it into two full-dimensional pieces. Works on every domain, bounded or
not, in any dimension.

A cell is the tuple ``(layer, A, c, labels, center, radius, exact, M, m,
pattern, sides, undecided)``: the next layer to apply, constraints ``A z <=
c`` (unit rows) with their labels, an inscribed ball (``exact`` when it is
the largest), the affine map ``M z + m`` of the layer input, the states so
far, and, for a cell whose split by its layer was cut short after
``split_steps`` pieces (so one huge cell returns to the driver like small
ones), the sides decided so far and the hyperplanes still to test (empty
arrays otherwise). A final region is the record ``(pattern, witness,
margin, A, c, labels, C, d)``.
"""

from __future__ import annotations

import numpy as np

from ._split import classify, split_cell
from ..domain import Domain
from ..errors import DomainError
from ..lp import LPSolver
from ..network import (Network, breakpoint_hyperplanes, state_slope_offset, states_from_sides,
                       tie_sides)
from ..tolerances import NEAR_DEGENERATE_FACTOR

#: The last two fields of a cell entering its layer (no split begun).
FRESH = (np.zeros(0, np.int8), np.zeros(0, np.int64))


def root_ball(solver: LPSolver, domain: Domain, min_radius: float):
    """The domain's inscribed ball; DomainError when it is not above the tolerance."""
    root = solver.chebyshev(domain.A, domain.b)
    if root.radius <= min_radius:
        raise DomainError(f"the {domain.kind} domain has no interior ball of relative radius "
                          f"{min_radius}")
    return root


class SplitEngine:
    """Depth-first LP splitting (see the module docstring); ``domain`` is the scaled one."""

    name = "split"
    chunk = 1
    #: Pieces one call of ``split_cell`` takes off its stack before the cell goes back
    #: unfinished (about one LP each).
    split_steps = 1024

    def __init__(self, network: Network, domain: Domain, min_radius: float,
                 solver: LPSolver | None = None):
        self.network, self.domain, self.min_radius = network, domain, min_radius
        self.solver = solver or LPSolver()
        self.offsets = network.label_offsets()
        self.stack: list = []
        self.found: list = []
        self.n_regions = 0
        self.per_layer = [0] * len(network.layers)
        self.slivers = 0
        self.lps_before = 0
        self.lp_seconds_before = 0.0

    def roots(self) -> list[tuple]:
        """The first cells: the domain."""
        ball = root_ball(self.solver, self.domain, self.min_radius)
        labels = -1 - np.arange(self.domain.A.shape[0], dtype=np.int64)
        return [(0, self.domain.A, self.domain.b, labels, ball.center, ball.radius, True,
                 self.domain.basis, self.domain.origin, np.zeros(0, np.int8), *FRESH)]

    @property
    def pending(self) -> int:
        return len(self.stack)

    @property
    def top_layer(self) -> int:
        return self.stack[-1][0] if self.stack else -1

    def push(self, cell: tuple) -> None:
        self.stack.append(cell)

    def pop(self) -> tuple:
        return self.stack.pop()

    def take_results(self) -> list:
        found, self.found = self.found, []
        return found

    def counters(self) -> dict:
        return {"regions": self.n_regions, "per_layer": list(self.per_layer), "slivers": self.slivers,
                "lps": self.lps_before + self.solver.count,
                "lp_seconds": self.lp_seconds_before + self.solver.seconds}

    def restore(self, counters: dict, records: list) -> None:
        """Continue a checkpointed run: its counters (its records are kept by the driver)."""
        self.n_regions = int(counters["regions"])
        self.per_layer = [int(n) for n in counters["per_layer"]]
        self.slivers = int(counters["slivers"])
        self.lps_before = int(counters["lps"]) - self.solver.count
        self.lp_seconds_before = float(counters["lp_seconds"]) - self.solver.seconds

    def run(self, max_cells: int, max_regions: int) -> int:
        processed = 0
        while processed < max_cells and self.stack and self.n_regions < max_regions:
            self.stack.extend(reversed(self.step(self.stack.pop())))
            processed += 1
        return processed

    def step(self, cell: tuple) -> list:
        """Process one cell: its children in depth-first order, or ``[]`` once it is
        recorded as a final region."""
        layer_index = cell[0]
        if layer_index == len(self.network.layers):
            self.found.append(self.finish(cell))
            self.n_regions += 1
            return []
        children, finished = self.split(cell, self.network.layers[layer_index])
        self.per_layer[layer_index] += finished
        return children

    def finish(self, cell: tuple) -> tuple:
        _, A, c, labels, center, radius, exact, M, m, pattern, _, _ = cell
        if not exact:
            ball = self.solver.chebyshev(A, c)
            center, radius = ball.center, ball.radius
        return (pattern, center, radius, A, c, labels, M, m)

    def split(self, cell: tuple, layer) -> tuple[list, int]:
        """Children of ``cell`` under ``layer``'s breakpoint hyperplanes, in depth-first
        order: the finished ones (cells of the next layer; their number is returned too),
        then those of a split cut short (cells of this layer)."""
        index, A, c, labels, center, radius, exact, M, m, pattern, sides, undecided = cell
        G = layer.weight @ M                   # (width, dim) pre-activation map
        beta = layer.weight @ m + layer.bias   # (width,)
        if layer.activation == "identity":
            return [(index + 1, A, c, labels, center, radius, exact, G, beta, pattern,
                     *FRESH)], 1
        G_planes, beta_planes, threshold = breakpoint_hyperplanes(layer, G, beta, M)
        classified, norms = classify(G_planes, beta_planes, threshold,
                                     tie_sides(layer.activation, layer.width),
                                     self.domain.lower, self.domain.upper)
        if sides.size == 0:           # a cell entering its layer
            sides, undecided = classified, np.flatnonzero(classified == 0)
        ids = self.offsets[index] + np.arange(G_planes.shape[0], dtype=np.int64)
        start = (A, c, labels, center, radius, exact, sides, [int(t) for t in undecided])
        pieces, slivers, unfinished = split_cell(
            start, G_planes, beta_planes, norms, ids, self.solver, self.min_radius,
            self.min_radius / NEAR_DEGENERATE_FACTOR, self.split_steps)
        self.slivers += slivers
        children = []
        for A_, c_, labels_, center_, radius_, exact_, piece_sides, _ in pieces:
            states = states_from_sides(piece_sides, layer.activation)
            slope, shift = state_slope_offset(states, layer)
            children.append((index + 1, A_, c_, labels_, center_, radius_, exact_,
                             slope[:, None] * G, slope * beta + shift,
                             np.concatenate([pattern, states]), *FRESH))
        for A_, c_, labels_, center_, radius_, exact_, piece_sides, rest in reversed(unfinished):
            children.append((index, A_, c_, labels_, center_, radius_, exact_, M, m, pattern,
                             piece_sides, np.array(rest, dtype=np.int64)))
        return children, len(pieces)

    # ------------------------------------------------------------------ final regions

    @staticmethod
    def count(records: list) -> int:
        return len(records)

    @staticmethod
    def head(records: list, count: int) -> list:
        return records[:count]

    @staticmethod
    def margins(records: list) -> np.ndarray:
        """The margins of the final regions (scaled coordinates)."""
        return np.array([r[2] for r in records], dtype=np.float64)

    @staticmethod
    def collect(records: list, network: Network, domain: Domain, scale: float) -> dict:
        """Partition fields of the final regions, in domain coordinates."""
        count = len(records)
        return dict(
            patterns=np.array([r[0] for r in records], dtype=np.int8).reshape(
                count, network.pattern_length),
            witnesses=np.array([r[1] for r in records], dtype=np.float64).reshape(
                count, domain.dim) * scale,
            margins=np.array([r[2] for r in records], dtype=np.float64) * scale,
            rows=[(r[3], r[4] * scale, r[5]) for r in records],
            maps=[(r[6] / scale, r[7]) for r in records])
