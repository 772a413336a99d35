"""The split engine on boxes of 10 to 64 inputs: regions per second, LPs per region, µs per LP.

Each case counts the regions of a seeded random network over ``[0, 1]^d`` in a fresh child
process. With ``--baseline PYTHON`` (the interpreter of another checkout's environment, e.g.
``../wt-main/.venv/bin/python``) the same cases run there too, alternating with this checkout
case by case, and the table gives the ratios: on a shared machine only ratios measured in one
run mean anything. ``--max-regions`` stops both after the same first regions (the order of
the regions depends on exact decisions only). ``--repeat N`` runs each case N times (with a
baseline: alternating) and keeps the fastest of each, which a burst of load on a shared
machine does not move. Writes its section of docs/benchmarks.md.

    python benchmarks/high_dim.py [--baseline PYTHON [--baseline-label TEXT]] [--max-regions N]
                                  [--repeat N] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys

from run import DEFAULT_OUTPUT, fastest, provenance, table_header, write_section

SCRIPT = "benchmarks/high_dim.py"
CASES = [([10, 10, 10, 10, 1], 10), ([12, 12, 12, 1], 12), ([64, 8, 8, 1], 64),
         ([64, 12, 12, 1], 64)]

#: What a child process runs: one count, its counters as JSON on stdout.
CHILD = """
import json, sys, time
import numpy as np
import regions
from regions.random_networks import random_network
widths, dim, max_regions = json.loads(sys.argv[1])
box = regions.box(np.zeros(dim), np.ones(dim))
started = time.perf_counter()
result = regions.count_regions(random_network(widths, seed=0), box, method="split",
                               max_regions=max_regions)
print(json.dumps({"seconds": time.perf_counter() - started, "regions": result.regions,
                  "thin": result.thin, "lps": result.lps, "lp_seconds": result.lp_seconds,
                  "complete": result.complete}))
"""


def measure(python: str, widths: list, dim: int, max_regions: int | None) -> dict:
    """One count in a child process of ``python``: its counters."""
    done = subprocess.run([python, "-c", CHILD, json.dumps([widths, dim, max_regions])],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def rates(result: dict) -> tuple[float, float, float, float]:
    """``(regions/s, LPs per region, LP solver µs per LP, wall µs per LP)``."""
    lps = max(result["lps"], 1)
    return (result["regions"] / result["seconds"], result["lps"] / result["regions"],
            result["lp_seconds"] / lps * 1e6, result["seconds"] / lps * 1e6)


def row(widths: list, dim: int, result: dict, baseline: dict | None) -> str:
    """A table row; the baseline's figures and the ratio when there is one."""
    speed, per_region, solver, wall = rates(result)
    cells = [f"{widths}", f"[0,1]^{dim}", f"{result['regions']:,}", f"{speed:,.0f}",
             f"{per_region:.2f}", f"{solver:.0f}", f"{wall:.0f}"]
    if baseline is not None:
        base_speed, base_per_region, base_solver, base_wall = rates(baseline)
        same = (baseline["regions"], baseline["thin"]) == (result["regions"], result["thin"])
        cells += [f"{base_speed:,.0f}", f"{base_per_region:.2f}", f"{base_solver:.0f}",
                  f"{base_wall:.0f}", f"{speed / base_speed:.2f}x", "yes" if same else "NO"]
    return "| " + " | ".join(cells) + " |"


def header(with_baseline: bool) -> list[str]:
    names = ["network", "domain", "regions", "regions/s", "LPs/region", "µs/LP (solver)",
             "µs/LP (wall)"]
    if with_baseline:
        names += ["baseline regions/s", "baseline LPs/region", "baseline µs/LP (solver)",
                  "baseline µs/LP (wall)", "speed-up", "same counts"]
    return table_header(names)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="python of the checkout to compare against")
    parser.add_argument("--baseline-label", default="another checkout",
                        help="what the baseline is, for the written section (e.g. a commit)")
    parser.add_argument("--max-regions", type=int, default=None,
                        help="stop each count after this many regions (default: count all)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each case, the fastest kept (default 1)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    rows = header(args.baseline is not None)
    print(*rows, sep="\n", flush=True)
    for widths, dim in CASES:
        runs, baseline_runs = [], []
        for _ in range(args.repeat):
            runs.append(measure(sys.executable, widths, dim, args.max_regions))
            if args.baseline:
                baseline_runs.append(measure(args.baseline, widths, dim, args.max_regions))
        result = fastest(runs)
        baseline = fastest(baseline_runs) if args.baseline else None
        rows.append(row(widths, dim, result, baseline))
        print(rows[-1], flush=True)
    command = f"python {SCRIPT}" + (" --baseline PYTHON" if args.baseline else "") + (
        f" --max-regions {args.max_regions}" if args.max_regions else "") + (
        f" --repeat {args.repeat}" if args.repeat > 1 else "")
    baseline = [f"- Baseline: {args.baseline_label}."] if args.baseline else []
    section = "\n".join([
        "## Many inputs: the split engine on boxes of 10 to 64 inputs",
        "",
        provenance(command) + f", {platform.machine()}.",
        "- Seeded random networks (`random_network(widths, seed=0)`) counted over `[0, 1]^d` "
        "by `method=\"split\"`, each in a fresh process; with a baseline, the two alternate "
        "case by case in one run and the claim is the ratio"
        + (f"; the fastest of {args.repeat} runs each." if args.repeat > 1 else "."),
        "- µs/LP (solver): time inside the LP solvers (HiGHS, and the warm-started dual "
        "simplex of `regions._simplex`) per LP; µs/LP (wall): the whole run per LP, "
        "certification and bookkeeping included.",
        *baseline,
        "",
        *rows,
    ])
    if not args.no_write:
        write_section(DEFAULT_OUTPUT, section, SCRIPT)


if __name__ == "__main__":
    main()
