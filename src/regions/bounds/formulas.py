"""Closed-form region counts and bounds for a network *shape* (widths, input dimension).

Every value is a Python ``int`` computed with :func:`math.comb`; nothing is rounded.
See :mod:`regions.bounds` for the notation and the sources.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import NetworkError

__all__ = ["HYPERPLANES_PER_NEURON", "zaslavsky", "zaslavsky_bounded", "parallel_families",
           "layer_regions", "raghu_upper", "montufar2017_upper", "serra_upper",
           "montufar2014_lower", "serra_lower", "trivial_upper", "maxout_layer_regions",
           "maxout_upper", "serra_maxout_upper", "count_argument",
           "hidden_activation", "hidden_layer_list"]

#: Activations that contribute breakpoint hyperplanes, and how many per neuron.
HYPERPLANES_PER_NEURON = {"relu": 1, "leaky_relu": 1, "hardtanh": 2}


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
    n, d = count_argument(num_hyperplanes, "num_hyperplanes"), count_argument(dim, "dim")
    return sum(math.comb(n, i) for i in range(min(n, d) + 1))


def zaslavsky_bounded(num_hyperplanes: int, dim: int) -> int:
    """Number of *bounded* regions of ``N`` hyperplanes in general position in ``R^d``.

    ``C(N - 1, d)`` (Zaslavsky 1975, Thm C: ``|chi(-1)|`` with the sign of the
    top coefficient, which for general position is ``C(N - 1, d)``). ``0``
    when ``N <= d`` (or ``N = 0``). Assumption: general position, ``d >= 1``.

    >>> zaslavsky_bounded(6, 2)
    10
    """
    n = count_argument(num_hyperplanes, "num_hyperplanes")
    d = count_argument(dim, "dim", minimum=1)
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
    k, p = count_argument(families, "families"), count_argument(per_family, "per_family")
    d = count_argument(dim, "dim")
    return sum(math.comb(k, i) * p ** i for i in range(min(k, d) + 1))


def layer_regions(width: int, dim: int, activation: str = "relu") -> int:
    """Most regions one layer of ``width`` neurons can cut ``R^dim`` into.

    ``zaslavsky(width, dim)`` for ``relu``/``leaky_relu`` (one hyperplane per
    neuron), ``parallel_families(width, 2, dim)`` for ``hardtanh`` (two
    parallel hyperplanes per neuron). Exact maximum (attained by generic
    weights) and an upper bound for every weight.
    """
    activation = hidden_activation(activation)
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
    m = count_argument(input_dim, "input_dim", minimum=1)
    layers = hidden_layer_list(widths, activation)
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
    m = count_argument(input_dim, "input_dim", minimum=1)
    result, dim = 1, m
    for n, act in hidden_layer_list(widths, activation):
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
    m = count_argument(input_dim, "input_dim", minimum=1)
    weights = {m: 1}   # running cap b -> sum of products over the prefixes reaching it
    for n, _ in hidden_layer_list(widths, "relu"):
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
    m = count_argument(input_dim, "input_dim", minimum=1)
    layers = hidden_layer_list(widths, "relu")
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
    m = count_argument(input_dim, "input_dim", minimum=1)
    layers = hidden_layer_list(widths, "relu")
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
                     for n, act in hidden_layer_list(widths, activation))


# --------------------------------------------------------------------------- maxout

def maxout_layer_regions(input_dim: int, units: int, rank: int) -> int:
    """Most regions one layer of ``units`` maxout units of rank ``rank`` can cut ``R^d`` into.

    ``sum_{j=0}^{d} C(units, j) (rank - 1)^j`` (Montufar, Ren, Zhang, "Sharp bounds for
    the number of regions of maxout networks and vertices of Minkowski sums", SIAM J.
    Appl. Algebra Geom. 2022, arXiv:2104.08135: the maximum for a single layer with
    biases; its regions are the upper vertices of a Minkowski sum of ``units`` polytopes
    of ``rank`` vertices each). An upper bound for every weight, attained by generic ones.
    Special cases that pin it down: rank 2 is :func:`zaslavsky` (one hyperplane per
    unit); one unit has ``rank`` regions; ``units <= d`` gives ``rank^units`` (every
    combination, e.g. each unit on its own coordinate); ``d = 1`` gives
    ``1 + units (rank - 1)`` breakpoints' intervals. A unit of smaller rank is a
    degenerate unit of this rank, so ``rank`` may be the largest rank of the layer.

    >>> maxout_layer_regions(2, 3, 2) == zaslavsky(3, 2), maxout_layer_regions(2, 2, 3)
    (True, 9)
    >>> maxout_layer_regions(1, 4, 3), maxout_layer_regions(5, 1, 7)
    (9, 7)
    """
    d = count_argument(input_dim, "input_dim")
    n = count_argument(units, "units", minimum=1)
    k = count_argument(rank, "rank", minimum=1)
    return sum(math.comb(n, j) * (k - 1) ** j for j in range(min(n, d) + 1))


def _maxout_layers(input_dim: int, widths, ranks) -> tuple[int, list[tuple[int, int]]]:
    m = count_argument(input_dim, "input_dim", minimum=1)
    widths = [count_argument(n, "units", minimum=1) for n in widths]
    ranks = ([ranks] * len(widths) if isinstance(ranks, (int, np.integer))
             else [count_argument(k, "rank", minimum=1) for k in ranks])
    if len(ranks) != len(widths):
        raise NetworkError(f"got {len(ranks)} ranks for {len(widths)} maxout layers")
    return m, [(n, count_argument(k, "rank", minimum=1)) for n, k in zip(widths, ranks)]


def maxout_upper(input_dim: int, widths, ranks) -> int:
    """Upper bound for a maxout network, layer by layer: ``prod_l
    maxout_layer_regions(d_l, n_l, k_l)`` with ``d_l = min(n_0, n_1, ..., n_{l-1})`` (``n_l``
    units of rank ``k_l`` in layer ``l``; ``ranks`` one int for all layers or one per layer).

    On a region of the layers before ``l`` the network is affine, so layer ``l`` is a
    maxout layer on an affine space of dimension at most ``d_l`` (the input's, and each
    earlier layer's number of outputs), which it cuts into at most
    ``maxout_layer_regions(d_l, n_l, k_l)`` convex pieces (Montufar, Ren, Zhang 2022,
    the one-layer maximum); the product follows by induction, as for ReLU (Montufar
    2017). One layer: the one-layer maximum itself.

    >>> maxout_upper(2, [3], 3), maxout_upper(2, [3, 1], [3, 2])
    (19, 38)
    """
    dim, layers = _maxout_layers(input_dim, widths, ranks)
    result = 1
    for n, k in layers:
        result *= maxout_layer_regions(dim, n, k)
        dim = min(dim, n)
    return result


def serra_maxout_upper(input_dim: int, widths, ranks) -> int:
    """Serra, Tjandraatmadja and Ramalingam's upper bound for maxout networks: ``prod_l
    sum_{j=0}^{d_l} C(k_l (k_l - 1) / 2 * n_l, j)`` with ``d_l = min(n_0, n_1, ..., n_l)``
    (Serra et al., ICML 2018, the maxout theorem: each rank-``k`` unit's regions are cut by
    its ``k (k - 1) / 2`` pair hyperplanes, an arrangement per layer). Never below
    :func:`maxout_upper`: ``C(n k (k - 1) / 2, j) >= C(n, j) (k - 1)^j`` term by term.

    >>> serra_maxout_upper(2, [3], 3), serra_maxout_upper(2, [3, 1], [3, 2])
    (46, 92)
    """
    dim, layers = _maxout_layers(input_dim, widths, ranks)
    result = 1
    for n, k in layers:
        dim = min(dim, n)
        result *= zaslavsky(n * k * (k - 1) // 2, dim)
    return result


# --------------------------------------------------------------------------- validation

def count_argument(value, name: str, minimum: int = 0) -> int:
    """``value`` as an ``int`` of at least ``minimum``; NetworkError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise NetworkError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    if value < minimum:
        raise NetworkError(f"{name} must be >= {minimum}, got {value}")
    return value


def hidden_activation(name) -> str:
    """The normalised name of an activation that adds hyperplanes; NetworkError otherwise."""
    name = str(name).strip().lower().replace("-", "_")
    if name not in HYPERPLANES_PER_NEURON:
        raise NetworkError(
            f"bounds take hidden-layer activations {sorted(HYPERPLANES_PER_NEURON)}, got {name!r}"
            " (identity layers add no hyperplanes: leave them out of the widths)")
    return name


def hidden_layer_list(widths, activation) -> list[tuple[int, str]]:
    """``[(width, activation), ...]`` of the hidden layers, checked (one activation for all,
    or one per layer)."""
    widths = [count_argument(n, "hidden width", minimum=1) for n in widths]
    if isinstance(activation, str):
        activations = [hidden_activation(activation)] * len(widths)
    else:
        activations = [hidden_activation(a) for a in activation]
        if len(activations) != len(widths):
            raise NetworkError(f"got {len(activations)} activations for {len(widths)} widths")
    return list(zip(widths, activations))
