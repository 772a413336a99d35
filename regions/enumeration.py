"""Exact enumeration of linear regions by layer-by-layer splitting.

The algorithm: start with the domain as a single cell. On a cell produced by
layers ``0..l-1`` every neuron of those layers has a fixed state, so the
network up to layer ``l`` is one affine map ``h(z) = M z + m`` there, and the
pre-activations of layer ``l`` are affine too: ``W_l (M z + m) + b_l``. Each of
their breakpoint hyperplanes either misses the cell (decided without an LP
when possible: constant pre-activation, interval bounds over the domain's
bounding box) or cuts it; :func:`regions._core.split_cell` splits the cell by
every hyperplane that cuts it into two full-dimensional pieces.

Cells are processed depth-first over this layer tree, so whole final regions
come out early: when a budget (``max_regions``, ``time_limit``,
``memory_limit``) runs out or the user presses Ctrl-C, the result holds true
final regions and the number of cells left unfinished, marked incomplete.
The depth-first stack is the whole state of a run: it is checkpointed to disk
(:mod:`regions.checkpoint`) and a run resumed from any checkpoint ends with
exactly the regions, in exactly the order, of an uninterrupted one.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np

from . import checkpoint as checkpoints
from . import vertices
from ._core import classify, split_cell
from .checkpoint import FinishedRegion, State, WorkItem
from .domain import Domain, check_resolvable, resolve, tolerance_scale
from .errors import DomainError, RegionsError
from .lp import LPSolver
from .network import (Layer, Network, breakpoint_hyperplanes, state_slope_offset,
                      states_from_sides, tie_sides)
from .partition import Partition, PatternMaps, PatternRows
from .tolerances import MIN_RADIUS, NEAR_DEGENERATE_FACTOR, check_min_radius

#: Default seconds between two checkpoints.
CHECKPOINT_SECONDS = 5.0
#: Work items processed between two memory measurements.
MEMORY_CHECK_EVERY = 256


METHODS = ("auto", "split", "vertex", "walk")


def enumerate_regions(network: Network, domain=None, *, method: str = "auto",
                      min_radius: float = MIN_RADIUS, progress=None, max_regions: int | None = None,
                      time_limit: float | None = None, memory_limit: float | None = None,
                      checkpoint=None, checkpoint_every: float = CHECKPOINT_SECONDS,
                      resume=None, executor=None) -> Partition:
    """Enumerate every full-dimensional linear region of ``network`` over ``domain``.

    Parameters
    ----------
    network : Network
    domain : Domain, optional
        Default: all of R^n (:func:`regions.whole_space`). Slices (``plane``,
        ``line``, ``segment``) are enumerated in their own coordinates.
    method : {"auto", "split", "vertex", "walk"}
        ``"split"``: layer-by-layer splitting with LP feasibility tests (this
        module). ``"vertex"``: the same splitting on cells that carry their
        vertices, LP-free except near degeneracy (:mod:`regions.vertices`;
        bounded domains only, no checkpoints). ``"auto"`` (default): ``"vertex"``
        on bounded domains of dimension up to ``vertices.MAX_AUTO_DIM`` when no
        checkpoint is asked for, else ``"split"``. ``"walk"``: the
        breadth-first walk across facets of :mod:`regions.walk`, a second,
        independent algorithm (no budgets or checkpoints; regions sorted by
        pattern).
    min_radius : float
        A region counts when its largest inscribed ball has a radius above
        ``min_radius`` times the domain scale (see :mod:`regions.tolerances`).
    progress : callable, optional
        Called as ``progress(regions_found, layer, pending_cells, seconds)``,
        where ``layer`` is the layer of the cell just taken from the work
        stack, at most every 0.5 s and only between cells (between batches of
        512 cells on the vertex path): nothing comes while one cell is being
        split, and a run shorter than 0.5 s gets no call.
    max_regions : int, optional
        Stop once this many final regions are found.
    time_limit : float, optional
        Stop after this many seconds (counting earlier runs of a resumed enumeration).
    memory_limit : float, optional
        Stop when the process's resident memory exceeds this many bytes.
    checkpoint : path, optional
        Write the state there atomically every ``checkpoint_every`` seconds
        and when the run ends (complete or not).
    resume : path, optional
        Continue from this checkpoint (refused if it was written for another
        network, domain or tolerance). With no ``checkpoint`` given, further
        checkpoints go to the same file.
    executor : concurrent.futures.Executor, optional
        Run the region subtrees as tasks on this executor (a thread or process
        pool, or a ``dask.distributed`` client's ``get_executor()``); the
        result is identical, region for region, to a serial run
        (:mod:`regions.parallel`). Not with checkpoints or ``method="walk"``.

    Returns
    -------
    Partition
        ``complete`` is False when a budget ran out or the run was
        interrupted; then ``stop_reason`` says why and ``unfinished`` counts
        the cells left on the stack. The regions returned are final regions
        either way.
    """
    if method == "walk":
        from .walk import enumerate_walk  # walk imports this module

        if executor is not None:
            raise RegionsError("method='walk' runs serially: no executor")
        return enumerate_walk(network, domain, min_radius=min_radius, progress=progress)
    if method not in METHODS:
        raise RegionsError(f"unknown method {method!r}: expected one of {', '.join(METHODS)}")
    domain = resolve(domain, network)
    min_radius = check_min_radius(min_radius)
    for name, value in (("max_regions", max_regions), ("time_limit", time_limit),
                        ("memory_limit", memory_limit)):
        if value is not None and not value > 0:
            raise RegionsError(f"{name} must be positive, got {value}")
    if resume is not None and checkpoint is None:
        checkpoint = resume

    check_resolvable(domain, min_radius)
    scale = tolerance_scale(domain)
    scaled = _scaled(domain, scale)
    if method == "auto":
        fast = (domain.is_bounded and domain.dim <= vertices.MAX_AUTO_DIM
                and checkpoint is None)
        method = "vertex" if fast else "split"
    if executor is not None:
        if checkpoint is not None:
            raise RegionsError("checkpoints and resume run serially: no executor")
        from .parallel import enumerate_on  # parallel imports this module

        return enumerate_on(executor, method, network, domain, scale, scaled, min_radius,
                            progress, max_regions, time_limit, memory_limit)
    if method == "vertex":
        if checkpoint is not None:
            raise RegionsError("checkpoints and resume need method='split'")
        return _enumerate_vertices(network, domain, scale, scaled, min_radius, progress,
                                   max_regions, time_limit, memory_limit)
    key = checkpoints.fingerprint(network, domain, min_radius)
    solver = LPSolver()
    if resume is not None:
        state = checkpoints.load(resume, key)
    else:
        state = _initial_state(network, scaled, solver, min_radius)

    run = _Run(network, scaled, solver, min_radius, state)
    if checkpoint is not None:
        # A first write at once: an unwritable path fails now, not after the first interval.
        checkpoints.save(checkpoint, state, key, scaled.dim)
    stop_reason = run.loop(progress, max_regions, time_limit, memory_limit,
                           checkpoint, checkpoint_every, key)
    if checkpoint is not None:
        checkpoints.save(checkpoint, state, key, scaled.dim)
    return _partition(network, domain, scale, min_radius, state, stop_reason)


def _enumerate_vertices(network, domain, scale, scaled, min_radius, progress, max_regions,
                        time_limit, memory_limit) -> Partition:
    started = time.perf_counter()
    solver = LPSolver()
    _root_ball(solver, scaled, min_radius)
    engine = vertices.make_engine(network, min_radius, solver, scaled.dim)
    engine.push(*vertices.root_cell(scaled))
    results, reason, seconds = run_engine(engine, progress, max_regions, time_limit,
                                          memory_limit, time.perf_counter() - started)
    counters = dict(per_layer=[int(n) for n in engine.per_layer], lps=solver.count,
                    seconds=seconds, lp_seconds=solver.seconds, stop_reason=reason,
                    unfinished=engine.pending, slivers=int(engine.slivers))
    return vertex_partition(network, domain, scale, min_radius, results, **counters)


def run_engine(engine, progress, max_regions, time_limit, memory_limit, seconds_before: float):
    """Drive a loaded :class:`~regions._vertex.VertexEngine` under the budgets and Ctrl-C;
    returns ``(Results, stop reason or None, seconds)``."""
    results = vertices.Results()
    with _Interrupt() as interrupt:
        def stop(found, seconds):
            return budget_exhausted(interrupt, found, seconds, True, max_regions,
                                    time_limit, memory_limit)
        reason, seconds = vertices.drive(engine, results, stop, progress, seconds_before,
                                         max_regions)
    return results, reason, seconds


def vertex_partition(network, domain, scale, min_radius, results: vertices.Results,
                     **counters) -> Partition:
    """The :class:`Partition` of the vertex path from its (scaled) results; ``counters``
    are ``per_layer, lps, seconds, lp_seconds, stop_reason, unfinished, slivers``."""
    patterns, witnesses, margins, offsets, labels = results.arrays(network.pattern_length,
                                                                   domain.dim)
    return Partition(
        network=network, domain=domain, patterns=patterns, witnesses=witnesses * scale,
        margins=margins * scale, min_radius=min_radius, scale=scale,
        complete=counters["stop_reason"] is None, method="vertex",
        _rows=PatternRows(network, domain, patterns, offsets, labels),
        _maps=PatternMaps(network, domain, patterns), **counters)


def _root_ball(solver: LPSolver, domain: Domain, min_radius: float):
    """The domain's inscribed ball; DomainError when it is not above the tolerance."""
    root = solver.chebyshev(domain.A, domain.c)
    if root.radius <= min_radius:
        raise DomainError(f"the {domain.kind} domain has no interior ball of relative radius "
                          f"{min_radius}")
    return root


def _scaled(domain: Domain, scale: float) -> Domain:
    """The same domain in coordinates divided by ``scale``."""
    return Domain(domain.kind, domain.A, domain.c / scale, domain.origin, domain.basis * scale,
                  domain.lower / scale, domain.upper / scale)


def _initial_state(network: Network, domain: Domain, solver: LPSolver, min_radius: float) -> State:
    root = _root_ball(solver, domain, min_radius)
    labels = -1 - np.arange(domain.A.shape[0], dtype=np.int64)
    item = WorkItem(0, domain.A, domain.c, labels, root.center, root.radius, True,
                    domain.basis, domain.origin, np.zeros(0, np.int8))
    return State(stack=[item], per_layer=[0] * len(network.layers), lps=solver.count,
                 lp_seconds=solver.seconds)


class _Interrupt:
    """Turns SIGINT into a flag checked between work items (main thread only)."""

    def __init__(self):
        self.requested = False
        self._previous = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame):
        self.requested = True

    def __exit__(self, *exc):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False


class _Run:
    """One pass of the depth-first loop over a :class:`State`."""

    def __init__(self, network, domain, solver, min_radius, state):
        self.network = network
        self.domain = domain
        self.solver = solver
        self.min_radius = min_radius
        self.state = state
        self.label_offsets = np.cumsum(
            [0] + [layer.width * len(layer.breakpoints) for layer in network.layers])
        self.lps_before = state.lps - solver.count
        self.lp_seconds_before = state.lp_seconds - solver.seconds

    def loop(self, progress, max_regions, time_limit, memory_limit, checkpoint,
             checkpoint_every, key):
        state = self.state
        started = time.perf_counter()
        seconds_before = state.seconds
        last_report = last_save = started
        stop_reason = None
        processed = 0
        with _Interrupt() as interrupt:
            while state.stack:
                now = time.perf_counter()
                state.seconds = seconds_before + (now - started)
                stop_reason = budget_exhausted(interrupt, len(state.finished), state.seconds,
                                               processed % MEMORY_CHECK_EVERY == 0,
                                               max_regions, time_limit, memory_limit)
                if stop_reason:
                    break
                if progress is not None and now - last_report > 0.5:
                    last_report = now
                    progress(len(state.finished), state.stack[-1].layer, len(state.stack),
                             state.seconds)
                if checkpoint is not None and now - last_save > checkpoint_every:
                    last_save = now
                    self._sync_counters()
                    checkpoints.save(checkpoint, state, key, self.domain.dim)
                processed += 1
                state.stack.extend(reversed(self.step(state.stack.pop())))
        state.seconds = seconds_before + (time.perf_counter() - started)
        self._sync_counters()
        return stop_reason

    def step(self, item: WorkItem) -> list:
        """Process one work item: its children in depth-first order, or ``[]`` once it
        is recorded as a final region."""
        if item.layer == len(self.network.layers):
            self.state.finished.append(self._finish(item))
            return []
        children = self._split(item, self.network.layers[item.layer])
        self.state.per_layer[item.layer] += len(children)
        return children

    def _sync_counters(self):
        self.state.lps = self.lps_before + self.solver.count
        self.state.lp_seconds = self.lp_seconds_before + self.solver.seconds

    def _finish(self, item: WorkItem) -> FinishedRegion:
        center, radius = item.center, item.radius
        if not item.exact:
            ball = self.solver.chebyshev(item.A, item.c)
            center, radius = ball.center, ball.radius
        return FinishedRegion(item.pattern, center, radius, item.A, item.c, item.labels,
                              item.M, item.m)

    def _split(self, item: WorkItem, layer: Layer) -> list:
        """Children of ``item`` under ``layer``'s breakpoint hyperplanes, as work items."""
        G = layer.weight @ item.M                   # (width, dim) pre-activation map
        beta = layer.weight @ item.m + layer.bias   # (width,)
        if layer.activation == "identity":
            return [WorkItem(item.layer + 1, item.A, item.c, item.labels, item.center,
                             item.radius, item.exact, G, beta, item.pattern)]
        G_planes, beta_planes, threshold = breakpoint_hyperplanes(layer, G, beta, item.M)
        sides, norms = classify(G_planes, beta_planes, threshold,
                                tie_sides(layer.activation, layer.width),
                                self.domain.lower, self.domain.upper)
        undecided = [int(t) for t in np.flatnonzero(sides == 0)]
        ids = self.label_offsets[item.layer] + np.arange(G_planes.shape[0], dtype=np.int64)
        start = (item.A, item.c, item.labels, item.center, item.radius, item.exact,
                 sides, undecided)
        pieces, slivers = split_cell(start, G_planes, beta_planes, norms, ids, self.solver,
                                     self.min_radius, self.min_radius / NEAR_DEGENERATE_FACTOR)
        self.state.slivers += slivers

        children = []
        for A, c, labels, center, radius, exact, piece_sides, _ in pieces:
            states = states_from_sides(piece_sides, layer.activation)
            slope, shift = state_slope_offset(states, layer)
            children.append(WorkItem(item.layer + 1, A, c, labels, center, radius, exact,
                                     slope[:, None] * G, slope * beta + shift,
                                     np.concatenate([item.pattern, states])))
        return children


def budget_exhausted(interrupt, found: int, seconds: float, check_memory: bool, max_regions,
                     time_limit, memory_limit) -> str | None:
    """Why a run must stop now (``"interrupted"``, ``"max_regions"``, ``"time_limit"``,
    ``"memory_limit"``), or None; memory is measured only when ``check_memory``."""
    if interrupt.requested:
        return "interrupted"
    if max_regions is not None and found >= max_regions:
        return "max_regions"
    if time_limit is not None and seconds >= time_limit:
        return "time_limit"
    if memory_limit is not None and check_memory and resident_memory() > memory_limit:
        return "memory_limit"
    return None


def resident_memory() -> int:
    """Resident set size of this process in bytes (Linux ``/proc``; 0 where unavailable)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _partition(network, domain, scale, min_radius, state: State, stop_reason) -> Partition:
    """Convert the internal (scaled) state into a :class:`Partition` in domain coordinates."""
    done = state.finished
    count = len(done)
    rows = [(f.A, f.c * scale, f.labels) for f in done]
    maps = [(f.C / scale, f.d) for f in done]
    return Partition(
        network=network,
        domain=domain,
        patterns=np.array([f.pattern for f in done], dtype=np.int8).reshape(
            count, network.pattern_length),
        witnesses=np.array([f.witness for f in done], dtype=np.float64).reshape(
            count, domain.dim) * scale,
        margins=np.array([f.margin for f in done], dtype=np.float64) * scale,
        per_layer=list(state.per_layer),
        lps=state.lps,
        seconds=state.seconds,
        lp_seconds=state.lp_seconds,
        min_radius=min_radius,
        scale=scale,
        complete=stop_reason is None,
        stop_reason=stop_reason,
        unfinished=len(state.stack),
        slivers=state.slivers,
        _rows=rows,
        _maps=maps,
    )
