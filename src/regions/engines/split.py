"""The LP split engine: cells as H-representations, cut by certified LP decisions.

On a cell produced by layers ``0..l-1`` every neuron of those layers has a
fixed state, so the network up to layer ``l`` is one affine map
``h(z) = M z + m`` there, and the pre-activations of layer ``l`` are affine
too: ``W_l (M z + m) + b_l``. A neuron whose pre-activation is exactly
constant on the cell keeps the state of its constant; each breakpoint
hyperplane of the others either cuts the cell into two parts with interior,
or leaves it on one side. Every such decision is certified
(``regions.predicates``): by interval arithmetic over the domain's bounding
box, by a ball inside the cell that reaches across the hyperplane, by an LP's
point strictly inside the far side, or by an LP's dual bound proving the far
side empty; when none of them can, by an exact rational LP. Works on every
domain, bounded or not, in any dimension.

A max layer (max pooling, maxout) is split unit by unit (``MaxSplit``): each
piece is cut into the parts where each position of the unit's window is the argmax
(the piece and the pair hyperplanes ``z_j - z_i <= 0`` for every other position
``j``), and each part is kept when it has interior, decided by the same certified
LPs and exact fallback.

Cells are ``regions.engines.base.SplitCell``; final regions are
``regions.engines.base.SplitRegion`` records.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from .._simplex import leading_axes
from ..domain import Domain, inscribed_ball
from ..errors import DomainError
from ..lp import Ball, Basis, LPSolver
from ..network import Network, states_from_sides
from ..predicates import (Decisions, layer_hyperplanes, matrix_error, max_part, output_map,
                          unit_hyperplanes)
from ..rational import float_of, parse_fraction
from ..rounding import UNIT_ROUNDOFF
from ..tolerances import (BOUND_SAFETY, EMPTY_MARGIN, FAR_RADII, RADIUS_CAP, SPLIT_CHUNK,
                          SPLIT_ROW_ROOM, SPLIT_STEPS)
from ._split import box_sides, probe, radius_bound, strictly_inside, with_row
from .base import Counters, RegionArrays, Settings, SplitCell, SplitRegion

__all__ = ["SplitEngine", "MaxSplit", "root_ball"]

NO_SIDES = np.zeros(0, np.int8)
NO_RATIONAL = np.zeros(0, dtype=str)


def witness_record(point: tuple, center: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An exact interior point (Fractions) as ``(float64 witness, "p/q" strings)``; no
    strings (:data:`NO_RATIONAL`) when it is the float ``center`` itself, exactly."""
    witness = np.array([float_of(v) for v in point])
    if np.all(np.isfinite(center)) and all(Fraction(c) == v for c, v in zip(center, point)):
        return witness, NO_RATIONAL
    return witness, np.array([str(v) for v in point], dtype=str)
NO_UNDECIDED = np.zeros(0, np.int64)
NO_BASIS_ROWS = np.zeros(0, np.int64)
NO_OFFSETS = np.zeros(0)
NO_INVERSE = np.zeros((0, 0))


def support(ball: Ball, m: int) -> list | None:
    """The first ``m`` rows with a positive dual in the inscribed-ball LP, largest first:
    when the ball is empty, the rows that bound the side's reach, whose exact multipliers
    may prove it empty (:func:`regions.predicates.dual_bound`); None without duals."""
    if ball.duals is None:
        return None
    duals = ball.duals[:m]
    return [int(i) for i in np.argsort(-duals, kind="stable") if duals[i] > 0.0]


def basis_fields(basis: Basis | None) -> tuple[np.ndarray, np.ndarray]:
    """A basis as a cell's two array fields (empty when unknown), which checkpoints keep."""
    if basis is None:
        return NO_BASIS_ROWS, NO_INVERSE
    return basis.rows, NO_INVERSE if basis.inverse is None else basis.inverse


def cell_basis(cell: SplitCell) -> Basis | None:
    """The basis a cell's fields hold (:func:`basis_fields`)."""
    if cell.basis_rows.size == 0:
        return None
    return Basis(cell.basis_rows, cell.basis_inverse if cell.basis_inverse.size else None)


def root_ball(solver: LPSolver, domain: Domain) -> Ball:
    """The domain's inscribed ball (:func:`regions.domain.inscribed_ball`: no duals when
    HiGHS solved it in units of the domain's size, and radius 0 when it is an exact interior
    point, for the cells' exact paths to decide); DomainError when the domain has no
    interior, decided exactly."""
    ball = inscribed_ball(solver, domain.A, domain.b)
    if ball is None:
        raise DomainError(f"the {domain.kind} domain has no interior")
    return ball


class SplitEngine:
    """Depth-first splitting of H-represented cells (see the module docstring)."""

    name = "split"
    chunk = SPLIT_CHUNK
    cell_type = SplitCell
    record_type = SplitRegion
    #: Pieces one cell's split takes off its stack before the cell goes back unfinished
    #: (``regions.tolerances.SPLIT_STEPS``).
    split_steps = SPLIT_STEPS

    def __init__(self, network: Network, domain: Domain, settings: Settings = Settings()):
        self.network, self.domain, self.settings = network, domain, settings
        self.decisions = Decisions(network, domain, settings.exact)
        self.solver = LPSolver()
        self.offsets = network.label_offsets()
        self.reset()
        self.final_layer = len(network.layers)    # identity layers only from here on
        while self.final_layer and network.layers[self.final_layer - 1].activation == "identity":
            self.final_layer -= 1
        self.no_map = np.zeros((0, domain.dim))
        bounded = domain.is_bounded
        self.box_abs = (np.maximum(np.abs(domain.lower), np.abs(domain.upper))
                        if bounded else None)
        #: The coordinates of the domain's leading axis rows (a box's faces), which every
        #: cell's rows begin with: their products take one multiplication each.
        self.axis = leading_axes(np.ascontiguousarray(domain.A, dtype=np.float64))

    # ------------------------------------------------------------------ stack

    def roots(self, check=None) -> list[SplitCell]:
        """The first cell: the domain (one LP: nothing to ``check``)."""
        domain = self.domain
        ball = root_ball(self.solver, domain)
        m = domain.A.shape[0]
        return [SplitCell(0, domain.A, domain.b, -1 - np.arange(m, dtype=np.int64),
                          np.zeros(m), np.zeros(m, np.int8), ball.center, ball.radius,
                          ball.duals is not None,       # (in units or exact: not the largest)
                          domain.basis, domain.origin, domain.basis_error(),
                          np.zeros(0, np.int8), NO_SIDES, NO_UNDECIDED,
                          *basis_fields(ball.basis))]

    @property
    def pending(self) -> int:
        return len(self.stack)

    @property
    def top_layer(self) -> int:
        return self.stack[-1].layer if self.stack else -1

    def layer_counts(self) -> np.ndarray:
        return np.bincount(np.array([cell.layer for cell in self.stack], dtype=np.int64),
                           minlength=len(self.network.layers) + 1)

    def push(self, cell) -> None:
        """Put a cell from outside (a checkpoint, a worker) on the stack, once its rows are
        seen to begin with the domain's axis rows (:attr:`axis`)."""
        cell = SplitCell(*cell)
        k = self.axis.size
        if not np.array_equal(cell.A[:k], self.domain.A[:k]):
            raise ValueError("a cell whose rows do not begin with its domain's")
        self.stack.append(cell)

    def pop(self) -> SplitCell:
        return self.stack.pop()

    def take_results(self) -> list:
        found, self.found = self.found, []
        return found

    def counters(self) -> Counters:
        return Counters(self.n_regions, list(self.per_layer), self.before.lps + self.solver.count,
                        self.before.lp_seconds + self.solver.seconds,
                        self.before.exact_decisions + self.decisions.exact_decisions,
                        self.before.uncertain_decisions + self.decisions.uncertain_decisions)

    def stop_exact(self) -> None:
        self.decisions.exact = False

    def reset(self) -> None:
        self.stack: list = []
        self.found: list = []
        self.n_regions = 0
        self.per_layer = [0] * len(self.network.layers)
        self.before = Counters(per_layer=[0] * len(self.network.layers))
        self.solver.count, self.solver.seconds = 0, 0.0
        self.decisions.exact_decisions = self.decisions.uncertain_decisions = 0
        self.decisions.exact = self.settings.exact

    def restore(self, counters: Counters, records: list) -> None:
        self.n_regions = counters.regions
        self.per_layer = list(counters.per_layer)
        self.before = Counters(0, [], counters.lps, counters.lp_seconds,
                               counters.exact_decisions, counters.uncertain_decisions)

    def run(self, max_cells: int, max_regions: int) -> int:
        """Process up to ``max_cells`` cells, at most one of which is split: the first, then
        the final regions it leaves on top of the stack, each a record only (one return to
        the driver per region was a few percent of a count of a 64-D box)."""
        processed, stack, last = 0, self.stack, len(self.network.layers)
        while processed < max_cells and stack and self.n_regions < max_regions:
            if processed and stack[-1].layer != last:
                break
            stack.extend(reversed(self.step(stack.pop())))
            processed += 1
        return processed

    def step(self, cell: SplitCell) -> list:
        """Process one cell: its children in depth-first order, or ``[]`` once it is
        recorded as a final region."""
        if cell.layer == len(self.network.layers):
            self.found.append(self.finish(cell))
            self.n_regions += 1
            return []
        if cell.layer >= self.final_layer:
            return [cell._replace(layer=self.passed(cell.layer), M=self.no_map, m=NO_OFFSETS,
                                  M_error=NO_OFFSETS)]
        split = MaxSplit if self.network.layers[cell.layer].activation == "max" else LayerSplit
        children, finished = split(self, cell).children()
        self.per_layer[cell.layer] += finished
        return children

    def passed(self, layer: int) -> int:
        """The identity layers after the last split, from ``layer`` on, pass a cell whole
        (each counts it), without its map (a final region's record needs none): the layer
        it comes out at, the network's last."""
        for passing in range(layer, len(self.network.layers)):
            self.per_layer[passing] += 1
        return len(self.network.layers)

    # ------------------------------------------------------------------ final regions

    def finish(self, cell: SplitCell) -> SplitRegion:
        """The region record: a witness strictly inside (the Chebyshev center, certified;
        an exact rational point when float64 cannot certify one). In a count
        (``settings.count_only``) the cell's own ball does when it is not thin."""
        center, radius = cell.center, cell.radius
        if not (cell.largest or self.settings.count_only and radius > self.settings.thin_radius):
            ball = (self.solver.warm_chebyshev(cell.A, cell.b, cell_basis(cell),
                                               axis=self.axis)
                    or self.solver.proposal(cell.A, cell.b))
            if not math.isnan(ball.radius):     # an LP solved it
                center, radius = ball.center, ball.radius
        rational = NO_RATIONAL
        if not strictly_inside(cell.A, cell.b, cell.errors, center, self.axis):
            if self.decisions.settle():
                point = self.decisions.interior_point(cell.pattern, cell.labels, cell.row_sides,
                                                      start=center)
                if point is None:
                    raise AssertionError("a region without interior was enumerated")
                center, rational = witness_record(point, center)
        return SplitRegion(cell.pattern, center, float(radius), cell.A, cell.b, cell.labels,
                           rational)

    @staticmethod
    def count(records: list) -> int:
        return len(records)

    @staticmethod
    def margins(records: list) -> np.ndarray:
        return np.array([r.margin for r in records], dtype=np.float64)

    def collect(self, records: list) -> RegionArrays:
        count, dim = len(records), self.domain.dim
        return RegionArrays(
            patterns=np.array([r.pattern for r in records], dtype=np.int8).reshape(
                count, self.network.pattern_length),
            witnesses=np.array([r.witness for r in records], dtype=np.float64).reshape(count, dim),
            margins=np.minimum(self.margins(records), RADIUS_CAP),
            rows=[(r.A, r.b, r.labels) for r in records],
            rational_witnesses={i: tuple(parse_fraction(v) for v in r.rational)
                                for i, r in enumerate(records) if r.rational.size})


class LayerSplit:
    """One cell split by the breakpoint hyperplanes of its layer."""

    def __init__(self, engine: SplitEngine, cell: SplitCell):
        self.engine, self.cell = engine, cell
        self.decisions, self.solver = engine.decisions, engine.solver
        self.layer = engine.network.layers[cell.layer]
        W, bias = self.layer.weight, self.layer.bias
        self.G = W @ cell.M
        self.beta = W @ cell.m + bias
        self.G_error = matrix_error(W, cell.M, cell.m, bias, cell.M_error)

    def children(self) -> tuple[list, int]:
        """Children in depth-first order: the finished pieces (cells of the next layer;
        their number is returned too), then those of a split cut short (this layer)."""
        cell, layer = self.cell, self.layer
        if layer.activation == "identity":
            return [cell._replace(layer=cell.layer + 1, M=self.G, m=self.beta,
                                  M_error=self.G_error)], 1
        self.hyperplanes()
        if cell.sides.size == 0:            # a cell entering its layer
            sides = self.decide_without_lp()
            root = self.whole(sides, list(np.flatnonzero(sides == 0)))
            self.decide_far(root)
        else:
            root = self.whole(cell.sides.copy(), list(cell.undecided))
        pieces, unfinished = self.split(root)
        children = [self.next_layer(piece) for piece in pieces]
        children += [self.unfinished(piece) for piece in reversed(unfinished)]
        return children, len(pieces)

    # ------------------------------------------------------------------ hyperplanes

    def hyperplanes(self) -> None:
        """The layer's breakpoint hyperplanes (:func:`regions.predicates.layer_hyperplanes`)."""
        cell, layer = self.cell, self.layer
        previous = cell.pattern[-self.engine.network.layers[cell.layer - 1].num_states:] \
            if cell.layer and self.engine.network.layers[cell.layer - 1].num_states else None
        planes = layer_hyperplanes(self.decisions, cell.pattern, cell.layer, layer, self.G,
                                   self.beta, self.G_error, previous)
        self.a, self.c, self.e = planes.a, planes.c, planes.e
        self.constant, self.constant_side = planes.constant, planes.side
        self.labels = self.engine.offsets[cell.layer] + np.arange(self.a.shape[0],
                                                                   dtype=np.int64)

    def decide_without_lp(self) -> np.ndarray:
        """Sides decided without an LP: constant pre-activations (their exact sign, ties
        by the activation's rule), interval arithmetic over the domain's bounding box,
        and hard-tanh's order (``z < -1`` implies ``z < 1``)."""
        sides = self.constant_side.copy()
        engine = self.engine
        if engine.box_abs is not None:
            box_sides(self.a, self.c, self.e, engine.domain.lower, engine.domain.upper,
                      engine.box_abs, sides)
        self.order_hardtanh(sides)
        return sides

    def order_hardtanh(self, sides: np.ndarray) -> None:
        """Hard-tanh's two breakpoints are ordered: below -1 is below +1, above +1 is above
        -1 (``sides`` in label order, neuron-major)."""
        if self.layer.activation != "hardtanh":
            return
        low, high = sides[0::2], sides[1::2]
        high[low < 0] = -1
        low[high > 0] = 1

    # ------------------------------------------------------------------ the split

    def whole(self, sides: np.ndarray, undecided: list) -> "Piece":
        """The whole cell as a :class:`Piece` with ``sides`` decided and ``undecided`` to do."""
        cell = self.cell
        return Piece(cell.A, cell.b, cell.labels, cell.errors, cell.row_sides, cell.center,
                     cell.radius, cell.largest, sides, undecided, cell_basis(cell))

    def decide_far(self, piece: "Piece") -> None:
        """Decide on the whole cell ``piece`` the hyperplanes far from its center (beyond
        :data:`FAR_RADII` times its certified radius) that miss it, one LP each: each one left
        to the split would take an LP on every piece the hyperplanes before it make. Only
        hyperplanes that do not cut the cell are decided, so the split makes the same
        pieces in the same order. The first undecided hyperplane is left to the split,
        which tests it on the cell anyway."""
        probe = self.probe(piece)
        if probe.radius <= 0.0:
            return
        for t in piece.undecided[1:]:
            near = int(probe.signs[t])
            if near != 0 and abs(probe.values[t]) > FAR_RADII * probe.radius:
                reach, _, rows = self.reaches(piece, t, -near)
                if reach:
                    piece.drop(rows)        # (a part not reached gave its row back)
                else:
                    piece.sides[t] = near

    def split(self, root: "Piece") -> tuple[list, list]:
        """Split the cell, from the piece ``root`` (the whole cell, or a piece of a split
        cut short), by every undecided hyperplane; ``(finished pieces, unfinished
        pieces)``, each a :class:`Piece`."""
        stack = [root]
        out, steps = [], 0
        while stack and steps < self.engine.split_steps:
            steps += 1
            piece = stack.pop()
            if not self.undecided(piece):
                out.append(piece)
                continue
            stack.extend(self.parts(piece))
        return out, stack

    def undecided(self, piece: "Piece") -> list:
        """The piece's hyperplanes whose side is still to decide (its ``undecided`` may
        still hold some decided since, as a child's holds its parent's)."""
        piece.undecided = [t for t in piece.undecided if piece.sides[t] == 0]
        return piece.undecided

    def parts(self, piece: "Piece") -> list:
        """The next pieces of ``piece``, in stack order (the last is split first)."""
        return self.cut(piece)

    def cut(self, piece: "Piece") -> list:
        """The pieces of ``piece`` on either side of its first undecided hyperplane (label
        order): two when the hyperplane cuts it, else one (the same piece, the hyperplane's
        side decided). The positive side comes out first, as in the vertex engine, so the
        order of the regions depends on exact decisions only (the same as the vertex
        engine's, and the same under any exact rescaling).

        The center tells a side only when it is certified strictly inside the piece (then
        the side it is strictly on has interior); otherwise each side is decided by its own
        LP (:meth:`cut_by_sides`)."""
        t = piece.undecided[0]
        probe = self.probe(piece)
        radius = probe.radius
        near, value = int(probe.signs[t]), float(probe.values[t])
        if near == 0 or radius <= 0.0:
            return self.cut_by_sides(piece, t)
        far = -near
        dim = self.a.shape[1]
        shortest = 1.0 - dim * UNIT_ROUNDOFF - math.sqrt(dim) * self.e[t]  # |exact row| at least
        if abs(value) + probe.slacks[t] < radius * shortest:
            # a ball inside the piece reaches across the hyperplane: both sides have interior
            unit = self.unit(t)
            r, a = radius, abs(value)
            return ordered({far: piece.child(self, t, far, piece.center
                                             - near * (r + a) / 2.0 * unit, (r - a) / 2.0, False),
                            near: piece.child(self, t, near, piece.center
                                              + near * (r - a) / 2.0 * unit, (r + a) / 2.0,
                                              False)})
        reach, ball, rows = self.reaches(piece, t, far)
        if not reach:
            piece.sides[t] = near
            return [piece]
        if ball is None or not ball.radius > 0.0:
            ball = Ball(piece.center, 0.0, basis=None if ball is None else ball.basis)
        near_center, near_radius, largest = piece.center, radius, False
        if abs(value) >= piece.radius:
            # the piece's whole ball is on the near side: still the largest there, if it was
            near_radius, largest = piece.radius, piece.largest
        elif abs(value) < radius:
            near_radius = (radius + abs(value)) / 2.0
            near_center = piece.center + near * (radius - abs(value)) / 2.0 * self.unit(t)
        return ordered({far: piece.child(self, t, far, ball.center, ball.radius,
                                         ball.radius > 0.0, ball.basis, rows),
                        near: piece.child(self, t, near, near_center, near_radius, largest)})

    def unit(self, t: int) -> np.ndarray:
        """Hyperplane ``t``'s normal scaled to unit float norm (dim,)."""
        return self.a[t] / np.linalg.norm(self.a[t])

    def cut_by_sides(self, piece: "Piece", t: int) -> list:
        """Hyperplane ``t`` decided without the piece's center (not certified inside, or up
        to rounding on the hyperplane): each side by its own LP (or exactly)."""
        kept = []
        for side in (-1, 1):
            reach, ball, rows = self.reaches(piece, t, side)
            if reach:
                kept.append((side, ball, rows))
        if not kept:
            # only in the float-only mode, where rounding may prove both sides empty: the
            # side of the piece's center is kept (an uncertain decision)
            if self.decisions.settle():
                raise AssertionError("a piece with interior on neither side of a hyperplane")
            piece.sides[t] = 1 if float(self.probe(piece).values[t]) >= 0.0 else -1
            return [piece]
        if len(kept) == 1:
            piece.sides[t] = kept[0][0]
            piece.drop(kept[0][2])
            return [piece]
        children = {}
        for side, ball, rows in kept:
            if ball is None or not ball.radius > 0.0:
                ball = Ball(piece.center, 0.0, basis=None if ball is None else ball.basis)
            children[side] = piece.child(self, t, side, ball.center, ball.radius,
                                         ball.radius > 0.0, ball.basis, rows)
        return ordered(children)

    def reaches(self, piece: "Piece", t: int, side: int) -> tuple[bool, Ball | None, tuple]:
        """Whether ``side`` of hyperplane ``t`` meets the piece's interior, the inscribed
        ball of that part (from the LP; None when it was decided otherwise), and that part's
        rows (:meth:`Piece.rows_with`, given back when it does not): the float LPs
        (:meth:`propose`), then the exact path with the rows the last LP's duals bind (their
        exact multipliers usually prove a part empty)."""
        rows = piece.rows_with(self, t, side)
        verdict, ball = self.propose(piece, *rows[:3])
        if verdict is None:
            verdict = (self.decisions.reaches(self.cell.pattern, piece.labels, piece.row_sides,
                                              int(self.labels[t]), side, start=piece.center,
                                              basis=support(ball, len(piece.b)))
                       if self.decisions.settle() else ball.radius > 0.0)
        if not verdict:
            piece.drop(rows)
        return verdict, ball, rows

    def propose(self, piece: "Piece", A: np.ndarray, b: np.ndarray,
                errors: np.ndarray) -> tuple[bool | None, Ball | None]:
        """What the float LPs certify about a part ``A z <= b`` (rows with error bounds) of
        ``piece``: ``(True, a ball certified inside)``, ``(False, None)`` when its radius is
        certified negative, or ``(None, the last LP's ball)`` for the exact path to decide.

        The warm-started dual simplex proposes first; when what it proposes certifies
        neither answer, HiGHS proposes again. On an unbounded domain no float bound proves a
        part empty (:meth:`radius_bound` needs a bounding box), so a part the dual simplex
        finds empty goes to the exact path at once."""
        stop_below = -EMPTY_MARGIN * piece.radius if piece.radius > 0.0 else -np.inf
        axis = self.engine.axis
        ball = self.solver.warm_chebyshev(A, b, piece.basis, stop_below=stop_below, axis=axis)
        if ball is not None:
            if ball.radius > 0.0 and strictly_inside(A, b, errors, ball.center, axis):
                return True, ball
            if self.radius_bound(A, b, errors, ball) < 0.0:
                return False, None
            if self.engine.box_abs is None and ball.radius < 0.0 and ball.duals is not None:
                return None, ball
        ball = self.solver.proposal(A, b)
        if ball.radius > 0.0 and strictly_inside(A, b, errors, ball.center, axis):
            return True, ball
        if self.radius_bound(A, b, errors, ball) < 0.0:
            return False, None
        return None, ball

    def radius_bound(self, A: np.ndarray, b: np.ndarray, errors: np.ndarray, ball: Ball) -> float:
        """A rigorous upper bound on the exact Chebyshev radius of ``A z <= b`` (rows with
        error bounds), from the LP's duals and the domain's bounding box (Neumaier and
        Shcherbina's safe bound, :func:`regions.engines._split.radius_bound`); ``inf`` on an
        unbounded domain."""
        box_abs = self.engine.box_abs
        if box_abs is None or ball.duals is None:
            return np.inf
        return radius_bound(A, b, errors, ball.duals, ball.cap_dual, box_abs, RADIUS_CAP,
                            self.engine.axis)

    def probe(self, piece: "Piece") -> "Probe":
        """What the piece's center tells about every hyperplane of the layer (computed
        once per piece: a piece keeps its center while its hyperplanes are decided):
        :func:`regions.engines._split.probe`."""
        if piece.probe is None:
            piece.probe = Probe(*probe(self.a, self.c, self.e, piece.A, piece.b, piece.errors,
                                       piece.center, piece.radius, self.engine.axis))
        return piece.probe

    # ------------------------------------------------------------------ children

    def next_layer(self, piece: "Piece") -> SplitCell:
        """A finished piece as a cell of the next layer: its states and output map."""
        self.order_hardtanh(piece.sides)
        return self.cell_of(piece, states_from_sides(piece.sides, self.layer.activation))

    def cell_of(self, piece: "Piece", states: np.ndarray) -> SplitCell:
        """A finished piece with its layer's ``states`` as a cell of the next layer, with the
        layer's output map; a final region once no layer splits it
        (:meth:`SplitEngine.passed`)."""
        cell, engine = self.cell, self.engine
        layer = cell.layer + 1
        if layer < engine.final_layer:
            M, m, M_error = output_map(self.layer, states, self.G, self.beta, self.G_error)
        else:
            M, m, M_error = engine.no_map, NO_OFFSETS, NO_OFFSETS
            layer = engine.passed(layer)
        return SplitCell(layer, piece.A, piece.b, piece.labels, piece.errors,
                         piece.row_sides, piece.center, piece.radius, piece.largest, M, m,
                         M_error, np.concatenate([cell.pattern, states]), NO_SIDES,
                         NO_UNDECIDED, *basis_fields(piece.basis))

    def unfinished(self, piece: "Piece") -> SplitCell:
        """A piece whose split was cut short, as a cell of this layer."""
        rows, inverse = basis_fields(piece.basis)
        return self.cell._replace(A=piece.A, b=piece.b, labels=piece.labels,
                                  errors=piece.errors, row_sides=piece.row_sides,
                                  center=piece.center, radius=piece.radius,
                                  largest=piece.largest, sides=piece.sides,
                                  undecided=np.array(self.undecided(piece), dtype=np.int64),
                                  basis_rows=rows, basis_inverse=inverse)


def ordered(children: dict) -> list:
    """The two parts of a cut, by side, in stack order: the positive side is taken first."""
    return [children[-1], children[1]]


class Probe(NamedTuple):
    """A piece's center against the layer's hyperplanes: a radius certified around it
    (0: none), and per hyperplane (T,) the certified sign there (0: uncertain), the float
    value, and the value's error bound."""

    radius: float
    signs: np.ndarray
    values: np.ndarray
    slacks: np.ndarray


class Piece:
    """A part of a cell during its split: rows, a ball inside, the sides decided so far, a
    dual feasible basis of its inscribed-ball LP (None when unknown), its center's
    :class:`Probe` once computed, and the :class:`regions.engines._split.RowStore` its rows
    are views of (None: they are a cell's, not to be extended in place)."""

    __slots__ = ("A", "b", "labels", "errors", "row_sides", "center", "radius", "largest",
                 "sides", "undecided", "basis", "probe", "store")

    def __init__(self, A, b, labels, errors, row_sides, center, radius, largest, sides,
                 undecided, basis, store=None):
        self.A, self.b, self.labels, self.errors = A, b, labels, errors
        self.row_sides, self.center, self.radius, self.largest = row_sides, center, radius, largest
        self.sides, self.undecided, self.basis = sides, undecided, basis
        self.probe, self.store = None, store

    def rows_with(self, split: LayerSplit, t: int, side: int) -> tuple:
        """``(A, b, errors, labels, row_sides, store)`` of the part of this piece on ``side``
        of hyperplane ``t`` (:func:`regions.engines._split.with_row`: in place in this
        piece's store when no other part has taken its next row; a copy has room for the
        cuts still undecided, at most ``SPLIT_ROW_ROOM``)."""
        return with_row(self.store, self.A, self.b, self.errors, self.labels, self.row_sides,
                        split.a, split.c, split.e, int(split.labels[t]), t, side,
                        min(len(self.undecided), SPLIT_ROW_ROOM))

    def drop(self, rows: tuple) -> None:
        """Give back the row of a part of this piece (:meth:`rows_with`) that is not kept."""
        rows[5].release(len(self.b))

    def child(self, split: LayerSplit, t: int, side: int, center, radius: float,
              largest: bool, basis: Basis | None = None, rows: tuple | None = None) -> "Piece":
        """The part of this piece on ``side`` of hyperplane ``t`` (one more row); ``basis``
        of its LP when one was solved, else this piece's (still dual feasible); ``rows``
        its :meth:`rows_with` when already built."""
        sides = self.sides.copy()
        sides[t] = side
        A, b, errors, labels, row_sides, store = rows or self.rows_with(split, t, side)
        return Piece(A, b, labels, errors, row_sides, center, float(radius), largest, sides,
                     self.undecided, self.basis if basis is None else basis, store)


class MaxSplit(LayerSplit):
    """One cell split by the max units of its layer, unit by unit: a piece's parts are
    the argmax parts of its next unit with interior (see the module docstring).

    While a cell is split, a piece's ``sides`` hold the states of the layer's units
    (-1: not decided yet) and ``undecided`` the units still to split; a split cut short
    (``split_steps``) leaves its pieces as cells of this layer holding both."""

    def __init__(self, engine: SplitEngine, cell: SplitCell):
        super().__init__(engine, cell)
        sizes = self.layer.window_sizes
        self.first_label = (int(engine.offsets[cell.layer])
                            + np.concatenate([[0], np.cumsum(sizes * (sizes - 1) // 2)]))
        self.planes: dict = {}

    def children(self) -> tuple[list, int]:
        cell = self.cell
        if cell.sides.size == 0:            # a cell entering its layer
            states = np.full(self.layer.width, -1, np.int8)
            todo = list(range(self.layer.width))
        else:
            states, todo = cell.sides.copy(), [int(g) for g in cell.undecided]
        out, unfinished = self.split(self.whole(states, todo))
        children = [self.next_layer(piece) for piece in out]
        children += [self.unfinished(piece) for piece in reversed(unfinished)]
        return children, len(out)

    def undecided(self, piece: Piece) -> list:
        """The piece's units still to split."""
        return piece.undecided

    def parts(self, piece: Piece) -> list:
        return list(reversed(self.split_unit(piece, piece.undecided[0])))

    def unit_planes(self, unit: int):
        """The pair hyperplanes of ``unit`` on this cell
        (:func:`regions.predicates.unit_hyperplanes`), computed once per cell."""
        if unit not in self.planes:
            self.planes[unit] = unit_hyperplanes(
                self.decisions, self.cell.pattern, int(self.first_label[unit]), self.layer,
                unit, self.G, self.beta, self.G_error)
        return self.planes[unit]

    def split_unit(self, piece: Piece, unit: int) -> list:
        """The parts of ``piece`` with interior where each position of ``unit``'s window is
        the argmax, in order of position. A position that no exactly constant pair rules
        out and that is the only one left takes the whole piece, without an LP."""
        planes = self.unit_planes(unit)
        size = int(self.layer.window_sizes[unit])
        rest = [g for g in piece.undecided if g != unit]
        parts = [(i, part) for i in range(size)
                 if (part := max_part(planes, i)) is not None]
        if len(parts) == 1:
            sides = piece.sides.copy()
            sides[unit] = parts[0][0]
            return [Piece(piece.A, piece.b, piece.labels, piece.errors, piece.row_sides,
                          piece.center, piece.radius, piece.largest, sides, rest, piece.basis)]
        children = []
        for winner, (pairs, sides) in parts:
            A = np.concatenate([piece.A, -sides[:, None] * planes.a[pairs]])
            b = np.concatenate([piece.b, sides * planes.c[pairs]])
            errors = np.concatenate([piece.errors, planes.e[pairs]])
            labels = np.concatenate([piece.labels, self.first_label[unit] + pairs])
            row_sides = np.concatenate([piece.row_sides, sides]).astype(np.int8)
            found = self.interior(piece, A, b, errors, labels, row_sides)
            if found is None:
                continue
            center, radius, largest, basis = found
            states = piece.sides.copy()
            states[unit] = winner
            children.append(Piece(A, b, labels, errors, row_sides, center, radius, largest,
                                  states, rest, piece.basis if basis is None else basis))
        if len(children) == 1:
            # The other positions win on no interior, so the winner's part is the whole
            # piece (a pair whose sign changes inside it would give another part interior):
            # the piece's rows imply the pair rows, which are not kept (as a ReLU whose
            # hyperplane misses a cell adds no row to it).
            return [Piece(piece.A, piece.b, piece.labels, piece.errors, piece.row_sides,
                          piece.center, piece.radius, piece.largest, children[0].sides, rest,
                          piece.basis)]
        return children

    def interior(self, piece: Piece, A: np.ndarray, b: np.ndarray, errors: np.ndarray,
                 labels: np.ndarray, row_sides: np.ndarray) -> tuple | None:
        """Whether the part ``A z <= b`` (rows with error bounds) of ``piece`` has interior:
        None when it has none, else ``(center, radius, largest, basis)`` of a ball inside
        (radius 0 when only the exact path found the interior). Certified as
        :meth:`LayerSplit.reaches` certifies a side: the float LPs (:meth:`propose`), then
        an exact rational LP."""
        verdict, ball = self.propose(piece, A, b, errors)
        if verdict:
            return ball.center, float(ball.radius), True, ball.basis
        if verdict is False:
            return None
        if not self.decisions.settle():
            if ball.radius > 0.0:
                return ball.center, float(ball.radius), True, ball.basis
            return None
        point = self.decisions.interior_point(self.cell.pattern, labels, row_sides,
                                              start=piece.center)
        if point is None:
            return None
        return np.array([float_of(v) for v in point]), 0.0, False, None

    def next_layer(self, piece: Piece) -> SplitCell:
        """A finished piece as a cell of the next layer: its units' states and the rows
        they select."""
        return self.cell_of(piece, piece.sides.astype(np.int8))
