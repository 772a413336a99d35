"""The face lattice before and after the sign-vector rewrite, in one run: faces per second
of ``regions.face_lattice`` at this checkout and at an earlier commit (its faces.py loaded
from git), and whether the two lattices are the same (every face's dimension, exact point,
float point, sign vector, regions, boundary and vertices, matched by exact point). Writes
its section of docs/benchmarks.md.

    python benchmarks/faces.py [--before REV] [--quick] [--no-write]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import types
from pathlib import Path

import regions
from regions.random_networks import random_network

from run import DEFAULT_OUTPUT, network_label, provenance, write_section

SCRIPT = "benchmarks/faces.py"
#: The last commit with faces built per region from Fraction-keyed vertex sets.
BEFORE = "cea83e2"
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
    """``(lattice, seconds)``: the lattice, and how long building it and reading every exact
    point took (the rewrite computes them when first read)."""
    start = time.perf_counter()
    lattice = function(part)
    built = time.perf_counter() - start
    list(lattice.rational_points)
    return lattice, built, time.perf_counter() - start


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
    rows = ["| network | domain | regions | faces | f-vector | faces/s before | "
            "faces/s after | faces/s after, every exact point read | "
            "speed-up, after / before | same lattice |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for widths, domain in CASES[:3] if args.quick else CASES:
        net = random_network(widths, seed=0)
        part = regions.enumerate_regions(net, regions.box(-1, 1) if domain == "box" else None)
        old, _, old_seconds = timed(before, part)
        new, built, new_seconds = timed(regions.face_lattice, part)
        faces = len(new.dims)
        row = (f"| {network_label(widths)} | {domain} | {len(part):,} | {faces:,} | "
               f"{new.f_vector} | {len(old.dims) / old_seconds:,.0f} | {faces / built:,.0f} | "
               f"{faces / new_seconds:,.0f} | {old_seconds / built:.0f} | "
               f"{'yes' if canonical(old) == canonical(new) else 'NO'} |")
        print(row, flush=True)
        rows.append(row)
    section = "\n".join([
        "## The face lattice",
        "",
        provenance(f"python {SCRIPT}") + f"; `regions.face_lattice` on seeded random networks "
        f"(seed 0), before: faces.py at {args.before}, both in this process.",
        "- Before, every region's faces were the closed sets of its generator incidence, keyed by "
        "their vertices' Fraction coordinates. After, faces are found from the top down by exact "
        "sign vectors: each vertex's label values are computed once, and a face's facets are the "
        "maximal sets of its generators on which one label vanishes.",
        "- \"after\" is the lattice with its exact points computed when first read (most uses "
        "read the vertices' only); \"every exact point read\" adds reading them all (the exact "
        "mean of each face's vertices, whose denominators grow with the vertices').",
        "- \"same lattice\": every face's dimension, exact and float point, sign vector, "
        "regions, boundary and vertices are equal.",
        "- The machine is shared (2 cores, other jobs running): the ratios are the claim, not "
        "the absolute rates.",
        "",
        *rows,
    ])
    if not args.no_write:
        write_section(DEFAULT_OUTPUT, section, SCRIPT)


if __name__ == "__main__":
    main()
