"""Executors: region subtrees on thread pools, process pools and a dask cluster.

The serial run is the reference, region for region (patterns, order,
witnesses, margins, H-representations); the serial count itself is checked
against brute force over activation patterns, an independent oracle.
"""

import concurrent.futures
import json

import numpy as np
import pytest

import regions
from regions import parallel
from regions.cli import main
from regions.random_networks import random_network

import oracles

BOX = regions.box(-1, 1)
# Small enough for brute force, big enough that the frontier holds many tasks.
SMALL = oracles.random_net([2, 6, 6, 1], ["relu", "hardtanh", "identity"], seed=1)
NET = random_network([2, 12, 12, 12, 1], seed=3)
NETS = {"vertex": NET, "split": random_network([2, 8, 8, 8, 1], seed=3)}


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


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_small_network_matches_brute_force_on_any_executor(executor, method):
    brute = oracles.unambiguous(oracles.brute_force_patterns, SMALL, oracles.box_slice([-1, -1], [1, 1]))
    serial = regions.enumerate(SMALL, BOX, method=method)
    assert oracles.pattern_set(serial) == brute
    same_regions(serial, regions.enumerate(SMALL, BOX, method=method, executor=executor))


@pytest.mark.parametrize("method,domain", [("split", BOX), ("vertex", BOX),
                                           ("split", regions.whole_space())])
def test_executor_gives_the_serial_result(executor, method, domain):
    serial = regions.enumerate(NETS[method], domain, method=method)
    other = regions.enumerate(NETS[method], domain, method=method, executor=executor)
    same_regions(serial, other)
    assert other.complete and other.unfinished == 0
    assert (other.lps, other.per_layer, other.slivers) == (serial.lps, serial.per_layer,
                                                           serial.slivers)


@pytest.mark.parametrize("cells", [1, 3, 500])
def test_frontier_size_does_not_change_the_result(monkeypatch, executor, cells):
    serial = regions.enumerate(NET, BOX, method="vertex")
    monkeypatch.setattr(parallel, "FRONTIER_CELLS", cells)
    same_regions(serial, regions.enumerate(NET, BOX, method="vertex", executor=executor))


@pytest.mark.parametrize("method", ["split", "vertex"])
def test_max_regions_on_an_executor_is_the_serial_prefix(executor, method):
    serial = regions.enumerate(NETS[method], BOX, method=method, max_regions=37)
    other = regions.enumerate(NETS[method], BOX, method=method, max_regions=37,
                              executor=executor)
    assert len(other) == 37 and other.stop_reason == "max_regions" and other.unfinished > 0
    same_regions(serial, other)


def test_time_limit_on_an_executor_returns_a_prefix_of_the_serial_order(executor):
    net = random_network([2, 16, 16, 16, 16, 1], seed=0)
    other = regions.enumerate(net, BOX, method="split", time_limit=1.0, executor=executor)
    assert other.stop_reason == "time_limit" and not other.complete and other.unfinished > 0
    serial = regions.enumerate(net, BOX, method="split", max_regions=max(len(other), 1))
    assert np.array_equal(other.patterns, serial.patterns[:len(other)])


def test_executor_refuses_checkpoints_and_the_walk(tmp_path):
    with concurrent.futures.ThreadPoolExecutor(1) as executor:
        with pytest.raises(regions.RegionsError, match="no executor"):
            regions.enumerate(NET, BOX, executor=executor, checkpoint=tmp_path / "run.npz")
        with pytest.raises(regions.RegionsError, match="no executor"):
            regions.enumerate(NET, BOX, method="walk", executor=executor)


def test_dask_local_cluster_of_two_workers():
    distributed = pytest.importorskip("distributed")
    serial = regions.enumerate(NET, BOX, method="vertex")
    whole = regions.enumerate(SMALL, regions.whole_space(), method="split")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        executor = client.get_executor()
        same_regions(serial, regions.enumerate(NET, BOX, method="vertex", executor=executor))
        same_regions(whole, regions.enumerate(SMALL, regions.whole_space(), method="split",
                                              executor=executor))


def test_cli_workers(tmp_path, capsys):
    path = tmp_path / "net.npz"
    regions.save(NET, path)
    serial = regions.enumerate(NET, BOX)
    assert main(["count", str(path), "--box", "-1", "1", "--json", "--quiet",
                 "--workers", "2"]) == 0
    assert json.loads(capsys.readouterr().out)["regions"] == len(serial)
    assert main(["count", str(path), "--workers", "0", "--quiet"]) == 2
    assert "--workers" in capsys.readouterr().err
