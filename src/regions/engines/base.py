"""The engine contract: what the driver, the checkpoint and the executor need of an engine.

An engine is the geometry of one algorithm: a stack of *cells* (named tuples of
numpy arrays and scalars, so a stack can be checkpointed field by field and sent
to other processes) and the rule that turns a cell into the cells of the next
layer, or into a final region. It works in the *working coordinates* of the
domain the driver gives it (the domain's coordinates divided by a power of two,
:func:`regions.tolerance_scale`: an exact change of unit); the driver alone
converts its results back (:func:`regions.engines.driver.build_partition`). Every
geometric question goes to :mod:`regions.predicates`, which answers it exactly.

Final regions come out as *records*, a list per engine: one :class:`SplitRegion`
per region (split and walk engines) or one :class:`RegionChunk` of many regions
(vertex engine). :meth:`Engine.collect` turns records into :class:`RegionArrays`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, ClassVar, NamedTuple, Protocol

import numpy as np

from ..domain import Domain
from ..network import Network
from ..tolerances import MIN_RADIUS

__all__ = ["Settings", "Counters", "RegionArrays", "SplitCell", "VertexCell", "WalkCell",
           "SplitRegion", "RegionChunk", "Engine"]


@dataclass(frozen=True)
class Settings:
    """How an engine decides and what it reports.

    Attributes
    ----------
    exact : bool
        True (the default): a decision that float64 cannot certify is settled in
        rational arithmetic. False: it is settled by the float value and counted in
        :attr:`Counters.uncertain_decisions` (the float-only mode).
    thin_radius : float
        Regions whose inscribed radius is at most this (working units) are *thin*: they
        are counted like every region, and reported.
    start : ndarray or None
        The walk's start point (working coordinates), or None.
    keep_generators : bool
        The vertex engine keeps every final region's generators and the labels of the
        rows tight at each (for the face lattice, :mod:`regions.complex.faces`).
    exact_budget : int or None
        In the exact mode, the most decisions to settle beyond float64 (checked by the
        driver between runs of the engine, so one run may exceed it): after that the
        engine settles them by their float value, counted in
        :attr:`Counters.uncertain_decisions`. None: no limit.
    count_only : bool
        Only the count and the thin regions are asked, not the regions' witnesses: the
        split engine then measures a final region's largest inscribed ball (one LP) only
        when the ball it knows inside is not larger than ``thin_radius``.
    """

    exact: bool = True
    thin_radius: float = MIN_RADIUS
    start: np.ndarray | None = None
    keep_generators: bool = False
    exact_budget: int | None = None
    count_only: bool = False


@dataclass
class Counters:
    """What an engine counted so far.

    ``exact_decisions``: decisions float64 could not certify, settled in rationals;
    ``uncertain_decisions``: in the float-only mode, those settled by float rounding (a
    count that may then be wrong); ``per_layer[l]``: cells finished by layer ``l`` (the
    regions of the network truncated after layer ``l``; so far, on a run not finished:
    the cells left on a stack are among them, and those of the last layer are not yet
    in ``regions``).
    """

    regions: int = 0
    per_layer: list = field(default_factory=list)
    lps: int = 0
    lp_seconds: float = 0.0
    exact_decisions: int = 0
    uncertain_decisions: int = 0

    def merge(self, other: "Counters") -> None:
        """Add another run's counters (a parallel task's) to these."""
        self.regions += other.regions
        self.per_layer = [a + b for a, b in zip(self.per_layer, other.per_layer)]
        self.lps += other.lps
        self.lp_seconds += other.lp_seconds
        self.exact_decisions += other.exact_decisions
        self.uncertain_decisions += other.uncertain_decisions


@dataclass
class RegionArrays:
    """Final regions as arrays, in working coordinates (what :meth:`Engine.collect` gives).

    ``rows`` is each region's ``(A, b, labels)``, or None when the rows are derived
    from the patterns: then region ``i`` keeps the rows labelled
    ``facet_labels[facet_offsets[i]:facet_offsets[i + 1]]``. ``rational_witnesses``
    maps a region index to an exact witness (a tuple of ``fractions.Fraction``) for the
    few regions too thin for a float64 witness.
    """

    patterns: np.ndarray
    witnesses: np.ndarray
    margins: np.ndarray
    rows: list | None = None
    facet_offsets: np.ndarray | None = None
    facet_labels: np.ndarray | None = None
    rational_witnesses: dict = field(default_factory=dict)


class SplitCell(NamedTuple):
    """A cell of the split engine: ``A z <= b`` (rows labelled ``labels``, with error
    bounds ``errors`` and, for a hyperplane row, the side ``row_sides`` the cell lies on)
    whose next layer is ``layer``; a ball ``(center, radius)`` inside it, ``largest``
    when it is the Chebyshev ball; the layer input map ``M z + m`` with its row error
    bounds; the states so far; and, for a cell whose split by its layer was cut short,
    the sides decided so far and the hyperplanes still to test (empty arrays otherwise);
    a dual feasible basis of its inscribed-ball LP (:class:`regions.lp.Basis`): its rows and
    their matrix's inverse, each empty when unknown."""

    layer: int
    A: np.ndarray
    b: np.ndarray
    labels: np.ndarray
    errors: np.ndarray
    row_sides: np.ndarray
    center: np.ndarray
    radius: float
    largest: bool
    M: np.ndarray
    m: np.ndarray
    M_error: np.ndarray
    pattern: np.ndarray
    sides: np.ndarray
    undecided: np.ndarray
    basis_rows: np.ndarray = np.zeros(0, np.int64)
    basis_inverse: np.ndarray = np.zeros((0, 0))


class VertexCell(NamedTuple):
    """A cell of the vertex engine (see :mod:`regions.engines._vertex`): its generators
    ``V`` (homogeneous rows ``(x, 1)`` or ``(d, 0)``) with error bounds, their incidence
    bitsets, its rows ``[a | b]`` of ``a . z <= b`` with error bounds and labels, the layer
    input map (or, ``premapped``, the layer's pre-activation map) with per-row error
    bounds, the states so far, the sides of a split cut short (for a max layer, +-1 for a
    pair clipped and +-2 for a pair still to clip: ``VertexCore.split_max``), and the flat
    rays (1 for a ray along which every later pre-activation is exactly constant)."""

    layer: int
    V: np.ndarray
    V_error: np.ndarray
    incidence: np.ndarray
    rows: np.ndarray
    row_error: np.ndarray
    labels: np.ndarray
    map: np.ndarray
    map_error: np.ndarray
    pattern: np.ndarray
    premapped: int
    sides: np.ndarray
    flat: np.ndarray


class WalkCell(NamedTuple):
    """A region waiting in the walk's queue: its pattern."""

    pattern: np.ndarray


class SplitRegion(NamedTuple):
    """One final region of the split or walk engine (working coordinates); ``rational``
    is an exact witness (its ``dim`` coordinates as ``"p/q"`` strings) when the float one
    is not certified, else an empty array."""

    pattern: np.ndarray
    witness: np.ndarray
    margin: float
    A: np.ndarray
    b: np.ndarray
    labels: np.ndarray
    rational: np.ndarray


class RegionChunk(NamedTuple):
    """Many final regions of the vertex engine, struct of arrays; region ``i`` keeps the
    rows labelled ``facet_labels[facet_offsets[i]:facet_offsets[i + 1]]``;
    ``rational_index`` / ``rational_values`` hold exact witnesses (index into the chunk,
    and ``dim`` Fractions as strings each) for regions too thin for a float one."""

    patterns: np.ndarray
    witnesses: np.ndarray
    margins: np.ndarray
    facet_offsets: np.ndarray
    facet_labels: np.ndarray
    rational_index: np.ndarray
    rational_values: np.ndarray


class Engine(Protocol):
    """What the driver (:mod:`regions.engines.driver`), the checkpoint and the executor
    (:mod:`regions.engines.parallel`) need of an engine."""

    name: ClassVar[str]
    #: Cells per :meth:`run` between two looks at the budgets.
    chunk: ClassVar[int]
    #: The named tuples of the engine's cells and of its records.
    cell_type: ClassVar[type]
    record_type: ClassVar[type]

    def __init__(self, network: Network, domain: Domain, settings: Settings) -> None: ...

    @property
    def pending(self) -> int:
        """Cells on the stack."""

    @property
    def top_layer(self) -> int:
        """Layer of the top cell (-1 when the stack is empty)."""

    @property
    def n_regions(self) -> int:
        """Final regions found so far."""

    def layer_counts(self) -> np.ndarray | None:
        """(L + 1,) int64: the cells on the stack by layer (None: an engine without layers,
        the walk)."""

    def roots(self, check: Callable[[], None] | None = None) -> list:
        """The first cells, in depth-first order (DomainError when the domain is empty).
        Work that may be long calls ``check()`` between steps, which raises to stop it
        (:func:`regions.engines.driver.setup_check`)."""

    def run(self, max_cells: int, max_regions: int) -> int:
        """Process up to ``max_cells`` cells (fewer once ``n_regions`` reaches
        ``max_regions``); returns how many were processed."""

    def take_results(self) -> list:
        """The records of the final regions found since the last call."""

    def push(self, cell) -> None: ...

    def pop(self): ...

    def counters(self) -> Counters: ...

    def stop_exact(self) -> None:
        """Settle every later decision float64 cannot certify by its float value (the
        exact-decision budget ran out), counting it in ``uncertain_decisions``."""

    def restore(self, counters: Counters, records: list) -> None:
        """Continue a checkpointed run from its counters and the records found so far."""

    def reset(self) -> None:
        """Start again as the engine just built would (an empty stack, no records, zero
        counters, the exact mode of its settings), keeping only what it has learnt of the
        network (caches of values that do not depend on the order of the cells): a
        parallel run's worker keeps one engine for the run's tasks (the engines that run on
        an executor: not the walk)."""

    @staticmethod
    def count(records: list) -> int:
        """Regions in a list of records."""

    @staticmethod
    def margins(records: list) -> np.ndarray:
        """The margins (witness ball radii, working units) of the regions in ``records``."""

    def collect(self, records: list) -> RegionArrays:
        """The final regions of ``records`` as arrays (working coordinates)."""
