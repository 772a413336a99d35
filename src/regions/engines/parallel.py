"""Any depth-first engine on a ``concurrent.futures.Executor``, split by subtrees.

A cell's subtree depends on nothing but the cell. So the calling process
expands the domain, shallowest cell first, into a frontier of at least
``FRONTIER_CELLS`` cells kept in depth-first order (it never records a region: a
cell of the last layer's output is left to a task; of several first cells, the first
runs as a task at once, and the frontier grows from the others meanwhile); consecutive
frontier cells run as a task (at most ``MAX_TASKS`` of them) on the executor, with its
worker's engine and LP solver, under the driver. A task runs for at most
``SLICE_SECONDS``, then returns its regions and the cells left on its stack, which
become new tasks right after it in the depth-first order (the ``LEFTOVER_TASKS`` parts
its worker cut them into, when few tasks are left): a big subtree is shared out among
the workers however unevenly the frontier split the work. The results are concatenated in
depth-first order, which is the serial order. The regions, their order,
witnesses and margins are therefore identical to a serial run whatever the
executor and worker count, and so are ``lps`` and ``per_layer`` of a complete
run (the same cells are processed); ``lp_seconds`` is summed over the tasks.

A *count* (``count_only``) runs the same tasks (the frontier's sent most work guessed
first, an enumeration's in depth-first order), but each counts its regions as
they come (``regions.engines.driver.Tally``) and returns the count and the
thin regions' patterns only: memory stays flat in every process however many
regions there are. The calling process holds the cells not finished, so it
can checkpoint a count at any time.

Budgets: every task gets ``max_regions`` and the time left. A partition is cut
after the first task that stopped early, so a partial result is still the
start of the serial order; the task in which ``max_regions`` is reached is run
again in the calling process up to the cap, so that the partition holds exactly
the serial run's first ``max_regions`` regions and its counters are those of the
work that found them. A count keeps every task that returned, and may hold more
than ``max_regions`` regions; on a ``process_pool`` it stops as soon as the tasks
returned and those running (their ``Lanes``) found ``max_regions``. Either way, a
stopped run's counters (regions, ``per_layer``, LPs, thin regions) describe the work whose
regions it reports, and its unfinished cells are the rest: resuming them adds exactly
what is missing (the cells the frontier expanded count as work done, so ``per_layer``
may exceed a serial stopped run's). A stopped run (Ctrl-C, a limit, a count's budget)
cancels the tasks not yet started and waits at most ``STOP_SECONDS`` for the running
ones, keeping what they found: they stop at the same deadline, and on a
``process_pool`` at once, told by its ``stop`` flag (a Ctrl-C sent to the calling
process alone, not its process group, stops its workers' tasks too, and a later run on
the same pool starts afresh). Other executors' tasks are not waited for when a count's
budget or ``memory_limit`` (measured in the calling process only) stops the run.

What travels: the engine type, network, domain and settings of a run, with the norm
bounds the calling process computed for its engine, are pickled once to a temporary
file (``publish``), which each worker reads at its first task of the run
(``shared_part``) and builds its engine from, kept for the run's later tasks and reset
at each (``task_engine``); a task carries the file's name and its cells packed into a
few arrays (``regions.packing.pack_tuples``), an array that several cells share sent
once (``distinct``: the children of one vertex cell share their map's error bounds),
and returns its cells left packed the same way, in parts that the calling process sends
on without packing them again. A worker that cannot read the file (a
cluster's worker on another machine) sends its task back; from then on every task
carries the run, which is said on stderr and in the result's ``notes``.

``process_pool`` gives a process pool whose workers start with it (a spawned one
imports while the calling process prepares its run), run BLAS on one thread each, as the
calling process does while the pool is open (the workers fill the cores: OpenBLAS's own
threads only contend with them), never outlive the
process that started them (Linux) and are stopped, not awaited, when it closes; its
block ends once the pool's manager thread has (nothing of it is left to the
interpreter's exit: no named semaphore, no thread waiting for a result cut short). It
keeps ``IN_FLIGHT`` tasks out per worker (``Demand``).

Any executor works that pickles its tasks or shares memory: thread and process
pools, and a ``dask.distributed`` client's ``client.get_executor()``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import math
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from ..domain import Domain
from ..network import Network
from ..packing import pack_tuples, unpack_tuples
from ..rounding import known_bounds, learn_bounds, overflow_expected
from ..tolerances import (BRANCHING, CHECKPOINT_SECONDS, DEMAND_SECONDS, FRONTIER_CELLS,
                          IN_FLIGHT, LEFTOVER_TASKS, MAX_TASKS, POLL_SECONDS, PROGRESS_LANES,
                          REPORT_SECONDS, SLICE_SECONDS, STOP_SECONDS)
from .base import Counters, Settings
from .driver import (UNLIMITED, Interrupt, Tally, budget_exhausted, drive, explored,
                     first_cells_finished)
from .vertex import Cones

__all__ = ["FRONTIER_CELLS", "MAX_TASKS", "POLL_SECONDS", "STOP_SECONDS", "SLICE_SECONDS",
           "LEFTOVER_TASKS", "BRANCHING", "IN_FLIGHT", "Flag", "Lanes", "Shared", "RunFile",
           "RunUnreachable", "publish", "shared_part", "task_engine", "Task", "Outcome",
           "ParallelRun", "die_with_parent", "process_pool", "run_task", "expand", "frontier",
           "batches", "guessed_work", "first_layer_cells", "Slot", "run_on"]


@dataclass(frozen=True)
class Shared:
    """What every task of one run shares: the engine type, the network, the scaled working
    domain and the settings; ``bounds``: the norm bounds the calling process computed
    (:func:`regions.rounding.known_bounds`), which a worker would compute again (0.3-0.6 s
    for a 512-wide layer) when it builds its engine."""

    engine: type
    network: Network
    domain: Domain
    settings: Settings
    bounds: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RunFile:
    """Where a run's :class:`Shared` waits, pickled once (:func:`publish`): ``key`` is unique
    to the run, ``path`` the file, which a worker reads at its first task of the run."""

    key: str
    path: str


class RunUnreachable(OSError):
    """A worker cannot read a :class:`RunFile` (it runs on another machine)."""


@dataclass(frozen=True)
class Task:
    """The subtrees of consecutive cells (depth-first order); ``shared``: the run's
    :class:`Shared`, or the :class:`RunFile` that holds it; ``cells``: the cells packed
    (:func:`regions.packing.pack_tuples`); ``deadline`` is wall-clock (``time.time()``) or
    None; ``count_only``: count the regions instead of returning them; ``slice_seconds``:
    run at most this long, then return the cells left; ``lane``: where it keeps the count
    of regions it found so far (:class:`Lanes`; -1: nowhere)."""

    shared: Shared | RunFile
    cells: dict
    max_regions: int | None
    deadline: float | None
    count_only: bool = False
    slice_seconds: float | None = None
    lane: int = -1


@dataclass
class Outcome:
    """What a task produced: final-region ``records``, or for a count none, and the thin
    regions' patterns;
    ``leftover``: the cells it did not finish, in depth-first order (their subtrees
    follow its regions in the serial order): as a worker returns them, cut into at most
    ``LEFTOVER_TASKS`` parts of about equal work (:func:`batches`), each packed
    (:func:`regions.packing.pack_tuples`), which the calling process can send on as
    they are; a list of cells once it received them. ``stop_reason`` is None for a task
    that finished or whose time slice ended, else why it stopped."""

    records: list
    count: int
    counters: Counters | None = None
    stop_reason: str | None = None
    thin_patterns: np.ndarray | None = None
    leftover: list = field(default_factory=list)

    @property
    def unfinished(self) -> int:
        """The cells left (packed or not)."""
        if self.leftover and isinstance(self.leftover[0], dict):
            return sum(int(part["count"]) for part in self.leftover)
        return len(self.leftover)

    @property
    def complete(self) -> bool:
        """Its cells' subtrees are done (nothing left, or what was left is shared out)."""
        return self.stop_reason is None and not self.unfinished


@dataclass
class ParallelRun:
    """What :func:`run_on` returns: the kept records (none for a count), the merged
    counters, why it stopped, the cells left (depth-first order), and for a count the thin
    regions' patterns."""

    records: list
    counters: Counters
    stop_reason: str | None
    cells: list
    seconds: float
    thin_patterns: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int8))
    #: How the run was slowed down (a slower path it was forced onto), for the caller.
    notes: list = field(default_factory=list)

    @property
    def unfinished(self) -> int:
        return len(self.cells)


#: In a worker of a :func:`process_pool`: the flag (:class:`Flag`) set while some worker is idle.
_idle = None
#: In a worker of a :func:`process_pool`: the flag (:class:`Flag`) the calling process sets
#: when it stops a run: the running tasks return at once, their cells left, and so do the
#: tasks queued behind them.
_stop = None
#: In a worker of a :func:`process_pool`: the shared counts of :class:`Lanes`.
_lanes = None
#: In a worker: the key and :class:`Shared` of the last run it read (:func:`shared_part`).
_last_run: tuple = (None, None)
#: Per thread (a thread pool's workers share the module): ``run``, the key and engine of
#: the last run whose task it ran (:func:`task_engine`).
_engines = threading.local()


class Flag:
    """A flag shared with a pool's processes (inherited or spawned), with
    :class:`threading.Event`'s ``set``, ``clear`` and ``is_set``: one byte of shared memory,
    written and read without a lock. Unlike a ``multiprocessing.Event`` it holds no named
    semaphore, which a process killed while still holding one leaves behind (the resource
    tracker warns of 5 leaked semaphores)."""

    def __init__(self, context):
        self.shared = context.RawValue(ctypes.c_bool, False)

    def set(self) -> None:
        self.shared.value = True

    def clear(self) -> None:
        self.shared.value = False

    def is_set(self) -> bool:
        return self.shared.value


@dataclass
class Demand:
    """The idle workers of a :func:`process_pool`, shared with them: ``event`` is set while
    fewer tasks are out than ``IN_FLIGHT`` per worker (``workers``), and a running task
    then hands its cells back (so cells travel between processes only when another worker
    can take them)."""

    event: object
    workers: int

    def update(self, outstanding: int) -> None:
        if outstanding < IN_FLIGHT * self.workers:
            self.event.set()
        else:
            self.event.clear()


class Lanes:
    """What each running task of a :func:`process_pool` found so far, in shared memory
    (``2 * PROGRESS_LANES`` int64 counts, written without a lock: each lane by one task):
    in lane ``i`` its regions, in ``PROGRESS_LANES + i`` the first-layer cells whose
    subtrees it finished (:func:`_reporting`), for the calling process's progress line; a
    task returns its own counts only when it ends. The calling process hands each task it
    submits a free lane (:meth:`take`) and frees it when the task returns
    (:meth:`give_back`); a task submitted while none is free gets -1 and reports
    nothing."""

    def __init__(self, context, size: int = PROGRESS_LANES):
        self.size = size
        self.shared = context.RawArray(ctypes.c_int64, 2 * size)
        self.reset()

    def reset(self) -> None:
        """Every lane free and zero (a new run: the last one's stopped tasks gave none
        back)."""
        self.shared[:] = [0] * len(self.shared)
        self.free = list(range(self.size - 1, -1, -1))

    def take(self) -> int:
        if not self.free:
            return -1
        lane = self.free.pop()
        self.shared[lane] = self.shared[self.size + lane] = 0
        return lane

    def give_back(self, lane: int) -> None:
        if lane >= 0:
            self.shared[lane] = self.shared[self.size + lane] = 0
            self.free.append(lane)

    def running(self) -> int:
        """The regions the running tasks found so far."""
        return sum(self.shared[:self.size])

    def finished(self) -> int:
        """The first-layer cells whose subtrees the running tasks finished so far."""
        return sum(self.shared[self.size:])

    @staticmethod
    def write(shared, lane: int, regions: int, finished: int | None = None) -> None:
        """In a worker, which holds only the shared array (:attr:`shared`): the counts so
        far of the task in ``lane``, its regions and (when given) its finished first-layer
        cells."""
        shared[lane] = regions
        if finished is not None:
            shared[len(shared) // 2 + lane] = finished


def die_with_parent(idle=None, lanes=None, stop=None) -> None:
    """A process pool's ``initializer``: the worker is killed when the process that started
    it dies (Linux ``PR_SET_PDEATHSIG``; elsewhere nothing), ignores a Ctrl-C between tasks
    (during one, its driver stops the task; the calling process, which sees the Ctrl-C
    too, stops the others with ``stop``), runs BLAS on one thread, and keeps the pool's
    ``idle`` flag (:class:`Demand`), its tasks' shared counts (:class:`Lanes`) and its
    ``stop`` flag."""
    global _idle, _lanes, _stop
    _idle, _lanes, _stop = idle, lanes, stop
    threadpool_limits(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
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
    with the calling process (:func:`die_with_parent`), with a :class:`Demand` as its
    ``demand`` attribute, :class:`Lanes` as its ``lanes`` and a :class:`Flag` as its
    ``stop`` (set by a run that stops: its running tasks return at once, with their
    regions and the cells they left, and its queued ones return untouched); when the
    block ends, tasks still running (a stopped run no longer wants them) are stopped, not
    awaited. Inside the block the calling process, like every worker, runs BLAS on one
    thread: with two threads, the norm bounds of a 512-wide layer (``regions.rounding``)
    took 0.2-0.65 s beside busy workers instead of 0.05.

    The workers start at once (a task each that does nothing: the executor starts them at
    its first tasks), not at a run's first task: a spawned worker imports ``regions`` (about
    0.5 s of CPU) while the calling process builds its engine and first cells."""
    context = multiprocessing.get_context()
    idle, lanes, stop = Flag(context), Lanes(context), Flag(context)
    executor = concurrent.futures.ProcessPoolExecutor(workers, mp_context=context,
                                                      initializer=die_with_parent,
                                                      initargs=(idle, lanes.shared, stop))
    executor.demand, executor.lanes, executor.stop = Demand(idle, workers), lanes, stop
    for _ in range(workers):
        executor.submit(os.getpid)
    try:
        with threadpool_limits(1):
            yield executor
    finally:
        processes = list((getattr(executor, "_processes", None) or {}).values())
        manager = getattr(executor, "_executor_manager_thread", None)
        results = getattr(executor, "_result_queue", None)
        _abandon_queued(executor)
        executor.shutdown(wait=False, cancel_futures=True)
        _await_cancelled_dropped(executor, manager)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=STOP_SECONDS)
        _join_manager(manager)
        _end_cut_result(manager, results)


@contextlib.contextmanager
def publish(shared: Shared):
    """``shared`` pickled once to a temporary file, for the workers: yields its
    :class:`RunFile`; the file is removed when the block ends."""
    descriptor, path = tempfile.mkstemp(prefix="regions-run-", suffix=".pickle")
    try:
        with os.fdopen(descriptor, "wb") as file:
            pickle.dump(shared, file, protocol=pickle.HIGHEST_PROTOCOL)
        yield RunFile(uuid.uuid4().hex, path)
    finally:
        os.unlink(path)


def shared_part(source: Shared | RunFile) -> Shared:
    """A task's :class:`Shared`: ``source`` itself, or read from its :class:`RunFile` once
    per run and worker (kept for the run's later tasks). Raises :class:`RunUnreachable` if
    the file cannot be read."""
    global _last_run
    if isinstance(source, Shared):
        learn_bounds(source.bounds)
        return source
    key, shared = _last_run
    if key != source.key:
        try:
            with open(source.path, "rb") as file:
                shared = pickle.load(file)
        except OSError as exc:
            raise RunUnreachable(f"{source.path}: {exc.strerror or exc}") from None
        learn_bounds(shared.bounds)
        _last_run = (source.key, shared)
    return shared


def task_engine(source: Shared | RunFile, shared: Shared):
    """The engine of a task whose run is ``shared``: where the run comes from its file
    (``source``, a :class:`RunFile`), the one this thread built at its first task of the
    run, reset (:meth:`regions.engines.base.Engine.reset`); a new one for a run that
    travels with its task."""
    if isinstance(source, Shared):
        return shared.engine(shared.network, shared.domain, shared.settings)
    key, engine = getattr(_engines, "run", (None, None))
    if key == source.key:
        engine.reset()
        return engine
    _engines.run = (None, None)     # the last run's engine goes before this one is built
    engine = shared.engine(shared.network, shared.domain, shared.settings)
    _engines.run = (source.key, engine)
    return engine


def _abandon_queued(executor) -> None:
    """Let ``executor``'s manager thread end without sending the tasks still queued for its
    workers. Its queue's feeder thread may be blocked writing a task to a full pipe that no
    worker will read (they are terminated) while another process forked meanwhile (another
    pool's worker) keeps the pipe open; the manager thread would wait for the feeder
    forever, and the interpreter, which joins manager threads at exit, would hang."""
    queue = getattr(executor, "_call_queue", None)
    if queue is not None:
        queue.cancel_join_thread()


def _await_cancelled_dropped(executor, manager) -> None:
    """Wait (at most ``STOP_SECONDS``) until the manager thread of ``executor``, closed
    by ``shutdown(cancel_futures=True)``, has dropped its cancelled tasks. A worker
    terminated before that makes the thread mark every task it holds as broken, and on a
    cancelled task Python 3.11's thread fails (``InvalidStateError: CANCELLED``, a
    traceback on stderr after a stopped parallel run). It takes the thread one wake-up."""
    deadline = time.monotonic() + STOP_SECONDS
    while (manager is not None and manager.is_alive()
           and getattr(executor, "_cancel_pending_futures", False)
           and time.monotonic() < deadline):
        time.sleep(0.001)


def _join_manager(manager) -> None:
    """Wait (at most ``STOP_SECONDS``) for a closed pool's manager thread, which holds the
    pool's queues once ``shutdown`` dropped them: they are released (their named semaphores
    unlinked) before the pool's block ends, not at the interpreter's exit, which a process
    killed meanwhile never reaches (the resource tracker then warns of 5 leaked
    semaphores)."""
    if manager is not None:
        manager.join(timeout=STOP_SECONDS)


def _end_cut_result(manager, results) -> None:
    """A closed pool's manager thread still running after :func:`_join_manager` waits for
    the rest of a result that a worker stopped in the middle of sending (the interpreter,
    which joins it at exit, would hang): close this process's end for writing of the
    result pipe ``results``, so that the thread reads the pipe's end instead, and wait for
    it again. (Processes forked while the pool was open hold that end too, and keep it
    open.)"""
    if manager is not None and manager.is_alive() and results is not None:
        results._writer.close()
        manager.join(timeout=STOP_SECONDS)


@overflow_expected
def run_task(task: Task) -> Outcome:
    """Enumerate (or count) the subtrees of ``task.cells``, in order, for at most
    ``task.slice_seconds`` (runs on a worker); the cells left come back cut into parts,
    packed (:class:`Outcome`). On a :func:`process_pool` whose run stopped (its ``stop``
    flag), it returns at once with the cells it left."""
    remaining = None if task.deadline is None else task.deadline - time.time()
    if _stop is not None and _stop.is_set():
        return Outcome([], 0, None, None, leftover=[task.cells])
    if remaining is not None and remaining <= 0:
        return Outcome([], 0, None, "time_limit", leftover=[task.cells])
    shared = shared_part(task.shared)
    engine = task_engine(task.shared, shared)
    cells = unpack_tuples(task.cells)
    for cell in reversed(cells):
        engine.push(engine.cell_type(*cell))
    records: list = []
    tally = (Tally(engine, shared.settings.thin_radius, shared.network.pattern_length)
             if task.count_only else None)
    slice_seconds, wanted = task.slice_seconds, None
    if _idle is not None and slice_seconds is not None:
        slice_seconds, wanted = DEMAND_SECONDS, _idle.is_set
    stop = None if _stop is None else _stop.is_set
    first_cells = _first_cells_given(cells)
    reason, _ = drive(engine, records, max_regions=task.max_regions, time_limit=remaining,
                      sink=_reporting(task.lane, engine, records, tally, first_cells),
                      slice_seconds=slice_seconds, wanted=wanted, stop=stop)
    if reason == "slice":
        reason = None
    left = [engine.pop() for _ in range(engine.pending)]
    leftover = [pack_tuples(part, distinct=True)
                for part in batches(left, LEFTOVER_TASKS, len(shared.network.layers))]
    if tally is None:
        return Outcome(records, engine.count(records), engine.counters(), reason,
                       leftover=leftover)
    return Outcome([], tally.count, engine.counters(), reason, tally.thin_patterns, leftover)


#: A task's clock for its reports (the tests drive the calling process's ``time``).
_task_clock = time.perf_counter


def _first_cells_given(cells: list) -> int | None:
    """The first-layer cells among a task's ``cells``, when none is deeper (then the task
    finishes whole subtrees of first-layer cells: those given and those its cones make);
    None when some are."""
    layers = [cell[0] for cell in cells]
    return None if any(layer > 1 for layer in layers) else layers.count(1)


def _reporting(lane: int, engine, records: list, tally, first_cells: int | None):
    """A task's :func:`drive` sink: ``tally`` (a count), else ``records`` extended, each
    keeping the task's count of regions so far in its lane of :class:`Lanes` (when it has
    one), and, at most every ``REPORT_SECONDS``, the first-layer cells whose subtrees it
    finished: of the ``first_cells`` given and those it made, the ones its stack holds
    neither nor a descendant of (depth-first: one at a time has descendants there); not
    when it was given deeper cells (``first_cells`` None). None (``drive`` extends
    ``records``) without a lane or a tally."""
    if _lanes is None or lane < 0:
        return tally
    found, reported = [0], [_task_clock()]

    def sink(new: list) -> None:
        if tally is None:
            records.extend(new)
            found[0] += engine.count(new)
        else:
            tally(new)
            found[0] = tally.count
        finished = None
        if first_cells is not None and _task_clock() - reported[0] >= REPORT_SECONDS:
            waiting = engine.layer_counts()
            made = engine.counters().per_layer[0]
            finished = max(
                first_cells_finished(first_cells + made, waiting, int(waiting[2:].any())), 0)
            reported[0] = _task_clock()
        Lanes.write(_lanes, lane, found[0], finished)
    return sink


def expand(engine, cell: tuple) -> list:
    """Process one cell (not of the last layer's output: it finishes no region) in the
    calling process: its children in depth-first order."""
    engine.push(cell)
    engine.run(1, UNLIMITED)
    return [engine.pop() for _ in range(engine.pending)]


def frontier(engine, roots: list, size: int, layers: int) -> list:
    """The first cells expanded, shallowest cell first, until at least ``size`` cells
    remain or every cell is one of the last layer's output (a region to record, which
    ``layers`` layers make), in depth-first order."""
    cells = list(roots)
    while len(cells) < size:
        index = min(range(len(cells)), key=lambda i: cells[i].layer, default=None)
        if index is None or cells[index].layer >= layers:
            return cells
        cells[index:index + 1] = expand(engine, cells[index])
    return cells


def batches(cells: list, count: int, layers: int) -> list:
    """Cells (depth-first order) cut into about ``count`` runs of consecutive cells, tasks
    of about equal work. The work of a cell with ``k`` of the ``layers`` layers left is
    guessed as :data:`BRANCHING` ``** k``, so a shallow cell (the rest of a wide layer's
    split, say) gets a task of its own, while the hundreds of cells a wide layer gives
    share one (a task per cell would cost more to start than to run)."""
    work = [guessed_work([cell], layers) for cell in cells]
    share = sum(work) / max(count, 1)
    grouped: list = []
    before, batch = 0.0, -1
    for cell, weight in zip(cells, work):
        index = min(int((before + weight / 2) / share), count - 1)
        before += weight
        if index == batch:
            grouped[-1].append(cell)
        else:
            grouped.append([cell])
        batch = index
    return grouped


def guessed_work(cells: list, layers: int) -> float:
    """The work of ``cells`` as :func:`batches` guesses it."""
    return sum(float(BRANCHING) ** (layers - cell.layer) for cell in cells)


def _sending_order(slots: list, layers: int, count_only: bool) -> list:
    """The order in which the frontier's tasks (``slots``) are submitted: for a count, the
    most work guessed (:func:`guessed_work`) first, so that a big subtree (a cone not split
    yet) does not start last and leave one worker alone with it, its cells handed back
    at the end; an enumeration's in depth-first order, so that its regions found make the
    longest prefix of the serial order (``max_regions``, a time limit)."""
    if not count_only:
        return slots
    return sorted(slots, key=lambda slot: -guessed_work(slot.cells, layers))


@dataclass
class Slot:
    """A place in the depth-first order: consecutive cells, waiting or running as a task,
    and once their task returned, its :class:`Outcome`; ``packed``: the cells packed, when
    they came so (a part of a task's cells left)."""

    cells: list
    packed: dict | None = None
    outcome: Outcome | None = None


def run_on(executor: concurrent.futures.Executor, engine, network: Network, scaled: Domain,
           settings: Settings, progress, max_regions, time_limit, memory_limit,
           roots: list, count_only: bool = False, checkpoint=None,
           checkpoint_every: float = CHECKPOINT_SECONDS,
           seconds_before: float = 0.0) -> ParallelRun:
    """Enumerate (or, ``count_only``, count) with ``engine`` on ``executor``, from ``roots``
    (depth-first order: the engine's roots, or a resumed count's cells). ``checkpoint``, if
    given, is called as ``checkpoint(cells, counters, thin_patterns, seconds)`` every
    ``checkpoint_every`` seconds and at the end: the cells not finished (depth-first order,
    a running task's cells among them) and what the returned tasks counted (a count only).
    ``seconds_before``: time spent by earlier runs of a resumed count.

    The network, domain and settings reach each worker once, through a file
    (:func:`publish`); where a worker cannot read it, every later task carries them, which
    is said on stderr and in the result's ``notes``."""
    shared = Shared(type(engine), network, scaled, settings, known_bounds())
    with publish(shared) as run_file:
        return _run(executor, engine, shared, run_file, progress, max_regions, time_limit,
                    memory_limit, roots, count_only, checkpoint, checkpoint_every,
                    seconds_before)


def _run(executor, engine, shared: Shared, run_file: RunFile, progress, max_regions,
         time_limit, memory_limit, roots: list, count_only: bool, checkpoint,
         checkpoint_every: float, seconds_before: float) -> ParallelRun:
    """:func:`run_on`, its :class:`Shared` published as ``run_file``."""
    started = time.perf_counter()
    network = shared.network
    source, notes = [run_file], []

    def elapsed() -> float:
        return seconds_before + time.perf_counter() - started

    base = engine.counters().regions      # a resumed count's regions
    layers = len(network.layers)
    deadline = None if time_limit is None else time.time() + time_limit - elapsed()
    slots: list = []
    futures: dict = {}
    demand, stop = getattr(executor, "demand", None), getattr(executor, "stop", None)
    if stop is not None:
        stop.clear()
    lanes, lane_of = getattr(executor, "lanes", None), {}
    if lanes is not None:
        lanes.reset()

    def submit(slot: Slot) -> None:
        cells = pack_tuples(slot.cells, distinct=True) if slot.packed is None else slot.packed
        lane = -1 if lanes is None else lanes.take()
        task = Task(source[0], cells, max_regions, deadline, count_only, SLICE_SECONDS, lane)
        future = executor.submit(run_task, task)
        futures[future], lane_of[future] = slot, lane

    def carry(error: RunUnreachable) -> None:
        """From now on every task carries the run's :class:`Shared` (said once)."""
        if source[0] is shared:
            return
        source[0] = shared
        notes.append(f"a worker cannot read the run's file ({error}): the network, domain "
                     "and settings travel with every task (slower)")
        print(f"regions: {notes[-1]}", file=sys.stderr, flush=True)

    def receive(future, share: bool) -> None:
        """Store a returned task's outcome; a sliced task's cells left become new tasks
        right after it in the depth-first order: the parts the worker cut them into, sent on
        as they came (before this process unpacks them: an idle worker waits for them),
        when few tasks are left, else one task. A task whose worker could not read the
        run's file is sent again, carrying the run."""
        slot = futures.pop(future)
        if lanes is not None:
            lanes.give_back(lane_of.pop(future))
        if isinstance(future.exception(), RunUnreachable):
            carry(future.exception())
            if share:
                submit(slot)
            return
        slot.outcome = outcome = future.result()
        if not (share and outcome.leftover and outcome.stop_reason is None):
            _received(engine, outcome)
            return
        at = next(i for i, other in enumerate(slots) if other is slot)
        if len(futures) < 2 * LEFTOVER_TASKS:
            shares = [Slot([], part) for part in outcome.leftover]
            for share_slot in shares:
                submit(share_slot)
            for share_slot, cells in zip(shares, _received(engine, outcome)):
                share_slot.cells = cells
        else:
            _received(engine, outcome)
            shares = [Slot(outcome.leftover)]
            submit(shares[0])
        outcome.leftover = []
        slots[at + 1:at + 1] = shares

    if len(roots) > 1:      # a worker starts on the first root while the frontier grows
        slots.append(Slot(roots[:1]))
        submit(slots[-1])
    grown = [Slot(cells) for cells in batches(
        frontier(engine, roots[len(slots):], FRONTIER_CELLS, layers), MAX_TASKS, layers)]
    slots += grown
    for slot in _sending_order(grown, layers, count_only):
        submit(slot)
    tally = _tally_all if count_only else _prefix
    save = None if checkpoint is None else (
        lambda: checkpoint(*_state(engine, slots, base, network.pattern_length), elapsed()))
    reason, last_save = None, time.perf_counter()
    try:
        with Interrupt() as interrupt:
            while True:
                for future in [f for f in futures if f.done()]:
                    receive(future, share=True)
                if demand is not None:
                    demand.update(len(futures))
                found = base + tally(slots)
                running = 0 if lanes is None else lanes.running()
                if (max_regions is not None and found >= max_regions) or not futures:
                    break
                if count_only and max_regions is not None and found + running >= max_regions:
                    reason = "max_regions"      # reached inside running tasks
                    break
                reason = budget_exhausted(interrupt, found, elapsed(), True, None, time_limit,
                                          memory_limit)
                if reason:
                    break
                if progress is not None:
                    progress(found + running, _top_layer(slots), len(futures), elapsed(),
                             _explored(engine, slots, network,
                                       0 if lanes is None else lanes.finished()))
                if save is not None and time.perf_counter() - last_save >= checkpoint_every:
                    save()
                    last_save = time.perf_counter()
                concurrent.futures.wait(list(futures), timeout=POLL_SECONDS,
                                        return_when=concurrent.futures.FIRST_COMPLETED)
    finally:
        for future in futures:
            future.cancel()
    # the running tasks stop at the same deadline, and a pool's return at once when told
    # to (its stop flag): keep what they found (other executors' tasks are not waited for
    # on other stops, and their cells stay unfinished); a cancelled task is never done
    started_tasks = [future for future in futures if not future.cancelled()]
    if stop is not None and started_tasks:
        stop.set()
    waiting = STOP_SECONDS if reason is not None and (
        stop is not None or reason in ("interrupted", "time_limit")) else 0.0
    done, _ = concurrent.futures.wait(started_tasks, timeout=waiting)
    for future in done:
        if not future.cancelled() and future.exception() is None:
            receive(future, share=False)
    if save is not None:
        save()
    if count_only:
        counted = _assemble_count(engine, slots, base, reason, elapsed(),
                                  network.pattern_length)
    else:
        counted = _assemble(engine, slots, max_regions, reason, elapsed(),
                            lambda cells, room: _rerun(engine, shared, cells, room))
    counted.notes = notes
    return counted


def _received(engine, outcome: Outcome) -> list:
    """A returned outcome's parts of cells left, each unpacked into ``engine``'s cells; the
    outcome keeps them all, in order."""
    parts = [[engine.cell_type(*cell) for cell in unpack_tuples(part)]
             for part in outcome.leftover]
    outcome.leftover = [cell for part in parts for cell in part]
    return parts


def _rerun(engine, shared: Shared, cells: list, room: int) -> Outcome:
    """The subtrees of ``cells`` in the calling process, up to ``room`` regions."""
    outcome = run_task(Task(shared, pack_tuples(cells), room, None))
    _received(engine, outcome)
    return outcome


def _top_layer(slots: list) -> int:
    """The layer of the first cell whose task has not returned (-1: none)."""
    for slot in slots:
        if slot.outcome is None and slot.cells:
            return slot.cells[0].layer
    return -1


def _explored(engine, slots: list, network: Network, running: int = 0) -> float | None:
    """The share of the first layer's cells whose subtrees are finished: those made by the
    calling process and the returned tasks, less those waiting (a running task's cells
    among them) and those a deeper waiting cell descends from (told apart by their layer-0
    states), over all of them (:func:`regions.engines.driver.explored`), plus the
    ``running`` ones the running tasks finished (:class:`Lanes`: a task runs to its end
    while no worker is idle, minutes on a long run). While cells of layer 0 wait (the
    vertex engine's first cones on all of R^n, not all split yet), the total is not known
    yet: over :func:`first_layer_cells` instead, a bound that general position meets."""
    made = engine.counters().per_layer[0] + sum(
        slot.outcome.counters.per_layer[0] for slot in slots
        if slot.outcome is not None and slot.outcome.counters is not None)
    waiting = np.zeros(len(network.layers) + 1, np.int64)
    first = network.pattern_slices()[0]
    under_way = set()
    for slot in slots:
        for cell in _left(slot):
            waiting[cell.layer] += 1
            if cell.layer >= 2:
                under_way.add(np.asarray(cell.pattern)[first].tobytes())
    share = explored(made, waiting, len(under_way))
    if share is not None:
        return min(share + running / made, 1.0)
    cones = getattr(engine, "cones", None)
    if not isinstance(cones, Cones) or cones.layer != 0:
        return None
    finished = first_cells_finished(made, waiting, len(under_way)) + running
    return min(max(finished / first_layer_cells(network, cones), 0.0), 1.0)


def first_layer_cells(network: Network, cones: Cones) -> int:
    """At most the cells of the cones' layer on the working space: its ``n`` neurons'
    hyperplanes in ``R^r`` (``r``: the cones' walls, the layer's rank), a neuron's ``k``
    breakpoints parallel, cut it into at most ``sum_{i <= r} C(n, i) k^i`` regions (one per
    set of independent hyperplanes that meet, Zaslavsky: exactly that many in general
    position, where it is ``sum_{i <= r} C(n, i)`` for ReLUs).

    Examples
    --------
    >>> import regions
    >>> from regions.engines.vertex import VertexEngine
    >>> from regions.random_networks import random_network
    >>> net = random_network([2, 8, 1], seed=0)
    >>> first_layer_cells(net, VertexEngine(net, regions.whole_space().resolve(2)).cones)
    37
    """
    r, layer = len(cones.labels), network.layers[cones.layer]
    k = len(layer.breakpoints)
    return sum(math.comb(layer.width, i) * k ** i for i in range(r + 1))


def _prefix(slots: list) -> int:
    """The regions in the longest prefix of complete outcomes, counting also the regions
    of the first incomplete one that has returned."""
    found = 0
    for slot in slots:
        if slot.outcome is None:
            break
        found += slot.outcome.count
        if not slot.outcome.complete:
            break
    return found


def _tally_all(slots: list) -> int:
    """The regions of every outcome returned so far (a count keeps them all)."""
    return sum(slot.outcome.count for slot in slots if slot.outcome is not None)


def _left(slot: Slot) -> list:
    """The cells of a slot not finished: all of them until its task returned."""
    return slot.cells if slot.outcome is None else slot.outcome.leftover


def _state(engine, slots: list, base: int, pattern_length: int):
    """``(cells, counters, thin patterns)`` of a count in progress: the cells not finished
    in depth-first order, and what the returned tasks and the calling process counted
    (``base``: the regions of the runs it resumes)."""
    counters = engine.counters()
    thin = [np.zeros((0, pattern_length), np.int8)]
    cells, found = [], base
    for slot in slots:
        cells += _left(slot)
        outcome = slot.outcome
        if outcome is None:
            continue
        if outcome.counters is not None:
            counters.merge(outcome.counters)
        if outcome.thin_patterns is not None:
            thin.append(outcome.thin_patterns)
        found += outcome.count
    counters.regions = found
    return cells, counters, np.concatenate(thin)


def _assemble(engine, slots: list, max_regions, reason, seconds, rerun) -> ParallelRun:
    """Concatenate the outcomes in order, cut after the first incomplete one or once
    ``max_regions`` are found; the outcome in which they are reached is replaced by
    ``rerun(its cells, the regions still wanted)``, so that the regions and the counters
    are those of the serial run's first ``max_regions`` regions."""
    counters = engine.counters()
    records, found, left, stop_reason = [], 0, [], None
    for slot in slots:
        outcome = slot.outcome
        if stop_reason is not None or outcome is None:
            left += slot.cells
            stop_reason = stop_reason or reason
            continue
        if max_regions is not None and found + outcome.count > max_regions:
            outcome = rerun(slot.cells, max_regions - found)
        if outcome.counters is not None:      # None: a task that returned at once
            counters.merge(outcome.counters)
        records += outcome.records
        found += outcome.count
        left += outcome.leftover
        if max_regions is not None and found >= max_regions:
            stop_reason = "max_regions"
        elif not outcome.complete:
            stop_reason = outcome.stop_reason or reason
    counters.regions = found
    return ParallelRun(records, counters, stop_reason if left else None, left, seconds)


def _assemble_count(engine, slots: list, base: int, reason, seconds,
                    pattern_length: int) -> ParallelRun:
    """Every returned outcome added to ``base`` (a resumed count's regions), as in a
    checkpoint (:func:`_state`); the cells of the tasks that did not return, and those a
    stopped one left, are unfinished."""
    cells, counters, thin = _state(engine, slots, base, pattern_length)
    stopped = [slot.outcome.stop_reason for slot in slots
               if slot.outcome is not None and slot.outcome.stop_reason is not None]
    # the run stopped itself (reason), a task did, or the caller stopped waiting once
    # max_regions were found
    stop_reason = (reason or (stopped[0] if stopped else "max_regions")) if cells else None
    return ParallelRun([], counters, stop_reason, cells, seconds, thin)
