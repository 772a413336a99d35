"""The ``regions count`` command line, on the bundled example networks and on bad input.

Independent sources: LP-free polygon clipping (``oracles.polygon_partition``)
of the example network on [-1, 1]^2 and on two large squares standing in for R^2,
and a dense grid of sample points (a lower bound, and every grid pattern
must be one of the regions).
"""

import functools
import json
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import regions
from regions import cli

import oracles
from oracles import pattern_set, unambiguous

DATA = Path(__file__).resolve().parent.parent / "data"
EXAMPLE = DATA / "example_2x8x8x8.npz"


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def example():
    return regions.read_network(EXAMPLE)


@pytest.fixture(scope="module")
def box_truth(example):
    patterns, per_layer, _ = oracles.unit_square_partition(example)
    return set(patterns), per_layer


@pytest.fixture(scope="module")
def plane_truth(example):
    patterns, per_layer, _ = unambiguous(oracles.whole_plane_partition, example)
    return set(patterns), per_layer


# --------------------------------------------------------------------------- counts


def test_count_prints_the_number_of_regions(capsys, example, plane_truth):
    code, out, err = run(capsys, "count", EXAMPLE, "--quiet")
    assert code == 0 and err == ""
    truth, per_layer = plane_truth
    assert out.splitlines()[0] == f"regions: {len(truth)}"
    for index, count in enumerate(per_layer):
        assert f"after layer {index} " in out and f": {count}" in out
    assert pattern_set(regions.enumerate_regions(example)) == truth


def test_json_output(capsys, plane_truth):
    code, out, _ = run(capsys, "count", EXAMPLE, "--json", "--quiet")
    assert code == 0
    summary = json.loads(out)
    assert {"regions", "lps", "seconds", "per_layer"} <= set(summary)
    truth, per_layer = plane_truth
    assert summary["regions"] == len(truth)
    assert summary["per_layer"] == per_layer
    # method="auto" takes the vertex engine on R^2, which solves no LP (README's output of
    # this command shows "LPs: 0"); the run takes time, all of it outside LPs.
    assert (summary["method"], summary["lps"], summary["lp_seconds"]) == ("vertex", 0, 0.0)
    assert summary["seconds"] > 0


def test_box_option(capsys, example, box_truth):
    code, out, _ = run(capsys, "count", EXAMPLE, "--box", "-1", "1", "--json", "--quiet")
    assert code == 0
    truth, per_layer = box_truth
    summary = json.loads(out)
    assert summary["regions"] == len(truth)
    assert summary["per_layer"] == per_layer
    assert pattern_set(regions.enumerate_regions(example, regions.box(-1.0, 1.0))) == truth


def test_box_count_against_a_dense_grid(example):
    # Every pattern seen on a 400 x 400 grid is a region, and the grid sees most of them.
    part = regions.enumerate_regions(example, regions.box(-1.0, 1.0))
    found = pattern_set(part)
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 400), np.linspace(-1, 1, 400)), -1)
    seen = {tuple(int(s) for s in p) for p in oracles.true_patterns(example, grid.reshape(-1, 2))}
    assert seen <= found
    assert len(seen) >= 0.8 * len(found)
    # Each witness shows its own, distinct pattern.
    witnessed = oracles.true_patterns(example, part.input_witnesses)
    assert np.array_equal(witnessed, part.patterns)


def test_hardtanh_example_with_box(capsys):
    path = DATA / "example_hardtanh_2x6x6.npz"
    net = regions.read_network(path)
    assert net.activations == ["hardtanh", "hardtanh", "identity"]
    patterns, per_layer, _ = unambiguous(oracles.polygon_partition, net,
                                         oracles.box_slice([-2, -2], [2, 2]),
                                         oracles.square(-2.0, 2.0))
    code, out, _ = run(capsys, "count", path, "--box", "-2", "2", "--json", "--quiet")
    assert code == 0
    assert json.loads(out)["regions"] == len(patterns)
    assert json.loads(out)["per_layer"] == per_layer


@pytest.fixture(scope="module")
def box_inradii(example):
    _, _, polygons = oracles.unit_square_partition(example)
    return oracles.polygon_inradii(polygons)


@pytest.mark.parametrize("radius", ["1e-9", "1e-4"])
def test_min_radius_option(capsys, box_truth, box_inradii, radius):
    # --min-radius only reports: the count is the oracle's whatever it is, and "thin" is the
    # oracle's number of regions with inradius at most the radius (the example's narrowest
    # region on the box has inradius 2.5e-5, between the two values). Exit 0 both times.
    assert 1e-9 < box_inradii.min() < 1e-4
    code, out, _ = run(capsys, "count", EXAMPLE, "--box", "-1", "1", "--min-radius", radius,
                       "--json", "--quiet")
    summary = json.loads(out)
    assert summary["regions"] == len(box_truth[0])
    assert summary["thin"] == int(np.sum(box_inradii <= float(radius)))
    assert summary["certain"] is True and code == 0


def test_progress_stays_off_a_quick_non_terminal_run(capsys):
    # The only stderr line of a quick run is the upper bound announced before it starts.
    code, out, err = run(capsys, "count", EXAMPLE, "--box", "-1", "1")
    lines = err.splitlines()
    assert code == 0 and len(lines) == 1 and lines[0].startswith("at most ")
    bound = int(lines[0].split()[2].replace(",", ""))
    assert int(out.split()[1]) <= bound


# --------------------------------------------------------------------------- subprocesses


def test_module_entry_point_in_a_subprocess(box_truth):
    result = subprocess.run(
        [sys.executable, "-m", "regions.cli", "count", str(EXAMPLE), "--box", "-1", "1",
         "--json", "--quiet"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["regions"] == len(box_truth[0])


def test_installed_script_reports_bad_input_in_one_line(tmp_path):
    script = Path(sys.executable).with_name("regions")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "regions.cli"]
    result = subprocess.run(command + ["count", str(tmp_path / "missing.npz")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- bad input


def bad_file(tmp_path, name):
    rng = np.random.default_rng(0)
    W0, b0 = rng.normal(size=(3, 2)), rng.normal(size=3)
    W1, b1 = rng.normal(size=(1, 3)), np.zeros(1)
    path = tmp_path / f"{name}.npz"
    if name == "text":
        path.write_text("not a zip archive\n")
    elif name == "b1-missing":
        np.savez(path, W0=W0, b0=b0, W1=W1)
    elif name == "no-W0":
        np.savez(path, W1=W1, b1=b1)
    elif name == "nan":
        np.savez(path, W0=W0 * np.nan, b0=b0, W1=W1, b1=b1)
    elif name == "shapes":
        np.savez(path, W0=W0, b0=b0, W1=np.ones((1, 4)), b1=b1)
    elif name == "activation":
        np.savez(path, W0=W0, b0=b0, W1=W1, b1=b1, activations=np.array(["gelu", "identity"]))
    elif name == "activations-length":
        np.savez(path, W0=W0, b0=b0, W1=W1, b1=b1, activations=np.array(["relu"]))
    elif name == "strings":
        np.savez(path, W0=np.array([["x", "y"]] * 3), b0=b0, W1=W1, b1=b1)
    return path


@pytest.mark.parametrize("name", ["missing", "text", "b1-missing", "no-W0", "nan", "shapes",
                                  "activation", "activations-length", "strings"])
def test_bad_files_exit_2(capsys, tmp_path, name):
    path = bad_file(tmp_path, name)
    code, out, err = run(capsys, "count", path, "--quiet")
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("regions: error:")
    assert "Traceback" not in err


@pytest.mark.parametrize("extra", [["--box", "1", "-1"], ["--box", "0", "0"], ["--box", "1"],
                                   ["--box", "a", "b"], ["--box", "-1,1", "0"],
                                   ["--plane", "0,0", "1,0", "0,x"], ["--line", "0,0", "0,0"],
                                   ["--min-radius", "0"], ["--min-radius=-1e-3"]])
def test_bad_options_exit_2(capsys, extra):
    code, out, err = run(capsys, "count", EXAMPLE, "--quiet", *extra)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.parametrize("argv", [["count"], ["count", str(EXAMPLE), "--plane", "0,0"],
                                  ["count", str(EXAMPLE), "--line", "0,0", "1,1", "--plane",
                                   "0,0", "1,0", "0,1"], ["frobnicate"]])
def test_usage_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_python_dash_m_and_version():
    done = subprocess.run([sys.executable, "-m", "regions", "--version"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == f"regions {regions.__version__}"


@pytest.mark.parametrize("lo,hi", [("-1e3", "1e3"), ("-2.5E+1", "1e-0"), ("-.5e1", "5")])
def test_box_bounds_in_exponent_notation_parse(capsys, example, lo, hi):
    patterns, _, _ = unambiguous(oracles.polygon_partition, example,
                                 oracles.box_slice([float(lo)] * 2, [float(hi)] * 2),
                                 oracles.square(float(lo), float(hi)))
    code, out, _ = run(capsys, "count", EXAMPLE, "--box", lo, hi, "--json", "--quiet")
    assert code == 0 and json.loads(out)["regions"] == len(patterns)


@pytest.mark.parametrize("suffix", ["json", "npz"])
def test_count_writes_the_whole_partition_read_back_by_the_api(capsys, tmp_path, box_truth,
                                                               suffix):
    path = tmp_path / f"part.{suffix}"
    code, out, _ = run(capsys, "count", EXAMPLE, "--box", "-1", "1", "--json", "--quiet",
                       "-o", path)
    assert code == 0 and json.loads(out)["output"] == str(path)
    part = regions.read_json(path) if suffix == "json" else regions.read_npz(path)
    assert pattern_set(part) == box_truth[0]          # the polygon-clipping oracle's regions
    example = regions.read_network(EXAMPLE)
    for i in (0, len(part) // 2, len(part) - 1):      # witnesses inside, maps = forward pass
        region = part[i]
        assert np.all(region.A @ region.witness < region.b)
        assert np.allclose(region.C @ region.witness + region.d,
                           example.forward(part.domain.to_input(region.witness)))


def test_count_refuses_an_unknown_partition_extension_before_enumerating(capsys, tmp_path):
    code, _, err = run(capsys, "count", EXAMPLE, "--box", "-1", "1", "--quiet",
                       "-o", tmp_path / "part.txt")
    assert code == cli.EXIT_BAD_INPUT and ".json or .npz" in err
    assert not (tmp_path / "part.txt").exists()


def test_output_that_cannot_be_written_is_one_line(capsys, tmp_path):
    code, out, err = run(capsys, "count", EXAMPLE, "--box", "-1", "1", "--quiet",
                         "-o", tmp_path / "missing" / "part.json")
    assert code == cli.EXIT_BAD_INPUT and err.startswith("regions: error: cannot write")
    assert len(err.strip().splitlines()) == 1


def test_verify_json_report(capsys, network_file):
    # One layer of 5 lines in general position on R^2: 1 + 5 + 10 = 16 regions (Zaslavsky).
    net = regions.Network.from_layers([(np.random.default_rng(3).normal(size=(5, 2)),
                                        np.random.default_rng(4).normal(size=5)),
                                       (np.ones((1, 5)), np.zeros(1))])
    path = network_file(net)
    code, out, _ = run(capsys, "verify", path, "--json", "--samples", "2000", "--lines", "5",
                       "--quiet")
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["exact"] == 16


def test_convert_writes_the_npz_contract(capsys, tmp_path):
    torch = pytest.importorskip("torch")
    torch.manual_seed(2)
    model = torch.nn.Sequential(torch.nn.Linear(2, 6), torch.nn.Hardtanh(),
                                torch.nn.Linear(6, 1)).double()
    source, target = tmp_path / "model.pt", tmp_path / "net.npz"
    torch.save(model.state_dict(), source)
    code, out, err = run(capsys, "convert", source, "-o", target, "--activations",
                         "hardtanh,identity")
    assert code == 0 and err == f"wrote the network to {target}\n" and out.startswith("Network(")
    with np.load(target) as arrays:                   # the file contract, read without regions
        assert arrays["W0"].shape == (6, 2) and arrays["activations"].tolist() == [
            "hardtanh", "identity"]
    net = regions.read_network(target)
    x = np.random.default_rng(0).normal(size=(20, 2)) * 2
    with torch.no_grad():
        assert np.allclose(net.forward(x), model(torch.from_numpy(x)).numpy(), rtol=1e-12)
    # 6 hard-tanh neurons: 6 directions with 2 parallel lines each, 1 + 12 + 60 = 73 regions.
    assert len(regions.enumerate_regions(net)) == 73


@pytest.mark.parametrize("command,extra", [
    pytest.param("graph", ["-o", "g.graphml"], marks=pytest.mark.slow),
    ("plot", ["-o", "p.png"]),
    pytest.param("verify", ["--samples", "100", "--lines", "5"], marks=pytest.mark.slow)])
def test_every_enumerating_command_takes_the_controls(capsys, tmp_path, command, extra):
    # A budget stops each of them with exit 5 (incomplete); a split-method run with two
    # workers gives the example's count on R^2 by exact polygon clipping (oracle).
    extra = [str(tmp_path / e) if e.endswith((".graphml", ".png")) else e for e in extra]
    code, out, _ = run(capsys, command, EXAMPLE, *extra, "--max-regions", "5", "--quiet",
                       "--json")
    assert code == cli.EXIT_INCOMPLETE
    code, out, _ = run(capsys, command, EXAMPLE, *extra, "--method", "split", "--workers", "2",
                       "--quiet", "--json")
    assert code == 0
    summary = json.loads(out)
    regions_found = summary["regions"] if "regions" in summary else summary["enumeration"]["regions"]
    assert regions_found == len(example_whole_plane_patterns())


@functools.lru_cache(maxsize=None)
def example_whole_plane_patterns():
    patterns, _, _ = oracles.unambiguous(oracles.whole_plane_partition, regions.read_network(EXAMPLE))
    return frozenset(patterns)


def test_progress_line_names_the_upper_bound():
    import io
    stream = io.StringIO()
    report = cli._progress_printer(stream, bound=50_653)
    report(1_234, 2, 17, 12.0)
    assert stream.getvalue() == ("1,234 of at most 50,653 regions, at layer 2, 17 cells "
                                 "pending, 103 regions/s, 12 s\n")


def test_progress_line_gives_the_share_done_and_the_time_left():
    import io
    stream = io.StringIO()
    report = cli._progress_printer(stream)
    report(1_234, 2, 17, 12.0, 0.25)        # a quarter done in 12 s: 36 s left at that pace
    report(1_234, 2, 17, 600.0, 0.1)        # 5,400 s left
    report(1_234, 2, 17, 900.0, 0.0)        # nothing done yet: no time left to tell
    assert stream.getvalue().splitlines() == [
        "1,234 regions, at layer 2, 17 cells pending, 25.0% done (estimated), "
        "about 36 s left, 103 regions/s, 12 s",
        "1,234 regions, at layer 2, 17 cells pending, 10.0% done (estimated), "
        "about 1.5 h left, 2 regions/s, 600 s",
        "1,234 regions, at layer 2, 17 cells pending, 0.0% done (estimated), "
        "1 regions/s, 900 s"]


def test_a_log_gets_a_heartbeat_every_30_s(monkeypatch):
    # stderr not a terminal and no --progress: a line at most every 30 s, none sooner.
    import io
    stream = io.StringIO()
    monkeypatch.setattr(cli.sys, "stderr", stream)
    args = types.SimpleNamespace(quiet=False, progress=False)
    with cli.progress_for(args) as report:
        for seconds in (5.0, 29.0, 31.0, 45.0, 62.0):
            report(100, 1, 3, seconds)
    assert [line.split(", ")[-1] for line in stream.getvalue().splitlines()] == ["31 s", "62 s"]
    with cli.progress_for(types.SimpleNamespace(quiet=True, progress=True)) as report:
        assert report is None


def test_polytope_from_a_file(capsys, tmp_path):
    # The triangle x >= -1, y >= -1, x + y <= 0.5 cut by the example's first layer: the count
    # of exact polygon clipping over the same triangle.
    A, c = np.array([[-1.0, 0], [0, -1], [1, 1]]), np.array([1.0, 1, 0.5])
    path = tmp_path / "triangle.npz"
    np.savez(path, A=A, c=c)
    code, out, _ = run(capsys, "count", EXAMPLE, "--polytope", path, "--json", "--quiet")
    assert code == 0
    net = regions.read_network(EXAMPLE)
    truth, _, _ = unambiguous(oracles.polygon_partition, net, oracles.polytope_slice(A, c),
                              np.array([[-1.0, -1.0], [1.5, -1.0], [-1.0, 1.5]]))
    assert json.loads(out)["regions"] == len(truth)
    np.savez(path, A=A)
    code, _, err = run(capsys, "count", EXAMPLE, "--polytope", path)
    assert code == 2 and "must hold arrays A and c" in err


# --------------------------------------------------------------------------- issue 23
# The frictions a new user met: before -> after in each test's comment.

def one_layer_net(tmp_path, W, b, name="net.npz"):
    """A network file of one ReLU layer ``relu(W x + b)`` summed into one output."""
    path = tmp_path / name
    regions.write_network(regions.Network.from_layers([(np.array(W, float), np.array(b, float)),
                                              (np.ones((1, len(b))), np.zeros(1))]), path)
    return path


def run_python(code: str, *args, **options):
    """``python -c code args`` in a subprocess (its stdout and stderr captured as text
    unless ``options`` route them)."""
    options.setdefault("capture_output", True)
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], text=True,
                          timeout=300, **options)


def test_a_closed_pipe_ends_quietly():
    # `regions count NET | head -1`: before, a BrokenPipeError traceback and exit 1; after,
    # nothing on stderr and the shell's code for SIGPIPE. The reading end is closed before
    # the command starts, so its first write meets the closed pipe.
    import os
    read, write = os.pipe()
    os.close(read)
    done = run_python("import sys; from regions import cli; sys.exit(cli.main(sys.argv[1:]))",
                      "count", EXAMPLE, "--quiet", stdout=write, stderr=subprocess.PIPE,
                      capture_output=False)
    os.close(write)
    assert done.returncode == cli.EXIT_BROKEN_PIPE == 141
    assert done.stderr == ""


#: Sends SIGINT to its own process when an import of ``scipy`` starts (the package imports
#: it early), then runs ``ENTRY`` on the command line.
INTERRUPT_DURING_IMPORTS = """
import builtins, os, signal, sys
# as from a terminal, whatever the test process passed on (a SIGINT ignored or blocked
# there would be inherited through fork and exec)
signal.signal(signal.SIGINT, signal.default_int_handler)
signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
real_import = builtins.__import__
def interrupting_import(name, *args, **kwargs):
    if name == "scipy":
        builtins.__import__ = real_import
        os.kill(os.getpid(), signal.SIGINT)
    return real_import(name, *args, **kwargs)
builtins.__import__ = interrupting_import
ENTRY
"""


def test_ctrl_c_during_the_imports_is_one_line():
    # Before: the console script imported regions.cli first, and a Ctrl-C in that half
    # second printed a KeyboardInterrupt traceback (as importing regions.cli still does,
    # which shows that the signal arrives during the imports); after, the `regions` command
    # (regions_launcher) prints one line and exits 130.
    raw = run_python(INTERRUPT_DURING_IMPORTS.replace("ENTRY", "import regions.cli"))
    assert "KeyboardInterrupt" in raw.stderr and "Traceback" in raw.stderr
    done = run_python(INTERRUPT_DURING_IMPORTS.replace(
        "ENTRY", "import regions_launcher; sys.exit(regions_launcher.main(sys.argv[1:]))"),
        "count", EXAMPLE)
    assert (done.returncode, done.stderr, done.stdout) == (130, "regions: interrupted\n", "")
    import regions_launcher
    assert regions_launcher.INTERRUPTED == cli.EXIT_INTERRUPTED


def test_the_regions_command_is_the_launcher():
    from importlib.metadata import entry_points
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "regions"]
    assert script.value == "regions_launcher:main"


#: Sends SIGINT to its own process once the enumeration has found regions (from the
#: driver's look at its budgets, where a Ctrl-C is read), then runs the command line.
INTERRUPT_DURING_THE_RUN = """
import os, signal, sys
from regions import cli
from regions.engines import driver
real_look = driver.budget_exhausted
def interrupting_look(interrupt, found, *args):
    if found >= 100 and not interrupt.requested:
        os.kill(os.getpid(), signal.SIGINT)
    return real_look(interrupt, found, *args)
driver.budget_exhausted = interrupting_look
sys.exit(cli.main(sys.argv[1:]))
"""


def test_ctrl_c_during_the_enumeration_prints_the_partial_result_and_exit_5():
    # Before: the run stopped by Ctrl-C exited 5 while its warning said "(exit code 7)";
    # after, the warnings name exit code 5, the code the run returns. The example on
    # [-1, 1]^2 with --min-radius 1e-5 has near-degenerate regions (test_min_radius_option).
    done = run_python(INTERRUPT_DURING_THE_RUN, "count", EXAMPLE, "--box", "-1", "1",
                      "--min-radius", "1e-5", "--method", "split", "--quiet")
    assert done.returncode == cli.EXIT_INCOMPLETE
    found = int(done.stdout.split()[1])
    assert done.stdout.startswith(f"regions: {found} (INCOMPLETE: stopped by interrupted")
    warnings = done.stderr.splitlines()
    assert warnings[0].startswith("warning: the enumeration stopped early (Ctrl-C,")
    assert all(line.startswith("warning: ") and line.endswith("(exit code 5)")
               for line in warnings)


#: Three lines that nearly meet in one point (as in test_docs.py): 7 regions exactly, one a
#: thin triangle whose corners float64 cannot place: the float-only mode is uncertain there.
NEAR_TRIPLE = ([[0.1, 0.2], [0.3, -0.1], [0.7, 0.1]],
               [-0.1, -0.0666666666666666667, -0.26666666666666667])


@pytest.fixture(scope="module")
def near_triple(tmp_path_factory):
    path = tmp_path_factory.mktemp("near") / "near_triple.npz"
    regions.write_network(regions.Network.from_layers([NEAR_TRIPLE, ([[1.0, 1.0, 1.0]], [0.0])]), path)
    return path


def test_warnings_name_the_exit_code_the_run_returns(capsys, near_triple):
    # Exact mode: exit 0 and no warning, thin triangle or not. Float-only mode with a decision
    # left to rounding: exit 7, one warning naming 7. Stopped by a budget: exit 5, and no
    # warning names 7.
    code, _, err = run(capsys, "count", near_triple, "--box", "-1", "1", "--quiet")
    assert code == 0 and err == ""
    code, _, err = run(capsys, "count", near_triple, "--box", "-1", "1", "--quiet", "--no-exact")
    assert code == cli.EXIT_UNCERTAIN and err.startswith("warning: float-only mode (--no-exact)")
    assert err.endswith("(exit code 7)\n") and err.count("\n") == 1
    code, _, err = run(capsys, "count", near_triple, "--box", "-1", "1", "--no-exact",
                       "--max-regions", "3", "--quiet")
    assert code == cli.EXIT_INCOMPLETE and "(exit code 5)" in err and "(exit code 7)" not in err


def test_a_spent_exact_budget_exits_7_and_says_so(capsys, near_triple):
    # The thin triangle's corners take decisions beyond float64: with no budget for them the
    # run goes on float-only, exits 7 and names the budget; with room for them it is exact
    # (7 regions: Zaslavsky, 1 + 3 + 3) and exits 0.
    box = ["--box", "-1", "1", "--quiet", "--json"]
    code, out, err = run(capsys, "count", near_triple, *box, "--exact-budget", "0")
    summary = json.loads(out)
    assert code == cli.EXIT_UNCERTAIN
    assert summary["exact_budget"] == 0 and summary["exact_budget_spent"] is True
    assert summary["certain"] is False and summary["uncertain_decisions"] > 0
    assert err.startswith("warning: the exact-decision budget (--exact-budget 0) ran out")
    assert err.endswith("(exit code 7)\n") and err.count("\n") == 1
    code, out, err = run(capsys, "count", near_triple, *box, "--exact-budget", "1000")
    summary = json.loads(out)
    assert code == 0 and err == ""
    assert (summary["regions"], summary["exact_budget_spent"], summary["certain"]) == (7, False,
                                                                                        True)
    for bad in ("-1", "x"):
        with pytest.raises(SystemExit) as exc:
            run(capsys, "count", near_triple, "--exact-budget", bad, "--quiet")
        assert exc.value.code == cli.EXIT_BAD_INPUT
        assert "argument --exact-budget" in capsys.readouterr().err
    code, _, err = run(capsys, "count", near_triple, "--no-exact", "--exact-budget", "5", "--quiet")
    assert code == cli.EXIT_BAD_INPUT and "exact_budget limits the exact mode" in err
    code, _, err = run(capsys, "faces", near_triple, *box, "--exact-budget", "5")
    assert code == cli.EXIT_BAD_INPUT and "drop --exact-budget" in err


@pytest.mark.parametrize("command,extra", [("plot", ["-o", "p.png"]),
                                           ("graph", ["-o", "g.graphml"]), ("faces", []),
                                           ("topology", []), ("verify", ["--samples", "100",
                                                                         "--lines", "5"])])
def test_every_command_that_exits_7_says_why(capsys, tmp_path, near_triple, command, extra):
    # Every enumerating command exits 7 in the float-only mode when a decision was left to
    # rounding, with the warning that says so, and 0 in the exact mode. The commands built
    # on the exact face lattice refuse the float-only mode (exit 2, one line).
    extra = [str(tmp_path / e) if "." in e else e for e in extra]
    code, _, err = run(capsys, command, near_triple, *extra, "--box", "-1", "1", "--quiet",
                       "--no-exact")
    if command in ("faces", "topology"):
        assert code == cli.EXIT_BAD_INPUT and "needs the exact mode" in err
    else:
        assert code == cli.EXIT_UNCERTAIN
        assert err.startswith("warning: float-only mode (--no-exact)") and err.endswith(
            "(exit code 7)\n")
    code, _, err = run(capsys, command, near_triple, *extra, "--box", "-1", "1", "--quiet")
    assert code == 0 and err == ""


def test_every_subcommand_takes_the_common_flags():
    # Before: entropy had no --quiet (nor convert --quiet, --progress); after, all do.
    parser = cli.build_parser()
    subcommands = next(a for a in parser._actions
                       if isinstance(a, __import__("argparse")._SubParsersAction)).choices
    for name, sub in subcommands.items():
        flags = {flag for action in sub._actions for flag in action.option_strings}
        assert {"--quiet", "--json", "--progress"} <= flags, name


@pytest.mark.parametrize("argv,message", [
    (["count", str(EXAMPLE), "--box", "-inf,inf"],
     "regions: error: --box bounds must be finite, got -inf,inf (all of R^n is the default: "
     "leave --box out)"),
    (["count", str(EXAMPLE), "--box"],
     "regions count: error: argument --box: expected at least one argument "
     "(see regions count --help)"),
    (["count", str(EXAMPLE), "--workers", "0"],
     "regions count: error: argument --workers: must be at least 1, got 0 "
     "(see regions count --help)"),
    (["frobnicate"], "regions: error: argument command: invalid choice: 'frobnicate' (choose "
                     "from ...) (see regions --help)")])
def test_argument_errors_are_one_line(capsys, argv, message):
    # Before: `--box -inf,inf` printed 11 lines of usage; after, one line and exit 2.
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = exc.code
    assert code == cli.EXIT_BAD_INPUT
    head, _, tail = message.partition("...")      # argparse quotes the choices or not
    err = capsys.readouterr().err
    assert err.startswith(head) and err.endswith(tail + "\n") and err.count("\n") == 1


def tent_file(tmp_path):
    """The tent map 2 relu(x) - 4 relu(x - 1/2) on [0, 1]: 2^k laps of f^k."""
    path = tmp_path / "tent.npz"
    regions.write_network(regions.Network.from_layers([([[1.0], [1.0]], [0.0, -0.5]),
                                              ([[2.0, -4.0]], [0.0])]), path)
    return path


@pytest.mark.parametrize("iterations", ["0", "-2"])
def test_entropy_refuses_fewer_than_one_iteration(capsys, tmp_path, iterations):
    # Before: exit 0 with an empty table; after, exit 2 and one line (API: RegionsError).
    with pytest.raises(SystemExit) as exc:
        cli.main(["entropy", str(tent_file(tmp_path)), "--interval", "0", "1",
                  "--iterations", iterations])
    assert exc.value.code == cli.EXIT_BAD_INPUT
    assert capsys.readouterr().err == (f"regions entropy: error: argument --iterations: must "
                                       f"be at least 1, got {int(iterations)} (see regions "
                                       f"entropy --help)\n")
    with pytest.raises(regions.RegionsError, match="at least 1"):
        regions.entropy(regions.read_network(tent_file(tmp_path)), 0.0, 1.0, int(iterations))


def test_entropy_takes_quiet_and_json(capsys, tmp_path):
    code, out, err = run(capsys, "entropy", tent_file(tmp_path), "--interval", "0", "1",
                         "--iterations", "3", "--quiet", "--json")
    assert code == 0 and err == "" and json.loads(out)["laps"] == [2, 4, 8]


def test_a_plane_needs_two_inputs(capsys, tmp_path):
    # Before: --plane 0 1 2 on a 1-input net was accepted as a 1-D domain (while the same
    # collinear points in R^2 are refused); after, both are refused.
    path = tmp_path / "one.npz"
    regions.write_network(regions.Network.from_layers([([[1.0], [1.0]], [0.0, -1.0]),
                                              ([[1.0, 1.0]], [0.0])]), path)
    code, out, err = run(capsys, "count", path, "--plane", "0", "1", "2", "--quiet")
    assert code == cli.EXIT_BAD_INPUT and out == ""
    assert err.startswith("regions: error: a plane needs an input space of at least 2 "
                          "dimensions") and len(err.splitlines()) == 1
    with pytest.raises(regions.DomainError, match="at least 2"):
        regions.plane([0.0], [1.0], [2.0])


def test_segment_option(capsys, tmp_path):
    # relu(x) + relu(x - 1) + relu(y + 5): along y = 0.5 the breakpoints are x = 0 and x = 1.
    # The segment from x = -1 to x = 2 crosses both (3 regions), from x = 0.5 to 2 one (2).
    path = one_layer_net(tmp_path, [[1, 0], [1, 0], [0, 1]], [0, -1, 5])
    for start, count in (("-1,0.5", 3), ("0.5,0.5", 2)):
        code, out, _ = run(capsys, "count", path, "--segment", start, "2,0.5", "--json",
                           "--quiet")
        assert code == 0 and json.loads(out)["regions"] == count
        assert json.loads(out)["domain"] == "segment"
    code, _, err = run(capsys, "count", path, "--segment", "0,0", "1,0", "--box", "0", "1")
    assert code == cli.EXIT_BAD_INPUT and "--box bounds a --plane, not a --segment" in err


@pytest.mark.parametrize("command,output,what", [
    ("count", "part.json", "the partition"), ("count", "part.npz", "the partition"),
    ("verify", "report.json", "the report"), ("graph", "g.gexf", "the graph"),
    ("faces", "hasse.graphml", "the Hasse diagram"),
    ("topology", "boundary.json", "the decision boundary"), ("plot", "p.svg", "the picture"),
    ("convert", "copy.npz", "the network")])
def test_writing_a_file_says_where_it_went(capsys, tmp_path, command, output, what):
    # Before: count, verify, faces and topology wrote their -o file without a word; after,
    # every command says `wrote ... to FILE` on stderr, and nothing with --quiet.
    path = one_layer_net(tmp_path, [[1, 0], [0, 1]], [0, 0])
    target = tmp_path / output
    extra = ["--samples", "100", "--lines", "5"] if command == "verify" else []
    box = [] if command == "convert" else ["--box", "-1", "1"]
    code, _, err = run(capsys, command, path, "-o", target, *box, *extra)
    assert code == 0 and target.stat().st_size > 0
    assert err.splitlines()[-1] == f"wrote {what} to {target}"
    code, _, err = run(capsys, command, path, "-o", target, *box, *extra, "--quiet")
    assert code == 0 and err == ""
