"""Feed-forward piecewise-linear networks: layers, forward pass, activation patterns.

A network is a sequence of fully connected layers ``y = activation(W x + b)``
with ``W`` of shape ``(out, in)`` (the PyTorch convention). The state of a
neuron is an ``int8``:

============  ==========================  ==========================
activation    states                      breakpoints (pre-activation)
============  ==========================  ==========================
relu          0 (z <= 0), 1 (z > 0)       0
leaky_relu    0 (z <= 0), 1 (z > 0)       0
hardtanh      -1 (z < -1), 0, 1 (z > 1)   -1 and +1
identity      (no state)                  none
max           argmax position in window   pair hyperplanes (below)
============  ==========================  ==========================

The activation pattern of a point is the concatenation of the states of all
neurons of non-identity layers, layer by layer.

*Max layers* (max pooling, maxout). A ``"max"`` layer computes pre-activations
``z = W x + b`` and then one output per *unit* ``g``: ``y_g = max_{i in window g} z_i``.
Its ``windows`` array, shape (units, k) int64, lists each unit's indices into ``z``,
padded at the end with -1 (ragged windows, e.g. pools cut by padding; windows may
overlap). A unit's state is the *position* in its window of the largest input, ties to
the lowest position (``numpy.argmax``'s rule), so ``k <= 127`` (int8). The unit's cuts
are the *pair hyperplanes* ``z_{w[q]} - z_{w[p]} = 0`` of its positions ``p < q``:
labelled after the layers before it, unit-major, pairs ``(p, q)`` in lexicographic order
(``k (k - 1) / 2`` labels for a window of ``k``), their value *later minus earlier*.
The region of argmax ``i`` lies on side +1 (``z_{w[i]} > z_{w[p]}``) of the pairs
``(p, i)``, ``p < i``, and on side -1 (``z_{w[q]} <= z_{w[i]}``, a tie going to the
earlier position) of the pairs ``(i, q)``, ``q > i``: ties go to side -1, as ReLU's do.
The other pairs of the unit do not bound it, so a max pattern fixes no side for them
(:func:`pattern_sides` gives them side 0; :func:`max_sides` gives the pairs that count).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import NetworkError
from .tolerances import MAX_WINDOW

__all__ = ["ACTIVATIONS", "BREAKPOINTS", "DEFAULT_LEAKY_SLOPE", "MAX_WINDOW", "Layer",
           "make_layer", "Network", "neuron_states", "state_interval", "activate",
           "state_slope_offset", "tie_sides", "sides_from_states", "pattern_sides",
           "states_from_sides", "max_states", "max_pairs", "pair_index", "max_sides",
           "max_winners", "require_elementwise"]

ACTIVATIONS = ("relu", "leaky_relu", "hardtanh", "identity", "max")

#: Breakpoints of each activation, as offsets ``t`` of the hyperplanes ``z = t``.
BREAKPOINTS = {
    "relu": (0.0,),
    "leaky_relu": (0.0,),
    "hardtanh": (-1.0, 1.0),
    "identity": (),
    "max": (),
}

DEFAULT_LEAKY_SLOPE = 0.01


@dataclass(frozen=True)
class Layer:
    """One fully connected layer ``activation(weight @ x + bias)``.

    Attributes
    ----------
    weight : ndarray, shape (out, in), float64
    bias : ndarray, shape (out,), float64
    activation : str
        One of ``"relu"``, ``"leaky_relu"``, ``"hardtanh"``, ``"identity"``, ``"max"``.
    slope : float
        Negative-side slope of ``leaky_relu`` (ignored otherwise).
    windows : ndarray, shape (units, k), int64, or None
        ``max`` layers only: each unit's indices into the pre-activations, padded at the
        end with -1 (see the module docstring). Build it with
        ``regions.network.make_layer``, which validates it.

    Examples
    --------
    >>> import numpy as np
    >>> from regions import Layer
    >>> layer = Layer(np.eye(2), np.zeros(2), "hardtanh")
    >>> layer.width, layer.num_states, layer.breakpoints
    (2, 2, (-1.0, 1.0))
    >>> pool = make_layer(np.eye(3), np.zeros(3), "max", windows=[[0, 1], [1, 2]])
    >>> pool.width, pool.pre_width, pool.num_labels
    (2, 3, 2)
    """

    weight: np.ndarray
    bias: np.ndarray
    activation: str = "relu"
    slope: float = DEFAULT_LEAKY_SLOPE
    windows: np.ndarray | None = None

    @property
    def width(self) -> int:
        """Number of outputs: the units of a max layer, else the rows of ``weight``."""
        return self.windows.shape[0] if self.activation == "max" else self.weight.shape[0]

    @property
    def pre_width(self) -> int:
        """Number of pre-activations (rows of ``weight``)."""
        return self.weight.shape[0]

    @property
    def window_sizes(self) -> np.ndarray:
        """``max`` layers: the number of inputs of each unit, shape (units,) int64."""
        return np.count_nonzero(self.windows >= 0, axis=1)

    @property
    def num_labels(self) -> int:
        """Number of hyperplane labels of the layer: breakpoints per neuron, or the pair
        hyperplanes of a max layer's units."""
        if self.activation == "max":
            sizes = self.window_sizes
            return int(np.sum(sizes * (sizes - 1) // 2))
        return self.width * len(self.breakpoints)

    @property
    def in_dim(self) -> int:
        return self.weight.shape[1]

    @property
    def breakpoints(self) -> tuple[float, ...]:
        return BREAKPOINTS[self.activation]

    @property
    def num_states(self) -> int:
        """Number of pattern entries this layer contributes (its width, or 0 for identity)."""
        return 0 if self.activation == "identity" else self.width


def _as_matrix(value, name: str) -> np.ndarray:
    # A copy: the layer freezes it, and the caller's array stays its own (and writable).
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise NetworkError(f"{name} is not a numeric array: {exc}") from None
    return array


def make_layer(weight, bias, activation: str = "relu", slope: float = DEFAULT_LEAKY_SLOPE,
               index: int = 0, windows=None) -> Layer:
    """Validate and build a :class:`Layer`; ``index`` is only used in error messages.

    ``windows`` (``max`` layers only, required there): one list of pre-activation
    indices per unit, or an int array (units, k) padded at the end with -1.

    >>> make_layer(np.eye(2), np.zeros(2), "max", windows=[[0, 2]])
    Traceback (most recent call last):
        ...
    regions.errors.NetworkError: layer 0 max window of unit 0 holds index 2, outside the 2 ...
    """
    name = f"layer {index}"
    w = _as_matrix(weight, f"{name} weight")
    b = _as_matrix(bias, f"{name} bias")
    if w.ndim != 2:
        raise NetworkError(f"{name} weight must be 2-D (out, in), got shape {w.shape}")
    if b.ndim != 1 or b.shape[0] != w.shape[0]:
        hint = (f" (weights are (out, in), y = W x + b: is this weight transposed, "
                f"{w.shape[::-1]}?)" if b.ndim == 1 and b.shape[0] == w.shape[1] else "")
        raise NetworkError(f"{name} bias must have shape ({w.shape[0]},) to match weight "
                           f"{w.shape}, got {b.shape}{hint}")
    if w.shape[0] == 0 or w.shape[1] == 0:
        raise NetworkError(f"{name} weight has an empty dimension: shape {w.shape}")
    if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
        raise NetworkError(f"{name} has NaN or infinite weights or biases")
    activation = str(activation).strip().lower().replace("-", "_")
    if activation not in ACTIVATIONS:
        raise NetworkError(
            f"{name} has unknown activation {activation!r}; expected one of {', '.join(ACTIVATIONS)}")
    slope = float(slope)
    if not np.isfinite(slope):
        raise NetworkError(f"{name} leaky_relu slope must be finite, got {slope}")
    if activation == "max":
        windows = _check_windows(windows, w.shape[0], name)
        windows.setflags(write=False)
    elif windows is not None:
        raise NetworkError(f"{name} is {activation}: windows belong to max layers only")
    w.setflags(write=False)
    b.setflags(write=False)
    return Layer(w, b, activation, slope, windows)


def _check_windows(windows, pre_width: int, name: str) -> np.ndarray:
    """A max layer's windows as an int64 array (units, k) padded with -1, validated."""
    if windows is None:
        raise NetworkError(f"{name} is a max layer but has no windows (one list of "
                           "pre-activation indices per unit)")
    if isinstance(windows, np.ndarray):
        rows = [list(row) for row in windows] if windows.ndim == 2 else None
    else:
        try:
            rows = [list(row) for row in windows]
        except TypeError:
            rows = None
    if rows is None:
        raise NetworkError(f"{name} max windows must be a list of index lists or a 2-D array")
    if not rows:
        raise NetworkError(f"{name} max layer has no units (empty windows)")
    k = max(len(row) for row in rows)
    array = np.full((len(rows), k), -1, dtype=np.int64)
    for g, row in enumerate(rows):
        try:
            values = np.asarray(row, dtype=np.float64)
        except (TypeError, ValueError):
            raise NetworkError(f"{name} max window of unit {g} is not numeric: {row!r}") from None
        if values.size and not np.all(values == np.round(values)):
            raise NetworkError(f"{name} max window of unit {g} holds non-integer indices")
        values = values.astype(np.int64)
        valid = values >= 0
        count = int(np.count_nonzero(valid))
        if count == 0:
            raise NetworkError(f"{name} max window of unit {g} is empty")
        if not np.all(valid[:count]) or np.any(values[count:] != -1):
            raise NetworkError(f"{name} max window of unit {g} must list its indices first, "
                               f"then only -1 padding: got {values.tolist()}")
        if count > MAX_WINDOW:
            raise NetworkError(f"{name} max window of unit {g} has {count} inputs, more than "
                               f"{MAX_WINDOW} (a state is an int8 position)")
        outside = values[:count][values[:count] >= pre_width]
        if outside.size:
            raise NetworkError(f"{name} max window of unit {g} holds index {int(outside[0])}, "
                               f"outside the {pre_width} pre-activations")
        if len(set(values[:count].tolist())) != count:
            raise NetworkError(f"{name} max window of unit {g} lists an index twice: "
                               f"{values[:count].tolist()}")
        array[g, :count] = values[:count]
    return array


class Network:
    """A feed-forward network of :class:`Layer` objects.

    Build one with :meth:`from_layers`, :func:`regions.from_torch` or
    :func:`regions.read_network`.

    Examples
    --------
    >>> import numpy as np
    >>> import regions
    >>> net = regions.Network.from_layers([([[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0]),
    ...                                    ([[1.0, 1.0]], [0.0])])
    >>> net.widths, net.activations, net.forward([[1.0, -2.0]])
    ([2, 2, 1], ['relu', 'identity'], array([[1.]]))
    """

    def __init__(self, layers):
        layers = list(layers)
        if not layers:
            raise NetworkError("a network needs at least one layer")
        for i in range(1, len(layers)):
            if layers[i].in_dim != layers[i - 1].width:
                hint = (f" (weights are (out, in), y = W x + b: is layer {i}'s weight "
                        f"transposed?)" if layers[i].width == layers[i - 1].width else "")
                raise NetworkError(
                    f"layer {i} expects {layers[i].in_dim} inputs but layer {i - 1} "
                    f"has {layers[i - 1].width} outputs{hint}")
        self.layers: tuple[Layer, ...] = tuple(layers)

    @classmethod
    def from_layers(cls, layers, activations=None, slope: float = DEFAULT_LEAKY_SLOPE,
                    windows=None) -> "Network":
        """Build a network from ``[(W0, b0), (W1, b1), ...]``.

        Parameters
        ----------
        layers : sequence of (weight, bias) pairs
            ``weight`` has shape ``(out, in)``, ``bias`` shape ``(out,)``.
        activations : sequence of str, optional
            One activation per layer. Default: ``relu`` for every layer but the
            last, which is ``identity`` (the file-format default).
        slope : float
            Negative-side slope for ``leaky_relu`` layers.
        windows : sequence or dict, optional
            The windows of the ``max`` layers (see :class:`Layer`): one entry per layer
            (None for the others), or ``{layer index: windows}``.

        The network keeps read-only copies of the weights and biases: arrays that
        are updated afterwards (a training loop) do not change it.

        Examples
        --------
        >>> net = Network.from_layers([([[1.0, -1.0]], [0.5]), ([[2.0]], [0.0])])
        >>> net
        Network(widths=[2, 1, 1], activations=[relu,identity])
        >>> net.forward([[1.0, 0.0], [0.0, 1.0]])
        array([[3.],
               [0.]])
        >>> net.activation_pattern([1.0, 0.0])
        array([1], dtype=int8)

        A maxout unit of rank 3 over the plane (states: the position of the largest):

        >>> maxout = Network.from_layers([([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]], [0, 0, 0]),
        ...                               ([[1.0]], [0.0])], ["max", "identity"],
        ...                              windows={0: [[0, 1, 2]]})
        >>> maxout.activation_pattern([[2.0, 1.0], [0.0, 0.0], [-1.0, -1.0]]).ravel().tolist()
        [0, 0, 2]
        """
        pairs = list(layers)
        if activations is None:
            activations = ["relu"] * (len(pairs) - 1) + ["identity"]
        activations = list(activations)
        if len(activations) != len(pairs):
            raise NetworkError(
                f"got {len(activations)} activations for {len(pairs)} layers")
        if windows is None:
            windows = {}
        elif not isinstance(windows, dict):
            windows = list(windows)
            if len(windows) != len(pairs):
                raise NetworkError(f"got {len(windows)} windows entries for {len(pairs)} layers")
            windows = dict(enumerate(windows))
        built = []
        for i, (pair, act) in enumerate(zip(pairs, activations)):
            try:
                weight, bias = pair
            except (TypeError, ValueError):
                raise NetworkError(f"layer {i} must be a (weight, bias) pair") from None
            built.append(make_layer(weight, bias, act, slope, i, windows.get(i)))
        return cls(built)

    @property
    def input_dim(self) -> int:
        return self.layers[0].in_dim

    @property
    def output_dim(self) -> int:
        return self.layers[-1].width

    @property
    def widths(self) -> list[int]:
        """``[input_dim, width_0, width_1, ...]``."""
        return [self.input_dim] + [layer.width for layer in self.layers]

    @property
    def activations(self) -> list[str]:
        return [layer.activation for layer in self.layers]

    @property
    def pattern_length(self) -> int:
        return sum(layer.num_states for layer in self.layers)

    def pattern_slices(self) -> list[slice]:
        """Slice of the pattern vector holding each layer's states (empty for identity)."""
        slices, start = [], 0
        for layer in self.layers:
            slices.append(slice(start, start + layer.num_states))
            start += layer.num_states
        return slices

    def label_offsets(self) -> np.ndarray:
        """First label of each layer's breakpoint hyperplanes, shape (L + 1,) int64.

        Hyperplanes are labelled layer by layer, neuron-major, breakpoint-minor
        (hard-tanh neurons have two); labels of constraint rows use this numbering.

        >>> Network.from_layers([(np.ones((3, 2)), np.zeros(3)), (np.ones((2, 3)), np.zeros(2)),
        ...                      (np.ones((1, 2)), np.zeros(1))],
        ...                     ["relu", "hardtanh", "identity"]).label_offsets().tolist()
        [0, 3, 7, 7]
        """
        offsets = self.__dict__.get("_label_offsets")
        if offsets is None:         # computed once (a network's layers never change), read-only
            offsets = np.cumsum([0] + [layer.num_labels for layer in self.layers],
                                dtype=np.int64)
            offsets.flags.writeable = False
            self._label_offsets = offsets
        return offsets

    @property
    def has_max(self) -> bool:
        """Whether a layer is a ``max`` layer (max pooling, maxout)."""
        return "max" in self.activations

    def hyperplane_neurons(self) -> np.ndarray:
        """Pattern position of the neuron (or max unit) of every hyperplane label, shape
        (H,) int64."""
        index, position = [], 0
        for layer in self.layers:
            if layer.activation == "identity":
                continue
            if layer.activation == "max":
                index.append(position + max_pairs(layer)[0])
            else:
                index.append(position + np.repeat(np.arange(layer.width), len(layer.breakpoints)))
            position += layer.width
        return np.concatenate(index) if index else np.zeros(0, dtype=np.int64)

    def describe_label(self, label: int) -> dict:
        """Decode a constraint label into ``{"layer", "neuron", "breakpoint"}``, for a max
        layer's pair hyperplane ``{"layer", "unit", "pair", "inputs"}`` (the positions
        ``(p, q)`` in the window and the pre-activations they index), or
        ``{"domain_face"}`` (labels below zero are domain faces ``-1 - label``)."""
        label = int(label)
        if label < 0:
            return {"domain_face": -1 - label}
        offsets = self.label_offsets()
        if label >= offsets[-1]:
            raise ValueError(f"label {label} is out of range for this network")
        index = int(np.searchsorted(offsets, label, side="right")) - 1
        layer = self.layers[index]
        if layer.activation == "max":
            units, first, second = max_pairs(layer)
            t = label - int(offsets[index])
            unit, p, q = int(units[t]), int(first[t]), int(second[t])
            return {"layer": index, "unit": unit, "pair": (p, q),
                    "inputs": (int(layer.windows[unit, p]), int(layer.windows[unit, q]))}
        neuron, k = divmod(label - int(offsets[index]), len(layer.breakpoints))
        return {"layer": index, "neuron": neuron, "breakpoint": layer.breakpoints[k]}

    def _check_points(self, x) -> tuple[np.ndarray, bool]:
        x = np.asarray(x, dtype=np.float64)
        single = x.ndim == 1
        x = np.atleast_2d(x)
        if x.ndim != 2 or x.shape[1] != self.input_dim:
            raise NetworkError(
                f"points must have shape (n, {self.input_dim}) or ({self.input_dim},), got {x.shape}")
        return x, single

    def forward(self, x) -> np.ndarray:
        """Network output at points ``x``, shape ``(n, in)`` -> ``(n, out)`` (or 1-D -> 1-D)."""
        x, single = self._check_points(x)
        h = x
        for layer in self.layers:
            h = activate(h @ layer.weight.T + layer.bias, layer)
        return h[0] if single else h

    __call__ = forward

    def activation_pattern(self, x) -> np.ndarray:
        """Activation patterns of points ``x``, shape ``(n, in)`` -> ``(n, pattern_length)`` int8."""
        x, single = self._check_points(x)
        h, states = x, []
        for layer in self.layers:
            z = h @ layer.weight.T + layer.bias
            if layer.activation == "max":
                states.append(max_states(z, layer.windows))
            elif layer.activation != "identity":
                states.append(neuron_states(z, layer.activation))
            h = activate(z, layer)
        pattern = (np.concatenate(states, axis=1) if states
                   else np.zeros((x.shape[0], 0), dtype=np.int8))
        return pattern[0] if single else pattern

    def __repr__(self) -> str:
        acts = ",".join(self.activations)
        return f"Network(widths={self.widths}, activations=[{acts}])"


def require_elementwise(network: Network, what: str) -> None:
    """Refuse, before any work, an analysis (``what``) that cannot carry max layers yet.

    >>> net = Network.from_layers([(np.eye(2), np.zeros(2)), ([[1.0]], [0.0])],
    ...                           ["max", "identity"], windows={0: [[0, 1]]})
    >>> require_elementwise(net, "topological entropy")
    Traceback (most recent call last):
        ...
    regions.errors.NetworkError: topological entropy cannot carry max layers (max ...
    """
    for index, layer in enumerate(network.layers):
        if layer.activation == "max":
            raise NetworkError(
                f"{what} cannot carry max layers (max pooling, maxout) yet: layer {index} is "
                "a max layer; its regions can be counted and enumerated (methods 'split', "
                "which 'auto' takes, 'vertex' and 'walk')")


def max_states(z: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """States of max units: the position in each window of the largest pre-activation,
    ties to the lowest position; ``z`` (n, pre_width) -> (n, units) int8.

    >>> max_states(np.array([[1.0, 3.0, 3.0]]), np.array([[0, 1, 2], [0, 2, -1]])).tolist()
    [[1, 1]]
    """
    values = np.where(windows >= 0, z[..., np.maximum(windows, 0)], -np.inf)
    return np.argmax(values, axis=-1).astype(np.int8)


def max_pairs(layer: Layer) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pair hyperplanes of a max layer in label order: ``(unit, p, q)``, three (H,)
    int64 arrays; hyperplane ``t`` is ``z[windows[unit, q]] - z[windows[unit, p]]``.

    >>> layer = make_layer(np.eye(3), np.zeros(3), "max", windows=[[0, 1, 2], [2, 0, -1]])
    >>> [a.tolist() for a in max_pairs(layer)]
    [[0, 0, 0, 1], [0, 0, 1, 0], [1, 2, 2, 1]]
    """
    units, first, second = [], [], []
    for g, k in enumerate(layer.window_sizes.tolist()):
        p, q = np.triu_indices(k, 1)
        units.append(np.full(p.size, g, dtype=np.int64))
        first.append(p.astype(np.int64))
        second.append(q.astype(np.int64))
    if not units:
        return (np.zeros(0, np.int64),) * 3
    return np.concatenate(units), np.concatenate(first), np.concatenate(second)


def pair_index(first, second, size: int):
    """The index of the pair ``(first, second)``, ``first < second`` (ints or integer
    arrays), among the pairs of a unit's window of ``size`` in label order.

    >>> [pair_index(p, q, 3) for p, q in [(0, 1), (0, 2), (1, 2)]]
    [0, 1, 2]
    """
    return first * (2 * size - first - 1) // 2 + second - first - 1


def max_winners(signs: np.ndarray, size: int) -> np.ndarray:
    """The argmax positions (k,) int64 of a max unit (window of ``size``) from the signs
    (k, pairs) of its pair hyperplanes (later minus earlier, pair order), ties to the
    lowest position: a later input strictly larger than the winner so far replaces it.

    >>> max_winners(np.array([[1, 1, 0], [0, -1, -1]]), 3).tolist()   # z1 > z0, z2 == z1; ties
    [1, 0]
    """
    rows = np.arange(signs.shape[0])
    best = np.zeros(signs.shape[0], dtype=np.int64)
    for q in range(1, size):
        best = np.where(signs[rows, pair_index(best, q, size)] > 0, q, best)
    return best


def max_sides(size: int, winner: int) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of one unit (window of ``size``) that bound the region of argmax
    ``winner``: their indices among the unit's pairs (label order) and sides (+1 for
    ``(p, winner)``, the winner later and strictly larger; -1 for ``(winner, q)``, the
    later one at most the winner), as two (size - 1,) arrays, in pair order.

    >>> [a.tolist() for a in max_sides(3, 1)]
    [[0, 2], [1, -1]]
    """
    index, sides = [], []
    for p in range(size):
        if p == winner:
            continue
        first, second = min(p, winner), max(p, winner)
        index.append(pair_index(first, second, size))
        sides.append(1 if p < winner else -1)
    return np.array(index, dtype=np.int64), np.array(sides, dtype=np.int8)


def neuron_states(z: np.ndarray, activation: str) -> np.ndarray:
    """States (int8) of neurons with pre-activations ``z`` (any shape)."""
    if activation == "hardtanh":
        return (z > 1.0).astype(np.int8) - (z < -1.0).astype(np.int8)
    return (z > 0.0).astype(np.int8)


def state_interval(state: int, activation: str) -> tuple[float, float]:
    """The open interval of pre-activations strictly in ``state`` (between two breakpoints).

    >>> state_interval(0, "hardtanh"), state_interval(1, "relu")
    ((-1.0, 1.0), (0.0, inf))
    """
    ends = (-np.inf,) + BREAKPOINTS[activation] + (np.inf,)
    index = int(state) + (1 if activation == "hardtanh" else 0)
    return float(ends[index]), float(ends[index + 1])


def activate(z: np.ndarray, layer: Layer) -> np.ndarray:
    """Apply ``layer``'s activation to pre-activations ``z`` (n, pre_width): elementwise,
    or the max over each window of a max layer."""
    if layer.activation == "max":
        windows = layer.windows
        return np.max(np.where(windows >= 0, z[..., np.maximum(windows, 0)], -np.inf), axis=-1)
    if layer.activation == "relu":
        return np.maximum(z, 0.0)
    if layer.activation == "leaky_relu":
        return np.where(z > 0.0, z, layer.slope * z)
    if layer.activation == "hardtanh":
        return np.clip(z, -1.0, 1.0)
    return z


def state_slope_offset(states: np.ndarray, layer: Layer) -> tuple[np.ndarray, np.ndarray]:
    """Local affine form of the activation: ``out = slope * z + offset`` for each state
    (elementwise activations; a max unit's output is its argmax's input)."""
    if layer.activation == "max":
        raise NetworkError("a max layer has no elementwise slope: its output under a state "
                           "is the pre-activation its state selects")
    if layer.activation == "relu":
        return states.astype(np.float64), np.zeros(states.shape)
    if layer.activation == "leaky_relu":
        return np.where(states == 1, 1.0, layer.slope), np.zeros(states.shape)
    if layer.activation == "hardtanh":
        return (states == 0).astype(np.float64), states.astype(np.float64)
    return np.ones(states.shape), np.zeros(states.shape)


def tie_sides(activation: str, width: int) -> np.ndarray:
    """Side of each breakpoint hyperplane that a pre-activation exactly at it belongs to.

    Follows :func:`neuron_states`: relu's ``z = 0`` is state 0 (side -1);
    hard-tanh's ``z = -1`` and ``z = 1`` are the linear state (sides +1 and -1).
    """
    if activation == "hardtanh":
        return np.tile(np.array([1, -1], dtype=np.int8), width)
    return np.full(width, -1, dtype=np.int8)


def sides_from_states(states: np.ndarray, activation: str) -> np.ndarray:
    """Side (+1 above, -1 at or below) of each breakpoint hyperplane, from neuron states.

    ``states`` (width,) int8; returns (width * k,) int8 in label order.
    """
    if activation == "hardtanh":
        lower = np.where(states >= 0, 1, -1)   # breakpoint -1: above unless state -1
        upper = np.where(states == 1, 1, -1)   # breakpoint +1: above only in state 1
        return np.stack([lower, upper], axis=1).ravel().astype(np.int8)
    return np.where(states == 1, 1, -1).astype(np.int8)


def pattern_sides(network: "Network", pattern: np.ndarray) -> np.ndarray:
    """Side of every breakpoint hyperplane (label order) in the region of ``pattern``,
    shape (H,) int8: :func:`sides_from_states` layer by layer; for a max unit, the sides of
    the pairs with its argmax (:func:`max_sides`) and 0 for its other pairs, which do not
    bound the region (a pattern fixes no side for them).

    >>> net = Network.from_layers([(np.eye(3), np.zeros(3)), ([[1.0]], [0.0])],
    ...                           ["max", "identity"], windows={0: [[0, 1, 2]]})
    >>> pattern_sides(net, np.array([1], np.int8)).tolist()     # pairs (0,1) (0,2) (1,2)
    [1, 0, -1]
    """
    sides, position = [], 0
    for layer in network.layers:
        if layer.activation == "identity":
            continue
        states = pattern[position:position + layer.width]
        if layer.activation == "max":
            for size, state in zip(layer.window_sizes.tolist(), states.tolist()):
                unit = np.zeros(size * (size - 1) // 2, dtype=np.int8)
                pairs, unit_sides = max_sides(size, int(state))
                unit[pairs] = unit_sides
                sides.append(unit)
        else:
            sides.append(sides_from_states(states, layer.activation))
        position += layer.width
    return np.concatenate(sides) if sides else np.zeros(0, dtype=np.int8)


def states_from_sides(sides: np.ndarray, activation: str) -> np.ndarray:
    """Neuron states from the sides of their breakpoint hyperplanes (inverse of the above)."""
    if activation == "hardtanh":
        lower, upper = sides[0::2], sides[1::2]  # sides of z = -1 and z = +1
        return np.where(upper > 0, 1, np.where(lower < 0, -1, 0)).astype(np.int8)
    return (sides > 0).view(np.int8)
