"""What the analyses cost on max units against ReLUs over the same partition, in one run.

``max(0, z)`` is ``relu(z)``: a layer of max units over windows ``[0, z_g]`` (a zero row and
the ReLU's row) computes the ReLU layer's function, with the same hyperplanes ``z_g = 0``
exactly and the same states (a tie goes to position 0, as a ReLU at 0 is off). The table
times each analysis on both networks, both enumerated by the split engine (the vertex
engine, which ``method="auto"`` takes for these ReLU networks, refuses max layers), in this
process, and checks that the counts
(regions, graph edges, certificate edges, located points, regions along lines) agree.
Writes its section of docs/benchmarks.md.

    python benchmarks/max_analyses.py [--quick] [--no-write]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import regions
from regions import sampling

from run import DEFAULT_OUTPUT, provenance, write_section

SCRIPT = "benchmarks/max_analyses.py"
#: (input dimension, units, domain).
CASES = [(2, 32, "box"), (2, 24, "whole"), (3, 16, "box")]
#: Points located and random lines counted per network.
POINTS, LINES = 2000, 500


def twins(dim: int, units: int, seed: int = 0):
    """``(maxout, relu)``: ``units`` ReLUs on R^dim and the max units ``max(0, z_g)`` over the
    same rows, each layer followed by a sum."""
    rng = np.random.default_rng(seed)
    W, b = rng.normal(size=(units, dim)), rng.normal(size=units)
    relu = regions.Network.from_layers([(W, b), (np.ones((1, units)), np.zeros(1))])
    zero_and_row = np.zeros((2 * units, dim))
    zero_and_row[1::2] = W
    shifts = np.zeros(2 * units)
    shifts[1::2] = b
    maxout = regions.Network.from_layers(
        [(zero_and_row, shifts), (np.ones((1, units)), np.zeros(1))], ["max", "identity"],
        windows={0: [[2 * g, 2 * g + 1] for g in range(units)]})
    return maxout, relu


def timed(function, *args) -> tuple:
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def analyses(net, domain) -> dict:
    """``{analysis: (count, seconds)}`` for one network."""
    part, enumerate_s = timed(lambda: regions.enumerate_regions(net, domain, method="split"))
    graph, graph_s = timed(regions.adjacency_graph, part)
    certificate, certify_s = timed(regions.certify, part)
    points = np.random.default_rng(1).uniform(-1, 1, size=(POINTS, net.input_dim))
    found, locate_s = timed(part.locate, points)
    lines, lines_s = timed(sampling.regions_along_lines, net, domain, LINES)
    assert certificate.ok
    return {"enumerate": (len(part), enumerate_s), "graph": (graph.number_of_edges(), graph_s),
            "certify": (certificate.edges, certify_s),
            "locate": (int(np.count_nonzero(found >= 0)), locate_s),
            "lines": (int(lines.counts.sum()), lines_s)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the first network only")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    names = ["enumerate", "graph", "certify", "locate", "lines"]
    rows = ["| d | units | domain | regions | edges | "
            + " | ".join(f"{name}: ReLU s, max s, max / ReLU" for name in names)
            + " | same counts |",
            "|---|---|---|---|---|" + "---|" * len(names) + "---|"]
    for dim, units, kind in CASES[:1] if args.quick else CASES:
        domain = regions.box(-1, 1) if kind == "box" else None
        maxout, relu = twins(dim, units)
        first = analyses(relu, domain)
        second = analyses(maxout, domain)
        same = all(first[name][0] == second[name][0] for name in names)
        cells = " | ".join(f"{first[name][1]:.2f}, {second[name][1]:.2f}, "
                           f"{second[name][1] / first[name][1]:.1f}" for name in names)
        row = (f"| {dim} | {units} | {kind} | {first['enumerate'][0]:,} | "
               f"{first['graph'][0]:,} | {cells} | {'yes' if same else 'NO'} |")
        print(row, flush=True)
        rows.append(row)
    section = "\n".join([
        "## Max units in the analyses",
        "",
        provenance(f"python {SCRIPT}") + "; one hidden layer of random ReLUs (seed 0) against "
        "the max units max(0, z) over the same rows (the same function and regions), both in "
        f"this process; {POINTS:,} points located, {LINES} random lines counted.",
        "- Both networks are enumerated by the split engine (`method=\"auto\"` takes the vertex "
        "engine for these ReLU networks, which refuses max layers). Each analysis reads a max "
        "unit's pair rows where it reads a ReLU's breakpoint row; the line counts cut a max "
        "unit's line where two of its inputs cross (a root of their difference, certified "
        "in float64 as a ReLU's).",
        "- \"same counts\": regions, graph edges, certificate edges, located points and "
        "regions along the lines agree.",
        "- The machine is shared (2 cores, other jobs running): the ratios are the claim, not "
        "the absolute times.",
        "",
        *rows,
    ])
    if not args.no_write:
        write_section(DEFAULT_OUTPUT, section, SCRIPT)


if __name__ == "__main__":
    main()
