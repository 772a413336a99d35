"""Peak memory of counting against enumerating: ``regions.count_regions`` drops each batch
of final regions as it comes, ``regions.enumerate_regions`` keeps them all.

Each run is a fresh child process (its peak resident memory is its own, Python and the
libraries included). Writes its section of docs/benchmarks.md.

    python benchmarks/memory.py [--quick]
"""

from __future__ import annotations

import argparse
import resource

from run import DEFAULT_OUTPUT, child_result, network_label, provenance, write_section

SCRIPT = "benchmarks/memory.py"
NETWORKS = [[2, 64, 64, 64, 1], [2, 256, 256, 256, 1], [2, 512, 512, 512, 1],
            [2] + [256] * 8 + [1]]


def child(widths, keep: bool) -> tuple[int, float, int]:
    """``(regions, seconds, peak bytes)`` of one run, in the child process."""
    import regions
    from regions.random_networks import random_network
    net = random_network(widths, seed=0)
    if keep:
        part = regions.enumerate_regions(net)
        found, seconds = len(part), part.seconds
    else:
        counted = regions.count_regions(net)
        found, seconds = counted.regions, counted.seconds
    return found, seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the first two networks only")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    rows = ["| network | regions | count_regions s | count_regions peak MiB | enumerate s | "
            "enumerate peak MiB |", "|---|---|---|---|---|---|"]
    for widths in NETWORKS[:2] if args.quick else NETWORKS:
        counted, count_s, count_peak = child_result(child, (widths, False))
        kept, keep_s, keep_peak = child_result(child, (widths, True))
        assert counted == kept, (counted, kept)
        row = (f"| {network_label(widths)} | {counted:,} | {count_s:.2f} | {count_peak / 2**20:,.0f} | "
               f"{keep_s:.2f} | {keep_peak / 2**20:,.0f} |")
        print(row, flush=True)
        rows.append(row)
    section = "\n".join([
        "## Memory: counting without keeping the regions",
        "",
        provenance(f"python {SCRIPT}") + "; all of R^2, `method=\"auto\"` (the vertex engine).",
        "- `regions count NET` (without `-o`, `--exact-check`, `--certify` or checkpoints) "
        "counts this way; peak memory is the whole process's.",
        "",
        *rows,
    ])
    if not args.no_write:
        write_section(DEFAULT_OUTPUT, section, SCRIPT)


if __name__ == "__main__":
    main()
