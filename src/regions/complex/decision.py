"""The decision boundary of a scalar output (or where a classifier's argmax changes).

On each region the network is one affine map ``f(z) = c . z + d``, so its zero set there
is the region cut by one hyperplane: a chord of a polygon in 2-D, a polygon of a
polytope section in 3-D. :func:`decision_boundary` lists those pieces with their count
and total length (2-D) or area (3-D). Their topology is :mod:`regions.complex.homology`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import ConvexHull

from ..errors import DomainError, RegionsError
from .geometry import clip, region_polygons, region_vertices
from ..tolerances import VERTEX_MERGE


@dataclass(frozen=True)
class DecisionBoundary:
    """The zero set of a scalar output, region by region (working coordinates).

    Attributes
    ----------
    pieces : list of ndarray
        One array per piece: a segment's 2 end points (2-D) or a polygon's vertices (3-D).
    regions : ndarray, shape (K,), int64
        The region of each piece.
    measures : ndarray, shape (K,)
        Length (2-D) or area (3-D) of each piece.
    """

    pieces: list
    regions: np.ndarray
    measures: np.ndarray

    @property
    def count(self) -> int:
        return len(self.pieces)

    @property
    def measure(self) -> float:
        """Total length (2-D) or area (3-D)."""
        return float(self.measures.sum())


def _scalar(part) -> None:
    if part.network.output_dim != 1:
        raise RegionsError(f"this is computed for a scalar output; this network has "
                           f"{part.network.output_dim} outputs")
    _bounded(part)


def _bounded(part) -> None:
    if not part.domain.is_bounded:
        raise DomainError("the decision boundary is measured on a bounded domain")


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


def decision_boundary(part, level: float = 0.0) -> DecisionBoundary:
    """The pieces of ``{f = level}`` in each region of a 2-D or 3-D bounded partition (in
    2-D also, for several outputs, where the argmax changes: :func:`region_chords`).

    >>> import regions
    >>> # f = relu(x1) + relu(x2) - 1/2 on [-1, 1]^2: x1 + x2 = 1/2, x1 = 1/2 and x2 = 1/2
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [-0.5])])
    >>> zero = decision_boundary(regions.enumerate_regions(net, regions.box(-1, 1)))
    >>> zero.count, round(zero.measure, 12)
    (3, 2.707106781187)
    """
    _bounded(part)
    dim = part.domain.dim
    if dim not in (2, 3):
        raise DomainError(f"the decision boundary is drawn and measured in 2-D and 3-D, not {dim}-D")
    if dim == 3:
        _scalar(part)
    pieces, owners, measures, seen = [], [], [], set()
    grid = VERTEX_MERGE * part.scale
    polygons = region_polygons(part) if dim == 2 else None
    for i in range(len(part)):
        A, b, _ = part.constraints(i)
        C, d = part.affine_map(i)
        if dim == 2:
            found = list(region_chords(polygons[i], C, d, level))
        else:
            found = ([] if not np.any(C[0]) else
                     [_section(A, b, part.witnesses[i], C[0], d[0] - level, part.domain)])
        for piece in found:
            if piece is None:
                continue
            size = (float(np.linalg.norm(piece[1] - piece[0])) if dim == 2
                    else _polygon_area_3d(piece))
            # a zero set on a facet is the same piece for the regions on both sides: once
            key = tuple(sorted(map(tuple, np.round(piece / grid).astype(np.int64).tolist())))
            if size > grid and key not in seen:
                seen.add(key)
                pieces.append(piece)
                owners.append(i)
                measures.append(size)
    return DecisionBoundary(pieces, np.array(owners, dtype=np.int64), np.array(measures))


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


def _section(A, b, inside, normal, offset, domain):
    """Vertices of the polygon ``{normal . z + offset = 0}`` of a 3-D region (in the
    domain's box), or None."""
    V = region_vertices(A, b, domain.lower, domain.upper, inside)
    values = V @ normal + offset
    points = [V[k] for k in range(len(V)) if values[k] == 0.0]
    for j in range(len(V)):
        for k in range(j + 1, len(V)):
            if values[j] * values[k] < 0.0:
                points.append(V[j] + (values[j] / (values[j] - values[k])) * (V[k] - V[j]))
    if len(points) < 3:
        return None
    points = np.array(points)
    # order the (coplanar) points around their mean: the convex hull in plane coordinates
    unit = normal / np.linalg.norm(normal)
    basis = np.linalg.svd(np.eye(3) - np.outer(unit, unit))[0][:, :2]
    flat = (points - points.mean(axis=0)) @ basis
    try:
        hull = ConvexHull(flat)
    except Exception:  # qhull: the section is degenerate (a segment or a point)
        return None
    return points[hull.vertices]


def _polygon_area_3d(polygon: np.ndarray) -> float:
    centre = polygon.mean(axis=0)
    return 0.5 * float(sum(np.linalg.norm(np.cross(polygon[k] - centre,
                                                   polygon[(k + 1) % len(polygon)] - centre))
                           for k in range(len(polygon))))
