"""Homology over Z/2 of a partition's polyhedral complex and of the level sets of its output.

The complex is the face lattice (:func:`regions.face_lattice`): regular cells (convex
polytopes) glued face to face, so over Z/2 the cellular boundary of a face is the sum of
the faces of one dimension less on its boundary, and Betti numbers are ranks of those
incidence matrices (``betti_numbers_of``), reduced column by column as in persistent
homology (``reduce_boundary``).

A scalar output ``f`` is linear on each region, so one more ReLU neuron, ``relu(f -
level)``, adds exactly the level set as a breakpoint: the regions of that network
(``level_complex``) each lie in ``{f >= level}`` or in ``{f <= level}``, and a
face lies in a set when ``f`` does at all its vertices. For several outputs, neurons
``relu(y_i - y_j)`` for every pair fix the order of the outputs on each cell, so the gap
between the largest two is linear there, and the classifier's decision boundary (where
the argmax changes) is the set of faces where that gap vanishes at every vertex.
:func:`~regions.betti_numbers` and :func:`~regions.boundary_betti_numbers` take the
homology of those subcomplexes, in any dimension the face lattice reaches (it
starts from each region's vertices: tested up to 6-D on a box and 8-D on R^n).

On all of R^n (:func:`regions.complex.homology.bounded_equivalent`) each of those sets
is a union of closed faces of the level complex, and any faces' intersection is a face;
a box that meets every face therefore leaves the nerve of the faces, so the homotopy
type of the set
(nerve theorem), unchanged. The homology on R^n is the homology in such a box.
"""

from __future__ import annotations

import numpy as np
from flint import fmpq
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..domain import tolerance_scale
from ..errors import DomainError, RegionsError, float64_overflow
from .faces import FaceLattice, face_lattice
from ..enumeration import enumerate_regions
from ..network import Network, make_layer
from ..rational import RationalMaps, exact_forward, fraction, magnitude
from ..tolerances import WINDOW_REACH
from .geometry import on_domain_boundary

__all__ = ["reduce_boundary", "betti_numbers_of", "level_complex", "level_network", "WINDOW_REACH",
           "bounded_equivalent", "box_around", "vertex_outputs", "betti_numbers", "boundary_betti_numbers",
           "unbounded_components", "components_reaching_boundary"]


def reduce_boundary(boundaries: list) -> tuple[list, dict]:
    """Column reduction over Z/2 of a boundary matrix in filtration order.

    ``boundaries[j]`` is the set of row indices (earlier cells) on cell ``j``'s boundary.
    Returns the reduced columns and ``{lowest row: column}`` of the nonzero ones (the
    persistence pairs; their number is the rank).
    """
    columns, pivot_of = [], {}
    for j, rows in enumerate(boundaries):
        column = set(rows)
        while column:
            low = max(column)
            if low not in pivot_of:
                break
            column ^= columns[pivot_of[low]]
        columns.append(column)
        if column:
            pivot_of[max(column)] = j
    return columns, pivot_of


def betti_numbers_of(lattice: FaceLattice, members: np.ndarray, top: int) -> tuple:
    """``(b_0, ..., b_top)`` over Z/2 of the subcomplex of the faces ``members`` (a boolean
    mask, closed under taking faces).

    >>> import regions
    >>> # one line across R^2: 2 regions and the line; the line alone is one component
    >>> net = regions.Network.from_layers([([[1.0, 0.0]], [0.0]), ([[1.0]], [0.0])])
    >>> lattice = regions.face_lattice(regions.enumerate_regions(net, regions.box(-1, 1)))
    >>> betti_numbers_of(lattice, lattice.dims >= 0, 2)
    (1, 0, 0)
    """
    index = np.flatnonzero(members)
    order = index[np.lexsort((index, lattice.dims[index]))]
    position = {int(f): k for k, f in enumerate(order)}
    _, pivot_of = reduce_boundary([{position[int(g)] for g in lattice.bounds[f]}
                                   for f in order])
    count = np.bincount(lattice.dims[order], minlength=top + 2)
    rank = np.zeros(top + 2, dtype=np.int64)        # rank[d]: rank of the boundary of d-faces
    for column in pivot_of.values():
        rank[lattice.dims[order[column]]] += 1
    return tuple(int(count[d] - rank[d] - rank[d + 1]) for d in range(top + 1))


def level_complex(part, level: float):
    """The face lattice of ``part``'s network with its level set added as breakpoints (see
    the module docstring; one more layer, enumerated on the same domain), and at each
    vertex the exact sign of ``f - level`` (scalar output) or of the gap between the two
    largest outputs (several), 0 on faces of higher dimension.

    Returns ``(lattice, signs, owners)``: ``owners[r]`` is the region of ``part`` that
    region ``r`` of the refined partition (``lattice.regions``' indices) lies in."""
    if not part.domain.is_bounded:
        raise DomainError("the topology of level sets is computed on a bounded domain "
                          "(bounded_equivalent gives one for all of R^n)")
    network = part.network
    out = network.output_dim
    refined_part = enumerate_regions(level_network(network, level), part.domain,
                                     min_radius=part.min_radius)
    lattice = face_lattice(refined_part)
    index = {row.tobytes(): i for i, row in enumerate(part.patterns)}
    width = network.pattern_length
    owners = np.array([index[row[:width].tobytes()] for row in refined_part.patterns],
                      dtype=np.int64)
    signs = np.zeros(len(lattice.dims), dtype=np.int8)
    exact_level = fraction(level)
    for v, outputs in vertex_outputs(network, part.domain, lattice).items():
        if out == 1:
            gap = outputs[0] - exact_level
        else:
            top = sorted(outputs)
            gap = top[-1] - top[-2]
        signs[v] = (gap > 0) - (gap < 0)
    return lattice, signs, owners


def level_network(network: Network, level) -> Network:
    """``network`` with one more ReLU layer whose breakpoints are ``f = level`` (a scalar
    output; ``level`` may be a sequence of levels, one neuron each) or ``y_i = y_j`` for
    every pair of outputs."""
    levels = np.atleast_1d(np.asarray(level, dtype=np.float64))
    if not np.isfinite(levels).all():
        raise RegionsError(f"the level must be a finite number, got {level}")
    out = network.output_dim
    if out == 1:
        weight, bias = np.ones((len(levels), 1)), -levels
    else:
        pairs = [(i, j) for i in range(out) for j in range(i + 1, out)]
        weight = np.zeros((len(pairs), out))
        weight[np.arange(len(pairs)), [i for i, _ in pairs]] = 1.0
        weight[np.arange(len(pairs)), [j for _, j in pairs]] = -1.0
        bias = np.zeros(len(pairs))
    return Network(list(network.layers) + [make_layer(weight, bias, "relu", 0.01,
                                                      len(network.layers))])


def bounded_equivalent(part, level: float = 0.0):
    """``part`` on a bounded domain; on all of R^n (or an unbounded plane or line), the
    partition of its network on a box of its coordinates that meets every face of the
    level complex at ``level``, where ``{f >= level}``, ``{f <= level}`` and
    ``{f = level}`` (or a classifier's decision boundary) have the homotopy type they
    have on R^n (see the module docstring).

    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0], [-1, 0], [0, 1], [0, -1]], [0.0] * 4),
    ...                                    ([[1.0, 1, 1, 1]], [-0.5])])
    >>> bounded_equivalent(regions.enumerate_regions(net)).domain.upper
    array([3., 3.])
    """
    if part.domain.is_bounded:
        return part
    return box_around(part, [level])


def box_around(part, levels):
    """The partition of ``part``'s network (on all of R^n, or an unbounded plane or line)
    on a box of its coordinates that meets every face of the complex refined by the level
    sets at ``levels`` (one neuron ``relu(f - level)`` each, :func:`level_network`), and
    so holds every vertex of that complex inside: ``WINDOW_REACH`` times as far out as
    the farthest face point, and at least 1."""
    domain = part.domain
    if domain.A.shape[0]:
        raise DomainError(f"the topology of level sets on an unbounded {domain.kind} with "
                          "faces is not computed: bound it")
    refined = enumerate_regions(level_network(part.network, levels), domain,
                                min_radius=part.min_radius)
    lattice = face_lattice(refined)
    # the lattice's points are in working coordinates, the domain's divided by its scale
    scale = tolerance_scale(domain)
    points = lattice.points * scale
    reach = max(1.0, WINDOW_REACH * float(np.abs(points).max())) if len(points) else 1.0
    if reach == np.inf:
        farthest = max(abs(v) for point in lattice.rational_points for v in point)
        raise float64_overflow(f"the box standing for R^n ({WINDOW_REACH:g} times as far out "
                               f"as the level complex's farthest face point)",
                               magnitude(fraction(WINDOW_REACH * scale) * fraction(farthest)))
    return enumerate_regions(part.network, domain.within(-reach, reach),
                             min_radius=part.min_radius)


def vertex_outputs(network: Network, domain, lattice: FaceLattice) -> dict:
    """The network's exact outputs (lists of fmpq) at every vertex of ``lattice``, by face
    index."""
    maps = RationalMaps(network, domain)
    return {int(v): exact_forward(maps, [fmpq(x.numerator, x.denominator)
                                         for x in lattice.rational_points[v]])[1]
            for v in np.flatnonzero(lattice.dims == 0)}


def _faces_where(lattice: FaceLattice, vertex_ok: np.ndarray) -> np.ndarray:
    """Faces all of whose vertices satisfy ``vertex_ok`` (indexed by face)."""
    return np.array([bool(vertex_ok[lattice.vertices[f]].all()) for f in range(len(lattice.dims))])


def betti_numbers(part, level: float = 0.0, below: bool = False) -> tuple:
    """``(b_0, ..., b_{dim-1})`` of ``{f >= level}`` (or of the sublevel set ``{f <= level}``
    when ``below``) in the domain (all of R^n:
    :func:`regions.complex.homology.bounded_equivalent`): its components, then its holes
    (2-D) or tunnels and cavities (3-D).

    >>> import regions
    >>> # f = |x1| + |x2| - 1/2 on [-1, 1]^2: {f >= 0} is the box minus a diamond
    >>> net = regions.Network.from_layers([([[1.0, 0], [-1, 0], [0, 1], [0, -1]], [0.0] * 4),
    ...                                    ([[1.0, 1, 1, 1]], [-0.5])])
    >>> part = regions.enumerate_regions(net, regions.box(-1, 1))
    >>> betti_numbers(part), betti_numbers(part, below=True)      # and the diamond itself
    ((1, 1), (1, 0))
    """
    if part.network.output_dim != 1:
        raise RegionsError(f"level sets are those of a scalar output; this network has "
                           f"{part.network.output_dim} outputs")
    lattice, signs, _ = level_complex(bounded_equivalent(part, level), level)
    inside = signs <= 0 if below else signs >= 0
    return betti_numbers_of(lattice, _faces_where(lattice, inside), part.domain.dim - 1)


def boundary_betti_numbers(part, level: float = 0.0) -> tuple:
    """``(b_0, ..., b_{dim-1})`` of the level set ``{f = level}`` (the decision boundary for
    level 0; for several outputs, where the argmax changes, and ``level`` is ignored) in the
    domain (all of R^n: :func:`regions.complex.homology.bounded_equivalent`): in 2-D its
    components and cycles, in 3-D the components, tunnels and enclosed cavities of the
    surface.

    >>> import regions
    >>> # f = |x1| + |x2| - 1/2 on [-1, 1]^2: the zero set is one diamond, one cycle
    >>> net = regions.Network.from_layers([([[1.0, 0], [-1, 0], [0, 1], [0, -1]], [0.0] * 4),
    ...                                    ([[1.0, 1, 1, 1]], [-0.5])])
    >>> boundary_betti_numbers(regions.enumerate_regions(net, regions.box(-1, 1)))
    (1, 1)
    """
    lattice, signs, _ = level_complex(bounded_equivalent(part, level), level)
    return betti_numbers_of(lattice, _faces_where(lattice, signs == 0), part.domain.dim - 1)


def unbounded_components(part, level: float = 0.0, of: str = "superlevel") -> int:
    """How many components of ``{f >= level}`` (``of="superlevel"``), ``{f <= level}``
    (``"sublevel"``) or ``{f = level}`` (``"level"``; for several outputs the decision
    boundary, ``level`` ignored) reach to infinity: 0 on a bounded domain.

    On all of R^n the box of ``bounded_equivalent`` holds every vertex of the level
    complex inside, so a bounded face of the set lies inside it and an unbounded one
    crosses its boundary: a component is unbounded exactly when its part in the box
    reaches the box's boundary.

    >>> import regions
    >>> # f = |x1| + |x2| - 1/2 on R^2: {f >= 0} is the plane minus a diamond, unbounded;
    >>> # {f <= 0} the diamond and {f = 0} its boundary, bounded
    >>> net = regions.Network.from_layers([([[1.0, 0], [-1, 0], [0, 1], [0, -1]], [0.0] * 4),
    ...                                    ([[1.0, 1, 1, 1]], [-0.5])])
    >>> whole = regions.enumerate_regions(net)
    >>> [unbounded_components(whole, of=which) for which in ("superlevel", "sublevel", "level")]
    [1, 0, 0]
    """
    if of not in _SETS:
        raise RegionsError(f"of must be one of {sorted(_SETS)}, got {of!r}")
    if of != "level" and part.network.output_dim != 1:
        raise RegionsError(f"level sets are those of a scalar output; this network has "
                           f"{part.network.output_dim} outputs")
    if part.domain.is_bounded:
        return 0
    return components_reaching_boundary(bounded_equivalent(part, level), level, of)


#: Which faces of a level complex lie in each set, by the signs at their vertices.
_SETS = {"superlevel": lambda signs: signs >= 0, "sublevel": lambda signs: signs <= 0,
         "level": lambda signs: signs == 0}


def components_reaching_boundary(boxed, level: float, of: str) -> int:
    """How many components of the set ``of`` (as in :func:`unbounded_components`) in the
    bounded partition ``boxed`` reach its domain's boundary: on ``bounded_equivalent``'s
    box, the components that are unbounded on R^n."""
    lattice, signs, _ = level_complex(boxed, level)
    members = _faces_where(lattice, _SETS[of](signs))
    edges = np.array([lattice.vertices[f] for f in np.flatnonzero(members & (lattice.dims == 1))],
                     dtype=np.int64).reshape(-1, 2)
    size = len(lattice.dims)
    _, component = connected_components(coo_matrix(
        (np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(size, size)), directed=False)
    return len({component[v] for v in np.flatnonzero(members & (lattice.dims == 0))
                if on_domain_boundary(boxed.domain, lattice.rational_points[v])})
