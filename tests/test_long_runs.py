"""Budgets, interrupts, checkpoints and resume: partial results are true, resumed runs identical."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import regions
from regions.cli import EXIT_INCOMPLETE, main
from regions.random_networks import random_network

NET = random_network([2, 12, 12, 12, 1], seed=3)
DOMAIN = regions.box(-1, 1)
# Networks that take well over a second with each method (for time limits and Ctrl-C).
SLOW = {"split": random_network([2, 16, 16, 16, 16, 1], seed=0),
        "vertex": random_network([4, 16, 16, 16, 16, 1], seed=0)}


@pytest.fixture(scope="module")
def full():
    """The uninterrupted run of the split method (the one with checkpoints)."""
    part = regions.enumerate(NET, DOMAIN, method="split")
    assert part.complete and part.unfinished == 0
    return part


def pattern_set(part):
    return set(map(bytes, part.patterns))


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_max_regions_gives_a_subset_of_final_regions(method):
    whole = regions.enumerate(NET, DOMAIN, method=method)
    part = regions.enumerate(NET, DOMAIN, max_regions=25, method=method)
    assert not part.complete and part.stop_reason == "max_regions"
    assert len(part) == 25 and part.unfinished > 0
    # Depth-first order: the partial result is the first 25 final regions of the full run.
    assert np.array_equal(part.patterns, whole.patterns[:25])
    assert np.array_equal(part.witnesses, whole.witnesses[:25])


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_time_limit_stops_with_a_subset(method):
    net = SLOW[method]
    part = regions.enumerate(net, DOMAIN, time_limit=0.05, method=method)
    assert not part.complete and part.stop_reason == "time_limit"
    reference = regions.enumerate(net, DOMAIN, max_regions=len(part) + 1, method=method)
    assert pattern_set(part) < pattern_set(reference)


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_memory_limit_stops(full, method):
    part = regions.enumerate(NET, DOMAIN, memory_limit=1, method=method)  # exceeded at once
    assert not part.complete and part.stop_reason == "memory_limit"
    assert pattern_set(part) <= pattern_set(full)


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_sigint_returns_partial_result(method):
    found_at_interrupt = []

    def interrupt(found, layer, pending, seconds):
        if not found_at_interrupt:
            found_at_interrupt.append(found)
            os.kill(os.getpid(), signal.SIGINT)

    # A network big enough that the first progress call (after 0.5 s) comes before the end.
    big = SLOW[method]
    part = regions.enumerate(big, DOMAIN, progress=interrupt, max_regions=None, method=method)
    assert part.stop_reason == "interrupted" and not part.complete and part.unfinished > 0
    assert len(part) == found_at_interrupt[0]
    # What was found is exactly the start of the uninterrupted depth-first order.
    reference = regions.enumerate(big, DOMAIN, max_regions=len(part), method=method)
    assert np.array_equal(part.patterns, reference.patterns)


def test_resume_after_budget_is_identical(full, tmp_path):
    path = tmp_path / "run.npz"
    first = regions.enumerate(NET, DOMAIN, max_regions=40, checkpoint=path)
    assert not first.complete
    second = regions.enumerate(NET, DOMAIN, resume=path, max_regions=80)
    assert len(second) == 80 and not second.complete
    last = regions.enumerate(NET, DOMAIN, resume=path)
    assert last.complete
    assert np.array_equal(last.patterns, full.patterns)
    assert np.array_equal(last.witnesses, full.witnesses)
    assert np.array_equal(last.margins, full.margins)
    assert last.per_layer == full.per_layer
    assert last.lps == full.lps
    for i in (0, len(full) // 2, len(full) - 1):
        assert np.array_equal(last[i].A, full[i].A) and np.array_equal(last[i].C, full[i].C)


def test_resume_refuses_another_network(tmp_path):
    path = tmp_path / "run.npz"
    regions.enumerate(NET, DOMAIN, max_regions=5, checkpoint=path)
    other = random_network([2, 12, 12, 12, 1], seed=4)
    with pytest.raises(regions.FileFormatError, match="different network"):
        regions.enumerate(other, DOMAIN, resume=path)
    with pytest.raises(regions.FileFormatError, match="different network"):
        regions.enumerate(NET, regions.box(-2, 2), resume=path)
    with pytest.raises(regions.FileFormatError, match="no such checkpoint"):
        regions.enumerate(NET, DOMAIN, resume=tmp_path / "missing.npz")


def test_sigkill_mid_run_then_resume(full, tmp_path):
    net_path = tmp_path / "net.npz"
    regions.save(NET, net_path)
    checkpoint = tmp_path / "ck.npz"
    child = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, regions;"
         "regions.enumerate(regions.load(sys.argv[1]), regions.box(-1, 1),"
         " checkpoint=sys.argv[2], checkpoint_every=0.0)",
         str(net_path), str(checkpoint)])
    deadline = time.time() + 60
    while not checkpoint.exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL, "the child finished before it could be killed"
    resumed = regions.enumerate(NET, DOMAIN, resume=checkpoint)
    assert resumed.complete
    assert np.array_equal(resumed.patterns, full.patterns)
    assert np.array_equal(resumed.witnesses, full.witnesses)
    assert resumed.lps == full.lps


def test_cli_incomplete_exit_code_and_json(tmp_path, capsys):
    net_path = tmp_path / "net.npz"
    regions.save(NET, net_path)
    code = main(["count", str(net_path), "--box", "-1", "1", "--max-regions", "10", "--json",
                 "--quiet"])
    assert code == EXIT_INCOMPLETE
    import json

    summary = json.loads(capsys.readouterr().out)
    assert summary["complete"] is False and summary["regions"] == 10
    assert summary["unfinished"] > 0 and summary["stop_reason"] == "max_regions"
