"""The vertex engine against the split engine on networks with max layers, same run.

Each measurement runs in a fresh child process. Both methods must report the same set
of patterns; the claims are the ratios, not the absolute times (a shared, noisy machine).
Prints a Markdown table and writes its section of docs/benchmarks.md (not with --quick).

    python benchmarks/max_vertex_vs_split.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import regions

from run import DEFAULT_OUTPUT, child_result, provenance, write_section

SCRIPT = "benchmarks/max_vertex_vs_split.py"
HEADING = "## Max layers: the vertex engine against the split engine"
#: The section's notes, after the command's provenance.
NOTES = """ (a shared 2-core machine: the claim is the ratio, each run in a fresh process, \
both methods checked to give the same patterns).
- Maxout: `[n -> units x rank -> relu -> 1]`; pooling: `[n -> relu width -> max over \
consecutive windows of pool -> 1]`; seeded random weights, box `[-2, 2]^n` or all of R^n.
- On all of R^n a first max layer's regions are found by the split engine and given exact \
vertices and rays in Python (`regions.engines.vertex.MaxRoots`): that start costs about as \
much as the whole split run on the maxout case below; after a ReLU layer the vertex engine \
starts from its cones as usual."""


def maxout(seed: int, n: int, units: int, rank: int, hidden: int):
    """[n -> maxout (units of rank) -> relu hidden -> 1]."""
    rng = np.random.default_rng(seed)
    windows = {0: [[g * rank + i for i in range(rank)] for g in range(units)]}
    return regions.Network.from_layers(
        [(rng.normal(size=(units * rank, n)), rng.normal(size=units * rank)),
         (rng.normal(size=(hidden, units)), rng.normal(size=hidden)),
         (rng.normal(size=(1, hidden)), np.zeros(1))],
        ["max", "relu", "identity"], windows=windows)


def pooled(seed: int, n: int, width: int, pool: int):
    """[n -> relu width -> max over consecutive windows of pool -> 1] (max pooling)."""
    rng = np.random.default_rng(seed)
    windows = {1: [list(range(i, min(i + pool, width))) for i in range(0, width, pool)]}
    units = len(windows[1])
    return regions.Network.from_layers(
        [(rng.normal(size=(width, n)), rng.normal(size=width) * 0.5),
         (np.eye(width), np.zeros(width)),
         (rng.normal(size=(1, units)), np.zeros(1))],
        ["relu", "max", "identity"], windows=windows)


CASES = [  # (name, builder, arguments, domain)
    ("maxout 2 -> 8x3 -> relu 8", maxout, (0, 2, 8, 3, 8), "box"),
    ("maxout 2 -> 8x3 -> relu 8", maxout, (0, 2, 8, 3, 8), "whole"),
    ("maxout 3 -> 6x3 -> relu 6", maxout, (1, 3, 6, 3, 6), "box"),
    ("relu 2 -> 24, pool 3", pooled, (0, 2, 24, 3), "box"),
    ("relu 2 -> 24, pool 3", pooled, (0, 2, 24, 3), "whole"),
    ("relu 3 -> 16, pool 4", pooled, (1, 3, 16, 4), "box"),
]
QUICK = [CASES[0], CASES[3]]


def measure(builder, arguments, where, method):
    """``(regions, seconds, sorted patterns)`` of one run, in a child."""
    net = builder(*arguments)
    domain = regions.box(-2, 2) if where == "box" else regions.whole_space()
    started = time.perf_counter()
    part = regions.enumerate_regions(net, domain, method=method)
    return len(part), time.perf_counter() - started, sorted(map(bytes, part.patterns))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two small cases only")
    args = parser.parse_args()
    rows = ["| network | domain | regions | split s | vertex s | split / vertex time |",
            "|---|---|---|---|---|---|"]
    print(*rows, sep="\n")
    for name, builder, arguments, where in (QUICK if args.quick else CASES):
        split = child_result(measure, (builder, arguments, where, "split"))
        vertex = child_result(measure, (builder, arguments, where, "vertex"))
        if split[2] != vertex[2]:
            raise SystemExit(f"{name} on {where}: split and vertex disagree "
                             f"({split[0]} vs {vertex[0]} regions)")
        rows.append(f"| {name} | {where} | {split[0]} | {split[1]:.3f} | {vertex[1]:.3f} | "
                    f"{split[1] / vertex[1]:.1f} |")
        print(rows[-1], flush=True)
    if not args.quick:
        write_section(DEFAULT_OUTPUT, "\n".join([HEADING, "", provenance(f"python {SCRIPT}") + NOTES,
                                                 "", *rows]), SCRIPT)

if __name__ == "__main__":
    main()
