"""The cost of the long-run features on counts: checkpoints, resume, and workers.

Every run is a fresh child process (:func:`run.child_result`); its peak resident memory
is its own, and a pool's workers' peak is the largest worker's (``RUSAGE_CHILDREN`` once
the pool has reaped them). In one run, on one machine:

- a count with and without a checkpoint every 10 s (time, peak memory, largest file);
- the same count stopped at 10 s (``time_limit``, checkpointed), then resumed to the end;
- 1 against 2 workers on counts above 10 s.

Writes its section of docs/benchmarks.md.

    python benchmarks/long_runs.py [--quick] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile

from run import DEFAULT_OUTPUT, child_result, network_label, provenance, write_section

SCRIPT = "benchmarks/long_runs.py"
#: The network of the checkpoint rows: 1.17 million regions over R^2.
CHECKPOINTED = [2, 512, 512, 512, 1]
#: Counts of more than 10 s (serially, on this machine) for the workers' rows.
PARALLEL = [[2, 512, 512, 512, 1], [2, 256, 256, 256, 256, 1], [4, 32, 32, 32, 1]]
CHECKPOINT_EVERY = 10.0
STOP_AFTER = 10.0


def peaks() -> tuple[float, float]:
    """Peak resident MiB of this process and of its largest reaped child."""
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)


def count(widths, workers: int = 1, checkpoint: str | None = None, resume: str | None = None,
          time_limit: float | None = None) -> dict:
    """One count in this (child) process: regions, seconds, peaks, the largest checkpoint."""
    import regions
    from regions.engines.parallel import process_pool
    from regions.io import checkpoint as checkpoints
    from regions.random_networks import random_network
    largest = [0]
    if checkpoint is not None:
        save = checkpoints.save

        def measured_save(path, key, saved, *shards):
            save(path, key, saved, *shards)
            largest[0] = max(largest[0], os.path.getsize(path))

        checkpoints.save = measured_save
    options = dict(checkpoint=checkpoint, resume=resume, time_limit=time_limit,
                   checkpoint_every=CHECKPOINT_EVERY)
    net = random_network(widths, seed=0)
    if workers == 1:
        counted = regions.count_regions(net, **options)
    else:
        with process_pool(workers) as executor:
            counted = regions.count_regions(net, executor=executor, **options)
    parent, worker = peaks()
    return {"regions": counted.regions, "seconds": counted.seconds, "complete": counted.complete,
            "parent_mib": parent, "worker_mib": worker, "file_mib": largest[0] / 2**20}


def checkpoint_rows(directory: str) -> list:
    """Plain against checkpointed, and stopped then resumed, on :data:`CHECKPOINTED`."""
    path = os.path.join(directory, "count.npz")
    plain = child_result(count, (CHECKPOINTED,))
    saved = child_result(count, (CHECKPOINTED, 1, path))
    os.remove(path)
    stopped = child_result(count, (CHECKPOINTED, 1, path, None, STOP_AFTER))
    resumed = child_result(count, (CHECKPOINTED, 1, None, path))
    assert plain["regions"] == saved["regions"] == resumed["regions"], (plain, saved, resumed)
    assert not stopped["complete"] and resumed["complete"]
    extra = resumed["seconds"] - stopped["seconds"]   # the resumed run's own time
    rows = ["| run | regions | seconds | ratio to plain | peak MiB | largest checkpoint MiB |",
            "|---|---|---|---|---|---|",
            f"| plain | {plain['regions']:,} | {plain['seconds']:.1f} | 1.00 | "
            f"{plain['parent_mib']:.0f} | |",
            f"| checkpoint every {CHECKPOINT_EVERY:.0f} s | {saved['regions']:,} | "
            f"{saved['seconds']:.1f} | {saved['seconds'] / plain['seconds']:.2f} | "
            f"{saved['parent_mib']:.0f} | {saved['file_mib']:.2f} |",
            f"| stopped at {STOP_AFTER:.0f} s | {stopped['regions']:,} | "
            f"{stopped['seconds']:.1f} | | {stopped['parent_mib']:.0f} | "
            f"{stopped['file_mib']:.2f} |",
            f"| ... resumed to the end | {resumed['regions']:,} | {extra:.1f} (both: "
            f"{resumed['seconds']:.1f}) | {resumed['seconds'] / plain['seconds']:.2f} | "
            f"{resumed['parent_mib']:.0f} | |"]
    return rows


def worker_rows(networks: list) -> list:
    """1 against 2 workers: time, speed-up, peaks of the parent and of a worker."""
    rows = ["| network (all of R^n) | regions | 1 worker s | 2 workers s | speed-up | "
            "parent peak MiB (1 / 2 workers) | largest worker peak MiB |",
            "|---|---|---|---|---|---|---|"]
    for widths in networks:
        one = child_result(count, (widths, 1))
        two = child_result(count, (widths, 2))
        assert one["regions"] == two["regions"], (one, two)
        row = (f"| {network_label(widths)} | {one['regions']:,} | {one['seconds']:.1f} | "
               f"{two['seconds']:.1f} | {one['seconds'] / two['seconds']:.2f}x | "
               f"{one['parent_mib']:.0f} / {two['parent_mib']:.0f} | {two['worker_mib']:.0f} |")
        print(row, flush=True)
        rows.append(row)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the workers' first network only")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        checkpoints = checkpoint_rows(directory)
    print("\n".join(checkpoints), flush=True)
    workers = worker_rows(PARALLEL[:1] if args.quick else PARALLEL)
    section = "\n".join([
        "## Long runs: checkpoints, resume, workers", "",
        provenance(f"python {SCRIPT}" + (" --quick" if args.quick else "")),
        f"- Counts (`regions.count_regions`) over all of R^n, random networks (seed 0), "
        f"{os.cpu_count()} cores; each run a fresh process.", "",
        f"Checkpoints of {network_label(CHECKPOINTED)}:", "", *checkpoints, "",
        "Workers (a process pool):", "", *workers])
    if not args.no_write:
        write_section(DEFAULT_OUTPUT, section, SCRIPT)


if __name__ == "__main__":
    main()
