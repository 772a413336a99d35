"""The analyses built on exact facets: the walk, the adjacency graph and the certificate.

Each case times one analysis of a seeded random ReLU network over ``[-1, 1]^d`` (the
partition, for the graph and the certificate, enumerated first and not timed) in a fresh
child process. With ``--baseline PYTHON`` (an interpreter that imports another checkout's
``regions``) the same cases run there too, alternating with this checkout case by case, and
the table gives the ratios: on a shared machine only ratios measured in one run mean
anything. Both must give the same regions, edges and verdicts. Writes its section of
docs/benchmarks.md.

    python benchmarks/analyses.py [--baseline PYTHON [--baseline-label TEXT]] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from run import DEFAULT_OUTPUT, provenance, table_header, write_section

SCRIPT = "benchmarks/analyses.py"
CASES = [("walk", [2, 8, 8, 8, 1]), ("walk", [3, 8, 8, 1]), ("graph", [2, 32, 32, 32, 1]),
         ("graph", [3, 8, 8, 1]), ("certify", [2, 16, 16, 16, 1]), ("certify", [3, 8, 8, 1])]

#: What a child process runs: one analysis, its result as JSON on stdout.
CHILD = """
import json, sys, time
import regions
from regions.random_networks import random_network
what, widths = json.loads(sys.argv[1])
net, box = random_network(widths, seed=0), regions.box(-1, 1)
started = time.perf_counter()
if what == "walk":
    part = regions.enumerate_regions(net, box, method="walk")
    outcome = part.lps
else:
    part = regions.enumerate_regions(net, box)
    started = time.perf_counter()
    outcome = (regions.adjacency_graph(part).number_of_edges() if what == "graph"
               else regions.certify(part).ok)
print(json.dumps({"seconds": time.perf_counter() - started, "regions": len(part),
                  "outcome": outcome}))
"""


def measure(python: str, what: str, widths: list) -> dict:
    """One analysis in a child process of ``python``: its time and result."""
    done = subprocess.run([python, "-c", CHILD, json.dumps([what, widths])],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def row(what: str, widths: list, result: dict, baseline: dict | None) -> str:
    """A table row; the baseline's time and the ratio when there is one."""
    outcome = result["outcome"]
    text = (("clean" if outcome else "violations") if what == "certify"
            else f"{outcome:,} {'LPs' if what == 'walk' else 'edges'}")
    cells = [what, f"{widths}", f"{result['regions']:,}", text, f"{result['seconds']:.2f}"]
    if baseline is not None:
        same = baseline["regions"] == result["regions"] and (
            what == "walk" or baseline["outcome"] == result["outcome"])
        cells += [f"{baseline['seconds']:.2f}", f"{baseline['seconds'] / result['seconds']:.1f}x",
                  "yes" if same else "NO"]
    return "| " + " | ".join(cells) + " |"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", help="python of the checkout to compare against")
    parser.add_argument("--baseline-label", default="another checkout",
                        help="what the baseline is, for the written section (e.g. a commit)")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    names = ["analysis", "network", "regions", "result", "seconds"]
    if args.baseline:
        names += ["baseline seconds", "speed-up", "same result"]
    rows = table_header(names)
    print(*rows, sep="\n", flush=True)
    for what, widths in CASES:
        result = measure(sys.executable, what, widths)
        baseline = measure(args.baseline, what, widths) if args.baseline else None
        rows.append(row(what, widths, result, baseline))
        print(rows[-1], flush=True)
    command = f"python {SCRIPT}" + (" --baseline PYTHON" if args.baseline else "")
    baseline = [f"- Baseline: {args.baseline_label}."] if args.baseline else []
    section = "\n".join([
        "## The analyses on exact facets: walk, graph, certificate",
        "",
        provenance(command) + ".",
        "- Seeded random ReLU networks (`random_network(widths, seed=0)`) over `[-1, 1]^d`, "
        "each analysis in a fresh process (the partition of the graph and the certificate, "
        "by the default engine, not timed); with a baseline, the two alternate case by case "
        "in one run and the claim is the ratio. The walk's result is its LP count.",
        "- Every row of a region's constraint system is a facet test: in 2-D an interval in "
        "closed form, from 3-D on one float LP; a facet is proven by its witness, a row that "
        "is none by the exact Farkas multipliers of the rows its LP binds, and the pattern "
        "across a facet by float64 with error bounds in general position (the rational "
        "forward pass otherwise).",
        *baseline,
        "",
        *rows,
    ])
    if not args.no_write:
        write_section(DEFAULT_OUTPUT, section, SCRIPT)


if __name__ == "__main__":
    main()
