"""Every engine, domain kind and activation against another checkout: a regression sweep.

Counts the first regions of seeded random networks (all of R^n from 2 to 10 inputs, boxes
from 2 to 64, ReLU, leaky ReLU and hard tanh; ``method="auto"``) in fresh child processes,
this checkout and the baseline alternating case by case, and prints per case the regions per
second of both, their ratio, and the decisions each took beyond float64 (ball or rational
arithmetic) per region. A ratio well below 1, or more decisions beyond float64, is a
regression to explain: on 2026-12-07 such a sweep found two (a crossed ray made exact on
about one crossing in ten, 7x slower over R^4; a hard-tanh neuron's constant gradient asked
twice). ``--baseline-src`` is the ``src`` folder of another checkout whose extensions are
built in place (``git worktree add DIR COMMIT && cd DIR && python setup.py build_ext
--inplace``), run by this interpreter. Writes its section of docs/benchmarks.md.

    python benchmarks/regressions.py [--baseline-src DIR/src [--baseline-label TEXT]]
                                     [--repeat N] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from run import DEFAULT_OUTPUT, fastest, network_label, provenance, table_header, write_section

SCRIPT = "benchmarks/regressions.py"
#: (widths, domain, activation): "whole" is all of R^n, "box" is [-1, 1]^n.
CASES = [
    ([2, 64, 64, 64, 1], "whole", "relu"), ([3, 32, 32, 32, 1], "whole", "relu"),
    ([4, 32, 32, 32, 1], "whole", "relu"), ([4, 64, 64, 64, 1], "whole", "relu"),
    ([5, 16, 16, 16, 1], "whole", "relu"), ([6, 12, 12, 12, 1], "whole", "relu"),
    ([8, 10, 10, 1], "whole", "relu"), ([10, 8, 8, 1], "whole", "relu"),
    ([3, 16, 16, 1], "whole", "hardtanh"), ([4, 20, 20, 1], "whole", "hardtanh"),
    ([3, 16, 16, 16, 1], "whole", "leaky_relu"), ([2, 32, 32, 32, 1], "box", "relu"),
    ([4, 12, 12, 12, 1], "box", "relu"), ([6, 10, 10, 1], "box", "relu"),
    ([10, 10, 10, 10, 1], "box", "relu"), ([64, 8, 8, 1], "box", "relu"),
    ([3, 16, 16, 1], "box", "hardtanh"), ([5, 12, 12, 12, 1], "box", "leaky_relu"),
]
#: Each count stops after this many regions, or this many seconds.
MAX_REGIONS, TIME_LIMIT = 100_000, 20.0

#: What a child process runs: one count, its counters as JSON on stdout.
CHILD = """
import json, sys, time
import numpy as np
import regions
from regions.random_networks import random_network
widths, domain, activation, max_regions, time_limit = json.loads(sys.argv[1])
net = random_network(widths, seed=0, activation=activation)
dim = widths[0]
space = regions.whole_space() if domain == "whole" else regions.box(-np.ones(dim), np.ones(dim))
started = time.perf_counter()
result = regions.count_regions(net, space, max_regions=max_regions, time_limit=time_limit)
print(json.dumps({"seconds": time.perf_counter() - started, "regions": result.regions,
                  "method": result.method, "exact": result.exact_decisions}))
"""


def measure(case: tuple, src: str | None) -> dict:
    """One count in a child process (with ``src`` first on its path when given)."""
    environment = dict(os.environ)
    if src is not None:
        environment["PYTHONPATH"] = os.pathsep.join(
            [src] + [path for path in [environment.get("PYTHONPATH")] if path])
    done = subprocess.run([sys.executable, "-c", CHILD,
                           json.dumps([*case, MAX_REGIONS, TIME_LIMIT])],
                          capture_output=True, text=True, check=True, env=environment)
    return json.loads(done.stdout.splitlines()[-1])


def row(case: tuple, result: dict, baseline: dict | None) -> str:
    """A table row: the case, this checkout's figures, the baseline's and the ratio."""
    widths, domain, activation = case
    speed = result["regions"] / result["seconds"]
    cells = [network_label(widths), domain, activation, result["method"],
             f"{result['regions']:,}", f"{speed:,.0f}",
             f"{result['exact'] / result['regions']:.4f}"]
    if baseline is not None:
        base_speed = baseline["regions"] / baseline["seconds"]
        cells += [f"{base_speed:,.0f}", f"{baseline['exact'] / baseline['regions']:.4f}",
                  f"{speed / base_speed:.2f}",
                  "yes" if baseline["regions"] == result["regions"] else "NO"]
    return "| " + " | ".join(cells) + " |"


def header(with_baseline: bool) -> list[str]:
    names = ["network", "domain", "activation", "engine", "regions", "regions/s",
             "beyond float64 per region"]
    if with_baseline:
        names += ["baseline regions/s", "baseline beyond float64 per region",
                  "speed ratio", "same count"]
    return table_header(names)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-src", help="src folder of the checkout to compare against")
    parser.add_argument("--baseline-label", default="another checkout",
                        help="what the baseline is, for the written section (e.g. a commit)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each case, the fastest kept (default 1)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    rows = header(args.baseline_src is not None)
    print(*rows, sep="\n", flush=True)
    for case in CASES:
        runs, baseline_runs = [], []
        for _ in range(args.repeat):
            runs.append(measure(case, None))
            if args.baseline_src:
                baseline_runs.append(measure(case, args.baseline_src))
        rows.append(row(case, fastest(runs), fastest(baseline_runs) if baseline_runs else None))
        print(rows[-1], flush=True)
    command = f"python {SCRIPT}" + (" --baseline-src DIR/src" if args.baseline_src else "") + (
        f" --repeat {args.repeat}" if args.repeat > 1 else "")
    section = "\n".join([
        "## Regression sweep: every engine, domain kind and activation",
        "",
        provenance(command),
        f"- `random_network(widths, seed=0, activation)`, `method=\"auto\"`, the first "
        f"{MAX_REGIONS:,} regions (or {TIME_LIMIT:g} s) over all of R^n or `[-1, 1]^n`, each "
        "count in a fresh process; with a baseline the two alternate case by case and the "
        "claim is the ratio"
        + (f"; the fastest of {args.repeat} runs each." if args.repeat > 1 else "."),
        "- \"beyond float64\": decisions settled in ball or rational arithmetic, per region.",
        *([f"- Baseline: {args.baseline_label}."] if args.baseline_src else []),
        "",
        *rows,
    ])
    if not args.no_write:
        write_section(DEFAULT_OUTPUT, section, SCRIPT)


if __name__ == "__main__":
    main()
