"""Degenerate arrangements whose region counts are worked out by hand, on every engine.

Each case is written once, in the table below, with the derivation of its
expected count (or pattern set) in the comment next to it. Each case runs on
every engine: ``method="split"``, ``"walk"`` and ``"vertex"`` (on all of R^n
from the cones of ``regions.engines.vertex.first_cones``). Two independent sources check every engine's answer:

* the hand count (the truth stated in the case), and
* an exact oracle that shares nothing with ``regions``: brute force over the
  activation patterns in rational arithmetic (``oracles.exact_patterns``, an
  exact simplex on ``fractions.Fraction``) and, on 2-D domains, exact convex
  polygon clipping in rationals (``oracles.polygon_partition(exact=True)``).
  Dead neurons, zero rows, coincident / parallel / concurrent hyperplanes and
  hyperplanes through vertices are decided there with no tolerance. The
  oracle itself is checked against the hand count (``test_exact_oracle...``).

No expected count comes from ``regions`` itself.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pytest

import regions

import oracles
from marks import engine_marks, engines
from oracles import hidden, pattern_set, random_net, unambiguous

# --------------------------------------------------------------------------- domains


@dataclass(frozen=True)
class Dom:
    """A ``regions`` domain with its independent oracle slice (and polygon when 2-D)."""

    make: object          # () -> regions domain
    slice: oracles.Slice
    bounded: bool
    polygon: object = None


def box(lo, hi, n):
    lo = np.broadcast_to(np.asarray(lo, float), (n,))
    hi = np.broadcast_to(np.asarray(hi, float), (n,))
    polygon = (np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]])
               if n == 2 else None)
    return Dom(lambda: regions.box(lo.copy(), hi.copy()), oracles.box_slice(lo, hi), True,
               polygon)


def whole(n):
    return Dom(lambda: regions.whole_space(), oracles.whole_slice(n), False)


def poly(A, c, polygon=None):
    A, c = np.asarray(A, float), np.asarray(c, float)
    return Dom(lambda: regions.polytope(A, c), oracles.polytope_slice(A, c), True, polygon)


def plane(p0, p1, p2, lo, hi):
    return Dom(lambda: regions.plane(p0, p1, p2, lo=lo, hi=hi),
               oracles.plane_slice(p0, p1, p2, lo, hi), True, oracles.square(lo, hi))


def two_layers_1d(w2, b2):
    """h = relu(x), then relu(w2 h + b2)."""
    return regions.Network.from_layers(
        [(np.array([[1.0]]), np.zeros(1)), (np.array([[w2]]), np.array([b2])),
         (np.ones((1, 1)), np.zeros(1))])


def two_layers_2d(w2, b2):
    """h = relu(x) (x the first coordinate), then relu(w2 h + b2)."""
    return regions.Network.from_layers(
        [(np.array([[1.0, 0.0]]), np.zeros(1)), (np.array([[w2]]), np.array([b2])),
         (np.ones((1, 1)), np.zeros(1))])


SQ = box(-1, 1, 2)
CUBE = box(-1, 1, 3)
LINE = whole(1)
PLANE = whole(2)
SPACE = whole(3)
TRI = poly([[-1, 0], [0, -1], [1, 1]], [0, 0, 1], np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]]))

# --------------------------------------------------------------------------- the cases
#
# CASES[id] = (network, Dom, expected): expected is a region count or the exact pattern set.

CASES = {}


def case(name, net, dom, expected, check=None):
    """Register a case; ``check(found)`` is an extra assertion on the pattern set."""
    assert name not in CASES, name
    CASES[name] = (net, dom, expected, check)


def line_count(rows, biases, lo=None, hi=None) -> int:
    """Regions cut by the lines ``rows[i] . x + biases[i] = 0`` from the open square
    ``(lo, hi)^2`` (all of R^2 when ``lo`` is None), in exact rationals:
    ``1 + L + sum_p (k_p - 1)`` for the ``L`` distinct lines meeting the interior and
    the points ``p`` inside where ``k_p >= 2`` of them meet (Euler's formula for an
    arrangement of chords). For inputs whose rounding decides the geometry: a rounded
    row or bias is an exact rational, so lines meant to be concurrent or identical
    generally are not, and this count says what they are."""
    from fractions import Fraction as Q

    def inside(x):
        return lo is None or all(Q(lo) < c < Q(hi) for c in x)

    lines = []
    for (a, b), c in zip(rows, biases):
        a, b, c = Q(a), Q(b), Q(c)
        if a == b == 0:
            continue
        if lo is not None:
            corners = [a * x + b * y + c for x in (Q(lo), Q(hi)) for y in (Q(lo), Q(hi))]
            if not (max(corners) > 0 and min(corners) < 0):
                continue
        if not any(a * e - b * d == 0 and a * f - c * d == 0 and b * f - c * e == 0
                   for d, e, f in lines):
            lines.append((a, b, c))
    points = {}
    for i, (a, b, c) in enumerate(lines):
        for j, (d, e, f) in enumerate(lines[:i]):
            det = a * e - b * d
            if det != 0:
                x = ((b * f - c * e) / det, (c * d - a * f) / det)
                if inside(x):
                    points.setdefault(x, set()).update({i, j})
    return 1 + len(lines) + sum(len(through) - 1 for through in points.values())


# ----- coincident hyperplanes

for act in ("relu", "leaky_relu"):
    # Both neurons break at x = 0.3: one point splits R into 2 pieces, not 3; they share a state.
    case(f"identical-1d-{act}", hidden([[2.0], [2.0]], [-0.6, -0.6], act), LINE, {(0, 0), (1, 1)})
    # Lines x = 0 (twice) and y = 0: two distinct lines crossing at the centre, 4 quadrants;
    # the two copies always share a state.
    for name, dom in (("plane", PLANE), ("box", SQ)):
        case(f"duplicate-{act}-{name}", hidden([[1, 0], [1, 0], [0, 1]], [0, 0, 0], act), dom,
             {(0, 0, 0), (0, 0, 1), (1, 1, 0), (1, 1, 1)})

for s in (0.5, 4.0):
    # (w, b) and (s w, s b), s > 0 a power of two (so s w and s b are exact), vanish on the
    # same line and agree in sign everywhere: the line x - 2y + 0.4 = 0 and the crossing line
    # 0.5x + y = 0.1 (they meet at (-0.15, 0.175), inside the box): 4 regions, patterns
    # (a, a, b) for a, b in {0, 1}.
    w, b = np.array([1.0, -2.0]), 0.4
    net = hidden([w, s * w, [0.5, 1.0]], [b, s * b, -0.1])
    for name, dom in (("plane", PLANE), ("box", SQ)):
        case(f"scaled-duplicate-{s:g}-{name}", net, dom,
             {(0, 0, 0), (0, 0, 1), (1, 1, 0), (1, 1, 1)})
for s in (1e-3, 3.0, 1e3):
    # The same with an inexact scale: s w is still exact (w = (1, -2)), but the float s b is
    # not s times b, so the two lines are parallel and ~1e-17 apart: a strip, cut by the
    # crossing line: 6 regions (line_count decides it exactly).
    w, b = np.array([1.0, -2.0]), 0.4
    net = hidden([w, s * w, [0.5, 1.0]], [b, s * b, -0.1])
    for name, dom, lo, hi in (("plane", PLANE, None, None), ("box", SQ, -1, 1)):
        case(f"scaled-duplicate-{s:g}-{name}", net, dom,
             line_count(net.layers[0].weight, net.layers[0].bias, lo, hi),
             lambda found: len(found) == 6)

for small, large in [(1e-6, 1e6), (1e-9, 1.0), (1.0, 1e9)]:
    # The same line at very different scales, plus x + 0.2 y = -0.05 crossing it inside the
    # box (0.3x - 0.7y = -0.11 and x + 0.2y = -0.05 meet at about (-0.074, 0.125)). The scaled
    # rows are rounded independently, so in exact arithmetic the two lines are distinct, ~1e-16
    # apart in the box: a sliver that is a region (two when they cross inside the box, each
    # cut by the third line): 6 or 7 regions, decided exactly by line_count.
    w, b = np.array([0.3, -0.7]), 0.11
    net = hidden([small * w, large * w, [1.0, 0.2]], [small * b, large * b, 0.05])
    case(f"scales-{small:g}-{large:g}-box", net, SQ,
         line_count(net.layers[0].weight, net.layers[0].bias, -1, 1),
         lambda found: len(found) in (6, 7))
for small, large in [(2.0 ** -20, 2.0 ** 20), (2.0 ** -30, 1.0), (1.0, 2.0 ** 30)]:
    # The same with exact (power-of-two) scales: one line in R^2 too, 4 regions.
    w, b = np.array([0.3, -0.7]), 0.11
    net = hidden([small * w, large * w, [1.0, 0.2]], [small * b, large * b, 0.05])
    for name, dom in (("plane", PLANE), ("box", SQ)):
        case(f"scales-2^{int(np.log2(small))}-2^{int(np.log2(large))}-{name}", net, dom, 4)

# relu(x - 0.2) and relu(0.2 - x): one breakpoint, the two neurons are never both on.
case("negated-1d", hidden([[1.0], [-1.0]], [-0.2, 0.2]), LINE, {(0, 1), (1, 0)})
# relu(x - 0.2 y) and relu(0.2 y - x): the same line in the square, opposite states.
case("negated-box", hidden([[1.0, -0.2], [-1.0, 0.2]], [0.0, 0.0]), SQ, {(0, 1), (1, 0)})

# z1 = x and z2 = x (hard-tanh): both break at x = -1 and x = 1, so 3 intervals, not 5.
case("hardtanh-twins-1d", hidden([[1.0], [1.0]], [0, 0], "hardtanh"), LINE,
     {(-1, -1), (0, 0), (1, 1)})
# z1 = x breaks at +-1, z2 = 2x at +-1/2: 4 distinct points, 5 intervals.
case("hardtanh-nested-1d", hidden([[1.0], [2.0]], [0, 0], "hardtanh"), LINE, 5)
# z1 = x breaks at -1, 1; z2 = x + 2 at -3, -1: -1 is shared, 3 points, 4 intervals.
case("hardtanh-shared-point-1d", hidden([[1.0], [1.0]], [0, 2], "hardtanh"), LINE, 4)
# z = 2x (twice) breaks at x = +-1/2: 3 vertical strips, the copies always agree; z = 4y
# breaks at y = +-1/4: 3 horizontal strips. 3 x 3 = 9 cells.
case("hardtanh-duplicate-box", hidden([[2, 0], [2, 0], [0, 4]], [0, 0, 0], "hardtanh"), SQ, 9,
     lambda found: all(p[0] == p[1] for p in found))

# Layer 1: h = relu(x). Layer 2: relu(h) breaks exactly where h does (x = 0): 2 regions;
# relu(-h) is never on: 2 regions; relu(h - 1) adds x = 1: 3 regions (relu(h - 1/2) adds
# x = 1/2 inside the square).
case("deep-coincides-1d", two_layers_1d(1.0, 0.0), LINE, {(0, 0), (1, 1)})
case("deep-never-on-1d", two_layers_1d(-1.0, 0.0), LINE, {(0, 0), (1, 0)})
case("deep-new-point-1d", two_layers_1d(1.0, -1.0), LINE, {(0, 0), (1, 0), (1, 1)})
case("deep-coincides-box", two_layers_2d(1.0, 0.0), SQ, {(0, 0), (1, 1)})
case("deep-never-on-box", two_layers_2d(-1.0, 0.0), SQ, {(0, 0), (1, 0)})
case("deep-new-line-box", two_layers_2d(1.0, -0.5), SQ, {(0, 0), (1, 0), (1, 1)})

# h1 = h2 = relu(x); layer 2 computes h1 - h2 = 0 everywhere: a constant, state 0 (z > 0 is
# false), so 2 regions (x < 0, x > 0).
zero_deep_1d = regions.Network.from_layers(
    [(np.array([[1.0], [1.0]]), np.zeros(2)), (np.array([[1.0, -1.0]]), np.zeros(1)),
     (np.ones((1, 1)), np.zeros(1))])
case("deep-identically-zero-1d", zero_deep_1d, LINE, {(0, 0, 0), (1, 1, 0)})
zero_deep_2d = regions.Network.from_layers(
    [(np.array([[1.0, 0.0], [1.0, 0.0]]), np.zeros(2)), (np.array([[1.0, -1.0]]), np.zeros(1)),
     (np.ones((1, 1)), np.zeros(1))])
case("deep-identically-zero-box", zero_deep_2d, SQ, {(0, 0, 0), (1, 1, 0)})

# ----- parallel hyperplanes

# x = -1, 0, 1 (3 parallel lines, 4 strips) and y = 0 crossing all: sum over chosen families
# 1 + (3 + 1) + 3 * 1 = 8 regions of R^2. On [-1, 1]^2 the lines x = +-1 are faces: only
# x = 0 and y = 0 cut it, 4 regions.
strips = hidden([[1, 0], [1, 0], [1, 0], [0, 1]], [1, 0, -1, 0])
case("strips-plane", strips, PLANE, 8)
case("strips-box", strips, SQ, 4)
# 3 families of 2 parallel planes x_i = +-1/2: 3^3 = 27 cells of R^3, and the parallel
# families formula sum_i C(3, i) 2^i = 1 + 6 + 12 + 8 = 27 agrees.
case("slabs-space", hidden(np.vstack([np.eye(3), np.eye(3)]), [0.5] * 3 + [-0.5] * 3), SPACE,
     oracles.parallel_families(3, 2, 3))
# x = -0.5, 0, 0.5 and y = -0.5, 0, 0.5 all cross the box: 4 x 4 = 16 cells.
case("grid-box", hidden([[1, 0]] * 3 + [[0, 1]] * 3, [0.5, 0, -0.5] * 2), SQ, 16)
# Slabs in the cube: x in 2 parallel planes (x = -1/2, 1/4), y in 2 (y = -3/4, 1/2), z in 1
# (z = -1/10): 3 x 3 x 2 = 18.
case("slabs-cube", hidden([[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1]],
                          [0.5, -0.25, 0.75, -0.5, 0.1]), CUBE, 18)
# x + 2y = t for t in {-1.5, -0.5, 0.5, 1.5} all cross [-1, 1]^2 (|x + 2y| <= 3): 5 strips.
# The line x - y = 0.1 runs in the box for x in [-0.9, 1], where x + 2y = 3x - 0.2 covers
# [-2.9, 2.8]: it crosses all four lines inside and cuts every strip in two: 10 regions.
case("oblique-strips-box", hidden([[1, 2]] * 4 + [[1, -1]], [1.5, 0.5, -0.5, -1.5, -0.1]),
     SQ, 10)

# ----- constant neurons

# x + y - 5 < 0 on [-1, 1]^2: off everywhere there (state 0), with x = 0, y = 0: 4 regions.
# On R^2 the line x + y = 5 enters three quadrants, at (6, -1), (-1, 6) and (2.5, 2.5), and
# splits each: 4 + 3 = 7 regions.
dead = hidden([[1, 0], [0, 1], [1, 1]], [0, 0, -5])
case("dead-box", dead, SQ, {(a, b, 0) for a in (0, 1) for b in (0, 1)})
case("dead-plane", dead, PLANE, 7)
# x + y - 5 < 0 and x - y + 5 > 0 on the box: constant states 0 and 1; x = 0, y = 0 cut.
case("dead-and-always-on-box", hidden([[1, 0], [0, 1], [1, 1], [1, -1]], [0, 0, -5, 5]), SQ,
     {(a, b, 0, 1) for a in (0, 1) for b in (0, 1)})

for bias, state in [(1.0, 1), (-1.0, 0), (0.0, 0), (1e-300, 1)]:
    # w = 0: the pre-activation is the bias everywhere; relu state 1 iff bias > 0 (exactly:
    # 1e-300 > 0). With x = 0: 2 regions.
    net = hidden([[1.0, 0.0], [0.0, 0.0]], [0.0, bias])
    for name, dom in (("plane", PLANE), ("box", SQ)):
        case(f"zero-row-{bias:g}-{name}", net, dom, {(0, state), (1, state)})

for bias, state in [(0.5, 0), (2.0, 1), (-3.0, -1), (1.0, 0), (-1.0, 0)]:
    # hard-tanh state: -1 if z < -1, 1 if z > 1, else 0 (z = +-1 exactly is linear, state 0).
    # z = x breaks at x = +-1 (3 intervals of R^2 in x), z = 2x at x = +-1/2 (3 in the box).
    case(f"zero-row-hardtanh-{bias:g}-plane", hidden([[1.0, 0.0], [0.0, 0.0]], [0.0, bias],
                                                     "hardtanh"), PLANE,
         {(-1, state), (0, state), (1, state)})
    case(f"zero-row-hardtanh-{bias:g}-box", hidden([[2.0, 0.0], [0.0, 0.0]], [0.0, bias],
                                                   "hardtanh"), SQ,
         {(-1, state), (0, state), (1, state)})

# All-zero first layer: the whole network is constant, states (0.5 > 0, -0.5 > 0, 0 > 0).
bias_only = regions.Network.from_layers(
    [(np.zeros((3, 2)), np.array([0.5, -0.5, 0.0])), (np.ones((1, 3)), np.zeros(1))])
case("bias-only-plane", bias_only, PLANE, {(1, 0, 0)})
case("bias-only-box", bias_only, SQ, {(1, 0, 0)})
# All-zero second layer after three lines (x + 0.2y = -0.1, -0.3x + y = 0.2, x + y = -0.3):
# they pairwise cross at (-7/53, 17/106), (-1/20, -1/4) and (-5/13, 11/130), all inside the
# box, and share no point, so 1 + 3 + 3 = 7 regions (Zaslavsky) in the box and in R^2;
# layer 2's states are the signs of its biases (0.3, -0.2, 0): (1, 0, 0).
zero_second = regions.Network.from_layers(
    [(np.array([[1.0, 0.2], [-0.3, 1.0], [1.0, 1.0]]), np.array([0.1, -0.2, 0.3])),
     (np.zeros((3, 3)), np.array([0.3, -0.2, 0.0])), (np.ones((1, 3)), np.zeros(1))])
case("zero-second-layer-box", zero_second, SQ, 7,
     lambda found: {p[3:] for p in found} == {(1, 0, 0)})
case("zero-second-layer-plane", zero_second, PLANE, oracles.zaslavsky(3, 2),
     lambda found: {p[3:] for p in found} == {(1, 0, 0)})
# For x < 0 and y < 0 both first-layer neurons are off, so layer 2 sees 0 and its state is
# the sign of its bias 0.5: on. Elsewhere relu(x) + relu(y) + 0.5 > 0 too: always on; the
# 4 quadrants of layer 1 are the regions.
all_off = regions.Network.from_layers(
    [(np.eye(2), np.zeros(2)), (np.array([[1.0, 1.0]]), np.array([0.5])),
     (np.ones((1, 1)), np.zeros(1))])
case("after-all-off-plane", all_off, PLANE, {(a, b, 1) for a in (0, 1) for b in (0, 1)})

# ----- hyperplanes through one point

for point in ([0.0, 0.0], [0.3, -0.2]):
    # Three distinct lines through one point cut the plane into 6 sectors, not the 7 of
    # general position; the point is inside the box, so all 6 meet it.
    rows = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    net = hidden(rows, -rows @ np.array(point))
    case(f"three-concurrent-{point[0]:g}-plane", net, PLANE, 6)
    case(f"three-concurrent-{point[0]:g}-box", net, SQ, 6)
# Four lines through the origin: 8 sectors.
case("four-concurrent-plane",
     hidden([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, -2.0]], np.zeros(4)), PLANE, 8)
for k in (2, 3, 4, 5, 6, 8):
    for point in ((0.0, 0.0), (0.25, -0.375)):
        # k distinct lines through one interior point cut the box into 2k sectors (every line
        # leaves the box on both sides of the point). The directions are rounded cosines; through
        # the origin (zero biases) the lines meet exactly: 2k. Through (0.25, -0.375) the biases
        # are rounded, the lines do not meet in one point, and the triangles they bound (~1e-16)
        # are regions: line_count decides exactly (1 + k + k(k - 1) / 2 in general position).
        angles = np.pi * np.arange(k) / k + 0.1
        rows = np.stack([np.cos(angles), np.sin(angles)], axis=1)
        biases = -rows @ np.array(point)
        case(f"{k}-lines-through-{point[0]:g}-box", hidden(rows, biases), SQ,
             2 * k if point == (0.0, 0.0) else line_count(rows, biases, -1, 1))
for k in (3, 5):
    # Same, with exactly representable rows and the point (1/2, 1/4): 2k sectors.
    rows = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, -2.0], [2.0, 1.0]])[:k]
    case(f"{k}-lines-through-dyadic-point-box", hidden(rows, -rows @ np.array([0.5, 0.25])), SQ,
         2 * k)
# n generic planes through one point of R^3 make n^2 - n + 2 cones (n great circles cut the
# sphere into n(n - 1) + 2 pieces): 3 -> 8, 4 -> 14. The cube holds a ball around the apex
# (the origin), and every cone meets every ball around its apex: the same counts there.
central = np.array([[1.0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 2, -3]])
for dom_name, dom in (("space", SPACE), ("cube", CUBE)):
    case(f"three-central-planes-{dom_name}", hidden(central[:3], np.zeros(3)), dom, 8)
    case(f"four-central-planes-{dom_name}", hidden(central, np.zeros(4)), dom, 14)
    # Three planes through one common line (the z axis): 6 wedges.
    case(f"planes-through-a-line-{dom_name}",
         hidden(np.array([[1.0, 0, 0], [0, 1, 0], [1, 1, 0]]), np.zeros(3)), dom, 6)
# 4 coordinate hyperplanes through the centre of [-1, 1]^4: 16 orthants; a fifth generic
# hyperplane through the centre: a central generic arrangement of 5 in R^4 has
# 2 * sum_{i<4} C(4, i) = 2 * (1 + 4 + 6 + 4) = 30 regions.
central4 = np.vstack([np.eye(4), [[1.0, 2.0, -3.0, 0.5]]])
case("orthants-4d", hidden(central4[:4], np.zeros(4)), box(-1, 1, 4), 16)
case("five-central-4d", hidden(central4, np.zeros(5)), box(-1, 1, 4), 30)
# Layer 1: relu(x - p) on both axes, vertex p = (1/8, -3/16). Layer 2: z = h1 - 2 h2 is 0 on
# the quadrant (-, -) (state 0), positive on (+, -), negative on (-, +), and on (+, +)
# vanishes on the ray h1 = 2 h2 from p, which splits it: 4 + 1 = 5 regions.
p = np.array([0.125, -0.1875])
bent = regions.Network.from_layers(
    [(np.eye(2), -p), (np.array([[1.0, -2.0]]), np.zeros(1)), (np.ones((1, 1)), np.zeros(1))])
case("deep-bent-through-vertex-plane", bent, PLANE, 5)
case("deep-bent-through-vertex-box", bent, box(p - 1.0, p + 1.0, 2), 5)
for seed in range(5):
    # The same with p, a > 0 > b random (inexact): the bent line passes through the vertex p
    # only up to rounding; still 5 regions.
    rng = np.random.default_rng(seed)
    q = rng.normal(size=2) / 7.0
    a, b = rng.uniform(0.5, 2.0), -rng.uniform(0.5, 2.0)
    net = regions.Network.from_layers(
        [(np.eye(2), -q), (np.array([[a, b]]), np.zeros(1)), (np.ones((1, 1)), np.zeros(1))])
    case(f"deep-bent-inexact-seed{seed}-plane", net, PLANE, 5)
    case(f"deep-bent-inexact-seed{seed}-box", net, box(q - 1.0, q + 1.0, 2), 5)
for seed in range(5):
    # Common point and directions not representable: the three computed lines bound a triangle
    # of size ~1e-16 around the point, which is a region: 7 (Zaslavsky), unless the rounding
    # happens to keep them concurrent (6); line_count decides exactly.
    rng = np.random.default_rng(seed)
    q = rng.normal(size=2) / 3.0
    rows = rng.normal(size=(3, 2))
    net = hidden(rows, -rows @ q)
    count = line_count(rows, net.layers[0].bias)
    case(f"three-inexact-concurrent-seed{seed}-plane", net, PLANE, count)
    case(f"three-inexact-concurrent-seed{seed}-box", net, box(q - 0.7, q + 0.9, 2), count)

# ----- hyperplanes through vertices and along faces of the domain

# x + y = 2 touches [-1, 1]^2 only at the corner (1, 1): no cut (x + y - 2 < 0 inside: off;
# the negated neuron is on).
case("touch-corner-off", hidden([[1, 1]], [-2]), SQ, {(0,)})
case("touch-corner-on", hidden([[-1, -1]], [2]), SQ, {(1,)})
# x + y = 0 runs through the corners (-1, 1) and (1, -1): 2 triangles; x - y = 0 through the
# other two: 4 triangles.
case("diagonal", hidden([[1, 1]], [0]), SQ, 2)
case("two-diagonals", hidden([[1, 1], [1, -1]], [0, 0]), SQ, 4)
# In 3-D: x + y + z = 3 touches the cube at a vertex, x + y = 2 along an edge: 1 region each
# (both off inside); with a generic plane 0.3x - y + 0.2z = -0.1 through the centre region: 2.
case("touch-cube-vertex", hidden([[1, 1, 1]], [-3]), CUBE, {(0,)})
case("touch-cube-edge", hidden([[1, 1, 0]], [-2]), CUBE, {(0,)})
case("touch-cube-plus-plane", hidden([[1, 1, 1], [1, 1, 0], [0.3, -1, 0.2]], [-3, -2, 0.1]),
     CUBE, {(0, 0, 0), (0, 0, 1)})
# Lines through the corner (1, 1) with slopes 1/2, 1, 2 enter the box and fan out: 3 lines ->
# 4 regions. Adding x + y = 2 (slope -1), which only touches the corner (off inside): still 4.
fan = np.array([[0.5, -1.0], [1.0, -1.0], [2.0, -1.0]])
case("fan-from-corner", hidden(fan, -fan @ np.ones(2)), SQ, 4)
fan4 = np.vstack([fan, [[1.0, 1.0]]])
case("fan-from-corner-plus-touching", hidden(fan4, -fan4 @ np.ones(2)), SQ, 4,
     lambda found: {p[3] for p in found} == {0})
# Meant to pass through the corner (0.7, 0.7) of [0.1, 0.7]^2 with slope -1/3; the rounded
# line cuts a sliver off the corner (its value there is exactly > 0): 2 regions.
corner_row, corner_bias = [1.0 / 3.0, 1.0], -(0.7 / 3.0 + 0.7)
case("inexact-corner", hidden([corner_row], [corner_bias]), box(0.1, 0.7, 2),
     {(0,), (1,)}, lambda found: line_count([corner_row], [corner_bias], 0.1, 0.7) == 2)
# relu(x - 1) vanishes on the face x = 1 (off inside); relu(x + 1) on x = -1 (on inside).
case("on-face-off", hidden([[1, 0]], [-1]), SQ, {(0,)})
case("on-face-on", hidden([[1, 0]], [1]), SQ, {(1,)})
case("on-face-on-negated", hidden([[-1, 0]], [1]), SQ, {(1,)})
# All four faces (off inside) plus the line x = 0: 2 regions.
case("on-all-faces", hidden([[1, 0], [-1, 0], [0, 1], [0, -1], [1, 0]], [-1, -1, -1, -1, 0]),
     SQ, {(0, 0, 0, 0, 0), (0, 0, 0, 0, 1)})
# Hard-tanh z = x breaks exactly on the faces x = +-1: one region, the linear state.
case("hardtanh-on-faces", hidden([[1, 0]], [0], "hardtanh"), SQ, {(0,)})
# The six faces of the cube (off inside) and one interior plane 0.2x + y - 0.4z = -0.1: 2.
case("on-cube-faces", hidden(np.vstack([np.eye(3), -np.eye(3), [[0.2, 1.0, -0.4]]]),
                             [-1] * 6 + [0.1]), CUBE, 2)
# Face x = 0.3 of [-0.1, 0.3] x [0.7, 1.1] (relu(x - 0.3): off), face y = 0.7 from the other
# side (relu(0.7 - y): off), and y = 0.9 through the middle: 2 regions.
case("on-inexact-faces", hidden([[1, 0], [0, -1], [0, 1]], [-0.3, 0.7, -0.9]),
     box([-0.1, 0.7], [0.3, 1.1], 2), {(0, 0, 0), (0, 0, 1)})
# Triangle x >= 0, y >= 0, x + y <= 1 with neurons on its three faces (x + y - 1 off inside;
# x and y on: z > 0 in the interior) and the line x = y through (0, 0): 2 regions.
case("triangle-faces", hidden([[1, 1], [1, 0], [0, 1], [1, -1]], [-1, 0, 0, 0]), TRI,
     {(0, 1, 1, 0), (0, 1, 1, 1)})
# The same triangle and neurons, the line x = y through the vertex (0, 0) and the opposite edge
# (2 regions), and 2x + y = 2, which meets the triangle only at its vertex (1, 0)
# (2x + y <= 2 there, equality only at x = 1): no cut. Regions: 2.
case("triangle-faces-and-vertices",
     hidden([[1, 1], [1, 0], [0, 1], [1, -1], [2, 1]], [-1, 0, 0, 0, -2]), TRI,
     {(0, 1, 1, 0, 0), (0, 1, 1, 1, 0)})
# A line through the vertex (1, 0) that does enter: x + 2y = 1 -> 2 regions; plus x = y
# through (0, 0) crossing it inside at (1/3, 1/3): 4 regions.
case("triangle-through-vertices", hidden([[1, 2], [1, -1]], [-1, 0]), TRI, 4)
# The face 3x + 4y <= 2 of {x >= 0, y >= 0, 3x + 4y <= 2} is the neuron's own line (off
# inside); x - y = -0.01 cuts the triangle: 2 regions, no sliver along the face.
case("normalised-polytope-face", hidden([[3, 4], [1, -1]], [-2, 0.01]),
     poly([[3.0, 4.0], [-1.0, 0.0], [0.0, -1.0]], [2.0, 0.0, 0.0],
          np.array([[0.0, 0.0], [2.0 / 3.0, 0.0], [0.0, 0.5]])), {(0, 0), (0, 1)})
# The square [-1, 1]^2 given as a polytope with a duplicated row and a row x + y <= 2 that
# only touches the corner (1, 1). Same regions as the box: 3 lines through (1/4, 0) -> 6.
redundant_square = poly([[1.0, 0], [-1, 0], [0, 1], [0, -1], [1, 0], [1, 1]],
                        [1.0, 1, 1, 1, 1, 2], oracles.square(-1, 1))
three = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
case("redundant-polytope-rows", hidden(three, -three @ np.array([0.25, 0.0])),
     redundant_square, 6,
     lambda found: found == exact_truth("redundant-polytope-rows-as-box"))
case("redundant-polytope-rows-as-box", hidden(three, -three @ np.array([0.25, 0.0])), SQ, 6)
# A plane slice of R^3 (z = 1/2, coordinates u = x, v = y) cut by planes that, restricted to
# it, are 3 lines meant to pass through the slice point (1/4, 1/4) and one plane z = 1/4
# parallel to the slice (constant on it: 1/2 - 1/4 > 0, state 1). The biases are rounded, so
# the three lines bound a tiny triangle: 7 regions, by line_count on the restricted lines
# (bias + 0.5 * third coefficient, exactly).
from fractions import Fraction  # noqa: E402

p0 = np.array([0.0, 0.0, 0.5])
slice_rows = np.array([[1.0, 0.0, 0.3], [0.0, 1.0, -2.0], [1.0, 1.0, 1.0], [0.0, 0.0, 1.0]])
slice_bias = -slice_rows @ np.array([0.25, 0.25, 0.5])
slice_bias[3] = -0.25
case("plane-slice", hidden(slice_rows, slice_bias),
     plane(p0, p0 + [1.0, 0, 0], p0 + [0, 1.0, 0], -1, 1),
     line_count(slice_rows[:3, :2], [Fraction(c) + Fraction(r[2]) / 2
                                      for r, c in zip(slice_rows[:3], slice_bias[:3])], -1, 1),
     lambda found: {p[3] for p in found} == {1})
# Hard-tanh z = 2x breaks at x = +-1/2: 3 intervals of [-1, 1]; on [-1/4, 1/4] neither: 1;
# z = x + 1 breaks at x = 0 and x = -2, only x = 0 is in (-1, 1): 2.
case("hardtanh-inside-1d", hidden([[2.0]], [0.0], "hardtanh"), box(-1, 1, 1), 3)
case("hardtanh-outside-1d", hidden([[2.0]], [0.0], "hardtanh"), box(-0.25, 0.25, 1), {(0,)})
case("hardtanh-one-inside-1d", hidden([[1.0]], [1.0], "hardtanh"), box(-1, 1, 1), 2)
# Box [1000, 1001]^2 with the lines x = 1000.5 and y = 1000.25: 4 regions.
case("far-away-box", hidden([[1, 0], [0, 1]], [-1000.5, -1000.25]), box(1000.0, 1001.0, 2), 4)
# Found by a stress run: layer 3's lines pass exactly through the vertex (-1/4, -1/4) of the
# earlier layers, so clipping leaves a piece whose three corners coincide there. It is no
# region: 12 patterns hold a ball (exact oracle), not 13; the zero-area pattern is
# (0, 0, 0, 1, 0, 1, 1).
case("zero-size-deep-piece", regions.Network.from_layers(
    [(np.array([[-2.0, 0.0], [0.0, -2.0]]), np.array([-0.5, -0.5])),
     (np.array([[-2.0, 1.0], [0.0, -2.0]]), np.zeros(2)),
     (np.array([[2.0, 0.0], [-1.0, 1.0], [-2.0, -1.0]]), np.array([-0.5, 0.5, 0.0])),
     (np.array([[0.0, 2.0, 1.0]]), np.array([1.0]))],
    ["leaky_relu", "leaky_relu", "leaky_relu", "identity"], slope=0.01), SQ, 12,
    lambda found: (0, 0, 0, 1, 0, 1, 1) not in found)

# ----- engines

ENGINE_CASES = [(name, method) for name, (_, dom, _, _) in CASES.items()
                for method in ("split", "vertex", "walk")]


@lru_cache(maxsize=None)
def exact_oracles(name):
    """The exact oracles' pattern set for case ``name`` (both oracles, which must agree), and
    on 2-D domains the region counts of the truncated networks (exact polygon clipping)."""
    net, dom, _, _ = CASES[name]
    truth = unambiguous(oracles.exact_patterns, net, dom.slice)
    per_layer = None
    if dom.polygon is not None:
        clipped, per_layer, _ = unambiguous(oracles.polygon_partition, net, dom.slice,
                                            dom.polygon, exact=True)
        assert len(clipped) == len(set(clipped))
        assert set(clipped) == truth, "the two exact oracles disagree"
    return frozenset(truth), per_layer


def exact_truth(name):
    return exact_oracles(name)[0]


def check_expected(found, expected, check):
    if isinstance(expected, set):
        assert found == expected
    else:
        assert len(found) == expected
    if check is not None:
        assert check(found)


@pytest.mark.parametrize("name", list(CASES))
def test_exact_oracle_matches_hand_count(name):
    check_expected(set(exact_truth(name)), *CASES[name][2:])


@pytest.mark.parametrize("name,method", [
    pytest.param(n, m, id=f"{n}-{m}", marks=engine_marks(m)) for n, m in ENGINE_CASES])
def test_degenerate_case(name, method):
    net, dom, expected, check = CASES[name]
    part = regions.enumerate_regions(net, dom.make(), method=method)
    assert part.method == method and part.complete
    found = pattern_set(part)
    check_expected(found, expected, check)
    truth, per_layer = exact_oracles(name)
    assert found == truth
    assert part.per_layer[-1] == len(part)
    if per_layer is not None:
        assert list(part.per_layer) == per_layer
    # Witnesses: inside the domain, a ball above min_radius unless the region is reported thin,
    # and the region's pattern by an independent forward pass (neurons within 1e-9 of a
    # breakpoint excepted).
    A, c = np.asarray(dom.slice.A, float), np.asarray(dom.slice.c, float)
    X = part.input_witnesses
    Z = (X - dom.slice.origin) @ dom.slice.basis
    assert np.all(Z @ A.T <= c + 1e-9)
    wide = np.setdiff1d(np.arange(len(part)), part.thin)
    assert np.all(part.margins[wide] > part.min_radius * part.scale)
    # Regions too thin for a certified float64 witness carry an exact one: checked exactly.
    exact = sorted(part.rational_witnesses)
    floats = np.setdiff1d(np.arange(len(part)), exact)
    masks = oracles.decisive(net, X[floats])
    assert np.all((oracles.true_patterns(net, X[floats]) == part.patterns[floats]) | ~masks)
    for i in exact:
        basis = part.domain.exact_basis()
        point = [sum((Fraction(int(basis[r, k].p), int(basis[r, k].q)) * z
                      for k, z in enumerate(part[i].rational_witness)), Fraction(o))
                 for r, o in enumerate(part.domain.origin)]
        assert oracles.exact_pattern_at(net, point) == tuple(part.patterns[i].tolist())


def test_every_case_runs_on_every_engine():
    methods = {}
    for name, method in ENGINE_CASES:
        methods.setdefault(name, set()).add(method)
    for name, (_, dom, _, _) in CASES.items():
        assert methods[name] == {"split", "vertex", "walk"}


@pytest.mark.parametrize("method", ["split", "vertex", "walk"])
def test_nearly_coincident_lines_on_the_plane_are_distinct(method):
    # The rows 1e-9 (0.3, -0.7) and (0.3, -0.7) are rounded independently, so the exact lines
    # are not parallel: they cross near (-0.95, -0.25) at an angle ~8e-18, and with the line
    # x + 0.2y = -0.05 (crossing both) they make 1 + 3 + 3 = 7 regions of R^2 when the three
    # crossings are distinct (line_count, exact). No tolerance merges them.
    w, b = np.array([0.3, -0.7]), 0.11
    net = hidden([1e-9 * w, w, [1.0, 0.2]], [1e-9 * b, b, 0.05])
    expected = line_count(net.layers[0].weight, net.layers[0].bias)
    assert expected in (6, 7)
    found = pattern_set(regions.enumerate_regions(net, method=method))
    assert len(found) == expected and found == oracles.exact_patterns(net, oracles.whole_slice(2))


# --------------------------------------------------------------------------- integer weights


def integer_network(n, seed):
    """Weights in {-2, ..., 2}, biases in {-1, -1/2, ..., 1}: many coincident, parallel and
    concurrent (bent) hyperplanes, zero rows, and pieces where a deep neuron is constant."""
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 4))
    act = str(rng.choice(["relu", "leaky_relu", "hardtanh"]))
    widths = [n] + [int(rng.integers(2, 5)) for _ in range(depth)] + [1]
    pairs = [(rng.integers(-2, 3, size=(o, i)).astype(float), rng.integers(-2, 3, size=o) * 0.5)
             for i, o in zip(widths[:-1], widths[1:])]
    return regions.Network.from_layers(pairs, [act] * depth + ["identity"])


INTEGER_TRIANGLE = poly([[-1.0, 0.0], [0.0, -1.0], [1.0, 1.0]], [1.0, 1.0, 1.0],
                        np.array([[-1.0, -1.0], [2.0, -1.0], [-1.0, 2.0]]))
INTEGER_CASES = ([(2, seed, "box") for seed in range(12)]
                 + [(2, seed, "triangle") for seed in range(12)]
                 + [(3, seed, "box") for seed in (0, 1, 2, 3, 6, 7, 8, 9, 10, 11)])


@lru_cache(maxsize=None)
def integer_truth(n, seed, where):
    net = integer_network(n, seed)
    dom = box(-1, 1, n) if where == "box" else INTEGER_TRIANGLE
    truth = unambiguous(oracles.exact_patterns, net, dom.slice)
    if dom.polygon is not None:
        assert set(unambiguous(oracles.polygon_partition, net, dom.slice, dom.polygon,
                               exact=True)[0]) == truth
    return net, dom, frozenset(truth)


@pytest.mark.parametrize("method", engines("split", "vertex", "walk"))
@pytest.mark.parametrize("n,seed,where", INTEGER_CASES,
                         ids=[f"{n}d-{w}-seed{s}" for n, s, w in INTEGER_CASES])
def test_integer_weight_networks_against_exact_oracle(n, seed, where, method):
    net, dom, truth = integer_truth(n, seed, where)
    assert pattern_set(regions.enumerate_regions(net, dom.make(), method=method)) == truth


# --------------------------------------------------------------------------- scaling


def rescaled(net, layer, neuron, factor):
    """Scale one neuron's row and bias by ``factor`` and its outgoing column by 1/factor.

    For relu / leaky relu (positively homogeneous) the function and every
    neuron's sign are unchanged, so the regions and their patterns are too.
    """
    pairs = [(l.weight.copy(), l.bias.copy()) for l in net.layers]
    pairs[layer][0][neuron] *= factor
    pairs[layer][1][neuron] *= factor
    pairs[layer + 1][0][:, neuron] /= factor
    return regions.Network.from_layers(pairs, [l.activation for l in net.layers],
                                       slope=net.layers[0].slope)


@pytest.mark.parametrize("method", engines("split", "vertex", "walk"))
def test_regions_unchanged_by_a_scale_whose_squares_overflow(method):
    """Layer ``l``'s weights times ``2**330`` and its biases times ``2**(330 (l + 1))``
    multiply every pre-activation of layer ``l`` by a power of two, exactly: the same
    regions, though the second layer's rows have entries near 1e198, whose squares
    overflow float64 (the rows' norms once came out infinite, the rows zero)."""
    net = random_net([2, 4, 4, 1], ["relu", "relu", "identity"], 3)
    scale = 2.0 ** 330
    pairs = [(layer.weight * scale, layer.bias * scale ** (index + 1))
             for index, layer in enumerate(net.layers[:-1])]
    pairs.append((net.layers[-1].weight, net.layers[-1].bias))
    scaled = regions.Network.from_layers(pairs, ["relu", "relu", "identity"])
    truth = unambiguous(oracles.brute_force_patterns, net, oracles.box_slice([-1, -1], [1, 1]))
    assert pattern_set(regions.enumerate_regions(scaled, SQ.make(), method=method)) == truth


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
@pytest.mark.parametrize("method", engines("split", "vertex", "walk"))
def test_a_breakpoint_whose_gradient_underflows_is_placed_exactly(method, activation):
    """A second-layer gradient of ``1e-160 * 1e-160`` is a subnormal float: its product
    loses about 1e-5 of its value to underflow, which Higham's ``gamma`` bounds do not
    cover, and the breakpoint ``1e-320 x = 5e-321`` moves from ``x = 0.49999443...``
    (exact) to 0.5. Another neuron's breakpoint between the two must stay on the side
    the exact arithmetic puts it (the split engine once swapped the two regions' patterns
    with exit 0)."""
    weight, offset = 1e-160, 5e-321
    exact = Fraction(offset) / Fraction(weight) ** 2
    rounded = Fraction(offset) / Fraction(weight * weight)
    assert exact != rounded
    between = float((exact + rounded) / 2)
    net = regions.Network.from_layers(
        [(np.array([[weight], [1.0]]), np.zeros(2)),
         (np.array([[weight, 0.0], [0.0, 1.0]]), np.array([-offset, -between])),
         (np.array([[1.0, 1.0]]), np.zeros(1))], [activation, activation, "identity"])
    truth = oracles.exact_patterns(net, oracles.box_slice([0.0], [1.0]))
    assert len(truth) == 3
    part = regions.enumerate_regions(net, regions.box(np.zeros(1), np.ones(1)), method=method)
    assert pattern_set(part) == truth


@pytest.mark.parametrize("method", engines("split", "vertex", "walk"))
@pytest.mark.parametrize("seed", range(4), ids=[f"seed{s}" for s in range(4)])
def test_hyperplanes_a_subnormal_distance_apart(seed, method):
    """Breakpoints through the origin and at distances near 1e-310 from it: vertices and
    crossings whose coordinates are subnormal floats, where every product may lose half
    a subnormal spacing to underflow (the vertex engine's crossing and refinement bounds
    add that loss). Against the exact rational oracle."""
    rng = np.random.default_rng(seed)
    weight = rng.normal(size=(6, 2))
    bias = rng.normal(size=6) * 1e-310 * rng.integers(0, 2, size=6)
    net = regions.Network.from_layers(
        [(weight, bias), (rng.normal(size=(3, 6)), rng.normal(size=3) * 1e-310),
         (np.ones((1, 3)), np.zeros(1))], ["relu", "relu", "identity"])
    truth = unambiguous(oracles.exact_patterns, net, SQ.slice)
    assert pattern_set(regions.enumerate_regions(net, SQ.make(), method=method)) == truth


def extreme_scale_case(name):
    """Networks whose float maps underflow or overflow (found by fuzzing the engines against
    the exact oracle; the vertex engine got each wrong with exit 0): ``(network, domain,
    oracle slice)``."""
    def net(pairs, activation="relu"):
        return regions.Network.from_layers(
            [(np.array(W, dtype=float), np.array(b, dtype=float)) for W, b in pairs],
            [activation] * (len(pairs) - 1) + ["identity"])
    if name.startswith("squares-underflow"):      # 1e-300 ** 2 is 0: the norms were 0
        activation = name.rsplit("-", 1)[1]
        return (net([([[1e-300], [1e-300]], [0.0, 0.0]), ([[1.0, 1.0]], [0.0])], activation),
                regions.whole_space(1), oracles.whole_slice(1))
    if name.startswith("tiny-breakpoints"):       # breakpoints 0 and -2 of 1e-160 x + ...
        activation = name.rsplit("-", 1)[1]
        W = [[1e-160], [1e-160]] if activation == "relu" else [[-1e-160], [1e-160]]
        return (net([(W, [0.0, 2e-160]), ([[1.0, 1.0]], [0.0])], activation),
                regions.whole_space(1), oracles.whole_slice(1))
    if name == "product-underflows":    # 1e-200 * 1e-200 x: every product of the map is 0
        return (net([([[1e-200]], [0.0]), ([[1e-200]], [0.0]), ([[1.0]], [0.0])]),
                regions.box(1.0, 2.0), oracles.box_slice([1.0], [2.0]))
    if name == "breakpoint-of-1e-400":  # 1e-200 h1 - 1e-200 h2 = 1e-400 (x - 0.5)
        return (net([([[1e-200], [0.0]], [0.0, 5e-201]), ([[1e-200, -1e-200]], [0.0]),
                     ([[1.0]], [0.0])]),
                regions.box(0.0, 1.0), oracles.box_slice([0.0], [1.0]))
    if name.startswith("three-underflows"):     # 1e-600 x after three layers: map rows of 0
        return (net([([[1e-200]], [0.0])] * 3 + [([[1.0]], [0.0])]),
                *((regions.box(1.0, 2.0), oracles.box_slice([1.0], [2.0]))
                  if name.endswith("box") else (regions.whole_space(1), oracles.whole_slice(1))))
    if name.startswith("difference-underflows"):   # 1e-200 (relu(1e-400 x) - relu(1e-400 y))
        t = 1e-200
        return (net([(t * np.eye(2), np.zeros(2)), (t * np.eye(2), np.zeros(2)),
                     ([[t, -t]], [0.0]), ([[1.0]], [0.0])]),
                *((regions.box(1.0, 2.0), oracles.box_slice([1.0, 1.0], [2.0, 2.0]))
                  if name.endswith("box") else (regions.whole_space(2), oracles.whole_slice(2))))
    if name == "leaky-slope-subnormal":  # slopes of 5e-324: breakpoints beyond 1e308
        layers = [([[2.0, -1.0], [0.0, -2.0], [0.0, 8.0], [-1.0, 2.0]], [0.0, 0.0, 0.0, 1.0]),
                  ([[0.0, 1.0, 0.5, -2.0]] * 3, [0.0, 0.0, 0.0]),
                  ([[-1.0, 0.5, 1.0], [-1.0, -2.0, 0.5]], [-1.0, 0.0]), ([[1.0, 1.0]], [0.0])]
        network = regions.Network.from_layers(
            [(np.array(W), np.array(b)) for W, b in layers],
            ["leaky_relu", "hardtanh", "leaky_relu", "identity"], slope=5e-324)
        return network, regions.whole_space(2), oracles.whole_slice(2)
    if name == "leaky-slope-negative-tiny":   # slopes of -1e-300: facet witnesses near 1e300
        layers = [([[0.0, 1.0, 1.0], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]], [0.0, -1.0, 0.0]),
                  ([[0.0, 0.0, -1.0], [-2.0, 2.0, 0.0], [0.0, 0.0, 1.0]], [-1.0, 2.0, 1.0]),
                  ([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]], [2.0, -2.0]), ([[1.0, 1.0]], [0.0])]
        network = regions.Network.from_layers(
            [(np.array(W), np.array(b)) for W, b in layers],
            ["leaky_relu"] * 3 + ["identity"], slope=-1e-300)
        return network, regions.whole_space(3), oracles.whole_slice(3)
    if name == "maps-overflow":          # 1e300 * 2e200: float maps of inf and NaN
        return (net([([[-2e200], [-2.0], [-2e-100], [0.0]], [2e200, 0.0, 2e-100, 0.0]),
                     ([[0.0, 1e300, 2e300, 0.0], [-1.0, 0.5, 2.0, 2.0],
                       [2e100, -1e100, 0.0, 5e99]], [1e300, 2.0, 0.0]),
                     ([[-1e-100, 0.0, 1e-100], [-5e199, 0.0, 5e199]], [0.0, 0.0]),
                     ([[1.0, 1.0]], [0.0])]),
                regions.box(-1.0, 1.0), oracles.box_slice([-1.0], [1.0]))
    if name == "squares-overflow":      # 1e170 ** 2 overflows: x = -1e-170, x = 1e-170, y = 0
        return (net([([[1e170, 0.0], [1e170, 0.0], [0.0, 1.0]], [1.0, -1.0, 0.0]),
                     ([[1.0, 1.0, 1.0]], [0.0])]),
                regions.whole_space(2), oracles.whole_slice(2))
    raise ValueError(name)


EXTREME_SCALES = ["squares-underflow-relu", "squares-underflow-hardtanh", "tiny-breakpoints-relu",
                  "tiny-breakpoints-hardtanh", "product-underflows", "breakpoint-of-1e-400",
                  "squares-overflow", "three-underflows-box", "three-underflows-line",
                  "difference-underflows-box", "difference-underflows-plane",
                  "leaky-slope-subnormal", "leaky-slope-negative-tiny", "maps-overflow"]


@pytest.mark.parametrize("method", engines("split", "vertex", "walk"))
@pytest.mark.parametrize("name", EXTREME_SCALES)
def test_maps_that_underflow_or_overflow_against_the_exact_oracle(name, method):
    """Weights whose squares or products leave float64's range: norms of rows scaled by
    their largest entry, exact rows scaled by a power of two before they are rounded, a
    row that underflows to zero with an infinite error bound (its sides decided exactly),
    the underflow of a map's products counted from its factors and their error bounds,
    not their float magnitudes (which underflow too), and an exact interior point of
    rows balanced by powers of two (rows of 1e-400 put it near 1e400)."""
    network, domain, where = extreme_scale_case(name)
    truth = unambiguous(oracles.exact_patterns, network, where)
    part = regions.enumerate_regions(network, domain, method=method)
    assert pattern_set(part) == truth
    assert regions.count_regions(network, domain, method=method).regions == len(truth)


@pytest.mark.parametrize("activation", ["relu", "leaky_relu"])
@pytest.mark.parametrize("seed", range(3), ids=[f"seed{s}" for s in range(3)])
def test_count_invariant_under_positive_neuron_scaling(activation, seed):
    net = random_net([2, 3, 3, 1], [activation, activation, "identity"], seed)
    truth = unambiguous(oracles.brute_force_patterns, net, oracles.box_slice([-1, -1], [1, 1]))
    assert pattern_set(regions.enumerate_regions(net, SQ.make())) == truth
    rng = np.random.default_rng(seed)
    for factor in (1e-3, 0.2, 5.0, 1e3):
        layer, neuron = int(rng.integers(2)), int(rng.integers(3))
        scaled = rescaled(net, layer, neuron, factor)
        assert pattern_set(regions.enumerate_regions(scaled, SQ.make())) == truth, (factor, layer, neuron)


@pytest.mark.parametrize("factor", [1e-4, 1.0, 1e4])
def test_one_layer_count_invariant_under_scaling_rows(factor):
    # Scaling a whole hidden layer's rows and biases moves no hyperplane. Six Gaussian lines are
    # in general position: Zaslavsky, 1 + 6 + 15 = 22 regions.
    rng = np.random.default_rng(11)
    W, b = rng.normal(size=(6, 2)), rng.normal(size=6)
    assert len(regions.enumerate_regions(hidden(factor * W, factor * b))) == oracles.zaslavsky(6, 2) == 22


@pytest.mark.parametrize("method", ["split", "vertex", "walk"])
def test_duplicate_neurons_in_a_deep_layer(method):
    # Layer 2 has the same row twice: its bent hyperplane counts once, and the copies agree.
    rng = np.random.default_rng(3)
    W0, b0 = rng.normal(size=(3, 2)), rng.normal(size=3)
    row, bias = rng.normal(size=3), rng.normal()
    single = regions.Network.from_layers(
        [(W0, b0), (row[None, :], np.array([bias])), (np.ones((1, 1)), np.zeros(1))])
    double = regions.Network.from_layers(
        [(W0, b0), (np.stack([row, row]), np.array([bias, bias])), (np.ones((1, 2)), np.zeros(1))])
    truth = set(unambiguous(oracles.polygon_partition, single, SQ.slice, SQ.polygon)[0])
    assert pattern_set(regions.enumerate_regions(single, SQ.make(), method=method)) == truth
    assert pattern_set(regions.enumerate_regions(double, SQ.make(), method=method)) == {
        p + p[-1:] for p in truth}
    # The exact oracle on the double network says the same.
    assert unambiguous(oracles.exact_patterns, double, SQ.slice) == {p + p[-1:] for p in truth}


@pytest.mark.parametrize("weight, bias", [(1e-20, -1.0), (1.0, -1e20), (1e-100, -1.0)])
@pytest.mark.parametrize("method", ["vertex", "split", "walk"])
def test_a_breakpoint_beyond_1e20_is_still_a_breakpoint(weight, bias, method):
    # One neuron on the line, its breakpoint at -bias / weight (1e20 to 1e100 away): two
    # regions. HiGHS reads bounds beyond 1e20 as infinite unless told otherwise.
    net = regions.Network.from_layers([([[weight]], [bias]), ([[1.0]], [0.0])])
    assert regions.count_regions(net, method=method).regions == 2


@pytest.mark.parametrize("scale", [1e-12, 1e-17])
@pytest.mark.parametrize("method", ["vertex", "split", "walk"])
def test_hardtanh_breakpoints_far_away_beside_near_ones(scale, method):
    # Found by fuzzing: a hard-tanh neuron scale * (x - y) has its breakpoints x - y = +-1/scale,
    # 1e12 to 1e17 away; beside x + y = +-1 the plane has 3 x 3 = 9 regions. HiGHS fails on
    # some of these LPs (status Unbounded): its answer is only a proposal, and the exact
    # path decides instead of the run crashing.
    net = regions.Network.from_layers([([[scale, -scale], [1.0, 1.0]], [0.0, 0.0]),
                                       ([[0.0, 0.0]], [0.0])], ["hardtanh", "identity"])
    assert regions.count_regions(net, method=method).regions == 9
