"""Every numerical tolerance of the package, in one place.

All distances are Euclidean, in the working coordinates of the domain (input
coordinates, or orthonormal slice coordinates for planes and lines, so a
distance in a slice is the same distance in input space). Hyperplane rows are
normalised to unit length before any comparison, so the tolerances below are
distances, not raw residuals.

MIN_RADIUS
    A region is counted (is "full-dimensional") when the largest ball inside it
    has radius greater than ``MIN_RADIUS``. A hyperplane "cuts" a region only
    when both sides keep a ball of that radius. Consequences: two regions
    separated by a sliver thinner than ``2 * MIN_RADIUS`` are merged into the
    one whose side holds the bigger ball, and a region narrower than that is
    not reported. Raising it can only lower the count; on networks whose
    narrowest region is much wider than the tolerance (the usual case for
    random weights) the count does not change over many orders of magnitude.
    ``regions.enumerate(..., min_radius=...)`` overrides it per call.

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

REDUNDANCY_GAP
    When the H-representation of a region is minimised, a row is kept only if
    some point of the region with that row relaxed violates the row by more
    than ``REDUNDANCY_GAP``.
"""

MIN_RADIUS = 1e-7
ZERO_NORM = 1e-12
RADIUS_CAP = 1e3
REDUNDANCY_GAP = 1e-9
