"""Executors: region subtrees on thread pools, process pools and a dask cluster.

Budgets and Ctrl-C are tested without timing assumptions: an inline executor
decides which tasks have run, fake clocks decide when a limit passes.

The serial run is the reference, region for region (patterns, order,
witnesses, margins, H-representations); the serial count itself is checked
against brute force over activation patterns, an independent oracle.
"""

import concurrent.futures
import itertools
import json
import os
import signal
import subprocess
import sys
import time
import types

import numpy as np
import pytest

import regions
from regions import packing
from regions.engines import driver, parallel
from regions.io import checkpoint as checkpoints
from regions.packing import pack_tuples, unpack_tuples
from regions.engines.split import SplitEngine
from regions.engines.vertex import VertexEngine
from regions.cli import main
from regions.random_networks import random_network

import oracles
from runs import InlineExecutor, is_prefix

BOX = regions.box(-1, 1)
# Small enough for brute force, big enough that the frontier holds many tasks.
SMALL = oracles.random_net([2, 6, 6, 1], ["relu", "hardtanh", "identity"], seed=1)
NET = random_network([2, 12, 12, 12, 1], seed=3)
NETS = {"vertex": NET, "split": random_network([2, 8, 8, 8, 1], seed=3)}
DOMAINS = {"box": BOX, "whole": regions.whole_space()}


@pytest.fixture(scope="module")
def serial():
    """``serial(method, domain="box")``: the serial enumeration of ``NETS[method]`` on
    ``DOMAINS[domain]``, the reference of the parallel runs: computed once per module, before
    any test patches a clock or a chunk size."""
    runs = {(method, domain): regions.enumerate_regions(NETS[method], DOMAINS[domain],
                                                        method=method)
            for method in NETS for domain in DOMAINS}
    return lambda method, domain="box": runs[method, domain]


def same_regions(serial, other):
    assert np.array_equal(serial.patterns, other.patterns)
    assert np.array_equal(serial.witnesses, other.witnesses)
    assert np.array_equal(serial.margins, other.margins)
    for i in (0, len(serial) // 2, len(serial) - 1):
        assert np.array_equal(serial[i].A, other[i].A) and np.array_equal(serial[i].b, other[i].b)
        assert np.array_equal(serial[i].C, other[i].C) and np.array_equal(serial[i].d, other[i].d)


@pytest.fixture(scope="module", params=["thread", "process"])
def executor(request):
    pool = (concurrent.futures.ThreadPoolExecutor if request.param == "thread"
            else concurrent.futures.ProcessPoolExecutor)
    with pool(2) as executor:
        yield executor


@pytest.mark.parametrize("method,domain", [("split", "box"), ("vertex", "box"),
                                           ("vertex", "whole")])
def test_small_network_matches_brute_force_on_any_executor(executor, method, domain):
    domain, sl = {"box": (BOX, oracles.box_slice([-1, -1], [1, 1])),
                  "whole": (regions.whole_space(), oracles.whole_slice(2))}[domain]
    brute = oracles.unambiguous(oracles.brute_force_patterns, SMALL, sl)
    serial = regions.enumerate_regions(SMALL, domain, method=method)
    assert oracles.pattern_set(serial) == brute
    same_regions(serial, regions.enumerate_regions(SMALL, domain, method=method, executor=executor))


@pytest.mark.parametrize("method,domain", [("split", "box"), ("vertex", "box"),
                                           ("split", "whole"), ("vertex", "whole")])
def test_executor_gives_the_serial_result(serial, executor, method, domain):
    reference = serial(method, domain)
    other = regions.enumerate_regions(NETS[method], DOMAINS[domain], method=method,
                                      executor=executor)
    same_regions(reference, other)
    assert other.complete and other.unfinished == 0
    assert (other.lps, other.per_layer, other.thin.tolist()) == (
        reference.lps, reference.per_layer, reference.thin.tolist())


@pytest.mark.parametrize("cells", [1, 3, 500])
def test_frontier_size_does_not_change_the_result(serial, monkeypatch, executor, cells):
    monkeypatch.setattr(parallel, "FRONTIER_CELLS", cells)
    same_regions(serial("vertex"),
                 regions.enumerate_regions(NET, BOX, method="vertex", executor=executor))


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_max_regions_on_an_executor_is_the_serial_prefix(executor, method):
    serial = regions.enumerate_regions(NETS[method], BOX, method=method, max_regions=37)
    other = regions.enumerate_regions(NETS[method], BOX, method=method, max_regions=37,
                              executor=executor)
    assert len(other) == 37 and other.stop_reason == "max_regions" and other.unfinished > 0
    same_regions(serial, other)


class Readings:
    """A fake clock: one second per reading, from 0."""

    def __init__(self):
        self.count = 0

    def __call__(self) -> float:
        self.count += 1
        return float(self.count - 1)


class TimedExecutor(InlineExecutor):
    """``InlineExecutor`` noting the ``clock``'s readings before and after each task."""

    def __init__(self, clock: Readings):
        super().__init__()
        self.clock, self.spans = clock, []

    def submit(self, fn, /, *args, **kwargs):
        before = self.clock.count
        future = super().submit(fn, *args, **kwargs)
        self.spans.append((before, self.clock.count))
        return future


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_time_limit_inside_the_tasks_stops_at_a_prefix(serial, monkeypatch, method):
    """One fake clock, one second per reading, for the caller's deadline and the tasks'
    drivers; the task during which the limit passes stops mid-subtree, later ones at once.
    The limit falls half way through the middle task of the same run without a limit
    (the readings are the same up to it), however many readings the engines take."""
    clock = Readings()
    for module in (parallel, driver):
        monkeypatch.setattr(module, "time", types.SimpleNamespace(perf_counter=clock,
                                                                  time=clock))
    monkeypatch.setattr(VertexEngine, "chunk", 4)
    monkeypatch.setattr(SplitEngine, "chunk", 1)
    monkeypatch.setattr(parallel, "FRONTIER_CELLS", 4)       # fewer, bigger tasks
    monkeypatch.setattr(parallel, "SLICE_SECONDS", None)     # each task runs to its end
    timed = TimedExecutor(clock)
    assert regions.enumerate_regions(NETS[method], BOX, method=method, executor=timed).complete
    first, last = timed.spans[len(timed.spans) // 2]
    clock.count = 0
    executor = InlineExecutor()
    other = regions.enumerate_regions(NETS[method], BOX, method=method,
                                      time_limit=(first + last) // 2, executor=executor)
    reference = serial(method)
    assert other.stop_reason == "time_limit" and not other.complete and other.unfinished > 0
    assert 0 < len(other) < len(reference) and is_prefix(other, reference)
    stopped = [f.result().stop_reason for f in executor.submitted]
    first = stopped.index("time_limit")
    assert 0 < first < len(stopped) - 1 and set(stopped[first:]) == {"time_limit"}
    assert executor.submitted[first].result().count > 0       # stopped mid-subtree
    assert all(f.result().count == 0 for f in executor.submitted[first + 1:])


def test_the_first_root_runs_while_the_frontier_grows(serial, monkeypatch):
    """On all of R^2 (the vertex engine's 4 cones) the first cone is a task of its own,
    submitted before the frontier grows from the other 3; the regions are the serial
    run's."""
    executor, grown = InlineExecutor(), []
    frontier = parallel.frontier

    def watched(engine, roots, size, layers):
        grown.append((len(executor.submitted), len(roots)))
        return frontier(engine, roots, size, layers)
    monkeypatch.setattr(parallel, "frontier", watched)
    other = regions.enumerate_regions(NETS["vertex"], DOMAINS["whole"], method="vertex",
                                      executor=executor)
    same_regions(serial("vertex", "whole"), other)
    assert grown == [(1, 3)]
    assert int(executor.submitted[0].result().counters.per_layer[0]) > 0


class SentCells(InlineExecutor):
    """An :class:`InlineExecutor` that keeps the layers of every task's cells, in the
    order the tasks were submitted."""

    def __init__(self):
        super().__init__()
        self.layers = []

    def submit(self, fn, /, *args, **kwargs):
        self.layers.append([cell[0] for cell in unpack_tuples(args[0].cells)])
        return super().submit(fn, *args, **kwargs)


def test_a_count_sends_the_most_work_guessed_first(serial):
    """On all of R^2 an enumeration sends the frontier's tasks in depth-first order, a
    count the same tasks most work guessed first (the cones not split yet, layer 0, before
    the split cone's first-layer cells); both give the serial count."""
    layers, reference, sent = len(NET.layers), serial("vertex", "whole"), {}
    for count_only in (False, True):
        executor = SentCells()
        run = (regions.count_regions if count_only else regions.enumerate_regions)(
            NET, DOMAINS["whole"], method="vertex", executor=executor)
        assert (run.regions if count_only else len(run)) == len(reference)
        sent[count_only] = executor.layers[1:]      # the first: the first cone, at once

    def work(task):
        return sum(float(parallel.BRANCHING) ** (layers - layer) for layer in task)
    assert sent[True] == sorted(sent[False], key=lambda task: -work(task)) != sent[False]


def sliced_after_every_chunk(monkeypatch):
    """A fake clock for the tasks' drivers, one second per reading: every task's time slice
    ends after its first chunk of cells."""
    ticks = itertools.count()
    monkeypatch.setattr(driver, "time", types.SimpleNamespace(
        perf_counter=lambda: float(next(ticks)), time=lambda: float(next(ticks))))
    monkeypatch.setattr(VertexEngine, "chunk", 4)


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_sliced_tasks_hand_their_cells_on_in_the_serial_order(serial, monkeypatch, method):
    """Every task returns after one chunk with the cells left on its stack, which run as new
    tasks right after it: many more tasks than the frontier made, and the serial result,
    region for region (itself checked against brute force above)."""
    sliced_after_every_chunk(monkeypatch)
    monkeypatch.setattr(parallel, "FRONTIER_CELLS", 4)
    executor = InlineExecutor()
    other = regions.enumerate_regions(NETS[method], BOX, method=method, executor=executor)
    reference = serial(method)
    same_regions(reference, other)
    assert other.complete and (other.lps, other.per_layer) == (reference.lps, reference.per_layer)
    assert len(executor.submitted) > 4 * parallel.LEFTOVER_TASKS
    counted = regions.count_regions(NETS[method], BOX, method=method, executor=InlineExecutor())
    assert (counted.regions, counted.per_layer) == (len(reference), reference.per_layer)


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_stopped_among_sliced_tasks_on_a_real_pool(serial, monkeypatch, tmp_path, method):
    """Threads, every task sliced after one chunk, and the caller's clock past the limit at
    its fourth look: whichever tasks had returned (a race, on purpose), the partition is a
    prefix of the serial one, and the count's checkpoint resumes to the serial count."""
    sliced_after_every_chunk(monkeypatch)
    looks = itertools.count()
    monkeypatch.setattr(parallel, "time", types.SimpleNamespace(
        perf_counter=lambda: 1e6 if next(looks) > 8 else 0.0, time=time.time))
    monkeypatch.setattr(parallel, "POLL_SECONDS", 0.01)
    reference = serial(method)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        other = regions.enumerate_regions(NETS[method], BOX, method=method, time_limit=3600,
                                          executor=pool)
        looks = itertools.count()
        path = tmp_path / "count.npz"
        counted = regions.count_regions(NETS[method], BOX, method=method, time_limit=3600,
                                        executor=pool, checkpoint=path)
    assert other.stop_reason == "time_limit" and is_prefix(other, reference)
    assert counted.stop_reason == "time_limit" and counted.regions < len(reference)
    monkeypatch.undo()
    resumed = regions.count_regions(NETS[method], BOX, resume=path)
    assert (resumed.regions, resumed.per_layer) == (len(reference), reference.per_layer)


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_time_limit_while_tasks_wait_cancels_them(serial, monkeypatch, method):
    """Five tasks finish; the clock then jumps past the limit while the others wait: they are
    cancelled, never run, and the result is the serial prefix the five tasks found."""
    executor = InlineExecutor(ready=5)
    monkeypatch.setattr(parallel, "time", types.SimpleNamespace(
        perf_counter=lambda: 1e6 if executor.held else 0.0, time=time.time))
    monkeypatch.setattr(parallel, "POLL_SECONDS", 0.01)
    other = regions.enumerate_regions(NETS[method], BOX, method=method, time_limit=3600,
                              executor=executor)
    assert other.stop_reason == "time_limit" and not other.complete and other.unfinished > 0
    assert executor.held and all(future.cancelled() for future in executor.held)
    done = sum(future.result().count for future in executor.submitted[:5])
    assert done <= len(other) < len(serial(method)) and is_prefix(other, serial(method))


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_ctrl_c_while_tasks_wait_cancels_them(serial, monkeypatch, method):
    """A real SIGINT, raised in this process at the caller's first budget check."""
    original = parallel.budget_exhausted

    def budget_exhausted(*args):
        signal.raise_signal(signal.SIGINT)
        return original(*args)

    monkeypatch.setattr(parallel, "budget_exhausted", budget_exhausted)
    monkeypatch.setattr(parallel, "POLL_SECONDS", 0.01)
    handler = signal.getsignal(signal.SIGINT)
    executor = InlineExecutor(ready=5)
    other = regions.enumerate_regions(NETS[method], BOX, method=method, executor=executor)
    assert other.stop_reason == "interrupted" and other.unfinished > 0
    assert executor.held and all(future.cancelled() for future in executor.held)
    assert 0 < len(other) < len(serial(method)) and is_prefix(other, serial(method))
    assert signal.getsignal(signal.SIGINT) is handler


def test_expired_deadline_on_real_pools_returns_a_prefix(serial, executor, monkeypatch):
    """Thread and process pools: the caller's clock says the whole time limit went into
    expanding the frontier, so every task finds its (wall-clock) deadline past and returns
    at once; the result is the regions finished before the first task, a serial prefix."""
    readings = itertools.count()
    monkeypatch.setattr(parallel, "time", types.SimpleNamespace(
        perf_counter=lambda: 0.0 if next(readings) == 0 else 1e6, time=time.time))
    other = regions.enumerate_regions(NETS["split"], BOX, method="split", time_limit=3600,
                              executor=executor)
    assert other.stop_reason == "time_limit" and not other.complete and other.unfinished > 0
    assert is_prefix(other, serial("split"))


@pytest.mark.parametrize("method,domain", [("split", BOX), ("vertex", BOX),
                                           ("vertex", regions.whole_space())])
def test_a_parallel_count_returns_counts_only(method, domain):
    """A count's tasks send back no region, only their counts and thin patterns: the same
    count, per-layer counts and thin patterns as the serial run (itself checked against
    brute force above)."""
    serial = regions.count_regions(NETS[method], domain, method=method)
    thin = regions.enumerate_regions(NETS[method], domain, method=method, min_radius=1e-2)
    executor = InlineExecutor()
    other = regions.count_regions(NETS[method], domain, method=method, executor=executor,
                                  min_radius=1e-2)
    assert len(executor.submitted) > 1
    assert all(future.result().records == [] for future in executor.submitted)
    assert (other.regions, other.per_layer, other.complete) == (serial.regions,
                                                                 serial.per_layer, True)
    assert np.array_equal(other.thin_patterns, thin.patterns[thin.thin]) and other.thin > 0


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_a_stopped_parallel_count_keeps_every_finished_task(serial, monkeypatch, method):
    """Five tasks finish, then the clock jumps past the limit: the count is theirs (and the
    frontier's regions), whatever their order, and the other tasks' cells are unfinished."""
    executor = InlineExecutor(ready=5)
    monkeypatch.setattr(parallel, "time", types.SimpleNamespace(
        perf_counter=lambda: 1e6 if executor.held else 0.0, time=time.time))
    monkeypatch.setattr(parallel, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(parallel, "STOP_SECONDS", 0.01)
    counted = regions.count_regions(NETS[method], BOX, method=method, time_limit=3600,
                                    executor=executor)
    done = sum(future.result().count for future in executor.submitted[:5])
    assert counted.stop_reason == "time_limit" and counted.unfinished >= len(executor.held)
    assert done <= counted.regions < len(serial(method))
    assert all(future.cancelled() for future in executor.held)


def test_batches_keep_the_depth_first_order():
    """Consecutive cells are batched into at most the number of tasks asked, of about equal
    guessed work (a cell one layer shallower weighs BRANCHING times more: it gets a task of
    its own), and the order is kept."""
    cell = [types.SimpleNamespace(layer=3, name=i) for i in range(12)]
    assert parallel.batches(cell, 4, 3) == [cell[0:3], cell[3:6], cell[6:9], cell[9:12]]
    assert parallel.batches(cell, 100, 3) == [[c] for c in cell]
    cell[11].layer = 2
    assert parallel.batches(cell, 4, 3) == [cell[:11], cell[11:]]


def test_the_frontier_records_no_region():
    """The frontier stops expanding once every cell is one of the last layer's output (the
    tiny network of three lines has 7 such cells): it never records a region, so every region
    comes from a task."""
    W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    net = regions.Network.from_layers([(W, np.array([0.0, 0.0, -1.0])),
                                       (np.ones((1, 3)), np.zeros(1))])
    for engine_type in (VertexEngine, SplitEngine):
        engine = engine_type(net, regions.whole_space().resolve(2), parallel.Settings())
        cells = parallel.frontier(engine, engine.roots(), 64, 2)
        assert len(cells) == 7 and {cell.layer for cell in cells} == {2}
        assert engine.n_regions == 0 and engine.take_results() == []


def count_task(cells: list, slice_seconds=parallel.SLICE_SECONDS) -> parallel.Task:
    """A task counting the subtrees of ``cells`` (vertex engine, ``NET`` on the box)."""
    shared = parallel.Shared(VertexEngine, NET, BOX.resolve(2), parallel.Settings())
    return parallel.Task(shared, pack_tuples(cells), None, None, True, slice_seconds)


def test_a_task_hands_its_cells_back_only_when_a_worker_is_idle(monkeypatch):
    """On a process pool's worker (its idle event set by the caller's Demand), a task past
    its slice returns its cells only while some worker is idle; otherwise it runs to the
    end. The cells it returns and the regions it found make up the whole count."""
    import threading
    sliced_after_every_chunk(monkeypatch)
    idle = threading.Event()
    monkeypatch.setattr(parallel, "_idle", idle)
    engine = VertexEngine(NET, BOX.resolve(2), parallel.Settings())
    task = count_task(engine.roots())
    whole = parallel.run_task(task)
    assert whole.complete and whole.count == len(regions.enumerate_regions(NET, BOX,
                                                                           method="vertex"))
    idle.set()
    first = parallel.run_task(task)
    assert first.stop_reason is None and first.leftover and first.count < whole.count
    assert 1 < len(first.leftover) <= parallel.LEFTOVER_TASKS     # parts, each packed
    idle.clear()
    rest = [parallel.run_task(parallel.Task(task.shared, part, None, None, True,
                                            parallel.SLICE_SECONDS))
            for part in first.leftover]
    assert all(outcome.complete for outcome in rest)
    assert first.count + sum(outcome.count for outcome in rest) == whole.count


def test_demand_keeps_tasks_in_flight_for_every_worker():
    """The idle event is set while fewer than IN_FLIGHT tasks per worker are out."""
    import threading
    demand = parallel.Demand(threading.Event(), workers=2)
    demand.update(parallel.IN_FLIGHT * 2 - 1)
    assert demand.event.is_set()
    demand.update(parallel.IN_FLIGHT * 2)
    assert not demand.event.is_set()
    with parallel.process_pool(2) as pool:
        assert pool.demand.workers == 2
        counted = regions.count_regions(NETS["split"], BOX, method="split", executor=pool)
    assert counted.regions == len(regions.enumerate_regions(NETS["split"], BOX, method="split"))


def _blas_threads() -> list:
    from threadpoolctl import threadpool_info
    return sorted({pool["num_threads"] for pool in threadpool_info()
                   if pool["user_api"] == "blas"})


def test_process_pool_runs_blas_on_one_thread_in_workers_and_caller():
    """Inside the pool's block the workers and the calling process use one BLAS thread
    each (the workers fill the cores); after it the caller's own setting is back."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(2):
        before = _blas_threads()
        with parallel.process_pool(2) as pool:
            inside = _blas_threads()
            workers = [pool.submit(_blas_threads).result() for _ in range(4)]
        after = _blas_threads()
    assert inside == [1] and all(threads == [1] for threads in workers)
    assert after == before


def test_a_task_of_a_stopped_run_returns_at_once(monkeypatch):
    """Once the calling process stopped the run (its pool's stop flag), a worker runs no
    task it had queued: each returns its cells untouched."""
    monkeypatch.setattr(parallel, "_stop", types.SimpleNamespace(is_set=lambda: True))
    engine = VertexEngine(NET, BOX.resolve(2), parallel.Settings())
    cells = engine.roots()
    outcome = parallel.run_task(count_task(cells))
    assert (outcome.count, outcome.stop_reason, outcome.unfinished) == (0, None, len(cells))


def test_a_running_task_returns_its_regions_and_cells_once_told_to_stop(monkeypatch):
    """The stop flag set while a task runs: it returns after its current chunk, its cells
    left handed back; they and the regions it found make up the whole count (brute force
    checks the serial one above)."""
    monkeypatch.setattr(VertexEngine, "chunk", 4)
    looks = itertools.count()
    monkeypatch.setattr(parallel, "_stop", types.SimpleNamespace(
        is_set=lambda: next(looks) > 5))
    engine = VertexEngine(NET, BOX.resolve(2), parallel.Settings())
    first = parallel.run_task(count_task(engine.roots()))
    whole = len(regions.enumerate_regions(NET, BOX, method="vertex"))
    assert first.stop_reason is None and first.leftover and 0 < first.count < whole
    monkeypatch.setattr(parallel, "_stop", None)
    shared = count_task([]).shared
    rest = [parallel.run_task(parallel.Task(shared, part, None, None, True))
            for part in first.leftover]
    assert all(outcome.complete for outcome in rest)
    assert first.count + sum(outcome.count for outcome in rest) == whole


def test_a_later_run_on_the_pool_of_a_stopped_one_starts_afresh():
    """A stopped run leaves its pool's stop flag set (its tasks still queued return at
    once); the next run on that pool clears it and counts everything (a worker that had
    seen a Ctrl-C used to return every later task at once, a count of 0)."""
    with parallel.process_pool(2) as pool:
        pool.stop.set()
        counted = regions.count_regions(NETS["split"], BOX, method="split", executor=pool)
    assert counted.complete and counted.regions == len(
        regions.enumerate_regions(NETS["split"], BOX, method="split"))


ORPHAN = """
import os, signal, sys, time
from regions.engines.parallel import process_pool
with process_pool(1) as pool:
    worker = pool.submit(os.getpid).result()
    pool.submit(time.sleep, 600)
    print(worker, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_their_parent():
    """SIGKILL of the process that started a pool (no cleanup runs) kills its workers."""
    done = subprocess.run([sys.executable, "-c", ORPHAN], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == -signal.SIGKILL
    worker = int(done.stdout.split()[0])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and _alive(worker):
        time.sleep(0.05)        # waits for the kernel's signal, decides nothing
    assert not _alive(worker)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


BLOCKED_FEEDER = """
import multiprocessing, os
from regions.engines import parallel
r, w = os.pipe()
def hold():
    parallel.die_with_parent()
    os.read(r, 1)
with parallel.process_pool(1) as pool:
    pool.submit(os.read, r, 1)                  # the worker blocks for good
    for _ in range(3):
        pool.submit(len, bytes(4 << 20))        # the feeder blocks on the full pipe
    holder = multiprocessing.Process(target=hold, daemon=True)
    holder.start()                              # forked now: keeps that pipe open
print("closed", flush=True)
"""


def test_closing_a_pool_whose_queue_is_blocked_lets_the_interpreter_exit():
    """Tasks still queued when a pool closes, their pipe full and kept open by a process
    forked meanwhile that lives until the interpreter exits (a daemon process, or another
    pool's worker): the pool's manager thread no longer waits to send them, so the exit,
    which joins that thread before it stops daemon processes, does not hang (it did: the
    process never ended, as pytest sometimes did not)."""
    done = subprocess.run([sys.executable, "-c", BLOCKED_FEEDER], capture_output=True,
                          text=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, "closed\n"), done.stderr


HALF_SENT = """
import os, struct, sys
from regions.engines import parallel
sent, told = os.pipe()
hold, _ = os.pipe()                                         # never written
def send_half():
    frame = sys._getframe()
    while "result_queue" not in frame.f_locals:     # the worker's loop (its caller)
        frame = frame.f_back
    writer = frame.f_locals["result_queue"]._writer.fileno()
    os.write(writer, struct.pack("!i", 1000) + bytes(10))   # 10 of 1000 bytes
    os.write(told, b"!")
    os.read(hold, 1)                                        # stopped before the rest
with parallel.process_pool(1) as pool:
    pool.submit(send_half)
    os.read(sent, 1)
print("closed", flush=True)
"""


def test_a_result_cut_short_by_closing_the_pool_lets_the_interpreter_exit():
    """A worker stopped in the middle of sending a result (the pool closed meanwhile): the
    pool's manager thread, which waited for the rest, reads the pipe's end instead, so the
    exit, which joins that thread, does not hang (it did, now and then, in pytest)."""
    done = subprocess.run([sys.executable, "-c", HALF_SENT], capture_output=True, text=True,
                          timeout=120)
    assert (done.returncode, done.stdout) == (0, "closed\n"), done.stderr


def _announce_then_block(told: int, hold: int) -> None:
    os.write(told, b"!")
    os.read(hold, 1)


def test_closing_a_pool_drops_its_cancelled_tasks_before_terminating_workers(monkeypatch):
    """A pool closed with cancelled tasks queued (a stopped run cancels the tasks it no
    longer wants) and a worker still busy: its manager thread has dropped the cancelled
    tasks before any worker is terminated. Otherwise the thread marks them broken on the
    worker's death, and Python 3.11's thread fails on a cancelled task (a traceback on
    stderr after ``regions count --workers 2 --max-regions N``, about one run in two)."""
    import multiprocessing.process
    terminate = multiprocessing.process.BaseProcess.terminate
    held = []

    def record(process):
        held.append([item.future.cancelled() for item in manager.pending_work_items.values()])
        terminate(process)

    monkeypatch.setattr(multiprocessing.process.BaseProcess, "terminate", record)
    told, hold = os.pipe(), os.pipe()
    try:
        with parallel.process_pool(1) as pool:
            manager = pool._executor_manager_thread
            pool.submit(_announce_then_block, told[1], hold[0])
            os.read(told[0], 1)                         # the worker is in the task
            queued = [pool.submit(os.getpid) for _ in range(4)]
            # at most two fit the call queue and run: the others are cancelled
            assert sum(future.cancel() for future in queued) >= 2
    finally:
        for end in told + hold:
            os.close(end)
    assert held and not any(any(cancelled) for cancelled in held)


KILLED_AFTER_THE_POOL = """
import multiprocessing, os, signal, threading
import regions
from regions.engines import parallel
from regions.random_networks import random_network
multiprocessing.set_start_method("spawn")       # its semaphores are named and tracked
with parallel.process_pool(2) as pool:
    counted = regions.count_regions(random_network([2, 40, 1], seed=5), regions.whole_space(),
                                    method="vertex", executor=pool)
print(counted.regions, threading.active_count(), flush=True)
os.kill(os.getpid(), signal.SIGKILL)            # no exit handler runs
"""


def test_a_closed_pool_leaves_no_semaphore_to_a_killed_process():
    """A process killed right after its pool's block (as a benchmark's child is once it
    has sent its result) leaves no named semaphore behind: the pool's manager thread,
    which holds its queues, has ended with the block, so the resource tracker finds
    nothing to clean up (it warned of 5 leaked semaphores). The count is Zaslavsky's."""
    done = subprocess.run([sys.executable, "-c", KILLED_AFTER_THE_POOL], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL
    assert done.stdout.split() == [str(oracles.zaslavsky(40, 2)), "1"], done.stderr
    assert "leaked" not in done.stderr, done.stderr


def test_executor_refuses_checkpoints_and_the_walk(tmp_path):
    with concurrent.futures.ThreadPoolExecutor(1) as executor:
        with pytest.raises(regions.RegionsError, match="no executor"):
            regions.enumerate_regions(NET, BOX, executor=executor, checkpoint=tmp_path / "run.npz")
        with pytest.raises(regions.RegionsError, match="no executor"):
            regions.enumerate_regions(NET, BOX, method="walk", executor=executor)


@pytest.mark.slow
def test_dask_local_cluster_of_two_workers(serial):
    distributed = pytest.importorskip("distributed")
    whole = regions.enumerate_regions(SMALL, regions.whole_space(), method="split")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        executor = client.get_executor()
        same_regions(serial("vertex"),
                     regions.enumerate_regions(NET, BOX, method="vertex", executor=executor))
        same_regions(whole, regions.enumerate_regions(SMALL, regions.whole_space(), method="split",
                                              executor=executor))


@pytest.mark.slow
def test_a_dask_cluster_counts_the_same_and_survives_a_killed_worker(tmp_path, monkeypatch,
                                                                     capsys, network_file):
    """A local cluster of two worker processes: ``regions count --scheduler`` gives the count
    of brute force; then, on the same cluster, the first task kills its worker
    (:mod:`killed_once`): dask retries the task on a restarted worker, and the count is
    again the serial one, nothing lost or counted twice."""
    distributed = pytest.importorskip("distributed")
    from killed_once import MARK, PARENT, KilledOnce
    from regions import enumeration
    path = network_file(SMALL)
    brute = oracles.unambiguous(oracles.brute_force_patterns, SMALL,
                                oracles.box_slice([-1, -1], [1, 1]))
    serial = regions.count_regions(NETS["split"], BOX, method="split")
    monkeypatch.setenv(MARK, str(tmp_path / "killed"))     # read by the workers as they start
    monkeypatch.setenv(PARENT, str(os.getpid()))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        assert main(["count", str(path), "--box", "-1", "1", "--json", "--quiet",
                     "--scheduler", cluster.scheduler_address]) == 0
        assert json.loads(capsys.readouterr().out)["regions"] == len(brute)
        monkeypatch.setitem(enumeration.ENGINES, "split", KilledOnce)
        with distributed.Client(cluster) as client:
            counted = regions.count_regions(NETS["split"], BOX, method="split",
                                            executor=client.get_executor())
    assert (tmp_path / "killed").exists()       # a worker did die mid-task
    assert counted.complete and (counted.regions, counted.per_layer) == (serial.regions,
                                                                          serial.per_layer)


def test_cli_workers(serial, network_file, capsys):
    path = network_file(NET)
    assert main(["count", str(path), "--box", "-1", "1", "--json", "--quiet",
                 "--workers", "2"]) == 0
    assert json.loads(capsys.readouterr().out)["regions"] == len(serial("vertex"))
    with pytest.raises(SystemExit) as refused:
        main(["count", str(path), "--workers", "0", "--quiet"])
    assert refused.value.code == 2
    assert "argument --workers: must be at least 1, got 0" in capsys.readouterr().err


def same_work(stopped, saved):
    """A stopped count and its last checkpoint describe the same work: regions, per-layer
    counts, LPs, thin regions and cells left."""
    assert (stopped.regions, stopped.per_layer, stopped.lps, stopped.thin, stopped.unfinished) \
        == (saved.counters.regions, saved.counters.per_layer, saved.counters.lps,
            len(saved.thin_patterns), len(saved.cells))


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_a_capped_parallel_count_reports_the_work_it_kept(monkeypatch, tmp_path, method):
    """Five tasks run at once (an inline executor), the others wait; the five find more
    regions than ``max_regions`` together. The count keeps every region they found, its
    per-layer counts, LPs, thin regions and unfinished cells describe that same work (the
    checkpoint's), the last layer's count lies between the regions and the regions plus the
    cells left, and resuming the unfinished cells adds exactly the rest: the serial count,
    layer by layer and LP by LP (itself checked against brute force above), and its thin
    regions (in another order: the five tasks are those of the most work guessed, sent
    first, not the first five in depth-first order)."""
    whole = regions.count_regions(NETS[method], BOX, method=method, min_radius=1e-2)
    path = tmp_path / "count.npz"
    executor = InlineExecutor(ready=5)
    stopped = regions.count_regions(NETS[method], BOX, method=method, max_regions=100,
                                    min_radius=1e-2, executor=executor, checkpoint=path)
    done = sum(future.result().count for future in executor.submitted[:5])
    assert stopped.stop_reason == "max_regions" and all(f.cancelled() for f in executor.held)
    assert 100 < done == stopped.regions < whole.regions and stopped.unfinished > 0
    assert stopped.regions <= stopped.per_layer[-1] <= stopped.regions + stopped.unfinished
    same_work(stopped, checkpoints.load(path, checkpoints.fingerprint(
        NETS[method], BOX.resolve(2), 1e-2)))
    resumed = regions.count_regions(NETS[method], BOX, resume=path, min_radius=1e-2)
    assert resumed.complete and (resumed.regions, resumed.per_layer, resumed.lps) == (
        whole.regions, whole.per_layer, whole.lps)
    assert sorted(map(bytes, resumed.thin_patterns)) == sorted(map(bytes, whole.thin_patterns))


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_a_capped_parallel_enumeration_is_the_serial_prefix_with_its_counters(method):
    """All tasks run at once and find more regions than the cap: the partition is the
    serial one's first ``max_regions`` regions, and its per-layer counts and LPs are those of
    the work that found them (no more regions at the last layer than found plus left)."""
    serial = regions.enumerate_regions(NETS[method], BOX, method=method, max_regions=200)
    other = regions.enumerate_regions(NETS[method], BOX, method=method, max_regions=200,
                                      executor=InlineExecutor())
    same_regions(serial, other)
    whole = regions.count_regions(NETS[method], BOX, method=method)
    assert len(other) == 200 and other.stop_reason == "max_regions" and other.unfinished > 0
    assert 200 <= other.per_layer[-1] <= 200 + other.unfinished
    assert all(a <= b for a, b in zip(other.per_layer, whole.per_layer)) and other.lps <= whole.lps


def test_cli_capped_parallel_count_is_consistent(tmp_path, capsys):
    """``regions count --workers 2 --max-regions N`` on a real pool (whichever tasks return
    first): the count is at least N and the last layer's count is no more than the regions
    found plus the cells left. The network has 14,353 regions, more than the at most
    ``MAX_TASKS`` first tasks of at most N each can find, so the caller always sees N
    regions before the end: the run stops, whatever the order tasks return in (with
    ``NET``'s 487 regions the tasks sometimes all finished first, and the run was complete)."""
    path = tmp_path / "net.npz"
    net = random_network([2, 64, 64, 64, 1], seed=0)
    assert parallel.MAX_TASKS * 300 < 14_353
    regions.write_network(net, path)
    code = main(["count", str(path), "--box", "-1", "1", "--json", "--quiet", "--workers", "2",
                 "--max-regions", "300"])
    summary = json.loads(capsys.readouterr().out)
    assert code == 5 and summary["stop_reason"] == "max_regions"
    assert 300 <= summary["regions"] <= summary["per_layer"][-1] <= (
        summary["regions"] + summary["unfinished"])


# --- What travels: the run once per worker, cells packed ------------------------------------

#: One layer of 40 lines on R^2: Zaslavsky 1 + 40 + C(40, 2) = 821 regions.
LINES = random_network([2, 40, 1], seed=5)


@pytest.mark.parametrize("method", ["split", "vertex"])
@pytest.mark.parametrize("distinct", [False, True])
def test_packed_cells_unpack_bit_for_bit(method, distinct, monkeypatch):
    """Frontier cells (arrays of several dtypes and shapes, and scalars) packed into a few
    arrays and unpacked: every field the same bytes, dtype, shape or Python type. With
    ``distinct`` (and every field large enough to look in: ``DISTINCT_BYTES`` 0), the
    vertex cells' map error bounds, which the children of one cell share, are packed once
    each, and the cells take fewer bytes."""
    monkeypatch.setattr(packing, "DISTINCT_BYTES", 0)
    engine = {"split": SplitEngine, "vertex": VertexEngine}[method](
        NETS[method], BOX.resolve(2), parallel.Settings())
    cells = parallel.frontier(engine, engine.roots(), 32, 3)
    packed = pack_tuples(cells, distinct)
    assert all(isinstance(value, (np.ndarray, np.generic)) for value in packed.values())
    assert len(packed) <= 3 * len(cells[0]) + 1
    if distinct and method == "vertex":
        errors = cells[0]._fields.index("map_error")
        index = packed[f"{errors}_index"]
        assert len(set(index.tolist())) < len(cells)
        assert (sum(v.nbytes for v in packed.values())
                < sum(v.nbytes for v in pack_tuples(cells).values()))
    for cell, back in zip(cells, unpack_tuples(packed), strict=True):
        for mine, theirs in zip(cell, engine.cell_type(*back), strict=True):
            assert type(mine) is type(theirs)
            if isinstance(mine, np.ndarray):
                assert mine.dtype == theirs.dtype and mine.shape == theirs.shape
                assert mine.tobytes() == theirs.tobytes()
            else:
                assert mine == theirs


def test_small_fields_are_packed_whole():
    """``distinct`` looks for shared arrays only in the fields whose first array takes at
    least ``DISTINCT_BYTES``: the 12-wide net's map error bounds (96 bytes) are packed
    whole, every cell's own."""
    engine = VertexEngine(NET, BOX.resolve(2), parallel.Settings())
    cells = parallel.frontier(engine, engine.roots(), 32, 3)
    assert cells[0].map_error.nbytes < packing.DISTINCT_BYTES
    packed = pack_tuples(cells, distinct=True)
    assert not any(key.endswith("_index") for key in packed)
    assert packed.keys() == pack_tuples(cells).keys()


def test_a_worker_reads_a_run_once(monkeypatch):
    """A run's file is read at a worker's first task of the run and kept: its later tasks
    need no file; another run's file is read anew, and an unreadable one says so."""
    monkeypatch.setattr(parallel, "_last_run", (None, None))
    shared = parallel.Shared(VertexEngine, LINES, regions.whole_space().resolve(2),
                             parallel.Settings())
    with parallel.publish(shared) as run_file:
        first = parallel.shared_part(run_file)
    assert not os.path.exists(run_file.path)
    assert parallel.shared_part(run_file) is first
    assert np.array_equal(first.network.layers[0].weight, LINES.layers[0].weight)
    with pytest.raises(parallel.RunUnreachable):
        parallel.shared_part(parallel.RunFile("another run", run_file.path))


class Recording(concurrent.futures.Executor):
    """A process pool's stand-in that keeps every task it submits (in this process)."""

    def __init__(self, pool):
        self.pool, self.demand, self.tasks = pool, pool.demand, []

    def submit(self, fn, task):
        self.tasks.append(task)
        return self.pool.submit(fn, task)


def test_a_two_worker_count_sends_the_run_once_and_cells_packed():
    """On a 2-worker process pool every task names the run's file instead of carrying the
    network, its cells travel as arrays, and the count is Zaslavsky's."""
    with parallel.process_pool(2) as pool:
        recording = Recording(pool)
        counted = regions.count_regions(LINES, regions.whole_space(), method="vertex",
                                        executor=recording)
    assert counted.regions == oracles.zaslavsky(40, 2) == 821 and counted.complete
    assert counted.notes == () and recording.tasks
    assert all(isinstance(task.shared, parallel.RunFile) for task in recording.tasks)
    assert all(isinstance(value, (np.ndarray, np.generic)) for task in recording.tasks
               for value in task.cells.values())


def test_workers_that_cannot_read_the_run_file_get_it_with_every_task(monkeypatch, capsys):
    """A worker on another machine cannot read the run's file: the task comes back, is
    sent again carrying the run, and so is every later task; said on stderr and in the
    result's notes, and the count is still Zaslavsky's."""
    import contextlib

    @contextlib.contextmanager
    def elsewhere(shared):
        yield parallel.RunFile("a run on another machine", "/nonexistent/regions-run.pickle")

    monkeypatch.setattr(parallel, "publish", elsewhere)
    monkeypatch.setattr(parallel, "_last_run", (None, None))
    executor = InlineExecutor()
    counted = regions.count_regions(LINES, regions.whole_space(), method="vertex",
                                    executor=executor)
    assert counted.regions == oracles.zaslavsky(40, 2) and counted.complete
    assert len(counted.notes) == 1 and "travel with every task" in counted.notes[0]
    assert "travel with every task" in capsys.readouterr().err
    failed = [f for f in executor.submitted if f.exception() is not None]
    assert failed and failed == executor.submitted[:len(failed)]     # the first round only
    assert all(isinstance(f.exception(), parallel.RunUnreachable) for f in failed)


@pytest.mark.parametrize("method", ["vertex", "split"])
def test_a_workers_engine_serves_every_task_of_its_run(monkeypatch, method):
    """A worker builds one engine per run: a later task of the run gets it back reset (no
    cell, no record, zero counters, its exact mode again after an exact budget ran out)
    and finds what a new engine finds; another run's task gets a new engine."""
    monkeypatch.setattr(parallel, "_engines", types.SimpleNamespace())
    net, engine_type = NETS[method], {"vertex": VertexEngine, "split": SplitEngine}[method]
    shared = parallel.Shared(engine_type, net, BOX.resolve(2), parallel.Settings())
    fresh = engine_type(net, BOX.resolve(2), parallel.Settings())
    cells = parallel.frontier(fresh, fresh.roots(), 8, len(net.layers))
    run = parallel.RunFile("a run", "/nonexistent/regions-run.pickle")
    engine = parallel.task_engine(run, shared)
    engine.push(cells[0])
    engine.run(1, driver.UNLIMITED)
    engine.stop_exact()
    assert parallel.task_engine(run, shared) is engine
    assert engine.pending == 0 and engine.take_results() == []
    assert engine.counters() == type(engine.counters())(0, [0] * len(net.layers))
    assert engine.settings.exact and (engine.decisions.exact if method == "split"
                                      else engine.core.exact_mode)
    again = parallel.Task(run, pack_tuples(cells), None, None, True, None)
    monkeypatch.setattr(parallel, "_last_run", ("a run", shared))
    reused, new = parallel.run_task(again), parallel.run_task(
        parallel.Task(shared, pack_tuples(cells), None, None, True, None))
    for outcome in (reused, new):
        outcome.counters.lp_seconds = 0.0      # a clock's
    assert (reused.count, reused.counters) == (new.count, new.counters)
    assert parallel.task_engine(parallel.RunFile("another run", run.path), shared) is not engine


def test_workers_take_the_norm_bounds_the_caller_computed(monkeypatch):
    """The run's file carries the norm bounds the calling process computed: a worker that
    reads it builds its engine without computing them again."""
    from regions import rounding
    monkeypatch.setattr(parallel, "_last_run", (None, None))
    VertexEngine(NET, BOX.resolve(2), parallel.Settings())      # computes them if need be
    shared = parallel.Shared(VertexEngine, NET, BOX.resolve(2), parallel.Settings(),
                             rounding.known_bounds())
    with parallel.publish(shared) as run_file:
        monkeypatch.setattr(rounding, "_BOUNDS", {})
        monkeypatch.setattr(rounding, "_spectral_norm_bound", None)     # not called
        monkeypatch.setattr(rounding, "_row_norm_bounds", None)
        read = parallel.shared_part(run_file)
    VertexEngine(read.network, read.domain, read.settings)
    assert all(not value.flags.writeable for value in rounding._BOUNDS.values()
               if isinstance(value, np.ndarray))


def test_a_pools_workers_start_with_it():
    """A process pool's workers start when it is made, before any task is submitted (a
    spawned worker imports while the caller prepares its run)."""
    import multiprocessing
    before = {process.pid for process in multiprocessing.active_children()}
    with parallel.process_pool(2) as pool:
        started = {process.pid for process in multiprocessing.active_children()} - before
        assert len(started) == 2 and pool.submit(os.getpid).result() in started


# --- Progress: running tasks tell the regions they found so far ------------------------------

class RanButHeld(InlineExecutor):
    """Runs every task at once, in the calling thread, but delivers only the first ``ready``
    results: the others' futures stay pending, as if their tasks were still running (their
    lanes keep what they found). A process pool's :class:`parallel.Lanes`, with the worker's
    end set in this process."""

    def __init__(self, ready, monkeypatch):
        super().__init__(ready)
        self.lanes = parallel.Lanes(parallel.multiprocessing.get_context())
        monkeypatch.setattr(parallel, "_lanes", self.lanes.shared)

    def submit(self, fn, /, *args, **kwargs):
        future = concurrent.futures.Future()
        self.submitted.append(future)
        outcome = fn(*args, **kwargs)
        if len(self.submitted) <= self.ready:
            future.set_running_or_notify_cancel()
            future.set_result(outcome)
        return future


@pytest.mark.parametrize("count_only", [True, False], ids=["count", "enumeration"])
def test_progress_counts_the_regions_of_tasks_still_running(monkeypatch, count_only):
    """Every task runs, but only two return before the clock passes the time limit: the
    progress line counts all the regions (the running tasks' through their lanes), which
    are those of the uninterrupted run, while the result keeps only the returned tasks'."""
    looks = itertools.count()
    monkeypatch.setattr(parallel, "time", types.SimpleNamespace(
        perf_counter=lambda: 1e6 if next(looks) > 6 else 0.0, time=time.time))
    monkeypatch.setattr(parallel, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(parallel, "STOP_SECONDS", 0.01)
    whole = regions.enumerate_regions(NET, BOX, method="vertex")
    executor = RanButHeld(2, monkeypatch)
    calls = []
    run = regions.count_regions if count_only else regions.enumerate_regions
    result = run(NET, BOX, method="vertex", time_limit=3600, executor=executor,
                 progress=lambda *a: calls.append(a))
    returned = sum(future.result().count for future in executor.submitted[:2])
    assert len(executor.submitted) > 2 and result.stop_reason == "time_limit" and calls
    assert all(found == len(whole) for found, *_ in calls)
    assert (result.regions if count_only else len(result)) <= returned < len(whole)



class HandsBackWhenAsked(RanButHeld):
    """A process pool whose tasks all run and none returns (each ran inline in the calling
    thread until it found a region, its lane of :class:`parallel.Lanes` holding what it
    found) until the caller stops the run (its ``stop`` flag): then each delivers what it
    found and the cells it left."""

    def __init__(self, monkeypatch):
        super().__init__(0, monkeypatch)
        self.stop = StopDelivers(self)
        self.running, self.found_before = [], 0
        monkeypatch.setattr(parallel, "_stop", types.SimpleNamespace(
            is_set=lambda: self.lanes.running() > self.found_before))

    def submit(self, fn, /, *args, **kwargs):
        future = concurrent.futures.Future()
        future.set_running_or_notify_cancel()
        self.submitted.append(future)
        self.found_before = self.lanes.running()
        self.running.append((future, fn(*args, **kwargs)))
        return future


class StopDelivers:
    """The stop flag of :class:`HandsBackWhenAsked`: set, it delivers the outcomes of the
    running tasks."""

    def __init__(self, executor):
        self.executor, self.told = executor, False

    def set(self):
        self.told = True
        for future, outcome in self.executor.running:
            future.set_result(outcome)
        self.executor.running = []

    def clear(self):
        pass


@pytest.mark.parametrize("stop", ["max_regions", "interrupted"])
@pytest.mark.parametrize("method", ["split", "vertex"])
def test_a_stopped_count_keeps_what_its_running_tasks_found(monkeypatch, tmp_path, method,
                                                             stop):
    """No task has returned when the run stops: by Ctrl-C, or because the running tasks
    found ``max_regions`` between them (their lanes; a count used to wait until one task
    found the whole budget by itself, minutes on a large count). The run tells them to stop
    and keeps what they found (a Ctrl-C sent to the calling process alone used to lose
    it); resuming the cells left adds exactly the rest, the serial count (checked against
    brute force above). A fake clock ends the run by its time limit if it waited instead."""
    whole = regions.count_regions(NETS[method], BOX, method=method, min_radius=1e-2)
    monkeypatch.setattr(VertexEngine, "chunk", 4)
    looks = itertools.count()
    monkeypatch.setattr(parallel, "time", types.SimpleNamespace(
        perf_counter=lambda: 1e6 if next(looks) > 200 else 0.0, time=time.time))
    monkeypatch.setattr(parallel, "POLL_SECONDS", 0.01)
    if stop == "interrupted":
        monkeypatch.setattr(parallel, "budget_exhausted", lambda *args: "interrupted")
    executor = HandsBackWhenAsked(monkeypatch)
    path = tmp_path / "count.npz"
    stopped = regions.count_regions(NETS[method], BOX, method=method, min_radius=1e-2,
                                    max_regions=1 if stop == "max_regions" else None,
                                    time_limit=3600, executor=executor, checkpoint=path)
    assert executor.stop.told and stopped.stop_reason == stop
    delivered = sum(future.result().count for future in executor.submitted)
    assert 1 <= delivered == stopped.regions < whole.regions and stopped.unfinished > 0
    resumed = regions.count_regions(NETS[method], BOX, resume=path, min_radius=1e-2)
    assert resumed.complete and (resumed.regions, resumed.per_layer, resumed.lps) == (
        whole.regions, whole.per_layer, whole.lps)
