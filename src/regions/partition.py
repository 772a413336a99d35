"""Results of an enumeration: :class:`Region` and :class:`Partition`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields

import numpy as np

from .domain import Domain
from .network import Network, pattern_sides
from .polyhedra import pattern_constraints, patterns_at
from .rational import RationalMaps, fraction, hyperplane_signs
from .rounding import UNIT_ROUNDOFF
from .tolerances import NOTEBOOK_MAX_REGIONS

__all__ = ["NOTEBOOK_MAX_REGIONS", "Region", "Run", "Partition", "RegionCount", "summary_of",
           "PatternRows", "PatternMaps"]


@dataclass(frozen=True)
class Region:
    """One full-dimensional linear region, in the working coordinates of the domain.

    Attributes
    ----------
    pattern : ndarray, shape (P,), int8
        Activation pattern (see ``regions.network`` for the state codes).
    A : ndarray, shape (m, dim)
        H-representation ``A z <= b`` with unit-norm rows, as the engine kept them:
        every facet of the region, exactly, from methods ``"vertex"`` and ``"walk"``;
        every facet and possibly redundant rows from ``"split"`` (an earlier cut
        that a later one hides). :func:`regions.minimal_rows` removes redundant
        rows, one LP per row. Read-only from ``"split"``: regions share the memory of
        the rows they have in common (copy it to change it).
    b : ndarray, shape (m,)
    labels : ndarray, shape (m,), int64
        What each row of ``A`` is: ``>= 0`` indexes a neuron breakpoint
        (decode with :meth:`Partition.describe_label`), ``< 0`` is domain face
        ``-1 - label``.
    witness : ndarray, shape (dim,)
        A point strictly inside the region (certified in rational arithmetic's terms):
        the center of its largest inscribed ball (method ``"split"``), or the mean
        of its vertices (method ``"vertex"``; the largest ball's center when that
        mean is within ``THIN_FACTOR * min_radius`` of the boundary). For a region
        too thin for any float64 point to be certified inside, the float point
        nearest the exact witness ``rational_witness``.
    margin : float
        Radius of a ball around ``witness`` inside the region, up to rounding
        (capped at ``tolerances.RADIUS_CAP``). For ``"split"`` it is the inscribed
        radius; for ``"vertex"`` at most that, and equal to it whenever it is
        below ``THIN_FACTOR * min_radius``, so :attr:`Partition.thin` means the
        same for both. Approximate: it reports, it decides nothing.
    rational_witness : tuple of fractions.Fraction, or None
        An exact point strictly inside the region, for the rare regions too thin
        for a certified float64 witness; None otherwise.
    C : ndarray, shape (out, dim)
    d : ndarray, shape (out,)
        The network computes ``y = C z + d`` on the region.

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> region = regions.enumerate_regions(net, regions.box(-1, 1))[0]
    >>> region.pattern, region.A.shape, region.witness
    (array([1, 1], dtype=int8), (4, 2), array([0.5, 0.5]))
    """

    pattern: np.ndarray
    A: np.ndarray
    b: np.ndarray
    labels: np.ndarray
    witness: np.ndarray
    margin: float
    C: np.ndarray
    d: np.ndarray
    rational_witness: tuple | None = None

    def contains(self, z, tol: float = 0.0) -> np.ndarray:
        """Whether working-coordinate points ``(k, dim)`` satisfy ``A z <= b + tol``."""
        z = np.atleast_2d(np.asarray(z, dtype=np.float64))
        return np.all(z @ self.A.T <= self.b + tol, axis=1)


@dataclass(kw_only=True)
class Run:
    """What an enumeration ran on and what it did: the attributes a :class:`Partition`
    and a :class:`RegionCount` share (documented with :class:`Partition`)."""

    network: Network
    domain: Domain
    per_layer: list
    lps: int
    seconds: float
    lp_seconds: float
    min_radius: float
    scale: float = 1.0
    complete: bool = True
    stop_reason: str | None = None
    unfinished: int = 0
    method: str = "split"
    exact: bool = True
    exact_budget: int | None = None
    exact_decisions: int = 0
    uncertain_decisions: int = 0
    notes: tuple = ()

    @property
    def certain(self) -> bool:
        """Whether every decision is exact: in the exact mode unless its budget ran out
        (:attr:`exact_budget_spent`), and in the float-only mode (``exact=False``) when
        float64 certified every decision it made."""
        return self.uncertain_decisions == 0

    @property
    def exact_budget_spent(self) -> bool:
        """Whether the exact mode's budget (``exact_budget``) ran out and some later
        decision was left to rounding (counted in ``uncertain_decisions``)."""
        return self.exact and self.uncertain_decisions > 0


@dataclass(kw_only=True)
class Partition(Run):
    """Every full-dimensional region of ``network`` over ``domain``.

    ``len(partition)`` is the region count; iterating (or indexing) yields
    :class:`Region` objects, built from the arrays below without solving
    anything. Region order is deterministic.

    Attributes
    ----------
    network, domain
        What was enumerated (``domain.dim`` is the working dimension).
    patterns : ndarray, shape (R, P), int8
    witnesses : ndarray, shape (R, dim)
    margins : ndarray, shape (R,)
    per_layer : list of int
        ``per_layer[l]`` is the number of regions of the network truncated
        after layer ``l`` (the regions of layers ``0..l``). On a stopped run it counts
        those made by the work whose regions the result holds (some still among the
        ``unfinished`` cells), so ``len <= per_layer[-1] <= len + unfinished``, and a
        resumed run adds exactly the rest, as it does to ``lps``.
    lps : int
        LPs solved by the enumeration (not counting H-representation minimisation).
    seconds : float
        Wall-clock time of the enumeration.
    lp_seconds : float
        Part of ``seconds`` spent inside HiGHS.
    min_radius : float
        The thin-region threshold, relative to ``scale``: regions whose inscribed radius
        is at most ``min_radius * scale`` are reported (:attr:`thin`). It changes no
        count and no region.
    scale : float
        The power of two that measures thin regions (:func:`regions.tolerance_scale`).
    complete : bool
        False when the enumeration stopped early; the regions present are
        still final regions, but some are missing.
    stop_reason : str or None
        ``"max_regions"``, ``"time_limit"``, ``"memory_limit"`` or
        ``"interrupted"`` when incomplete.
    unfinished : int
        Cells left unprocessed (each holds at least one missing region).
    method : str
        The algorithm that produced the regions: ``"split"``, ``"vertex"`` or ``"walk"``.
    exact : bool
        Whether the run decided in the exact mode (the default) or float-only.
    exact_budget : int or None
        The most decisions the exact mode was allowed to settle beyond float64 (None: no
        limit); see :attr:`exact_budget_spent`.
    exact_decisions : int
        Geometric decisions that float64 could not certify, settled in ball or rational
        arithmetic (``regions.predicates``).
    uncertain_decisions : int
        Decisions float64 could not certify that were settled by rounding: in the
        float-only mode, or in the exact mode once its budget ran out. When positive the
        count may be wrong (:attr:`certain` is False).
    notes : tuple of str
        How the run was slowed down: a slower path it was forced onto (also said on
        stderr), e.g. workers that could not read the run's shared file.
    rational_witnesses : dict
        Region index -> exact witness (tuple of ``fractions.Fraction``) for the regions
        too thin for a certified float64 witness.
    rows : sequence of (A (m, dim), b (m,), labels (m,))
        Each region's constraint rows as the engine kept them (every facet, and maybe a
        few redundant rows); the vertex engine's are derived from the patterns when read.
    maps : sequence of (C (out, dim), d (out,))
        The network's affine map on each region (derived from the pattern when read).

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> part = regions.enumerate_regions(net, regions.box(-1, 1))
    >>> len(part), part.patterns.tolist()
    (4, [[1, 1], [1, 0], [0, 1], [0, 0]])
    """

    patterns: np.ndarray
    witnesses: np.ndarray
    margins: np.ndarray
    rows: Sequence = field(repr=False, default_factory=list)
    maps: Sequence = field(repr=False, default_factory=list)
    rational_witnesses: dict = field(repr=False, default_factory=dict)
    _regions: dict = field(repr=False, default_factory=dict)   # Region objects built so far

    @classmethod
    def from_regions(cls, network: Network, domain: Domain, regions, **fields) -> "Partition":
        """A partition of given :class:`Region` objects (their H-representations are taken
        as they are); ``fields`` are the other attributes (``per_layer``, ``lps``,
        ``seconds``, ``lp_seconds``, ``min_radius`` and the optional ones).

        >>> import numpy as np
        >>> import regions
        >>> net = regions.Network.from_layers([([[1.0]], [0.0]), ([[1.0]], [0.0])])
        >>> part = regions.enumerate_regions(net, regions.box(-1, 1))
        >>> again = Partition.from_regions(net, part.domain, [part[1], part[0]],
        ...                                per_layer=[2, 2], lps=0, seconds=0.0,
        ...                                lp_seconds=0.0, min_radius=part.min_radius)
        >>> again.patterns.ravel().tolist(), float(again[0].witness[0])
        ([0, 1], -0.5)
        """
        regions = list(regions)
        count = len(regions)
        return cls(
            network=network, domain=domain,
            patterns=np.array([r.pattern for r in regions], dtype=np.int8).reshape(
                count, network.pattern_length),
            witnesses=np.array([r.witness for r in regions], dtype=np.float64).reshape(
                count, domain.dim),
            margins=np.array([r.margin for r in regions], dtype=np.float64),
            rows=[(r.A, r.b, r.labels) for r in regions], maps=[(r.C, r.d) for r in regions],
            _regions=dict(enumerate(regions)), **fields)

    def subset(self, indices) -> "Partition":
        """The partition of the regions ``indices`` only, in that order (same counters)."""
        kept = {f.name: getattr(self, f.name) for f in fields(self)
                if f.name not in ("network", "domain", "patterns", "witnesses", "margins", "rows",
                                  "maps") and not f.name.startswith("_")}
        return Partition.from_regions(self.network, self.domain, [self[i] for i in indices],
                                      **kept)

    def __len__(self) -> int:
        return self.patterns.shape[0]

    def __repr__(self) -> str:
        """One line: the count and what was enumerated.

        >>> import regions
        >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
        ...                                    ([[1.0, 1.0]], [0.0])])
        >>> regions.enumerate_regions(net)
        <Partition: 4 regions of [2, 2, 1] over whole (2-D), method vertex>
        """
        state = "" if self.complete else f", INCOMPLETE ({self.stop_reason})"
        return (f"<Partition: {len(self):,} regions of {self.network.widths} over "
                f"{self.domain.kind} ({self.domain.dim}-D), method {self.method}{state}>")

    def _repr_png_(self) -> bytes | None:
        """The picture of :func:`regions.plot`, which IPython and Jupyter show inline.

        None (the one-line ``repr`` is shown) when the domain is not 1-D or 2-D, when
        there are more than ``NOTEBOOK_MAX_REGIONS`` regions, or without matplotlib.
        """
        if self.domain.dim not in (1, 2) or len(self) > NOTEBOOK_MAX_REGIONS:
            return None
        try:
            import matplotlib  # noqa: F401  (optional: the `plot` extra)
        except ImportError:
            return None
        from .pictures import png
        return png(self)

    def __getitem__(self, i: int) -> Region:
        i = range(len(self))[i]
        if i not in self._regions:
            A, b, labels = self.rows[i]
            C, d = self.maps[i]
            self._regions[i] = Region(self.patterns[i], A, b, labels, self.witnesses[i],
                                      float(self.margins[i]), C, d,
                                      self.rational_witnesses.get(i))
        return self._regions[i]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def constraints(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Region ``i``'s rows ``(A (m, dim), b (m,), labels (m,))``, ``A z <= b``, as the
        engine kept them (see ``Region.A``). No LP."""
        return self.rows[range(len(self))[i]]

    def constraint_labels(self, i: int) -> np.ndarray:
        """The labels (m,) of :meth:`constraints` ``(i)``, without building the rows."""
        i = range(len(self))[i]
        if isinstance(self.rows, PatternRows):
            return self.rows.labels[self.rows.offsets[i]:self.rows.offsets[i + 1]]
        return self.rows[i][2]

    def locate(self, points) -> np.ndarray:
        """The region holding each point: indices ``(k,)`` for input-space points ``(k, n)``
        (or one index for one point), -1 outside the domain (or off a slice) or in no region
        (a partial partition).

        Exact: a point takes the pattern of the enumeration's rule
        (``regions.polyhedra.patterns_at``: on a breakpoint a ReLU neuron is off, a
        hard-tanh neuron in its linear state, a max unit's tie goes to the lowest
        position), so a point on a facet belongs to exactly one
        region; when that pattern is no region's (a vertex where the rule's sides meet in
        no region) the point goes to the first region whose closure holds it, decided from
        the exact signs of every hyperplane at the point. On a slice, a point is located by
        its slice coordinates rounded to float64, and is off the slice when it differs from
        them, mapped back, by more than that rounding (a few units in the last place).

        >>> import regions
        >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
        ...                                    ([[1.0, 1.0]], [0.0])])
        >>> part = regions.enumerate_regions(net, regions.box(-1, 1))
        >>> found = part.locate([[0.5, 0.5], [-0.5, 0.5], [0.0, 0.5], [3.0, 0.0]])
        >>> part.patterns[found[:3]].tolist(), int(found[3])
        ([[1, 1], [0, 1], [0, 1]], -1)
        """
        x = np.asarray(points, dtype=np.float64)
        single = x.ndim == 1
        x = np.atleast_2d(x)
        domain = self.domain
        z = (x - domain.origin) @ domain.basis
        inside = domain.contains(z) & _on_slice(domain, x, z)
        found = np.full(x.shape[0], -1, dtype=np.int64)
        if inside.any() and len(self):
            index = {row.tobytes(): i for i, row in enumerate(self.patterns)}
            where = np.flatnonzero(inside)
            for k, pattern in zip(where, patterns_at(self.network, domain, z[where])):
                found[k] = index.get(pattern.tobytes(), -1)
            unmatched = where[found[where] < 0]
            if unmatched.size:
                found[unmatched] = self._closure_holding(z[unmatched])
        return int(found[0]) if single else found

    def _closure_holding(self, z: np.ndarray) -> np.ndarray:
        """For each working point (k, dim), the first region whose closure holds it, -1 for
        none: the point's exact hyperplane signs must each be 0 or the region's side (any
        sign for a side 0, a max unit's pair that does not bound the region)."""
        maps = RationalMaps(self.network, self.domain)
        sides = np.array([pattern_sides(self.network, p) for p in self.patterns])
        found = np.full(len(z), -1, dtype=np.int64)
        for k, point in enumerate(z):
            signs = hyperplane_signs(maps, [fraction(v) for v in point])
            # a side 0: a max unit's pair that does not bound the region
            holding = np.flatnonzero(np.all((signs == 0) | (signs == sides) | (sides == 0),
                                            axis=1))
            if holding.size:
                found[k] = holding[0]
        return found

    def affine_map(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """``(C (out, dim), d (out,))``: the network computes ``C z + d`` on region ``i``."""
        return self.maps[range(len(self))[i]]

    @property
    def thin(self) -> np.ndarray:
        """Indices of the thin regions: inscribed radius at most ``min_radius * scale``
        (approximately: radii are computed in float64). Reported, never dropped."""
        return np.flatnonzero(self.margins <= self.min_radius * self.scale)

    @property
    def input_witnesses(self) -> np.ndarray:
        """Witness points in input coordinates, shape (R, n)."""
        return self.domain.to_input(self.witnesses)

    def describe_label(self, label: int) -> dict:
        """Decode a constraint label (:meth:`regions.Network.describe_label`)."""
        return self.network.describe_label(label)

    def summary(self) -> dict:
        """JSON-ready summary: ``regions``, ``lps``, ``seconds``, ``per_layer`` and the setting."""
        return summary_of(self, len(self), int(self.thin.size), self.patterns[self.thin])


@dataclass(kw_only=True)
class RegionCount(Run):
    """The outcome of :func:`regions.count_regions`: an enumeration whose final regions
    were counted and dropped as they came, so its memory does not grow with the count.

    ``regions`` and ``thin`` (regions whose inscribed radius is at most
    ``min_radius * scale``) are counts, ``thin_patterns`` (thin, P) int8 the thin regions'
    patterns (kept: they are few); the other attributes are those of :class:`Partition`.

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> counted = regions.count_regions(net, regions.box(-1, 1))
    >>> counted.regions, counted.thin, counted.complete
    (4, 0, True)
    """

    regions: int
    thin: int
    thin_patterns: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.int8))

    def summary(self) -> dict:
        """As :meth:`Partition.summary`."""
        return summary_of(self, self.regions, self.thin, self.thin_patterns)


def summary_of(result, regions: int, thin: int, thin_patterns: np.ndarray) -> dict:
    """The JSON-ready summary of a :class:`Partition` or :class:`RegionCount`; the thin
    regions' patterns as lists of states."""
    return {
        "regions": regions,
        "lps": result.lps,
        "seconds": result.seconds,
        "lp_seconds": result.lp_seconds,
        "per_layer": list(result.per_layer),
        "widths": result.network.widths,
        "activations": result.network.activations,
        "domain": result.domain.kind,
        "dim": result.domain.dim,
        "min_radius": result.min_radius,
        "scale": result.scale,
        "complete": result.complete,
        "stop_reason": result.stop_reason,
        "unfinished": result.unfinished,
        "thin": thin,
        "thin_patterns": np.asarray(thin_patterns).tolist(),
        "exact": result.exact,
        "exact_budget": result.exact_budget,
        "exact_budget_spent": result.exact_budget_spent,
        "exact_decisions": result.exact_decisions,
        "uncertain_decisions": result.uncertain_decisions,
        "certain": result.certain,
        "method": result.method,
    }


class PatternRows(Sequence):
    """Constraint rows of each region, derived on demand from its pattern.

    Region ``i`` keeps the rows whose labels are
    ``labels[offsets[i]:offsets[i + 1]]`` (its facets and maybe a few
    redundant rows), rebuilt in domain coordinates by
    :func:`regions.polyhedra.pattern_constraints`. Stores no per-region object.
    """

    def __init__(self, network: Network, domain: Domain, patterns: np.ndarray,
                 offsets: np.ndarray, labels: np.ndarray):
        self.network, self.domain, self.patterns = network, domain, patterns
        self.offsets, self.labels = offsets, labels

    def __len__(self) -> int:
        return self.patterns.shape[0]

    def __getitem__(self, i: int):
        i = range(len(self))[i]
        system = pattern_constraints(self.network, self.domain, self.patterns[i])
        wanted = np.isin(system.labels, self.labels[self.offsets[i]:self.offsets[i + 1]])
        return np.ascontiguousarray(system.A[wanted]), system.b[wanted], system.labels[wanted]


class PatternMaps(Sequence):
    """The network's affine map ``(C, d)`` on each region, derived on demand from its pattern."""

    def __init__(self, network: Network, domain: Domain, patterns: np.ndarray):
        self.network, self.domain, self.patterns = network, domain, patterns

    def __len__(self) -> int:
        return self.patterns.shape[0]

    def __getitem__(self, i: int):
        system = pattern_constraints(self.network, self.domain, self.patterns[range(len(self))[i]])
        return system.C, system.d


def _on_slice(domain: Domain, x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Whether input points ``x`` (k, n) are their slice coordinates ``z`` (k, dim) mapped
    back, up to the rounding of computing them (always, for full-dimensional domains)."""
    if domain.rational_basis is None:
        return np.ones(len(x), dtype=bool)
    n = domain.basis.shape[0]
    basis = np.abs(domain.basis)
    # z = fl((x - origin) @ basis) errs by gamma_{n+1} (|x| + |origin|) @ |basis|, which the
    # map back multiplies by |basis|^T; the map back itself errs by gamma_{dim+1}
    coordinates = (2 * (n + 1) * UNIT_ROUNDOFF * (np.abs(x) + np.abs(domain.origin)) @ basis
                   @ basis.T)
    back = 2 * (domain.dim + 2) * UNIT_ROUNDOFF * (np.abs(domain.origin) + np.abs(z) @ basis.T)
    # the float basis differs from the exact one by basis_error per entry of a row (more
    # than a relative rounding for subnormal entries): in z, mapped back, and in the map back
    error = domain.basis_error()
    embedding = (((np.abs(x) + np.abs(domain.origin)) @ error)[:, None] * basis.sum(axis=1)
                 + np.abs(z).sum(axis=1)[:, None] * error)
    allowed = 2 * (coordinates + back + embedding)
    return np.all(np.abs(domain.to_input(z) - x) <= allowed, axis=1)
