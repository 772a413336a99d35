"""Pictures of 1-D, 2-D and 3-D partitions, drawn exactly (matplotlib: ``pip install "regions[plot]"``).

Every region of a 2-D partition (a box, a polytope, all of R^2, or a 2-D
slice of a higher-dimensional input) is filled as its exact polygon, clipped
from its constraint rows (no raster, no LP). Its colour is a hash of its
activation pattern, so two pictures of the same network colour a region
alike. Unbounded regions are drawn inside a window that holds every vertex of
the partition, and the title says so. A 1-D partition is drawn as the
network's function, exact between its breakpoints, over bands, one per region; a 3-D
one as translucent polytopes on a 3-D Axes.

:func:`plot` draws on a matplotlib Axes; :func:`png` renders a picture to
bytes (for files and notebooks).
"""

from __future__ import annotations

import colorsys
import hashlib
import io

import numpy as np
from scipy.spatial import ConvexHull

from .complex.decision import region_chords
from .errors import DomainError, RegionsError
from .analysis.crossings import crossings, partition_facets
from .complex.geometry import region_polygon, region_vertices, vertex_window
from .partition import Partition
from .tolerances import VERTEX_MERGE

COLORS = ("pattern", "output", "layer")
#: Unbounded domains: the window holds every vertex with this margin (a fraction of its
#: size); a partition without vertices (parallel lines, one region) gets a unit window.
WINDOW_MARGIN = 0.15
#: What the title says when unbounded regions are drawn inside that window.
CLIPPED_NOTE = "unbounded regions clipped to a window holding every vertex"


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
    pyplot()
    import matplotlib
    outputs = part.network.forward(part.input_witnesses)
    if outputs.shape[1] > 1:
        classes = np.argmax(outputs, axis=1)
        return np.array(matplotlib.colormaps["tab10"](classes % 10))[:, :3].reshape(-1, 3)
    values = outputs[:, 0]
    span = np.ptp(values) if len(values) else 0.0
    scaled = (values - values.min()) / span if span > 0 else np.full(len(values), 0.5)
    return np.array(matplotlib.colormaps["viridis"](scaled))[:, :3].reshape(-1, 3)


def plot(part, ax=None, *, color: str = "pattern", layer: int | None = None,
         edges: bool = True, graph: bool = False, boundary: bool = False):
    """Draw a 1-D or 2-D partition; returns the matplotlib Axes.

    Parameters
    ----------
    part : Partition
        Of a domain of working dimension 2 (a 2-D input, or a plane slice) or 1.
    ax : matplotlib Axes, optional
        Drawn on a new figure when omitted.
    color : {"pattern", "output", "layer"}
        See :func:`region_colors`; ``layer`` picks the layer for ``"layer"``.
    edges : bool
        Outline every region (2-D).
    graph : bool
        The adjacency graph over the picture: a dot at each witness, a line between
        regions that share a facet (2-D; one LP per region row, as
        :func:`regions.adjacency_graph`).
    boundary : bool
        The decision boundary: the zero set of a scalar output, or where the argmax of
        several outputs changes (2-D).

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> W = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> net = regions.Network.from_layers([(W, np.array([0.0, 0.0, -1.0])),
    ...                                    (np.ones((1, 3)), -np.ones(1))])
    >>> ax = regions.plot(regions.enumerate_regions(net), boundary=True)
    >>> len(ax.patches), ax.get_title().splitlines()
    (7, ['7 regions', 'unbounded regions clipped to a window holding every vertex'])
    """
    plt = pyplot()
    dim = part.domain.dim
    if dim > 3:
        raise DomainError(f"pictures are 1-D, 2-D or 3-D: this partition is {dim}-D; "
                          f"enumerate a 2-D slice (regions.plane) to draw it")
    if ax is None:
        ax = (plt.figure(figsize=(6, 6)).add_subplot(projection="3d") if dim == 3
              else plt.subplots(figsize=(5, 5))[1])
    if dim == 1:
        return _plot_1d(part, ax, region_colors(part, color, layer))
    if dim == 3:
        return _plot_3d(part, ax, region_colors(part, color, layer), edges)
    lower, upper, clipped = vertex_window(part, WINDOW_MARGIN)
    colors = region_colors(part, color, layer)
    merge = VERTEX_MERGE * part.scale
    polygons = []
    from matplotlib.patches import Polygon
    for i in range(len(part)):
        A, b, _ = part.constraints(i)
        polygon = region_polygon(A, b, lower, upper, merge)
        polygons.append(polygon)
        if len(polygon):
            ax.add_patch(Polygon(polygon, closed=True, facecolor=colors[i],
                                 edgecolor="black" if edges else colors[i],
                                 linewidth=0.4 if edges else 0.0))
    if graph:
        _draw_graph(part, ax)
    if boundary:
        _draw_boundary(part, ax, polygons)
    ax.set_xlim(lower[0], upper[0])
    ax.set_ylim(lower[1], upper[1])
    ax.set_aspect("equal")
    names = axis_names(part.domain)
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    title = f"{len(part):,} regions" + ("" if part.complete else " (incomplete)")
    if clipped:
        title += "\n" + CLIPPED_NOTE
    ax.set_title(title)
    return ax


def _plot_1d(part, ax, colors: np.ndarray):
    """The function along the line (first output; all outputs drawn) over region bands."""
    lower, upper, clipped = vertex_window(part, WINDOW_MARGIN)
    ends = []
    for i in range(len(part)):
        A, b, _ = part.constraints(i)
        lo, hi = region_vertices(A, b, lower, upper, part.witnesses[i])[:, 0]
        ends.append((lo, hi))
        ax.axvspan(lo, hi, color=colors[i], alpha=0.6, linewidth=0)
        C, d = part.affine_map(i)
        ts = np.array([lo, hi])
        ax.plot(ts, np.outer(ts, C[:, 0]) + d, color="black", linewidth=1.0)
    for lo, hi in ends:
        for t in (lo, hi):
            if lower[0] < t < upper[0]:
                ax.axvline(t, color="gray", linewidth=0.5, linestyle=":")
    ax.set_xlim(lower[0], upper[0])
    ax.set_xlabel("t")
    ax.set_ylabel("output")
    title = f"{len(part):,} regions" + ("\nwindow holding every breakpoint" if clipped else "")
    ax.set_title(title)
    return ax


def _plot_3d(part, ax, colors: np.ndarray, edges: bool):
    """Every region as a translucent polytope (its hull's facets) on a 3-D Axes."""
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection
    if getattr(ax, "name", "") != "3d":
        raise RegionsError("a 3-D partition is drawn on a 3-D Axes (projection='3d')")
    lower, upper, clipped = vertex_window(part, WINDOW_MARGIN)
    for i in range(len(part)):
        A, b, _ = part.constraints(i)
        corners = region_vertices(A, b, lower, upper, part.witnesses[i])
        hull = ConvexHull(corners)
        ax.add_collection3d(Poly3DCollection(
            [corners[simplex] for simplex in hull.simplices], facecolor=colors[i], alpha=0.25,
            edgecolor="black" if edges else "none", linewidth=0.2))
    ax.set_xlim(lower[0], upper[0])
    ax.set_ylim(lower[1], upper[1])
    ax.set_zlim(lower[2], upper[2])
    title = f"{len(part):,} regions"
    if clipped:
        title += "\n" + CLIPPED_NOTE
    ax.set_title(title)
    return ax


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


def save_figure(part, path, **options) -> None:
    """Draw :func:`plot` into ``path`` (.png, .svg or .pdf, by suffix)."""
    plt = pyplot()
    fig, ax = _figure(part, 6)
    try:
        plot(part, ax, **options)
        fig.savefig(path, dpi=150, bbox_inches="tight")
    finally:
        plt.close(fig)


def _notebook_png(part):
    """A Partition's inline picture in IPython (None when it is not 1-D or 2-D)."""
    if part.domain.dim not in (1, 2) or len(part) > NOTEBOOK_MAX_REGIONS:
        return None
    return png(part)


#: Partitions with more regions than this are not drawn inline (their summary is shown).
NOTEBOOK_MAX_REGIONS = 20_000


def register_notebook_display() -> None:
    """Show 1-D and 2-D partitions as pictures in IPython and Jupyter; a no-op elsewhere.
    (Called when :mod:`regions` is imported.)"""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Partition, _notebook_png)
