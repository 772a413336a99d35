"""The ``regions`` command line.

``regions count NET.npz [--box LO HI] [--json] [--quiet] ...`` prints the
region count and the per-layer counts.

Also ``regions verify`` (bounds and sampled estimates beside the exact count,
:mod:`regions.verify`) and ``regions graph`` (adjacency graph export,
:mod:`regions.graph`).

Exit codes: 0 success; 2 bad input (one-line message on stderr); 3 ``verify``
found a violated relation; 4 ``--certify`` found a completeness violation; 5
the run stopped early (budget or Ctrl-C) and printed a partial, incomplete
result; 6 ``--exact-check`` found a witness that is not strictly inside its
region; 7 the count is complete but depends on the full-dimensionality
tolerance (near-degenerate regions or dropped slivers; ``"tolerance_dependent":
true`` in ``--json``).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import sys

from . import domain as domains
from .enumeration import METHODS, enumerate_regions
from .errors import RegionsError
from .io import load

EXIT_BAD_INPUT = 2
EXIT_INCOMPLETE = 5
EXIT_EXACT_CHECK_FAILED = 6
EXIT_TOLERANCE_DEPENDENT = 7


def network_and_domain(args):
    """The network file and the domain (``--box``, default all of R^n) named on the command line."""
    activations = getattr(args, "activations", None)
    if activations is not None:
        activations = [a.strip() for a in activations.split(",") if a.strip()]
    net = load(args.network, activations=activations,
               allow_pickle=getattr(args, "allow_pickle", False))
    domain = domains.box(*args.box) if args.box is not None else domains.whole_space()
    return net, domain.resolve(net.input_dim)


def enumerate_with_progress(args, net, domain, **options):
    """:func:`regions.enumerate` with progress on stderr unless ``--quiet``."""
    progress = None if args.quiet else _progress_printer(sys.stderr)
    part = enumerate_regions(net, domain, progress=progress, **options)
    if progress is not None and progress.interactive:
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    return part


PROGRESS_DELAY = 1.0     # seconds before the first progress line
PROGRESS_LOG_EVERY = 10.0  # seconds between progress lines when stderr is not a terminal


def _progress_printer(stream):
    """Progress callback: a self-overwriting line on a terminal, periodic lines otherwise."""
    interactive = stream.isatty()
    last = [0.0]

    def report(found: int, layer: int, pending: int, seconds: float) -> None:
        if seconds < PROGRESS_DELAY or (not interactive and seconds - last[0] < PROGRESS_LOG_EVERY):
            return
        last[0] = seconds
        rate = found / seconds
        line = (f"{found:,} regions, at layer {layer}, {pending:,} cells pending, "
                f"{rate:,.0f} regions/s, {seconds:.0f} s")
        print("\r\033[K" + line if interactive else line, end="" if interactive else "\n",
              file=stream, flush=True)

    report.interactive = interactive
    return report


def tightest_upper_bound(net, domain):
    """The smallest applicable upper bound on the count, as a :class:`regions.bounds.Bound`."""
    from .bounds import network_bounds

    candidates = [b for b in network_bounds(net, domain) if b.kind in ("upper", "equality")]
    return min(candidates, key=lambda b: b.value)


def cmd_count(args) -> int:
    net, domain = network_and_domain(args)
    if not args.quiet:
        bound = tightest_upper_bound(net, domain)
        print(f"at most {bound.value:,} regions ({bound.source})", file=sys.stderr)
    memory = None if args.memory_limit is None else args.memory_limit * 2**20
    options = dict(min_radius=args.min_radius, max_regions=args.max_regions,
                   time_limit=args.time_limit, memory_limit=memory,
                   checkpoint=args.checkpoint, resume=args.resume, method=args.method)
    if args.workers < 1:
        raise RegionsError(f"--workers must be at least 1, got {args.workers}")
    if args.workers == 1:
        part = enumerate_with_progress(args, net, domain, **options)
    else:
        with concurrent.futures.ProcessPoolExecutor(args.workers) as executor:
            part = enumerate_with_progress(args, net, domain, executor=executor, **options)
    summary = part.summary()
    failures = None
    if args.exact_check:
        from .exact import exact_check

        failures = exact_check(part)
        summary["exact_check"] = {"checked": len(part), "failed": [f.region for f in failures]}
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"regions: {summary['regions']}" + ("" if part.complete else
              f" (INCOMPLETE: stopped by {part.stop_reason}, {part.unfinished} cells unfinished)"))
        for index, (count, act) in enumerate(zip(summary["per_layer"], summary["activations"])):
            print(f"  after layer {index} ({act}): {count}")
        print(f"LPs: {summary['lps']}  seconds: {summary['seconds']:.3f}")
        if summary["near_degenerate"] or summary["slivers"]:
            print(f"warning: {summary['near_degenerate']} near-degenerate regions and "
                  f"{summary['slivers']} dropped slivers: the count depends on --min-radius "
                  f"(exit code {EXIT_TOLERANCE_DEPENDENT})")
        if failures is not None:
            print(f"exact check: {len(part) - len(failures)} of {len(part)} witnesses verified")
            for failure in failures:
                print(f"  region {failure.region}: {failure.reason}")
    if args.certify:
        from .certify import certify_and_report

        code = certify_and_report(part, sys.stderr if args.json else sys.stdout)
        if code:
            return code
    if failures:
        return EXIT_EXACT_CHECK_FAILED
    return outcome_code(part)


def outcome_code(part) -> int:
    """Exit code of a finished enumeration: incomplete, tolerance-dependent, or 0."""
    if not part.complete:
        return EXIT_INCOMPLETE
    return EXIT_TOLERANCE_DEPENDENT if part.tolerance_dependent else 0


def build_parser() -> argparse.ArgumentParser:
    from .tolerances import MIN_RADIUS

    parser = argparse.ArgumentParser(
        prog="regions", description="Exact linear regions of piecewise-linear networks.")
    sub = parser.add_subparsers(dest="command", required=True)
    count = sub.add_parser("count", help="count the linear regions of a network file")
    count.add_argument("network", help=".npz network file (W0, b0, W1, b1, ..., activations)")
    count.add_argument("--box", nargs=2, type=float, metavar=("LO", "HI"),
                       help="restrict to the box [LO, HI]^n (default: all of R^n)")
    count.add_argument("--json", action="store_true", help="print a JSON object")
    count.add_argument("--quiet", action="store_true", help="no progress on stderr")
    count.add_argument("--min-radius", type=float, default=MIN_RADIUS,
                       help=f"full-dimensionality tolerance (default {MIN_RADIUS:g})")
    count.add_argument("--max-regions", type=int, help="stop after this many regions")
    count.add_argument("--time-limit", type=float, metavar="SECONDS", help="stop after this long")
    count.add_argument("--memory-limit", type=float, metavar="MB",
                       help="stop when resident memory exceeds this many MiB")
    count.add_argument("--checkpoint", metavar="FILE",
                       help="write progress atomically to FILE every few seconds")
    count.add_argument("--resume", metavar="FILE",
                       help="continue the run saved in FILE (same network and domain only)")
    count.add_argument("--method", choices=METHODS, default="auto",
                       help="enumeration method (default auto: vertex on bounded domains up "
                            "to 4-D, else split)")
    count.add_argument("--workers", type=int, default=1, metavar="N",
                       help="run region subtrees on N processes (same result as 1)")
    count.add_argument("--exact-check", action="store_true",
                       help="re-verify every witness in rational arithmetic")
    count.add_argument("--certify", action="store_true",
                       help="check that the enumeration is complete (exit 4 on violations)")
    count.set_defaults(func=cmd_count)

    from .graph import add_graph_parser
    from .verify import add_verify_parser

    add_verify_parser(sub)
    add_graph_parser(sub)
    for command in sub.choices.values():
        command.add_argument(
            "--activations", metavar="LIST",
            help="PyTorch state dicts (.pt/.pth), which store no activations: one per Linear "
                 "layer, comma-separated (relu, leaky_relu, hardtanh, identity)")
        command.add_argument(
            "--allow-pickle", action="store_true",
            help="also load a full pickled PyTorch model (unpickling runs arbitrary code: "
                 "only for files you trust)")
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except RegionsError as exc:
        print(f"regions: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("regions: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
