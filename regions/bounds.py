"""Theoretical bounds on the number of linear regions, in exact integer arithmetic.

Every bound is a Python ``int`` computed with :func:`math.comb`; nothing here
is rounded. Notation (as in the papers):

* ``m`` or ``input_dim``: input dimension ``n_0``. On a slice domain (plane,
  line, segment) the network restricted to the slice is a network on
  ``R^{domain.dim}``, so every bound is taken with ``m = domain.dim``.
* ``widths``: the *hidden* widths ``n_1, ..., n_L``, i.e. the widths of the
  non-identity layers. Identity layers (the output layer, or a linear
  bottleneck) add no hyperplanes; they can only lower the dimension of what
  follows, so leaving them out keeps every bound valid.
* "Regions" are the full-dimensional activation regions: the non-empty
  interiors of the sets ``{x : pattern(x) = p}``. Each is convex (it is cut
  out by the affine inequalities that fix ``p``), which is what makes the
  layer-by-layer arguments below work, and is what :func:`regions.enumerate`
  counts.

Activations. A ReLU or leaky-ReLU neuron contributes one breakpoint
hyperplane (``z = 0``), a hard-tanh neuron two parallel ones (``z = -1`` and
``z = 1``). Upper bounds that only count hyperplanes (Zaslavsky, Raghu et al.,
Montufar 2017 and the per-network bound) therefore hold for every activation,
layer by layer: mixed networks use, per layer, one hyperplane per neuron for
``relu``/``leaky_relu`` and a family of two parallel hyperplanes per neuron
for ``hardtanh``. The Serra et al. upper bound and the two lower bounds are
theorems about ReLU networks only (the upper bound uses that an inactive ReLU
outputs exactly 0, which a leaky ReLU does not); they are refused for any
other activation.

Upper bounds hold for every network of the given shape on all of ``R^m``, so
also inside any convex domain (a region meets a convex domain in one convex
piece at most). The lower bounds are about the *maximum* number of regions
over all weights: they can be compared with upper bounds, never with one
network.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import flint
import numpy as np

from .domain import resolve
from .errors import NetworkError

#: Activations that contribute breakpoint hyperplanes, and how many per neuron.
HYPERPLANES_PER_NEURON = {"relu": 1, "leaky_relu": 1, "hardtanh": 2}

#: Largest number of determinants :func:`general_position` evaluates before giving up.
GENERAL_POSITION_BUDGET = 500_000

# A Mersenne prime below 2**31: products of two residues fit in int64.
_PRIME = 2_147_483_647


# --------------------------------------------------------------------------- arrangements

def zaslavsky(num_hyperplanes: int, dim: int) -> int:
    """Number of regions of ``N`` hyperplanes in general position in ``R^d``.

    ``sum_{i=0}^{d} C(N, i)`` (Zaslavsky 1975, "Facing up to arrangements",
    Thm A, specialised to general position; first due to Schlaefli and to
    Buck 1943). Assumption for equality: every ``k <= d`` of the hyperplanes
    meet in a flat of dimension ``d - k`` and no ``d + 1`` share a point. For
    *any* ``N`` hyperplanes in ``R^d`` it is an upper bound (deletion-
    restriction: adding a hyperplane adds at most as many regions as the
    arrangement it induces on itself has, at most ``zaslavsky(N - 1, d - 1)``).

    >>> zaslavsky(6, 2)   # six lines in the plane
    22
    """
    n, d = _count(num_hyperplanes, "num_hyperplanes"), _count(dim, "dim")
    return sum(math.comb(n, i) for i in range(min(n, d) + 1))


def zaslavsky_bounded(num_hyperplanes: int, dim: int) -> int:
    """Number of *bounded* regions of ``N`` hyperplanes in general position in ``R^d``.

    ``C(N - 1, d)`` (Zaslavsky 1975, Thm C: ``|chi(-1)|`` with the sign of the
    top coefficient, which for general position is ``C(N - 1, d)``). ``0``
    when ``N <= d`` (or ``N = 0``). Assumption: general position, ``d >= 1``.

    >>> zaslavsky_bounded(6, 2)
    10
    """
    n, d = _count(num_hyperplanes, "num_hyperplanes"), _count(dim, "dim", minimum=1)
    return math.comb(n - 1, d) if n >= 1 else 0


def parallel_families(families: int, per_family: int, dim: int) -> int:
    """Regions of ``k`` families of ``p`` parallel hyperplanes, generic otherwise, in ``R^d``.

    ``sum_{i=0}^{d} C(k, i) p^i``. Derivation (Whitney's formula, Zaslavsky
    1975 Thm A): ``r = sum |mu|`` over subsets with a non-empty intersection;
    two hyperplanes of one family never meet, so such a subset takes at most
    one hyperplane from each of ``i`` families (``C(k, i) p^i`` ways), and
    when the normals of distinct families are in general position it meets
    iff ``i <= d`` and contributes 1. For *any* ``k`` families of at most ``p``
    parallel hyperplanes it is an upper bound (deletion-restriction, adding
    families one at a time: ``f(k, d) = f(k-1, d) + p f(k-1, d-1)``). With
    ``p = 2`` this is the count of one hard-tanh layer of ``k`` neurons.

    >>> parallel_families(2, 2, 2)   # two pairs of parallel lines: a 3x3 grid
    9
    """
    k, p = _count(families, "families"), _count(per_family, "per_family")
    d = _count(dim, "dim")
    return sum(math.comb(k, i) * p ** i for i in range(min(k, d) + 1))


def layer_regions(width: int, dim: int, activation: str = "relu") -> int:
    """Most regions one layer of ``width`` neurons can cut ``R^dim`` into.

    ``zaslavsky(width, dim)`` for ``relu``/``leaky_relu`` (one hyperplane per
    neuron), ``parallel_families(width, 2, dim)`` for ``hardtanh`` (two
    parallel hyperplanes per neuron). Exact maximum (attained by generic
    weights) and an upper bound for every weight.
    """
    activation = _activation(activation)
    if HYPERPLANES_PER_NEURON[activation] == 2:
        return parallel_families(width, 2, dim)
    return zaslavsky(width, dim)


# --------------------------------------------------------------------------- shape bounds

def raghu_upper(input_dim: int, widths, activation="relu") -> int:
    """Raghu et al. activation-pattern bound, in the explicit form of its proof.

    Raghu, Poole, Kleinberg, Ganguli, Sohl-Dickstein, "On the expressive power
    of deep neural networks", ICML 2017, Theorem 1 (upper bound on the number
    of activation patterns): ``O(k^{mn})`` for ``n`` hidden ReLU layers of
    width ``k`` on ``R^m`` and ``O((2k)^{mn})`` for hard-tanh. Their proof is
    an induction over layers: inside any region of the first ``l - 1`` layers
    the ``l``-th layer's breakpoints are hyperplanes of ``R^m``, at most
    ``sum_{i<=m} C(h_l, i)`` regions (Zaslavsky), where ``h_l = n_l`` (ReLU)
    or ``2 n_l`` (hard-tanh). The bound returned is the product of those
    counts, ``prod_l sum_{i<=m} C(h_l, i)``, not the big-O.

    Parameters
    ----------
    input_dim : int
        ``m``.
    widths : sequence of int
        Hidden widths ``n_1, ..., n_L``.
    activation : str or sequence of str
        One activation for all layers, or one per layer (mixed networks:
        each layer uses its own ``h_l``).

    >>> raghu_upper(2, [2, 2, 2])
    64
    """
    m = _count(input_dim, "input_dim", minimum=1)
    layers = _layers(widths, activation)
    return math.prod(zaslavsky(HYPERPLANES_PER_NEURON[act] * n, m) for n, act in layers)


def montufar2017_upper(input_dim: int, widths, activation="relu") -> int:
    """Montufar's dimension-capped product bound, generalised to hard-tanh layers.

    Montufar, "Notes on the number of linear regions of deep neural networks"
    (SampTA 2017): ``prod_l sum_{j<=d_l} C(n_l, j)`` with
    ``d_l = min(n_0, n_1, ..., n_l)``. Argument: the input of layer ``l`` is
    an affine image of a region, of dimension at most
    ``min(n_0, n_1, ..., n_{l-1})``, and ``n_l`` hyperplanes in a space of
    dimension ``d`` make at most ``sum_{j<=d} C(n_l, j)`` regions (capping
    ``d`` at ``n_l`` as well changes nothing). The argument uses only the
    widths, so it holds for leaky ReLU too; for a hard-tanh layer the factor
    is :func:`parallel_families` ``(n_l, 2, d_l)`` (the same argument with
    pairs of parallel hyperplanes). Never larger than :func:`raghu_upper`.

    >>> montufar2017_upper(2, [4, 1, 4])   # 11 * 2 * 5: one dimension after the bottleneck
    110
    """
    m = _count(input_dim, "input_dim", minimum=1)
    result, dim = 1, m
    for n, act in _layers(widths, activation):
        dim = min(dim, n)
        result *= layer_regions(n, dim, act)
    return result


def serra_upper(input_dim: int, widths) -> int:
    """Serra, Tjandraatmadja and Ramalingam's upper bound for ReLU networks.

    Serra, Tjandraatmadja, Ramalingam, "Bounding and counting linear regions
    of deep neural networks", ICML 2018, Theorem 1: the maximal number of
    regions of a ReLU network with input dimension ``n_0`` and hidden widths
    ``n_1..n_L`` is at most ``sum_{(j_1..j_L) in J} prod_l C(n_l, j_l)`` with
    ``J = {0 <= j_l <= min(n_0, n_1 - j_1, ..., n_{l-1} - j_{l-1}, n_l)}``.
    Equal to :func:`zaslavsky` for ``L = 1`` (tight); for ``n_0 = 1`` and
    every ``n_l >= 2`` it is ``prod_l (n_l + 1)``. ReLU only (the proof uses
    that an inactive unit outputs exactly zero, so a region whose image has
    ``j`` active units has an image of dimension at most ``j``).

    Computed by dynamic programming over the running cap
    ``b_l = min(n_0, n_1 - j_1, ..., n_{l-1} - j_{l-1})``, so the cost is
    ``O(L n_0 max n_l)`` instead of the number of tuples in ``J``.

    >>> serra_upper(2, [2, 2, 2]), serra_upper(3, [4, 4])
    (30, 161)
    """
    m = _count(input_dim, "input_dim", minimum=1)
    weights = {m: 1}   # running cap b -> sum of products over the prefixes reaching it
    for n, _ in _layers(widths, "relu"):
        following: dict[int, int] = {}
        for cap, weight in weights.items():
            for j in range(min(cap, n) + 1):
                key = min(cap, n - j)
                following[key] = following.get(key, 0) + weight * math.comb(n, j)
        weights = following
    return sum(weights.values())


def montufar2014_lower(input_dim: int, widths) -> int:
    """Montufar, Pascanu, Cho and Bengio's lower bound on the maximal number of regions.

    "On the number of linear regions of deep neural networks", NeurIPS 2014,
    Theorem 4 (explicit form of its ``Omega((n/n_0)^{(L-1) n_0} n^{n_0})``):
    some ReLU network with these widths has at least
    ``(prod_{l<L} floor(n_l / n_0)^{n_0}) * sum_{j<=n_0} C(n_L, j)`` regions.
    Assumption: every hidden width ``n_l >= n_0`` (raises
    :class:`~regions.errors.NetworkError` otherwise). A statement about the
    best weights: compare it with upper bounds, not with one network.

    >>> montufar2014_lower(2, [4, 4])
    44
    """
    m = _count(input_dim, "input_dim", minimum=1)
    layers = _layers(widths, "relu")
    if not layers or any(n < m for n, _ in layers):
        raise NetworkError(
            f"Montufar et al. (2014) needs at least one hidden layer and every hidden width "
            f">= the input dimension {m}; got widths {[n for n, _ in layers]}")
    head = math.prod((n // m) ** m for n, _ in layers[:-1])
    return head * zaslavsky(layers[-1][0], m)


def serra_lower(input_dim: int, widths) -> int:
    """Serra, Tjandraatmadja and Ramalingam's lower bound on the maximal number of regions.

    ICML 2018, Theorem 8 (its improvement of Montufar et al. 2014): some ReLU
    network with these widths has at least
    ``(prod_{l<L} (floor(n_l / n_0) + 1)^{n_0}) * sum_{j<=n_0} C(n_L, j)``
    regions. Assumption: every hidden width ``n_l >= 3 n_0`` (raises
    :class:`~regions.errors.NetworkError` otherwise). For ``n_0 = 1`` it
    equals :func:`serra_upper`: the maximum in one dimension is exactly
    ``prod_l (n_l + 1)``.

    >>> serra_lower(1, [4, 4]), serra_upper(1, [4, 4])
    (25, 25)
    """
    m = _count(input_dim, "input_dim", minimum=1)
    layers = _layers(widths, "relu")
    if not layers or any(n < 3 * m for n, _ in layers):
        raise NetworkError(
            f"Serra et al. (2018) lower bound needs at least one hidden layer and every hidden "
            f"width >= 3 * input dimension = {3 * m}; got widths {[n for n, _ in layers]}")
    head = math.prod((n // m + 1) ** m for n, _ in layers[:-1])
    return head * zaslavsky(layers[-1][0], m)


def trivial_upper(widths, activation="relu") -> int:
    """Number of possible activation patterns: ``prod_l s_l^{n_l}``, ``s_l`` states per neuron.

    ``2`` states for ``relu``/``leaky_relu``, ``3`` for ``hardtanh``: so
    ``2^N`` or ``3^N`` for ``N`` neurons of one kind.
    """
    return math.prod((HYPERPLANES_PER_NEURON[act] + 1) ** n
                     for n, act in _layers(widths, activation))


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
    layers = _layers(widths, activation)
    widths = [n for n, _ in layers]
    activations = [a for _, a in layers]
    m = _count(input_dim, "input_dim", minimum=1)
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
    bounds = shape_bounds(domain.dim, widths, activations)
    reach = layer_reach(network, domain)
    bounds.append(Bound(
        "network", math.prod(r.regions for r in reach), "upper",
        "Montufar 2017 product with Serra et al. 2018 rank refinement, per network",
        "prod_l regions(h_l hyperplanes in dimension r_l); (h_l, r_l) = "
        + str([(r.hyperplanes, r.dim) for r in reach])))
    if len(widths) == 1:
        index = next(i for i, layer in enumerate(network.layers)
                     if layer.activation != "identity")
        bounds.append(_one_layer_bound(network, domain, index))
    return bounds


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


# --------------------------------------------------------------------------- exact linear algebra

def exact_rank(matrix) -> int:
    """Rank of a float matrix, taken exactly as the rational numbers its entries represent.

    Every float64 is a dyadic rational, so the matrix times a common power of
    two is an integer matrix with the same rank, which FLINT
    (``python-flint``) computes exactly.
    """
    integers = _integer_matrix(matrix)
    if not integers or not integers[0]:
        return 0
    return int(flint.fmpz_mat(integers).rank())


def general_position(normals, offsets, breakpoints=(0.0,)) -> bool | None:
    """Whether the layer's breakpoint hyperplanes are in general position (exact test).

    The hyperplanes are ``normals[i] . z + offsets[i] = t`` for ``t`` in
    ``breakpoints`` (one value for ReLU, ``(-1, 1)`` for hard-tanh, whose two
    hyperplanes per neuron are parallel by construction). "General position"
    means what makes :func:`layer_regions` exact: every ``k <= d`` neurons
    have linearly independent normals, and no ``d + 1`` hyperplanes of
    distinct neurons share a point. Both are non-vanishing of determinants
    (``d x d`` minors of ``normals``; ``(d+1) x (d+1)`` minors of
    ``[normals | offsets - t]``), decided exactly on the rational numbers the
    floats represent: a non-zero residue modulo a prime (all minors at once,
    vectorised) proves a determinant non-zero, and the rare zero residue is
    settled by FLINT's exact integer determinant.

    Returns ``None`` when more than :data:`GENERAL_POSITION_BUDGET`
    determinants would be needed.
    """
    G = np.asarray(normals, dtype=np.float64)
    beta = np.asarray(offsets, dtype=np.float64).reshape(-1, 1)
    n, d = G.shape
    if n == 0:
        return True
    if n <= d:
        return exact_rank(G) == n
    shifts = list(itertools.product(range(len(breakpoints)), repeat=d + 1))
    if math.comb(n, d) + math.comb(n, d + 1) * len(shifts) > GENERAL_POSITION_BUDGET:
        return None
    # One common power-of-two scale for normals, offsets and breakpoints keeps
    # ``offset - t`` exact (the float subtraction would round).
    rows = _integer_matrix(np.vstack([np.hstack([G, beta]),
                                      np.array([[0.0] * d + [float(t)] for t in breakpoints])]))
    normals_int = [row[:d] for row in rows[:n]]
    augmented_int = rows[:n]
    t_int = [row[d] for row in rows[n:]]
    if not _minors_nonzero(normals_int, itertools.combinations(range(n), d)):
        return False
    for shift in shifts:
        if not _minors_nonzero(augmented_int, itertools.combinations(range(n), d + 1),
                               [t_int[k] for k in shift]):
            return False
    return True


def _minors_nonzero(rows: list[list[int]], subsets, shift=None, chunk: int = 20_000) -> bool:
    """Whether every square minor on the row ``subsets`` of an integer matrix is non-zero.

    ``shift`` (one integer per row of a minor) is subtracted from the last
    column of each minor first.
    """
    residues = np.array([[v % _PRIME for v in row] for row in rows], dtype=np.int64)
    shift_res = None if shift is None else np.array([s % _PRIME for s in shift], dtype=np.int64)
    while True:
        block_rows = np.array(list(itertools.islice(subsets, chunk)), dtype=np.intp)
        if block_rows.size == 0:
            return True
        block = residues[block_rows]
        if shift_res is not None:
            block[:, :, -1] = (block[:, :, -1] - shift_res[None, :]) % _PRIME
        for k in np.flatnonzero(_determinants_mod_p(block) == 0):
            exact = [list(rows[i]) for i in block_rows[k]]
            if shift is not None:
                for row, s in zip(exact, shift):
                    row[-1] -= s
            if flint.fmpz_mat(exact).det() == 0:
                return False


def _integer_matrix(matrix) -> list[list[int]]:
    """The matrix times ``2^K`` (exactly, as Python ints) so every entry is an integer."""
    array = np.asarray(matrix, dtype=np.float64)
    if array.ndim != 2:
        raise NetworkError(f"expected a 2-D matrix, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise NetworkError("matrix has NaN or infinite entries")
    ratios = [[float(v).as_integer_ratio() for v in row] for row in array.tolist()]
    scale = max((den for row in ratios for _, den in row), default=1)
    return [[num * (scale // den) for num, den in row] for row in ratios]


def _inverse_mod_p(x: np.ndarray) -> np.ndarray:
    """Elementwise inverse modulo the prime (Fermat), for non-zero residues."""
    result = np.ones_like(x)
    base = x % _PRIME
    exponent = _PRIME - 2
    while exponent:
        if exponent & 1:
            result = result * base % _PRIME
        base = base * base % _PRIME
        exponent >>= 1
    return result


def _determinants_mod_p(stack: np.ndarray) -> np.ndarray:
    """Determinants modulo the prime of a batch ``(B, n, n)`` of residue matrices."""
    M = stack.copy()
    batch, n, _ = M.shape
    rows = np.arange(batch)
    det = np.ones(batch, dtype=np.int64)
    for col in range(n):
        nonzero = M[:, col:, col] != 0
        alive = nonzero.any(axis=1)
        det[~alive] = 0
        pivot_row = col + np.argmax(nonzero, axis=1)
        swap = pivot_row != col
        top = M[rows, col].copy()
        M[rows, col] = M[rows, pivot_row]
        M[rows, pivot_row] = top
        det = np.where(swap, (_PRIME - det) % _PRIME, det)
        pivot = np.where(alive, M[:, col, col], 1)
        det = det * pivot % _PRIME
        factors = M[:, col + 1:, col] * _inverse_mod_p(pivot)[:, None] % _PRIME
        M[:, col + 1:, col:] = (M[:, col + 1:, col:]
                                - factors[:, :, None] * M[:, None, col, col:] % _PRIME) % _PRIME
    return det


# --------------------------------------------------------------------------- validation

def _count(value, name: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise NetworkError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if value < minimum:
        raise NetworkError(f"{name} must be >= {minimum}, got {value}")
    return value


def _activation(name) -> str:
    name = str(name).strip().lower().replace("-", "_")
    if name not in HYPERPLANES_PER_NEURON:
        raise NetworkError(
            f"bounds take hidden-layer activations {sorted(HYPERPLANES_PER_NEURON)}, got {name!r}"
            " (identity layers add no hyperplanes: leave them out of the widths)")
    return name


def _layers(widths, activation) -> list[tuple[int, str]]:
    widths = [_count(n, "hidden width", minimum=1) for n in widths]
    if isinstance(activation, str):
        activations = [_activation(activation)] * len(widths)
    else:
        activations = [_activation(a) for a in activation]
        if len(activations) != len(widths):
            raise NetworkError(f"got {len(activations)} activations for {len(widths)} widths")
    return list(zip(widths, activations))


def _domain_basis(network, domain) -> np.ndarray:
    return resolve(domain, network).basis
