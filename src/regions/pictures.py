"""Pictures of 1-D, 2-D and 3-D partitions, drawn exactly (matplotlib: ``pip install "regions[plot]"``).

Every region of a 2-D partition (a box, a polytope, all of R^2, or a 2-D
slice of a higher-dimensional input) is filled as its exact polygon, clipped
from its constraint rows (no raster, no LP). Its colour is a hash of its
activation pattern, so two pictures of the same network colour a region
alike (``color="output"`` adds a colour bar, or a legend of the classes). On an
unbounded domain the picture is a window (``picture_window``): in 2-D and 3-D
it holds the middle 90% of the partition's vertices on each axis, so the bounded
part of the complex shows at a readable size however far out a few vertices lie;
in 1-D every breakpoint. Regions that reach past the window are hatched, and the
title says so. A 1-D partition is drawn as the network's function, exact between
its breakpoints, over bands, one per region; a 3-D one as translucent polytopes
on a 3-D Axes.

:func:`plot` draws on a matplotlib Axes; :func:`png` renders a picture to
bytes (for files and notebooks).
"""

from __future__ import annotations

import colorsys
import hashlib
import io
from dataclasses import dataclass

import numpy as np
from scipy.spatial import ConvexHull, QhullError

from .deprecation import renamed_attribute
from .domain import power_of_two_unit
from .errors import DomainError, RegionsError
from .analysis.crossings import crossings, partition_facets
from .complex.geometry import (at_far, corner_box, corner_reach, region_chords,
                               region_interior, region_polygon, region_vertices,
                               vertices_in_box)
from .rounding import overflow_expected
from .tolerances import VERTEX_MERGE, WINDOW_MARGIN, WINDOW_TAIL

__all__ = ["COLORS", "WINDOW_TAIL", "WINDOW_MARGIN", "CLIPPED_HATCH", "Window", "picture_window",
           "axis_names", "pyplot", "pattern_color", "region_colors", "class_colors", "output_scale",
           "plot", "window_corners", "png", "write_figure", "RENAMED"]

#: Old names of this module's functions (deprecated, kept for one release): old -> new.
RENAMED = {"save_figure": "write_figure"}
COLORS = ("pattern", "output", "layer")
#: Regions that reach past the window are drawn with this hatch.
CLIPPED_HATCH = "///"
#: Colour maps of ``color="output"``: one output, several (the class of the largest).
OUTPUT_MAP, CLASS_MAP = "viridis", "tab10"


@dataclass(frozen=True)
class Window:
    """The box a picture shows, in working coordinates.

    ``clipped[i]``: region ``i`` reaches past the box (it is unbounded, or larger);
    ``rule`` says how the box was chosen (empty for the domain's own box).
    """

    lower: np.ndarray
    upper: np.ndarray
    clipped: np.ndarray
    rule: str

    def caption(self, marked: str) -> str:
        """The title line that says what the window leaves out (empty when nothing);
        ``marked`` says how the clipped regions look, e.g. ``" (hatched)"``."""
        count = int(self.clipped.sum())
        if not count:
            return self.rule
        reach = f"{count:,} region{'s' if count > 1 else ''} reach{'es' if count == 1 else ''}"
        return (f"{self.rule}; " if self.rule else "") + f"{reach} past it{marked}"


@overflow_expected
def picture_window(part, window=None) -> Window:
    """The :class:`Window` a picture of ``part`` shows: ``window`` ``(lower, upper)``
    (scalars or one bound per working coordinate) when given; else the domain's bounding
    box when it is bounded; else, on each axis, from the ``WINDOW_TAIL`` quantile of the
    partition's vertices to the ``1 - WINDOW_TAIL`` one (taken outwards, so with fewer
    than 1 / WINDOW_TAIL vertices every one is inside; in 1-D every breakpoint), widened
    by ``WINDOW_MARGIN``.

    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0], [1.0]], [0.0, -2.0]), ([[1.0, 1.0]], [0.0])])
    >>> view = picture_window(regions.enumerate_regions(net))   # breakpoints 0 and 2
    >>> view.lower, view.upper, view.caption(" (hatched)")
    (array([-0.3]), array([2.3]), 'window: every breakpoint; 2 regions reach past it (hatched)')
    """
    domain = part.domain
    if window is None and domain.is_bounded:
        return Window(domain.lower, domain.upper, np.zeros(len(part), bool), "")
    if window is not None:
        lower, upper = (np.broadcast_to(np.asarray(w, dtype=np.float64), (domain.dim,))
                        for w in window)
        if not np.all(lower < upper):
            raise RegionsError(f"the window's lower bounds {lower} must lie below its upper "
                               f"bounds {upper}")
        if not np.all(np.isfinite(lower) & np.isfinite(upper)):
            raise DomainError(f"the window's bounds {lower}, {upper} must be finite float64 "
                              f"numbers (at most 1.8e308 in size); give a smaller window")
    far = corner_reach(part, () if window is None else (lower, upper))
    box = corner_box(domain, far)
    corners = [_corners(part, i, *box) for i in range(len(part))]
    if window is not None:
        rule = "window as given"
    else:
        lower, upper = _vertex_span(part, [c for c in corners if c is not None], far)
        rule = ("window: every breakpoint" if domain.dim == 1 else
                f"window: the middle {100 - 200 * WINDOW_TAIL:.0f}% of the vertices")
    # a region without corners lies beyond the box they were sought in, so past the window
    clipped = np.array([_reaches_past(part, i, *box, lower, upper) if c is None else
                        bool(not len(c) or at_far(c, far).any() or (c < lower).any()
                             or (c > upper).any()) for i, c in enumerate(corners)], dtype=bool)
    return Window(lower, upper, clipped, rule)


def _corners(part, i: int, lower: np.ndarray, upper: np.ndarray):
    """Region ``i``'s vertices in the box ``[lower, upper]`` (none when float64 certifies no
    point of it there), or None when they cannot be found in float64 (the region is thin
    at the box's scale: :func:`vertices_in_box`' DomainError)."""
    try:
        corners = vertices_in_box(*part.constraints(i)[:2], lower, upper, part.witnesses[i])
    except DomainError:
        return None
    return np.zeros((0, part.domain.dim)) if corners is None else corners


def _reaches_past(part, i: int, lower: np.ndarray, upper: np.ndarray,
                  window_lower: np.ndarray, window_upper: np.ndarray) -> bool:
    """Whether region ``i`` has a point in the box ``[lower, upper]`` beyond a side of the
    window (by :func:`region_interior`, one or two LPs a side): for a region whose
    vertices cannot be found in float64 at the box's scale."""
    A, b, _ = part.constraints(i)
    for axis in range(part.domain.dim):
        beyond = [(lower, np.where(np.arange(len(upper)) == axis, window_lower, upper)),
                  (np.where(np.arange(len(lower)) == axis, window_upper, lower), upper)]
        for low, high in beyond:
            if np.all(low < high) and region_interior(A, b, low, high,
                                                      part.witnesses[i]) is not None:
                return True
    return False


def _vertex_span(part, corners: list, far: float) -> tuple[np.ndarray, np.ndarray]:
    """The default window of a partition of an unbounded domain (``picture_window``);
    without a vertex (parallel breakpoints, one region), around the finite witnesses."""
    dim = part.domain.dim
    points = np.vstack([c[~at_far(c, far)] for c in corners]).reshape(-1, dim)
    if not len(points):
        points = part.witnesses[np.all(np.isfinite(part.witnesses), axis=1)]
    if not len(points):
        points = np.zeros((1, dim))
    tail = WINDOW_TAIL if dim > 1 else 0.0
    low = np.quantile(points, tail, axis=0, method="lower")
    high = np.quantile(points, 1.0 - tail, axis=0, method="higher")
    with np.errstate(over="ignore", invalid="ignore"):
        center = low * 0.5 + high * 0.5
        # at least 1, and 2^-30 of its distance from 0 (matplotlib's resolution far out)
        size = np.maximum(high - low, np.maximum(1.0, np.abs(center) * 2.0 ** -30))
        lower = center - (0.5 + WINDOW_MARGIN) * size
        upper = center + (0.5 + WINDOW_MARGIN) * size
    if not np.all(np.isfinite(lower) & np.isfinite(upper)):
        raise DomainError(f"the default window around the partition's vertices, from "
                          f"{low} to {high}, reaches beyond float64; give a window "
                          f"(window=(lower, upper))")
    return lower, upper


def axis_names(domain) -> tuple:
    """Names of the working coordinates: ``x1, x2, ...`` on the input space itself, ``u, v,
    w`` on a slice (a plane or a line)."""
    if domain.kind in ("whole", "box", "polytope"):
        return tuple(f"x{k + 1}" for k in range(domain.dim))
    return ("u", "v", "w")[:domain.dim]


def pyplot():
    """matplotlib's pyplot (imported on first use), or a one-line RegionsError naming the
    extra to install."""
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise RegionsError('pictures need matplotlib: pip install "regions[plot]"') from None
    return plt


def pattern_color(pattern: np.ndarray) -> tuple[float, float, float]:
    """A colour (RGB in [0, 1]) fixed by an activation pattern: the same in every picture.

    >>> pattern_color(np.array([0, 1, 1], np.int8)) == pattern_color(np.array([0, 1, 1], np.int8))
    True
    """
    digest = hashlib.blake2b(np.asarray(pattern, np.int8).tobytes(), digest_size=8).digest()
    hue, sat, val = (digest[0] * 256 + digest[1]) / 65536, digest[2] / 255, digest[3] / 255
    return colorsys.hsv_to_rgb(hue, 0.35 + 0.4 * sat, 0.7 + 0.25 * val)


def region_colors(part, color: str = "pattern", layer: int | None = None) -> np.ndarray:
    """RGB colours ``(R, 3)`` of the regions: by ``"pattern"`` (stable hash), by the
    sub-pattern of layers ``0..layer`` (``"layer"``: regions of the truncated network share
    a colour; default the first layer), or by the network's ``"output"`` at the witness
    (first output, viridis; the argmax class for several outputs)."""
    if color not in COLORS:
        raise RegionsError(f"unknown color {color!r}: expected one of {', '.join(COLORS)}")
    patterns = part.patterns
    if color == "layer":
        slices = part.network.pattern_slices()
        last = 0 if layer is None else layer
        if not 0 <= last < len(slices):
            raise RegionsError(f"layer must be in 0..{len(slices) - 1}, got {layer}")
        patterns = patterns[:, :slices[last].stop]
    if color != "output":
        return np.array([pattern_color(p) for p in patterns]).reshape(-1, 3)
    outputs = part.network.forward(part.input_witnesses)
    if outputs.shape[1] > 1:
        return class_colors(np.argmax(outputs, axis=1))
    colormap, norm = output_scale(outputs[:, 0])
    return np.array(colormap(norm(outputs[:, 0])))[:, :3].reshape(-1, 3)


def class_colors(classes: np.ndarray) -> np.ndarray:
    """RGB colours ``(k, 3)`` of classes (``CLASS_MAP``, repeating after 10)."""
    pyplot()
    import matplotlib
    return np.array(matplotlib.colormaps[CLASS_MAP](np.asarray(classes) % 10))[:, :3].reshape(
        -1, 3)


def output_scale(values: np.ndarray):
    """``(colour map, Normalize)`` of one output's values at the witnesses: ``OUTPUT_MAP``
    over their range (a constant output takes the map's middle)."""
    pyplot()
    import matplotlib
    from matplotlib.colors import Normalize
    low, high = (float(values.min()), float(values.max())) if len(values) else (0.0, 0.0)
    if not high > low:
        low, high = low - 0.5, high + 0.5
    return matplotlib.colormaps[OUTPUT_MAP], Normalize(low, high)


@overflow_expected
def plot(part, ax=None, *, color: str = "pattern", layer: int | None = None,
         edges: bool = True, graph: bool = False, boundary: bool = False, window=None):
    """Draw a 1-D, 2-D or 3-D partition; returns the matplotlib Axes.

    Parameters
    ----------
    part : Partition
        Of a domain of working dimension 2 (a 2-D input, or a plane slice), 1 or 3.
    ax : matplotlib Axes, optional
        Drawn on a new figure when omitted.
    color : {"pattern", "output", "layer"}
        See ``region_colors``; ``layer`` picks the layer for ``"layer"``. ``"output"``
        adds a colour bar (one output) or a legend of the classes (several).
    edges : bool
        Outline every region (2-D).
    graph : bool
        The adjacency graph over the picture: a dot at each witness, a line between
        regions that share a facet (2-D; one LP per region row, as
        :func:`regions.adjacency_graph`).
    boundary : bool
        The decision boundary: the zero set of a scalar output, or where the argmax of
        several outputs changes (2-D).
    window : (lower, upper), optional
        The part of the domain drawn, in its working coordinates (scalars or one bound per
        coordinate); default ``picture_window``'s. Regions that reach past it are
        hatched (1-D, 2-D), and the title says how many.

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> net = regions.Network.from_layers([(W, np.array([0.0, 0.0, -1.0])),
    ...                                    (np.ones((1, 3)), -np.ones(1))])
    >>> ax = regions.plot(regions.enumerate_regions(net), boundary=True)
    >>> len(ax.patches), ax.get_title().splitlines()
    (7, ['7 regions', 'window: the middle 90% of the vertices; 6 regions reach past it (hatched)'])
    """
    plt = pyplot()
    dim = part.domain.dim
    if dim > 3:
        raise DomainError(f"pictures are 1-D, 2-D or 3-D: this partition is {dim}-D; "
                          f"enumerate a 2-D slice (regions.plane) to draw it")
    if ax is None:
        ax = (plt.figure(figsize=(6, 6)).add_subplot(projection="3d") if dim == 3
              else plt.subplots(figsize=(5, 5))[1])
    view = picture_window(part, window)
    _drawable(view)
    colors = region_colors(part, color, layer)
    if dim == 1:
        _plot_1d(part, ax, colors, view)
    elif dim == 3:
        _plot_3d(part, ax, colors, edges, view)
    else:
        polygons = _plot_2d(part, ax, colors, edges, view)
        if graph:
            _draw_graph(part, ax)
        if boundary:
            _draw_boundary(part, ax, polygons)
    title = f"{len(part):,} regions" + ("" if part.complete else " (incomplete)")
    caption = view.caption("" if dim == 3 else " (hatched)")
    ax.set_title(title + ("\n" + caption if caption else ""))
    if color == "output":
        _draw_output_key(part, ax)
    return ax


def _drawable(view: Window) -> None:
    """DomainError unless matplotlib can draw the window: on each axis a width that is a
    finite float64 number below 2^1020 and at least 2^-40 of the window's distance from 0
    (matplotlib's transforms overflow, or find the limits equal and the transform
    singular)."""
    width = view.upper - view.lower
    size = np.maximum(np.abs(view.lower), np.abs(view.upper))
    if not np.all((width < 2.0 ** 1020) & (width >= size * 2.0 ** -40) & (width > 0.0)):
        raise DomainError(
            f"matplotlib cannot draw the window from {view.lower} to {view.upper}: on each "
            f"axis its width must be below 2^1020 (8.6e306) and at least 2^-40 of its "
            f"distance from 0; give another window (window=(lower, upper)), or draw a "
            f"slice (regions.plane) whose origin is near the part to see")


def _plot_2d(part, ax, colors: np.ndarray, edges: bool, view: Window) -> list:
    """Every region as its exact polygon inside the window; returns the polygons."""
    from matplotlib.patches import Polygon
    merge = VERTEX_MERGE * part.scale
    polygons = []
    for i in range(len(part)):
        polygon = region_polygon(*part.constraints(i)[:2], view.lower, view.upper, merge)
        if not np.all(np.isfinite(polygon)):
            raise DomainError(f"region {i}'s polygon in the window from {view.lower} to "
                              f"{view.upper} is not a float64 number (its rows overflow "
                              f"there); draw a smaller window")
        polygons.append(polygon)
        if not len(polygon):
            continue
        ax.add_patch(Polygon(polygon, closed=True, facecolor=colors[i],
                             edgecolor="black" if edges else colors[i],
                             linewidth=0.4 if edges else 0.0))
    _hatch(ax, [Polygon(p) for p, cut in zip(polygons, view.clipped) if cut and len(p)])
    ax.set_xlim(view.lower[0], view.upper[0])
    ax.set_ylim(view.lower[1], view.upper[1])
    ax.set_aspect("equal")
    names = axis_names(part.domain)
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    return polygons


def _hatch(ax, patches: list, **options) -> None:
    """Hatch the ``patches`` of the regions that reach past the window, as one collection
    over the regions' own patches (a hatch takes the edge colour, which the outlines
    need; ``ax.patches`` stays one patch per region)."""
    from matplotlib.collections import PatchCollection
    ax.add_collection(PatchCollection(patches, facecolor="none", edgecolor="0.35",
                                      hatch=CLIPPED_HATCH, linewidth=0.0, **options))


def _plot_1d(part, ax, colors: np.ndarray, view: Window) -> None:
    """The function along the line (first output; all outputs drawn) over region bands."""
    from matplotlib.patches import Rectangle
    lower, upper = view.lower[0], view.upper[0]
    ends, hatched = [], []
    for i in range(len(part)):
        A, b, _ = part.constraints(i)
        lo, hi = region_vertices(A, b, view.lower, view.upper, part.witnesses[i])[:, 0]
        if not lo < hi:
            continue
        ends.append((lo, hi))
        ax.axvspan(lo, hi, color=colors[i], alpha=0.6, linewidth=0)
        if view.clipped[i]:
            hatched.append(Rectangle((lo, 0.0), hi - lo, 1.0))
        C, d = part.affine_map(i)
        ts = np.array([lo, hi])
        ax.plot(ts, np.outer(ts, C[:, 0]) + d, color="black", linewidth=1.0)
    _hatch(ax, hatched, transform=ax.get_xaxis_transform())
    for lo, hi in ends:
        for t in (lo, hi):
            if lower < t < upper:
                ax.axvline(t, color="gray", linewidth=0.5, linestyle=":")
    ax.set_xlim(lower, upper)
    ax.set_xlabel("t")
    ax.set_ylabel("output")


def _plot_3d(part, ax, colors: np.ndarray, edges: bool, view: Window) -> None:
    """Every region as a translucent polytope (its hull's facets) on a 3-D Axes."""
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection
    if getattr(ax, "name", "") != "3d":
        raise RegionsError("a 3-D partition is drawn on a 3-D Axes (projection='3d')")
    # qhull's tests are absolute: the hulls are taken in units of the window, around its
    # centre (a box 2^-880 wide was "flat" in its own coordinates)
    unit = power_of_two_unit(view.upper * 0.5 - view.lower * 0.5)
    center = view.lower * 0.5 + view.upper * 0.5
    for i in range(len(part)):
        corners = window_corners(part, i, view)
        if corners is None:
            continue
        try:
            hull = ConvexHull((corners - center) / unit)
        except QhullError as error:
            raise DomainError(
                f"region {i}'s polytope in the window [{view.lower.min():.3g}, "
                f"{view.upper.max():.3g}] is flat in float64 "
                f"({str(error).splitlines()[0]}); draw a smaller window") from None
        ax.add_collection3d(Poly3DCollection(
            [corners[simplex] for simplex in hull.simplices], facecolor=colors[i], alpha=0.25,
            edgecolor="black" if edges else "none", linewidth=0.2))
    ax.set_xlim(view.lower[0], view.upper[0])
    ax.set_ylim(view.lower[1], view.upper[1])
    ax.set_zlim(view.lower[2], view.upper[2])


@overflow_expected
def window_corners(part, i: int, view: Window):
    """Vertices of region ``i`` cut to the window, or None where the window holds no ball
    of it that float64 certifies: around the region's witness when float64 certifies it
    clearly inside the window, else around the centre of an inscribed ball (one Chebyshev
    LP or two, the second in units of the window:
    :func:`regions.complex.geometry.region_interior`).
    A witness may lie outside the window, on the box's corner (the split and walk
    engines' float witness, with the exact one in ``rational_witness``) or beyond float64."""
    return vertices_in_box(*part.constraints(i)[:2], view.lower, view.upper,
                           part.witnesses[i])


def _draw_output_key(part, ax) -> None:
    """What the colours of ``color="output"`` mean: a colour bar of the output, or a
    legend of the classes that some region takes."""
    outputs = part.network.forward(part.input_witnesses)
    if outputs.shape[1] == 1:
        from matplotlib.cm import ScalarMappable
        colormap, norm = output_scale(outputs[:, 0])
        ax.figure.colorbar(ScalarMappable(norm, colormap), ax=ax, shrink=0.8,
                           label="network output at the region's witness")
        return
    from matplotlib.patches import Patch
    classes = np.unique(np.argmax(outputs, axis=1))
    ax.legend(handles=[Patch(facecolor=rgb, edgecolor="black", label=f"class {k}")
                       for k, rgb in zip(classes, class_colors(classes))],
              title="largest output", loc="upper left", bbox_to_anchor=(1.02, 1.0),
              fontsize="small")


def _draw_graph(part, ax) -> None:
    W = part.witnesses
    ax.plot(W[:, 0], W[:, 1], "o", color="black", markersize=2)
    for crossing in crossings(part, partition_facets(part)):
        i, j = crossing.region, crossing.neighbour
        if j > i:
            ax.plot(W[[i, j], 0], W[[i, j], 1], color="black", linewidth=0.5)


def _draw_boundary(part, ax, polygons) -> None:
    """Per region: the segment where the output crosses zero (scalar output), or where
    two outputs tie for the largest (several outputs)."""
    for i, polygon in enumerate(polygons):
        if len(polygon) < 3:
            continue
        C, d = part.affine_map(i)
        for segment in region_chords(polygon, C, d):
            ax.plot(segment[:, 0], segment[:, 1], color="red", linewidth=1.5)


def _figure(part, size: float):
    """A new matplotlib figure and the Axes :func:`plot` draws ``part`` on (3-D for a 3-D
    partition)."""
    fig = pyplot().figure(figsize=(size, size))
    return fig, fig.add_subplot(projection="3d" if part.domain.dim == 3 else None)


@overflow_expected
def png(part, **options) -> bytes:
    """The picture of :func:`plot` as PNG bytes."""
    plt = pyplot()
    fig, ax = _figure(part, 5)
    try:
        plot(part, ax, **options)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    finally:
        plt.close(fig)
    return buffer.getvalue()


@overflow_expected
def write_figure(part, path, **options) -> None:
    """Draw :func:`plot` into ``path`` (.png, .svg or .pdf, by suffix)."""
    plt = pyplot()
    fig, ax = _figure(part, 6)
    try:
        plot(part, ax, **options)
        fig.savefig(path, dpi=150, bbox_inches="tight")
    finally:
        plt.close(fig)


def __getattr__(name):
    return renamed_attribute(__name__, RENAMED, globals(), name)
