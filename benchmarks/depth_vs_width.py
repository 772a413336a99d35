"""Depth versus width at an equal number of neurons (and of parameters): exact counts and bounds.

For inputs of dimension 1, 2 and 3, sweep the depth ``L`` of ReLU networks
whose hidden layers share ``N`` neurons equally (width ``N / L``), and, in a
second sweep, whose parameter counts are as equal as integer widths allow.
For each shape: random networks (He init, several seeds) and briefly trained
ones (a few hundred steps of full-batch gradient descent in numpy on a small
synthetic regression task). For each network: the exact count in the data
box ``[-1, 1]^d`` (``regions.enumerate_regions``), the upper bounds (Serra et al.,
Raghu et al., the per-network rank bound), Montufar et al.'s lower bound on
the maximum, and the sampled estimates (distinct patterns among random
points, distinct patterns met by random lines, the Hanin-Rolnick estimate).

Writes ``docs/depth_vs_width_neurons.png`` and ``docs/depth_vs_width_params.png``
and prints a Markdown table. Needs matplotlib (``pip install regions[plot]``).

    python benchmarks/depth_vs_width.py [--quick] [--out docs]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import regions
from regions import bounds, sampling
from regions.random_networks import random_network

#: Input dimension -> total hidden neurons of the equal-neuron sweep.
NEURONS = {1: 36, 2: 24, 3: 18}
SEEDS = (0, 1)
TRAIN_STEPS = 300
LEARNING_RATE = 0.05
SAMPLES = 100_000
LINES = 100


def depths_for(neurons: int) -> list[int]:
    """Depths dividing ``neurons`` that leave at least two neurons per layer."""
    return [L for L in range(1, neurons + 1) if neurons % L == 0 and neurons // L >= 2]


def parameters(dim: int, depth: int, width: int) -> int:
    """Weights and biases of ``dim -> width^depth -> 1``."""
    return (dim + 1) * width + (depth - 1) * (width + 1) * width + width + 1


def width_for_parameters(dim: int, depth: int, target: int) -> int:
    """The width whose parameter count is closest to ``target`` at this depth."""
    return min(range(1, 4 * target), key=lambda k: abs(parameters(dim, depth, k) - target))


# --------------------------------------------------------------------------- training

def target_function(x: np.ndarray) -> np.ndarray:
    """A smooth, wiggly regression target on ``[-1, 1]^d``."""
    return np.sin(3.0 * x.sum(axis=1)) + 0.5 * np.cos(4.0 * x[:, 0])


def train(net: regions.Network, steps: int = TRAIN_STEPS, seed: int = 0) -> regions.Network:
    """Full-batch gradient descent on the mean squared error (gradient norm clipped at 1)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, size=(256, net.input_dim))
    y = target_function(x)[:, None]
    weights = [layer.weight.copy() for layer in net.layers]
    biases = [layer.bias.copy() for layer in net.layers]
    for _ in range(steps):
        activations, pre = [x], []
        for i, (W, b) in enumerate(zip(weights, biases)):
            z = activations[-1] @ W.T + b
            pre.append(z)
            activations.append(z if i == len(weights) - 1 else np.maximum(z, 0.0))
        delta = 2.0 * (activations[-1] - y) / len(x)
        grads = []
        for i in reversed(range(len(weights))):
            grads.append((delta.T @ activations[i], delta.sum(axis=0)))
            if i:
                delta = (delta @ weights[i]) * (pre[i - 1] > 0.0)
        grads.reverse()
        norm = np.sqrt(sum(np.sum(gw ** 2) + np.sum(gb ** 2) for gw, gb in grads))
        scale = LEARNING_RATE / max(1.0, norm)
        for i, (gw, gb) in enumerate(grads):
            weights[i] -= scale * gw
            biases[i] -= scale * gb
    return regions.Network.from_layers(list(zip(weights, biases)), net.activations)


# --------------------------------------------------------------------------- measurements

def measure(net: regions.Network, seed: int) -> dict:
    box = regions.box(-1.0, 1.0)
    part = regions.enumerate_regions(net, box)
    points = sampling.distinct_patterns(net, box, SAMPLES, seed=seed)
    lines = sampling.regions_along_lines(net, box, LINES, seed=seed)
    density = sampling.density_estimate(net, box, LINES, seed=seed)
    assert points.distinct <= len(part) and lines.distinct <= len(part)
    assert len(part) <= bounds.network_bound(net)
    return {"exact": len(part), "network": bounds.network_bound(net),
            "points": points.distinct, "lines": lines.distinct,
            "hanin_rolnick": density.expected_regions,
            "per_neuron": density.crossings_per_length_per_neuron, "seconds": part.seconds}


def sweep(dim: int, shapes: list[tuple[int, int]], seeds, cache: dict) -> list[dict]:
    """One row per shape ``(depth, width)``; shapes already measured come from ``cache``."""
    rows = []
    for depth, width in shapes:
        if (dim, depth, width) in cache:
            rows.append(cache[dim, depth, width])
            continue
        hidden = [width] * depth
        row = {"dim": dim, "depth": depth, "width": width,
               "params": parameters(dim, depth, width),
               "serra": bounds.serra_upper(dim, hidden), "raghu": bounds.raghu_upper(dim, hidden),
               "montufar2014": (bounds.montufar2014_lower(dim, hidden) if width >= dim else None)}
        for label, make in (("random", lambda s: random_network([dim] + hidden + [1], seed=s)),
                            ("trained", lambda s: train(random_network([dim] + hidden + [1],
                                                                       seed=s), seed=s))):
            results = [measure(make(s), s) for s in seeds]
            for key in results[0]:
                row[f"{label}_{key}"] = float(np.mean([r[key] for r in results]))
        rows.append(row)
        cache[dim, depth, width] = row
        print(f"  d={dim} L={depth:2d} k={width:2d}: exact random {row['random_exact']:8.1f}, "
              f"trained {row['trained_exact']:8.1f}, serra {row['serra']:.3g}", flush=True)
    return rows


def plot(rows_by_dim: dict, path: Path, title: str, xkey: str = "depth") -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(rows_by_dim), figsize=(5.2 * len(rows_by_dim), 5.4))
    for ax, (dim, rows) in zip(np.atleast_1d(axes), rows_by_dim.items()):
        L = [r[xkey] for r in rows]
        series = [
            ("serra", "Serra et al. upper (max)", "C3", "-", "v"),
            ("raghu", "Raghu et al. upper", "C1", ":", "1"),
            ("random_network", "per-network rank bound (random)", "C5", "--", "2"),
            ("montufar2014", "Montufar 2014 lower (max)", "C4", "-.", "^"),
            ("random_exact", "exact, random", "C0", "-", "o"),
            ("trained_exact", "exact, trained", "C2", "-", "s"),
            ("random_points", f"distinct patterns, {SAMPLES:,} points", "C0", "", "x"),
            ("random_hanin_rolnick", "Hanin-Rolnick estimate, random", "C7", "--", "d"),
            ("trained_hanin_rolnick", "Hanin-Rolnick estimate, trained", "C2", ":", "d"),
        ]
        for key, label, color, style, marker in series:
            xs = [x for x, r in zip(L, rows) if r.get(key) is not None]
            ys = [r[key] for r in rows if r.get(key) is not None]
            ax.plot(xs, ys, linestyle=style or "none", marker=marker, color=color, label=label,
                    markersize=5)
        widths = ", ".join(f"{r['depth']}x{r['width']}" for r in rows)
        ax.set_yscale("log")
        ax.set_xlabel(f"depth L   (shapes {widths})", fontsize=7)
        ax.set_title(f"input dimension {dim}")
        ax.grid(True, which="both", alpha=0.3)
    np.atleast_1d(axes)[0].set_ylabel("regions in [-1, 1]^d (bounds: all of R^d)")
    handles, labels = np.atleast_1d(axes)[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=5, fontsize=8)
    fig.suptitle(title)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown(rows: list[dict]) -> str:
    head = ("| d | L x k | params | exact random | exact trained | points | lines | H-R est. | "
            "crossings/length/neuron | per-network | Serra | Raghu | Montufar 2014 |\n|"
            + "---|" * 13)
    lines = [head]
    for r in rows:
        m14 = "-" if r["montufar2014"] is None else f"{r['montufar2014']:.3g}"
        lines.append(
            f"| {r['dim']} | {r['depth']} x {r['width']} | {r['params']} | "
            f"{r['random_exact']:.1f} | {r['trained_exact']:.1f} | {r['random_points']:.1f} | "
            f"{r['random_lines']:.1f} | {r['random_hanin_rolnick']:.1f} | "
            f"{r['random_per_neuron']:.3f} | "
            f"{r['random_network']:.3g} | {r['serra']:.3g} | {r['raghu']:.3g} | {m14} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "docs"),
                        help="folder for the PNGs (default: docs/)")
    parser.add_argument("--quick", action="store_true", help="one seed, fewer shapes (smoke run)")
    args = parser.parse_args(argv)
    seeds = SEEDS[:1] if args.quick else SEEDS
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    by_neurons, by_params, cache = {}, {}, {}
    for dim, neurons in NEURONS.items():
        neurons = neurons // 2 if args.quick else neurons
        depths = depths_for(neurons)
        print(f"equal neurons: d={dim}, N={neurons}", flush=True)
        by_neurons[dim] = sweep(dim, [(L, neurons // L) for L in depths], seeds, cache)
        target = parameters(dim, 2, neurons // 2)
        print(f"equal parameters: d={dim}, about {target} parameters", flush=True)
        shapes = sorted({(L, width_for_parameters(dim, L, target)) for L in depths})
        by_params[dim] = sweep(dim, [s for s in shapes if s[1] >= 2], seeds, cache)

    plot(by_neurons, out / "depth_vs_width_neurons.png",
         "ReLU networks with an equal number of hidden neurons (d=1: 36, d=2: 24, d=3: 18)")
    plot(by_params, out / "depth_vs_width_params.png",
         "ReLU networks with (about) equal parameter counts")
    print("\n## Equal neurons\n")
    print(markdown([r for rows in by_neurons.values() for r in rows]))
    print("\n## Equal parameters\n")
    print(markdown([r for rows in by_params.values() for r in rows]))
    enumeration = sum(r["random_seconds"] + r["trained_seconds"] for r in cache.values())
    print(f"\ntotal {time.perf_counter() - started:.0f} s "
          f"(exact enumeration {enumeration * len(seeds):.0f} s)")


if __name__ == "__main__":
    main()
