"""2 workers against serial, on the same counts in one run: speed-up and what travels.

Every count runs in a fresh spawned child (:func:`run.child_result`), serial then on a
2-worker :func:`regions.engines.parallel.process_pool`, back to back, so that each ratio
is taken under the same load. The pool is wrapped so that every task's pickled size is
known (MiB sent) and every outcome's (MiB returned, pickled in the worker, outside the
task's span), and every task reports its worker and its wall-clock span (busy and idle
seconds per worker, from the first submission to the end). Per count it prints the
regions, serial and 2-worker wall and CPU seconds, the speed-up, MiB sent and returned,
tasks, busy / idle seconds, the CPU share the busy workers got (their tasks' CPU seconds
per wall-clock second: below 1 when other jobs hold the cores) and the load average
before and after. The speed-up at full CPU is an estimate for a machine the count has to
itself: serial CPU seconds over the 2-worker wall-clock seconds times that share, which
takes every part of the 2-worker run (the calling process's too) to be slowed down alike.

    python benchmarks/parallel_scaling.py [--quick] [--repeat N] [--label TEXT]
        [--in-flight N ...] [--start-method METHOD] [--no-write]

``PYTHONPATH=OTHER/src`` measures another checkout (the same script, the same table).
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import sys
import time

from run import DEFAULT_OUTPUT, child_result, network_label, provenance, write_section

SCRIPT = "benchmarks/parallel_scaling.py"
#: The workers' counts of benchmarks/long_runs.py (8-32 s serially on 2 shared cores).
NETWORKS = [[2, 256, 256, 256, 256, 1], [4, 32, 32, 32, 1], [2, 512, 512, 512, 1]]


def timed_task(run_task, task):
    """``run_task(task)``; the outcome carries ``span``: (worker, start, end, pickled
    bytes of the outcome, CPU seconds of the task)."""
    started, cpu = time.time(), time.process_time()
    outcome = run_task(task)
    ended, cpu = time.time(), time.process_time() - cpu
    outcome.span = (os.getpid(), started, ended, len(pickle.dumps(outcome)), cpu)
    return outcome


class Recorder:
    """An executor's stand-in that records the pickled size of every task it submits and
    the span of every task that returns (:func:`timed_task`)."""

    def __init__(self, executor):
        self.executor = executor
        self.demand = getattr(executor, "demand", None)
        self.spans, self.sizes = [], []

    def __getattr__(self, name):
        return getattr(self.executor, name)

    def submit(self, fn, *args):
        self.sizes.append(len(pickle.dumps(args)))
        future = self.executor.submit(timed_task, fn, *args)
        future.add_done_callback(self._record)
        return future

    def _record(self, future):
        if not future.cancelled() and future.exception() is None:
            self.spans.append(future.result().span)


def serial(widths) -> dict:
    """A serial count: regions, wall and CPU seconds."""
    import regions
    from regions.random_networks import random_network
    net = random_network(widths, seed=0)
    wall, cpu = time.perf_counter(), time.process_time()
    counted = regions.count_regions(net)
    return {"regions": counted.regions, "wall": time.perf_counter() - wall,
            "cpu": time.process_time() - cpu}


def parallel(widths, in_flight: int | None = None, start_method: str | None = None) -> dict:
    """A count on a 2-worker process pool, recorded (:class:`Recorder`); ``in_flight``, if
    given, replaces ``regions.tolerances.IN_FLIGHT``; ``start_method``, if given, is the
    pool's (else this spawned child's default: spawn)."""
    import multiprocessing
    import regions
    from regions.engines import parallel as engines_parallel
    from regions.engines.parallel import process_pool
    from regions.random_networks import random_network
    net = random_network(widths, seed=0)
    if in_flight is not None:
        engines_parallel.IN_FLIGHT = in_flight
    if start_method is not None:
        multiprocessing.set_start_method(start_method, force=True)
    with process_pool(2) as executor:
        recorder = Recorder(executor)
        first = time.time()
        wall, cpu = time.perf_counter(), time.process_time()
        counted = regions.count_regions(net, executor=recorder)
        ended, cpu_end = time.perf_counter(), time.process_time()
        finished = time.time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"regions": counted.regions, "wall": ended - wall, "cpu": cpu_end - cpu,
            "workers_cpu": children.ru_utime + children.ru_stime, "spans": recorder.spans,
            "sizes": recorder.sizes, "first": first, "end": finished}


def account(run: dict) -> dict:
    """Busy and idle seconds per worker (most busy first), tasks, MiB sent and returned, and
    ``share``: the CPU seconds the tasks got per second of their wall-clock spans (1 on an
    idle machine)."""
    busy: dict = {}
    for pid, started, ended, *_ in run["spans"]:
        busy[pid] = busy.get(pid, 0.0) + ended - started
    span = run["end"] - run["first"]
    return {"busy": sorted(busy.values(), reverse=True),
            "idle": sorted(span - seconds for seconds in busy.values()),
            "tasks": len(run["spans"]), "sent": sum(run["sizes"]) / 2**20,
            "returned": sum(s[3] for s in run["spans"]) / 2**20,
            "share": sum(s[4] for s in run["spans"]) / sum(busy.values())}


def row(widths, label: str, in_flight: int | None = None,
        start_method: str | None = None) -> str:
    """One table row: serial then 2 workers on ``widths``, counts checked equal."""
    before = os.getloadavg()[0]
    one = child_result(serial, (widths,))
    two = child_result(parallel, (widths, in_flight, start_method))
    assert one["regions"] == two["regions"], (one["regions"], two["regions"])
    got = account(two)
    return (f"| {label} | {network_label(widths)} | {one['regions']:,} | "
            f"{one['wall']:.1f} ({one['cpu']:.1f}) | {two['wall']:.1f} ({two['cpu']:.2f} / "
            f"{two['workers_cpu']:.1f}) | {one['wall'] / two['wall']:.2f}x | "
            f"{got['sent']:.1f} / {got['returned']:.1f} | {got['tasks']} | "
            f"{' + '.join(f'{b:.1f}' for b in got['busy'])} / "
            f"{' + '.join(f'{i:.1f}' for i in got['idle'])} | {got['share']:.2f} | "
            f"{one['cpu'] / (two['wall'] * got['share']):.2f}x | "
            f"{before:.1f} / {os.getloadavg()[0]:.1f} |")


HEADER = ["| code | network | regions | serial s (CPU) | 2 workers s (CPU parent / workers) "
          "| speed-up | MiB sent / returned | tasks | worker busy / idle s | CPU share of busy "
          "workers | speed-up at full CPU (est.) | load before / after |",
          "|" + "---|" * 12]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the first network only")
    parser.add_argument("--repeat", type=int, default=1, help="rows per network")
    parser.add_argument("--label", default="this checkout", help="the code column")
    parser.add_argument("--in-flight", type=int, nargs="*", default=[None],
                        help="rows with these values of IN_FLIGHT (default: as it is)")
    parser.add_argument("--start-method", choices=["fork", "forkserver", "spawn"],
                        help="the workers' (default spawn; the command line forks on Linux)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    table = list(HEADER)
    print("\n".join(table), flush=True)
    for widths in NETWORKS[:1] if args.quick else NETWORKS:
        for _ in range(args.repeat):
            for in_flight in args.in_flight:
                label = args.label + ("" if in_flight is None else f", IN_FLIGHT {in_flight}")
                table.append(row(widths, label, in_flight, args.start_method))
                print(table[-1], flush=True)
    section = "\n".join([
        "## Parallel scaling: 2 workers against serial", "",
        provenance("python " + " ".join([SCRIPT, *sys.argv[1:]])),
        f"- Counts over all of R^n, random networks (seed 0), {os.cpu_count()} shared cores; "
        "each count a fresh process, serial and 2 workers back to back, so each speed-up is "
        "taken under one load (last column).", "", *table])
    if not args.no_write:
        write_section(DEFAULT_OUTPUT, section, SCRIPT)


if __name__ == "__main__":
    main()
