"""The vertex engine against regioncam on 2-D boxes, in one process (issue 22's rows).

Each repeat times ``regions.enumerate_regions`` (``method="auto"``: the vertex engine) and
regioncam back to back on the same network, so both see the same machine load; the table
takes each tool's best repeat. regioncam must report the same number of regions.

    python benchmarks/vertex_2d.py [--repeat N] [WIDTHS ...]
"""

from __future__ import annotations

import argparse
import json
import time

import regions
from regions.random_networks import random_network

import peers

NETS = ([2, 32, 32, 32, 1], [2, 64, 64, 64, 1])


def time_regions(net) -> tuple[int, float]:
    """Regions of ``net`` on ``[-1, 1]^2`` and the wall seconds of one enumeration."""
    started = time.perf_counter()
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    return len(part), time.perf_counter() - started


def best_times(widths: list, repeat: int) -> dict:
    """Counts and best seconds of both tools on the seeded network of ``widths``."""
    net = random_network(widths, seed=0)
    layers = [(layer.weight, layer.bias) for layer in net.layers]
    ours, theirs = [], []
    for _ in range(repeat):
        count, seconds = time_regions(net)
        ours.append(seconds)
        cam_count, cam_seconds = peers.count_regioncam(layers)
        theirs.append(cam_seconds)
    return {"count": count, "regioncam_count": cam_count, "seconds": min(ours),
            "regioncam_seconds": min(theirs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("widths", nargs="*", type=json.loads, default=list(NETS))
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with open("/proc/loadavg") as file:
        print(f"load average before: {' '.join(file.read().split()[:3])}")
    print("| network | regions | regions s | regions/s | regioncam s | regioncam / regions "
          "| counts agree |")
    print("|---|---|---|---|---|---|---|")
    for widths in args.widths:
        row = best_times(widths, args.repeat)
        print(f"| {widths} | {row['count']:,} | {row['seconds']:.4f} "
              f"| {row['count'] / row['seconds']:,.0f} | {row['regioncam_seconds']:.4f} "
              f"| {row['regioncam_seconds'] / row['seconds']:.2f} "
              f"| {'yes' if row['count'] == row['regioncam_count'] else 'no'} |")
    with open("/proc/loadavg") as file:
        print(f"load average after: {' '.join(file.read().split()[:3])}")


if __name__ == "__main__":
    main()
