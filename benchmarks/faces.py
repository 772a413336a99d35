"""The face lattice before and after a rewrite, in one run: faces per second of
``regions.face_lattice`` at this checkout and at an earlier commit (its faces.py loaded from
git), and whether the two lattices are the same (every face's dimension, exact point, float
point, sign vector, regions, boundary and vertices, matched by exact point). Both are timed
on the same partition, enumerated first (its seconds are shown beside): the lattice's time
includes its own run of the vertex engine keeping every region's generators. Writes its
section of docs/benchmarks.md.

    python benchmarks/faces.py [--before REV] [--quick] [--no-write]
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import time
import types
from pathlib import Path

import regions
from regions.random_networks import random_network

from run import DEFAULT_OUTPUT, network_label, provenance, write_section

SCRIPT = "benchmarks/faces.py"
#: The last commit with the lattice's level loop in Python (numpy per face) and an exact
#: solve and forward pass per vertex.
BEFORE = "b57e08a"
#: (widths, domain), 3-D to 6-D.
CASES = [([3, 16, 16, 1], "box"), ([3, 8, 8, 1], "whole"), ([4, 8, 8, 1], "box"),
         ([5, 8, 1], "box"), ([6, 8, 1], "box"), ([4, 12, 12, 1], "box")]
ROOT = Path(__file__).resolve().parent.parent


def old_face_lattice(rev: str):
    """``face_lattice`` of src/regions/complex/faces.py at git revision ``rev``."""
    source = subprocess.run(["git", "show", f"{rev}:src/regions/complex/faces.py"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout
    module = sys.modules["regions.complex.faces_before"] = types.ModuleType(
        "regions.complex.faces_before")
    module.__package__ = "regions.complex"
    exec(compile(source, f"{rev}:faces.py", "exec"), module.__dict__)
    return module.face_lattice


def timed(function, part) -> tuple:
    """``(lattice, seconds built, CPU seconds built, seconds built and every exact point
    read)`` (exact points are computed when first read)."""
    gc.collect()        # the previous lattices' garbage is not this one's time
    start, cpu = time.perf_counter(), time.process_time()
    lattice = function(part)
    built, cpu = time.perf_counter() - start, time.process_time() - cpu
    list(lattice.rational_points)
    return lattice, built, cpu, time.perf_counter() - start


def canonical(lattice) -> dict:
    """Every face by its exact point: (dim, float point, signs, regions, boundary, vertices),
    the last two as sets of exact points (independent of the faces' numbering)."""
    key = [tuple(p) for p in lattice.rational_points]
    return {k: (int(lattice.dims[f]), lattice.points[f].tobytes(), lattice.signs[f].tobytes(),
                tuple(lattice.regions[f].tolist()),
                frozenset(key[g] for g in lattice.bounds[f]),
                frozenset(key[g] for g in lattice.vertices[f]))
            for f, k in enumerate(key)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help=f"git revision (default {BEFORE})")
    parser.add_argument("--quick", action="store_true", help="the first three networks only")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    before = old_face_lattice(args.before)
    load = os.getloadavg()[0]
    rows = ["| network | domain | regions | enumeration s | faces | f-vector | faces/s before | "
            "faces/s after | speed-up, after / before | faces/s after, by CPU time | "
            "faces/s before, every exact point read | faces/s after, every exact point read "
            "| same lattice |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for widths, domain in CASES[:3] if args.quick else CASES:
        net = random_network(widths, seed=0)
        start = time.perf_counter()
        part = regions.enumerate_regions(net, regions.box(-1, 1) if domain == "box" else None)
        enumeration = time.perf_counter() - start
        new, new_built, new_cpu, new_read = timed(regions.face_lattice, part)
        old, old_built, _, old_read = timed(before, part)
        faces = len(new.dims)
        row = (f"| {network_label(widths)} | {domain} | {len(part):,} | {enumeration:.2f} | "
               f"{faces:,} | {new.f_vector} | {len(old.dims) / old_built:,.0f} | "
               f"{faces / new_built:,.0f} | {old_built / new_built:.1f} | "
               f"{faces / new_cpu:,.0f} | {len(old.dims) / old_read:,.0f} | "
               f"{faces / new_read:,.0f} | "
               f"{'yes' if canonical(old) == canonical(new) else 'NO'} |")
        print(row, flush=True)
        rows.append(row)
        del old, new
    section = "\n".join([
        "## The face lattice",
        "",
        provenance(f"python {SCRIPT}") + f"; `regions.face_lattice` on seeded random networks "
        f"(seed 0); before: faces.py at {args.before}, both in this process, after first.",
        f"- Before ({args.before}): faces found from the top down by exact sign vectors, each "
        "face's facets with numpy, one face at a time, in Python; every vertex solved and run "
        "through the network exactly, one at a time (and solved again for every region "
        "around it). After: the level loop in Cython (`regions.complex._lattice`: generator "
        "bit sets, one sign table, faces keyed by exact sign vectors), each vertex solved once "
        "(looked up by its tight labels and the states they depend on, less the tight "
        "neurons'), every vertex's sign vector from one pass of the network over all "
        "vertices in integers, the lattice's lists grouped with numpy.",
        "- faces/s: faces over the seconds of `face_lattice(part)` on an enumerated partition, "
        "including its run of the vertex engine keeping every region's generators; "
        "\"enumeration s\" is the partition's own enumeration, for scale. \"by CPU time\": "
        "over the process's CPU seconds instead (what the load of other jobs does not "
        "inflate). \"every exact point read\" adds reading every face's exact point (the "
        "exact mean of its vertices, computed when first read).",
        "- \"same lattice\": every face's dimension, exact and float point, sign vector, "
        "regions, boundary and vertices are equal.",
        f"- The machine is shared (2 cores, other jobs running; load average {load:.1f} at "
        f"the start, {os.getloadavg()[0]:.1f} at the end): the ratios are the claim, not the "
        "absolute rates; the rates by CPU time are what the load does not inflate.",
        "",
        *rows,
    ])
    if not args.no_write:
        write_section(DEFAULT_OUTPUT, section, SCRIPT)


if __name__ == "__main__":
    main()
