"""The canonical parameters of a network under hidden-neuron permutation and rescaling.

A hidden neuron ``h = act(w . x + b)`` of a ReLU or leaky-ReLU layer computes
``act(c w . x + c b) = c h`` for every ``c > 0``: scaling its incoming row ``(w, b)`` by
``c`` and its outgoing column (its weights in the next layer) by ``1 / c`` leaves the
network's function unchanged, and so does permuting the neurons of a hidden layer
(Shen 2023). :func:`regions.canonical` picks one network in each class, layer by layer
from the first. The factors it divides out per neuron depend on the activation:

=================  ==========================================================
activation         a neuron's row ``(w, b)`` is multiplied by
=================  ==========================================================
relu, leaky_relu   ``c > 0`` (positively homogeneous)
hardtanh           ``c = +1`` or ``-1`` (odd, not homogeneous: no other scale)
identity (hidden)  any ``c != 0``
output layer       nothing: its rows are the outputs, only its columns change
=================  ==========================================================

On top of these, every hidden layer's neurons are permuted. Not canonicalised: the
general invertible maps between an identity layer and its neighbours, a neuron split
into duplicates with other outgoing weights, the free parameters of a neuron off on the
domain, and anything else beyond permutation and these factors.

The computation is exact. Every float64 is a rational number, so each row is taken in
rationals and scaled to the *primitive* integer vector on its ray (coprime entries),
then by the power of two that puts its largest entry in ``[1, 2)``, with the sign rule
of its activation (hard-tanh and identity: the first nonzero entry positive; hard-tanh
takes only the sign). Its column is divided by the same factor, exactly. The neurons
are ordered by their canonical rows, lexicographically on the exact values (weights,
then bias). Only the finished network is rounded to float64, each value once. When
that would round any value (a row whose entries share an odd factor, such as 3, makes
its column three times longer in bits), the whole network is canonicalised again with
powers of two only (``Canonical.primitive`` False), which never rounds.

What is guaranteed:

* The canonical network computes exactly the function of the input
  (``Canonical.exact``), unless a value leaves float64's range (rows whose entries
  differ by a factor near 2^1000), or ``prune`` merged duplicates whose summed column
  rounds.
* Two networks related *exactly* (value for value) by permutations of hidden neurons and
  these factors give the same canonical network, hence byte-identical files
  (:func:`regions.write_network` writes the same bytes for the same values): always for factors
  that are powers of two (and signs), and for any factors (3, 1/5, ...) when the
  primitive form does not round. That holds for every float32-weight network of the
  tests (trained networks' weights are float32, at most 24 significant bits), and for
  float64 networks whose rows share no odd factor (a row of three random float64 values
  shares 3 about once in 27). A float64 network scaled by 3 usually rounds: the copy is
  another function, by about one unit in the last place, and need not have the same
  canonical form.
* Duplicates are neurons of one layer on the same ray (same primitive row; for
  hard-tanh the same row up to sign): they compute the same output up to their factors.
  Their order among themselves follows the input, so byte-identity needs no duplicates,
  or ``prune=True``, which merges them.
* Dead neurons output 0 for every input, as their weights show (``w = 0`` and, for
  ReLU, ``b <= 0``, or ``w <= 0, b <= 0`` on a ReLU layer's nonnegative outputs): their
  rows and columns are set to zero. With a domain, the ReLU neurons off on the whole
  domain are found from the regions of the network's partition of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import gcd, lcm

import numpy as np

from ..domain import resolve
from ..enumeration import enumerate_regions
from ..errors import NetworkError, RegionsError
from ..network import Network, make_layer

__all__ = ["Canonical", "canonical"]


@dataclass
class Canonical:
    """What :func:`canonical` found.

    Neurons are named ``(layer, neuron)`` by their index in the input network; layers
    are indexed from 0, the output layer last.

    Attributes
    ----------
    network : Network
        The canonical network: hidden neurons rescaled and sorted, in float64.
    order : tuple of ndarray, one per hidden layer, shape (width,), int64
        ``order[l][i]``: the input neuron that canonical neuron ``i`` of layer ``l`` comes
        from (with ``prune``, the first of the duplicates merged into it).
    scales : tuple of tuple of Fraction, one per hidden layer, (width,)
        The exact factor of each canonical neuron: its canonical row is ``scale`` times
        its input row (with the earlier layers' factors applied to its columns); 0 for a
        dead neuron, whose row and column are zero.
    dead : tuple of (int, int)
        Neurons whose output is 0 for every input, from the weights.
    dead_on_domain : tuple of (int, int), or None
        ReLU neurons off on the whole domain (every region), dead ones included; None
        without a domain.
    duplicates : tuple of (int, tuple of int)
        ``(layer, neurons)``: live neurons of one layer with the same canonical row.
    exact : bool
        Every canonical rational is a float64: the canonical network computes exactly
        the input's function (on the domain, when pruned with one).
    primitive : bool
        The rows were made primitive (odd factors divided out as well as powers of two);
        False when that form would round, and the factors are powers of two (and signs).
    pruned : bool
        Dead neurons were dropped (and those off on the domain) and duplicates merged.

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[3.0, 0.0], [0.0, 0.0]], [-3.0, -1.0]),
    ...                                    ([[2.0, 5.0]], [0.0])])
    >>> found = regions.canonical(net)
    >>> found.network.layers[0].weight.tolist(), found.network.layers[1].weight.tolist()
    ([[0.0, 0.0], [1.0, 0.0]], [[0.0, 6.0]])
    >>> found.dead, found.scales, found.exact, found.primitive
    (((0, 1),), ((Fraction(0, 1), Fraction(1, 3)),), True, True)
    """

    network: Network
    order: tuple
    scales: tuple
    dead: tuple
    dead_on_domain: tuple | None
    duplicates: tuple
    exact: bool
    primitive: bool
    pruned: bool

    def summary(self) -> dict:
        """JSON-ready: ``widths``, ``activations``, ``order``, ``scales`` (``"p/q"``
        strings), ``dead``, ``dead_on_domain``, ``duplicates``, ``exact``, ``primitive``,
        ``pruned``."""
        return {"widths": self.network.widths, "activations": self.network.activations,
                "order": [o.tolist() for o in self.order],
                "scales": [[str(s) for s in layer] for layer in self.scales],
                "dead": [list(n) for n in self.dead],
                "dead_on_domain": (None if self.dead_on_domain is None
                                   else [list(n) for n in self.dead_on_domain]),
                "duplicates": [[layer, list(group)] for layer, group in self.duplicates],
                "exact": self.exact, "primitive": self.primitive, "pruned": self.pruned}


def canonical(network: Network, domain=None, *, prune: bool = False,
              method: str = "auto") -> Canonical:
    """The canonical network of ``network``'s class under hidden-neuron permutation and
    rescaling (see the module :mod:`regions.analysis.canonical` for the factors per
    activation and what is guaranteed).

    Parameters
    ----------
    network : Network
    domain : Domain, optional
        Also find the ReLU neurons off on the whole domain, from the regions of the
        network's partition of it (an enumeration, with ``method``).
    prune : bool
        Drop dead neurons (and, with ``domain``, the neurons off on it) and merge
        duplicates into one neuron with the sum of their columns. The function is kept on
        all of R^n (on the domain, with one), exactly when ``Canonical.exact``. A
        layer left empty keeps one zero neuron.
    method : str
        The enumeration method for ``domain``.

    Examples
    --------
    Two hidden neurons swapped and rescaled by 3 (exact on these weights) and by 1/2:
    the same canonical network, value for value.

    >>> import numpy as np
    >>> import regions
    >>> W, c = np.array([[1.0, -1.0], [1.0, 1.0]]), np.array([0.0, -1.0])
    >>> f = regions.Network.from_layers([(W, c), (np.array([[3.0, 2.0]]), np.zeros(1))])
    >>> U, d = np.array([[0.5, 0.5], [3.0, -3.0]]), np.array([-0.5, 0.0])
    >>> g = regions.Network.from_layers([(U, d), (np.array([[4.0, 1.0]]), np.zeros(1))])
    >>> a, b = regions.canonical(f), regions.canonical(g)
    >>> a.network.layers[0].weight.tolist(), a.network.layers[1].weight.tolist()
    ([[1.0, -1.0], [1.0, 1.0]], [[3.0, 2.0]])
    >>> all(np.array_equal(p.weight, q.weight) and np.array_equal(p.bias, q.bias)
    ...     for p, q in zip(a.network.layers, b.network.layers))
    True
    >>> b.order, b.scales, b.primitive, b.exact
    ((array([1, 0]),), ((Fraction(1, 3), Fraction(2, 1)),), True, True)
    """
    if not isinstance(network, Network):
        raise RegionsError(f"canonical takes a regions.Network, got {type(network).__name__}")
    off = None if domain is None else _off_on_domain(network, domain, method)
    found = _canonical(network, off, prune, primitive=True)
    return found if found.exact else _canonical(network, off, prune, primitive=False)


def _canonical(network: Network, off: set | None, prune: bool, primitive: bool) -> Canonical:
    """:func:`canonical` with primitive rows, or with powers of two only."""
    layers = network.layers
    # rows of the current layer over the canonical neurons of the one before, with bias
    rows = [[Fraction(v) for v in row] + [Fraction(v)]
            for row, v in zip(layers[0].weight.tolist(), layers[0].bias.tolist())]
    built, order, scales, dead, duplicates = [], [], [], [], []
    nonnegative = False                 # inputs of the current layer are ReLU outputs
    for index, layer in enumerate(layers[:-1]):
        width = len(rows)
        # p: the factor to the primitive row (the neuron's ray: duplicates share it);
        # s: the factor applied, p itself or a power of two with p's sign
        p, s = [Fraction(0)] * width, [Fraction(0)] * width
        for n, row in enumerate(rows):
            if _dead(row, layer.activation, nonnegative):
                dead.append((index, n))
            else:
                p[n] = _factor(row, layer.activation, True)
                s[n] = p[n] if primitive else _factor(row, layer.activation, False)
        scaled = [[f * v for v in row] for f, row in zip(s, rows)]
        ray = {n: tuple(p[n] * v for v in rows[n]) for n in range(width) if p[n]}
        kept = [n for n in range(width)
                if not (prune and (not p[n] or (off is not None and (index, n) in off)))]
        same = {}
        for n in range(width):
            if p[n]:
                same.setdefault(ray[n], []).append(n)
        duplicates += sorted((index, tuple(g)) for g in same.values() if len(g) > 1)
        if not kept:                    # one zero neuron
            kept, p[0], s[0] = [0], Fraction(0), Fraction(0)
            scaled[0] = [Fraction(0)] * len(rows[0])
        groups = {}
        for n in sorted(kept, key=lambda n: tuple(scaled[n])):
            groups.setdefault(ray.get(n, ("dead", n)) if prune else n, []).append(n)
        nxt = layers[index + 1]
        following = [[sum((Fraction(v[m]) * p[g[0]] / (p[m] * s[g[0]]) for m in g if p[m]),
                          Fraction(0)) for g in groups.values()] + [Fraction(c)]
                     for v, c in zip(nxt.weight.tolist(), nxt.bias.tolist())]
        built.append((layer, [scaled[g[0]] for g in groups.values()]))
        order.append(np.array([g[0] for g in groups.values()], dtype=np.int64))
        scales.append(tuple(s[g[0]] for g in groups.values()))
        rows = following
        nonnegative = layer.activation == "relu"
    built.append((layers[-1], rows))
    final, exact = [], True
    for index, (layer, exact_rows) in enumerate(built):
        values, rounded = _rounded(exact_rows, index)
        exact = exact and rounded
        final.append(make_layer(values[:, :-1], values[:, -1], layer.activation, layer.slope,
                                index))
    found_off = None if off is None else tuple(sorted(off))
    return Canonical(Network(final), tuple(order), tuple(scales), tuple(dead), found_off,
                     tuple(duplicates), exact, primitive, prune)


def _dead(row: list, activation: str, nonnegative: bool) -> bool:
    """Whether the neuron of ``row`` (weights, then bias) outputs 0 for every input, as its
    weights show: ``w = 0`` and ``b <= 0`` for ReLU (``w <= 0`` when its inputs are
    nonnegative), ``w = 0`` and ``b = 0`` for the other activations."""
    *weights, bias = row
    if activation == "relu":
        return bias <= 0 and all(v <= 0 if nonnegative else v == 0 for v in weights)
    return bias == 0 and all(v == 0 for v in weights)


def _factor(row: list, activation: str, primitive: bool) -> Fraction:
    """The exact factor that makes ``row`` (not all zero) canonical: to the primitive
    integer vector on its ray (``primitive``) or not, then by the power of two that puts
    its largest entry in [1, 2), with the first nonzero entry positive for hard-tanh and
    identity; only that sign for hard-tanh.

    >>> _factor([Fraction(3), Fraction(-6), Fraction(0)], "relu", True)    # (1/2, -1, 0)
    Fraction(1, 6)
    >>> _factor([Fraction(3), Fraction(-6), Fraction(0)], "relu", False)
    Fraction(1, 4)
    >>> _factor([Fraction(0), Fraction(-3, 4)], "identity", True)
    Fraction(-4, 3)
    >>> _factor([Fraction(-5)], "hardtanh", True)
    Fraction(-1, 1)
    """
    sign = 1 if activation in ("relu", "leaky_relu") or next(v for v in row if v) > 0 else -1
    if activation == "hardtanh":
        return Fraction(sign)
    common, denominator = 1, 1
    if primitive:
        common = 0
        for value in row:
            if value:
                common = gcd(common, value.numerator)
                denominator = lcm(denominator, value.denominator)
    largest = max(abs(v) for v in row) * denominator / common
    exponent = largest.numerator.bit_length() - largest.denominator.bit_length()
    if Fraction(2) ** exponent > largest:           # 2^exponent <= largest < 2^(exponent+1)
        exponent -= 1
    return sign * Fraction(denominator, common) / Fraction(2) ** exponent


def _rounded(rows: list, index: int) -> tuple[np.ndarray, bool]:
    """Exact rows as float64, shape (len(rows), len(rows[0])), and whether each value was
    a float64 already."""
    try:
        values = np.array([[float(v) for v in row] for row in rows], dtype=np.float64)
    except OverflowError:
        raise NetworkError(f"layer {index}: a canonical weight overflows float64") from None
    exact = all(Fraction(x) == v for row, out in zip(rows, values.tolist())
                for v, x in zip(row, out))
    return values, exact


def _off_on_domain(network: Network, domain, method: str) -> set:
    """``(layer, neuron)`` of the ReLU neurons in state 0 in every region of the domain."""
    part = enumerate_regions(network, resolve(domain, network), method=method)
    if not part.complete:
        raise RegionsError("the regions of the domain were not enumerated to the end")
    off = set()
    for index, (layer, where) in enumerate(zip(network.layers, network.pattern_slices())):
        if layer.activation == "relu":
            states = part.patterns[:, where]
            off |= {(index, int(n)) for n in np.flatnonzero(np.all(states == 0, axis=0))}
    return off
