"""The controls act during an engine's setup too: Ctrl-C, time and memory budgets.

The vertex engine's setup can be long: on all of R^n it builds the ``2^r`` cones that ``r``
first-layer hyperplanes cut around their apex, and on a polytope it solves every subset of
``dim`` rows for the vertices. Both call the driver's ``check()`` every
``CHECK_EVERY`` steps. Interruptions are driven on cue (a SIGINT sent from inside the
setup, a check that stops at its k-th call), never by sleeps. Counts come from
Zaslavsky's formula: ``r`` hyperplanes in general position through one point of R^r cut it
into ``2^r`` regions.
"""

import os
import signal

import numpy as np
import pytest

import regions
from regions.engines import vertex
from regions.engines.driver import SetupStopped
from regions.random_networks import random_network


def cones_net(r: int) -> regions.Network:
    """A [r, r, 1] network: r hyperplanes in general position through one point of R^r."""
    return random_network([r, r, 1], seed=0)


def stop_at(call: int):
    """A setup check that stops the setup at its ``call``-th call; returns it and the calls."""
    calls = []

    def check():
        calls.append(len(calls) + 1)
        if len(calls) == call:
            raise SetupStopped("time_limit")
    return check, calls


def test_cones_are_built_under_checks_and_complete_count_is_zaslavsky():
    engine = vertex.VertexEngine(cones_net(10), regions.whole_space(10).resolve(10))
    check, calls = stop_at(3)
    with pytest.raises(SetupStopped):
        engine.roots(check)
    assert calls == [1, 2, 3]           # cones 0, 256 and 512: the setup stopped there
    counted = regions.count_regions(cones_net(10), method="vertex")
    assert (counted.regions, counted.complete) == (2 ** 10, True)


def test_polytope_vertices_are_found_under_checks(monkeypatch):
    # a 3-D polytope of 40 rows (9,880 row triples) around the origin, its first cell not
    # kept from an earlier run
    monkeypatch.setattr(vertex, "_ROOTS", type(vertex._ROOTS)())
    directions = np.random.default_rng(1).normal(size=(40, 3))
    domain = regions.polytope(directions, np.ones(40)).resolve(3)
    check, calls = stop_at(2)
    with pytest.raises(SetupStopped):
        vertex.bounded_root(domain, check)
    assert calls == [1, 2]


@pytest.mark.parametrize("run", [regions.count_regions, regions.enumerate_regions])
def test_ctrl_c_during_the_cones_stops_the_run_at_once(monkeypatch, run):
    built = []
    original = vertex.Cones.cells

    def interrupted(self, check=None):
        os.kill(os.getpid(), signal.SIGINT)     # Ctrl-C as the cones start

        def counting():
            built.append(1)
            check()
        return original(self, counting)
    monkeypatch.setattr(vertex.Cones, "cells", interrupted)
    found = run(cones_net(12), method="vertex")
    count = found.regions if run is regions.count_regions else len(found)
    assert (count, found.complete, found.stop_reason, found.unfinished) == (
        0, False, "interrupted", 1)
    assert built == [1]                 # the first check stopped it: 1 of 4,096 cones


def test_a_budget_spent_before_the_setup_stops_it_before_any_work(monkeypatch):
    monkeypatch.setattr(vertex.Cones, "cells", lambda self, check=None: pytest.fail("built"))
    found = regions.count_regions(cones_net(12), method="vertex", memory_limit=1.0)
    assert (found.regions, found.stop_reason, found.unfinished) == (0, "memory_limit", 1)


def test_a_run_stopped_in_its_setup_writes_no_checkpoint(tmp_path):
    path = tmp_path / "ck.npz"
    found = regions.count_regions(cones_net(12), method="vertex", memory_limit=1.0,
                                  checkpoint=path)
    assert found.stop_reason == "memory_limit" and not path.exists()


def test_too_many_cones_are_refused_before_any_work():
    with pytest.raises(regions.DomainError, match=r"2\^17 cones .*at most 2\^16"):
        regions.count_regions(cones_net(17), method="vertex")


def test_a_progress_callback_of_four_arguments_still_works_with_a_warning(monkeypatch):
    # the driver reports progress at every look once its clock has passed 0.5 s
    from regions.engines import driver
    ticks = iter(range(10**6))
    monkeypatch.setattr(driver.time, "perf_counter", lambda: float(next(ticks)))
    calls = []
    with pytest.warns(DeprecationWarning, match="four arguments"):
        found = regions.count_regions(cones_net(3), method="split",
                                      progress=lambda n, layer, pending, seconds:
                                      calls.append(n))
    assert found.regions == 2 ** 3 and calls and calls[-1] <= 2 ** 3


def test_records_are_taken_in_batches_and_before_every_checkpoint(monkeypatch):
    """The driver takes an engine's regions into the records once it holds
    ``RESULTS_EVERY`` of them, and before each checkpoint, so a checkpoint holds every
    region found; the count is Zaslavsky's for 12 lines in general position in the plane
    (1 + 12 + 66)."""
    from regions.engines import driver
    from regions.engines.base import Settings

    monkeypatch.setattr(driver, "RESULTS_EVERY", 10)
    monkeypatch.setattr(vertex.VertexEngine, "chunk", 1)
    net = random_network([2, 12, 1], seed=3)

    def run(**options):
        engine = vertex.VertexEngine(net, regions.whole_space(2).resolve(2), Settings())
        for cell in reversed(engine.roots()):
            engine.push(cell)
        taken, take = [], engine.take_results

        def counted_take():
            records = take()
            taken.append(engine.count(records))
            return records
        monkeypatch.setattr(engine, "take_results", counted_take)
        records: list = []
        driver.drive(engine, records, **options)
        assert engine.count(records) == engine.n_regions == 1 + 12 + 66
        return [n for n in taken if n]

    batches = run()
    assert len(batches) > 1 and min(batches[:-1]) >= 10
    saved = []
    batches = run(checkpoint_every=0.0, checkpoint=lambda engine, records, seconds:
                  saved.append((engine.n_regions, engine.count(records))))
    assert len(saved) > len(batches) > 10 and all(found == kept for found, kept in saved)
