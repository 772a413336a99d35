"""Exact geometry of 1-D and 2-D partitions: intervals, polygons, vertices, edges, areas.

In 2-D every region of a bounded domain is a convex polygon, obtained without
LPs by clipping the domain's bounding box with each of the region's constraint
rows (:func:`region_polygon`, vertices counter-clockwise).
:func:`planar_complex` glues the polygons into one cell complex: vertices of
different regions closer than ``VERTEX_MERGE`` (times the tolerance scale) are
one vertex, and a polygon side that passes through another region's vertex is
split there, so every edge is shared by at most two regions. On a bounded
convex domain its Euler characteristic ``V - E + F`` is 1, and the region
areas sum to the domain's area.

In 1-D every region is an interval (:func:`interval_complex`); the intervals
tile the domain segment and ``V - E = 1``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import HalfspaceIntersection, QhullError, cKDTree

from ..domain import inscribed_ball, power_of_two_unit
from ..errors import DomainError
from ..lp import LPSolver
from ..polyhedra import pattern_constraints
from ..predicates import Decisions
from ..rounding import strict_slack
from ..tolerances import FAR, POLISH_MOVE, POLISH_NEAR, QHULL_OFF, QHULL_ROOM, VERTEX_MERGE

__all__ = ["PlanarComplex", "IntervalComplex", "clip", "region_chords", "chord", "region_polygon",
           "FAR", "region_vertices", "region_interior", "POLISH_NEAR", "POLISH_MOVE",
           "vertex_window", "region_corners", "vertices_in_box", "corner_box", "corner_reach", "at_far",
           "polygon_area", "region_polygons", "domain_polygon", "planar_complex",
           "planar_complex_of", "merge_points", "interval_complex", "region_areas",
           "on_domain_boundary"]


@dataclass
class PlanarComplex:
    """The 2-D partition as a polygonal cell complex (working coordinates).

    Attributes
    ----------
    vertices : ndarray, shape (V, 2)
    edges : ndarray, shape (E, 2), int64
        Vertex index pairs ``(u, v)`` with ``u < v``, sorted.
    faces : list of ndarray
        ``faces[i]``: vertex indices of region ``i``'s polygon, counter-clockwise
        (including vertices of neighbours that lie on its sides).
    areas : ndarray, shape (R,)
        Region areas (shoelace formula on the region's own polygon).
    """

    vertices: np.ndarray
    edges: np.ndarray
    faces: list
    areas: np.ndarray

    @property
    def euler_characteristic(self) -> int:
        """``V - E + F``: 1 for a partition of a bounded convex domain."""
        return len(self.vertices) - len(self.edges) + len(self.faces)


@dataclass
class IntervalComplex:
    """The 1-D partition: region ``i`` is ``[intervals[i, 0], intervals[i, 1]]``.

    ``breakpoints`` (V,) are the distinct interval ends, ascending, domain
    ends included (rounded to float64; ``rational_breakpoints`` exactly, as Fractions);
    ``V - E = 1`` with ``E = len(intervals)`` on a bounded domain.
    """

    breakpoints: np.ndarray
    intervals: np.ndarray
    rational_breakpoints: list

    @property
    def euler_characteristic(self) -> int:
        return len(self.breakpoints) - len(self.intervals)


def _require(part, dim: int) -> None:
    if part.domain.dim != dim:
        raise DomainError(f"needs a {dim}-D domain or slice, got dimension {part.domain.dim}")
    if not part.domain.is_bounded:
        raise DomainError(f"needs a bounded domain, got an unbounded {part.domain.kind}")


def _scale(part) -> float:
    return float(getattr(part, "scale", 1.0))


def clip(polygon: np.ndarray, normal: np.ndarray, offset: float) -> np.ndarray:
    """The part of convex ``polygon`` (k, 2) with ``normal . z <= offset`` (order kept)."""
    if len(polygon) == 0:
        return polygon
    values = polygon @ normal - offset
    out = []
    for k in range(len(polygon)):
        p, q = polygon[k], polygon[(k + 1) % len(polygon)]
        vp, vq = values[k], values[(k + 1) % len(polygon)]
        if vp <= 0.0:
            out.append(p)
        if (vp < 0.0 < vq) or (vq < 0.0 < vp):
            out.append(p + (vp / (vp - vq)) * (q - p))
    return np.array(out).reshape(-1, 2)


def region_chords(polygon: np.ndarray, C: np.ndarray, d: np.ndarray, level: float = 0.0):
    """The decision boundary inside one convex region polygon on which the network is
    ``C z + d``: the chord of ``{f = level}`` for a scalar output, else, for every pair of
    outputs, the chord where they tie and are at least every other output (where the
    argmax changes). Yields arrays (2, 2)."""
    out = len(d)
    pairs = [(0, None)] if out == 1 else [(p, q) for p in range(out) for q in range(p + 1, out)]
    for p, q in pairs:
        piece = polygon
        if q is None:
            normal, offset = C[0], d[0] - level
        else:
            normal, offset = C[p] - C[q], d[p] - d[q]
            for k in range(out):
                if k not in (p, q):
                    piece = clip(piece, C[k] - C[p], d[p] - d[k])
        if not np.any(normal):
            continue
        segment = chord(piece, normal, offset)
        if segment is not None:
            yield segment


def chord(polygon: np.ndarray, normal: np.ndarray, offset: float):
    """The chord ``{normal . z + offset = 0}`` of a convex polygon (2, 2), or None."""
    if len(polygon) < 2:
        return None
    values = polygon @ normal + offset
    points = []
    for k in range(len(polygon)):
        following = (k + 1) % len(polygon)
        p, q, vp, vq = polygon[k], polygon[following], values[k], values[following]
        if vp == 0.0:
            points.append(p)
        elif (vp < 0.0 < vq) or (vq < 0.0 < vp):
            points.append(p + (vp / (vp - vq)) * (q - p))
    return np.array(points[:2]) if len(points) >= 2 else None


def region_polygon(A: np.ndarray, b: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                   merge: float = 0.0) -> np.ndarray:
    """Vertices (k, 2), counter-clockwise, of ``{z : A z <= b}`` inside the box ``[lower, upper]``.

    Consecutive vertices closer than ``merge`` are merged (a row through a
    vertex would otherwise leave a zero-length side).
    """
    polygon = np.array([[lower[0], lower[1]], [upper[0], lower[1]],
                        [upper[0], upper[1]], [lower[0], upper[1]]], dtype=np.float64)
    for normal, offset in zip(A, b):
        polygon = clip(polygon, normal, offset)
    keep = [k for k in range(len(polygon))
            if np.linalg.norm(polygon[k] - polygon[k - 1]) > merge] if len(polygon) > 1 else []
    return polygon[keep] if len(keep) >= 3 else np.zeros((0, 2))


def region_vertices(A: np.ndarray, b: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                    inside: np.ndarray) -> np.ndarray:
    """Vertices ``(k, dim)`` of ``{A z <= b}`` inside the box ``[lower, upper]``, in any
    dimension: the two ends of an interval in 1-D, else by halfspace intersection around
    the interior point ``inside`` (unordered; :func:`region_polygon` orders 2-D ones)."""
    dim = A.shape[1]
    rows = np.vstack([A, np.eye(dim), -np.eye(dim)])
    rhs = np.concatenate([b, upper, -lower])
    if dim == 1:
        a = rows[:, 0]
        return np.array([[np.max(rhs[a < 0] / a[a < 0])], [np.min(rhs[a > 0] / a[a > 0])]])
    keep = np.linalg.norm(rows, axis=1) > 0
    rows, rhs = rows[keep], rhs[keep]
    # qhull works around ``inside`` in units of the box: its tests are absolute, and
    # failed on boxes of 1e300 (dual points of 1e-300) and boxes 1e-300 thin
    inside = np.asarray(inside, dtype=np.float64)
    unit = power_of_two_unit(upper * 0.5 - lower * 0.5)
    with np.errstate(over="ignore", invalid="ignore"):
        slack = rhs / unit - rows @ (inside / unit)
    near = np.isfinite(slack)  # rows beyond float64 in these units cut nothing in the box
    try:
        found = HalfspaceIntersection(np.hstack([rows[near], -slack[near, None]]),
                                      np.zeros(dim)).intersections
    except QhullError as error:
        raise _thin(lower, upper, str(error).splitlines()[0]) from None
    with np.errstate(all="ignore"):
        vertices = np.array([_polished(rows, rhs, inside + unit * v, min(unit, 1.0))
                             for v in found]).reshape(-1, dim)
        # qhull answers NaN (or points off the region) for a region far thinner than the
        # box: refused beyond QHULL_OFF half-widths of the box outside a side
        off = (rows[near] @ vertices.T - rhs[near, None]) / np.linalg.norm(rows[near], axis=1)[
            :, None]
        if not (np.all(np.isfinite(vertices)) and np.all(off <= QHULL_OFF * unit)):
            raise _thin(lower, upper, "qhull's vertices are not numbers or off the region")
    return vertices


def _thin(lower: np.ndarray, upper: np.ndarray, why: str) -> DomainError:
    return DomainError(
        f"a region's vertices inside the box [{lower.min():.3g}, {upper.max():.3g}] "
        f"cannot be found in float64 (it is thin or flat at that scale: {why}); "
        f"draw a smaller window")


def region_interior(A: np.ndarray, b: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                    point: np.ndarray) -> np.ndarray | None:
    """A point strictly inside ``{A z <= b}`` and the box ``[lower, upper]``, clearly inside at
    the box's scale, for :func:`region_vertices`: ``point`` (a region's witness) when float64
    certifies it strictly inside with ``QHULL_ROOM`` half-widths of the box to spare (qhull
    wants it clearly inside), else the centre of the inscribed ball
    (:func:`regions.domain.inscribed_ball`: solved as it is, and again in units of the box
    when that ball is certified with less room; one LP or two), else ``point`` when
    certified strictly inside at all.
    None when float64 certifies none (the region misses the box's interior, or is too thin
    there). A witness may be on the domain's boundary with the exact point elsewhere (the
    split and walk engines' float witness), far outside the box, or beyond float64."""
    dim = A.shape[1]
    rows = np.vstack([A, np.eye(dim), -np.eye(dim)])
    rhs = np.concatenate([b, upper, -lower])
    if np.any(rhs == -np.inf):  # a side beyond float64's range: no float box meets it
        return None
    rows, rhs = rows[rhs < np.inf], rhs[rhs < np.inf]  # sides beyond it cut nothing
    half = power_of_two_unit(upper * 0.5 - lower * 0.5)
    norms = np.linalg.norm(rows, axis=1)

    def inside(candidate) -> tuple[bool, bool]:  # (certified strictly inside, with room)
        if candidate is None or not np.all(np.isfinite(candidate)):
            return False, False
        with np.errstate(all="ignore"):  # a slack or bound beyond float64 certifies nothing
            if not strict_slack(rows, rhs, np.zeros(len(rhs)), candidate):
                return False, False
            return True, bool(np.all((rhs - rows @ candidate) / norms >= QHULL_ROOM * half))

    point = np.asarray(point, dtype=np.float64)
    certified, roomy = inside(point)
    if roomy:
        return point
    units = power_of_two_unit(np.concatenate([lower, upper]))
    ball = inscribed_ball(LPSolver(), rows, rhs, units, QHULL_ROOM * half)
    if ball is not None and ball.radius > 0.0:
        return ball.center
    return point if certified else None


def _polished(rows: np.ndarray, rhs: np.ndarray, vertex: np.ndarray,
              smallest: float = 1.0) -> np.ndarray:
    """``vertex`` solved again from the rows that meet there (least squares): qhull's
    vertices come from a dual hull and lose digits far from the interior point, which
    the face lattice's incidences and vertex merging cannot afford. Kept as it was when
    the solve would move it by more than rounding or not lower its residual. Sizes are
    relative to the vertex's, at least ``smallest`` (the box's half-width when below 1: in
    a box 2^-880 wide an absolute 1e-9 took every row as meeting at every vertex)."""
    size = max(smallest, float(np.abs(vertex).max()))
    near = np.abs(rows @ vertex - rhs) <= POLISH_NEAR * size
    if np.count_nonzero(near) < len(vertex):
        return vertex
    solved, _, rank, _ = np.linalg.lstsq(rows[near], rhs[near], rcond=None)
    if rank < len(vertex) or np.abs(solved - vertex).max() > POLISH_MOVE * size:
        return vertex
    before = np.abs(rows[near] @ vertex - rhs[near]).max()
    return solved if np.abs(rows[near] @ solved - rhs[near]).max() < before else vertex


def vertex_window(part, margin: float) -> tuple[np.ndarray, np.ndarray, bool]:
    """``(lower, upper, clipped)``: a box holding the whole partition in working coordinates.

    A bounded domain gives its bounding box (``clipped`` False). An unbounded one gives a
    box around every vertex of the partition and every witness (found by clipping each
    region to a box of half-width ``FAR``), widened on each axis by ``margin`` times its
    size (at least 1); ``clipped`` is then True.
    """
    domain = part.domain
    if domain.is_bounded:
        return domain.lower, domain.upper, False
    points = np.vstack([part.witnesses] + [c[~at_far(c)] for c in region_corners(part)])
    lower, upper = points.min(axis=0), points.max(axis=0)
    size = np.maximum(upper - lower, 1.0)
    return lower - margin * size, upper + margin * size, True


def region_corners(part, far: float = FAR) -> list[np.ndarray]:
    """Each region's vertices ``(k, dim)``: inside the domain's bounding box, or on an
    unbounded domain inside the box of half-width ``far`` (default ``FAR``), where an
    unbounded region also gets corners on that box (:func:`at_far`). A region with no
    certified interior point in the box (:func:`region_interior`: it lies beyond it) has
    none, shape ``(0, dim)``."""
    lower, upper = corner_box(part.domain, far)
    corners = [vertices_in_box(*part.constraints(i)[:2], lower, upper, part.witnesses[i])
               for i in range(len(part))]
    return [np.zeros((0, part.domain.dim)) if c is None else c for c in corners]


def vertices_in_box(A: np.ndarray, b: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                    witness: np.ndarray) -> np.ndarray | None:
    """The vertices ``(k, dim)`` of ``{A z <= b}`` cut to the box ``[lower, upper]``
    (:func:`region_vertices`, from :func:`region_interior` around the region's ``witness``),
    or None when float64 certifies no point of it in the box; DomainError when they cannot
    be found in float64 (the region is thin at the box's scale)."""
    inside = region_interior(A, b, lower, upper, witness)
    return None if inside is None else region_vertices(A, b, lower, upper, inside)


def corner_box(domain, far: float = FAR) -> tuple[np.ndarray, np.ndarray]:
    """The box :func:`region_corners` seeks the vertices in: the domain's bounding box, or
    on an unbounded domain the box of half-width ``far`` (default ``FAR``)."""
    if domain.is_bounded:
        return domain.lower, domain.upper
    return np.full(domain.dim, -far), np.full(domain.dim, far)


def corner_reach(part, bounds=()) -> float:
    """The half-width for :func:`corner_box` of an unbounded domain: ``FAR``, or a power of
    two at least twice as far when the arrays ``bounds`` (a window's) or a finite witness
    reach beyond ``FAR / 2``, so that they and the breakpoints near the witnesses lie
    inside it (at most 2^1023)."""
    witnesses = np.abs(part.witnesses)
    reach = max([float(np.max(witnesses[np.isfinite(witnesses)], initial=0.0))]
                + [float(np.max(np.abs(bound))) for bound in bounds])
    if reach < FAR / 2:
        return FAR
    return min(2.0 * power_of_two_unit(np.array([reach])), 2.0 ** 1023)


def at_far(points: np.ndarray, far: float = FAR) -> np.ndarray:
    """Which ``points`` (k, dim) lie on the box of half-width ``far`` (default ``FAR``):
    corners where :func:`region_corners` cut an unbounded region, not vertices of the
    partition."""
    return np.any(np.abs(points) >= far * (1 - 1e-6), axis=1)


def polygon_area(polygon: np.ndarray) -> float:
    """Signed shoelace area of a polygon (k, 2): positive when counter-clockwise."""
    if len(polygon) < 3:
        return 0.0
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def region_polygons(part) -> list[np.ndarray]:
    """Polygon (k, 2) of every region of a 2-D partition on a bounded domain, clipped from
    the region's constraint rows (:meth:`Partition.constraints`: redundant rows change no
    polygon, so no LP is needed to remove them)."""
    _require(part, 2)
    merge = VERTEX_MERGE * _scale(part)
    lower, upper = part.domain.lower, part.domain.upper
    return [region_polygon(*part.constraints(i)[:2], lower, upper, merge)
            for i in range(len(part))]


def domain_polygon(domain) -> np.ndarray:
    """Vertices (k, 2), counter-clockwise, of a bounded 2-D domain."""
    if domain.dim != 2 or not domain.is_bounded:
        raise DomainError("needs a bounded 2-D domain")
    return region_polygon(domain.A, domain.b, domain.lower, domain.upper)


def planar_complex(part) -> PlanarComplex:
    """Vertices, edges and faces of a 2-D partition on a bounded domain (see the module doc)."""
    polygons = region_polygons(part)
    vertices, edges, faces = planar_complex_of(polygons, VERTEX_MERGE * _scale(part))
    return PlanarComplex(vertices=vertices, edges=edges, faces=faces,
                         areas=np.array([polygon_area(p) for p in polygons]))


def planar_complex_of(polygons: list, tolerance: float):
    """``(vertices (V, 2), edges (E, 2), faces)`` of convex polygons glued into one cell
    complex: vertices closer than ``tolerance`` merged, sides split at the vertices of
    other polygons on them; ``faces[i]`` is polygon ``i``'s ring of vertex ids."""
    points = np.vstack([p for p in polygons if len(p)]) if any(len(p) for p in polygons) \
        else np.zeros((0, 2))
    vertices, ids = merge_points(points, tolerance)
    tree = cKDTree(vertices) if len(vertices) else None
    faces, edges, start = [], set(), 0
    for polygon in polygons:
        own = ids[start:start + len(polygon)]
        start += len(polygon)
        ring = []
        for k in range(len(own)):
            u, v = own[k], own[(k + 1) % len(own)]
            ring.append(u)
            ring.extend(_vertices_on_side(vertices, tree, u, v, tolerance))
        ring = [w for k, w in enumerate(ring) if w != ring[k - 1]] if len(ring) > 1 else ring
        faces.append(np.array(ring, dtype=np.int64))
        edges.update((min(a, b), max(a, b)) for a, b in zip(ring, ring[1:] + ring[:1]) if a != b)
    return vertices, np.array(sorted(edges), dtype=np.int64).reshape(-1, 2), faces


def merge_points(points: np.ndarray, tolerance: float):
    """Cluster points ``(k, dim)`` closer than ``tolerance`` (transitively); returns
    ``(centres, ids)``, clusters numbered by first appearance."""
    if len(points) == 0:
        return np.zeros((0, points.shape[1] if points.ndim == 2 else 2)), np.zeros(0, dtype=np.int64)
    pairs = cKDTree(points).query_pairs(tolerance, output_type="ndarray")
    n = len(points)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    count, labels = connected_components(graph, directed=False)
    # Number clusters by first appearance so vertex ids are deterministic.
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first)
    renumber = np.empty(count, dtype=np.int64)
    renumber[order] = np.arange(count)
    ids = renumber[labels]
    centres = np.zeros((count, points.shape[1]))
    np.add.at(centres, ids, points)
    centres /= np.bincount(ids, minlength=count)[:, None]
    return centres, ids


def _vertices_on_side(vertices, tree, u: int, v: int, tolerance: float) -> list[int]:
    """Vertices strictly inside segment ``u -> v`` (within ``tolerance``), ordered from ``u``."""
    p, q = vertices[u], vertices[v]
    length = float(np.linalg.norm(q - p))
    if length <= tolerance:
        return []
    near = tree.query_ball_point((p + q) / 2.0, length / 2.0 + tolerance)
    direction = (q - p) / length
    found = []
    for w in near:
        if w in (u, v):
            continue
        t = float(np.dot(vertices[w] - p, direction))
        offset = vertices[w] - p - t * direction
        if tolerance < t < length - tolerance and np.linalg.norm(offset) <= tolerance:
            found.append((t, w))
    return [w for _, w in sorted(found)]


def interval_complex(part) -> IntervalComplex:
    """Intervals of a 1-D partition on a bounded domain (segment or 1-D box), exactly: each
    region's ends are the exact roots of its rows (:func:`regions.rational.RationalMaps`),
    and breakpoints are equal only when they are equal as rationals."""
    _require(part, 1)
    decisions = Decisions(part.network, part.domain)
    intervals = []
    for i in range(len(part)):
        system = pattern_constraints(part.network, part.domain, part.patterns[i], decisions)
        A, b = decisions.oriented_rows(part.patterns[i], system.labels, system.sides)
        lows = [b[r, 0] / A[r, 0] for r in range(A.nrows()) if A[r, 0] < 0]
        highs = [b[r, 0] / A[r, 0] for r in range(A.nrows()) if A[r, 0] > 0]
        intervals.append((max(lows), min(highs)))
    ends = sorted({end for interval in intervals for end in interval})
    return IntervalComplex(breakpoints=np.array([float(v) for v in ends]),
                           intervals=np.array([[float(lo), float(hi)] for lo, hi in intervals]
                                              ).reshape(-1, 2),
                           rational_breakpoints=[Fraction(int(v.p), int(v.q)) for v in ends])


def region_areas(part) -> np.ndarray:
    """Area of every region of a 2-D partition on a bounded domain, shape (R,)."""
    return np.array([polygon_area(p) for p in region_polygons(part)])


def on_domain_boundary(domain, point) -> bool:
    """Whether the exact ``point`` (Fractions, working coordinates) lies on a face of
    ``domain`` (some row of ``A z <= b`` holds with equality), exactly."""
    for row, rhs in zip(domain.A, domain.b):
        if sum((Fraction(float(a)) * x for a, x in zip(row, point)), Fraction(0)) == \
                Fraction(float(rhs)):
            return True
    return False
