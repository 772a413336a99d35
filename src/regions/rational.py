"""The network and the domain in exact rational arithmetic (python-flint).

Every float64 is a rational number, so a network's weights and biases, a box's
bounds and a slice's points define every region exactly. This module holds
those rationals and the affine maps they compose to: under an activation
pattern every pre-activation is an affine function of the working coordinates
``z`` of the domain, with rational coefficients (:class:`RationalMaps`).
The geometric decisions of :mod:`regions.predicates` fall back on these maps
when float64 cannot certify an answer.

>>> import numpy as np
>>> from regions import Network, box
>>> net = Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.1, 0.0]), ([[1.0, 1.0]], [0.0])])
>>> maps = RationalMaps(net, box(-1, 1).resolve(2))
>>> G, beta = maps.preactivation(np.array([1, 0], np.int8), 1)
>>> G.tolist(), beta.tolist()
([[1, 0]], [[3602879701896397/36028797018963968]])
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
from flint import arb, arb_mat, ctx, fmpq, fmpq_mat, fmpz

from .domain import Domain
from .errors import float64_overflow
from .exact_numbers import float_of, fraction
from .lp_exact import balanced_row
from .network import BREAKPOINTS, Network, max_pairs
from .tolerances import BALL_BITS, CACHE_SIZE

__all__ = ["fraction", "parse_fraction", "scaled_floats", "float_of", "float64_values",
           "magnitude", "matrix",
           "column",
           "RationalMaps", "BallMaps", "exact_solve", "rank", "independent_rows",
           "kernel_vector", "pattern_along", "exact_forward", "hyperplane_signs"]


def scaled_floats(rows, lead: int | None = None) -> np.ndarray:
    """Exact rows (rationals or floats, all of one length) as float64 rows (k, n), each
    first multiplied, exactly, by the power of two that puts its largest entry (of its
    first ``lead`` entries; None: of all) in ``[1/2, 2)`` (:func:`regions.lp_exact.balanced_row`):
    a positive multiple of the exact row (the same hyperplane, side or direction) whose
    rounding errs by at most half an ulp of each entry, and half a subnormal spacing for an
    entry more than 2**1000 times smaller than the largest, where the row itself would
    underflow or overflow. A row of zeros stays zero.

    >>> scaled_floats([[fmpq(1, 2**1100), fmpq(-3, 2**1100)], [0.0, 0.0]]).tolist()
    [[0.5, -1.5], [0.0, 0.0]]
    """
    out = [[float(v) for v in balanced_row([fraction(v) for v in row], lead)] for row in rows]
    return np.array(out, dtype=np.float64).reshape(len(out), -1)


def float64_values(values, what: str) -> list[float]:
    """Exact ``values`` rounded to float64 (:func:`float_of`), refused beyond its range
    (:func:`regions.errors.float64_overflow`, naming ``what`` near the largest ``|value|``),
    where an inf would stand for a number that is not one.

    >>> float64_values([fmpq(1, 4)], "a value")
    [0.25]
    """
    rounded = [float_of(v) for v in values]
    if not all(math.isfinite(v) for v in rounded):
        raise float64_overflow(what, magnitude(max(abs(fraction(v)) for v in values)))
    return rounded


def magnitude(value) -> str:
    """The decimal order of magnitude of an exact rational, for messages (from the bit
    lengths: within a factor of about 10).

    >>> magnitude(fmpq(10) ** 400), magnitude(fmpq(-3, 4))
    ('1e+400', '1e+00')
    """
    value = abs(fraction(value))
    if value == 0:
        return "0"
    exponent = (int(value.p).bit_length() - int(value.q).bit_length()) * math.log10(2.0)
    return f"1e{round(exponent):+03d}"


def parse_fraction(text: str) -> Fraction:
    """``"p/q"`` or ``"p"`` (how exact witnesses are stored) as a ``Fraction``, however many
    digits: python-flint parses them, so Python's limit on int-from-string conversions
    (4,300 digits) does not apply.

    >>> parse_fraction("-3/4"), parse_fraction("1" * 5000).numerator.bit_length()
    (Fraction(-3, 4), 16607)
    """
    numerator, _, denominator = str(text).partition("/")
    return Fraction(int(fmpz(numerator.strip())),
                    int(fmpz(denominator.strip())) if denominator else 1)


def matrix(array) -> fmpq_mat:
    """A 2-D array (floats or rationals) as an exact ``fmpq_mat``.

    >>> matrix(np.array([[0.25, 1.0]]))
    [1/4, 1]
    """
    array = np.asarray(array, dtype=object) if not isinstance(array, np.ndarray) else array
    rows, cols = array.shape
    return fmpq_mat(rows, cols, [fraction(v) for v in array.ravel()])


def column(vector) -> fmpq_mat:
    """A 1-D array as an exact column ``fmpq_mat`` of shape (n, 1)."""
    vector = np.ravel(vector) if isinstance(vector, np.ndarray) else list(vector)
    return fmpq_mat(len(vector), 1, [fraction(v) for v in vector])


def rank(rows: fmpq_mat) -> int:
    """Exact rank of a rational matrix."""
    return rows.rank()


def exact_solve(rows: fmpq_mat, rhs: fmpq_mat) -> fmpq_mat | None:
    """The unique solution of the consistent system ``rows @ x = rhs`` (``rows`` (k, d),
    ``rhs`` (k, 1), ``k >= d``, dependent rows allowed), or None when the rows do not
    have rank ``d``.

    >>> exact_solve(matrix(np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 2.0]])),
    ...             column([1.0, 2.0, 3.0])).tolist()
    [[1], [1]]
    """
    k, d = rows.nrows(), rows.ncols()
    if k == d:                       # square: flint's solver, which refuses a singular one
        try:
            return rows.solve(rhs)
        except ZeroDivisionError:
            return None
    augmented = fmpq_mat(k, d + 1, [v for i in range(k)
                                    for v in [rows[i, j] for j in range(d)] + [rhs[i, 0]]])
    reduced, found = augmented.rref()
    if found != d or reduced[d - 1, d - 1] != 1:     # rank below d, or inconsistent
        return None
    return fmpq_mat(d, 1, [reduced[i, d] for i in range(d)])


def kernel_vector(rows: fmpq_mat) -> list[fmpq] | None:
    """A nonzero vector of the kernel of a rational matrix of rank ``d - 1`` (``d``
    columns, dependent rows allowed), or None when its rank is not ``d - 1``.

    >>> kernel_vector(matrix(np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])))
    [1, -1, 1]
    """
    d = rows.ncols()
    reduced, found = rows.rref()
    if found != d - 1:
        return None
    pivots = [next(j for j in range(d) if reduced[i, j] != 0) for i in range(found)]
    free = next(j for j in range(d) if j not in pivots)
    vector = [fmpq(0)] * d
    vector[free] = fmpq(1)
    for i, j in enumerate(pivots):
        vector[j] = -reduced[i, free]
    return vector


def independent_rows(rows: fmpq_mat) -> list[int]:
    """Indices of a maximal linearly independent subset of the rows (the first found,
    greedily in order)."""
    k, d = rows.nrows(), rows.ncols()
    reduced, found = rows.transpose().rref()
    return [next(j for j in range(k) if reduced[i, j] != 0) for i in range(found)]


class Converted(Sequence):
    """Float arrays converted to exact matrices on first use, each once: a run that needs
    only the first layers exactly (most need none) pays for those only."""

    def __init__(self, arrays: list, convert):
        self._arrays, self._convert = arrays, convert
        self._converted: dict = {}

    def __getitem__(self, index: int):
        if index not in self._converted:
            self._converted[index] = self._convert(self._arrays[index])
        return self._converted[index]

    def __len__(self) -> int:
        return len(self._arrays)


class RationalMaps:
    """Exact affine maps of ``network`` on ``domain``'s working coordinates, per pattern.

    Under the states of layers ``0 .. l-1`` (a pattern prefix) the input of layer
    ``l`` is ``M z + m``; its pre-activations are ``G z + beta`` with ``G = W_l M``,
    ``beta = W_l m + b_l``. Maps are computed once per prefix and kept
    (:data:`CACHE_SIZE` prefixes), so the cells of one subtree share them.

    ``domain`` may be scaled by a power of two (the engines' working domain); its
    basis and origin are then still exact.
    """

    def __init__(self, network: Network, domain: Domain):
        self.network, self.domain = network, domain
        self.weights = Converted([layer.weight for layer in network.layers], self._floats)
        self.biases = Converted([np.reshape(layer.bias, (-1, 1)) for layer in network.layers],
                                self._floats)
        self.slopes = [fraction(layer.slope) for layer in network.layers]
        self.breakpoints = [tuple(fraction(t) for t in BREAKPOINTS[layer.activation])
                            for layer in network.layers]
        self.start = (self._convert(domain.exact_basis()),
                      self._floats(np.reshape(domain.origin, (-1, 1))))
        self.label_offsets = network.label_offsets()
        self.state_starts = np.concatenate(
            [[0], np.cumsum([layer.num_states for layer in network.layers])]).astype(int)
        self.pairs = [max_pairs(layer) if layer.activation == "max" else None
                      for layer in network.layers]
        self._cache: OrderedDict = OrderedDict()

    def input_map(self, pattern: np.ndarray, layer: int) -> tuple[fmpq_mat, fmpq_mat]:
        """``(M (n_in, dim), m (n_in, 1))``: the input of ``layer`` under ``pattern``'s states
        of the layers before it (only ``pattern[:state_starts[layer]]`` is read)."""
        if layer == 0:
            return self.start
        prefix = np.asarray(pattern[:self.state_starts[layer]], dtype=np.int8)
        key = (layer, prefix.tobytes())
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        G, beta = self.preactivation(pattern, layer - 1)
        found = self._activate(G, beta, prefix[self.state_starts[layer - 1]:], layer - 1)
        self._store(key, found)
        return found

    def preactivation(self, pattern: np.ndarray, layer: int) -> tuple[fmpq_mat, fmpq_mat]:
        """``(G (width, dim), beta (width, 1))``: layer ``layer``'s pre-activations."""
        key = (-1 - layer, np.asarray(pattern[:self.state_starts[layer]], dtype=np.int8).tobytes())
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        M, m = self.input_map(pattern, layer)
        W = self.weights[layer]
        found = (W * M, W * m + self.biases[layer])
        self._store(key, found)
        return found

    @staticmethod
    def _convert(exact: fmpq_mat):
        """An exact matrix in the arithmetic of these maps (here: itself)."""
        return exact

    @staticmethod
    def _floats(array: np.ndarray):
        """A 2-D float64 array, exactly, in the arithmetic of these maps."""
        return matrix(array)

    def _store(self, key, value) -> None:
        self._cache[key] = value
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    def output_map(self, pattern: np.ndarray) -> tuple[fmpq_mat, fmpq_mat]:
        """``(C (out, dim), d (out, 1))``: the network's output under ``pattern``."""
        last = len(self.network.layers) - 1
        G, beta = self.preactivation(pattern, last)
        return self._activate(G, beta, np.asarray(pattern[self.state_starts[last]:]), last)

    def hyperplane(self, pattern: np.ndarray, label: int) -> tuple[list, fmpq]:
        """Breakpoint hyperplane ``label`` (the labels of
        :meth:`regions.Network.label_offsets`) under ``pattern``: ``(a, c)`` with
        ``a . z + c`` the pre-activation minus the breakpoint (``a`` a list of fmpq); for a
        max layer's pair hyperplane ``(p, q)`` of unit ``g``, the later input minus the
        earlier, ``z[windows[g, q]] - z[windows[g, p]]`` (:func:`regions.network.max_pairs`).

        >>> from regions import whole_space
        >>> net = Network.from_layers([([[1.0, 0.0], [0.0, 2.0]], [0.0, 0.5]), ([[1.0]], [0.0])],
        ...                           ["max", "identity"], windows={0: [[0, 1]]})
        >>> a, c = RationalMaps(net, whole_space(2)).hyperplane(np.zeros(1, np.int8), 0)
        >>> a, c
        ([-1, 2], 1/2)
        """
        offsets = self.label_offsets
        layer = int(np.searchsorted(offsets, label, side="right")) - 1
        if self.pairs[layer] is not None:
            units, first, second = self.pairs[layer]
            t = int(label) - int(offsets[layer])
            windows = self.network.layers[layer].windows
            later = int(windows[units[t], second[t]])
            earlier = int(windows[units[t], first[t]])
            G, beta = self.preactivation(pattern, layer)
            return ([G[later, j] - G[earlier, j] for j in range(G.ncols())],
                    beta[later, 0] - beta[earlier, 0])
        k = len(self.breakpoints[layer])
        neuron, q = divmod(int(label) - int(offsets[layer]), k)
        G, beta = self.preactivation(pattern, layer)
        dim = G.ncols()
        return [G[neuron, j] for j in range(dim)], beta[neuron, 0] - self.breakpoints[layer][q]

    def domain_row(self, face: int) -> tuple[list, fmpq]:
        """Domain face ``face`` (label ``-1 - face``) as ``(a, c)`` with ``a . z + c <= 0``
        inside (``c = -b``)."""
        A, b = self.domain.A, self.domain.b
        return [fraction(v) for v in A[face]], -fraction(b[face])

    def _activate(self, G, beta, states, layer: int):
        """The layer's output map under its ``states``: ``slope * (G z + beta) + offset``."""
        activation = self.network.layers[layer].activation
        if activation == "identity":
            return G, beta
        if activation == "max":     # each unit's output: the input its state selects
            windows = self.network.layers[layer].windows
            chosen = [int(windows[g, int(states[g])]) for g in range(windows.shape[0])]
            dim = G.ncols()
            M = type(G)(len(chosen), dim)
            m = type(G)(len(chosen), 1)
            for g, row in enumerate(chosen):
                for k in range(dim):
                    M[g, k] = G[row, k]
                m[g, 0] = beta[row, 0]
            return M, m
        rows, dim = G.nrows(), G.ncols()
        M = type(G)(rows, dim)
        m = type(G)(rows, 1)
        for j in range(rows):
            slope, offset = self.slope_offset(activation, int(states[j]), layer)
            if slope != 0:
                for k in range(dim):
                    M[j, k] = slope * G[j, k]
            m[j, 0] = slope * beta[j, 0] + offset
        return M, m

    def slope_offset(self, activation: str, state: int, layer: int) -> tuple[fmpq, fmpq]:
        if activation == "hardtanh":
            return (fmpq(1), fmpq(0)) if state == 0 else (fmpq(0), fmpq(state))
        if state == 1:
            return fmpq(1), fmpq(0)
        return (self.slopes[layer] if activation == "leaky_relu" else fmpq(0)), fmpq(0)


class BallMaps(RationalMaps):
    """:class:`RationalMaps` in ball arithmetic (python-flint's ``arb``, :data:`BALL_BITS`
    bits): every entry is an interval certain to hold the exact rational, and an answer
    whose ball excludes 0 is the exact answer. The middle level of the filter between
    float64 (whose error bounds grow with depth) and rationals (whose size grows with
    depth): a deep network's rare undecided decisions are settled here for the cost of
    fixed-size numbers.
    """

    def __init__(self, network: Network, domain: Domain):
        ctx.prec = max(ctx.prec, BALL_BITS)
        super().__init__(network, domain)

    @staticmethod
    def _convert(exact: fmpq_mat) -> arb_mat:
        return arb_mat(exact)

    @staticmethod
    def _floats(array: np.ndarray) -> arb_mat:
        array = np.asarray(array, dtype=np.float64)  # a float64 is an exact ball
        return arb_mat(array.shape[0], array.shape[1], array.ravel().tolist())


def pattern_along(maps: RationalMaps, point: list, direction: list) -> np.ndarray:
    """The activation pattern of ``point + eps * direction`` for every small enough
    ``eps > 0`` (working coordinates; fmpq entries), exactly.

    Layer by layer each pre-activation is ``value + eps * slope`` under the states of the
    earlier layers (piecewise linear: for small ``eps`` the states are those of the limit):
    its sign is that of ``value``, or, when ``value`` is exactly a breakpoint, that of
    ``slope``; when both are zero the neuron sits on its breakpoint along the whole
    segment and takes the tie rule's state.

    >>> from regions import Network, whole_space
    >>> net = Network.from_layers([([[1.0, 0.0], [1.0, 0.0]], [0.0, 0.0]), ([[1.0, 1.0]], [0.0])])
    >>> maps = RationalMaps(net, whole_space(2))
    >>> pattern_along(maps, [fmpq(0), fmpq(3)], [fmpq(1), fmpq(0)]).tolist()
    [1, 1]
    """
    network = maps.network
    dim = len(point)
    M, m = maps.start
    values = M * fmpq_mat(dim, 1, point) + m
    slopes = M * fmpq_mat(dim, 1, direction)
    states_out = []
    for index, layer in enumerate(network.layers):
        W = maps.weights[index]
        values = W * values + maps.biases[index]
        slopes = W * slopes
        if layer.activation == "identity":
            continue
        if layer.activation == "max":
            states = _max_along(values, slopes, layer.windows)
            values, slopes = maps._activate(values, slopes, states, index)
            states_out.extend(states)
            continue
        states = []
        for j in range(layer.width):
            value, slope = values[j, 0], slopes[j, 0]
            signs = []
            for breakpoint in maps.breakpoints[index]:
                shifted = value - breakpoint
                signs.append((shifted > 0) - (shifted < 0) or (slope > 0) - (slope < 0))
            states.append(state_from_signs(signs, layer.activation))
        for j, state in enumerate(states):
            slope_j, offset_j = maps.slope_offset(layer.activation, state, index)
            values[j, 0] = slope_j * values[j, 0] + offset_j
            slopes[j, 0] = slope_j * slopes[j, 0]
        states_out.extend(states)
    return np.array(states_out, dtype=np.int8)


def _max_along(values, slopes, windows: np.ndarray) -> list:
    """Max units' states along ``value + eps * slope`` for small ``eps > 0``: the position of
    the lexicographically largest ``(value, slope)``, ties to the lowest position."""
    states = []
    for row in windows:
        keys = [(values[int(i), 0], slopes[int(i), 0]) for i in row if i >= 0]
        best = 0
        for p in range(1, len(keys)):
            if keys[p][0] > keys[best][0] or (keys[p][0] == keys[best][0]
                                              and keys[p][1] > keys[best][1]):
                best = p
        states.append(best)
    return states


def state_from_signs(signs: list, activation: str) -> int:
    """A neuron's state from the signs (-1, 0, +1) of ``pre-activation - breakpoint`` at
    its breakpoints, at a breakpoint by the tie rule (ReLU off, hard-tanh linear)."""
    if activation == "hardtanh":
        low, high = signs
        return 1 if high > 0 else (-1 if low < 0 else 0)
    return 1 if signs[0] > 0 else 0


def exact_forward(maps: RationalMaps, point: list) -> tuple[list, list]:
    """The network at a rational point (working coordinates), exactly: ``(pre-activations,
    output)``, the pre-activations a list of fmpq lists per layer. The network is
    continuous, so no state needs deciding on the way.

    >>> from regions import Network, whole_space
    >>> net = Network.from_layers([([[1.0, -1.0]], [0.0]), ([[2.0]], [0.5])])
    >>> exact_forward(RationalMaps(net, whole_space(2)), [fmpq(1, 3), fmpq(1)])[1]
    [1/2]
    """
    M, m = maps.start
    values = [v for v in (M * fmpq_mat(len(point), 1, list(point)) + m).entries()]
    pre = []
    for index, layer in enumerate(maps.network.layers):
        W = maps.weights[index]
        z = [v for v in (W * fmpq_mat(len(values), 1, values) + maps.biases[index]).entries()]
        pre.append(z)
        if layer.activation == "max":
            values = [max(z[int(i)] for i in row if i >= 0) for row in layer.windows]
        else:
            values = [_activate_value(v, layer.activation, maps.slopes[index]) for v in z]
    return pre, values


def _activate_value(value: fmpq, activation: str, slope: fmpq) -> fmpq:
    if activation == "relu":
        return value if value > 0 else fmpq(0)
    if activation == "leaky_relu":
        return value if value > 0 else slope * value
    if activation == "hardtanh":
        return max(fmpq(-1), min(fmpq(1), value))
    return value


def hyperplane_signs(maps: RationalMaps, point: list) -> np.ndarray:
    """The exact sign (-1, 0, +1) of every breakpoint hyperplane (pre-activation minus
    breakpoint, in label order) at a rational point, shape (H,) int8."""
    pre, _ = exact_forward(maps, point)
    signs = []
    for index, (values, breakpoints) in enumerate(zip(pre, maps.breakpoints)):
        if maps.pairs[index] is not None:     # a max layer: later minus earlier
            units, first, second = maps.pairs[index]
            windows = maps.network.layers[index].windows
            for g, p, q in zip(units, first, second):
                v = values[int(windows[g, q])] - values[int(windows[g, p])]
                signs.append((v > 0) - (v < 0))
            continue
        for v in values:
            for t in breakpoints:
                signs.append((v > t) - (v < t))
    return np.array(signs, dtype=np.int8)
