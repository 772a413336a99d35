"""The ``regions`` command line.

``regions count NET.npz [--box LO HI] [--json] [--quiet] ...`` prints the
region count and the per-layer counts.

Also ``regions verify`` (bounds and sampled estimates beside the exact count,
:mod:`regions.analysis.verify`) and ``regions graph`` (adjacency graph export,
:mod:`regions.analysis.graph`). Every subcommand and every exit code lives here.

Every subcommand takes ``--quiet``, ``--json`` and ``--progress``. Standard output
carries the result; standard error the upper bound, progress, ``wrote FILE`` lines
(none of them with ``--quiet``), warnings and errors, each one line.

Exit codes: 0 success; 2 bad input (one-line message on stderr); 3 ``verify``
found a violated relation; 4 ``--certify`` found a completeness violation; 5
the run stopped early (budget or Ctrl-C) and printed a partial, incomplete
result; 6 ``--exact-check`` found a witness that is not strictly inside its
region; 7 the count is complete but not certain: in the float-only mode
(``--no-exact``), or after the exact mode's budget ran out (``--exact-budget``),
float64 could not certify some decision and rounding settled it (``"certain":
false``, ``"uncertain_decisions"`` and ``"exact_budget_spent"`` in ``--json``); 130 Ctrl-C before the result; 141
standard output was closed early (a pipe into ``head``). A 5 or 7 is explained by
a warning on stderr. Thin regions (inscribed radius at most ``--min-radius``) are
counted like every region and reported (``"thin"``), never a reason to exit 7.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import os
import re
import sys

import numpy as np

from . import domain as domains
from .bounds import network_bounds
from .complex.decision import decision_boundary
from .complex.homology import (betti_numbers, boundary_betti_numbers, bounded_equivalent,
                               components_reaching_boundary)
from .complex.persistence import critical_points, sublevel_persistence, superlevel_persistence
from .analysis.canonical import canonical
from .analysis.certify import certify
from .analysis.compare import compare
from .complex.dynamics import entropy
from .complex.faces import face_lattice
from .engines.parallel import process_pool
from .enumeration import METHODS, count_regions, enumerate_regions
from .errors import FileFormatError, RegionsError
from .analysis.witnesses import exact_check
from .analysis.graph import adjacency_graph
from .analysis.pieces import linear_pieces
from .io.networks import read_network, write_network
from .html import plotly_objects, write_html
from .pictures import COLORS, pyplot, write_figure
from .io.partitions import graph_format, jsonable, write_graph, write_json, write_npz
from .tolerances import (HEARTBEAT_SECONDS, MIN_RADIUS, PROGRESS_DELAY, PROGRESS_LOG_EVERY,
                         SCHEDULER_TIMEOUT)
from .analysis.verify import verify

__all__ = ["EXIT_BAD_INPUT", "EXIT_VIOLATION", "EXIT_CERTIFICATE_FAILED", "EXIT_INCOMPLETE",
           "EXIT_EXACT_CHECK_FAILED", "EXIT_UNCERTAIN", "EXIT_INTERRUPTED", "EXIT_BROKEN_PIPE",
           "build_parser", "main"]

EXIT_BAD_INPUT = 2
EXIT_VIOLATION = 3
EXIT_CERTIFICATE_FAILED = 4
EXIT_INCOMPLETE = 5
EXIT_EXACT_CHECK_FAILED = 6
EXIT_UNCERTAIN = 7
#: The shell's code for SIGINT (128 + 2): a Ctrl-C outside the enumeration loop
#: (``regions_launcher.INTERRUPTED`` repeats it for a Ctrl-C during the imports).
EXIT_INTERRUPTED = 130
#: The shell's code for SIGPIPE (128 + 13): the reader of standard output went away.
EXIT_BROKEN_PIPE = 141


def load_network(args, path=None):
    """The network file named on the command line, or ``path`` (with ``--activations``,
    ``--allow-pickle``, ``--input-shape``)."""
    activations = getattr(args, "activations", None)
    if activations is not None:
        activations = [a.strip() for a in activations.split(",") if a.strip()]
    shape = getattr(args, "input_shape", None)
    shape = None if shape is None else [int(s) for s in parse_point(shape)]
    return read_network(args.network if path is None else path, activations=activations,
                        allow_pickle=getattr(args, "allow_pickle", False), input_shape=shape)


def network_and_domain(args):
    """The network file and the domain named on the command line: ``--box`` (default all
    of R^n), or a ``--plane`` / ``--line`` slice (its ``--box`` bounds the slice
    coordinates)."""
    net = load_network(args)
    lower, upper = parse_box(args.box, "--box") if args.box is not None else (None, None)
    if args.plane is not None:
        p0, p1, p2 = (parse_point(p) for p in args.plane)
        return net, domains.plane(p0, p1, p2, lower, upper).resolve(net.input_dim)
    if args.polytope is not None:
        if lower is not None:
            raise RegionsError("--polytope takes no --box (add the box's rows to A, c)")
        A, c = read_polytope(args.polytope)
        return net, domains.polytope(A, c).resolve(net.input_dim)
    for flag, make in (("--line", domains.line), ("--segment", domains.segment)):
        points = getattr(args, flag[2:])
        if points is None:
            continue
        if lower is not None:
            raise RegionsError(f"--box bounds a --plane, not a {flag}")
        return net, make(*(parse_point(p) for p in points)).resolve(net.input_dim)
    domain = domains.box(lower, upper) if lower is not None else domains.whole_space()
    return net, domain.resolve(net.input_dim)


def read_polytope(path) -> tuple:
    """``(A, c)`` from an .npz file holding arrays ``A`` and ``c``."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return np.array(data["A"], dtype=np.float64), np.array(data["c"], dtype=np.float64)
    except (OSError, ValueError) as exc:
        raise FileFormatError(f"{path} is not a readable .npz file: {exc}") from None
    except KeyError:
        raise FileFormatError(f"{path} must hold arrays A and c (A x <= c)") from None


def parse_point(text: str) -> list[float]:
    """A point given as comma-separated coordinates (``0,0.5,-1``)."""
    try:
        return [float(x) for x in text.split(",")]
    except ValueError:
        raise RegionsError(f"a point is comma-separated numbers, got {text!r}") from None


def parse_box(values: list[str], flag: str):
    """``FLAG LO HI`` (the same bounds on every coordinate) or ``FLAG LO,HI LO,HI ...``
    (one pair per coordinate) as ``(lower, upper)``, every bound finite (``--box``,
    ``--window``)."""
    if all("," not in v for v in values):
        if len(values) != 2:
            raise RegionsError(f"{flag} takes LO HI or one LO,HI pair per coordinate, "
                               f"got {' '.join(values)}")
        lower, upper = parse_point(values[0])[0], parse_point(values[1])[0]
    else:
        pairs = [parse_point(v) for v in values]
        if any(len(pair) != 2 for pair in pairs):
            raise RegionsError(f"{flag} takes one LO,HI pair per coordinate, "
                               f"got {' '.join(values)}")
        lower, upper = [pair[0] for pair in pairs], [pair[1] for pair in pairs]
    if not np.all(np.isfinite([lower, upper])):
        raise RegionsError(f"{flag} bounds must be finite, got {' '.join(values)}"
                           + (" (all of R^n is the default: leave --box out)"
                              if flag == "--box" else ""))
    return lower, upper


def enumerate_with_progress(args, net, domain, count_only: bool = False, bound=None, **options):
    """:func:`regions.enumerate_regions` (or, ``count_only``, :func:`regions.count_regions`)
    with the progress of :func:`progress_for` (``bound``: an upper bound on the count)."""
    with progress_for(args, bound) as progress:
        return (count_regions if count_only else enumerate_regions)(
            net, domain, progress=progress, **options)


@contextlib.contextmanager
def progress_for(args, bound=None):
    """The progress callback the command line asks for, or None with ``--quiet``: on a
    terminal a live line; elsewhere a line every :data:`PROGRESS_LOG_EVERY` seconds with
    ``--progress``, else a heartbeat every :data:`HEARTBEAT_SECONDS` (so a long run in a
    log or a batch job shows it is alive). A terminal's live line is cleared at the end."""
    every = PROGRESS_LOG_EVERY if args.progress else HEARTBEAT_SECONDS
    progress = None if args.quiet else _progress_printer(sys.stderr, bound, every)
    try:
        yield progress
    finally:
        if progress is not None and progress.interactive:
            print("\r\033[K", end="", file=sys.stderr, flush=True)


def _progress_printer(stream, bound=None, every: float = PROGRESS_LOG_EVERY):
    """Progress callback: a self-overwriting line on a terminal, otherwise a line every
    ``every`` seconds; with the upper bound on the count when one is known (what is left
    is at most that), and the share done with the time left at that pace when it is
    known: the first layer's cells done (:func:`regions.engines.driver.explored`), on all
    of R^n the vertex engine's first cones weighing the same."""
    interactive = stream.isatty()
    last = [0.0]

    def report(found: int, layer: int, pending: int, seconds: float, explored=None) -> None:
        if seconds < PROGRESS_DELAY or (not interactive and seconds - last[0] < every):
            return
        last[0] = seconds
        rate = found / seconds
        of = "" if bound is None else f" of at most {bound:,}"
        share = "" if explored is None else (
            f", {100 * explored:.1f}% done (estimated)"
            + (f", about {_duration(seconds * (1 - explored) / explored)} left"
               if explored > 0 else ""))
        line = (f"{found:,}{of} regions, at layer {layer}, {pending:,} cells pending{share}, "
                f"{rate:,.0f} regions/s, {seconds:.0f} s")
        print("\r\033[K" + line if interactive else line, end="" if interactive else "\n",
              file=stream, flush=True)

    report.interactive = interactive
    return report


def _duration(seconds: float) -> str:
    """``seconds`` for a person: ``"42 s"``, ``"7 min"``, ``"3.5 h"``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def tightest_upper_bound(net, domain):
    """The smallest applicable upper bound on the count, as a :class:`regions.bounds.Bound`."""
    candidates = [b for b in network_bounds(net, domain) if b.kind in ("upper", "equality")]
    return min(candidates, key=lambda b: b.value)


def cmd_count(args) -> int:
    net, domain = network_and_domain(args)
    if args.output and not args.output.lower().endswith((".json", ".npz")):
        raise FileFormatError(f"{args.output}: the partition is written as .json or .npz")
    bound = None
    if not args.quiet:
        bound = tightest_upper_bound(net, domain)
        print(f"at most {bound.value:,} regions ({bound.source})", file=sys.stderr)
    # Only the count is printed: the regions are counted and dropped as they come (memory
    # independent of the count), unless something below needs them.
    count_only = not (args.output or args.exact_check or args.certify or args.pieces)
    part = enumerate_from_args(args, net, domain, count_only,
                               None if bound is None else bound.value)
    summary = part.summary()
    if args.pieces:
        summary["pieces"] = linear_pieces(part).count
    if args.output and args.output.lower().endswith(".npz"):
        with writing(args, args.output, "the partition"):
            write_npz(part, args.output)
    elif args.output:
        write_text(args, args.output, write_json(part), "the partition")
    if args.output:
        summary["output"] = args.output
    failures = None
    if args.exact_check:
        failures = exact_check(part)
        summary["exact_check"] = {"checked": len(part), "failed": [f.region for f in failures]}
    if args.json:
        print(json.dumps(jsonable(summary)))
    else:
        print(f"regions: {summary['regions']}" + ("" if part.complete else
              f" (INCOMPLETE: stopped by {part.stop_reason}, {part.unfinished} cells unfinished)"))
        for index, (count, act) in enumerate(zip(summary["per_layer"], summary["activations"])):
            print(f"  after layer {index} ({act}): {count}")
        if args.pieces:
            print(f"linear pieces: {summary['pieces']}")
        print(f"LPs: {summary['lps']}  seconds: {summary['seconds']:.3f}")
        if failures is not None:
            print(f"exact check: {len(part) - len(failures)} of {len(part)} witnesses verified")
            for failure in failures:
                print(f"  region {failure.region}: {failure.reason}")
    code = outcome_code(part)
    if failures:
        code = EXIT_EXACT_CHECK_FAILED
    if args.certify:
        code = certify_and_report(part, sys.stderr if args.json else sys.stdout) or code
    return concluded(part, code)


def outcome_code(part) -> int:
    """Exit code of a finished enumeration: incomplete, uncertain (float-only mode), or 0."""
    if not part.complete:
        return EXIT_INCOMPLETE
    return EXIT_UNCERTAIN if not part.certain else 0


#: What stopped an incomplete enumeration, as the command line names it.
STOPPED_BY = {"interrupted": "Ctrl-C", "max_regions": "--max-regions",
              "time_limit": "--time-limit", "memory_limit": "--memory-limit"}


def concluded(part, code: int) -> int:
    """``code``, the command's exit code, after a warning on stderr for each reason the
    enumeration's result is not clean: it stopped early, or (float-only mode) some
    decision was left to rounding."""
    summary = part.summary()
    if not summary["complete"]:
        print(f"warning: the enumeration stopped early "
              f"({STOPPED_BY.get(summary['stop_reason'], summary['stop_reason'])}, "
              f"{summary['unfinished']:,} cells unfinished): the result holds only the "
              f"regions found before (exit code {code})", file=sys.stderr)
    if summary["exact_budget_spent"]:
        print(f"warning: the exact-decision budget (--exact-budget "
              f"{summary['exact_budget']:,}) ran out: {summary['uncertain_decisions']:,} later "
              f"decisions float64 could not certify were left to rounding, so the count may "
              f"be wrong; rerun with a larger budget or none (exit code {code})",
              file=sys.stderr)
    elif not summary["certain"]:
        print(f"warning: float-only mode (--no-exact): {summary['uncertain_decisions']:,} "
              f"decisions float64 could not certify were left to rounding, so the count may "
              f"be wrong; rerun without --no-exact (exit code {code})", file=sys.stderr)
    return code


def certify_and_report(part, stream) -> int:
    """Certify ``part`` (:func:`regions.analysis.certify.certify`) and print the report to
    ``stream``; returns 0 when clean, else :data:`EXIT_CERTIFICATE_FAILED`."""
    certificate = certify(part)
    print(certificate.report(), file=stream)
    return 0 if certificate.ok else EXIT_CERTIFICATE_FAILED


def cmd_verify(args) -> int:
    """``regions verify``: 0 when every relation holds, :data:`EXIT_VIOLATION` when one
    is violated, else as :func:`outcome_code`."""
    network, domain = network_and_domain(args)
    part = enumerate_from_args(args, network, domain)
    report = verify(network, domain, samples=args.samples, lines=args.lines, seed=args.seed,
                    partition=part)
    print(report.to_json() if args.json else report.format_table())
    if args.output:
        write_text(args, args.output, report.to_json() + "\n", "the report")
    return concluded(part, outcome_code(part) if report.ok or not part.complete
                     else EXIT_VIOLATION)


@contextlib.contextmanager
def writing(args, path, what: str):
    """The body writes ``what`` to ``path``: an OSError becomes a one-line FileFormatError
    (exit 2), and success is said on stderr unless ``--quiet``."""
    try:
        yield
    except OSError as exc:
        raise FileFormatError(f"cannot write {what} to {path}: {exc.strerror or exc}") from None
    if not args.quiet:
        print(f"wrote {what} to {path}", file=sys.stderr)


def write_text(args, path, text: str, what: str) -> None:
    """Write ``text`` to ``path`` (:func:`writing`)."""
    with writing(args, path, what), open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def cmd_convert(args) -> int:
    """``regions convert MODEL -o NET.npz``: a network file or PyTorch model, written in the
    ``.npz`` contract (weights (out, in), biases, activations)."""
    net = load_network(args)
    if not str(args.output).endswith(".npz"):
        raise FileFormatError(f"{args.output}: the network format is .npz")
    with writing(args, args.output, "the network"):
        write_network(net, args.output)
    if args.json:
        print(json.dumps({"widths": net.widths, "activations": net.activations,
                          "output": args.output}))
    else:
        print(repr(net))
    return 0


def cmd_plot(args) -> int:
    """``regions plot NET.npz -o FILE``: enumerate and draw every region (``.html``: the
    interactive 2-D/3-D page of :mod:`regions.html`)."""
    interactive = args.output.lower().endswith(".html")
    if not args.output.lower().endswith(PICTURE_SUFFIXES):
        raise RegionsError(f"{args.output}: the picture is {', '.join(PICTURE_SUFFIXES[:-1])} "
                           f"or {PICTURE_SUFFIXES[-1]}")
    window = None if args.window is None else parse_box(args.window, "--window")
    if interactive and (args.graph or args.boundary or not args.edges):
        raise RegionsError("--graph, --boundary and --no-edges draw static pictures only "
                           "(.png, .svg, .pdf), not .html")
    plotly_objects() if interactive else pyplot()  # a missing extra fails before the work
    if interactive and args.color == "output":
        pyplot()                                     # the output colours are matplotlib's
    net, domain = network_and_domain(args)
    part = enumerate_from_args(args, net, domain)
    with writing(args, args.output, "the picture"):
        if interactive:
            write_html(part, args.output, color=args.color, layer=args.layer, window=window)
        else:
            write_figure(part, args.output, color=args.color, layer=args.layer,
                        edges=args.edges, graph=args.graph, boundary=args.boundary,
                        window=window)
    summary = part.summary()
    summary["output"] = args.output
    if args.json:
        print(json.dumps(jsonable(summary)))
    else:
        print(f"{len(part)} regions")
    return concluded(part, outcome_code(part))


#: The picture formats of ``regions plot``, by the output's extension.
PICTURE_SUFFIXES = (".png", ".svg", ".pdf", ".html")


def cmd_compare(args) -> int:
    """``regions compare A.npz B.npz``: whether two networks compute the same function on the
    domain (exactly), and their largest difference there."""
    net, domain = network_and_domain(args)
    found = compare(net, load_network(args, args.other), domain, method=args.method)
    summary = dict(found.summary(), domain=domain.kind, dim=domain.dim)
    if args.json:
        print(json.dumps(jsonable(summary)))
        return 0
    print(f"equivalent: {'yes' if found.equivalent else 'no'}")
    if not found.equivalent:
        if summary["unbounded"]:
            print(f"max |f - g|: unbounded (output {found.output})")
        else:
            point = ", ".join(f"{v:.6g}" for v in found.argmax)
            print(f"max |f - g|: {found.max_abs_difference:.6g} at ({point}), output "
                  f"{found.output}")
    print(f"common refinement: {found.regions} regions, the maps differ on {found.differing}")
    return 0


def cmd_canonical(args) -> int:
    """``regions canonical NET.npz -o OUT.npz``: the canonical parameters under hidden-neuron
    permutation and rescaling (:func:`regions.canonical`), with its dead and duplicate
    neurons; a domain option also finds the ReLU neurons off on the whole domain."""
    if not str(args.output).endswith(".npz"):
        raise FileFormatError(f"{args.output}: the network format is .npz")
    net, domain = network_and_domain(args)
    named = any(getattr(args, flag) is not None
                for flag in ("box", "polytope", "plane", "line", "segment"))
    found = canonical(net, domain if named else None, prune=args.prune, method=args.method)
    with writing(args, args.output, "the canonical network"):
        write_network(found.network, args.output)
    if not found.exact:
        print("warning: the canonical network rounds some weights to float64: it is not "
              "exactly the input's function (regions compare measures the difference)",
              file=sys.stderr)
    if args.json:
        print(json.dumps(dict(found.summary(), output=args.output)))
        return 0
    print(repr(found.network))

    def neurons(pairs):
        return "; ".join(f"layer {layer} neuron {n}" for layer, n in pairs) or "none"

    print(f"dead: {neurons(found.dead)}")
    if found.dead_on_domain is not None:
        print(f"off on the domain: {neurons(found.dead_on_domain)}")
    print("duplicates: " + ("; ".join(
        f"layer {layer} neurons {', '.join(map(str, group))}"
        for layer, group in found.duplicates) or "none"))
    print(f"exact: {'yes' if found.exact else 'no'}, scales: "
          f"{'primitive rows' if found.primitive else 'powers of two'}"
          + (", pruned" if found.pruned else ""))
    return 0


def cmd_entropy(args) -> int:
    """``regions entropy NET.npz --iterations K --interval LO HI``: laps of the iterates."""
    net = load_network(args)
    lo, hi = args.interval
    with progress_for(args) as progress:
        report = entropy(net, lo, hi, args.iterations, args.level, progress=progress)
    if args.json:
        print(json.dumps(jsonable({"interval": [lo, hi], "laps": report.laps,
                                   "regions": report.regions, "entropy": report.estimates,
                                   "bound": report.bound, "level": report.level,
                                   "crossings": report.crossings})))
        return 0
    print(f"f on [{lo:g}, {hi:g}]: laps of f^k, crossings of {report.level:g}, log(laps) / k")
    for k, (count, regions_, crossed, estimate) in enumerate(
            zip(report.laps, report.regions, report.crossings, report.estimates), start=1):
        print(f"  k = {k}: {count} laps ({regions_} regions), {crossed} crossings, "
              f"{estimate:.6f}")
    print(f"bound from depth and width: {report.bound:.6f}")
    return 0


def require_exact(args, command: str) -> None:
    """The face lattice is built from the exact vertices of an exact partition: refuse the
    float-only mode, and a budget that may end in it, rather than fail on a region rounding
    decided wrongly."""
    if not args.exact:
        raise RegionsError(f"{command} builds the exact face lattice and needs the exact mode "
                           "(drop --no-exact)")
    if args.exact_budget is not None:
        raise RegionsError(f"{command} builds the exact face lattice and needs every decision "
                           "exact (drop --exact-budget)")


def cmd_faces(args) -> int:
    """``regions faces NET.npz``: the f-vector of the face lattice (and its Hasse diagram)."""
    if args.output:
        graph_format(args.output)
    require_exact(args, "faces")
    net, domain = network_and_domain(args)
    part = enumerate_from_args(args, net, domain)
    lattice = face_lattice(part)
    if args.output:
        with writing(args, args.output, "the Hasse diagram"):
            write_graph(lattice.hasse_diagram(), args.output)
    summary = {"regions": len(part), "f_vector": lattice.f_vector,
               "euler_characteristic": lattice.euler_characteristic,
               "domain": domain.kind, "dim": domain.dim, "output": args.output}
    if args.json:
        print(json.dumps(jsonable(summary)))
    else:
        print("faces by dimension: " + ", ".join(
            f"{count} of dimension {d}" for d, count in enumerate(lattice.f_vector)))
        print(f"Euler characteristic: {lattice.euler_characteristic}")
    return concluded(part, outcome_code(part))


def cmd_topology(args) -> int:
    """``regions topology NET.npz --box LO HI``: the decision boundary (2-D, 3-D) and its
    Betti numbers; for a scalar output also those of ``{f >= level}``, the critical points
    and the sublevel and superlevel persistence."""
    if args.output and not args.output.lower().endswith(".json"):
        raise FileFormatError(f"{args.output}: the decision boundary is written as .json")
    require_exact(args, "topology")
    net, domain = network_and_domain(args)
    part = enumerate_from_args(args, net, domain)
    whole = part
    if not domain.is_bounded and part.complete:
        # the same homotopy type in a box meeting every face; lengths and areas measured there
        part = bounded_equivalent(whole, args.level)
        reach = float(part.domain.upper[0])
        if not args.quiet:
            where = f"all of R^{domain.dim}" if domain.kind == "whole" else f"the {domain.kind}"
            print(f"on {where}: the sets have the homotopy type of their part in "
                  f"[-{reach:g}, {reach:g}]^{domain.dim}, which meets every face; lengths "
                  f"and areas are measured there; critical points and persistence are "
                  f"those of {where}", file=sys.stderr)
    zero = decision_boundary(part, args.level)
    summary = {"regions": len(whole), "level": args.level, "boundary_pieces": zero.count,
               "boundary_measure": zero.measure, "dim": domain.dim,
               "boundary_betti": list(boundary_betti_numbers(part, args.level))}
    if part is not whole:
        summary["window"] = [float(part.domain.lower[0]), float(part.domain.upper[0])]
        # the box meets every face of the level complex: what reaches its boundary is unbounded
        summary["unbounded_boundary_components"] = components_reaching_boundary(
            part, args.level, "level")
    if args.output:
        pieces = [{"region": int(region), "measure": float(measure),
                   "points": domain.to_input(piece), "slice_points": piece}
                  for piece, region, measure in zip(zero.pieces, zero.regions, zero.measures)]
        write_text(args, args.output,
                   json.dumps(jsonable({"level": args.level, "pieces": pieces})),
                   "the decision boundary")
        summary["output"] = args.output
    if net.output_dim == 1:
        summary["betti"] = list(betti_numbers(part, args.level))
        if part is not whole:
            summary["unbounded_components"] = components_reaching_boundary(
                part, args.level, "superlevel")
        found = critical_points(whole)
        summary["critical_points"] = [{"point": p.point, "value": p.value, "kind": p.kind,
                                       "multiplicity": p.multiplicity,
                                       "on_boundary": p.on_boundary} for p in found]
        summary["persistence"] = {str(d): bars
                                  for d, bars in sublevel_persistence(whole).items()}
        summary["superlevel_persistence"] = {
            str(d): bars for d, bars in superlevel_persistence(whole).items()}
    if args.json:
        print(json.dumps(jsonable(summary)))
    else:
        unit = "length" if domain.dim == 2 else "area"
        where = (f"f = {args.level:g}" if net.output_dim == 1
                 else "where the largest output changes")
        print(f"decision boundary {where}: {zero.count} pieces, total {unit} "
              f"{zero.measure:.6g}, Betti numbers {tuple(summary['boundary_betti'])}"
              + (f", {summary['unbounded_boundary_components']} of the components unbounded"
                 if "unbounded_boundary_components" in summary else ""))
        if "betti" in summary:
            print(f"{{f >= {args.level:g}}}: Betti numbers {tuple(summary['betti'])} "
                  f"(components, " + ("holes)" if domain.dim == 2 else "tunnels, cavities)")
                  + (f", {summary['unbounded_components']} of the components unbounded"
                     if "unbounded_components" in summary else ""))
            kinds = [p.kind for p in found if not p.on_boundary]
            print(f"critical points inside: {kinds.count('minimum')} minima, "
                  f"{kinds.count('saddle')} saddles, {kinds.count('maximum')} maxima")
            for d, bars in summary["persistence"].items():
                print(f"H{d} bars of the sublevel filtration: {len(bars)}, of the "
                      f"superlevel filtration: {len(summary['superlevel_persistence'][d])}")
    return concluded(part, outcome_code(part))


def cmd_graph(args) -> int:
    """``regions graph NET.npz -o FILE``: enumerate, build the graph, write it by extension."""
    graph_format(args.output)  # reject an unknown extension before the work
    net, domain = network_and_domain(args)
    part = enumerate_from_args(args, net, domain)
    G = adjacency_graph(part)
    with writing(args, args.output, "the graph"):
        write_graph(G, args.output)
    if args.json:
        summary = part.summary()
        summary.update(adjacencies=G.number_of_edges(), pieces=G.graph["pieces"],
                       unmatched_facets=G.graph["unmatched_facets"], output=args.output)
        print(json.dumps(jsonable(summary)))
    else:
        print(f"{G.number_of_nodes()} regions, {G.number_of_edges()} adjacencies")
    return concluded(part, outcome_code(part))


def add_common_arguments(parser) -> None:
    """``--quiet``, ``--json`` and ``--progress``, which every subcommand takes."""
    parser.add_argument("--quiet", action="store_true",
                        help="on stderr only warnings and errors: no upper bound, progress "
                             "or 'wrote FILE' lines")
    parser.add_argument("--json", action="store_true",
                        help="print the result as one JSON object")
    parser.add_argument("--progress", action="store_true",
                        help="progress lines on stderr every 10 s when stderr is not a "
                             "terminal (without it, a heartbeat every 30 s; on a terminal "
                             "one live line, always)")


def add_enumeration_arguments(parser) -> None:
    """The controls of an enumeration, shared by every subcommand that enumerates."""
    parser.add_argument("--min-radius", type=float, default=MIN_RADIUS,
                        help=f"report regions whose inscribed radius is at most this as thin "
                             f"(default {MIN_RADIUS:g}); changes no count")
    parser.add_argument("--no-exact", dest="exact", action="store_false",
                        help="float-only mode: decisions float64 cannot certify are left to "
                             "rounding (exit 7 when any was); faster on degenerate inputs, "
                             "possibly wrong")
    parser.add_argument("--exact-budget", type=non_negative, metavar="N",
                        help="settle at most N decisions beyond float64, then go on "
                             "float-only (exit 7 when a later one was left to rounding; "
                             "default: no limit)")
    parser.add_argument("--max-regions", type=int,
                        help="stop after this many regions (a count with --workers or "
                             "--scheduler keeps every region its finished tasks found, which "
                             "may be more)")
    parser.add_argument("--time-limit", type=float, metavar="SECONDS",
                        help="stop after this long")
    parser.add_argument("--memory-limit", type=float, metavar="MB",
                        help="stop when resident memory exceeds this many MiB")
    parser.add_argument("--checkpoint", metavar="FILE",
                        help="write progress atomically to FILE every few seconds")
    parser.add_argument("--resume", metavar="FILE",
                        help="continue the run saved in FILE (same network and domain only)")
    parser.add_argument("--method", choices=METHODS, default="auto",
                        help="enumeration method (default auto: vertex or split, whichever a "
                             "cost model of the network and domain predicts faster)")
    parallel = parser.add_mutually_exclusive_group()
    parallel.add_argument("--workers", type=at_least_one, default=1, metavar="N",
                          help="run region subtrees on N processes (same result as 1)")
    parallel.add_argument("--scheduler", metavar="ADDRESS",
                          help="run region subtrees on the dask.distributed cluster whose "
                               "scheduler is at ADDRESS (tcp://HOST:PORT); checkpoints are "
                               "written here")


def whole_number(text: str, least: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < least:
        raise argparse.ArgumentTypeError(f"must be at least {least}, got {value}")
    return value


def at_least_one(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    return whole_number(text, 1)


def non_negative(text: str) -> int:
    """An argparse type: a whole number of at least 0."""
    return whole_number(text, 0)


def enumerate_from_args(args, net, domain, count_only: bool = False, bound=None):
    """The enumeration the command line asks for (:func:`add_enumeration_arguments`), on
    ``--workers`` processes, with progress unless ``--quiet``."""
    memory = None if args.memory_limit is None else args.memory_limit * 2**20
    options = dict(min_radius=args.min_radius, exact=args.exact,
                   exact_budget=args.exact_budget, max_regions=args.max_regions,
                   time_limit=args.time_limit, memory_limit=memory, method=args.method,
                   checkpoint=args.checkpoint, resume=args.resume)
    if args.scheduler is not None:
        with dask_executor(args.scheduler) as executor:
            return enumerate_with_progress(args, net, domain, count_only, bound,
                                           executor=executor, **options)
    if args.workers == 1:
        return enumerate_with_progress(args, net, domain, count_only, bound, **options)
    with process_pool(args.workers) as executor:
        return enumerate_with_progress(args, net, domain, count_only, bound, executor=executor,
                                       **options)


@contextlib.contextmanager
def dask_executor(address: str):
    """The executor of a client of the dask.distributed scheduler at ``address``."""
    try:
        import distributed
    except ImportError:
        raise RegionsError("--scheduler runs on dask.distributed, which is not installed: "
                           "pip install 'regions[distributed]'") from None
    try:
        client = distributed.Client(address, timeout=SCHEDULER_TIMEOUT)
    except OSError as exc:
        raise RegionsError(f"--scheduler {address}: no dask scheduler answered "
                           f"({' '.join(str(exc).split())})") from None
    with client:
        yield client.get_executor()


def add_network_arguments(parser, help_text: str) -> None:
    """The positional network file and the domain options, shared by every subcommand."""
    parser.add_argument("network", help=help_text)
    parser.add_argument("--box", nargs="+", metavar="LO HI",
                        help="restrict to the box [LO, HI]^n, or LO,HI per coordinate "
                             "(--box -1,1 0,2); with --plane, bounds of the slice coordinates "
                             "(default: all of R^n)")
    slices = parser.add_mutually_exclusive_group()
    slices.add_argument("--polytope", metavar="FILE",
                        help="the polytope A x <= c in an .npz file (arrays A and c)")
    slices.add_argument("--plane", nargs=3, metavar="P", help="the plane through three points, "
                        "each comma-separated (--plane 0,0,0 1,0,0 0,1,0)")
    slices.add_argument("--line", nargs=2, metavar="P", help="the line through two points")
    slices.add_argument("--segment", nargs=2, metavar="P",
                        help="the segment between two points (coordinate t from 0 at the "
                             "first to its length at the second)")


NETWORK_HELP = (".npz network file (W0, b0, W1, b1, ..., activations), or a PyTorch "
                "(.pt/.pth) or ONNX (.onnx) model")


#: What argparse takes for a negative number rather than an option: also ``-1e3`` and
#: ``-.5e-2``, so ``--box -1e3 1e3`` parses (argparse's own pattern has no exponent), and
#: comma-separated numbers such as ``-1,1`` (a per-coordinate box, a point).
_NUMBER = r"((\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|inf|infinity|nan)"
NEGATIVE_NUMBER = re.compile(rf"^-{_NUMBER}(,[-+]?{_NUMBER})*$", re.IGNORECASE)


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``regions count: error: ...``, exit 2), without the
    usage block; ``--help`` shows the usage."""

    def error(self, message):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="regions", description="Exact linear regions of piecewise-linear networks.")
    parser.add_argument("--version", action="version",
                        version=f"regions {importlib.metadata.version('regions')}")
    sub = parser.add_subparsers(dest="command", required=True)
    count = sub.add_parser("count", help="count the linear regions of a network file")
    add_network_arguments(count, NETWORK_HELP)
    add_enumeration_arguments(count)
    count.add_argument("--exact-check", action="store_true",
                       help="re-verify every witness in rational arithmetic")
    count.add_argument("--certify", action="store_true",
                       help="check that the enumeration is complete (exit 4 on violations)")
    count.add_argument("--pieces", action="store_true",
                       help="also count the linear pieces (adjacent regions with one affine "
                            "map merged; one LP per region row)")
    count.add_argument("-o", "--output", metavar="PART.json|PART.npz",
                       help="also write the whole partition (patterns, H-representations, "
                            "witnesses, affine maps) as JSON or npz, read back by "
                            "regions.read_json or regions.read_npz")
    count.set_defaults(func=cmd_count)

    check = sub.add_parser(
        "verify", help="exact count beside every bound and sampled estimate",
        description="Enumerate the regions exactly, compute every applicable bound and sampled "
                    "estimate, and check the relations between them. Exit code 0 when all "
                    f"hold, {EXIT_VIOLATION} when one is violated.")
    add_network_arguments(check, NETWORK_HELP)
    check.add_argument("--samples", type=int, default=200_000, metavar="N",
                       help="random points for the distinct-pattern count (default 200000)")
    check.add_argument("--lines", type=int, default=200, metavar="K",
                       help="random lines for exact line counts (default 200)")
    check.add_argument("-o", "--output", metavar="REPORT.json",
                       help="also write the report as JSON to this file")
    check.add_argument("--seed", type=int, default=0, help="seed of the random samples")
    add_enumeration_arguments(check)
    check.set_defaults(func=cmd_verify)

    convert = sub.add_parser(
        "convert", help="write a network file or PyTorch model as a .npz network file")
    convert.add_argument("network", help="network file: .npz, or .pt/.pth (PyTorch)")
    convert.add_argument("-o", "--output", required=True, metavar="NET.npz",
                         help="the .npz file to write")
    convert.set_defaults(func=cmd_convert)

    graph = sub.add_parser(
        "graph", help="write the region adjacency graph (GraphML, GEXF or JSON by extension)")
    add_network_arguments(graph, NETWORK_HELP)
    graph.add_argument("-o", "--output", required=True,
                       help="output file: .graphml, .gexf or .json (node-link)")
    add_enumeration_arguments(graph)
    graph.set_defaults(func=cmd_graph)

    picture = sub.add_parser(
        "plot", help="draw the regions of a 2-D domain or slice (or a 1-D line) to a file",
        description="Draw every region as its exact polygon (.png, .svg or .pdf by "
                    "extension; needs matplotlib: pip install \"regions[plot]\").")
    add_network_arguments(picture, NETWORK_HELP)
    picture.add_argument("-o", "--output", required=True, metavar="PICTURE",
                         help="output file: .png, .svg or .pdf, or .html for an "
                              "interactive 2-D/3-D page (plotly)")
    picture.add_argument("--color", choices=COLORS, default="pattern",
                         help="fill by activation pattern (default), network output, or the "
                              "pattern of layers up to --layer")
    picture.add_argument("--layer", type=int, help="the last layer for --color layer")
    picture.add_argument("--edges", action=argparse.BooleanOptionalAction, default=True,
                         help="outline the regions (default; --no-edges leaves them bare)")
    picture.add_argument("--graph", action="store_true", help="draw the adjacency graph")
    picture.add_argument("--boundary", action="store_true", help="draw the decision boundary")
    picture.add_argument("--window", nargs="+", metavar="LO HI",
                         help="the part of the domain drawn, as --box takes it (default: "
                              "the domain's box; on an unbounded domain the middle 90%% of "
                              "the vertices, 1-D: every breakpoint, with a margin)")
    add_enumeration_arguments(picture)
    picture.set_defaults(func=cmd_plot)

    faces = sub.add_parser(
        "faces", help="every face of the polyhedral complex: the f-vector, the Euler "
                      "characteristic and the Hasse diagram")
    add_network_arguments(faces, NETWORK_HELP)
    faces.add_argument("-o", "--output", metavar="FILE",
                       help="write the Hasse diagram (.graphml, .gexf or .json)")
    add_enumeration_arguments(faces)
    faces.set_defaults(func=cmd_faces)

    topology = sub.add_parser(
        "topology", help="decision boundary (2-D: also a classifier's; 3-D) with its Betti "
                         "numbers, and for a scalar output the Betti numbers of "
                         "{f >= level}, critical points and sublevel and superlevel "
                         "persistence (on all of R^n through a box meeting every face)")
    add_network_arguments(topology, NETWORK_HELP)
    topology.add_argument("--level", type=float, default=0.0,
                          help="the level set f = LEVEL (default 0)")
    topology.add_argument("-o", "--output", metavar="BOUNDARY.json",
                          help="write the decision boundary's pieces (their points in input "
                               "and domain coordinates, region, length or area)")
    add_enumeration_arguments(topology)
    topology.set_defaults(func=cmd_topology)

    comparison = sub.add_parser(
        "compare", help="whether two networks compute the same function on the domain "
                        "(decided exactly), and their largest difference there")
    add_network_arguments(comparison, NETWORK_HELP)
    comparison.add_argument("other", help="the second network file")
    comparison.add_argument("--method", choices=METHODS, default="auto",
                            help="the enumeration method of the common refinement")
    comparison.set_defaults(func=cmd_compare)

    canonical_form = sub.add_parser(
        "canonical", help="write the canonical parameters under hidden-neuron permutation "
                          "and rescaling; report dead and duplicate neurons",
        description="Rescale and sort every hidden layer's neurons into one canonical "
                    "network, exactly (networks related by those symmetries give "
                    "byte-identical files), and report dead and duplicate neurons; a "
                    "domain option also finds the ReLU neurons off on the whole domain.")
    add_network_arguments(canonical_form, NETWORK_HELP)
    canonical_form.add_argument("-o", "--output", required=True, metavar="OUT.npz",
                                help="the canonical network file to write")
    canonical_form.add_argument("--prune", action="store_true",
                                help="drop dead neurons (and those off on the domain) and "
                                     "merge duplicates, keeping the function")
    canonical_form.add_argument("--method", choices=METHODS, default="auto",
                                help="the enumeration method for the neurons off on the "
                                     "domain")
    canonical_form.set_defaults(func=cmd_canonical)

    dynamics = sub.add_parser(
        "entropy", help="laps and topological entropy of a network R -> R iterated on an "
                        "interval it maps into itself")
    dynamics.add_argument("network", help=NETWORK_HELP)
    dynamics.add_argument("--interval", nargs=2, type=float, required=True,
                          metavar=("LO", "HI"), help="the interval f maps into itself")
    dynamics.add_argument("--level", type=float, metavar="Y",
                          help="count the oscillations as crossings of f^k = Y (default the "
                               "interval's midpoint)")
    dynamics.add_argument("--iterations", type=at_least_one, default=6, metavar="K",
                          help="iterate up to f^K (default 6)")
    dynamics.set_defaults(func=cmd_entropy)

    for command in sub.choices.values():
        add_common_arguments(command)
        command.add_argument(
            "--activations", metavar="LIST",
            help="PyTorch state dicts (.pt/.pth), which store no activations: one per Linear "
                 "layer, comma-separated (relu, leaky_relu, hardtanh, identity)")
        command.add_argument(
            "--input-shape", metavar="C,H,W",
            help="a model whose first operation on its input is not a Linear (Conv2d, "
                 "x.view, ...), or an ONNX model without a fixed input shape: one input's "
                 "shape without the batch axis, comma-separated")
        command.add_argument(
            "--allow-pickle", action="store_true",
            help="also load a full pickled PyTorch model (unpickling runs arbitrary code: "
                 "only for files you trust)")
    for each in (parser, *sub.choices.values()):
        each._negative_number_matcher = NEGATIVE_NUMBER
    return parser


def main(argv=None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    try:
        args = build_parser().parse_args(argv)
        code = args.func(args)
        sys.stdout.flush()     # a closed pipe shows here, not in the interpreter's exit
        return code
    except RegionsError as exc:
        print(f"regions: error: {exc.command_line_message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("regions: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return output_closed()


def output_closed() -> int:
    """:data:`EXIT_BROKEN_PIPE`, quietly, after pointing standard output at the null device
    (the interpreter's last flush would fail on the closed pipe again)."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())
    os.close(null)
    return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
