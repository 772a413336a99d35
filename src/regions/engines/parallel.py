"""Any depth-first engine on a :class:`concurrent.futures.Executor`, split by subtrees.

A cell's subtree depends on nothing but the cell. So the calling process
expands the domain, shallowest cell first, into a frontier of at least
:data:`FRONTIER_CELLS` cells (plus any regions already final) kept in
depth-first order; every frontier cell's subtree then runs as one task on the
executor, with its own engine and LP solver, under the driver; and the
results are concatenated in frontier order, which is the serial depth-first
order. The regions, their order, witnesses and margins are therefore
identical to a serial run whatever the executor and worker count, and so are
``lps`` and ``per_layer`` of a complete run (the same cells are processed);
``lp_seconds`` is summed over the tasks.

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

from ..domain import Domain
from ..network import Network
from .base import Counters, Settings
from .driver import UNLIMITED, Interrupt, budget_exhausted, drive

#: The frontier is expanded until it holds at least this many cells (tasks).
FRONTIER_CELLS = 64
#: Seconds between two looks at the tasks (budgets, progress, Ctrl-C).
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class Task:
    """One frontier cell's subtree; ``deadline`` is wall-clock (``time.time()``) or None."""

    engine: type
    network: Network
    domain: Domain          # scaled working domain
    settings: Settings
    cell: tuple
    max_regions: int | None
    deadline: float | None


@dataclass
class Outcome:
    """What a task (or the expansion of one cell) produced: final-region ``records``."""

    records: list
    count: int
    counters: Counters | None = None
    unfinished: int = 0
    stop_reason: str | None = None


def run_task(task: Task) -> Outcome:
    """Enumerate the subtree of ``task.cell`` (runs on a worker)."""
    remaining = None if task.deadline is None else task.deadline - time.time()
    if remaining is not None and remaining <= 0:
        return Outcome([], 0, None, unfinished=1, stop_reason="time_limit")
    engine = task.engine(task.network, task.domain, task.settings)
    engine.push(task.cell)
    records: list = []
    reason, _ = drive(engine, records, max_regions=task.max_regions, time_limit=remaining)
    return Outcome(records, engine.count(records), engine.counters(), engine.pending, reason)


def expand(engine, cell: tuple) -> tuple[list, Outcome]:
    """Process one cell in the calling process: ``(children in depth-first order,
    Outcome of the regions it finished)``."""
    engine.push(cell)
    engine.run(1, UNLIMITED)
    children = [engine.pop() for _ in range(engine.pending)]
    records = engine.take_results()
    return children, Outcome(records, engine.count(records))


def frontier(engine, roots: list, size: int) -> list:
    """The first cells expanded, shallowest cell first, until at least ``size`` cells
    remain: a list of ``("cell", cell)`` and ``("done", Outcome)`` in depth-first order."""
    entries = [("cell", root) for root in roots]
    while True:
        cells = [i for i, (kind, _) in enumerate(entries) if kind == "cell"]
        if not cells or len(cells) >= size:
            return entries
        index = min(cells, key=lambda i: entries[i][1].layer)
        children, outcome = expand(engine, entries[index][1])
        replacement = [("cell", child) for child in children]
        if outcome.count:
            replacement.append(("done", outcome))
        entries[index:index + 1] = replacement


def run_on(executor: concurrent.futures.Executor, engine, network: Network, scaled: Domain,
           settings: Settings, progress, max_regions, time_limit, memory_limit):
    """Enumerate with ``engine`` (loaded with nothing yet) on ``executor``.

    Returns ``(records, counters, stop reason, unfinished cells, seconds)``.
    """
    started = time.perf_counter()
    entries = frontier(engine, engine.roots(), FRONTIER_CELLS)
    deadline = None if time_limit is None else time.time() + time_limit - (
        time.perf_counter() - started)
    outcomes: list = [None] * len(entries)
    futures = {}
    for i, (kind, content) in enumerate(entries):
        if kind == "done":
            outcomes[i] = content
        else:
            task = Task(type(engine), network, scaled, settings, content, max_regions,
                        deadline)
            futures[executor.submit(run_task, task)] = i

    reason = None
    try:
        with Interrupt() as interrupt:
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
                    kind, content = entries[complete_prefix]
                    progress(found, content.layer if kind == "cell" else -1, len(futures),
                             seconds)
                concurrent.futures.wait(list(futures), timeout=POLL_SECONDS,
                                        return_when=concurrent.futures.FIRST_COMPLETED)
    finally:
        for future in futures:
            future.cancel()
    return _assemble(engine, outcomes, max_regions, reason,
                     time.perf_counter() - started)


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


def _assemble(engine, outcomes, max_regions, reason, seconds):
    """Concatenate the outcomes in order, cut after the first incomplete one or at
    ``max_regions``."""
    counters = engine.counters()
    kept, found, unfinished, cut, stop_reason = [], 0, 0, False, None
    for outcome in outcomes:
        if cut or outcome is None:
            unfinished, cut = unfinished + 1, True
            continue
        if outcome.counters is not None:
            counters.merge(outcome.counters)
        kept.append(outcome)
        found += outcome.count
        if max_regions is not None and found >= max_regions:
            stop_reason, cut = "max_regions", True
        elif outcome.stop_reason is not None:
            stop_reason, cut = outcome.stop_reason, True
            unfinished += outcome.unfinished
    if cut and stop_reason is None:
        stop_reason = reason
    counters.regions = found
    limit = found if max_regions is None else min(found, max_regions)
    records = engine.head([record for outcome in kept for record in outcome.records], limit)
    return records, counters, stop_reason, unfinished, seconds
