"""Networks and domains at the ends of float64's range, against the exact oracle.

Each case was found by fuzzing the engines against an exact rational oracle; before the
fix each one ended in a raw error (``ValueError`` converting NaN, ``OverflowError``
converting a rational beyond float64, HiGHS's "Unbounded", an ``AssertionError`` on a
region without interior). Now every engine either agrees with the exact oracle
(``oracles.exact_patterns``, brute force over the activation patterns in rationals, which
shares nothing with ``regions``) or refuses with a ``DomainError`` that names the value
beyond float64, before giving any answer. No expected count comes from ``regions``.
"""

import math
import re
import warnings
from fractions import Fraction

import numpy as np
import pytest

import regions
from regions.analysis.crossings import partition_facets

import oracles
import rational_oracle as ro
from oracles import pattern_set, unambiguous


def network(layers, activations, slope=0.01):
    return regions.Network.from_layers(
        [(np.array(W, dtype=float), np.array(b, dtype=float)) for W, b in layers],
        activations, slope=slope)


def case(name):
    """``(network, domain, oracle slice)`` of one case."""
    if name == "norm-beyond-float64-beside-a-coincident-plane":
        # rows of 1.7e308 and 5e199 on the same plane x - y - z = 0: the first's norm and
        # error bound overflow; the split engine's probe dropped that row's NaN and
        # certified a ball across the plane (a region without interior, AssertionError)
        return (network([([[0.0, -0.5, 0.5], [1.7e308, -1.7e308, -1.7e308], [-1.0, 0.0, -1.0],
                           [5e199, -5e199, -5e199], [0.0, 0.0, 0.0]],
                          [0.0, 0.0, -1.0, 0.0, -1.0]),
                         ([[1.0] * 5], [0.0])], ["relu", "identity"]),
                regions.whole_space(3), oracles.whole_slice(3))
    if name == "rows-that-underflow-entirely":
        # 2e-300 * 2e-200 x: the second layer's float rows are 0 but not its exact ones; the
        # zero row passed for a unit row and the split engine cut by it (NaN centres)
        return (network([([[2e-200], [2e-200], [2e-200], [-2e-200]],
                          [-2e-200, 0.0, -2e-200, 2e-200]),
                         ([[2e-300, 0.0, 2e-300, 0.0], [6e-300, 0.0, 6e-300, 0.0],
                           [-2e-300, 2e-300, 2e-300, 5e-301]], [0.0, 0.0, 1e-300]),
                         ([[5e-324, 1e-323, 0.0], [-5e-324, -1e-323, 0.0], [0.0, 0.0, 0.0]],
                          [0.0, 0.0, -1e-323]),
                         ([[1.0, 1.0, 1.0]], [0.0])],
                        ["relu", "hardtanh", "hardtanh", "identity"]),
                regions.whole_space(1), oracles.whole_slice(1))
    if name == "box-of-1e300":
        # HiGHS answers "Unbounded" for the box's own inscribed ball
        lo, hi = [-2e300, -1e300, 0.0], [-1e300, 0.0, 1e300]
        return (network([([[0.0, 0.0, 0.0], [-5e-301, -2e-300, 0.0], [-1e-300, -4e-300, 0.0],
                           [-2e-300, 0.0, 2e-300]], [1.0, -2.0, -4.0, -1.0]),
                         ([[-1.0, -1.0, -0.5, 1.0], [1.0, 1.0, 0.5, -1.0]], [-1.0, 1.0]),
                         ([[1.0, 1.0]], [0.0])], ["relu", "identity", "identity"]),
                regions.box(np.array(lo), np.array(hi)), oracles.box_slice(lo, hi))
    if name == "box-1e-300-thin":
        # the float LP finds no interior in [0, 1] x [0, 1e-300] x [-1, 0]: "no interior"
        lo, hi = [0.0, 0.0, -1.0], [1.0, 1e-300, 0.0]
        return (network([([[1e250, 0.0, 0.0], [0.0, 0.0, -1e250], [0.0, 0.0, 0.0]],
                          [0.0, -2e250, -1e250]),
                         ([[-1e-300, 0.0, -1e-300], [-1e-300, 0.0, -1e-300],
                           [-1e-300, 0.0, -1e-300], [-3e-300, 0.0, -3e-300]],
                          [-1e-300, 0.0, -1e-300, -3e-300]),
                         ([[1.0] * 4], [0.0])], ["leaky_relu", "relu", "identity"],
                        slope=5e-324),
                regions.box(np.array(lo), np.array(hi)), oracles.box_slice(lo, hi))
    if name == "maps-of-inf-on-a-box":
        # the walk's facet LP proposed a NaN point (ValueError converting NaN)
        return (network([([[-1e300, 2e300], [0.0, 0.0], [-1e300, 2e300], [0.0, 0.0]],
                          [-2e300, -5e299, -1e300, -5e299]),
                         ([[0.0, -2e100, -1e100, 0.0], [0.0, -2e100, -1e100, 0.0],
                           [0.0, -2e100, 1e100, -5e99], [0.0, 0.0, 0.0, 0.0]],
                          [2e100, 0.0, 1e100, 0.0]),
                         ([[0.5, -1.0, -1.0, 0.0], [5e199, -1e200, 2e200, 0.0]], [0.0, 1e200]),
                         ([[1.0, 1.0]], [0.0])],
                        ["relu", "leaky_relu", "hardtanh", "identity"], slope=0.0),
                regions.box(-1.0, 1.0), oracles.box_slice([-1.0, -1.0], [1.0, 1.0]))
    if name == "constant-of-nan":
        # -1.7e308 * 2 - 1.7e308 * 2: a constant pre-activation overflowed to NaN (ValueError
        # taking its sign)
        return (network([([[1e200], [-1e200], [0.0], [0.0]], [-1e200, 5e199, 2e200, 1e200]),
                         ([[-1.7e308, 0.0, 0.0, -1.7e308], [0.0, -1e100, 0.0, 0.0]],
                          [0.0, -2e100]),
                         ([[0.0, 0.0], [0.0, 0.0]], [0.0, 0.0]),
                         ([[1.0, 1.0]], [0.0])], ["hardtanh"] * 3 + ["identity"]),
                regions.whole_space(1), oracles.whole_slice(1))
    if name == "vertex-near-1e500":
        # a vertex of the partition near 1e500 (OverflowError rounding it in the vertex
        # engine: now +-inf, its signs decided exactly)
        return (network([([[-1e200, 0.0, 1e200], [-1.0, 0.0, 1.0], [-2e100, 0.0, 2e100],
                           [1e-100, -1e-100, 1e-100]], [5e199, -1.0, -2e100, 0.0]),
                         ([[-0.5, 0.0, -1.0, -1.0], [-0.25, 0.0, -0.5, -0.5],
                           [-0.5, 0.0, -1.0, -1.0], [-1.0, 2.0, 0.0, 0.0]],
                          [-1e300, -5e299, -1e300, -1e300]),
                         ([[1.0] * 4], [0.0])], ["leaky_relu", "relu", "identity"],
                        slope=1e300),
                regions.whole_space(3), oracles.whole_slice(3))
    if name == "exact-lp-start-of-nan":
        # the split engine handed a NaN centre to the exact LP ("not a finite number: nan")
        return (network([([[2e-150, 5e-324], [2e-150, 5e-324]], [0.0, 0.0]),
                         ([[-1e-300, 0.0], [-2.0, 0.0], [0.0, 1e-300]],
                          [-1e-300, -2e150, 2e300]),
                         ([[1.0, 1.0, 1.0]], [0.0])], ["identity", "relu", "identity"]),
                regions.whole_space(2), oracles.whole_slice(2))
    if name == "apex-near-1e323":
        # the first layer's breakpoints meet near 1e323: the vertex engine's first cones
        # need that apex in float64 (OverflowError); it refuses, the others are exact
        return (network([([[0.0], [1e-323], [0.0]], [-1e-323, 1e-323, -1e-323]),
                         ([[1.0, 1.0, 1.0]], [0.0])], ["hardtanh", "identity"]),
                regions.whole_space(1), oracles.whole_slice(1))
    if name == "identity-layers-beyond-float64":
        # 1e300 * 2e160 through an identity layer: "auto" took the float rank of that
        # product to choose an engine (LinAlgError: SVD did not converge)
        return (network([([[2e160], [2e160], [0.0], [1e160]], [0.0, 0.0, 1e160, -1e160]),
                         ([[-5e299, 1e300, 0.0, -2e300], [-1e300, 1e300, 0.0, 2e300],
                           [1e300, 0.0, -1e300, -1e300], [2e300, 0.0, 2e300, 0.0]],
                          [0.0, -2e300, 0.0, 0.0]),
                         ([[0.0] * 4, [0.0] * 4, [0.0, -1e-200, 0.0, 0.0],
                           [1e-200, 1e-200, 2e-200, 0.0]], [1e-200, -1e-200, -2e-200, 0.0]),
                         ([[1.0] * 4], [0.0])], ["identity", "relu", "identity", "identity"]),
                regions.box(-0.5, 0.0), oracles.box_slice([-0.5], [0.0]))
    if name.startswith("polytope-of-1e300"):
        # HiGHS fails on the polytope's bounding box ("Unbounded", or bounds of NaN)
        A = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
        c = np.array([1e300, 1e300, 1e300] if name.endswith("around-0")
                     else [2e300, -1e300, 0.0])
        return (network([([[1.0, 0.0], [1.0, 1.0], [1.0, -1.0]], [5e-301, -1e300, 3e299]),
                         ([[1.0, 1.0, 1.0]], [0.0])], ["relu", "identity"]),
                regions.polytope(A, c), oracles.polytope_slice(A, c))
    raise ValueError(name)


CASES = ["norm-beyond-float64-beside-a-coincident-plane", "rows-that-underflow-entirely",
         "box-of-1e300", "box-1e-300-thin", "maps-of-inf-on-a-box", "constant-of-nan",
         "vertex-near-1e500", "exact-lp-start-of-nan", "apex-near-1e323",
         "identity-layers-beyond-float64", "polytope-of-1e300", "polytope-of-1e300-around-0"]
#: Cases the vertex engine refuses (a DomainError before any work), and the message's cause.
VERTEX_REFUSES = {"apex-near-1e323": "apex, where .* meet, is near 1e\\+323, beyond float64"}


@pytest.mark.parametrize("method", ["auto", "split", "vertex", "walk"])
@pytest.mark.parametrize("name", CASES)
def test_extreme_scales_are_exact_or_refused(name, method):
    net, domain, where = case(name)
    truth = unambiguous(oracles.exact_patterns, net, where)
    if method == "vertex" and name in VERTEX_REFUSES:
        with pytest.raises(regions.DomainError, match=VERTEX_REFUSES[name]):
            regions.enumerate_regions(net, domain, method=method)
        return
    assert pattern_set(regions.enumerate_regions(net, domain, method=method)) == truth
    assert regions.count_regions(net, domain, method=method).regions == len(truth)


@pytest.mark.parametrize("method, what", [("split", "constant pre-activation"),
                                          ("vertex", "hyperplane's value")])
def test_the_float_only_mode_refuses_a_constant_of_nan(method, what):
    # exact=False settles an undecided side by its float value, and NaN has no sign
    net, domain, _ = case("constant-of-nan")
    with pytest.raises(regions.DomainError, match=f"{what} is beyond float64"):
        regions.enumerate_regions(net, domain, method=method, exact=False)


@pytest.mark.slow
def test_a_max_unit_whose_exact_interior_point_is_beyond_float64():
    # Found by fuzzing: weights from 2^-498 to 2^498 and a max layer over all of R^2; the
    # split engine's exact interior point of a max unit's piece lies beyond float64, and
    # rounding it raised OverflowError ("auto" takes the split engine on max networks).
    # The oracle tries every pattern with an exact LP (about 30 s).
    h = float.fromhex

    def rows(entries):
        return np.array([[h(v) for v in row] for row in entries])

    layers = [
        (rows([['0x1.084f3a5a57edfp-496', '-0x1p+0'], ['-0x1.4f8b588e368f1p-17', '0x1p+0'],
               ['0x1.b64366640eceap-246', '-0x1.a87c262151e1ap+250'],
               ['0x1p+0', '-0x1.652efdc6018a2p+344']]), np.array([0.0, 0.0, 0.0, 2.0])),
        (rows([['0x1.7763fd12d819fp+496', '-0x1p+0', '0x1.cf2b1970e7258p-251',
                '-0x1.1afd6ec0e1411p+249'],
               ['0x1p+0', '-0x1.8136ab4d35084p+498', '-0x1.1be08bb330950p+334',
                '-0x1.d202282ea81d5p-247'],
               ['-0x1.286d80ec190dcp-257', '-0x1p+0', '-0x1p+1', '-0x1.68a9c942f3ba3p+438']]),
         np.array([2.0, -1.0, -2.0])),
        (rows([['-0x1p+1', '-0x1.a2fe76a3f9475p-498', '0x1p+0'],
               ['0x0p+0', '0x1p+1', '0x1.b76db8b757c26p-433']]),
         np.array([h('-0x1.d0b6060c3bd22p+406'), h('0x1.2087d4358fc82p+434')])),
        (np.eye(2), np.zeros(2)),
        (np.array([[-2.0, 2.0]]), np.zeros(1))]
    net = regions.Network.from_layers(
        layers, ["leaky_relu"] * 3 + ["max", "identity"], slope=h('0x1.a2fe76a3f9475p-499'),
        windows={3: [[1, 0], [0, 1]]})
    truth = ro.brute_force_regions(net, regions.whole_space(2))
    assert len(truth) == 61
    for method in ("auto", "split"):
        assert pattern_set(regions.enumerate_regions(net, method=method)) == truth
        assert regions.count_regions(net, method=method).regions == 61


def exactly_inside(A, c, point) -> bool:
    """``A point <= c`` in rationals (shares nothing with ``regions``)."""
    return all(sum((Fraction(a) * Fraction(x) for a, x in zip(row, point)), Fraction(0))
               <= Fraction(b) for row, b in zip(A, c))


def test_random_points_and_lines_of_an_unbounded_polytope_near_1e300():
    # HiGHS answered "Unbounded" for the inscribed ball of this wedge, where random points of
    # an unbounded domain are centred (LPError, not a RegionsError); now the ball is solved in
    # units of 2^997 and its centre certified strictly inside
    A, c = np.array([[1.0, 1.0], [1.0, -1.0]]), np.array([2e300, -1e300])
    net = network([([[1.0, 0.0], [1.0, 1.0]], [-1e300, -2e300]), ([[1.0, 1.0]], [0.0])],
                  ["relu", "identity"])
    domain = regions.polytope(A, c)
    truth = unambiguous(oracles.exact_patterns, net, oracles.polytope_slice(A, c))
    points = regions.sampling.sample_points(domain.resolve(2), 50, np.random.default_rng(0))
    assert points.shape == (50, 2) and all(exactly_inside(A, c, p) for p in points)
    sample = regions.sampling.distinct_patterns(net, domain, samples=200)
    assert sample.distinct >= 1 and oracles.row_set(sample.patterns) <= truth
    lines = regions.sampling.regions_along_lines(net, domain, lines=20)
    assert oracles.row_set(lines.patterns) <= truth and np.all(lines.counts <= len(truth))
    # every interior point of y <= -1.7e308 is too near the end of float64 to be certified
    far = regions.polytope(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([2e300, -1.7e308]))
    with pytest.raises(regions.DomainError, match="float64 certifies none"):
        regions.sampling.sample_points(far.resolve(2), 5, np.random.default_rng(0))


def test_a_3d_picture_window_of_a_box_of_1e300():
    # the Chebyshev LP of a region cut to the window, and qhull's vertices around its centre,
    # failed on coordinates of 1e300 (LPError "Unbounded", QhullError); both now work in
    # units of the window. The drawn pieces tile the window (volumes in units of 1e300: 27)
    # and are the regions the exact oracle finds in it.
    from scipy.spatial import ConvexHull
    from regions.pictures import picture_window, window_corners
    net = network([(np.vstack([np.eye(3), np.ones((1, 3))]), [-1e300, 0.0, 0.0, -2e300]),
                   ([[1.0] * 4], [0.0])], ["relu", "identity"])
    part = regions.enumerate_regions(net, regions.box(-2e300, 2e300))
    lower, upper = np.full(3, -2e300), np.full(3, 1e300)
    inside = unambiguous(oracles.exact_patterns, net, oracles.box_slice(lower, upper))
    view = picture_window(part, (lower, upper))
    assert view.clipped.any()
    drawn = {i: window_corners(part, i, view) for i in range(len(part))}
    drawn = {i: corners for i, corners in drawn.items() if corners is not None}
    assert {tuple(part.patterns[i]) for i in drawn} == inside
    volumes = [ConvexHull(corners / 1e300).volume for corners in drawn.values()]
    assert sum(volumes) == pytest.approx(27.0, rel=1e-9)


@pytest.mark.parametrize("name", CASES)
def test_graph_certificate_and_facets_are_quiet_and_exact(name):
    # Like enumerate_regions and count_regions, the adjacency graph, the certificate, the
    # facets and the linear pieces let float64 overflow to inf and NaN (an uncertified test,
    # decided exactly), without numpy's RuntimeWarnings, which -W error made errors. Their
    # regions are the exact oracle's; on a line the regions are intervals in a row, so the
    # graph is a path with one edge fewer than regions.
    net, domain, where = case(name)
    truth = unambiguous(oracles.exact_patterns, net, where)
    part = regions.enumerate_regions(net, domain, method="split")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        graph = regions.adjacency_graph(part)
        certificate = regions.certify(part)
        facets = partition_facets(part)
        pieces = regions.linear_pieces(part)
    assert {tuple(part.patterns[i]) for i in graph.nodes} == pattern_set(part) == truth
    assert graph.graph["unmatched_facets"] == 0
    assert certificate.ok and certificate.regions == len(truth)
    assert certificate.edges == graph.number_of_edges()
    assert certificate.facets == sum(map(len, facets))
    assert 1 <= pieces.count <= len(truth)
    if part.domain.dim == 1:
        assert graph.number_of_edges() == len(truth) - 1


def corner_set(corners, unit):
    """The corners ``(k, dim)`` in units of ``unit``, rounded to 9 digits, as a set."""
    return {tuple(np.round(np.asarray(c) / unit, 9) + 0.0) for c in corners}


def test_window_corners_of_a_region_whose_float_witness_is_a_box_corner():
    # hardtanh neurons with no breakpoint in the box [2^533, 2^534] x [-2^534, -2^533] x
    # [2^533, 2^534]: one region, the box. The split and walk engines' float witness is a
    # corner of the box (the exact one is in rational_witness), which qhull refused
    # ("feasible point is not clearly inside halfspace"); the vertices are now found around a
    # certified interior point: the box's 8 corners.
    from regions.pictures import picture_window, window_corners
    s = 2.0 ** 533
    net = network([(2.0 ** -533 * np.array([[1.0, 0.0, -1.0], [0.0, -1.0, 0.0]]),
                    [-1e50, -1e50]), ([[1.0, 1.0]], [0.0])], ["hardtanh", "identity"])
    lower, upper = np.array([s, -2 * s, s]), np.array([2 * s, -s, 2 * s])
    box_corners = {(x, y, z) for x in (1.0, 2.0) for y in (-2.0, -1.0) for z in (1.0, 2.0)}
    for method in ("split", "walk"):
        part = regions.enumerate_regions(net, regions.box(lower, upper), method=method)
        assert len(part) == 1
        assert corner_set(window_corners(part, 0, picture_window(part)), s) == box_corners


def test_a_sliver_thin_at_the_scale_of_a_box_of_2_to_884():
    # x - 2y <= 2^226 cuts a sliver 2^226 wide from a box 2^884 wide: at the box's scale
    # qhull answered NaN vertices, which window_corners returned. Now a DomainError says to
    # draw a smaller window, and in a window 2^227 wide around the sliver its corners are
    # the prism over the triangle (0, 0), (2^226, 0), (0, -2^225) (by hand), and the other
    # region's pieces fill the rest of the window.
    from scipy.spatial import ConvexHull
    from regions.pictures import picture_window, window_corners
    s, t = 2.0 ** 884, 2.0 ** 226
    net = network([([[1.0, -2.0, 0.0]], [-t]), ([[1.0]], [0.0])], ["relu", "identity"])
    part = regions.enumerate_regions(net, regions.box(np.array([0.0, -2 * s, -s]),
                                                      np.array([s, 0.0, 0.0])))
    sliver = [i for i in range(len(part)) if part.patterns[i][0] == 0]
    assert len(part) == 2 and len(sliver) == 1
    with pytest.raises(regions.DomainError, match="thin or flat at that scale.*smaller window"):
        window_corners(part, sliver[0], picture_window(part))
    view = picture_window(part, (np.array([0.0, -t, -t]), np.array([2 * t, 0.0, 0.0])))
    assert view.clipped.all()  # both reach past the window (to z = -2^884)
    corners = window_corners(part, sliver[0], view)
    assert corner_set(corners, t) == {(x, y, z) for (x, y) in ((0.0, 0.0), (1.0, 0.0),
                                                               (0.0, -0.5)) for z in (-1.0, 0.0)}
    other = window_corners(part, 1 - sliver[0], view)
    volumes = [ConvexHull(c / t).volume for c in (corners, other)]
    assert volumes[0] == pytest.approx(0.25) and sum(volumes) == pytest.approx(2.0)


def test_a_3d_picture_of_a_box_2_to_minus_880_wide():
    # png of the 8 octants of [-2^-880, 2^-880]^3 raised QhullError from the hull of each
    # region's corners, taken in absolute units, and each region's corners were wrong (a
    # vertex polished with an absolute tolerance of 1e-9 took every row as meeting there).
    # Now each drawn region is its octant of the box, and the drawn patterns are the oracle's.
    from regions.pictures import picture_window, png, window_corners
    s = 2.0 ** -880
    net = network([(np.eye(3), np.zeros(3)), (np.ones((1, 3)), np.zeros(1))],
                  ["relu", "identity"])
    part = regions.enumerate_regions(net, regions.box(-s, s))
    assert png(part).startswith(b"\x89PNG")
    view = picture_window(part)
    for i in range(len(part)):
        signs = 2.0 * part.patterns[i] - 1.0
        assert corner_set(window_corners(part, i, view), s) == {
            tuple(signs * np.array(corner) + 0.0)
            for corner in np.ndindex(2, 2, 2)}
    assert pattern_set(part) == unambiguous(oracles.exact_patterns, net,
                                            oracles.box_slice([-s] * 3, [s] * 3))


def test_pictures_of_an_unbounded_partition_with_breakpoints_beyond_1e7():
    # the vertex (1e10, 1e10) lies beyond the box of half-width FAR = 1e7 where the corners
    # were sought, so three regions had their witnesses outside it and picture_window
    # raised "...draw a smaller window", with or without a window. Now the box reaches past
    # the window and the witnesses: the default window holds the vertex, and a given one
    # is drawn as the 4 quadrants around it, all unbounded (by hand).
    from regions.pictures import picture_window
    import matplotlib.pyplot as plt
    net = network([([[1.0, 0.0], [0.0, 1.0]], [-1e10, -1e10]), (np.ones((1, 2)), np.zeros(1))],
                  ["relu", "identity"])
    part = regions.enumerate_regions(net)
    view = picture_window(part)
    assert np.all(view.lower < 1e10) and np.all(view.upper > 1e10) and view.clipped.all()
    fig, ax = plt.subplots()
    try:
        regions.plot(part, ax, window=(9e9, 1.1e10))
        areas = [abs(oracles._area2(p.get_xy()[:-1].tolist())) / 2 for p in ax.patches]
        assert len(areas) == 4 and areas == pytest.approx([1e18] * 4, rel=1e-9)
        assert "4 regions reach past it" in ax.get_title()
    finally:
        plt.close(fig)


def test_a_picture_of_regions_beyond_float64():
    # x = 2^1100 (2^-100 x - 2^1000 = 0) lies beyond float64: two regions have witnesses
    # of inf and rows x >= inf, and picture_window raised "ValueError: No points given".
    # Now such a region has no corners and reaches past every window.
    from regions.pictures import picture_window, png
    net = network([([[2.0 ** -100, 0.0], [0.0, 1.0]], [-2.0 ** 1000, 0.0]),
                   ([[1.0, 1.0]], [0.0])], ["relu", "identity"])
    part = regions.enumerate_regions(net)
    assert len(part) == 4
    view = picture_window(part, (-1.0, 1.0))
    assert view.clipped.all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert png(part, window=(-1.0, 1.0)).startswith(b"\x89PNG")


def test_pictures_near_the_ends_of_float64_are_quiet_or_refused():
    # numpy's RuntimeWarnings (overflow in the constraint rows of weights 1e300) escaped
    # png; the drawn regions are the oracle's. A vertex at x = 2^700 had a default window
    # 1.3 wide there, below float64's resolution (matplotlib warned of identical limits and
    # widened them; elsewhere it raised LinAlgError "Singular matrix"); a box 2^1023 wide
    # overflowed matplotlib's 3-D transforms. Now the first two are drawn without a
    # warning, the last is a DomainError that says what to do.
    import matplotlib.pyplot as plt
    from regions.pictures import png
    net = network([([[1e300, 1e300], [1e300, -1e300]], [0.0, 0.0]), ([[1e300, 1e300]], [0.0]),
                   ([[1.0]], [0.0])], ["relu", "relu", "identity"])
    part = regions.enumerate_regions(net, regions.box(-1, 1))
    far = network([([[1.0, 0.0], [0.0, 1.0]], [-2.0 ** 700, 0.0]), ([[1.0, 1.0]], [0.0])],
                  ["relu", "identity"])
    huge = regions.enumerate_regions(network([(np.eye(3), np.zeros(3)), ([[1.0] * 3], [0.0])],
                                             ["relu", "identity"]),
                                     regions.box(-2.0 ** 1022, 2.0 ** 1022))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, ax = plt.subplots()
        try:
            regions.plot(part, ax)
            assert len(ax.patches) == len(part)
        finally:
            plt.close(fig)
        assert pattern_set(part) == unambiguous(oracles.exact_patterns, net,
                                                oracles.box_slice([-1, -1], [1, 1]))
        assert png(regions.enumerate_regions(far)).startswith(b"\x89PNG")
        with pytest.raises(regions.DomainError, match="matplotlib cannot draw the window.*"
                                                      "give another window"):
            png(huge)



def exact_line_pieces(net, where) -> list:
    """The exact oracle's regions of a network of one input over the 1-D slice ``where``
    (working coordinates are the input's), in order: ``(lo, hi, slope, offset)``, the
    network ``slope * x + offset`` on ``[lo, hi]``, in Fractions (an end at infinity is
    +-inf, compared, never converted: an end may be beyond float64). Each region's ends
    come from its pattern's rows, by hand."""
    layers = oracles._exact_layers(net)
    one, zero = [[Fraction(1)]], [Fraction(0)]
    pieces = []
    for pattern in unambiguous(oracles.exact_patterns, net, where):
        rows = [(Fraction(a), Fraction(c)) for (a,), c in zip(where.A, where.c)]
        position = 0
        for li, layer in enumerate(net.layers):
            if layer.activation != "identity":
                G, beta = oracles._exact_affine(layers, one, zero, pattern, li)
                for j in range(layer.width):
                    rows += [(row[0], rhs) for row, rhs in oracles._neuron_rows(
                        G[j], beta[j], pattern[position + j], layer.activation)]
                position += layer.width
        G, beta = oracles._exact_affine(layers, one, zero, pattern, len(layers) - 1)
        pieces.append((max((rhs / a for a, rhs in rows if a < 0), default=-math.inf),
                       min((rhs / a for a, rhs in rows if a > 0), default=math.inf),
                       G[0][0], beta[0]))
    return sorted(pieces)


def line_components(pieces: list, sign: int | None) -> list:
    """The components ``[lo, hi]`` of the closed set of the line where the network is
    ``>= 0`` (``sign`` 1), ``<= 0`` (-1) or ``== 0`` (None), from the set on each piece:
    an interval, its ends at the piece's ends or at its root."""
    parts = []
    for lo, hi, slope, offset in pieces:
        if slope == 0:
            if offset == 0 or (sign is not None and offset * sign > 0):
                parts.append([lo, hi])
            continue
        root = -offset / slope
        ahead, behind = [max(lo, root), hi], [lo, min(hi, root)]  # of the root, along x
        part = {1: ahead if slope > 0 else behind, -1: behind if slope > 0 else ahead,
                None: [max(lo, root), min(hi, root)]}[sign]
        if part[0] <= part[1]:
            parts.append(part)
    merged = []
    for part in sorted(parts):
        if merged and part[0] <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], part[1])
        else:
            merged.append(list(part))
    return merged


def line_extreme(pieces: list, sign: int) -> float:
    """The network's largest (``sign`` 1) or smallest (-1) value on the line: at a piece's
    finite end, or +-inf where an end piece rises (falls) towards infinity."""
    (lo, _, first, _), (_, hi, last, _) = pieces[0], pieces[-1]
    if (lo == -math.inf and first * sign < 0) or (hi == math.inf and last * sign > 0):
        return sign * math.inf
    ends = [slope * x + offset for lo, hi, slope, offset in pieces for x in (lo, hi)
            if abs(x) != math.inf]
    return float(max(ends) if sign > 0 else min(ends))


#: The level sets' topology on all of R^n is taken in a box of float64 holding every vertex
#: of the level complex; the others refuse the face lattice itself (before any of them).
LEVEL_SETS_REFUSE = {
    "rows-that-underflow-entirely": "box standing for R\\^n .* is near 1e\\+500, beyond float64",
    "vertex-near-1e500": "span fewer directions than the domain has",
    "exact-lp-start-of-nan": "span fewer directions than the domain has",
    "apex-near-1e323": VERTEX_REFUSES["apex-near-1e323"]}
#: The decision boundary is measured on bounded 2-D and 3-D domains: its pieces' areas on a
#: box of 1e300 are near 1e600.
DECISION_REFUSES = {"box-of-1e300": "a piece's area is near 1e\\+600, beyond float64"}


@pytest.mark.parametrize("name", CASES)
def test_topology_and_compare_are_quiet_and_exact(name):
    # The face lattice ran the vertex engine outside enumerate_regions' quiet section
    # ("overflow encountered in reduce" under -W error), face points beyond float64 raised
    # OverflowError rounding them, the decision boundary's lengths and areas overflowed in
    # np.linalg.norm and np.cross on a domain of 1e300, and compare mapped a witness of inf
    # to the input (inf * 0: "invalid value encountered in matmul"). Now each answer is
    # the exact oracle's (on a line, the level sets' from the exact pieces of the network),
    # or a DomainError names the value beyond float64.
    net, domain, where = case(name)
    truth = unambiguous(oracles.exact_patterns, net, where)
    part = regions.enumerate_regions(net, domain, method="split")
    dim = part.domain.dim
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        same = regions.compare(net, net, domain, method="split")
        assert same.equivalent and same.differing == 0 and same.regions == len(truth)
        assert exactly_inside(where.A, where.c, same.argmax)
        if part.domain.is_bounded and dim in (2, 3):
            check_decision_boundary(part, where, DECISION_REFUSES.get(name))
        if name in LEVEL_SETS_REFUSE:
            for analysis in (regions.betti_numbers, regions.boundary_betti_numbers,
                             regions.unbounded_components, regions.critical_points,
                             regions.sublevel_persistence):
                with pytest.raises(regions.DomainError, match=LEVEL_SETS_REFUSE[name]):
                    analysis(part)
            return
        lattice = regions.face_lattice(part)
        found = level_sets(part)
    assert lattice.f_vector[dim] == len(truth)
    assert lattice.euler_characteristic == (1 if part.domain.is_bounded else (-1) ** dim)
    if part.domain.is_bounded:
        assert found["unbounded"] == [0, 0, 0]
    if dim > 1:
        return
    pieces = exact_line_pieces(net, where)  # intervals in a row
    assert [(lo, hi) for lo, hi, _, _ in pieces[1:]] == [
        (hi, later) for (_, hi, _, _), (_, later, _, _) in zip(pieces, pieces[1:])]
    assert lattice.f_vector == [len(pieces) + (1 if part.domain.is_bounded else -1),
                                len(pieces)]
    sets = [line_components(pieces, sign) for sign in (1, -1, None)]
    assert found["betti"] == [(len(components),) for components in sets]
    assert found["unbounded"] == [sum(-math.inf in (lo, hi) or math.inf in (lo, hi)
                                      for lo, hi in components)
                                  for components in sets]
    ends = {x for lo, hi, _, _ in pieces for x in (lo, hi) if abs(x) != math.inf}
    values = {float(slope * x + offset) for lo, hi, slope, offset in pieces
              for x in (lo, hi) if abs(x) != math.inf}
    assert found["critical points"] <= {float(x) for x in ends}
    assert found["critical values"] <= values and found["bar ends"] <= values
    assert found["lowest"] == line_extreme(pieces, -1)
    assert found["highest"] == line_extreme(pieces, 1)


def level_sets(part) -> dict:
    """What the topology of the level sets at 0 says of ``part``: the Betti numbers of
    ``f >= 0``, ``f <= 0`` and ``f = 0``, their components reaching to infinity, the
    critical points (input coordinates, on a line) and values, the finite ends of the
    persistence bars of dimension 0, and the births of the bars that never die (the least
    and the largest value of ``f``)."""
    critical = regions.critical_points(part)
    below, above = regions.sublevel_persistence(part)[0], regions.superlevel_persistence(part)[0]
    bars = np.concatenate([below.ravel(), above.ravel()])
    return {"betti": [regions.betti_numbers(part), regions.betti_numbers(part, below=True),
                      regions.boundary_betti_numbers(part)],
            "unbounded": [regions.unbounded_components(part, of=which)
                          for which in ("superlevel", "sublevel", "level")],
            "critical points": {float(c.point[0]) * part.scale for c in critical},
            "critical values": {c.value for c in critical},
            "bar ends": set(bars[np.isfinite(bars)].tolist()),
            "lowest": float(below[below[:, 1] == np.inf, 0][0]),
            "highest": float(above[above[:, 1] == -np.inf, 0][0])}


def check_decision_boundary(part, where, refusal: str | None) -> None:
    """The zero set's pieces lie in the closed domain, each measure is its piece's length
    or area (:func:`piece_measure`), or the DomainError ``refusal``."""
    if refusal is not None:
        with pytest.raises(regions.DomainError, match=refusal):
            regions.decision_boundary(part)
        return
    zero = regions.decision_boundary(part)
    assert zero.count == len(zero.measures) and np.all(np.isfinite(zero.measures))
    for piece, measure in zip(zero.pieces, zero.measures):  # in working coordinates
        corners = [[Fraction(v) for v in corner] for corner in piece]
        assert all(exactly_inside(where.A, where.c, [v * Fraction(part.scale) for v in corner])
                   for corner in corners)
        assert measure == pytest.approx(piece_measure(corners), rel=1e-9)


def piece_measure(corners: list) -> float:
    """The length of a segment or the area of a convex polygon (corners in order), by hand:
    lengths as square roots of exact squares, scaled by a power of two first."""
    def length(vector):
        square = sum(v * v for v in vector)
        shift = (square.numerator.bit_length() - square.denominator.bit_length()) // 2
        return math.sqrt(square / Fraction(4) ** shift) * 2.0 ** shift
    first = corners[0]
    if len(first) == 2:
        return length([a - b for a, b in zip(corners[1], first)])
    total = 0.0
    for p, q in zip(corners[1:], corners[2:]):
        u, v = [a - b for a, b in zip(p, first)], [a - b for a, b in zip(q, first)]
        total += length([u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2],
                         u[0] * v[1] - u[1] * v[0]]) / 2
    return total


def test_values_of_f_beyond_float64_on_a_line_are_refused():
    # f = relu(1e300 x) on [-1e10, 1e10] is 0 up to x = 0, then reaches 1e310 at x = 1e10
    # (by hand): one lap over two regions, crossing 1/2 once; the sublevel sets are born at
    # 0 and never die. The superlevel ones are born at 1e310, and the range and the values
    # at the regions' ends reach it: float(...) raised OverflowError, and inf would be a
    # bar that never ends.
    from regions.complex import dynamics
    net = network([([[1e300]], [0.0]), ([[1.0]], [0.0])], ["relu", "identity"])
    part = regions.enumerate_regions(net, regions.box(-1e10, 1e10))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert regions.sublevel_persistence(part)[0].tolist() == [[0.0, math.inf]]
        assert dynamics.laps(net, -1e10, 1e10) == (1, 2) and dynamics.crossings(part, 0.5) == 1
        for beyond in (regions.superlevel_persistence, dynamics.region_ends,
                       dynamics.self_map_range):
            with pytest.raises(regions.DomainError, match="value of f .* is near 1e\\+310"):
                beyond(part)


def exact_output(net, x) -> Fraction:
    """The network's (scalar) output at ``x`` in Fractions, layer by layer, by hand."""
    values = [Fraction(v) for v in x]
    for W, b, activation, slope in oracles._exact_layers(net):
        z = [sum((w * v for w, v in zip(row, values)), c) for row, c in zip(W, b)]
        values = [max(v, Fraction(0)) if activation == "relu" else
                  v if activation == "identity" or (activation == "leaky_relu" and v > 0) else
                  slope * v if activation == "leaky_relu" else max(Fraction(-1), min(Fraction(1), v))
                  for v in z]
    return values[0]


#: max |f| over the polytopes' corners (f there is a sum of relus with positive weights,
#: convex and nonnegative, largest at a corner), by hand.
POLYTOPE_CORNERS = {"polytope-of-1e300": [(2e300, -1e300), (1e300, -1e300), (2e300, -2e300)],
                    "polytope-of-1e300-around-0": [(1e300, 1e300), (1e300, -2e300),
                                                   (-2e300, 1e300)]}
#: Where the largest difference is attained only beyond float64 (breakpoints near 1e323).
COMPARE_REFUSES = {"apex-near-1e323": "the largest difference .* is near 1e\\+323, beyond float64"}


@pytest.mark.parametrize("name", CASES)
def test_compare_with_the_network_doubled_is_exact(name):
    # compare(f, 2f) finds |f - 2f| = |f|. HiGHS answered NaN on these regions' rows (the
    # region skipped: "largest difference 0.0" on a polytope where f reaches 6.3e300, and no
    # point) or failed (LPError); the largest difference is now the exact LP's over each
    # region's exact rows. The maps differ exactly where the oracle's f is not 0; the
    # largest difference is |f| at its point, and by hand on a line and on the polytopes.
    net, domain, where = case(name)
    layers = [(layer.weight, layer.bias) for layer in net.layers]
    layers[-1] = (2 * layers[-1][0], 2 * layers[-1][1])
    doubled = network(layers, [layer.activation for layer in net.layers], net.layers[0].slope)
    truth = unambiguous(oracles.exact_patterns, net, where)
    exact = oracles._exact_layers(net)
    maps = [oracles._exact_affine(exact, oracles._qmat(where.basis), oracles._qvec(where.origin),
                                  pattern, len(exact) - 1) for pattern in truth]
    nonzero = sum(any(v != 0 for v in G[0]) or beta[0] != 0 for G, beta in maps)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        if name in COMPARE_REFUSES:
            with pytest.raises(regions.DomainError, match=COMPARE_REFUSES[name]):
                regions.compare(net, doubled, domain, method="split")
            return
        found = regions.compare(net, doubled, domain, method="split")
    assert found.equivalent == (nonzero == 0) and found.differing == nonzero
    assert found.regions == len(truth)
    if found.argmax is not None:
        assert exactly_inside(where.A, where.c, found.argmax)
        assert found.max_abs_difference == pytest.approx(float(abs(exact_output(
            net, found.argmax))), rel=1e-12)
    if name in POLYTOPE_CORNERS:
        assert found.max_abs_difference == float(max(exact_output(net, corner)
                                                     for corner in POLYTOPE_CORNERS[name]))
    elif domain.resolve(net.input_dim).dim == 1 and not found.equivalent:
        pieces = exact_line_pieces(net, where)
        assert found.max_abs_difference == max(-line_extreme(pieces, -1),
                                               line_extreme(pieces, 1))


def laps_and_crossings(pieces: list) -> tuple[int, int]:
    """``(laps, sign changes of f)`` along the exact pieces of a line, by hand: a flat piece
    joins its neighbours' laps, and a value exactly 0 changes no sign."""
    slopes = [s for _, _, s, _ in pieces if s != 0]
    laps = 1 + sum(1 for a, b in zip(slopes, slopes[1:]) if (a > 0) != (b > 0))
    values = [slope * x + offset for lo, hi, slope, offset in pieces for x in (lo, hi)]
    signs = [(v > 0) - (v < 0) for v in values if v != 0]
    return laps, sum(1 for a, b in zip(signs, signs[1:]) if a != b)


@pytest.mark.parametrize("bounds", [(-1.0, 1.0), (-1e300, 1e300)])
@pytest.mark.parametrize("name", [name for name in CASES if case(name)[0].input_dim == 1])
def test_laps_crossings_and_entropy_on_a_line_are_quiet_and_exact(name, bounds):
    # The regions' polyhedra (polyhedra.pattern_constraints, under the crossings and the
    # entropy) let maps of 1e300 and more overflow float64 with numpy's warnings on
    # ('overflow encountered in matmul' under -W error). The laps, the regions and the
    # crossings of 0 are those of the exact oracle's pieces, by hand; the entropy gives an
    # answer, or refuses a map of the interval out of itself or a value beyond float64.
    from regions.complex import dynamics
    net, _, _ = case(name)
    lo, hi = bounds
    pieces = exact_line_pieces(net, oracles.box_slice([lo], [hi]))
    laps, crossings = laps_and_crossings(pieces)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        part = regions.enumerate_regions(net, regions.box(lo, hi))
        assert dynamics.laps(net, lo, hi) == (laps, len(pieces))
        assert dynamics.crossings(part, 0.0) == crossings
        try:
            regions.entropy(net, lo, hi, 2)
        except regions.RegionsError as refusal:
            assert re.search("does not map .* into itself|beyond float64", str(refusal))
