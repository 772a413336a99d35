"""regions against its peer tools (regioncam, relucent) on the same random networks.

Every measurement runs in a fresh spawned child process, so the peak memory is its own;
relucent's child is killed once it exceeds its time budget. Every tool must report the same
number of regions as ``regions``. Prints a markdown table and, for full runs or with an explicit
``--output``, writes it to docs/benchmarks.md (its own section; other sections are kept).
The claims are the ratios, not the absolute times.

    python benchmarks/run.py [--quick] [--million] [--workers N] [--output PATH]
                             [--relucent-budget S]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import importlib
import inspect
import multiprocessing
import os
import platform
import resource
import shlex
import signal
import sys
import time
from pathlib import Path
from typing import NamedTuple

import regions
from regions.random_networks import random_network

import peers


class Case(NamedTuple):
    """One benchmark network: its layer widths, hidden activation and domain."""

    widths: list
    activation: str = "relu"
    domain: str = "box"  # "box" ([-1, 1]^d) or "whole" (all of R^d)


CASES = [
    Case([2, 16, 16, 16, 1]),  # the first four are the shared table's: 930, 3,897, 14,353, 2,140
    Case([2, 32, 32, 32, 1]),
    Case([2, 64, 64, 64, 1]),
    Case([3, 8, 8, 8, 1]),
    Case([4, 8, 8, 8, 1]),
    Case([4, 16, 16, 16, 1]),
    Case([6, 8, 8, 8, 1]),
    Case([8, 8, 8, 1]),
    Case([2, 16, 16, 16, 1], "hardtanh"),
    Case([2, 16, 16, 16, 1], "relu", "whole"),
    Case([2, 64, 64, 64, 1], "relu", "whole"),
    Case([4, 12, 12, 12, 1], "relu", "whole"),
    Case([6, 8, 8, 8, 1], "relu", "whole"),
    Case([8, 8, 8, 1], "relu", "whole"),
    Case([10, 10, 10, 1], "relu", "whole"),
]
QUICK = [CASES[0], CASES[1], CASES[3], CASES[8]]
# Tried for about a million regions (regioncam's count / regions'): [2,128,128,128,1] 56,887 /
# 56,881; [2,256,256,256,1] 262,431 / 262,340; [2,320,320,320,1] 422,180; [2,256,256,256,256,1]
# 439,049; [2,512,512,512,1] - / 1,025,732 (regioncam needs more than 24 GB).
MILLION = Case([2, 512, 512, 512, 1])

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
MEMORY_SHARE = 0.75  # of the physical memory, the most any one measuring process may map


def significant(value: float) -> str:
    """``value`` to three significant digits, without an exponent from 100 on."""
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def network(case: Case):
    """The seeded random network of ``case``."""
    return random_network(case.widths, seed=0, activation=case.activation)


def domain_of(case: Case):
    """The ``regions`` domain of ``case``."""
    return regions.box(-1, 1) if case.domain == "box" else regions.whole_space()


def supports_executor() -> bool:
    """Whether ``regions.enumerate_regions`` takes an ``executor`` (being added; older builds do not)."""
    return "executor" in inspect.signature(regions.enumerate_regions).parameters


def enumerate_regions(case: Case, workers: int):
    """``regions.enumerate_regions`` on ``case``, on a pool of ``workers`` processes when above 1."""
    net, domain = network(case), domain_of(case)
    if workers <= 1:
        return regions.enumerate_regions(net, domain)
    with concurrent.futures.ProcessPoolExecutor(workers) as pool:
        return regions.enumerate_regions(net, domain, executor=pool)


def measure_regions(case: Case, workers: int) -> dict:
    """Enumerate ``case`` with ``regions`` (in a child): count, wall seconds, LP statistics."""
    started = time.perf_counter()
    part = enumerate_regions(case, workers)
    seconds = time.perf_counter() - started
    return {"count": len(part), "seconds": seconds, "lps": part.lps,
            "lp_share": part.lp_seconds / part.seconds if part.seconds else 0.0,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def child_main(target, args, preload, connection) -> None:
    """Body of a child: own process group (so its workers can be killed too), imports, run.

    Its address space is capped at ``MEMORY_SHARE`` of the machine's memory, so that a tool
    that outgrows it (regioncam needs about 6.6 GB for 262,000 regions) fails alone instead
    of calling in the kernel's out-of-memory killer.
    """
    os.setpgid(0, 0)
    limit = int(MEMORY_SHARE * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    for name in preload:
        importlib.import_module(name)
    connection.send("started")
    try:
        connection.send(("ok", target(*args)))
    except Exception as error:  # a failing peer is a table entry, not a crash
        connection.send(("failed", f"{type(error).__name__}: {error}"))


def run_child(target, args, budget: float | None = None, preload=()) -> tuple[str, object]:
    """Run ``target(*args)`` in a spawned child; ``("ok", result)``, ``("failed", message)``.

    The child first imports the modules named in ``preload``. With a ``budget`` (seconds,
    counted from then on), a child still running after it is killed with its whole process
    group: ``("over budget", None)``. (multiprocessing's resource tracker then unlinks the
    semaphore of relucent's worker pool and warns of one "leaked semaphore" at exit.)
    """
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=child_main, args=(target, args, preload, sender))
    child.start()
    sender.close()
    try:
        receiver.recv()  # "started"
        if not receiver.poll(budget):
            return "over budget", None
        return receiver.recv()
    except EOFError:
        child.join()
        return "failed", f"child exited with code {child.exitcode}"
    finally:
        if child.is_alive():
            os.killpg(child.pid, signal.SIGKILL)
        child.join()


def child_result(target, args):
    """``target(*args)`` in a fresh child (:func:`run_child`: its peak memory is its own);
    a failed child stops the benchmark."""
    status, result = run_child(target, args)
    if status != "ok":
        raise SystemExit(f"{target.__name__}{args}: {status} {result or ''}")
    return result


def peer_cells(peer: str, case: Case, ours: dict, budget: float | None):
    """Table cells ``(seconds, ratio to regions)`` for ``peer`` and its count (None if none)."""
    whole = case.domain == "whole"
    if not peers.installed(peer):
        return "not installed", "", None
    if peers.unsupported(peer, case.widths[0], case.activation, whole):
        return "n/a", "", None
    layers = [(layer.weight, layer.bias) for layer in network(case).layers]
    status, result = run_child(peers.COUNTERS[peer], (layers, whole), budget, peers.MODULES[peer])
    if status == "over budget":
        return f"over budget (> {budget:g} s)", f"> {significant(budget / ours['seconds'])}", None
    if status == "failed":
        print(f"{peer} failed on {case.widths} {case.activation} {case.domain}: {result}",
              flush=True)
        return "failed", "", None
    count, seconds = result
    return significant(seconds), significant(seconds / ours["seconds"]), count


def measure_row(case: Case, workers: int, relucent_budget: float) -> str:
    """Measure ``case`` with every tool; the markdown row (MISMATCH printed loudly)."""
    status, ours = run_child(measure_regions, (case, workers))
    if status != "ok":
        raise SystemExit(f"regions failed on {case}: {ours}")
    count = ours["count"]
    cells, mismatches = [], []
    for peer, budget in (("regioncam", None), ("relucent", relucent_budget)):
        seconds, ratio, theirs = peer_cells(peer, case, ours, budget)
        cells += [seconds, ratio]
        if theirs is not None and theirs != count:
            mismatches.append(f"{peer} {theirs:,}")
            print(f"MISMATCH: {peer} found {theirs:,} regions, regions found {count:,} on "
                  f"{case.widths} {case.activation} {case.domain}", flush=True)
    agree = "MISMATCH: " + ", ".join(mismatches) if mismatches else "yes"
    return (f"| {case.widths} | {case.activation} | {case.domain} | {count:,} | "
            f"{significant(ours['seconds'])} | {count / ours['seconds']:,.0f} | "
            f"{significant(ours['lps'] / count)} | {ours['lp_share']:.0%} | "
            f"{ours['peak_mib']:.0f} | "
            + " | ".join(cells) + f" | {agree} |")


HEADER = ("| network | activation | domain | regions | regions s | regions/s | LPs/region | "
          "time in LPs | peak MiB | regioncam s | regioncam / regions | relucent s | "
          "relucent / regions | counts agree |")


def preamble(args, workers: int) -> str:
    """The paragraph above the table: machine, date, versions, command, what is claimed."""
    versions = ", ".join(f"{name} {peers.version(name)}" for name in
                         ("regions", "numpy", "highspy", "regioncam", "relucent"))
    command = shlex.join(["python", "benchmarks/run.py", *sys.argv[1:]])
    return f"""## Against peer tools

- Command: `{command}`, run {datetime.date.today()}.
- Machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}.
- Versions: {versions}.
- Networks: `regions.random_networks.random_network(widths, seed=0)`, on the box `[-1, 1]^d`
  or on all of `R^d`.
- Tools: `regions` in {workers} process{'es' if workers > 1 else ''} (peak memory: its main
  process); regioncam (2-D ReLU networks on a square only, "n/a" otherwise); relucent (ReLU
  networks only) with {peers.RELUCENT_WORKERS} worker processes and a budget of
  {args.relucent_budget:g} s per network.

Each tool ran in its own fresh process and had to report the same number of regions as
`regions` (last column). Absolute times are from one noisy machine; the claims are the ratios
(peer time / `regions` time, in the same run).
"""


def network_label(widths: list) -> str:
    """A table's name for ``widths``: the list itself, or ``[2] + [256] * 8 + [1]`` for a
    deep one of equal hidden widths."""
    if len(widths) <= 5 or len(set(widths[1:-1])) > 1:
        return str(widths)
    return f"[{widths[0]}] + [{widths[1]}] * {len(widths) - 2} + [{widths[-1]}]"


def fastest(runs: list[dict]) -> dict:
    """The run of least wall time (``"seconds"``): a burst of load on a shared machine does
    not move it."""
    return min(runs, key=lambda run: run["seconds"])


def table_header(names: list[str]) -> list[str]:
    """The first two lines of a markdown table whose columns are ``names``."""
    return ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]


def provenance(command: str) -> str:
    """The first bullet of a benchmark section: the command, the date and the Python."""
    return (f"- Command: `{command}`, run {datetime.date.today()}, Python "
            f"{platform.python_version()}")


def write_section(path: Path, section: str, script: str = "benchmarks/run.py") -> None:
    """Replace ``script``'s section of ``path`` (between markers), appending it if absent."""
    BEGIN, END = f"<!-- {script}: begin -->", f"<!-- {script}: end -->"
    block = f"{BEGIN}\n{section}\n{END}\n"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text)


def parse_args():
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="four small networks (under 2 minutes); writes no file by default")
    parser.add_argument("--million", action="store_true",
                        help=f"add {MILLION.widths} (about a million regions in 2-D)")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes for regions (a ProcessPoolExecutor when above 1)")
    parser.add_argument("--output", type=Path, default=None,
                        help=f"markdown file to write (default for full runs: {DEFAULT_OUTPUT})")
    parser.add_argument("--relucent-budget", type=float, default=None,
                        help="seconds per network before relucent is stopped (60; quick: 20)")
    args = parser.parse_args()
    if args.relucent_budget is None:
        args.relucent_budget = 20.0 if args.quick else 60.0
    return args


def main():
    """Measure every case, print the table and write it where asked."""
    args = parse_args()
    workers = args.workers
    if workers > 1 and not supports_executor():
        print("regions.enumerate_regions takes no executor yet: running regions in one process")
        workers = 1
    cases = (QUICK if args.quick else CASES) + ([MILLION] if args.million else [])
    rows = [HEADER, "|" + "---|" * (HEADER.count("|") - 1)]
    print(*rows, sep="\n", flush=True)
    for case in cases:
        rows.append(measure_row(case, workers, args.relucent_budget))
        print(rows[-1], flush=True)
    text = preamble(args, workers)
    print("\n" + text)
    section = text + "\n" + "\n".join(rows)
    output = args.output or (None if args.quick else DEFAULT_OUTPUT)
    if output is not None:
        write_section(output, section)
        print(f"wrote {output}")


if __name__ == "__main__":
    main()
