"""Faults around checkpoints, through the command line where the user meets them.

A process killed while writing, a truncated or bit-flipped file, a checkpoint
of another network or of a network file changed since, an unwritable
directory, a full disk: each ends with one line on stderr and a defined exit
code (2, or the kill's own status), never a wrong count and never a lost
checkpoint. Faults are injected deterministically: the child process SIGKILLs
itself from inside ``os.replace``; read-only directories and full disks are
simulated by patching what :mod:`regions.io.checkpoint` calls (the tests run as
root, where permissions are not enforced); checkpoints are written at every
step by a fake clock, never by waiting.
"""

import errno
import functools
import itertools
import json
import os
import signal
import subprocess
import sys
import time
import types
import zipfile

import numpy as np
import pytest

import regions
from regions.io import checkpoint as checkpoints
from regions import cli
from regions.engines import driver
from regions.engines.split import SplitEngine
from regions.errors import CheckpointError
from regions.random_networks import random_network

from runs import identical

NET = random_network([2, 8, 8, 1], seed=3)            # 147 regions in a fraction of a second
OTHER = random_network([2, 8, 8, 1], seed=4)
DOMAIN = regions.box(-1, 1)
BOX = ["--box", "-1", "1", "--method", "split"]
EXIT_BAD_INPUT = cli.EXIT_BAD_INPUT            # 2: one line on stderr


@pytest.fixture(scope="module")
def full():
    part = regions.enumerate_regions(NET, DOMAIN, method="split")
    assert part.complete
    return part


@pytest.fixture
def net_file(network_file):
    path = network_file(NET)
    return path


@pytest.fixture
def every_step_saves(monkeypatch):
    """The driver's clock advances 10 s per reading, more than the checkpoint interval:
    the run writes its checkpoint at the top of every step, of one cell each."""
    monkeypatch.setattr(SplitEngine, "chunk", 1)
    ticks = itertools.count()
    monkeypatch.setattr(driver, "time", types.SimpleNamespace(
        perf_counter=lambda: 10.0 * next(ticks), time=time.time, sleep=time.sleep))


class Proxy:
    """A module seen through a few replaced attributes (patched into regions.io.checkpoint only)."""

    def __init__(self, module, **replaced):
        self._module = module
        self.__dict__.update(replaced)

    def __getattr__(self, name):
        return getattr(self._module, name)


def count(capsys, *args):
    """``regions count ... --quiet --json`` in this process: ``(exit code, stdout, stderr)``."""
    code = cli.main(["count", *map(str, args), "--quiet", "--json"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line_error(err, *phrases):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("regions: error: "), err
    for phrase in phrases:
        assert phrase in lines[0], err


def partial_checkpoint(capsys, net_file, path, regions_found=20):
    code, out, err = count(capsys, net_file, *BOX, "--max-regions", regions_found,
                           "--checkpoint", path)
    assert code == cli.EXIT_INCOMPLETE and err.count("\n") == 1
    assert err.startswith("warning: the enumeration stopped early (--max-regions, ")
    assert json.loads(out)["regions"] == regions_found
    return path.read_bytes()


def key(net=NET):
    return checkpoints.fingerprint(net, DOMAIN.resolve(net.input_dim), regions.MIN_RADIUS)


@functools.cache
def uninterrupted_lps() -> int:
    """The LPs of the uninterrupted count (fewer than the enumeration's: a count measures no
    inscribed ball that is clearly not thin)."""
    return regions.count_regions(NET, DOMAIN, method="split").lps


def resumes_to_the_full_result(capsys, net_file, path, full):
    """The CLI resumes ``path`` to exactly the uninterrupted count and LP count; so does the
    API from a copy (a count's checkpoint: the count, per layer, and the thin regions)."""
    copy = path.parent / ("copy-" + path.name)
    copy.write_bytes(path.read_bytes())
    resumed = regions.count_regions(NET, DOMAIN, resume=copy)
    assert resumed.complete and (resumed.regions, resumed.lps, resumed.per_layer) == (
        len(full), uninterrupted_lps(), full.per_layer)
    assert np.array_equal(resumed.thin_patterns, full.patterns[full.thin])
    code, out, err = count(capsys, net_file, *BOX, "--resume", path)
    summary = json.loads(out)
    assert code == 0 and err == ""
    assert summary["complete"] and summary["regions"] == len(full)
    assert summary["lps"] == uninterrupted_lps()


def temporaries(directory):
    return sorted(name for name in os.listdir(directory) if name.endswith(".tmp"))


def same_state(a, b):
    if (a.engine, a.counters, a.seconds) != (b.engine, b.counters, b.seconds):
        return False
    for xs, ys in ((a.cells, b.cells), (a.records, b.records)):
        if len(xs) != len(ys):
            return False
        for x, y in zip(xs, ys):
            for u, v in zip(x, y):
                u, v = np.asarray(u), np.asarray(v)
                if u.dtype != v.dtype or not np.array_equal(u, v):
                    return False
    return True


# --- SIGKILL in the middle of a checkpoint write ---------------------------------------------

# Saves at every step (fake clock); write number argv[1] is killed after its temporary file
# is complete and flushed, before the rename. After each good write, the file is copied to
# FILE.last-good, so the parent can check that the kill left exactly that behind.
KILLED_WHILE_WRITING = """
import itertools, os, shutil, signal, sys, time, types
from regions import cli
from regions.engines import driver
from regions.engines.split import SplitEngine
SplitEngine.chunk = 1       # one cell per step: a save per cell
ticks = itertools.count()
driver.time = types.SimpleNamespace(perf_counter=lambda: 10.0 * next(ticks), time=time.time)
kill_on, replace, writes = int(sys.argv[1]), os.replace, itertools.count(1)
def dying_replace(source, target):
    if next(writes) == kill_on:
        os.kill(os.getpid(), signal.SIGKILL)
    replace(source, target)
    shutil.copyfile(target, target + ".last-good")
os.replace = dying_replace
sys.exit(cli.main(sys.argv[2:]))
"""


@pytest.mark.parametrize("kill_on", [1, 2, 40])
def test_sigkill_during_a_checkpoint_write_keeps_the_previous_one(full, net_file, tmp_path,
                                                                   capsys, kill_on):
    path = tmp_path / "ck.npz"
    child = subprocess.run(
        [sys.executable, "-c", KILLED_WHILE_WRITING, str(kill_on), "count", str(net_file),
         *BOX, "--checkpoint", str(path), "--quiet"],
        capture_output=True, text=True, timeout=300)
    assert child.returncode == -signal.SIGKILL, child.stderr
    # The kill came mid-write: the new checkpoint exists only as an orphaned temporary file.
    assert len(temporaries(tmp_path)) == 1
    if kill_on == 1:
        assert not path.exists()        # there was no previous checkpoint to keep
        code, out, err = count(capsys, net_file, *BOX, "--resume", path)
        assert code == EXIT_BAD_INPUT and out == ""
        one_line_error(err, "no such checkpoint")
        return
    # The previous checkpoint is intact, byte for byte, and loads.
    assert path.read_bytes() == (tmp_path / "ck.npz.last-good").read_bytes()
    assert checkpoints.load(path, key()).cells
    resumes_to_the_full_result(capsys, net_file, path, full)
    assert temporaries(tmp_path) == []      # the next good write removed the orphan


# --- Truncated and corrupted checkpoints ----------------------------------------------------

def test_truncated_checkpoints_are_refused(capsys, net_file, tmp_path):
    path = tmp_path / "ck.npz"
    data = partial_checkpoint(capsys, net_file, path)
    bad = tmp_path / "bad.npz"
    for size in sorted({0, 1, 4, 22, 100, len(data) // 3, len(data) // 2, len(data) - 22,
                        len(data) - 1}):
        bad.write_bytes(data[:size])
        with pytest.raises(CheckpointError, match="not a readable checkpoint"):
            checkpoints.load(bad, key())
    bad.write_bytes(data[:len(data) // 2])
    code, out, err = count(capsys, net_file, *BOX, "--resume", bad)
    assert code == EXIT_BAD_INPUT and out == ""
    one_line_error(err, str(bad), "not a readable checkpoint")
    assert bad.read_bytes() == data[:len(data) // 2]       # refused, not overwritten
    assert path.read_bytes() == data


def test_a_bit_flip_in_the_middle_is_refused(capsys, net_file, tmp_path):
    path = tmp_path / "ck.npz"
    data = bytearray(partial_checkpoint(capsys, net_file, path))
    data[len(data) // 2] ^= 0x10
    path.write_bytes(data)
    code, out, err = count(capsys, net_file, *BOX, "--resume", path)
    assert code == EXIT_BAD_INPUT and out == ""
    one_line_error(err, str(path))
    assert path.read_bytes() == data


def test_bit_flips_anywhere_are_refused_or_harmless(capsys, net_file, tmp_path):
    """A single flipped bit is refused, or (in bytes the zip reader ignores: timestamps,
    attributes, the zip64 extra field) loads the very same state: never a different one.
    Every byte of one member's zip and .npy headers, and a stride through the rest."""
    path = tmp_path / "ck.npz"
    data = partial_checkpoint(capsys, net_file, path)
    reference = checkpoints.load(path, key())
    with zipfile.ZipFile(path) as archive:
        member = archive.getinfo("cell_1_data.npy").header_offset     # the cells' rows
    positions = sorted(set(range(0, len(data), 151)) | set(range(member, member + 200)))
    bad, refused, harmless = tmp_path / "bad.npz", 0, 0
    for position in positions:
        flipped = bytearray(data)
        flipped[position] ^= 1 << (position % 8)
        bad.write_bytes(flipped)
        try:
            state = checkpoints.load(bad, key())
        except CheckpointError:
            refused += 1
        else:
            assert same_state(state, reference), f"flip at byte {position} changed the state"
            harmless += 1
    assert refused > harmless > 0


def test_the_checksum_catches_what_the_zip_crc_cannot(capsys, net_file, tmp_path):
    """A checkpoint rewritten with one value changed has valid zip CRCs: the content
    checksum refuses it. So are a checkpoint without a checksum and one of an older format."""
    path = tmp_path / "ck.npz"
    partial_checkpoint(capsys, net_file, path)
    with np.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files}
    edited = dict(arrays, cell_1_data=arrays["cell_1_data"].copy())   # a cell's rows
    edited["cell_1_data"][0] = np.nextafter(edited["cell_1_data"][0], np.inf)
    np.savez(path, **edited)
    code, out, err = count(capsys, net_file, *BOX, "--resume", path)
    assert code == EXIT_BAD_INPUT
    one_line_error(err, "corrupt", "checksum")
    unchecked = {k: v for k, v in arrays.items() if k != "checksum"}
    np.savez(path, **unchecked)
    with pytest.raises(CheckpointError, match="checksum"):
        checkpoints.load(path, key())
    np.savez(path, **dict(unchecked, version=np.int64(1)))
    with pytest.raises(CheckpointError, match="format 1"):
        checkpoints.load(path, key())
    path.write_bytes(b"not a zip file at all")
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        checkpoints.load(path, key())


# --- Another network, a changed network file ------------------------------------------------

def test_a_checkpoint_of_another_network_or_domain_is_refused(full, capsys, net_file, tmp_path):
    path = tmp_path / "ck.npz"
    data = partial_checkpoint(capsys, net_file, path)
    other = tmp_path / "other.npz"
    regions.write_network(OTHER, other)
    for args in ([other, *BOX], [net_file, "--box", "-2", "2"], [net_file],
                 [net_file, *BOX, "--min-radius", "2e-6"]):
        code, out, err = count(capsys, *args, "--resume", path)
        assert code == EXIT_BAD_INPUT and out == ""
        one_line_error(err, "different network, domain or tolerance")
        assert path.read_bytes() == data                   # refused, not overwritten
    resumes_to_the_full_result(capsys, net_file, path, full)


def test_a_network_file_changed_since_the_checkpoint_is_refused(full, capsys, net_file,
                                                                 tmp_path):
    path = tmp_path / "ck.npz"
    data = partial_checkpoint(capsys, net_file, path)
    original = net_file.read_bytes()
    with np.load(net_file) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["W1"] = arrays["W1"].copy()
    arrays["W1"][0, 0] = np.nextafter(arrays["W1"][0, 0], np.inf)     # one ulp
    np.savez(net_file, **arrays)
    code, out, err = count(capsys, net_file, *BOX, "--resume", path)
    assert code == EXIT_BAD_INPUT and out == ""
    one_line_error(err, "different network")
    assert path.read_bytes() == data
    net_file.write_bytes(original)                         # the right network resumes fine
    resumes_to_the_full_result(capsys, net_file, path, full)


# --- Unwritable directory, full disk --------------------------------------------------------

def permission_denied(*args, **kwargs):
    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), kwargs.get("dir"))


def test_a_read_only_directory_gives_one_line(monkeypatch, capsys, net_file, tmp_path):
    """Simulated: creating the temporary file is refused, as in a directory without write
    permission (running as root, a real chmod would not stop the write)."""
    monkeypatch.setattr(checkpoints, "tempfile", Proxy(checkpoints.tempfile,
                                                       mkstemp=permission_denied))
    path = tmp_path / "ro" / "ck.npz"
    path.parent.mkdir()
    code, out, err = count(capsys, net_file, *BOX, "--checkpoint", path)
    assert code == EXIT_BAD_INPUT and out == ""
    one_line_error(err, "cannot write checkpoint", str(path), "Permission denied")
    assert os.listdir(path.parent) == []


def test_a_refused_rename_keeps_the_previous_checkpoint(full, monkeypatch, capsys, net_file,
                                                        tmp_path):
    """Simulated: the temporary file is written but renaming it over the checkpoint is
    refused; the previous checkpoint stays, the temporary file goes."""
    path = tmp_path / "ck.npz"
    data = partial_checkpoint(capsys, net_file, path)
    monkeypatch.setattr(checkpoints, "os", Proxy(os, replace=permission_denied))
    code, out, err = count(capsys, net_file, *BOX, "--resume", path)
    assert code == EXIT_BAD_INPUT and out == ""
    one_line_error(err, "cannot write checkpoint", "Permission denied",
                   "previous checkpoint is unchanged")
    assert path.read_bytes() == data and temporaries(tmp_path) == []
    monkeypatch.undo()
    resumes_to_the_full_result(capsys, net_file, path, full)


def test_a_really_read_only_directory(capsys, net_file, tmp_path):
    directory = tmp_path / "ro"
    directory.mkdir()
    directory.chmod(0o555)
    try:
        try:
            (directory / "probe").write_bytes(b"")
        except PermissionError:
            pass
        else:
            pytest.skip("permissions are not enforced for this user (root): "
                        "test_a_read_only_directory_gives_one_line simulates it")
        code, out, err = count(capsys, net_file, *BOX, "--checkpoint", directory / "ck.npz")
        assert code == EXIT_BAD_INPUT
        one_line_error(err, "cannot write checkpoint", "Permission denied")
        assert os.listdir(directory) == []
    finally:
        directory.chmod(0o755)


def test_missing_directory_and_directory_as_checkpoint(capsys, net_file, tmp_path):
    code, out, err = count(capsys, net_file, *BOX, "--checkpoint", tmp_path / "no" / "ck.npz")
    assert code == EXIT_BAD_INPUT
    one_line_error(err, "cannot write checkpoint", "No such file or directory")
    target = tmp_path / "a-directory"
    target.mkdir()
    code, out, err = count(capsys, net_file, *BOX, "--checkpoint", target)
    assert code == EXIT_BAD_INPUT
    one_line_error(err, "cannot write checkpoint", str(target))
    assert temporaries(tmp_path) == [] and os.listdir(target) == []


class FillingDisk:
    """Patched into regions.io.checkpoint as ``os``: write number ``fail_on`` runs out of space
    (a partial write of ``room`` bytes then ENOSPC, or at fsync); after every good write the
    checkpoint is copied to ``FILE.last-good``."""

    def __init__(self, fail_on: int, stage: str, room: int = 5000):
        self.fail_on, self.stage, self.room = fail_on, stage, room
        self.writes = 0

    def __getattr__(self, name):
        return getattr(os, name)

    def fdopen(self, fd, mode):
        self.writes += 1
        handle = os.fdopen(fd, mode)
        if self.writes == self.fail_on and self.stage == "write":
            return FullFile(handle, self.room)
        return handle

    def fsync(self, fd):
        if self.writes == self.fail_on and self.stage == "fsync":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        os.fsync(fd)

    def replace(self, source, target):
        os.replace(source, target)
        with open(target, "rb") as good, open(os.fspath(target) + ".last-good", "wb") as copy:
            copy.write(good.read())


class FullFile:
    def __init__(self, handle, room):
        self._handle, self._room = handle, room

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()
        return False

    def write(self, data):
        data = bytes(data)
        if len(data) > self._room:
            self._handle.write(data[:self._room])
            self._room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(data)
        return self._handle.write(data)


@pytest.mark.parametrize("stage", ["write", "fsync"])
@pytest.mark.parametrize("fail_on", [1, 6])
def test_a_full_disk_keeps_the_previous_checkpoint(full, monkeypatch, every_step_saves, capsys,
                                                   net_file, tmp_path, stage, fail_on):
    disk = FillingDisk(fail_on, stage)
    monkeypatch.setattr(checkpoints, "os", disk)
    path = tmp_path / "ck.npz"
    code, out, err = count(capsys, net_file, *BOX, "--checkpoint", path)
    assert disk.writes == fail_on
    assert code == EXIT_BAD_INPUT and out == ""
    one_line_error(err, "cannot write checkpoint", "No space left on device")
    assert temporaries(tmp_path) == []
    monkeypatch.undo()
    if fail_on == 1:
        assert not path.exists()
        return
    assert "previous checkpoint is unchanged" in err
    assert path.read_bytes() == (tmp_path / "ck.npz.last-good").read_bytes()
    resumes_to_the_full_result(capsys, net_file, path, full)


def test_a_full_disk_through_the_api_raises_checkpoint_error(monkeypatch, tmp_path):
    monkeypatch.setattr(checkpoints, "os", FillingDisk(1, "write", room=0))
    with pytest.raises(CheckpointError, match="No space left") as caught:
        regions.enumerate_regions(NET, DOMAIN, checkpoint=tmp_path / "ck.npz", method="split")
    assert isinstance(caught.value, regions.RegionsError)
    assert isinstance(caught.value.__cause__, OSError)
    assert os.listdir(tmp_path) == []


def test_ctrl_c_outside_the_enumeration_loop_exits_130(monkeypatch, capsys, net_file):
    def interrupted_load(*args, **kwargs):
        signal.raise_signal(signal.SIGINT)      # Python's default handler: KeyboardInterrupt

    monkeypatch.setattr(cli, "read_network", interrupted_load)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        code, out, err = count(capsys, net_file)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert code == cli.EXIT_INTERRUPTED and out == "" and err.strip() == "regions: interrupted"


# --- An enumeration's regions in shards -----------------------------------------------------

def shard_files(path):
    folder = path.parent / (path.name + ".regions")
    return sorted(folder.iterdir()) if folder.exists() else []


def test_each_write_adds_only_the_new_regions(full, every_step_saves, tmp_path):
    """Saved at every step: every write adds one shard with the regions found since the
    previous one (never the history) and the main file holds no region; the shards
    together are the uninterrupted run's regions, and a resumed run is identical to it."""
    path = tmp_path / "ck.npz"
    partial = regions.enumerate_regions(NET, DOMAIN, method="split", max_regions=60,
                                        checkpoint=path)
    saved = checkpoints.load(path, key())
    assert len(saved.records) == len(partial) == 60
    assert len(saved.shards) == len(shard_files(path)) > 10
    assert sum(shard.records for shard in saved.shards) == 60
    with np.load(path) as archive:
        assert not [name for name in archive.files if name.startswith("record")]
    identical(regions.enumerate_regions(NET, DOMAIN, resume=path), full)


def test_a_missing_or_foreign_shard_is_refused(capsys, full, tmp_path):
    path = tmp_path / "ck.npz"
    regions.enumerate_regions(NET, DOMAIN, method="split", max_regions=60, checkpoint=path)
    (shard,) = shard_files(path)
    data = shard.read_bytes()
    shard.unlink()
    with pytest.raises(CheckpointError, match="a shard of the checkpoint, is missing"):
        checkpoints.load(path, key())
    other = tmp_path / "other.npz"
    regions.enumerate_regions(NET, DOMAIN, method="split", max_regions=30, checkpoint=other)
    shard.write_bytes(shard_files(other)[0].read_bytes())       # a valid file, another run's
    with pytest.raises(CheckpointError, match="not the shard its checkpoint wrote"):
        checkpoints.load(path, key())
    shard.write_bytes(data)
    identical(regions.enumerate_regions(NET, DOMAIN, resume=path), full)


def test_a_shard_written_just_before_a_kill_is_ignored(full, tmp_path):
    """A run killed after writing a shard but before the main file that lists it: the
    checkpoint resumes from the previous state, and the orphan shard is replaced."""
    path = tmp_path / "ck.npz"
    regions.enumerate_regions(NET, DOMAIN, method="split", max_regions=60, checkpoint=path)
    (shard,) = shard_files(path)
    orphan = shard.with_name("000001.npz")
    orphan.write_bytes(b"left by a killed run")
    resumed = regions.enumerate_regions(NET, DOMAIN, resume=path)
    identical(resumed, full)
    assert checkpoints.load(path, key()).records and orphan.read_bytes() != b"left by a killed run"


def test_resuming_into_another_file_copies_the_regions_once(full, tmp_path):
    first, second = tmp_path / "first.npz", tmp_path / "second" / "ck.npz"
    second.parent.mkdir()
    regions.enumerate_regions(NET, DOMAIN, method="split", max_regions=60, checkpoint=first)
    identical(regions.enumerate_regions(NET, DOMAIN, resume=first, checkpoint=second), full)
    assert len(checkpoints.load(second, key()).records) == len(full)
    assert len(checkpoints.load(first, key()).records) == 60         # left as it was
