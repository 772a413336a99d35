"""Verification report: the exact count beside every bound and sampled estimate.

:func:`verify` enumerates the regions of a network exactly, computes every
bound of :mod:`regions.bounds` that applies and the sampled estimates of
:mod:`regions.sampling`, and checks the relations that must hold between
them:

* the enumeration finished;
* ``exact <= U`` for every upper bound ``U`` (shape bounds with the hidden
  widths and ``m = domain.dim``, and the per-network bound), and
  ``exact == Zaslavsky`` for one hidden layer in general position on a whole
  space;
* ``L <= U`` for every lower bound ``L`` on the maximal count and every shape
  upper bound ``U`` (a consistency check of the formulas);
* ``sampled <= exact`` for every sampled lower bound, and every sampled
  pattern is the pattern of an enumerated region;
* every line meets at most ``prod_l (h_l + 1)`` regions (``h_l`` breakpoint
  hyperplanes of layer ``l``; ``k - 1`` per max unit of ``k`` inputs).

A violated relation is reported, never hidden: :attr:`VerifyReport.ok` is
False, the table marks it ``VIOLATED`` and ``regions verify`` exits with
:data:`regions.cli.EXIT_VIOLATION`. The count is exact; when it comes from the
float-only mode and is not certain, the report says so.

The command line, ``regions verify NET.npz [--box LO HI] [--samples N]
[--lines K] [-o report.json] [--seed S] [--quiet]``, is in :mod:`regions.cli`
with its exit codes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import numpy as np

from .. import bounds as bounds_module
from ..domain import resolve
from ..enumeration import enumerate_regions
from ..errors import RegionsError
from .pieces import linear_pieces
from ..network import Network
from ..sampling import density_from_counts, distinct_patterns, regions_along_lines
from ..io.partitions import jsonable
from ..tolerances import MIN_RADIUS, PIECES_LIMIT

__all__ = ["PIECES_LIMIT", "Estimate", "Relation", "VerifyReport", "verify"]


@dataclass(frozen=True)
class Estimate:
    """A sampled quantity.

    Attributes
    ----------
    name : str
    value : float
    kind : str
        ``"lower"`` (never above the exact count) or ``"estimate"`` (no
        inequality claimed).
    sample_size : int
    unit : str
        What was sampled (``"points"``, ``"lines"``).
    detail : dict
        Extra JSON-ready numbers (the curve of distinct patterns, ``lambda``...).
    """

    name: str
    value: float
    kind: str
    sample_size: int
    unit: str
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Relation:
    """One checked relation ``left op right``.

    ``op`` is ``"<="``, ``"=="``, ``"subset"`` (every sampled pattern is an
    exact region's pattern; the values are the number of sampled patterns
    and the number of them found among the exact ones) or ``"is"`` (a flag).
    """

    name: str
    left: str
    op: str
    right: str
    left_value: object
    right_value: object
    holds: bool
    note: str = ""


@dataclass
class VerifyReport:
    """Everything :func:`verify` found.

    Attributes
    ----------
    network : dict
        ``widths``, ``activations`` and the hidden ``hidden_widths``.
    domain : dict
        ``kind``, ``dim`` (the ``m`` of the bounds), ``bounded``.
    exact : int
        Exact region count from :func:`regions.enumerate_regions`.
    enumeration : dict
        Its summary (seconds, LPs, completeness, thin regions, exact decisions).
    bounds : list of regions.bounds.Bound
    estimates : list of Estimate
    relations : list of Relation

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> report = regions.verify(net, regions.box(-1, 1), samples=1000, lines=10)
    >>> report.exact, report.ok
    (4, True)
    """

    network: dict
    domain: dict
    exact: int
    enumeration: dict
    bounds: list
    estimates: list
    relations: list

    @property
    def ok(self) -> bool:
        """True when every relation holds."""
        return all(r.holds for r in self.relations)

    @property
    def violations(self) -> list:
        return [r for r in self.relations if not r.holds]

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "network": self.network,
            "domain": self.domain,
            "exact": self.exact,
            "enumeration": self.enumeration,
            "bounds": [asdict(b) for b in self.bounds],
            "estimates": [asdict(e) for e in self.estimates],
            "relations": [asdict(r) for r in self.relations],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON (bounds are exact integers, however large; non-finite
        numbers as the strings ``"inf"``, ``"-inf"``, ``"nan"``)."""
        return json.dumps(jsonable(self.to_dict()), indent=indent)

    def format_table(self) -> str:
        """A plain-text table: count, bounds, estimates, relations."""
        net, dom = self.network, self.domain
        lines = [
            f"network: widths {net['widths']}, activations {net['activations']}",
            f"domain: {dom['kind']} (dimension {dom['dim']}"
            + (", bounded)" if dom["bounded"] else ", unbounded)"),
            f"exact count: {self.exact}  ({self.enumeration['seconds']:.2f} s, "
            f"{self.enumeration['lps']} LPs"
            + ("" if self.enumeration["complete"] else ", INCOMPLETE") + ")",
            "linear pieces: " + (str(self.enumeration["pieces"])
                                 if self.enumeration.get("pieces") is not None else
                                 f"not counted (incomplete, or more than {PIECES_LIMIT:,} "
                                 f"regions: regions count --pieces)"),
            "",
            f"{'bound':<14} {'kind':<10} {'value':>24}  {'exact/value':>11}  source",
        ]
        for b in self.bounds:
            ratio = f"{self.exact / b.value:.3g}" if b.value else "-"
            lines.append(f"{b.name:<14} {b.kind:<10} {_short(b.value):>24}  {ratio:>11}  {b.source}")
        lines += ["", f"{'estimate':<22} {'kind':<9} {'value':>12}  sample size"]
        for e in self.estimates:
            value = f"{e.value:.1f}" if isinstance(e.value, float) else str(e.value)
            lines.append(f"{e.name:<22} {e.kind:<9} {value:>12}  {e.sample_size:,} {e.unit}")
        lines += ["", "relations:"]
        for r in self.relations:
            mark = "ok      " if r.holds else "VIOLATED"
            lines.append(f"  {mark} {r.left} {r.op} {r.right}   "
                         f"({_short(r.left_value)} {r.op} {_short(r.right_value)})"
                         + (f"  [{r.note}]" if r.note else ""))
        verdict = ("all relations hold" if self.ok else
                   f"ERROR: {len(self.violations)} relation(s) violated")
        lines += ["", f"{len(self.relations)} relations checked: {verdict}"]
        return "\n".join(lines)


def verify(network: Network, domain=None, *, samples: int = 200_000, lines: int = 200,
           seed: int = 0, min_radius: float = MIN_RADIUS, partition=None,
           progress=None) -> VerifyReport:
    """Exact count, every applicable bound, sampled estimates and the relations between them.

    Parameters
    ----------
    network : Network
    domain : Domain, optional
        Default: all of R^n. Bounds use ``m = domain.dim`` (a slice's own
        dimension).
    samples : int
        Random points for the distinct-pattern lower bound (0 to skip).
    lines : int
        Random lines for the exact line counts and, on a bounded domain,
        the Hanin-Rolnick density estimate (0 to skip).
    seed : int
        Seed of every random draw.
    min_radius : float
        Thin-region report threshold of the enumeration (changes no count).
    partition : Partition, optional
        A finished enumeration of ``network`` over ``domain`` to reuse.
    progress : callable, optional
        Passed to :func:`regions.enumerate_regions`.

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> report = regions.verify(net, regions.box(-1, 1), samples=1000, lines=10)
    >>> report.exact, report.ok
    (4, True)
    """
    for name, value in (("samples", samples), ("lines", lines)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise RegionsError(f"{name} must be a non-negative integer, got {value!r}")
    domain = resolve(domain, network)
    part = (partition if partition is not None else
            enumerate_regions(network, domain, min_radius=min_radius, progress=progress))
    exact = len(part)
    summary = part.summary()
    # linear pieces beside activation regions (one LP per region row: small partitions only)
    summary["pieces"] = (linear_pieces(part).count if part.complete and exact <= PIECES_LIMIT
                         else None)
    caveat = ("float-only mode: the count is not certain (decisions left to rounding)"
              if not summary["certain"] else "")

    bounds = bounds_module.network_bounds(network, domain)
    relations = [Relation("complete", "enumeration", "is", "complete", summary["complete"],
                          True, bool(summary["complete"]), summary.get("stop_reason") or "")]
    relations += _bound_relations(exact, bounds)

    estimates = []
    exact_keys = _pattern_set(part.patterns)
    if samples:
        sample = distinct_patterns(network, domain, int(samples), seed=seed)
        estimates.append(Estimate(
            "points", sample.distinct, "lower", sample.samples, "points",
            {"sizes": sample.sizes.tolist(), "distinct": sample.curve.tolist(),
             "seconds": sample.seconds}))
        relations += _sample_relations("points", sample.distinct, sample.patterns, exact,
                                       exact_keys, caveat)
    if lines:
        counts = regions_along_lines(network, domain, int(lines), seed=seed)
        estimates.append(Estimate("lines (distinct)", counts.distinct, "lower", counts.lines,
                                  "lines", {"seconds": counts.seconds}))
        estimates.append(Estimate("line (most regions)", int(counts.counts.max()), "lower",
                                  counts.lines, "lines"))
        estimates.append(Estimate("line (mean regions)", float(counts.counts.mean()),
                                  "estimate", counts.lines, "lines"))
        relations += _sample_relations("lines", counts.distinct, counts.patterns, exact,
                                       exact_keys, caveat)
        line_bound = _line_bound(network)
        relations.append(Relation("line bound", "regions on any line", "<=", "prod (h_l + 1)",
                                  int(counts.counts.max()), line_bound,
                                  int(counts.counts.max()) <= line_bound))
        if domain.is_bounded:
            density = density_from_counts(network, domain, counts)
            if density.expected_regions is not None:
                estimates.append(Estimate(
                    "hanin-rolnick", density.expected_regions, "estimate", density.lines,
                    "lines", _density_detail(density)))

    return VerifyReport(
        network={"widths": network.widths, "activations": network.activations,
                 "hidden_widths": bounds_module.hidden_layers(network)[0]},
        domain={"kind": domain.kind, "dim": domain.dim, "bounded": domain.is_bounded},
        exact=exact,
        enumeration=summary,
        bounds=bounds,
        estimates=estimates,
        relations=relations,
    )


def _line_bound(network: Network) -> int:
    """``prod_l (h_l + 1)``: along a line the input of layer ``l`` is affine on each piece,
    which the layer cuts at most ``h_l`` times: once per breakpoint of each neuron, and
    ``k - 1`` times per max unit of ``k`` inputs (an upper envelope of ``k`` affine
    functions of one variable has at most ``k`` pieces).

    >>> pool = Network.from_layers(
    ...     [(np.ones((5, 2)), np.zeros(5)), (np.ones((2, 2)), np.zeros(2)),
    ...      (np.ones((1, 2)), np.zeros(1))], ["max", "hardtanh", "identity"],
    ...     windows={0: [[0, 1, 2], [3, 4]]})
    >>> _line_bound(pool)      # (1 + 2 + 1) (1 + 2 * 2)
    20
    """
    bound = 1
    for layer in network.layers:
        if layer.activation == "max":
            bound *= 1 + int(np.sum(layer.window_sizes - 1))
        else:
            bound *= 1 + layer.width * len(layer.breakpoints)
    return bound


def _bound_relations(exact: int, bounds: list) -> list:
    relations = []
    shape_uppers = [b for b in bounds if b.kind == "upper" and b.name not in ("network",
                                                                             "zaslavsky")]
    for b in bounds:
        if b.kind == "upper":
            relations.append(Relation(f"exact <= {b.name}", "exact", "<=", b.name, exact,
                                      b.value, exact <= b.value))
        elif b.kind == "equality":
            relations.append(Relation(f"exact == {b.name}", "exact", "==", b.name, exact,
                                      b.value, exact == b.value,
                                      "one layer in general position on the whole space"))
        elif b.kind == "max_lower":
            for upper in shape_uppers:
                relations.append(Relation(f"{b.name} <= {upper.name}", b.name, "<=",
                                          upper.name, b.value, upper.value,
                                          b.value <= upper.value, "bounds on the maximal count"))
    return relations


def _sample_relations(name, distinct, patterns, exact, exact_keys, caveat) -> list:
    found = sum(key in exact_keys for key in _pattern_set(patterns, ordered=True))
    return [
        Relation(f"{name} <= exact", f"sampled ({name})", "<=", "exact", distinct, exact,
                 distinct <= exact, caveat),
        Relation(f"{name} patterns", f"sampled patterns ({name})", "subset", "exact patterns",
                 len(patterns), found, found == len(patterns), caveat),
    ]


def _pattern_set(patterns: np.ndarray, ordered: bool = False):
    keys = [row.tobytes() for row in np.ascontiguousarray(patterns, dtype=np.int8)]
    return keys if ordered else set(keys)


def _density_detail(density) -> dict:
    return {
        "crossings_per_length": density.crossings_per_length,
        "standard_error": density.standard_error,
        "boundary_density": density.boundary_density,
        "regions_per_volume": density.regions_per_volume,
        "volume": density.volume,
        "total_length": density.total_length,
        "transitions": density.transitions,
        "crossings_per_length_per_neuron": density.crossings_per_length_per_neuron,
    }


def _short(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        return str(value)
    value = int(value)
    if value < 10 ** 15:
        return f"{value:,}"
    digits = len(str(value))
    return f"{int(str(value)[:4]) / 1000:.3f}e{digits - 1}"
