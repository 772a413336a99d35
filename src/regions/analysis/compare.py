"""Do two networks compute the same function on a domain, and how far apart are they?

Both networks run side by side on one input (:func:`side_by_side`): the first
layers are stacked, the others placed block-diagonally, and a network shorter
than the other is lengthened before its last layer by ReLU layers that pass
their input through exactly (``h = relu(h) - relu(-h)``). The regions of that
network are the *common refinement* of the two partitions: on each, both
networks are affine, ``f(z) = C_f z + d_f`` and ``g(z) = C_g z + d_g``. The two
functions are equal on the domain exactly when ``C_f = C_g`` and ``d_f = d_g``
on every region, which is decided in rational arithmetic from the weights
(:class:`regions.rational.RationalMaps`). The largest ``|f - g|`` over a region
is the optimum of two LPs per output (a vertex of the region), or unbounded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..domain import resolve
from ..enumeration import enumerate_regions
from ..errors import RegionsError, float64_overflow
from ..lp import LPSolver
from ..network import Layer, Network, make_layer
from ..rational import RationalMaps

__all__ = ["Comparison", "compare", "side_by_side"]


@dataclass
class Comparison:
    """What :func:`compare` found.

    Attributes
    ----------
    equivalent : bool
        The networks compute the same function on the whole domain (decided exactly).
    max_abs_difference : float
        The largest ``|f_k(x) - g_k(x)|`` over the domain and the outputs ``k`` (an LP
        optimum in float64; exactly 0.0 when ``equivalent``), ``inf`` when unbounded.
    argmax : ndarray, shape (n,), or None
        An input point where it is attained (None when unbounded).
    output : int
        The output ``k`` where it is attained.
    regions : int
        The regions of the common refinement.
    differing : int
        Regions of the common refinement on which the two affine maps differ.

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> found = regions.compare(net, net, regions.box(-1, 1))
    >>> found.equivalent, found.max_abs_difference, found.regions, found.differing
    (True, 0.0, 4, 0)
    """

    equivalent: bool
    max_abs_difference: float
    argmax: np.ndarray | None
    output: int
    regions: int
    differing: int

    def summary(self) -> dict:
        """JSON-ready: ``equivalent``, ``max_abs_difference`` (None when unbounded),
        ``unbounded``, ``argmax``, ``output``, ``regions``, ``differing``."""
        bounded = bool(np.isfinite(self.max_abs_difference))
        return {"equivalent": self.equivalent,
                "max_abs_difference": float(self.max_abs_difference) if bounded else None,
                "unbounded": not bounded,
                "argmax": None if self.argmax is None else [float(v) for v in self.argmax],
                "output": self.output, "regions": self.regions, "differing": self.differing}


def compare(a: Network, b: Network, domain=None, *, method: str = "auto") -> Comparison:
    """Decide whether ``a`` and ``b`` compute the same function on ``domain`` (default all
    of R^n), and find their largest difference there.

    The networks need the same input and output dimensions, and at each depth the same
    activation (a shorter network is lengthened by exact ReLU pass-through layers, so the
    extra layers of the longer one must be ReLU). Max layers (max pooling, maxout) at one
    depth are placed side by side, each unit over its own network's pre-activations.

    Examples
    --------
    A ReLU network and a copy with its hidden neurons swapped and rescaled by 2 (the
    outgoing weights halved) are the same function; moving one bias is not:

    >>> import numpy as np
    >>> import regions
    >>> W, c = np.array([[1.0, -1.0], [1.0, 1.0]]), np.array([0.0, -1.0])
    >>> f = regions.Network.from_layers([(W, c), (np.array([[1.0, 2.0]]), np.zeros(1))])
    >>> g = regions.Network.from_layers([(2 * W[::-1], 2 * c[::-1]),
    ...                                  (np.array([[1.0, 0.5]]), np.zeros(1))])
    >>> regions.compare(f, g, regions.box(-1, 1)).equivalent
    True
    >>> h = regions.Network.from_layers([(W, c + [0.0, 0.5]), (np.array([[1.0, 2.0]]),
    ...                                                        np.zeros(1))])
    >>> found = regions.compare(f, h, regions.box(-1, 1))
    >>> found.equivalent, found.max_abs_difference
    (False, 1.0)
    """
    joint = side_by_side(a, b)
    part = enumerate_regions(joint, resolve(domain, joint), method=method)
    if not part.complete:
        raise RegionsError("the common refinement was not enumerated to the end")
    maps = RationalMaps(joint, part.domain)
    outputs = a.output_dim
    solver = LPSolver()
    best, where, output, differing = 0.0, None, 0, 0
    for i in range(len(part)):
        C, d = maps.output_map(part.patterns[i])
        D = [[C[k, j] - C[k + outputs, j] for j in range(C.ncols())] for k in range(outputs)]
        e = [d[k, 0] - d[k + outputs, 0] for k in range(outputs)]
        if all(v == 0 for row in D for v in row) and all(v == 0 for v in e):
            continue
        differing += 1
        if best == np.inf:
            continue
        A, rows_b, _ = part.constraints(i)
        for k in range(outputs):
            direction = np.array([float(v) for v in D[k]])
            for sign in (1.0, -1.0):
                value, point = solver.maximizer(A, rows_b, sign * direction)
                if value + sign * float(e[k]) > best:
                    best, where, output = value + sign * float(e[k]), point, k
    if differing == 0:
        return Comparison(True, 0.0, _a_point(part), 0, len(part), 0)
    argmax = None if where is None else part.domain.to_input(where[None, :])[0]
    return Comparison(False, float(best), argmax, output, len(part), differing)


def _a_point(part) -> np.ndarray | None:
    """A point of the domain, in input coordinates: the first region's witness that is one
    in float64 (None without regions). A witness beyond float64 is +-inf in working
    coordinates, and inf times a basis's 0 is NaN in input ones."""
    for z in part.witnesses:
        with np.errstate(over="ignore", invalid="ignore"):
            x = part.domain.to_input(z)
        if np.all(np.isfinite(x)):
            return x
    if len(part):
        raise float64_overflow("every region's witness point")
    return None


def side_by_side(a: Network, b: Network) -> Network:
    """One network computing ``(a(x), b(x))``, ``(a.output_dim + b.output_dim,)``, exactly:
    stacked first layers, block-diagonal later ones, the shorter network lengthened by
    ReLU pass-through layers before its last layer. Its regions are the common refinement
    of ``a``'s and ``b``'s."""
    if a.input_dim != b.input_dim:
        raise RegionsError(f"the networks read {a.input_dim} and {b.input_dim} inputs: "
                           "compare takes networks of one input dimension")
    if a.output_dim != b.output_dim:
        raise RegionsError(f"the networks have {a.output_dim} and {b.output_dim} outputs: "
                           "compare takes networks of one output dimension")
    depth = max(len(a.layers), len(b.layers))
    first, second = _lengthened(a.layers, depth), _lengthened(b.layers, depth)
    layers = []
    for index, (u, v) in enumerate(zip(first, second)):
        if (u.activation, u.slope) != (v.activation, v.slope):
            raise RegionsError(
                f"layer {index} is {u.activation} in the first network and {v.activation} in "
                "the second: compare needs the same activation at each depth (a shorter "
                "network is lengthened by ReLU layers)")
        weight = (np.vstack([u.weight, v.weight]) if index == 0 else
                  np.block([[u.weight, np.zeros((u.pre_width, v.in_dim))],
                            [np.zeros((v.pre_width, u.in_dim)), v.weight]]))
        layers.append(make_layer(weight, np.concatenate([u.bias, v.bias]), u.activation,
                                 u.slope, index, _stacked_windows(u, v)))
    return Network(layers)


def _stacked_windows(u: Layer, v: Layer) -> np.ndarray | None:
    """The windows of max layers ``u`` and ``v`` side by side: ``u``'s, then ``v``'s moved
    past ``u``'s pre-activations (None for other layers).

    >>> u = make_layer(np.eye(2), np.zeros(2), "max", windows=[[0, 1]])
    >>> v = make_layer(np.eye(3), np.zeros(3), "max", windows=[[2, 0, 1], [1, -1, -1]])
    >>> _stacked_windows(u, v).tolist()
    [[0, 1, -1], [4, 2, 3], [3, -1, -1]]
    """
    if u.windows is None:
        return None
    k = max(u.windows.shape[1], v.windows.shape[1])
    windows = np.full((u.width + v.width, k), -1, dtype=np.int64)
    windows[:u.width, :u.windows.shape[1]] = u.windows
    windows[u.width:, :v.windows.shape[1]] = np.where(v.windows >= 0,
                                                      v.windows + u.pre_width, -1)
    return windows


def _lengthened(layers: list, depth: int) -> list:
    """``layers`` with ReLU layers that pass their input through inserted before the last,
    up to ``depth`` layers: ``[I; -I]`` then identities, and the last layer ``[W, -W]``."""
    missing = depth - len(layers)
    if missing == 0:
        return list(layers)
    *hidden, last = layers
    width = last.in_dim
    inserted = [Layer(np.vstack([np.eye(width), -np.eye(width)]), np.zeros(2 * width), "relu")]
    inserted += [Layer(np.eye(2 * width), np.zeros(2 * width), "relu")
                 for _ in range(missing - 1)]
    return hidden + inserted + [Layer(np.hstack([last.weight, -last.weight]), last.bias,
                                      last.activation, last.slope, last.windows)]
