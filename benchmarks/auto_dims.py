"""Does ``method="auto"`` pick the fastest engine? A grid of inputs, every engine on each.

The grid: input dimension 1 to 64, the box ``[-1, 1]^d`` and all of ``R^d``, a first layer
of full rank and one of rank ``max(1, d // 4)`` exactly (its weight a product of two
factors of small integers, scaled by a power of two: every float is exact; its rank is at
most its width), and three shapes (one hidden layer of 64, two of 16, four of 8). On each case
the split and vertex engines enumerate the same network in the same run, each stopped
after ``--regions`` final regions or ``--seconds`` (depth-first, so both stop inside the
same kind of work); an engine that refuses the case says so at once. Cases whose working
dimension (the box's; on ``R^d`` the first layer's rank) is in ``BORDER``, where neither
engine wins by far, run to ``--long-regions`` or ``--long-seconds``: the first 1,500
regions of a depth-first run are not representative of a long one there (the vertex
engine's rate on ``[8, 64, 1]`` over ``[-1, 1]^8`` falls by half from 1,500 to 40,000
regions, the split engine's does not), and many of these counts end before. ``auto`` is run to
its first region, and the row gives the engine it picked and that engine's rate over the
best one's:
``auto`` is within 1.5x of the fastest when that ratio is at least 0.67. The row also gives
the measured rate ratio vertex / split and the one the cost model predicts
(``regions.enumeration.vertex_advantage``, whose constants were fitted to these rows).
Writes its section of docs/benchmarks.md; ``--save FILE`` keeps the measured rates and
``--load FILE`` judges the current rule on rates saved before (only ``auto`` runs);
``--fit`` prints the least-squares constants of the cost model
(``regions.tolerances.AUTO_COST``) for the rates of the ``BORDER`` cases.

    python benchmarks/auto_dims.py [--regions N] [--seconds S] [--dims 1 2 4 ...]
"""

from __future__ import annotations

import argparse
import json
import os
import platform

import numpy as np

import regions
from regions.enumeration import vertex_advantage
from regions.tolerances import AUTO_COST
from regions.random_networks import random_network

from run import DEFAULT_OUTPUT, provenance, write_section

SCRIPT = "benchmarks/auto_dims.py"
#: Hidden widths of the three shapes: one layer of 64, two of 16, four of 8.
SHAPES = ([64], [16, 16], [8, 8, 8, 8])
ENGINES = ("split", "vertex")
#: Working dimensions where the engines' rates are within about 10x of each other: the
#: cases there run to ``--long-regions``.
BORDER = range(6, 13)
#: ``--fit`` clips the measured log2 rate ratios to +-CLIP (64x).
CLIP = 6.0
#: ``auto`` is within this factor of the fastest engine on every case (the issue's target).
WITHIN = 1.5


def network(d: int, hidden: list, rank: int) -> regions.Network:
    """A He-initialised network ``[d, *hidden, 1]`` whose first layer has rank ``rank``
    exactly (a float product of random factors is only nearly low-rank: its hyperplanes
    meet far away, a different case)."""
    net = random_network([d, *hidden, 1], seed=0)
    if rank < d:
        rng = np.random.default_rng(1)
        first = net.layers[0]
        weight = (rng.integers(-4, 5, size=(first.width, rank))
                  @ rng.integers(-4, 5, size=(rank, d))).astype(np.float64)
        weight *= 2.0 ** -round(np.log2(4.0 * np.sqrt(d * rank)))
        layers = [(weight, first.bias)] + [(layer.weight, layer.bias) for layer in net.layers[1:]]
        net = regions.Network.from_layers(layers)
    return net


def predicted(net, bounded: bool, dim: int, low_rank: bool, facets: int) -> float:
    """The vertex / split rate ratio the cost model predicts."""
    return 2.0 ** vertex_advantage(net, dim, bounded, low_rank, facets=facets)


def rate(net, domain, method: str, regions_budget: int, seconds: float):
    """``(regions per second, regions, the engine that ran)``, or None when it refuses."""
    try:
        part = regions.count_regions(net, domain, method=method, max_regions=regions_budget,
                                     time_limit=seconds)
    except regions.DomainError:
        return None
    return part.regions / max(part.seconds, 1e-9), part.regions, part.method


#: The cost model's constants as ``--fit`` fits them: ``vertices`` shared by both kinds of
#: domain, every other one per kind.
COLUMNS = [("vertices",)] + [(kind, key) for kind, terms in AUTO_COST.items()
                             for key in terms if key != "vertices"]


def unit_costs(kind: str, key: str) -> dict:
    """``AUTO_COST`` with every constant 0 but ``key`` of ``kind``, which is 1."""
    costs = {name: {term: 0.0 for term in terms} for name, terms in AUTO_COST.items()}
    costs[kind][key] = 1.0
    return costs


def features(net, bounded: bool, dim: int, low_rank: bool, facets: int) -> list:
    """The cost model's terms of a case, one per entry of ``COLUMNS``, as
    ``regions.enumeration.vertex_advantage`` computes them."""
    def term(kind, key):
        return vertex_advantage(net, dim, bounded, low_rank, unit_costs(kind, key), facets)
    return [sum(term(kind, "vertices") for kind in AUTO_COST) if column == ("vertices",)
            else term(*column) for column in COLUMNS]


def fit(cases: list) -> dict:
    """The least-squares ``AUTO_COST`` for ``(features, measured log2 vertex / split rate
    ratio)`` pairs, the ratios clipped to ``CLIP``: beyond it the choice is plain, and a
    12-D box where the vertex engine finds one region in seconds would pull the line away
    from the cases that are close."""
    X = np.array([terms for terms, _ in cases])
    y = np.clip([ratio for _, ratio in cases], -CLIP, CLIP)
    solution = np.linalg.lstsq(X, y, rcond=None)[0]
    costs = {kind: {} for kind in AUTO_COST}
    for column, value in zip(COLUMNS, solution):
        for kind in (AUTO_COST if column == ("vertices",) else [column[0]]):
            costs[kind][column[-1]] = round(float(value), 2)
    return costs


def measure(net, domain, budget: tuple, saved: dict, key: str) -> dict:
    """Each engine's ``rate`` on the case (from ``saved`` when it holds the case)."""
    if key not in saved:
        saved[key] = {m: rate(net, domain, m, *budget) for m in ENGINES}
    return saved[key]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=1500, help="regions per run")
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds per run at most")
    parser.add_argument("--long-regions", type=int, default=20000,
                        help="regions per run in the BORDER dimensions")
    parser.add_argument("--long-seconds", type=float, default=15.0,
                        help="seconds per run at most in the BORDER dimensions")
    parser.add_argument("--dims", type=int, nargs="+", default=[1, 2, 3, 4, 6, 7, 8, 9, 10,
                                                                  12, 16, 32, 64])
    parser.add_argument("--save", help="write the measured rates to this JSON file (cases "
                                           "it holds already are not measured again)")
    parser.add_argument("--load", help="take the measured rates from this JSON file")
    parser.add_argument("--fit", action="store_true",
                        help="print the cost model's constants fitted to the BORDER cases")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    saved = {} if args.load is None else json.load(open(args.load))
    if args.save is not None and args.load is None and os.path.exists(args.save):
        saved = json.load(open(args.save))          # resume an interrupted measurement
    rows = ["| d | hidden | rank | domain | split regions/s | vertex regions/s | vertex / split "
            "| model | auto picks | picked / fastest |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    worst, cases = 1.0, []
    for d in args.dims:
        for rank in sorted({d, max(1, d // 4)}, reverse=True):
            for hidden in SHAPES:
                net = network(d, hidden, rank)
                for name, domain in (("box", regions.box(-1, 1)),
                                     ("R^d", regions.whole_space())):
                    # the first layer's rank is at most its width; on R^d the vertex
                    # engine works in the dimensions it spans
                    first_rank = min(rank, hidden[0])
                    case = ((True, d, first_rank < d, 2 * d) if name == "box"
                            else (False, first_rank, first_rank < d, 0))
                    dim = case[1]
                    budget = ((args.long_regions, args.long_seconds) if dim in BORDER
                              else (args.regions, args.seconds))
                    rates = measure(net, domain, budget, saved, f"{d} {hidden} {rank} {name}")
                    if args.save is not None:
                        json.dump(saved, open(args.save, "w"))
                    if dim in BORDER and all(r is not None and r[0] > 0 for r in rates.values()):
                        cases.append((features(net, *case),
                                      np.log2(rates["vertex"][0] / rates["split"][0])))
                    picked = rate(net, domain, "auto", 1, args.seconds)[2]   # its choice
                    best = max(r[0] for r in rates.values() if r is not None)
                    ratio = rates[picked][0] / best if best > 0 else 1.0
                    worst = min(worst, ratio)
                    cells = [f"{r[0]:,.0f}" if r is not None else "refused"
                             for r in (rates[m] for m in ENGINES)]
                    measured = (f"{rates['vertex'][0] / max(rates['split'][0], 1e-9):.3g}"
                                if rates["vertex"] is not None else "-")
                    flag = "" if ratio >= 1 / WITHIN else " **"
                    row = (f"| {d} | {hidden} | {rank} | {name} | {' | '.join(cells)} | "
                           f"{measured} | {predicted(net, *case):.3g} | "
                           f"{picked} | {ratio:.2f}{flag} |")
                    print(row, flush=True)
                    rows.append(row)
    if args.fit:
        print("AUTO_COST =", fit(cases))
    verdict = (f"`auto` ran the fastest engine or one within {WITHIN}x of it on every case"
               if worst >= 1 / WITHIN else
               f"`auto` was more than {WITHIN}x slower than the fastest engine on the rows "
               "marked **")
    section = "\n".join([
        "## Vertex or split: what `method=\"auto\"` picks",
        "",
        provenance(f"python {SCRIPT} --regions {args.regions} --seconds {args.seconds} "
                   f"--long-regions {args.long_regions} --long-seconds {args.long_seconds}")
        + f", {platform.machine()}.",
        "- Each engine stops after the same number of final regions (or seconds), in the "
        "same run; the claim is the ratio of the picked engine's rate to the fastest one's "
        f"(worst: {worst:.2f}).",
        f"- {verdict}.",
        "",
        *rows,
        "",
        "The rule (`regions.enumeration._auto_engine`): the engine of the lower predicted "
        "cost per region, by the cost model `regions.enumeration.vertex_advantage` (column "
        "*model*: its predicted vertex / split rate ratio; the vertex engine when above 1). "
        "Its terms, known before the run: `g`, the log2 of the mean vertices per cell of the "
        "network's hyperplanes (all layers', and the box's facets) in general position in "
        "the dimension `e` the vertex engine works in (the box's; on `R^d` the first "
        "layer's rank): about `e` for many hyperplanes, 0 for `e` of them; whether the "
        "first layer's rank is below `d`; the first layer's hyperplanes `h` and the layers "
        "with breakpoints `L`. log2 of the ratio is linear in `g`, `log2 h` and `L`, one "
        "line per kind of domain with a common slope in `g`. Its constants "
        "(`regions.tolerances.AUTO_COST`) are the least-squares fit (`--fit`) to the "
        "measured log2 ratios of the rows with `e` from 6 to 12 (clipped to +-6); outside "
        "that band one engine is faster by 10x or more. It costs nothing to evaluate (no "
        "probe run; the choice depends only on the network and the domain). The vertex "
        "engine's refusals (too many corners or cones, an ill-conditioned apex) and max "
        "layers still send `auto` to the split engine.",
    ])
    if not args.no_write:
        write_section(DEFAULT_OUTPUT, section, SCRIPT)


if __name__ == "__main__":
    main()
