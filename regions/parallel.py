"""Enumeration on a :class:`concurrent.futures.Executor`, split by region subtrees.

Both cores (``"split"`` and ``"vertex"``) work depth-first on a stack of
cells, and a cell's subtree depends on nothing but the cell. So the calling
process expands the domain, shallowest cell first, into a frontier of at least
:data:`FRONTIER_CELLS` cells (plus any regions already final) kept in
depth-first order; every frontier cell's subtree then runs as one task on the
executor, with its own engine and LP solver; and the results are concatenated
in frontier order, which is the serial depth-first order. The regions, their
order, witnesses and margins are therefore identical to a serial run whatever
the executor and worker count, and so are ``lps`` and ``per_layer`` of a
complete run (the same cells are processed); ``lp_seconds`` is summed over
the tasks.

Budgets: every task gets ``max_regions`` and the time left, and the result is
cut after the first task that stopped early, so a partial result is still the
start of the serial order. ``memory_limit`` is measured in the calling process
only. Ctrl-C or an expired time limit cancels the tasks not yet started and
returns without waiting for the running ones.

Any executor works that pickles its tasks or shares memory: thread and process
pools, and a ``dask.distributed`` client's ``client.get_executor()``.
"""

from __future__ import annotations

import concurrent.futures
import time
from dataclasses import dataclass

import numpy as np

from . import vertices
from .checkpoint import State
from .domain import Domain
from .enumeration import (_Interrupt, _partition, _root_ball, _Run, _initial_state,
                          budget_exhausted, run_engine, vertex_partition)
from .lp import LPSolver
from .network import Network
from .partition import Partition

#: The frontier is expanded until it holds at least this many cells (tasks).
FRONTIER_CELLS = 64
#: Seconds between two looks at the tasks (budgets, progress, Ctrl-C).
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class Task:
    """One frontier cell's subtree; ``deadline`` is wall-clock (``time.time()``) or None."""

    method: str
    network: Network
    domain: Domain          # scaled working domain
    min_radius: float
    cell: object            # a WorkItem ("split") or VertexEngine.push arguments ("vertex")
    max_regions: int | None
    deadline: float | None


@dataclass
class Outcome:
    """What a task (or the expansion of one cell) produced; ``regions`` is a list of
    :class:`~regions.checkpoint.FinishedRegion` ("split") or of result chunks ("vertex")."""

    regions: list
    count: int
    per_layer: list
    lps: int = 0
    lp_seconds: float = 0.0
    slivers: int = 0
    unfinished: int = 0
    stop_reason: str | None = None


def run_task(task: Task) -> Outcome:
    """Enumerate the subtree of ``task.cell`` (runs on a worker)."""
    remaining = None if task.deadline is None else task.deadline - time.time()
    if remaining is not None and remaining <= 0:
        return Outcome([], 0, [0] * len(task.network.layers), unfinished=1,
                       stop_reason="time_limit")
    solver = LPSolver()
    if task.method == "vertex":
        engine = vertices.make_engine(task.network, task.min_radius, solver, task.domain.dim)
        engine.push(*task.cell)
        results, reason, _ = run_engine(engine, None, task.max_regions, remaining, None, 0.0)
        return Outcome(results.chunks, int(engine.n_regions), [int(n) for n in engine.per_layer],
                       solver.count, solver.seconds, int(engine.slivers), engine.pending, reason)
    state = State(stack=[task.cell], per_layer=[0] * len(task.network.layers))
    run = _Run(task.network, task.domain, solver, task.min_radius, state)
    reason = run.loop(None, task.max_regions, remaining, None, None, np.inf, None)
    return Outcome(state.finished, len(state.finished), state.per_layer, state.lps,
                   state.lp_seconds, state.slivers, len(state.stack), reason)


class _Expander:
    """Processes single cells in the calling process, for either core."""

    def __init__(self, method, network, scaled, min_radius):
        self.method = method
        self.solver = LPSolver()
        self.network = network
        if method == "vertex":
            _root_ball(self.solver, scaled, min_radius)
            self.engine = vertices.make_engine(network, min_radius, self.solver, scaled.dim)
            self.root = vertices.root_cell(scaled)
        else:
            self.state = _initial_state(network, scaled, self.solver, min_radius)
            self.run = _Run(network, scaled, self.solver, min_radius, self.state)
            self.root = self.state.stack.pop()

    def layer(self, cell) -> int:
        return cell[0] if self.method == "vertex" else cell.layer

    def expand(self, cell):
        """``(children in depth-first order, Outcome of the regions it finished)``."""
        if self.method == "vertex":
            engine = self.engine
            engine.push(*cell)
            engine.run(1, np.iinfo(np.int64).max)
            children = [engine.pop() for _ in range(engine.pending)]
            chunk = engine.take_results()
            return children, Outcome([chunk], chunk[0].shape[0], [])
        before = len(self.state.finished)
        children = self.run.step(cell)
        finished = self.state.finished[before:]
        return children, Outcome(finished, len(finished), [])

    def counters(self) -> tuple[list, int, float, int]:
        """``per_layer, lps, lp_seconds, slivers`` of the expansion so far."""
        if self.method == "vertex":
            return ([int(n) for n in self.engine.per_layer], self.solver.count,
                    self.solver.seconds, int(self.engine.slivers))
        return (list(self.state.per_layer), self.solver.count, self.solver.seconds,
                self.state.slivers)


def frontier(expander: _Expander, size: int) -> list:
    """The root expanded, shallowest cell first, until at least ``size`` cells remain:
    a list of ``("cell", cell)`` and ``("done", Outcome)`` in depth-first order."""
    entries = [("cell", expander.root)]
    while True:
        cells = [i for i, (kind, _) in enumerate(entries) if kind == "cell"]
        if not cells or len(cells) >= size:
            return entries
        index = min(cells, key=lambda i: expander.layer(entries[i][1]))
        children, outcome = expander.expand(entries[index][1])
        replacement = [("cell", child) for child in children]
        if outcome.count:
            replacement.append(("done", outcome))
        entries[index:index + 1] = replacement


def enumerate_on(executor: concurrent.futures.Executor, method: str, network: Network,
                 domain: Domain, scale: float, scaled: Domain, min_radius: float, progress,
                 max_regions, time_limit, memory_limit) -> Partition:
    """:func:`regions.enumerate` with ``executor`` (arguments already checked)."""
    started = time.perf_counter()
    expander = _Expander(method, network, scaled, min_radius)
    entries = frontier(expander, FRONTIER_CELLS)
    deadline = None if time_limit is None else time.time() + time_limit - (
        time.perf_counter() - started)
    outcomes: list = [None] * len(entries)
    futures = {}
    for i, (kind, content) in enumerate(entries):
        if kind == "done":
            outcomes[i] = content
        else:
            task = Task(method, network, scaled, min_radius, content, max_regions, deadline)
            futures[executor.submit(run_task, task)] = i

    reason = None
    try:
        with _Interrupt() as interrupt:
            while True:
                for future in [f for f in futures if f.done()]:
                    outcomes[futures.pop(future)] = future.result()
                found, complete_prefix = _prefix(outcomes)
                if max_regions is not None and found >= max_regions:
                    break
                if complete_prefix == len(outcomes):
                    break
                seconds = time.perf_counter() - started
                reason = budget_exhausted(interrupt, found, seconds, True, None, time_limit,
                                          memory_limit)
                if reason:
                    break
                if progress is not None:
                    next_cell = entries[complete_prefix][1]
                    progress(found, expander.layer(next_cell), len(futures), seconds)
                concurrent.futures.wait(list(futures), timeout=POLL_SECONDS,
                                        return_when=concurrent.futures.FIRST_COMPLETED)
    finally:
        for future in futures:
            future.cancel()
    return _assemble(expander, network, domain, scale, min_radius, outcomes, max_regions,
                     reason, time.perf_counter() - started)


def _prefix(outcomes: list) -> tuple[int, int]:
    """``(regions, entries)`` in the longest prefix of complete outcomes, counting also the
    regions of the first incomplete one that has returned."""
    found = 0
    for i, outcome in enumerate(outcomes):
        if outcome is None:
            return found, i
        found += outcome.count
        if outcome.stop_reason is not None:
            return found, i
    return found, len(outcomes)


def _assemble(expander, network, domain, scale, min_radius, outcomes, max_regions, reason,
              seconds) -> Partition:
    """Concatenate the outcomes in order, cut after the first incomplete one or at
    ``max_regions``, into a :class:`Partition`."""
    per_layer, lps, lp_seconds, slivers = expander.counters()
    per_layer = np.array(per_layer, dtype=np.int64)
    kept, found, unfinished, cut, stop_reason = [], 0, 0, False, None
    for outcome in outcomes:
        if cut or outcome is None:
            unfinished, cut = unfinished + 1, True
            continue
        if outcome.per_layer:
            per_layer += outcome.per_layer
        lps, lp_seconds = lps + outcome.lps, lp_seconds + outcome.lp_seconds
        slivers += outcome.slivers
        kept.append(outcome)
        found += outcome.count
        if max_regions is not None and found >= max_regions:
            stop_reason, cut = "max_regions", True
        elif outcome.stop_reason is not None:
            stop_reason, cut = outcome.stop_reason, True
            unfinished += outcome.unfinished
    if cut and stop_reason is None:
        stop_reason = reason
    counters = dict(per_layer=[int(n) for n in per_layer], lps=lps, seconds=seconds,
                    lp_seconds=lp_seconds, stop_reason=stop_reason, unfinished=unfinished,
                    slivers=slivers)
    limit = found if max_regions is None else min(found, max_regions)
    regions = [region for outcome in kept for region in outcome.regions]
    if expander.method == "vertex":
        results = vertices.Results()
        results.extend(regions)
        return vertex_partition(network, domain, scale, min_radius, results.head(limit),
                                **counters)
    state = State(finished=regions[:limit], per_layer=counters["per_layer"], lps=lps,
                  seconds=seconds, lp_seconds=lp_seconds, slivers=slivers)
    partition = _partition(network, domain, scale, min_radius, state, stop_reason)
    partition.unfinished = unfinished
    return partition
