"""The vertex engine against regioncam on 2-D boxes, in one process (issue 22's rows).

Each repeat times ``regions.enumerate_regions`` (``method="auto"``: the vertex engine) and
regioncam back to back on the same network, so both see the same machine load; the table
takes each tool's best repeat. regioncam must report the same number of regions.

``--baseline DIR`` also times the ``regions`` importable from ``DIR`` (e.g. an unpacked
wheel of an older commit: ``pip wheel --no-deps . -w W && unzip W/*.whl -d DIR``) in a
child process started before each network's repeats, and checks that its regions are the
same, in the same order (patterns, witnesses and margins equal bit for bit).

    python benchmarks/vertex_2d.py [--repeat N] [--baseline DIR] [WIDTHS ...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time

import numpy as np

import regions
from regions.random_networks import random_network

import peers

NETS = ([2, 32, 32, 32, 1], [2, 64, 64, 64, 1])


def load_average() -> str:
    """The 1, 5 and 15 minute load averages of ``/proc/loadavg``."""
    with open("/proc/loadavg") as file:
        return " ".join(file.read().split()[:3])


def digest(part) -> str:
    """A hash of the regions' patterns, witnesses and margins, in order."""
    h = hashlib.sha256()
    for array in (part.patterns, part.witnesses, part.margins):
        h.update(np.ascontiguousarray(array).tobytes())
    return h.hexdigest()


def time_regions(net) -> tuple[int, float, str]:
    """Regions of ``net`` on ``[-1, 1]^2``, the wall seconds of one enumeration, its digest."""
    started = time.perf_counter()
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    seconds = time.perf_counter() - started
    return len(part), seconds, digest(part)


def baseline_times(directory: str, widths: list, repeat: int) -> dict:
    """Count, best seconds and digest of the ``regions`` in ``directory`` (a child process)."""
    env = dict(os.environ, PYTHONPATH=directory)
    output = subprocess.run([sys.executable, __file__, "--child", "--repeat", str(repeat),
                             json.dumps(widths)], env=env, check=True, capture_output=True,
                            text=True).stdout
    return json.loads(output.splitlines()[-1])


def best_times(widths: list, repeat: int) -> dict:
    """Counts, best seconds and digest of ``regions`` and regioncam on ``widths``' network."""
    net = random_network(widths, seed=0)
    layers = [(layer.weight, layer.bias) for layer in net.layers]
    ours, theirs = [], []
    for _ in range(repeat):
        count, seconds, hashed = time_regions(net)
        ours.append(seconds)
        cam_count, cam_seconds = peers.count_regioncam(layers)
        theirs.append(cam_seconds)
    return {"count": count, "digest": hashed, "regioncam_count": cam_count,
            "seconds": min(ours), "regioncam_seconds": min(theirs)}


def child(widths: list, repeat: int) -> None:
    """Print ``{"count", "seconds", "digest", "module"}`` of this process's ``regions``."""
    net = random_network(widths, seed=0)
    runs = [time_regions(net) for _ in range(repeat)]
    print(json.dumps({"count": runs[0][0], "seconds": min(r[1] for r in runs),
                      "digest": runs[0][2], "module": regions.__file__}))


def row(widths: list, repeat: int, baseline: str | None) -> str:
    """One markdown table row for ``widths``."""
    before = baseline_times(baseline, widths, repeat) if baseline else None
    now = best_times(widths, repeat)
    cells = [str(widths), f"{now['count']:,}", f"{now['seconds']:.4f}",
             f"{now['count'] / now['seconds']:,.0f}", f"{now['regioncam_seconds']:.4f}",
             f"{now['regioncam_seconds'] / now['seconds']:.2f}",
             "yes" if now["count"] == now["regioncam_count"] else "no"]
    if before:
        cells += [f"{before['count'] / before['seconds']:,.0f}",
                  f"{now['regioncam_seconds'] / before['seconds']:.2f}",
                  f"{before['seconds'] / now['seconds']:.2f}",
                  "yes" if before["digest"] == now["digest"] else "no"]
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("widths", nargs="*", type=json.loads, default=list(NETS))
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--baseline", metavar="DIR")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.widths[0], args.repeat)
        return
    header = ["network", "regions", "regions s", "regions/s", "regioncam s",
              "regioncam / regions", "counts agree"]
    if args.baseline:
        header += ["baseline regions/s", "regioncam / baseline", "speed-up",
                   "same regions as baseline"]
    print(f"load average before: {load_average()}")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for widths in args.widths:
        print(row(widths, args.repeat, args.baseline), flush=True)
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
