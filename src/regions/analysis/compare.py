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
is the optimum of two exact LPs per output over the region's exact rows (a vertex of the
region, :func:`regions.lp_exact.maximize`, started where HiGHS finds the optimum), or
unbounded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from flint import fmpq

from ..domain import resolve
from ..enumeration import enumerate_regions
from ..errors import RegionsError, float64_overflow
from .. import lp_exact
from ..lp import LPError, LPSolver
from ..network import Layer, Network, make_layer, pattern_sides
from ..predicates import Decisions
from ..rational import float_of, magnitude

__all__ = ["Comparison", "compare", "side_by_side"]


@dataclass
class Comparison:
    """What :func:`compare` found.

    Attributes
    ----------
    equivalent : bool
        The networks compute the same function on the whole domain (decided exactly).
    max_abs_difference : float
        The largest ``|f_k(x) - g_k(x)|`` over the domain and the outputs ``k`` (the exact
        optimum rounded to float64; exactly 0.0 when ``equivalent``), ``inf`` when unbounded.
        A DomainError when it, or the vertex found attaining it, is beyond float64.
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
    best, where, output, differing = _largest_difference(part, a.output_dim)
    if differing == 0:
        return Comparison(True, 0.0, _a_point(part), 0, len(part), 0)
    if best == np.inf:
        return Comparison(False, np.inf, None, output, len(part), differing)
    value = float_of(best)
    with np.errstate(over="ignore", invalid="ignore"):
        argmax = part.domain.to_input(np.array([float_of(v) for v in where]))
    if not (np.isfinite(value) and np.all(np.isfinite(argmax))):
        farthest = max([abs(best)] + [abs(v) for v in where])
        raise float64_overflow("the largest difference between the networks, or where it "
                               "is attained,", magnitude(farthest))
    return Comparison(False, value, argmax, output, len(part), differing)


def _largest_difference(part, outputs: int) -> tuple:
    """``(largest |f_k - g_k| (fmpq, or inf when unbounded), a working point attaining it
    (fmpq list, None when unbounded), its output k, regions where the maps differ)`` over
    the common refinement ``part`` of ``f`` (outputs first) and ``g``: on each region where
    they differ, exact LPs over its exact rows."""
    decisions = Decisions(part.network, part.domain)
    solver = LPSolver()
    best, where, output, differing = fmpq(0), None, 0, 0
    for i, pattern in enumerate(part.patterns):
        D, e = _difference(decisions, pattern, outputs)
        if all(v == 0 for row in D for v in row) and all(v == 0 for v in e):
            continue
        differing += 1
        if best == np.inf:
            continue
        A, b, labels = part.constraints(i)
        sides = pattern_sides(part.network, pattern)
        exact = decisions.oriented_rows(pattern, labels,
                                        [sides[label] if label >= 0 else 0 for label in labels])
        for k, sign in [(k, sign) for k in range(outputs) for sign in (1, -1)]:
            result = _maximum(solver, (A, b), exact, [sign * v for v in D[k]], sign * e[k])
            if result.status == "unbounded":
                best, where, output = np.inf, None, k
                break
            if result.status == "optimal" and (where is None or (
                    result.value, _in_float64(result.point)) > (best, _in_float64(where))):
                best, where, output = result.value, result.point, k
    return best, where, output, differing


def _in_float64(point: list) -> bool:
    """Whether an exact point rounds to a float64 one: among points of equal difference,
    one that does is kept."""
    return all(np.isfinite(float_of(v)) for v in point)


def _difference(decisions: Decisions, pattern: np.ndarray, outputs: int) -> tuple[list, list]:
    """``(D, e)``, exactly: ``f - g = D z + e`` on the region of ``pattern``."""
    C, d = decisions.maps.output_map(pattern)
    return ([[C[k, j] - C[k + outputs, j] for j in range(C.ncols())] for k in range(outputs)],
            [d[k, 0] - d[k + outputs, 0] for k in range(outputs)])


def _maximum(solver: LPSolver, floats: tuple, exact: tuple, gradient: list, offset):
    """:func:`regions.lp_exact.maximize` of ``gradient . z + offset`` (exact) over a region's
    exact rows ``exact`` (fmpq matrices ``A z <= b``), started at the rows HiGHS finds tight
    at its optimum over the region's float rows ``floats`` (usually no pivot). HiGHS alone
    answered NaN, or failed, on rows and objectives of 1e300 and on rows beyond float64."""
    A, b = floats
    basis = None
    with np.errstate(over="ignore", invalid="ignore"):
        direction = np.array([float_of(v) for v in gradient])
        if np.all(np.isfinite(direction)) and np.all(np.isfinite(b)):
            try:
                _, point = solver.maximizer(A, b, direction)
            except LPError:
                point = None
            if point is not None and np.all(np.isfinite(point)):
                basis = np.argsort(b - A @ point, kind="stable")[:A.shape[1]].tolist()
    return lp_exact.maximize(exact[0], exact[1], gradient, offset, basis=basis)


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
