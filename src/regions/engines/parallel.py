"""Any depth-first engine on a ``concurrent.futures.Executor``, split by subtrees.

A cell's subtree depends on nothing but the cell. So the calling process
expands the domain, shallowest cell first, into a frontier of at least
``FRONTIER_CELLS`` cells (plus any regions already final) kept in
depth-first order; every frontier cell's subtree then runs as a task on the
executor (consecutive cells batched into at most ``MAX_TASKS`` tasks), with
its own engine and LP solver, under the driver; and the
results are concatenated in frontier order, which is the serial depth-first
order. The regions, their order, witnesses and margins are therefore
identical to a serial run whatever the executor and worker count, and so are
``lps`` and ``per_layer`` of a complete run (the same cells are processed);
``lp_seconds`` is summed over the tasks.

A *count* (``count_only``) runs the same tasks, but each counts its regions as
they come (``regions.engines.driver.Tally``) and returns the count and the
thin regions' patterns only: memory stays flat in every process however many
regions there are.

Budgets: every task gets ``max_regions`` and the time left. A partition is cut
after the first task that stopped early, so a partial result is still the
start of the serial order; a count keeps every task that returned. Ctrl-C or
an expired time limit cancels the tasks not yet started and waits at most
``STOP_SECONDS`` for the running ones, which stop at the same deadline (and
at the Ctrl-C their process group receives too). ``memory_limit`` is measured
in the calling process only.

``process_pool`` gives a process pool whose workers never outlive the
process that started them (Linux) and are stopped, not awaited, when it closes.

Any executor works that pickles its tasks or shares memory: thread and process
pools, and a ``dask.distributed`` client's ``client.get_executor()``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import os
import signal
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from ..domain import Domain
from ..network import Network
from .base import Counters, Settings
from .driver import UNLIMITED, Interrupt, Tally, budget_exhausted, drive

#: The frontier is expanded until it holds at least this many cells (tasks).
FRONTIER_CELLS = 64
#: Tasks at most: a frontier of more cells is cut into batches of consecutive cells.
MAX_TASKS = 256
#: Seconds between two looks at the tasks (budgets, progress, Ctrl-C).
POLL_SECONDS = 0.5
#: Seconds a stopped run waits for its running tasks' partial results.
STOP_SECONDS = 1.0


@dataclass(frozen=True)
class Task:
    """The subtrees of consecutive frontier cells; ``deadline`` is wall-clock
    (``time.time()``) or None; ``count_only``: count the regions instead of returning
    them."""

    engine: type
    network: Network
    domain: Domain          # scaled working domain
    settings: Settings
    cells: list
    max_regions: int | None
    deadline: float | None
    count_only: bool = False


@dataclass
class Outcome:
    """What a task (or the expansion of one cell) produced: final-region ``records``, or
    for a count none, and the thin regions' patterns and positions among its ``count``."""

    records: list
    count: int
    counters: Counters | None = None
    unfinished: int = 0
    stop_reason: str | None = None
    thin_patterns: np.ndarray | None = None
    thin_positions: np.ndarray | None = None


@dataclass
class ParallelRun:
    """What :func:`run_on` returns: the kept records (none for a count), the merged
    counters, why it stopped, the cells left, and for a count the thin regions' patterns."""

    records: list
    counters: Counters
    stop_reason: str | None
    unfinished: int
    seconds: float
    thin_patterns: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int8))


#: Set in a worker once it has received a Ctrl-C: its later tasks return at once.
_interrupted = False


def _note_interrupt(signum, frame):
    global _interrupted
    _interrupted = True


def die_with_parent() -> None:
    """A process pool's ``initializer``: the worker is killed when the process that started
    it dies (Linux ``PR_SET_PDEATHSIG``; elsewhere nothing), and remembers a Ctrl-C so
    that the tasks it has not started yet return at once."""
    signal.signal(signal.SIGINT, _note_interrupt)
    if not sys.platform.startswith("linux"):
        return
    parent = os.getppid()
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:      # the parent died before the request
        os._exit(1)


@contextlib.contextmanager
def process_pool(workers: int):
    """A :class:`concurrent.futures.ProcessPoolExecutor` of ``workers`` processes that die
    with the calling process (:func:`die_with_parent`); when the block ends, tasks still
    running (a stopped run no longer wants them) are stopped, not awaited."""
    executor = concurrent.futures.ProcessPoolExecutor(workers, initializer=die_with_parent)
    try:
        yield executor
    finally:
        processes = list((getattr(executor, "_processes", None) or {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=STOP_SECONDS)


def run_task(task: Task) -> Outcome:
    """Enumerate (or count) the subtrees of ``task.cells``, in order (runs on a worker)."""
    global _interrupted
    remaining = None if task.deadline is None else task.deadline - time.time()
    if _interrupted or (remaining is not None and remaining <= 0):
        return Outcome([], 0, None, unfinished=len(task.cells),
                       stop_reason="interrupted" if _interrupted else "time_limit")
    engine = task.engine(task.network, task.domain, task.settings)
    for cell in reversed(task.cells):
        engine.push(cell)
    records: list = []
    tally = (Tally(engine, task.settings.thin_radius, task.network.pattern_length)
             if task.count_only else None)
    reason, _ = drive(engine, records, max_regions=task.max_regions, time_limit=remaining,
                      sink=tally)
    _interrupted = _interrupted or reason == "interrupted"
    if tally is None:
        return Outcome(records, engine.count(records), engine.counters(), engine.pending, reason)
    return Outcome([], tally.count, engine.counters(), engine.pending, reason,
                   tally.thin_patterns, tally.thin_positions)


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


def batches(entries: list, count: int) -> list:
    """The frontier's cells in about ``count`` tasks: runs of consecutive cells (between
    finished regions) cut into batches; ``("cells", [cell, ...])`` and ``("done",
    Outcome)``, in depth-first order. A wide layer expands one cell into hundreds, and a
    task per cell would cost more to start than to run."""
    cells = sum(kind == "cell" for kind, _ in entries)
    size = max(1, -(-cells // count))
    grouped: list = []
    for kind, content in entries:
        if kind == "cell" and grouped and grouped[-1][0] == "cells" \
                and len(grouped[-1][1]) < size:
            grouped[-1][1].append(content)
        elif kind == "cell":
            grouped.append(("cells", [content]))
        else:
            grouped.append((kind, content))
    return grouped


def run_on(executor: concurrent.futures.Executor, engine, network: Network, scaled: Domain,
           settings: Settings, progress, max_regions, time_limit, memory_limit,
           count_only: bool = False) -> ParallelRun:
    """Enumerate (or, ``count_only``, count) with ``engine`` (loaded with nothing yet) on
    ``executor``."""
    started = time.perf_counter()
    entries = batches(frontier(engine, engine.roots(), FRONTIER_CELLS), MAX_TASKS)
    deadline = None if time_limit is None else time.time() + time_limit - (
        time.perf_counter() - started)
    outcomes: list = [None] * len(entries)
    futures = {}
    for i, (kind, content) in enumerate(entries):
        if kind == "done":
            outcomes[i] = (_counted(engine, content, settings, network.pattern_length)
                           if count_only else content)
        else:
            task = Task(type(engine), network, scaled, settings, content, max_regions,
                        deadline, count_only)
            futures[executor.submit(run_task, task)] = i
    tally = _tally_all if count_only else _prefix
    reason = None
    try:
        with Interrupt() as interrupt:
            while True:
                for future in [f for f in futures if f.done()]:
                    outcomes[futures.pop(future)] = future.result()
                found, settled = tally(outcomes)
                if max_regions is not None and found >= max_regions:
                    break
                if settled == len(outcomes):
                    break
                seconds = time.perf_counter() - started
                reason = budget_exhausted(interrupt, found, seconds, True, None, time_limit,
                                          memory_limit)
                if reason:
                    break
                if progress is not None:
                    progress(found, _top_layer(entries, outcomes), len(futures), seconds)
                concurrent.futures.wait(list(futures), timeout=POLL_SECONDS,
                                        return_when=concurrent.futures.FIRST_COMPLETED)
    finally:
        for future in futures:
            future.cancel()
    if reason is not None and count_only:
        # the running tasks stop at the same deadline or Ctrl-C: keep what they found
        done, _ = concurrent.futures.wait(list(futures), timeout=STOP_SECONDS)
        for future in done:
            if not future.cancelled() and future.exception() is None:
                outcomes[futures.pop(future)] = future.result()
    seconds = time.perf_counter() - started
    waiting = [len(content) if kind == "cells" else 0 for kind, content in entries]
    if count_only:
        return _assemble_count(engine, outcomes, waiting, max_regions, reason, seconds,
                               network.pattern_length)
    return _assemble(engine, outcomes, waiting, max_regions, reason, seconds)


def _counted(engine, outcome: Outcome, settings: Settings, pattern_length: int) -> Outcome:
    """A frontier's finished regions as a count's outcome (their records dropped)."""
    tally = Tally(engine, settings.thin_radius, pattern_length)
    tally(outcome.records)
    return Outcome([], tally.count, thin_patterns=tally.thin_patterns,
                   thin_positions=tally.thin_positions)


def _top_layer(entries: list, outcomes: list) -> int:
    """The layer of the first frontier cell whose task has not returned (-1: none)."""
    for (kind, content), outcome in zip(entries, outcomes):
        if outcome is None and kind == "cells":
            return content[0].layer
    return -1


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


def _tally_all(outcomes: list) -> tuple[int, int]:
    """``(regions, outcomes)`` over every outcome returned so far (a count keeps them all)."""
    returned = [outcome for outcome in outcomes if outcome is not None]
    return sum(outcome.count for outcome in returned), len(returned)


def _assemble(engine, outcomes, waiting, max_regions, reason, seconds) -> ParallelRun:
    """Concatenate the outcomes in order, cut after the first incomplete one or at
    ``max_regions`` (``waiting``: the cells of each task)."""
    counters = engine.counters()
    kept, found, unfinished, cut, stop_reason = [], 0, 0, False, None
    for outcome, cells in zip(outcomes, waiting):
        if cut or outcome is None:
            unfinished, cut = unfinished + cells, True
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
    return ParallelRun(records, counters, stop_reason, unfinished, seconds)


def _assemble_count(engine, outcomes, waiting, max_regions, reason, seconds,
                    pattern_length: int) -> ParallelRun:
    """Add up every returned outcome (in frontier order, cut at ``max_regions``); the cells
    of the tasks that did not return (``waiting``), and those a stopped one left, are
    unfinished."""
    counters = engine.counters()
    found, unfinished, stop_reason = 0, 0, None
    thin = [np.zeros((0, pattern_length), np.int8)]
    for outcome, cells in zip(outcomes, waiting):
        if outcome is None:
            unfinished += cells
            stop_reason = stop_reason or reason
            continue
        room = outcome.count if max_regions is None else min(outcome.count,
                                                             max_regions - found)
        if outcome.counters is not None:
            counters.merge(outcome.counters)
        if outcome.stop_reason is not None:
            unfinished += outcome.unfinished
            stop_reason = stop_reason or outcome.stop_reason
        if room < outcome.count:
            stop_reason = "max_regions"
        if outcome.thin_patterns is not None:
            thin.append(outcome.thin_patterns[outcome.thin_positions < room])
        found += room
    if unfinished and stop_reason is None:   # stopped waiting once max_regions were found
        stop_reason = "max_regions"
    counters.regions = found
    return ParallelRun([], counters, stop_reason, unfinished, seconds, np.concatenate(thin))
