"""Facets of one region, and the region across each, decided exactly.

A row of a region's H-representation ``A z <= b`` is a *facet* when the region
meets the row's hyperplane in a ``(dim-1)``-dimensional piece: when some point
of that hyperplane satisfies every other row strictly (rows on the very same
hyperplane, such as a duplicate neuron's, excepted: they are the same facet).
A float64 LP (the largest ``(dim-1)``-ball in the region's section by the
hyperplane, assembled by :func:`regions._facets.facet_section`; in closed form
for the intervals that are the sections of 2-D regions) proposes a point;
projected exactly onto the hyperplane and checked exactly against the other
rows, it proves the facet. When the LP finds no facet, the rows it binds prove,
exactly, that there is none (a Farkas combination, :func:`_separated`). When
neither proof holds, an exact rational LP decides (:mod:`regions.lp_exact`).
The proven point, the facet's *witness*, lies in the facet's relative interior,
in rationals.

Across a facet that is not on the domain boundary lies exactly one region
(pre-activations are continuous): the region of ``witness + eps * normal`` for
every small enough ``eps > 0``. Its pattern is computed exactly, with ``eps``
kept symbolic (:func:`regions.rational.pattern_along`): a neuron's state there
follows its exact value at the witness, or, where that is at a breakpoint, its
exact slope along the normal. In general position it differs from the
region's pattern in the facet's neuron only; when several neurons vanish on the
facet (duplicate or negated neurons, a later neuron whose pre-activation is
``relu`` of the crossed one, ...), all of those that change state differ. Given
the region's rows of every neuron, float64 with error bounds usually proves
general position at the witness, and the rational pass is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from flint import fmpq, fmpq_mat

from . import lp_exact
from ._facets import facet_section
from .domain import Domain
from .lp import LPSolver
from .network import Network, sides_from_states, states_from_sides
from .polyhedra import PatternConstraints
from .predicates import Decisions
from .rational import float_of, fraction, pattern_along
from .rounding import SMALLEST_SUBNORMAL, UNIT_ROUNDOFF, evaluation_bound, row_norms
from .tolerances import BOUND_SAFETY, PARALLEL, RADIUS_CAP

__all__ = ["Facet", "region_facets", "neighbour_pattern", "neighbour_patterns"]


@dataclass(frozen=True)
class Facet:
    """One facet of a region, in working coordinates.

    Attributes
    ----------
    label : int
        The facet's constraint: a breakpoint hyperplane (``>= 0``, decode with
        :meth:`regions.Partition.describe_label`: layer, neuron, and for
        hard-tanh which breakpoint) or domain face ``-1 - label``.
    labels : tuple of int
        Every row of the region on the facet's hyperplane (duplicate neurons).
    normal : ndarray, shape (dim,)
        Outward unit normal (float64): the region lies in ``normal . z <= offset``.
    offset : float
    witness : ndarray, shape (dim,)
        A point of the facet's relative interior, rounded to float64.
    rational_witness : tuple of fmpq
        The same point exactly (on the hyperplane, strictly inside every other row).
    rational_normal : tuple of fmpq
        The exact row ``a`` of the facet's halfspace ``a . z <= c`` (outward).
    radius : float
        Radius of a ``(dim-1)``-ball of the facet around the float LP's center (0 when
        the exact path found the facet; capped at ``RADIUS_CAP``): approximate.
    boundary : bool
        The facet lies on the domain's boundary (no region across it).
    """

    label: int
    labels: tuple
    normal: np.ndarray
    offset: float
    witness: np.ndarray
    rational_witness: tuple
    rational_normal: tuple
    radius: float
    boundary: bool


def region_facets(system: PatternConstraints, pattern: np.ndarray, decisions: Decisions,
                  solver: LPSolver | None = None) -> list[Facet]:
    """Facets of the region ``system`` (the rows of ``pattern``'s region,
    :func:`regions.polyhedra.pattern_constraints`, possibly with redundant rows), each
    found exactly (see the module docstring); in the order of their first row."""
    solver = solver or LPSolver()
    norms = row_norms(system.A)
    norms[norms == 0.0] = 1.0       # a row zero in floats (every product underflowed)
    A, b = system.A / norms[:, None], system.b / norms      # unit rows (proposals only)
    exact_A, exact_b = decisions.oriented_rows(pattern, system.labels, system.sides)
    groups = same_hyperplane(exact_A, exact_b)
    facets = []
    for group in groups:
        found = _facet(A, b, exact_A, exact_b, group, solver, decisions)
        if found is None:
            continue
        witness, radius = found
        row = group[0]
        facets.append(Facet(int(system.labels[row]), tuple(int(system.labels[i]) for i in group),
                            A[row], float(b[row]),
                            np.array([float_of(v) for v in witness]), tuple(witness),
                            tuple(exact_A[row, k] for k in range(exact_A.ncols())), radius,
                            bool(system.labels[row] < 0)))
    return facets


def same_hyperplane(A: fmpq_mat, b: fmpq_mat) -> list[list[int]]:
    """The rows of ``A z <= b`` grouped by the exact halfspace they define (rows that are
    positive multiples of each other), groups in the order of their first row."""
    groups: dict = {}
    for i in range(A.nrows()):
        row = [A[i, k] for k in range(A.ncols())] + [b[i, 0]]
        lead = next((abs(v) for v in row if v != 0), fmpq(1))
        groups.setdefault(tuple(v / lead for v in row), []).append(i)
    return list(groups.values())


def _facet(A: np.ndarray, b: np.ndarray, exact_A: fmpq_mat, exact_b: fmpq_mat, group: list,
           solver: LPSolver, decisions: Decisions):
    """``(exact witness, radius)`` when the rows ``group`` (one halfspace) of ``A z <= b``
    (unit float rows) give a facet, else None."""
    row, dim = group[0], A.shape[1]
    outside = np.ones(A.shape[0], dtype=bool)
    outside[group] = False
    others = np.flatnonzero(outside).tolist()
    if dim == 1:
        witness = _project(exact_A, exact_b, row, np.zeros(1))
        return (witness, RADIUS_CAP) if _strictly_inside(exact_A, exact_b, others, witness) \
            else None
    outside[row] = True
    kept = np.flatnonzero(outside)
    local = int(np.searchsorted(kept, row))
    section, rhs, basis, origin, sources, excluding = facet_section(
        np.ascontiguousarray(A[kept]), b[kept], local, PARALLEL)
    if excluding >= 0:
        support = [int(kept[excluding])]
    else:
        center, radius, binding = _section_ball(section, rhs, solver)
        point = origin + basis @ center
        if radius > 0.0 and np.all(np.isfinite(point)):    # (an LP that overflowed: exactly)
            witness = _project(exact_A, exact_b, row, point)
            if _strictly_inside(exact_A, exact_b, others, witness):
                return witness, radius
        support = [int(kept[sources[k]]) for k in binding]
    if support and _separated(exact_A, exact_b, row, support):
        return None
    if not decisions.settle():    # float-only: the float64 LP found no facet
        return None
    return _exact_facet(exact_A, exact_b, row, others)


def _section_ball(section: np.ndarray, rhs: np.ndarray, solver: LPSolver) -> tuple:
    """``(center, radius, binding rows)`` of the largest ball of the section
    ``{u : section u <= rhs}`` (unit rows, radius capped at ``RADIUS_CAP``), a proposal:
    the float LP's, and in one dimension (the facets of 2-D regions) the interval's ends in
    closed form. The binding rows are those the LP ends on (its basis, else its largest
    duals; an interval's two ends): at most ``dim`` of them, the candidates for
    :func:`_separated` when the section is empty or flat; none when the LP failed."""
    if section.shape[1] == 1:
        return _interval_ball(section[:, 0], rhs)
    ball = solver.proposal(section, rhs, cap=RADIUS_CAP)
    if ball.basis is not None:
        binding = [int(k) for k in ball.basis.rows if k >= 0]
    elif ball.duals is not None:
        order = np.argsort(-ball.duals)[:section.shape[1] + 1]
        binding = [int(k) for k in order if ball.duals[k] > 0.0]
    else:
        binding = []
    return ball.center, float(ball.radius), binding


def _interval_ball(slopes: np.ndarray, rhs: np.ndarray) -> tuple:
    """:func:`_section_ball` of the interval ``{u : slopes u <= rhs}`` (``slopes`` +-1)."""
    ends = rhs / slopes
    above, below = np.flatnonzero(slopes > 0.0), np.flatnonzero(slopes < 0.0)
    high = int(above[np.argmin(ends[above])]) if above.size else -1
    low = int(below[np.argmax(ends[below])]) if below.size else -1
    if high < 0 and low < 0:
        return np.zeros(1), RADIUS_CAP, []
    if high < 0 or low < 0:
        end, inward = (ends[low], 1.0) if high < 0 else (ends[high], -1.0)
        return np.array([end + inward * RADIUS_CAP]), RADIUS_CAP, []
    radius = min((ends[high] - ends[low]) / 2.0, RADIUS_CAP)
    return np.array([(ends[high] + ends[low]) / 2.0]), float(radius), [high, low]


def _separated(A: fmpq_mat, b: fmpq_mat, row: int, support: list) -> bool:
    """Whether the rows ``support`` of ``A z <= b`` prove, exactly, that no point of the
    hyperplane ``A[row] z = b[row]`` satisfies them all strictly (Farkas): multipliers
    ``y >= 0``, not all zero, and a free ``y_row`` with ``sum_j y_j A[j] + y_row A[row] = 0``
    and ``sum_j y_j b[j] + y_row b[row] <= 0``. Then on the hyperplane
    ``sum_j y_j (b[j] - A[j] z) <= 0``, so some row with ``y_j > 0`` is not strict.

    The multipliers are the kernel of the ``(dim, len(support) + 1)`` matrix of the rows,
    found exactly; False (undecided) when that kernel is not one line (degenerate supports)
    or its signs do not prove it."""
    columns = support + [row]
    matrix = fmpq_mat([[A[j, k] for j in columns] for k in range(A.ncols())])
    kernel, nullity = matrix.numer_denom()[0].nullspace()
    if nullity != 1:
        return False
    y = [kernel[i, 0] for i in range(len(columns))]
    if all(v <= 0 for v in y[:-1]):
        y = [-v for v in y]
    if not all(v >= 0 for v in y[:-1]) or not any(y[:-1]):
        return False
    return sum((v * b[j, 0] for v, j in zip(y, columns)), fmpq(0)) <= 0


def _project(A: fmpq_mat, b: fmpq_mat, row: int, point: np.ndarray) -> list:
    """``point`` (float64, exact) projected exactly onto the hyperplane ``A[row] z = b[row]``."""
    a = [A[row, k] for k in range(A.ncols())]
    z = [fraction(v) for v in point]
    excess = sum((ak * zk for ak, zk in zip(a, z)), fmpq(0)) - b[row, 0]
    scale = excess / sum((ak * ak for ak in a), fmpq(0))
    return [zk - scale * ak for zk, ak in zip(z, a)]


def _strictly_inside(A: fmpq_mat, b: fmpq_mat, rows: list, point: list) -> bool:
    """Whether ``point`` satisfies the rows ``rows`` of ``A z <= b`` strictly (exactly)."""
    if not rows:
        return True
    values = A * fmpq_mat(len(point), 1, point)
    return all(values[i, 0] < b[i, 0] for i in rows)


def _exact_facet(A: fmpq_mat, b: fmpq_mat, row: int, others: list):
    """The facet test in rationals: ``max t`` over ``a_row . z = b_row`` and
    ``a_j . z + t <= b_j`` (j in ``others``), ``t <= 1``; a facet when ``t > 0``."""
    dim = A.ncols()
    # rows balanced by powers of two: slacks comparable from row to row, so the witness
    # lies where the region's shape puts it, not its rows' scales
    scaled, scaled_rhs = lp_exact.balanced(
        [[A[i, k] for k in range(dim)] for i in others + [row]],
        [b[i, 0] for i in others + [row]])
    rows = [entries + [fmpq(1)] for entries in scaled[:-1]]
    rhs = scaled_rhs[:-1]
    rows.append(scaled[-1] + [fmpq(0)])
    rhs.append(scaled_rhs[-1])
    rows.append([-v for v in scaled[-1]] + [fmpq(0)])
    rhs.append(-scaled_rhs[-1])
    rows.append([fmpq(0)] * dim + [fmpq(1)])
    rhs.append(fmpq(1))
    result = lp_exact.maximize(rows, rhs, [fmpq(0)] * dim + [fmpq(1)])
    if result.status != "optimal" or not result.value > 0:
        return None
    return result.point[:dim], 0.0


def neighbour_pattern(network: Network, domain: Domain, pattern: np.ndarray, facet: Facet,
                      decisions: Decisions, system: PatternConstraints | None = None
                      ) -> np.ndarray:
    """The pattern of the region across ``facet`` of ``pattern``'s region: of
    ``witness + eps * normal`` for every small ``eps > 0``, exactly (see the module
    docstring). Not for a facet on the domain boundary.

    ``system``: the region's rows of every neuron (:func:`regions.polyhedra.pattern_constraints`),
    when known. Then, when float64 proves every other neuron off its breakpoints at the
    witness, the answer is the region's pattern with the facet's neuron crossed
    (:func:`_crossed`); otherwise, and without ``system``, the forward pass along the normal
    in rationals decides."""
    return neighbour_patterns(network, domain, pattern, [facet], decisions, system)[0]


def neighbour_patterns(network: Network, domain: Domain, pattern: np.ndarray,
                       facets: list[Facet], decisions: Decisions,
                       system: PatternConstraints | None = None) -> list[np.ndarray]:
    """:func:`neighbour_pattern` of each of ``facets``, interior facets of ``pattern``'s
    region, with the region's part of the float test done once for all of them."""
    del domain    # the facets' points and normals decide it
    crossed = _crossed(network, pattern, facets, system, decisions) if system is not None \
        else [None] * len(facets)
    return [across if across is not None
            else pattern_along(decisions.maps, list(facet.rational_witness),
                               list(facet.rational_normal))
            for facet, across in zip(facets, crossed)]


def _crossed(network: Network, pattern: np.ndarray, facets: list[Facet],
             system: PatternConstraints, decisions: Decisions) -> list:
    """For each of ``facets``: ``pattern`` with the state of the facet's neuron crossed,
    when float64 proves that the facet's witness satisfies every other neuron's row of
    ``system`` strictly; None when it cannot (or the facet is several neurons', a max
    layer's or the domain's).

    A neuron strictly off its breakpoints at the witness keeps its state on both sides
    near it (pre-activations are continuous, and on the region's closure they are its
    rows); the facet's own neuron, exactly on its breakpoint there and on no other row's,
    changes side. A neuron without a row is constant on the region: off its breakpoint
    (decided exactly), it keeps its state too; on it, the rational pass decides."""
    result = [None] * len(facets)
    tested = [k for k, facet in enumerate(facets)     # (a witness beyond float64: exactly)
              if not facet.boundary and len(facet.labels) == 1
              and np.all(np.isfinite(facet.witness))]
    if not tested or network.has_max \
            or not _constants_off_breakpoints(network, pattern, system.labels, decisions):
        return result
    rows = system.labels >= 0
    A, b, errors, labels = system.A[rows], system.b[rows], system.errors[rows], \
        system.labels[rows]
    witnesses = np.array([facets[k].witness for k in tested], dtype=np.float64)
    # a float64 witness is the rational one rounded: each exact row moves by at most its
    # 1-norm times the largest coordinate's rounding (found exactly, then rounded up)
    gaps = np.array([float(max(abs(fraction(v) - exact)
                               for v, exact in zip(facets[k].witness, facets[k].rational_witness)))
                     for k in tested])
    moved = np.outer(gaps * (1.0 + 4.0 * UNIT_ROUNDOFF) + SMALLEST_SUBNORMAL,
                     np.abs(A).sum(axis=1) + A.shape[1] * errors)
    bound = (evaluation_bound(-A, b, errors, witnesses) + moved) * BOUND_SAFETY
    own = labels[None, :] == np.array([facets[k].label for k in tested])[:, None]
    proven = np.all((b - witnesses @ A.T > bound) | own, axis=1)
    offsets = network.label_offsets()
    for k, ok in zip(tested, proven):
        if not ok:
            continue
        label = facets[k].label
        index = int(np.searchsorted(offsets, label, side="right")) - 1
        activation, span = network.layers[index].activation, network.pattern_slices()[index]
        sides = sides_from_states(pattern[span], activation)
        sides[label - offsets[index]] *= -1
        result[k] = pattern.copy()
        result[k][span] = states_from_sides(sides, activation)
    return result


def _constants_off_breakpoints(network: Network, pattern: np.ndarray, labels: np.ndarray,
                               decisions: Decisions) -> bool:
    """Whether every neuron's label missing from ``labels`` (a pre-activation constant on
    the region, to which :func:`regions.polyhedra.pattern_constraints` gives no row) is,
    exactly, constant off its breakpoint."""
    present = np.zeros(int(network.label_offsets()[-1]), dtype=bool)
    present[labels[labels >= 0]] = True
    return all(decisions.zero_row(pattern, int(label))
               and decisions.constant_sign(pattern, int(label)) != 0
               for label in np.flatnonzero(~present))


def rational_point(point) -> tuple:
    """A point of fmpq entries as a tuple of ``fractions.Fraction``."""
    return tuple(Fraction(int(v.p), int(v.q)) for v in point)
