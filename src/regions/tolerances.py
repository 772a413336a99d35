"""Every numerical tolerance of the package, in one place.

All distances are Euclidean, in the working coordinates of the domain (input
coordinates, or orthonormal slice coordinates for planes and lines, so a
distance in a slice is the same distance in input space), measured in units of
the *tolerance scale* ``s`` (:func:`regions.domain.tolerance_scale`): half the
longest side of the domain's bounding box when that is below 1, and 1
otherwise (all of R^n, and every domain at least as large as the unit box).
A small domain is a zoom: the enumeration runs in coordinates divided by
``s``, so a tolerance means the same thing on ``[-1e-4, 1e-4]^n`` as on
``[-1, 1]^n``. A large one is not: on ``[-1e8, 1e8]^n`` a sliver is as thin
as on all of R^n, so any box that holds every vertex of the partition gives
the R^n count. Rounding is local: a cell near the origin is computed from
the hyperplanes near it (the vertex method projects each new vertex onto the
hyperplanes it lies on rather than interpolating between far end points), so
its accuracy does not degrade with the size of the box. Hyperplane rows are
normalised to unit length before any comparison, so the tolerances are
distances, not raw residuals, and scaling a neuron's weights and bias by a
positive constant changes nothing.

MAX_EXTENT, RESOLUTION_MARGIN
    Domains float64 cannot resolve are refused
    (:func:`regions.domain.check_resolvable`): a bounding box whose
    half-width exceeds ``MAX_EXTENT`` input units (cells touching its faces
    would be computed with a rounding of ``eps * MAX_EXTENT``, about 2e-4;
    the count of a box that holds every vertex is the R^n count anyway, and
    all of R^n is the default domain), and a domain so far from the origin,
    for its size, that the rounding of an input coordinate at its center,
    ``eps * |center|``, is not ``RESOLUTION_MARGIN`` times below the
    tolerance ``MIN_RADIUS * s``.

MIN_RADIUS
    A region is counted (is "full-dimensional") when the largest ball inside it
    has radius greater than ``MIN_RADIUS``. A hyperplane "cuts" a region only
    when both sides keep a ball of that radius. Consequences: two regions
    separated by a sliver thinner than ``2 * MIN_RADIUS`` are merged into the
    one whose side holds the bigger ball, and a region narrower than that is
    not reported. Raising it can only lower the count; on networks whose
    narrowest region is much wider than the tolerance (the usual case for
    random weights) the count does not change over many orders of magnitude.
    ``regions.enumerate_regions(..., min_radius=...)`` overrides it per call.

ZERO_NORM
    A pre-activation whose gradient on a region has norm below ``ZERO_NORM``
    (relative to the largest row of the layer) is treated as constant there:
    its neuron cannot split the region and its state is the sign of the
    constant. This is what makes dead neurons, zero rows and bias-only layers
    exact instead of producing near-zero hyperplanes with random directions.

RADIUS_CAP
    Largest radius the inscribed-ball LP may return. Unbounded regions (on all
    of R^n, or in an unbounded polytope) otherwise have no finite inscribed
    ball; capping it gives every region a witness at a finite place, with
    margin ``min(true inscribed radius, RADIUS_CAP)``.

NEAR_DEGENERATE_FACTOR
    A region whose inscribed radius is below ``NEAR_DEGENERATE_FACTOR *
    MIN_RADIUS`` is counted but flagged as near-degenerate
    (``Partition.near_degenerate``); a piece whose radius is above
    ``MIN_RADIUS / NEAR_DEGENERATE_FACTOR`` but not above ``MIN_RADIUS`` is
    dropped but counted in ``Partition.slivers``. Either being non-zero means
    the count depends on the tolerance: rerun with a different ``min_radius``.

REDUNDANCY_GAP
    When the H-representation of a region is minimised, a row is kept only if
    some point of the region with that row relaxed violates the row by more
    than ``REDUNDANCY_GAP``.
FACET_MIN_RADIUS
    A non-redundant row of a region's H-representation is a facet when the
    largest (dim-1)-ball inside the region's section by that row's
    hyperplane has a radius above ``FACET_MIN_RADIUS`` (in 1-D every
    non-redundant row is a facet).

PROBE_STEPS
    Distances beyond a facet witness, smallest first, at which the
    neighbouring region is probed; the smallest one at which the facet's own
    neuron has changed state is used. Every step is far above
    ``CONTAIN_SLACK`` and far below ``MIN_RADIUS``-scale region widths.

CONTAIN_SLACK
    Slack allowed when testing a point against an H-representation
    "exactly" (``A z <= b + CONTAIN_SLACK``): only floating-point rounding,
    far below ``PROBE_STEPS``.

PIECE_TOL
    Two adjacent regions are one linear piece of the network's function when
    their affine maps ``C z + d`` agree: every coefficient within
    ``PIECE_TOL`` times the largest coefficient of the two maps (at least 1).
    Relative, and not multiplied by the tolerance scale.

COINCIDE_TOL
    Two unit-normal hyperplanes coincide (and a point lies on a hyperplane or
    domain face) when they differ by at most ``COINCIDE_TOL`` in normal and
    in offset.

VERTEX_MERGE
    In 1-D and 2-D geometry, vertices closer than ``VERTEX_MERGE`` are one vertex.

RELATIVE_MERGE
    The face lattice (any dimension) merges vertices closer than
    ``VERTEX_MERGE`` (times the tolerance scale) plus ``RELATIVE_MERGE`` times the
    largest coordinate of its window: on a wide window (all of R^n, or a box
    around every vertex) the same vertex computed from two regions differs by
    rounding at the size of its coordinates. Not multiplied by the scale.

ON_PLANE
    In the vertex method (:mod:`regions.engines.vertex`), a cell vertex within
    ``ON_PLANE`` of a hyperplane lies on it: the hyperplane passes through the
    vertex instead of cutting off a piece thinner than ``ON_PLANE`` (which
    ``MIN_RADIUS`` would drop anyway). It is far below ``MIN_RADIUS`` and far
    above the rounding of vertex coordinates.

Constants of the vertex engine live beside the C loops that read them:
``SINGULAR_PIVOT = 1e-12`` in ``src/regions/engines/small_lp.pxd`` (a subset of unit constraint
rows whose elimination meets a smaller pivot is singular and is skipped when
the largest ball of a near-degenerate region is found by solving every subset
of ``dim + 1`` tight rows; candidate balls are shrunk by their worst
violation, so a skipped or ill-conditioned subset can never overstate a
radius) and, in ``src/regions/engines/_vertex.pyx``, ``MAX_UPDATES = 32`` (a pre-activation map built by rank-one
updates from a sibling's is recomputed in full after this many updates in a
row, so its rounding stays within a few dozen ulps of a direct product).

The last five are used by facets, the adjacency graph, the certificate and
the planar geometry, and like the others are multiplied by the tolerance scale.
"""

import math

from .errors import RegionsError

MIN_RADIUS = 1e-7
ZERO_NORM = 1e-12
RADIUS_CAP = 1e3
NEAR_DEGENERATE_FACTOR = 100.0
THIN_FACTOR = 100.0
REDUNDANCY_GAP = 1e-9
FACET_MIN_RADIUS = 1e-10
PROBE_STEPS = (1e-9, 1e-8, 1e-7, 1e-6)
CONTAIN_SLACK = 1e-11
COINCIDE_TOL = 1e-9
PIECE_TOL = 1e-9
VERTEX_MERGE = 1e-9
RELATIVE_MERGE = 1e-12
ON_PLANE = 1e-10
MAX_EXTENT = 1e12
RESOLUTION_MARGIN = 100.0


def check_min_radius(min_radius) -> float:
    """``min_radius`` as a float; RegionsError unless positive and finite."""
    value = float(min_radius)
    if not (math.isfinite(value) and value > 0.0):
        raise RegionsError(f"min_radius must be positive and finite, got {min_radius}")
    return value
