"""The decision boundary's topology against relucent's, on the same random networks.

relucent (optional, AGPL, not a dependency) explores the complex of the network with
``relu(f)`` appended on all of R^n, and ranks the boundary complex of that last neuron
with unbounded cells truncated. regions enumerates the same appended network on R^n
(the region counts must agree), takes a box holding every vertex of that complex (so the
boundary meets the box as it meets the truncation), and computes
``regions.boundary_betti_numbers`` there. Prints a table and writes it to
docs/benchmarks.md; relucent needs a simple arrangement, so the networks are random.

    python benchmarks/relucent_topology.py
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import regions
from regions.complex.geometry import vertex_window
from regions.network import Network, make_layer
from regions.random_networks import random_network

from run import DEFAULT_OUTPUT, write_section

CASES = [([2, 6, 6, 1], seed) for seed in range(4)] + [([2, 8, 8, 1], 0), ([3, 5, 5, 1], 0),
                                                        ([3, 5, 5, 1], 1)]


def with_output_relu(net: Network) -> Network:
    """``net`` followed by ``relu`` of its scalar output (relucent's ``add_output_relu``)."""
    return Network(list(net.layers) + [make_layer(np.ones((1, 1)), np.zeros(1), "relu", 0.01,
                                                  len(net.layers))])


def ours(net: Network):
    """``(regions of relu(f) on R^n, boundary Betti numbers, seconds)``."""
    started = time.perf_counter()
    whole = regions.enumerate_regions(with_output_relu(net))
    lower, upper, _ = vertex_window(whole, 0.5)
    betti = regions.boundary_betti_numbers(regions.enumerate_regions(net,
                                                                     regions.box(lower, upper)))
    return len(whole), betti, time.perf_counter() - started


def theirs(net: Network, dim: int):
    """``(regions, boundary Betti numbers as a tuple of length dim, seconds)`` by relucent."""
    import relucent
    import torch
    layers = []
    for layer in net.layers:
        linear = torch.nn.Linear(layer.weight.shape[1], layer.weight.shape[0]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(layer.weight))
            linear.bias.copy_(torch.from_numpy(layer.bias))
        layers.append(linear)
        if layer.activation == "relu":
            layers.append(torch.nn.ReLU())
    model = relucent.add_output_relu(torch.nn.Sequential(*layers))
    started = time.perf_counter()
    complex_ = relucent.Complex(model)
    relucent.explore_for_topology(complex_, nworkers=1)
    output_neuron = sum(layer.width for layer in net.layers) - 1   # the appended ReLU
    found = complex_.boundary_complex(output_neuron).betti_numbers(compactify="truncate")
    return (len(complex_), tuple(int(found.get(d, 0)) for d in range(dim)),
            time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    rows = ["| network | seed | regions (regions / relucent) | boundary Betti (regions / "
            "relucent) | agree | regions s | relucent s |", "|---|---|---|---|---|---|---|"]
    for widths, seed in CASES:
        net = random_network(widths, seed=seed)
        count, betti, seconds = ours(net)
        their_count, their_betti, their_seconds = theirs(net, widths[0])
        agree = count == their_count and betti == their_betti
        rows.append(f"| {widths} | {seed} | {count} / {their_count} | {betti} / {their_betti} "
                    f"| {'yes' if agree else 'NO'} | {seconds:.2f} | {their_seconds:.1f} |")
        print(rows[-1], flush=True)
    section = ("## Decision-boundary topology against relucent\n\n"
               "`python benchmarks/relucent_topology.py`: random ReLU nets (`random_network`), "
               "`relu(f)` appended; regions counts on R^n and Betti numbers of `{f = 0}` in a "
               "box holding every vertex, relucent's boundary complex of the appended neuron "
               "with unbounded cells truncated (one worker).\n\n" + "\n".join(rows))
    write_section(args.output, section, "benchmarks/relucent_topology.py")


if __name__ == "__main__":
    main()
