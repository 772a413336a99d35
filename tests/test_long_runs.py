"""Budgets, interrupts, checkpoints and resume: partial results are true, resumed runs identical.

Nothing here depends on how fast the machine is: interruptions are injected
after a fixed number of steps (a patched ``budget_exhausted`` that raises
SIGINT in this very process, or a child that SIGKILLs itself), and time limits
run on a fake clock that advances one second per reading. Failures of the
checkpoint file itself (torn writes, corruption, full disks) are in
``test_faults.py``.
"""

import dataclasses
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
from regions.io import checkpoint as checkpoints
from regions.engines import driver
from regions.engines.vertex import VertexEngine
from regions.cli import EXIT_INCOMPLETE, main
from regions.random_networks import random_network

import oracles
from runs import InlineExecutor, identical, is_prefix

NET = random_network([2, 12, 12, 12, 1], seed=3)
DOMAIN = regions.box(-1, 1)
METHODS = ["split", "vertex"]


@pytest.fixture(scope="module")
def uninterrupted():
    """The uninterrupted run of each method."""
    runs = {method: regions.enumerate_regions(NET, DOMAIN, method=method) for method in METHODS}
    for part in runs.values():
        assert part.complete and part.unfinished == 0
    return runs


@pytest.fixture
def full(uninterrupted):
    return uninterrupted["split"]


@pytest.fixture
def fake_clock(monkeypatch):
    """The driver's clock (``time.perf_counter`` as read by src/regions/engines/driver.py)
    advances exactly one second per reading: time limits stop after a fixed amount of work."""
    ticks = itertools.count()
    clock = types.SimpleNamespace(perf_counter=lambda: float(next(ticks)), time=time.time,
                                  sleep=time.sleep)
    monkeypatch.setattr(driver, "time", clock)
    return clock


@pytest.fixture
def small_chunks(monkeypatch):
    """The vertex engine returns to its driver (budgets, Ctrl-C) every 4 cells, not 512,
    so a budget can stop a small network mid-run."""
    monkeypatch.setattr(VertexEngine, "chunk", 4)


@pytest.fixture
def ctrl_c_after(monkeypatch):
    """``ctrl_c_after(k)``: a real SIGINT, raised in this process from inside the driver's
    budget check the first time ``k`` regions are final; returns the list that receives the
    count at that moment."""
    original = driver.budget_exhausted

    def arm(k):
        sent = []

        def budget_exhausted(interrupt, found, *args):
            if not sent and found >= k:
                sent.append(found)
                signal.raise_signal(signal.SIGINT)   # handled before raise_signal returns
            return original(interrupt, found, *args)

        monkeypatch.setattr(driver, "budget_exhausted", budget_exhausted)
        return sent

    return arm


@pytest.mark.parametrize("method", METHODS)
def test_max_regions_gives_a_prefix_of_final_regions(uninterrupted, method):
    part = regions.enumerate_regions(NET, DOMAIN, max_regions=25, method=method)
    assert not part.complete and part.stop_reason == "max_regions"
    assert len(part) == 25 and part.unfinished > 0
    # Depth-first order: the partial result is the first 25 final regions of the full run.
    assert is_prefix(part, uninterrupted[method])


@pytest.mark.parametrize("method", METHODS)
def test_time_limit_stops_with_a_prefix(uninterrupted, fake_clock, small_chunks, method):
    part = regions.enumerate_regions(NET, DOMAIN, time_limit=30, method=method)
    assert not part.complete and part.stop_reason == "time_limit" and part.unfinished > 0
    assert 0 < len(part) < len(uninterrupted[method])
    assert part.seconds >= 30
    assert is_prefix(part, uninterrupted[method])


@pytest.mark.parametrize("method", METHODS)
def test_time_limit_counts_the_time_of_earlier_runs(uninterrupted, fake_clock, small_chunks,
                                                    tmp_path, method):
    full = uninterrupted[method]
    path = tmp_path / "run.npz"
    once = dict(checkpoint_every=1e9, method=method)   # only the first and final checkpoints
    first = regions.enumerate_regions(NET, DOMAIN, max_regions=10, checkpoint=path, **once)
    assert first.stop_reason == "max_regions" and len(first) == 10
    # The resumed run has 5 (fake) seconds left of a limit of first.seconds + 5.
    second = regions.enumerate_regions(NET, DOMAIN, resume=path, time_limit=first.seconds + 5, **once)
    assert second.stop_reason == "time_limit" and second.seconds >= first.seconds + 5
    assert 10 <= len(second) < len(full) and is_prefix(second, full)
    identical(regions.enumerate_regions(NET, DOMAIN, resume=path, **once), full)


@pytest.mark.parametrize("method", METHODS)
def test_memory_limit_stops(uninterrupted, method):
    part = regions.enumerate_regions(NET, DOMAIN, memory_limit=1, method=method)  # exceeded at once
    assert not part.complete and part.stop_reason == "memory_limit"
    assert is_prefix(part, uninterrupted[method])


@pytest.mark.parametrize("method", METHODS)
def test_memory_limit_stops_mid_run(uninterrupted, monkeypatch, small_chunks, method):
    readings = itertools.count(1)       # resident memory "grows" by one byte per reading
    monkeypatch.setattr(driver, "resident_memory", lambda: next(readings))
    part = regions.enumerate_regions(NET, DOMAIN, memory_limit=3, method=method)
    assert part.stop_reason == "memory_limit" and part.unfinished > 0
    assert 0 < len(part) < len(uninterrupted[method]) and is_prefix(part, uninterrupted[method])


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("k", [1, 40])
def test_sigint_returns_partial_result(uninterrupted, ctrl_c_after, small_chunks, method, k):
    handler = signal.getsignal(signal.SIGINT)
    sent = ctrl_c_after(k)
    part = regions.enumerate_regions(NET, DOMAIN, method=method)
    assert sent and sent[0] >= k, "the injected Ctrl-C never fired"
    assert part.stop_reason == "interrupted" and not part.complete and part.unfinished > 0
    assert len(part) == sent[0]
    # What was found is exactly the start of the uninterrupted depth-first order.
    assert is_prefix(part, uninterrupted[method])
    assert signal.getsignal(signal.SIGINT) is handler      # the run restored the handler


@pytest.mark.parametrize("method", METHODS)
def test_sigint_then_resume_is_identical(uninterrupted, ctrl_c_after, small_chunks, tmp_path,
                                         method):
    path = tmp_path / "run.npz"
    sent = ctrl_c_after(30)
    part = regions.enumerate_regions(NET, DOMAIN, checkpoint=path, method=method)
    assert part.stop_reason == "interrupted" and len(part) == sent[0]
    ctrl_c_after(10**9)                                        # disarmed
    identical(regions.enumerate_regions(NET, DOMAIN, resume=path), uninterrupted[method])


def test_cli_ctrl_c_prints_the_partial_result_and_exits_5(ctrl_c_after, tmp_path, capsys):
    net_path = tmp_path / "net.npz"
    regions.write_network(NET, net_path)
    sent = ctrl_c_after(7)
    code = main(["count", str(net_path), "--box", "-1", "1", "--method", "split", "--json",
                 "--quiet"])
    assert code == EXIT_INCOMPLETE
    summary = json.loads(capsys.readouterr().out)
    assert summary["complete"] is False and summary["stop_reason"] == "interrupted"
    assert summary["regions"] == sent[0] and summary["unfinished"] > 0


def test_cli_time_limit_exits_5(fake_clock, small_chunks, tmp_path, capsys):
    net_path = tmp_path / "net.npz"
    regions.write_network(NET, net_path)
    code = main(["count", str(net_path), "--box", "-1", "1", "--time-limit", "30", "--json",
                 "--quiet"])
    assert code == EXIT_INCOMPLETE
    summary = json.loads(capsys.readouterr().out)
    assert summary["stop_reason"] == "time_limit" and summary["unfinished"] > 0


@pytest.mark.parametrize("method", METHODS)
def test_resume_after_budget_is_identical(uninterrupted, tmp_path, method):
    full = uninterrupted[method]
    path = tmp_path / "run.npz"
    first = regions.enumerate_regions(NET, DOMAIN, max_regions=40, checkpoint=path, method=method)
    assert not first.complete and first.method == method
    second = regions.enumerate_regions(NET, DOMAIN, resume=path, max_regions=80)
    assert len(second) == 80 and not second.complete and is_prefix(second, full)
    assert second.method == method                  # "auto" keeps the checkpoint's method
    identical(regions.enumerate_regions(NET, DOMAIN, resume=path), full)


def test_resume_refuses_another_method(tmp_path):
    path = tmp_path / "run.npz"
    regions.enumerate_regions(NET, DOMAIN, max_regions=5, checkpoint=path, method="vertex")
    with pytest.raises(regions.RegionsError, match="method 'vertex'"):
        regions.enumerate_regions(NET, DOMAIN, resume=path, method="split")


def test_resume_refuses_another_network(tmp_path):
    path = tmp_path / "run.npz"
    regions.enumerate_regions(NET, DOMAIN, max_regions=5, checkpoint=path)
    other = random_network([2, 12, 12, 12, 1], seed=4)
    with pytest.raises(regions.FileFormatError, match="different network"):
        regions.enumerate_regions(other, DOMAIN, resume=path)
    with pytest.raises(regions.FileFormatError, match="different network"):
        regions.enumerate_regions(NET, regions.box(-2, 2), resume=path)
    with pytest.raises(regions.FileFormatError, match="different network"):
        regions.enumerate_regions(NET, DOMAIN, resume=path, min_radius=2e-6)
    with pytest.raises(regions.FileFormatError, match="no such checkpoint"):
        regions.enumerate_regions(NET, DOMAIN, resume=tmp_path / "missing.npz")


def test_a_slice_checkpoint_is_tied_to_its_exact_basis():
    # two slices with one float64 basis but different exact ones are different sets
    plane = regions.plane([0, 0, 0], [3, 4, 0], [0, 0, 1], lo=0, hi=1)
    rounded = dataclasses.replace(plane, rational_basis=None)
    assert np.array_equal(plane.basis, rounded.basis)
    net = random_network([3, 4, 1], seed=0)
    assert checkpoints.fingerprint(net, plane, 1e-3) != checkpoints.fingerprint(net, rounded,
                                                                                1e-3)


# The child saves at the top of every step of one cell (its clock advances 10 s, more than
# the checkpoint interval, per reading) and SIGKILLs itself at the top of step argv[3],
# before that step's save. The budgets are looked at twice before the first step too:
# before and after the split engine's setup (its root cell).
KILLED_CHILD = """
import itertools, os, signal, sys, time, types
import regions
from regions.engines import driver
from regions.engines.split import SplitEngine
SplitEngine.chunk = 1
ticks = itertools.count()
driver.time = types.SimpleNamespace(perf_counter=lambda: 10.0 * next(ticks), time=time.time)
original, steps = driver.budget_exhausted, itertools.count(1)
def budget_exhausted(*args):
    if next(steps) == int(sys.argv[3]) + 2:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(*args)
driver.budget_exhausted = budget_exhausted
regions.enumerate_regions(regions.read_network(sys.argv[1]), regions.box(-1, 1), checkpoint=sys.argv[2],
                  method="split")
"""


@pytest.mark.parametrize("kill_at", [2, 120])
def test_sigkill_mid_run_then_resume(full, tmp_path, kill_at):
    net_path, path = tmp_path / "net.npz", tmp_path / "ck.npz"
    regions.write_network(NET, net_path)
    child = subprocess.run([sys.executable, "-c", KILLED_CHILD, str(net_path), str(path),
                            str(kill_at)], capture_output=True, text=True, timeout=300)
    assert child.returncode == -signal.SIGKILL, child.stderr
    # The last checkpoint was written at the top of step kill_at - 1: after kill_at - 2
    # cells were processed (every cell ever pushed, the root included, minus the stack; the
    # output layer, an identity layer, passes each cell whole as it is made, no push).
    saved = checkpoints.load(path, checkpoints.fingerprint(NET, DOMAIN.resolve(2),
                                                           regions.MIN_RADIUS))
    assert 1 + sum(saved.counters.per_layer[:-1]) - len(saved.cells) == kill_at - 2
    assert saved.cells and (kill_at < 50 or saved.records)
    identical(regions.enumerate_regions(NET, DOMAIN, resume=path), full)
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]


def test_cli_incomplete_exit_code_and_json(tmp_path, capsys):
    net_path = tmp_path / "net.npz"
    regions.write_network(NET, net_path)
    code = main(["count", str(net_path), "--box", "-1", "1", "--max-regions", "10", "--json",
                 "--quiet"])
    assert code == EXIT_INCOMPLETE
    summary = json.loads(capsys.readouterr().out)
    assert summary["complete"] is False and summary["regions"] == 10
    assert summary["unfinished"] > 0 and summary["stop_reason"] == "max_regions"


def test_walk_runs_under_the_same_budgets(ctrl_c_after):
    """The walk is an engine of the driver too: max_regions, time and Ctrl-C stop it with
    true final regions (a subset of the complete walk, which sorts them by pattern)."""
    net = random_network([2, 6, 6, 1], seed=1)
    whole = {row.tobytes() for row in regions.enumerate_regions(net, DOMAIN, method="walk").patterns}
    part = regions.enumerate_regions(net, DOMAIN, method="walk", max_regions=10)
    assert len(part) == 10 and part.stop_reason == "max_regions" and part.unfinished > 0
    assert {row.tobytes() for row in part.patterns} < whole
    sent = ctrl_c_after(5)
    part = regions.enumerate_regions(net, DOMAIN, method="walk")
    assert part.stop_reason == "interrupted" and len(part) == sent[0] == 5
    with pytest.raises(regions.RegionsError, match="no executor"):
        regions.enumerate_regions(net, DOMAIN, method="walk", executor=object())


def test_walk_checkpoints_and_resumes_to_the_same_regions(ctrl_c_after, tmp_path):
    # The walk's queue is its stack and its seen set is rebuilt from the queue and the
    # regions found: a resumed walk ends with the regions, witnesses and per-layer counts of
    # an uninterrupted one (its LPs may differ: empty patterns met again are re-checked).
    net = random_network([2, 6, 6, 1], seed=1)
    full = regions.enumerate_regions(net, DOMAIN, method="walk")
    path = tmp_path / "walk.npz"
    sent = ctrl_c_after(12)
    part = regions.enumerate_regions(net, DOMAIN, method="walk", checkpoint=path)
    assert part.stop_reason == "interrupted" and len(part) == sent[0]
    ctrl_c_after(10**9)                                        # disarmed
    resumed = regions.enumerate_regions(net, DOMAIN, resume=path)
    assert resumed.method == "walk" and resumed.complete
    assert np.array_equal(resumed.patterns, full.patterns)
    assert np.array_equal(resumed.witnesses, full.witnesses)
    assert resumed.per_layer == full.per_layer
    truth = oracles.unambiguous(oracles.brute_force_patterns, net,
                                oracles.box_slice([-1, -1], [1, 1]))
    assert oracles.pattern_set(resumed) == truth


def test_vertex_on_the_whole_plane_checkpoints_and_resumes_identically(ctrl_c_after,
                                                                       small_chunks, tmp_path):
    # All of R^2 starts from four cones (cells with rays): they checkpoint like any cell.
    space = regions.whole_space()
    full = regions.enumerate_regions(NET, space, method="vertex")
    path = tmp_path / "run.npz"
    sent = ctrl_c_after(30)
    part = regions.enumerate_regions(NET, space, checkpoint=path, method="vertex")
    assert part.stop_reason == "interrupted" and len(part) == sent[0] and is_prefix(part, full)
    ctrl_c_after(10**9)                                        # disarmed
    identical(regions.enumerate_regions(NET, space, resume=path), full)


WIDE = random_network([2, 64, 1], seed=0)


@pytest.fixture
def short_splits(monkeypatch):
    """One cell's split goes back on the stack after 16 piece steps, and the engine returns
    to the driver after 64: the single cone cells of a wide layer are cut short many times."""
    monkeypatch.setattr(VertexEngine, "split_steps", 16)
    monkeypatch.setattr(VertexEngine, "run_steps", 64)
    monkeypatch.setattr(VertexEngine, "chunk", 1)


def test_a_split_cut_short_finds_the_same_regions_in_the_same_order(short_splits,
                                                                    monkeypatch):
    # One layer of 64 lines on R^2: Zaslavsky 1 + 64 + C(64, 2) = 2081 regions, all from the
    # first cells (four cones), whose splits now stop and resume 130 times.
    whole = regions.whole_space()
    part = regions.enumerate_regions(WIDE, whole, method="vertex")
    assert len(part) == oracles.zaslavsky(64, 2) == 2081 and part.per_layer[0] == 2081
    monkeypatch.setattr(VertexEngine, "split_steps", 10**9)
    monkeypatch.setattr(VertexEngine, "run_steps", 10**9)
    uncut = regions.enumerate_regions(WIDE, whole, method="vertex")
    assert np.array_equal(part.patterns, uncut.patterns)
    np.testing.assert_allclose(part.witnesses, uncut.witnesses, rtol=1e-12, atol=1e-12)


def test_ctrl_c_in_the_middle_of_one_huge_cell_then_resume(short_splits, ctrl_c_after,
                                                           tmp_path):
    whole = regions.whole_space()
    full = regions.enumerate_regions(WIDE, whole, method="vertex")
    path = tmp_path / "run.npz"
    sent = ctrl_c_after(100)
    part = regions.enumerate_regions(WIDE, whole, checkpoint=path, method="vertex")
    # Stopped inside the first layer's split: final regions kept, cut-short cells pending.
    assert part.stop_reason == "interrupted" and len(part) == sent[0] < 200
    assert part.unfinished > 0 and is_prefix(part, full)
    ctrl_c_after(10**9)                                        # disarmed
    identical(regions.enumerate_regions(WIDE, whole, resume=path), full)


@pytest.mark.slow
def test_split_engine_cut_short_then_ctrl_c_and_resume(monkeypatch, ctrl_c_after, tmp_path):
    # The split engine's one cell of a wide layer goes back on the stack after 8 pieces: the
    # same regions in the same order, and Ctrl-C inside that cell keeps a resumable prefix.
    from regions.engines.split import SplitEngine
    net = random_network([2, 24, 1], seed=0)
    uncut = regions.enumerate_regions(net, method="split")
    assert len(uncut) == oracles.zaslavsky(24, 2)
    monkeypatch.setattr(SplitEngine, "split_steps", 8)
    full = regions.enumerate_regions(net, method="split")
    assert np.array_equal(full.patterns, uncut.patterns) and full.per_layer == uncut.per_layer
    path = tmp_path / "run.npz"
    sent = ctrl_c_after(20)
    part = regions.enumerate_regions(net, checkpoint=path, method="split")
    assert part.stop_reason == "interrupted" and len(part) == sent[0] < len(full)
    assert part.unfinished > 0 and is_prefix(part, full)
    ctrl_c_after(10**9)                                        # disarmed
    identical(regions.enumerate_regions(net, resume=path), full)


# --- Checkpoints of counts: the work stack and the counters, no regions ----------------------

def same_count(counted, part, whole_count):
    """A count agrees with an enumeration (regions, per layer, the thin regions) and took
    the LPs of the uninterrupted count ``whole_count`` (a count takes fewer than an
    enumeration: it measures no final region's inscribed ball that is clearly not thin)."""
    assert counted.complete and (counted.regions, counted.per_layer) == (len(part),
                                                                         part.per_layer)
    assert np.array_equal(counted.thin_patterns, part.patterns[part.thin])
    assert counted.lps == whole_count.lps


@pytest.fixture(scope="module")
def with_thin():
    """The uninterrupted run of each method, with regions of radius below 1e-3 thin: the
    enumeration, and the count."""
    return {method: (regions.enumerate_regions(NET, DOMAIN, method=method, min_radius=1e-3),
                     regions.count_regions(NET, DOMAIN, method=method, min_radius=1e-3))
            for method in METHODS}


def test_a_count_reports_the_thin_regions_an_enumeration_finds(with_thin):
    part, counted = with_thin["split"]
    assert len(part.thin) > 0
    same_count(counted, part, counted)
    assert counted.lps < part.lps


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("stop", [1, 300])
def test_a_count_resumed_from_its_checkpoint_counts_the_same(uninterrupted, with_thin,
                                                              small_chunks, tmp_path, method,
                                                              stop):
    """A count stopped after ``stop`` regions and resumed ends with the uninterrupted run's
    count, per-layer counts, LPs and thin regions; its checkpoint holds cells and counters,
    never a region (the enumeration's checkpoint of the same moment holds them all)."""
    path, enumerated = tmp_path / "count.npz", tmp_path / "enumeration.npz"
    first = regions.count_regions(NET, DOMAIN, method=method, max_regions=stop,
                                  checkpoint=path, min_radius=1e-3)
    assert first.stop_reason == "max_regions" and first.regions == stop
    assert first.regions <= first.per_layer[-1] <= first.regions + first.unfinished
    key = checkpoints.fingerprint(NET, DOMAIN.resolve(2), 1e-3)
    saved = checkpoints.load(path, key)
    assert saved.run == "count" and saved.records == [] and saved.cells
    regions.enumerate_regions(NET, DOMAIN, method=method, max_regions=stop,
                              checkpoint=enumerated, min_radius=1e-3)
    assert len(checkpoints.load(enumerated, key).records) > 0
    resumed = regions.count_regions(NET, DOMAIN, resume=path, min_radius=1e-3)
    same_count(resumed, *with_thin[method])
    assert resumed.regions == len(uninterrupted[method])


def test_count_and_enumeration_checkpoints_are_not_mixed_up(tmp_path):
    count_path, enumeration_path = tmp_path / "count.npz", tmp_path / "enumeration.npz"
    regions.count_regions(NET, DOMAIN, max_regions=5, checkpoint=count_path)
    regions.enumerate_regions(NET, DOMAIN, max_regions=5, checkpoint=enumeration_path)
    with pytest.raises(regions.RegionsError, match="holds a count, not an enumeration"):
        regions.enumerate_regions(NET, DOMAIN, resume=count_path)
    with pytest.raises(regions.RegionsError, match="holds an enumeration, not a count"):
        regions.count_regions(NET, DOMAIN, resume=enumeration_path)


@pytest.mark.parametrize("method", METHODS)
def test_a_parallel_count_checkpoints_what_is_not_finished(uninterrupted, monkeypatch,
                                                            tmp_path, method):
    """Five tasks run, the others wait when the time limit passes (a clock that jumps once
    tasks are held): the checkpoint holds every cell of the waiting tasks and the counts of
    the finished ones, and resuming it, serially or on an executor, gives the uninterrupted
    count (itself checked against brute force in test_parallel.py)."""
    from regions.engines import parallel
    executor = InlineExecutor(ready=5)
    monkeypatch.setattr(parallel, "time", types.SimpleNamespace(
        perf_counter=lambda: 1e6 if executor.held else 0.0, time=time.time))
    monkeypatch.setattr(parallel, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(parallel, "STOP_SECONDS", 0.01)
    path = tmp_path / "count.npz"
    stopped = regions.count_regions(NET, DOMAIN, method=method, time_limit=3600,
                                    checkpoint=path, executor=executor)
    assert stopped.stop_reason == "time_limit" and stopped.unfinished >= len(executor.held)
    saved = checkpoints.load(path, checkpoints.fingerprint(NET, DOMAIN.resolve(2),
                                                           regions.MIN_RADIUS))
    assert len(saved.cells) == stopped.unfinished and saved.counters.regions == stopped.regions
    monkeypatch.undo()
    whole = uninterrupted[method]
    serial = regions.count_regions(NET, DOMAIN, resume=path, checkpoint=tmp_path / "again.npz")
    same_count(serial, whole, regions.count_regions(NET, DOMAIN, method=method))
    parallel_resumed = regions.count_regions(NET, DOMAIN, resume=path, executor=InlineExecutor())
    assert (parallel_resumed.regions, parallel_resumed.per_layer) == (len(whole), whole.per_layer)


# --- Progress: the share of the first layer's cells done ---------------------------------------

def first_cells_done(part, found: int) -> int:
    """First-layer cells whose regions all lie among the first ``found`` regions of the
    uninterrupted run ``part`` (depth-first: a first-layer cell's regions are consecutive,
    and told apart by their layer-0 states on a box): the distinct layer-0 patterns there,
    less the one that goes on past them."""
    first = part.network.pattern_slices()[0]
    keys = [row[first].tobytes() for row in part.patterns]
    going_on = 0 < found < len(keys) and keys[found - 1] == keys[found]
    return len(set(keys[:found])) - going_on


@pytest.mark.parametrize("method", METHODS)
def test_progress_reports_the_share_of_first_layer_cells_done(uninterrupted, fake_clock,
                                                              small_chunks, method):
    """A call at every look (one second per clock reading): each share is the first-layer
    cells done, counted independently from the uninterrupted run's regions and patterns,
    over all of them; it never goes back, and the run ends complete."""
    calls = []
    part = regions.enumerate_regions(NET, DOMAIN, method=method,
                                     progress=lambda *args: calls.append(args))
    whole = uninterrupted[method]
    assert part.complete and len(calls) > 20
    total = whole.per_layer[0]
    shares = [explored for *_, explored in calls]
    for found, _, _, _, explored in calls[1:]:      # the first look is before the root's split
        assert explored == first_cells_done(whole, found) / total
    assert shares[0] is None and shares[1:] == sorted(shares[1:]) and 0 < shares[-1] < 1


def test_progress_weighs_the_first_cones_equally_on_all_of_rn(fake_clock, small_chunks):
    """On all of R^2 the vertex engine starts from the 4 cones that two first-layer
    hyperplanes (the walls) cut, and layer 0 waits until the last is split: the share is
    the cones finished, plus the share done of the one under way, over 4. Against the
    cones finished, counted from the uninterrupted run (a region lies in the cone of its
    states on the walls; depth-first, each cone's regions are consecutive): every share
    after the first cone's split lies between that count and one more, over 4, it never
    goes back, and the cone under way's own share shows."""
    net = random_network([2, 8, 8, 1], seed=1)
    whole = regions.enumerate_regions(net, method="vertex")
    walls = VertexEngine(net, regions.whole_space().resolve(2)).cones.labels
    cone = [row.tobytes() for row in whole.patterns[:, walls]]
    ends = [i + 1 for i in range(len(cone)) if i + 1 == len(cone) or cone[i + 1] != cone[i]]
    assert len(ends) == 4                  # 4 cones, each a block of consecutive regions
    calls = []
    part = regions.enumerate_regions(net, method="vertex",
                                     progress=lambda *args: calls.append(args))
    assert part.complete and len(part) == len(whole) and len(calls) > 20
    shares = [explored for *_, explored in calls if explored is not None]
    assert len(shares) >= len(calls) - 1 and shares == sorted(shares)
    for found, _, _, _, explored in calls[1:]:
        finished = sum(end <= found for end in ends)
        assert finished / 4 <= explored <= (finished + 1) / 4
    assert any(4 * share % 1 for share in shares)


def test_a_parallel_run_reports_the_share_done_by_its_finished_tasks(uninterrupted,
                                                                     monkeypatch):
    """Five tasks finish at once (sent in depth-first order), the others wait (an inline
    executor) until the clock jumps past the time limit at the caller's third look: the
    share reported is the first-layer cells whose regions are all among those five tasks',
    over all of them."""
    from regions.engines import parallel
    looks = itertools.count()
    monkeypatch.setattr(parallel, "time", types.SimpleNamespace(
        perf_counter=lambda: 1e6 if next(looks) > 6 else 0.0, time=time.time))
    monkeypatch.setattr(parallel, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(parallel, "STOP_SECONDS", 0.01)
    monkeypatch.setattr(parallel, "FRONTIER_CELLS", 16)     # layer-1 cells, at least 16
    monkeypatch.setattr(parallel, "_sending_order", lambda slots, *_: slots)  # depth-first
    calls = []
    executor = InlineExecutor(ready=5)
    counted = regions.count_regions(NET, DOMAIN, method="vertex", time_limit=3600,
                                    executor=executor, progress=lambda *a: calls.append(a))
    whole = uninterrupted["vertex"]
    done = sum(future.result().count for future in executor.submitted[:5])
    assert counted.stop_reason == "time_limit" and counted.regions == done and calls
    for found, _, _, _, explored in calls:
        assert found == done and explored == first_cells_done(whole, done) / whole.per_layer[0]
        assert 0 < explored < 1


@pytest.mark.parametrize("activation", ["relu", "hardtanh"])
def test_a_parallel_run_on_all_of_rn_reports_first_layer_cells_done_over_their_bound(
        monkeypatch, activation):
    """On all of R^2 the first of the 4 cones runs as a task at once and the frontier
    splits the second only: layer 0 still waits at every look, so the number of first-layer
    cells is not known from the run. Two tasks finish at once (sent in depth-first order),
    the others wait until the clock passes the time limit: the share reported is the
    first-layer cells whose regions all lie among those two tasks' (a depth-first prefix
    of the uninterrupted run), over the bound on the first layer's cells: 8 lines in
    general position cut the plane into 1 + 8 + C(8, 2) = 37 regions (Zaslavsky); 8 pairs
    of parallel lines (hard-tanh), each line meeting the 14 not parallel to it, into
    1 + 16 + 4 C(8, 2) = 129. The uninterrupted run's first layer has that many cells."""
    from regions.engines import parallel
    looks = itertools.count()
    monkeypatch.setattr(parallel, "time", types.SimpleNamespace(
        perf_counter=lambda: 1e6 if next(looks) > 6 else 0.0, time=time.time))
    monkeypatch.setattr(parallel, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(parallel, "STOP_SECONDS", 0.01)
    monkeypatch.setattr(parallel, "FRONTIER_CELLS", 8)
    monkeypatch.setattr(parallel, "_sending_order", lambda slots, *_: slots)  # depth-first
    known = []
    monkeypatch.setattr(parallel, "explored",
                        lambda *args: known.append(driver.explored(*args)) or known[-1])
    net = random_network([2, 8, 8, 1], seed=1, activation=activation)
    whole = regions.enumerate_regions(net, method="vertex")
    bound = {"relu": 1 + 8 + 28, "hardtanh": 1 + 16 + 4 * 28}[activation]
    assert whole.per_layer[0] == bound
    calls = []
    executor = InlineExecutor(ready=2)
    counted = regions.count_regions(net, method="vertex", time_limit=3600, executor=executor,
                                    progress=lambda *a: calls.append(a))
    done = sum(future.result().count for future in executor.submitted[:2])
    assert counted.stop_reason == "time_limit" and counted.regions == done and calls
    assert known and all(share is None for share in known)      # layer 0 waited
    for found, layer, _, _, explored in calls:
        assert found == done and explored == first_cells_done(whole, done) / bound
    assert 0 < first_cells_done(whole, done) < bound


@pytest.mark.parametrize("stop_after", [1, 40, 100, None])
def test_a_running_task_reports_the_first_layer_cells_it_finished(monkeypatch, stop_after):
    """A task given the 4 cones of R^2 (every report taken: REPORT_SECONDS 0) writes to its
    lane the first-layer cells whose regions all lie among those it found, counted from
    the uninterrupted run (a depth-first prefix of it: the task's cells are the run's first
    cells in order), stopped after ``stop_after`` regions or at the end, where it is all
    37 (Zaslavsky's count for 8 lines). A task given deeper cells writes nothing."""
    from regions.engines import parallel
    from regions.packing import pack_tuples
    net = random_network([2, 8, 8, 1], seed=1)
    whole = regions.enumerate_regions(net, method="vertex")
    lanes = parallel.Lanes(parallel.multiprocessing.get_context(), size=2)
    monkeypatch.setattr(parallel, "_lanes", lanes.shared)
    monkeypatch.setattr(parallel, "REPORT_SECONDS", 0.0)
    monkeypatch.setattr(VertexEngine, "chunk", 1)             # a report after every cell
    engine = VertexEngine(net, regions.whole_space().resolve(2), parallel.Settings())
    shared = parallel.Shared(VertexEngine, net, regions.whole_space().resolve(2),
                             parallel.Settings())
    lane = lanes.take()
    outcome = parallel.run_task(parallel.Task(shared, pack_tuples(engine.roots()), stop_after,
                                              None, True, None, lane))
    found = outcome.count
    assert found == (len(whole) if stop_after is None else stop_after)
    assert lanes.running() == found
    assert lanes.finished() == first_cells_done(whole, found)
    assert stop_after is not None or lanes.finished() == 1 + 8 + 28 == whole.per_layer[0]
    deeper = parallel.frontier(engine, engine.roots(), 64, len(net.layers))
    assert max(cell.layer for cell in deeper) > 1
    lanes.give_back(lane)
    lane = lanes.take()
    parallel.run_task(parallel.Task(shared, pack_tuples(deeper), None, None, True, None, lane))
    assert lanes.running() > 0 and lanes.finished() == 0


# --- Crash safety at scale: kill -9 mid-run, resume to the exact count -------------------------

# One layer of 447 lines in general position cuts the plane into 1 + 447 + C(447, 2) =
# 100,129 regions (Zaslavsky). The child counts them under a fake clock (one second per
# reading), saving a checkpoint every 10 of its seconds serially and at every look with two
# workers, and SIGKILLs itself (no cleanup runs: its pool's workers die with it) at the
# first look after it wrote a checkpoint holding at least argv[3] regions. Nothing depends
# on timing: serially the count grows by one engine run (VERTEX_CHUNK cells) per look; with
# two workers every task hands its cells back after one engine run (IN_FLIGHT so large
# that a worker is always wanted, and the forked workers read the fake clock too), so a
# look receives at most one run's regions from each of the few tasks out. Either way the
# checkpoint that crosses argv[3] holds fewer than argv[3] + 30,000 regions.
KILLED_COUNT = """
import itertools, os, signal, sys, time, types
import regions
from regions.engines import driver, parallel
from regions.io import checkpoint
ticks = itertools.count()
clock = types.SimpleNamespace(perf_counter=lambda: float(next(ticks)), time=time.time)
driver.time = clock
written = [0]
def recording(write):
    def record(self, saved):
        write(self, saved)
        written[0] = max(written[0], saved.counters.regions)
    return record
checkpoint.Writer.write = recording(checkpoint.Writer.write)
def killing(original):
    def budget_exhausted(*args):
        if written[0] >= int(sys.argv[3]):
            os.kill(os.getpid(), signal.SIGKILL)
        return original(*args)
    return budget_exhausted
driver.budget_exhausted = killing(driver.budget_exhausted)
parallel.budget_exhausted = killing(parallel.budget_exhausted)
net = regions.read_network(sys.argv[1])
if sys.argv[4] == "serial":
    regions.count_regions(net, checkpoint=sys.argv[2], checkpoint_every=10)
else:
    import multiprocessing
    multiprocessing.set_start_method("fork")    # the workers inherit the fake clock
    parallel.time = clock
    parallel.POLL_SECONDS = 0.01
    parallel.IN_FLIGHT = 10**6
    parallel.FRONTIER_CELLS = 1     # the first cones are the tasks
    with parallel.process_pool(2) as pool:
        regions.count_regions(net, checkpoint=sys.argv[2], checkpoint_every=0, executor=pool)
"""


@pytest.mark.slow
@pytest.mark.parametrize("run", ["serial", "two workers"])
def test_a_count_of_100k_regions_killed_mid_run_resumes_to_zaslavsky(tmp_path, run):
    from math import comb
    net = random_network([2, 447, 1], seed=11)
    total = 1 + 447 + comb(447, 2)
    net_path, path = tmp_path / "net.npz", tmp_path / "count.npz"
    regions.write_network(net, net_path)
    child = subprocess.run([sys.executable, "-c", KILLED_COUNT, str(net_path), str(path),
                            "20000", run], capture_output=True, text=True, timeout=300)
    assert child.returncode == -signal.SIGKILL, child.stderr
    saved = checkpoints.load(path, checkpoints.fingerprint(net, regions.whole_space().resolve(2),
                                                           regions.MIN_RADIUS))
    assert 20000 <= saved.counters.regions < 50000 and saved.cells     # written mid-run
    resumed = regions.count_regions(net, resume=path)
    assert resumed.complete and resumed.regions == total
    assert resumed.per_layer == [total, total]
