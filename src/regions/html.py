"""Interactive pictures of 2-D and 3-D partitions in a web page (plotly: ``pip install "regions[html]"``).

The same exact geometry as :mod:`regions.pictures` (each region's polygon or
polytope from its constraint rows, no raster, no LP) as a plotly figure that
turns, zooms and names the region under the pointer: its index, activation
pattern, the radius of its witness ball and the network's output there. A
3-D region is a closed triangle mesh (its convex hull) drawn translucent.
:func:`write_html` writes one self-contained page (plotly.js inlined, so it
opens offline).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import ConvexHull

from .errors import DomainError, RegionsError
from .complex.geometry import region_polygon
from .pictures import (OUTPUT_MAP, axis_names, class_colors, output_scale, picture_window,
                   region_colors, window_corners)
from .io.partitions import pattern_string
from .tolerances import VERTEX_MERGE

__all__ = ["plotly_objects", "figure", "css_color", "write_html"]


def plotly_objects():
    """``plotly.graph_objects`` (imported on first use), or a one-line RegionsError naming
    the extra to install."""
    try:
        import plotly.graph_objects as go
    except ImportError:
        raise RegionsError('interactive pictures need plotly: pip install "regions[html]"') \
            from None
    return go


def figure(part, *, color: str = "pattern", layer: int | None = None, opacity: float = 0.3,
           window=None):
    """A plotly Figure of a 2-D or 3-D partition: one trace per region, in region order.

    Parameters
    ----------
    part : Partition
        Of a domain of working dimension 2 or 3.
    color, layer, window
        As :func:`regions.plot` (``color="output"`` takes matplotlib's colour maps, so it
        needs matplotlib too, and adds a colour bar or a legend of the classes); on an
        unbounded domain the picture is :func:`regions.pictures.picture_window`'s window, the
        regions that reach past it hatched (2-D), and the title says how many.
    opacity : float
        Of the 3-D polytopes (2-D polygons are opaque).

    Returns
    -------
    plotly.graph_objects.Figure
        2-D: a filled ``Scatter`` polygon per region; 3-D: a ``Mesh3d`` per region (the
        triangles of its convex hull). Each trace's ``name`` is the region index and its
        hover text gives the pattern, margin and output at the witness. After them, with
        ``color="output"``, the colour key: one marker trace with a colour bar, or one
        legend entry per class.

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> from regions.html import figure
    >>> net = regions.Network.from_layers([(np.eye(3), np.zeros(3)), (np.ones((1, 3)), [0.0])])
    >>> fig = figure(regions.enumerate_regions(net, regions.box(-1, 1)))
    >>> len(fig.data), {trace.type for trace in fig.data}
    (8, {'mesh3d'})
    """
    go = plotly_objects()
    dim = part.domain.dim
    if dim not in (2, 3):
        raise DomainError(f"interactive pictures are 2-D or 3-D: this partition is {dim}-D"
                          + ("; draw it with regions.plot" if dim == 1 else
                             "; enumerate a 2-D slice (regions.plane) to draw it"))
    view = picture_window(part, window)
    lower, upper = view.lower, view.upper
    colors = region_colors(part, color, layer)
    outputs = part.network.forward(part.input_witnesses)
    merge = VERTEX_MERGE * part.scale
    traces = []
    for i in range(len(part)):
        A, b, _ = part.constraints(i)
        rgb = css_color(colors[i])
        text = (f"region {i}<br>pattern {pattern_string(part.network, part.patterns[i])}"
                f"<br>margin {part.margins[i]:.3g}<br>output "
                + ", ".join(f"{v:.4g}" for v in outputs[i]))
        if dim == 2:
            polygon = region_polygon(A, b, lower, upper, merge)
            if len(polygon) < 3:
                continue
            closed = np.vstack([polygon, polygon[:1]])
            hatch = dict(shape="/", fgcolor="rgb(90,90,90)") if view.clipped[i] else None
            traces.append(go.Scatter(x=closed[:, 0], y=closed[:, 1], mode="lines",
                                     fill="toself", fillcolor=rgb, fillpattern=hatch,
                                     name=str(i), line=dict(color="black", width=0.5),
                                     hoveron="fills", text=text, hoverinfo="text",
                                     showlegend=False))
        else:
            corners = window_corners(part, i, view)
            if corners is None:
                continue
            triangles = ConvexHull(corners).simplices
            traces.append(go.Mesh3d(x=corners[:, 0], y=corners[:, 1], z=corners[:, 2],
                                    i=triangles[:, 0], j=triangles[:, 1], k=triangles[:, 2],
                                    color=rgb, opacity=opacity, flatshading=True, name=str(i),
                                    hovertext=text, hoverinfo="text"))
    title = f"{len(part):,} regions of {part.network.widths}" + (
        "" if part.complete else " (incomplete)")
    caption = view.caption(" (hatched)" if dim == 2 else "")
    if caption:
        title += "<br>" + caption
    if color == "output":
        traces.extend(_output_key(go, outputs, dim))
    fig = go.Figure(traces)
    names = axis_names(part.domain)
    if dim == 2:
        fig.update_layout(title=title, xaxis=dict(range=[lower[0], upper[0]], title=names[0]),
                          yaxis=dict(range=[lower[1], upper[1]], title=names[1],
                                     scaleanchor="x"))
    else:
        fig.update_layout(title=title, scene=dict(
            **{f"{axis}axis": dict(range=[lower[k], upper[k]], title=names[k])
               for k, axis in enumerate("xyz")}, aspectmode="cube"))
    return fig


def css_color(rgb) -> str:
    """An RGB colour in [0, 1] as plotly takes it: ``"rgb(r,g,b)"`` in 0..255."""
    return "rgb({:.0f},{:.0f},{:.0f})".format(*(255 * np.asarray(rgb)))


def _output_key(go, outputs: np.ndarray, dim: int) -> list:
    """Traces that say what the colours of ``color="output"`` mean: an invisible marker
    trace with a colour bar (one output), or one legend entry per class that a region
    takes (several; a marker of the class's colour)."""
    where = dict(x=[None], y=[None]) if dim == 2 else dict(x=[None], y=[None], z=[None])
    kind = go.Scatter if dim == 2 else go.Scatter3d
    if outputs.shape[1] == 1:
        _, norm = output_scale(outputs[:, 0])
        return [kind(**where, mode="markers", hoverinfo="skip", showlegend=False,
                     marker=dict(colorscale=OUTPUT_MAP.capitalize(), cmin=norm.vmin,
                                 cmax=norm.vmax, color=[norm.vmin], showscale=True,
                                 colorbar=dict(title="network output at the witness")))]
    classes = np.unique(np.argmax(outputs, axis=1))
    return [kind(**where, mode="markers", name=f"class {k}", showlegend=True,
                 marker=dict(color=css_color(rgb)))
            for k, rgb in zip(classes, class_colors(classes))]


def write_html(part, path, **options) -> None:
    """Write :func:`figure` to ``path`` as one self-contained HTML page (opens offline)."""
    figure(part, **options).write_html(str(path), include_plotlyjs=True, full_html=True)
