"""Large counts from the command line, as a user runs them: time, rate, memory.

For each network, writes it (``random_network(widths, seed=0)``) to a file and runs
``regions count FILE --workers N --json --progress`` in a child process, sampling the
resident memory of that process and of each of its workers from ``/proc`` (Linux) every
``--every`` seconds. Prints the count, the wall seconds, regions per second, the largest
sample of the calling process and of any worker, and the last network's progress lines,
and writes its section of docs/benchmarks.md.

    python benchmarks/large_count.py [--workers N] [--every SECONDS] [--no-write] WIDTHS ...
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

from run import DEFAULT_OUTPUT, network_label, provenance, write_section

SCRIPT = "benchmarks/large_count.py"


def resident_mib(pid: int) -> float:
    """Resident memory of process ``pid`` in MiB (0 when it has gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    """The processes ``pid`` started (its workers), from ``/proc``."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as listed:
                found += [int(child) for child in listed.read().split()]
    except OSError:
        pass
    return found


def count(widths: list, workers: int, every: float) -> dict:
    """The run of ``regions count`` and its memory samples."""
    from regions.io.networks import write_network
    from regions.random_networks import random_network
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "network.npz")
        write_network(random_network(widths, seed=0), path)
        command = [sys.executable, "-m", "regions", "count", path, "--workers", str(workers),
                   "--json", "--progress"]
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        # both pipes read as they fill: the JSON holds the thin regions' patterns (megabytes)
        streams = {"out": [], "err": []}
        readers = [threading.Thread(target=lambda pipe, lines: lines.extend(pipe),
                                    args=(pipe, streams[name]))
                   for name, pipe in (("out", process.stdout), ("err", process.stderr))]
        for reader in readers:
            reader.start()
        parent_peak = worker_peak = 0.0
        while process.poll() is None:
            parent_peak = max(parent_peak, resident_mib(process.pid))
            for worker in children(process.pid):
                worker_peak = max(worker_peak, resident_mib(worker))
            time.sleep(every)
        wall = time.perf_counter() - started
        for reader in readers:
            reader.join()
    if process.returncode != 0:
        raise SystemExit(f"regions count exited {process.returncode}:\n"
                         + "".join(streams["err"]))
    result = json.loads("".join(streams["out"]))
    heartbeats = [line.rstrip() for line in streams["err"] if "regions/s" in line]
    return {"regions": result["regions"], "seconds": result["seconds"], "wall": wall,
            "thin": result["thin"], "parent_mib": parent_peak, "worker_mib": worker_peak,
            "heartbeats": heartbeats}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("widths", nargs="+", help="layer widths, e.g. 4,64,64,64,1")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--every", type=float, default=2.0, help="seconds between samples")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    table = ["| network (all of R^n) | workers | regions | thin | count s | command s | "
             "regions/s | calling process peak MiB | largest worker peak MiB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for text in args.widths:
        widths = [int(width) for width in text.split(",")]
        run = count(widths, args.workers, args.every)
        table.append(f"| {network_label(widths)} | {args.workers} | {run['regions']:,} | "
                     f"{run['thin']:,} | {run['seconds']:.1f} ({run['seconds'] / 60:.1f} min) | "
                     f"{run['wall']:.1f} | {run['regions'] / run['seconds']:,.0f} | "
                     f"{run['parent_mib']:.0f} | {run['worker_mib']:.0f} |")
        print(table[-1], flush=True)
    section = "\n".join([
        "## A large count from the command line", "",
        provenance(f"python {SCRIPT} --workers {args.workers} {' '.join(args.widths)}"),
        f"- `regions count FILE --workers {args.workers} --json --progress` in a child "
        f"process on {os.cpu_count()} cores, `random_network(widths, seed=0)` over all of "
        f"R^n; memory sampled from /proc every {args.every:g} s (resident set; the "
        "workers' largest sample). \"count s\": the count's own time (its JSON's "
        "`seconds`); \"command s\": the whole command, with its start and the JSON "
        "written (the thin regions' patterns).", "", *table, "",
        f"The progress lines of {network_label(widths)} (stderr is not a terminal):", "",
        "```",
        *run["heartbeats"], "```"])
    if not args.no_write:
        write_section(DEFAULT_OUTPUT, section, SCRIPT)


if __name__ == "__main__":
    main()
