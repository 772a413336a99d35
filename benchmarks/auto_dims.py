"""Which engine ``method="auto"`` should pick, by input dimension: vertex against split.

For each dimension and domain (the box ``[-1, 1]^d`` and all of ``R^d``), both engines
enumerate the same network in the same run, each stopped after ``--regions`` final regions
(depth-first, so both stop inside the same kind of work); the table gives regions per
second and the ratio. ``regions.engines.vertex.MAX_AUTO_DIM`` is read off it. Writes its
section of docs/benchmarks.md.

    python benchmarks/auto_dims.py [--regions N] [--dims 2 4 6 8 9 10 11]
"""

from __future__ import annotations

import argparse
import platform

import regions
from regions.engines.vertex import MAX_AUTO_DIM
from regions.random_networks import random_network

from run import DEFAULT_OUTPUT, provenance, write_section

SCRIPT = "benchmarks/auto_dims.py"


def rate(widths, domain, method: str, budget: int) -> tuple[float, int]:
    """Regions per second of one enumeration, and the regions found."""
    part = regions.enumerate_regions(random_network(widths, seed=0), domain, method=method,
                             max_regions=budget)
    return len(part) / part.seconds, len(part)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=3000, help="regions per run")
    parser.add_argument("--dims", type=int, nargs="+", default=[2, 4, 6, 8, 9, 10, 11])
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    rows = ["| d | network | domain | regions | vertex regions/s | split regions/s | "
            "vertex / split | auto picks |", "|---|---|---|---|---|---|---|---|"]
    for d in args.dims:
        widths = [d, 10, 10, 1]
        for name, domain in (("box", regions.box(-1, 1)), ("whole", regions.whole_space())):
            vertex, found = rate(widths, domain, "vertex", args.regions)
            split, _ = rate(widths, domain, "split", args.regions)
            limit = MAX_AUTO_DIM["bounded" if name == "box" else "unbounded"]
            row = (f"| {d} | {widths} | {name} | {found:,} | {vertex:,.0f} | {split:,.0f} | "
                   f"{vertex / split:.2f} | {'vertex' if d <= limit else 'split'} |")
            print(row, flush=True)
            rows.append(row)
    section = "\n".join([
        "## Vertex or split: what `method=\"auto\"` picks",
        "",
        provenance(f"python {SCRIPT} --regions {args.regions}") + f", {platform.machine()}.",
        "- Both engines stop after the same number of final regions, in the same run; the "
        "claim is the ratio.",
        "",
        *rows,
        "",
        "The vertex engine starts a box from its `2^d` corners, so its cost per region grows "
        "quickly with `d` on boxes; all of `R^d` starts from simplicial cones (`d + 1` "
        "generators each). `MAX_AUTO_DIM` is the largest `d` where the vertex engine is "
        "faster.",
    ])
    if not args.no_write:
        write_section(DEFAULT_OUTPUT, section, SCRIPT)


if __name__ == "__main__":
    main()
