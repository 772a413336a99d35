"""The decision boundary of a scalar output (or where a classifier's argmax changes).

On each region the network is one affine map ``f(z) = c . z + d``, so its zero set there
is the region cut by one hyperplane: a chord of a polygon in 2-D, a polygon of a
polytope section in 3-D. :func:`~regions.decision_boundary` finds those pieces exactly, as the
faces of dimension ``dim - 1`` of the complex refined by the level set
(``regions.complex.homology.level_complex``) on which the output is exactly the
level (or the two largest outputs tie), and lists them with their count (exact) and
total length (2-D) or area (3-D; rounded, from the exact vertices). Their topology is
:mod:`regions.complex.homology`'s. ``regions.complex.geometry.region_chords`` draws
them in pictures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from flint import fmpq

from ..domain import power_of_two_unit
from ..errors import DomainError, RegionsError, float64_overflow
from ..rational import RationalMaps, exact_forward, fraction, magnitude
from .geometry import clip, region_chords
from .homology import level_complex

__all__ = ["DecisionBoundary", "decision_boundary", "face_gaps"]


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

    Examples
    --------
    >>> import regions
    >>> diamond = regions.Network.from_layers([([[1.0, 0], [-1, 0], [0, 1], [0, -1]],
    ...                                          [0.0] * 4), ([[1.0, 1, 1, 1]], [-0.5])])
    >>> part = regions.enumerate_regions(diamond, regions.box(-1, 1))
    >>> zero = regions.decision_boundary(part)
    >>> zero.count, round(zero.measure, 6)
    (4, 2.828427)
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


def decision_boundary(part, level: float = 0.0) -> DecisionBoundary:
    """The pieces of ``{f = level}`` in a 2-D or 3-D bounded partition (in 2-D also, for
    several outputs, where the argmax changes), exactly (see :mod:`regions.complex.decision`).

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
    lattice, _, owner_of = level_complex(part, level)
    values = face_gaps(part, lattice, level)
    pieces, owners, measures = [], [], []
    for f in np.flatnonzero(lattice.dims == dim - 1):
        if values[f] != 0:
            continue
        piece, measure = _piece(lattice, f)
        pieces.append(piece)
        owners.append(int(owner_of[lattice.regions[f][0]]))
        measures.append(measure)
    return DecisionBoundary(pieces, np.array(owners, dtype=np.int64), np.array(measures))


def face_gaps(part, lattice, level: float) -> list:
    """At a point of each face's relative interior, exactly: ``f - level`` (scalar output)
    or the gap between the two largest outputs (several)."""
    maps = RationalMaps(part.network, part.domain)
    exact_level = fraction(level)
    gaps = []
    for point in lattice.rational_points:
        outputs = exact_forward(maps, [fmpq(v.numerator, v.denominator) for v in point])[1]
        if len(outputs) == 1:
            gaps.append(outputs[0] - exact_level)
        else:
            top = sorted(outputs)
            gaps.append(top[-1] - top[-2])
    return gaps


def _piece(lattice, f: int) -> tuple[np.ndarray, float]:
    """Face ``f`` of dimension ``dim - 1`` as a piece: its vertices (a segment's 2 ends in
    2-D, a polygon's in order around it in 3-D) and its length or area. Both are measured
    in units of a power of two about the piece's largest coordinate, where no product
    overflows; a vertex or measure beyond float64 is refused."""
    points = lattice.points[lattice.vertices[f]]
    if not np.all(np.isfinite(points)):
        farthest = max(abs(v) for k in lattice.vertices[f] for v in lattice.rational_points[k])
        raise float64_overflow("a vertex of the decision boundary", magnitude(farthest))
    unit = power_of_two_unit(points)
    scaled = points / unit
    if len(points[0]) == 2:
        return points, _in_units(float(np.linalg.norm(scaled[1] - scaled[0])), unit, 1,
                                 "a piece's length")
    order = _polygon_order(scaled)
    return points[order], _in_units(_polygon_area_3d(scaled[order]), unit, 2,
                                    "a piece's area")


def _in_units(value: float, unit: float, power: int, what: str) -> float:
    """``value * unit ** power``, refused beyond float64."""
    measure = value
    for _ in range(power):
        measure *= unit
    if measure == np.inf:
        raise float64_overflow(what, magnitude(fraction(value) * fraction(unit) ** power))
    return measure


def _polygon_order(points: np.ndarray) -> np.ndarray:
    """The order of the vertices of a planar convex polygon in 3-D around it."""
    centre = points.mean(axis=0)
    _, _, axes = np.linalg.svd(points - centre)
    flat = (points - centre) @ axes[:2].T
    return np.argsort(np.arctan2(flat[:, 1], flat[:, 0]))


def _polygon_area_3d(polygon: np.ndarray) -> float:
    centre = polygon.mean(axis=0)
    return 0.5 * float(sum(np.linalg.norm(np.cross(polygon[k] - centre,
                                                   polygon[(k + 1) % len(polygon)] - centre))
                           for k in range(len(polygon))))
