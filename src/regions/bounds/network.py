"""Bounds for one network (its weights, exact ranks) and every bound that applies to it."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..domain import resolve
from .general_position import exact_rank, general_position
from .formulas import (count_argument, hidden_layer_list, layer_regions, maxout_layer_regions,
                       maxout_upper, montufar2014_lower, montufar2017_upper, raghu_upper,
                       serra_lower, serra_maxout_upper, serra_upper, trivial_upper)

__all__ = ["LayerReach", "layer_reach", "network_bound", "hidden_layers", "Bound", "shape_bounds",
           "network_bounds"]


# --------------------------------------------------------------------------- one network

@dataclass(frozen=True)
class LayerReach:
    """What one hidden layer of a given network can add (see :func:`network_bound`).

    Attributes
    ----------
    layer : int
        Index in ``network.layers``.
    activation : str
    hyperplanes : int
        Neurons with a non-zero weight row (in slice coordinates for the
        first layer); the others have a constant pre-activation.
    dim : int
        ``r_l``: the dimension reachable at this layer's breakpoints.
    regions : int
        The factor this layer contributes, ``layer_regions(hyperplanes, dim, activation)``.
    """

    layer: int
    activation: str
    hyperplanes: int
    dim: int
    regions: int


def layer_reach(network, domain=None) -> list[LayerReach]:
    """Per hidden layer: active hyperplanes and reachable dimension (exact ranks).

    ``r_l = min(rank(W_0 B), rank(W_1), ..., rank(W_l))``, where ``B`` is the
    domain's basis (identity unless the domain is a slice) and the ranks are
    over all layers up to ``l``, identity layers included. Ranks are exact
    (the weights are taken as the rational numbers their floats represent),
    so no tolerance is involved. ``domain`` defaults to all of ``R^n``.
    """
    basis = _domain_basis(network, domain)
    reaches, dim = [], basis.shape[1]
    for index, layer in enumerate(network.layers):
        weight = layer.weight @ basis if index == 0 else layer.weight
        dim = min(dim, exact_rank(weight))
        if layer.activation == "identity":
            continue
        if layer.activation == "max":      # pair hyperplanes; the one-layer maxout maximum
            reaches.append(LayerReach(index, "max", layer.num_labels, dim, maxout_layer_regions(
                dim, layer.width, int(layer.window_sizes.max()))))
            dim = min(dim, layer.width)    # its output has one coordinate per unit
            continue
        hyperplanes = int(np.count_nonzero(np.any(weight != 0.0, axis=1)))
        reaches.append(LayerReach(index, layer.activation, hyperplanes, dim,
                                  layer_regions(hyperplanes, dim, layer.activation)))
    return reaches


def network_bound(network, domain=None) -> int:
    """Per-network upper bound: product over hidden layers of what each layer can add.

    ``prod_l layer_regions(h_l, r_l, activation_l)`` with ``h_l`` and ``r_l``
    from :func:`layer_reach`: ``h_l`` neurons with a non-zero weight row and
    ``r_l = min(rank(W_0 B), rank(W_1), ..., rank(W_l))`` (exact ranks; ``B``
    the slice basis, so ``r_l <= domain.dim``). This is Montufar's 2017
    product with Serra et al.'s rank refinement (ICML 2018, Sec. 3: replace
    widths by ranks of the weight matrices) applied to one set of weights.

    Claim: the exact region count of ``network`` over any convex ``domain``
    (in particular over the whole slice space) is at most this number.

    Proof. Induct over layers. Let ``C`` be a region of layers ``0..l-1``
    (fixed states). On ``C`` the input of layer ``l`` is
    ``h(z) = M_C z + m_C`` with ``M_C = D_{l-1} W_{l-1} ... D_0 W_0 B``,
    where each ``D_k`` is diagonal (neuron slopes of the states on ``C``:
    0/1 for ReLU and hard-tanh, ``slope``/1 for leaky ReLU, 1 for identity).
    So the pre-activations of layer ``l`` on ``C`` are affine with gradient
    rows ``G = W_l M_C``, and ``rank G <= min(rank W_l, rank W_{l-1}, ...,
    rank W_0 B) = r_l`` because multiplying by any matrix (a diagonal ``D_k``
    included) never raises the rank. A neuron whose row of ``W_l`` (of
    ``W_0 B`` for ``l = 0``) is zero has a constant pre-activation and cuts
    nothing; the others give ``h_l`` hyperplanes (``2 h_l`` for hard-tanh, in
    parallel pairs) whose normals span a space of dimension at most ``r_l``.
    Such an arrangement is the product of an arrangement in ``R^{r_l}`` with
    ``R^{d - r_l}``, so it has at most ``layer_regions(h_l, r_l)`` regions
    (Zaslavsky, or :func:`parallel_families` for the pairs). The layer-``l``
    regions inside ``C`` are the full-dimensional pieces ``C ∩ R`` for
    regions ``R`` of that arrangement, at most one per ``R`` since both are
    convex. Hence ``count_l <= count_{l-1} * layer_regions(h_l, r_l)``, and
    ``count_{-1} = 1`` (the domain itself). Restricting to a convex domain
    can only lower the count, for the same reason. ∎

    Never larger than :func:`montufar2017_upper` (hence :func:`raghu_upper`)
    for the network's shape, since ``r_l <= min(n_0, n_1, ..., n_l)`` and
    ``h_l <= n_l``. Not always below :func:`serra_upper`.

    A max layer (``n_l`` units, windows of at most ``k_l`` inputs) adds at most
    :func:`maxout_layer_regions` ``(r_l, n_l, k_l)``: on ``C`` it is a maxout layer on an
    affine space of dimension ``r_l`` (Montufar, Ren, Zhang's one-layer maximum; a smaller
    window is a degenerate one of ``k_l``); its output has ``n_l`` coordinates, so the
    ranks after it are also capped by ``n_l``.
    """
    return math.prod(reach.regions for reach in layer_reach(network, domain))


def hidden_layers(network) -> tuple[list[int], list[str]]:
    """Widths and activations of the non-identity layers of ``network``."""
    pairs = [(layer.width, layer.activation) for layer in network.layers
             if layer.activation != "identity"]
    return [w for w, _ in pairs], [a for _, a in pairs]


# --------------------------------------------------------------------------- all bounds

@dataclass(frozen=True)
class Bound:
    """One bound on a region count.

    Attributes
    ----------
    name : str
        Short identifier (``"serra"``, ``"raghu"``, ...).
    value : int
    kind : str
        ``"upper"``: holds for every network it is computed for (so it must
        be at least the exact count); ``"max_lower"``: some network of this
        shape has at least this many regions (compare with upper bounds only);
        ``"equality"``: the exact count *equals* this value under the stated
        assumption (it is also an upper bound).
    source : str
        Paper and theorem.
    statement : str
        The formula with this network's numbers, and its assumptions.
    """

    name: str
    value: int
    kind: str
    source: str
    statement: str


def shape_bounds(input_dim: int, widths, activation="relu") -> list[Bound]:
    """Every bound that applies to this shape, as :class:`Bound` records.

    Upper bounds: Raghu et al., Montufar 2017, the trivial pattern count, and
    (ReLU only) Serra et al.; lower bounds on the maximum (ReLU only, when
    their width assumptions hold): Montufar et al. 2014 and Serra et al.
    """
    layers = hidden_layer_list(widths, activation)
    widths = [n for n, _ in layers]
    activations = [a for _, a in layers]
    m = count_argument(input_dim, "input_dim", minimum=1)
    shape = f"m={m}, widths={widths}"
    bounds = [
        Bound("raghu", raghu_upper(m, widths, activations), "upper",
              "Raghu et al., ICML 2017, Thm 1 (layerwise arrangement product)",
              f"prod_l sum_{{i<=m}} C(h_l, i), h_l = n_l (2 n_l for hard-tanh); {shape}"),
        Bound("montufar2017", montufar2017_upper(m, widths, activations), "upper",
              "Montufar, Notes on the number of linear regions, SampTA 2017",
              f"prod_l sum_{{j<=d_l}} C(n_l, j) (parallel pairs for hard-tanh), "
              f"d_l = min(n_0..n_l); {shape}"),
        Bound("patterns", trivial_upper(widths, activations), "upper",
              "number of activation patterns",
              f"prod_l (states per neuron)^n_l; {shape}"),
    ]
    if all(a == "relu" for a in activations):
        bounds.append(Bound("serra", serra_upper(m, widths), "upper",
                            "Serra, Tjandraatmadja, Ramalingam, ICML 2018, Thm 1",
                            f"sum over J of prod_l C(n_l, j_l); ReLU; {shape}"))
        if widths and all(n >= m for n in widths):
            bounds.append(Bound("montufar2014", montufar2014_lower(m, widths), "max_lower",
                                "Montufar, Pascanu, Cho, Bengio, NeurIPS 2014, Thm 4",
                                f"prod_{{l<L}} floor(n_l/m)^m * sum_{{j<=m}} C(n_L, j); "
                                f"needs n_l >= m; {shape}"))
        if widths and all(n >= 3 * m for n in widths):
            bounds.append(Bound("serra_lower", serra_lower(m, widths), "max_lower",
                                "Serra, Tjandraatmadja, Ramalingam, ICML 2018, Thm 8",
                                f"prod_{{l<L}} (floor(n_l/m)+1)^m * sum_{{j<=m}} C(n_L, j); "
                                f"needs n_l >= 3m; {shape}"))
    return bounds


def network_bounds(network, domain=None) -> list[Bound]:
    """Every bound that applies to ``network`` over ``domain`` (default: all of R^n).

    The shape bounds of :func:`shape_bounds` with ``m = domain.dim`` and the
    hidden widths, the per-network :func:`network_bound`, and, for a network
    with one hidden layer, the one-layer count (:func:`layer_regions`) of
    Zaslavsky: of kind ``"equality"`` when the domain is a whole space (all of
    ``R^n`` or an unbounded slice: no constraint rows) and the layer's
    hyperplanes are in general position (:func:`general_position`), of kind
    ``"upper"`` otherwise.
    """
    domain = resolve(domain, network)
    widths, activations = hidden_layers(network)
    if "max" not in activations:
        bounds = shape_bounds(domain.dim, widths, activations)
    elif all(a == "max" for a in activations):
        bounds = _maxout_bounds(network, domain.dim, widths)
    else:       # mixed max and elementwise layers: the per-network product only
        bounds = []
    reach = layer_reach(network, domain)
    bounds.append(Bound(
        "network", math.prod(r.regions for r in reach), "upper",
        "Montufar 2017 product with Serra et al. 2018 rank refinement, per network",
        "prod_l regions(h_l hyperplanes in dimension r_l); (h_l, r_l) = "
        + str([(r.hyperplanes, r.dim) for r in reach])))
    if len(widths) == 1 and activations != ["max"]:
        index = next(i for i, layer in enumerate(network.layers)
                     if layer.activation != "identity")
        bounds.append(_one_layer_bound(network, domain, index))
    return bounds


def _maxout_bounds(network, dim: int, widths: list) -> list[Bound]:
    """The shape bounds of a network whose hidden layers are all max layers (ranks: the
    largest window of each)."""
    ranks = [int(layer.window_sizes.max()) for layer in network.layers
             if layer.activation == "max"]
    shape = f"m={dim}, units={widths}, ranks={ranks}"
    return [Bound("maxout", maxout_upper(dim, widths, ranks), "upper",
                  "Montufar, Ren, Zhang, SIAM J. Appl. Algebra Geom. 2022 (one-layer maximum), "
                  "layer by layer",
                  f"prod_l sum_{{j<=d_l}} C(n_l, j) (k_l - 1)^j, d_l = min(n_0..n_{{l-1}}); "
                  f"{shape}"),
            Bound("serra_maxout", serra_maxout_upper(dim, widths, ranks), "upper",
                  "Serra, Tjandraatmadja, Ramalingam, ICML 2018 (maxout)",
                  f"prod_l sum_{{j<=d_l}} C(k_l (k_l - 1) / 2 n_l, j), d_l = min(n_0..n_l); "
                  f"{shape}")]


def _one_layer_bound(network, domain, index: int) -> Bound:
    layer = network.layers[index]
    value = layer_regions(layer.width, domain.dim, layer.activation)
    if layer.activation == "hardtanh":
        source = "Zaslavsky 1975 / Whitney's formula with parallel pairs (general position)"
        formula = f"sum_{{i<=d}} C(N, i) 2^i, N={layer.width}, d={domain.dim}"
    else:
        source = "Zaslavsky 1975 (general position)"
        formula = f"sum_{{i<=d}} C(N, i), N={layer.width}, d={domain.dim}"
    if domain.A.shape[0] != 0:
        return Bound("zaslavsky", value, "upper", source,
                     formula + "; equality not claimed: the domain has constraints")
    # The layer's pre-activation in working coordinates (identity layers before it composed).
    G, beta = domain.basis, domain.origin
    for earlier in network.layers[:index + 1]:
        G, beta = earlier.weight @ G, earlier.weight @ beta + earlier.bias
    generic = general_position(G, beta, layer.breakpoints)
    if generic:
        return Bound("zaslavsky", value, "equality", source,
                     formula + "; one hidden layer on the whole space, hyperplanes in general "
                     "position (checked exactly): the count must equal it")
    reason = ("general position not checked (too many subsets)" if generic is None
              else "the hyperplanes are not in general position")
    return Bound("zaslavsky", value, "upper", source, formula + f"; equality not claimed: {reason}")


def _domain_basis(network, domain) -> np.ndarray:
    return resolve(domain, network).basis
