"""Layers of a :class:`~regions.network.Network` read off a model's computation graph.

The model loaders (:mod:`regions.io.torch_model` for traced PyTorch models,
:mod:`regions.io.onnx_model`) walk the graph in topological order and keep every tensor
as a batch of *probes*: its values when the current layer's output ``s`` is zero (row
0) and each unit vector (rows ``1 .. dim s``; later rows repeat row 0, so every batch
has the same size). An affine operation applied to the batch gives the affine map in
``s`` of its result, exactly up to rounding; additions of two tensors (skip
connections) are affine too. At each activation, :class:`LayerBuilder` makes a layer of
the map of its input and of every tensor used later, which is carried through by copy
neurons. A copy is exact only when the activation leaves the value unchanged: each entry
must be ``c`` times an output of the previous layer and the activation the same ReLU
(``c > 0``: ``relu(c relu(z)) = c relu(z)``) or Hardtanh (``0 < |c| <= 1``). A ReLU
copy's state is that of the neuron it copies (its pre-activation is ``c`` times that
neuron's output: positive, or identically zero); a Hardtanh copy's pre-activation
stays in ``[-1, 1]`` and reaches its ends only where the copied neuron saturates; so
copies add pattern entries but never a region. Anything else is refused naming the
node.
"""

from __future__ import annotations

import itertools

import numpy as np

from ..errors import NetworkError
from ..network import Layer, Network, activate, make_layer
from ..tolerances import CHECK_RTOL, CHECK_SAMPLES, CHECK_SCALES

__all__ = ["CHECK_RTOL", "CHECK_SAMPLES", "CHECK_SCALES", "check_inputs", "reproduces",
           "check_layers", "LayerBuilder", "batch_size", "max_pool_windows"]


def check_inputs(size: int) -> np.ndarray:
    """The conversion check's inputs ``(CHECK_SAMPLES, size)``, the same on every call."""
    rng = np.random.default_rng(0)
    low, high = np.log10(CHECK_SCALES)
    return (rng.normal(size=(CHECK_SAMPLES, size))
            * 10.0 ** rng.uniform(low, high, size=(CHECK_SAMPLES, 1)))


def reproduces(values: np.ndarray, expected: np.ndarray) -> bool:
    """Whether a converted network's ``values`` match a model's ``expected`` outputs to
    ``CHECK_RTOL`` (relative, and absolute against the outputs' largest size)."""
    return values.shape == expected.shape and np.allclose(
        values, expected, rtol=CHECK_RTOL, atol=CHECK_RTOL * max(1.0, np.abs(expected).max()))


def check_layers(network: Network, x: np.ndarray, sources: list, value_of, output: np.ndarray,
                 name_of) -> None:
    """A converted network against the model it came from, on inputs ``x`` ``(k, n)``: each
    layer's pre-activation rows against the values of the graph nodes they stand for
    (``sources`` of :class:`LayerBuilder`; ``value_of(node)`` is the model's value there),
    then the output. Refuses naming the first node that disagrees (``name_of(node)``)."""
    values = x
    for layer, held in zip(network.layers, sources):
        values = values @ layer.weight.T + layer.bias
        for node, first, rows in held:
            if not reproduces(values[:, first:first + rows],
                              np.asarray(value_of(node)).reshape(len(x), -1)):
                raise NetworkError(f"the converted layer at node {name_of(node)!r} does not "
                                   f"reproduce the model's values to {CHECK_RTOL:g} relative")
        values = activate(values, layer)
    if not reproduces(values, np.asarray(output).reshape(len(x), -1)):
        raise NetworkError(f"the converted network does not reproduce the model's output to "
                           f"{CHECK_RTOL:g} relative")


class LayerBuilder:
    """The layers of a graph walked in topological order (see the module docstring).

    Parameters
    ----------
    batch : int
        Rows of every probe batch: at least one more than the widest layer.
    input_size : int
        Length of the flattened network input.
    """

    def __init__(self, batch: int, input_size: int):
        self.batch, self.input_size = batch, input_size
        self.layers: list[Layer] = []
        #: per layer, ``(node, first row, rows)`` of the graph values its pre-activation holds
        self.sources: list[list] = []
        self.stage_activation = None      # the activation that made s (None: s is the input)

    @property
    def width(self) -> int:
        """Length of s, the last layer's output (or of the input)."""
        return self.layers[-1].width if self.layers else self.input_size

    def unit_probes(self, first: int, rows: int, shape: tuple) -> np.ndarray:
        """Probes ``(batch, *shape)`` of ``rows`` coordinates of s from ``first`` on."""
        probes = np.zeros((self.batch, rows))
        probes[1 + first + np.arange(rows), np.arange(rows)] = 1.0
        return probes.reshape(self.batch, *shape)

    def affine(self, name: str, probes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(W (k, dim s), b (k,))`` of a value's probes."""
        flat = np.asarray(probes, dtype=np.float64).reshape(self.batch, -1)
        dim = self.width
        # the padding rows repeat row 0's input, so they must repeat its output (up to the
        # rounding of batched kernels); an operation across the batch breaks that
        if not np.allclose(flat[1 + dim:], flat[0], rtol=CHECK_RTOL,
                           atol=CHECK_RTOL * max(1.0, float(np.abs(flat[0]).max(initial=0.0)))):
            raise NetworkError(f"node {name!r} mixes the batch entries: only operations on "
                               f"each input alone can be converted")
        return np.ascontiguousarray((flat[1:1 + dim] - flat[0]).T), flat[0].copy()

    def copied_coordinates(self, name: str, probes: np.ndarray,
                           activation: str) -> list[tuple[int, float]]:
        """``(coordinate of s, factor)`` of each entry of a value that is a multiple of one
        coordinate of s and passes ``activation`` unchanged: a positive one of a ReLU
        output (``relu(c h) = c h`` for ``h >= 0``), one of size at most 1 of a Hardtanh
        output; NetworkError for any other value."""
        W, b = self.affine(name, probes)
        single = (np.count_nonzero(W, axis=1) == 1) & (b == 0.0)
        factors = W.sum(axis=1)
        copies = single & ((factors > 0) if activation == "relu" else
                           (np.abs(factors) <= 1.0) if activation == "hardtanh" else single)
        if not copies.all():
            why = ("it is not the previous layer's output or a multiple of it that the "
                   "activation leaves unchanged (a pre-activation, or a sum)")
        elif self.stage_activation is None:
            why = "it is the network input"
        elif self.stage_activation != activation:
            why = f"it is a {self.stage_activation} output, which {activation} would change"
        elif activation not in ("relu", "hardtanh"):
            why = f"{activation} changes its own negative outputs again"
        else:
            return list(zip(np.argmax(W != 0, axis=1).tolist(), factors.tolist()))
        raise NetworkError(
            f"node {name!r} is used after the {activation} that follows it, and {why}: only "
            f"an earlier layer's ReLU or Hardtanh outputs pass an activation of the same kind "
            f"unchanged, so this skip connection cannot be carried exactly")

    def activate(self, name: str, source, probes: np.ndarray, activation: str, slope: float,
                 live: dict) -> tuple[np.ndarray, dict]:
        """The layer of the activation at node ``name`` applied to ``probes`` (the value of
        node ``source``), carrying every value of ``live`` (``{key: (node name, probes)}``).
        Returns the activation's probes and the carried values' new probes."""
        W, b = self.affine(name, probes)
        copied: dict = {}          # (coordinate of s, factor) -> row of the new layer
        carried = {}
        for key, (node_name, value) in live.items():
            rows = []
            for copy in self.copied_coordinates(node_name, value, activation):
                rows.append(copied.setdefault(copy, W.shape[0] + len(copied)))
            carried[key] = (rows, value.shape)
        copy = np.zeros((len(copied), self.width))
        for row, (j, factor) in enumerate(copied):
            copy[row, j] = factor
        self.layers.append(make_layer(np.vstack([W, copy]),
                                      np.concatenate([b, np.zeros(len(copied))]), activation,
                                      slope, len(self.layers)))
        self.sources.append([(source, 0, W.shape[0])])
        self.stage_activation = activation
        new = {}
        for key, (rows, shape) in carried.items():
            flat = np.zeros((self.batch, len(rows)))
            flat[1 + np.array(rows, dtype=np.int64), np.arange(len(rows))] = 1.0
            new[key] = flat.reshape(shape)
        return self.unit_probes(0, W.shape[0], tuple(probes.shape[1:])), new

    def pool(self, name: str, source, probes: np.ndarray, windows: np.ndarray,
             out_shape: tuple, live: dict) -> np.ndarray:
        """The max layer of the pooling at node ``name`` over ``probes`` (the value of node
        ``source``) with ``windows`` (:func:`max_pool_windows`); returns its output's probes.
        A value used after the pool (a skip connection across it) is refused."""
        if live:
            raise NetworkError(f"node {name!r} is a max pool with a skip connection across "
                               f"it ({', '.join(sorted(str(v[0]) for v in live.values()))}), "
                               f"which is not carried yet")
        W, b = self.affine(name, probes)
        self.layers.append(make_layer(W, b, "max", 0.01, len(self.layers), windows))
        self.sources.append([(source, 0, W.shape[0])])
        self.stage_activation = "max"
        return self.unit_probes(0, windows.shape[0], tuple(out_shape))

    def finish(self, source, probes: np.ndarray) -> list[Layer]:
        """The output (the value of node ``source``): one more identity layer unless it is
        the last layer's output as it is. Returns the layers."""
        W, b = self.affine(str(source), probes)
        if not (self.layers and W.shape == (self.width, self.width)
                and np.array_equal(W, np.eye(self.width)) and not b.any()):
            self.layers.append(make_layer(W, b, "identity", 0.01, len(self.layers)))
            self.sources.append([(source, 0, W.shape[0])])
        return self.layers


def batch_size(sizes: list, last_use: list) -> int:
    """Rows of the probe batches of a graph (``sizes[k]`` entries made by node ``k``, last
    used by node ``last_use[k]``): one more than the widest layer can be, the output of a
    node (an activation's is as large as its input) plus every value kept for later."""
    return 1 + max((sizes[j] + sum(size for k, size in enumerate(sizes[:j]) if last_use[k] > j)
                    for j in range(len(sizes))), default=0)


def max_pool_windows(shape: tuple, kernel: tuple, stride: tuple, pads_begin: tuple,
                     pads_end: tuple, dilation: tuple, what: str = "MaxPool"
                     ) -> tuple[np.ndarray, tuple]:
    """The windows (units, k) of a max pooling over each channel of inputs of ``shape``
    (``(C, *spatial)`` or ``spatial``, flattened in C order), -1 padded where a window
    reaches into the padding (which is never the max), and the output shape. Per spatial
    axis: the kernel size, stride, padding before and after, dilation; the output size is
    ``floor((size + pads - dilation (kernel - 1) - 1) / stride) + 1`` (floor mode).

    >>> windows, shape = max_pool_windows((1, 3), (2,), (1,), (1,), (0,), (1,))
    >>> windows.tolist(), shape
    ([[0, -1], [0, 1], [1, 2]], (1, 3))
    """
    spatial = len(kernel)
    channels = int(np.prod(shape[:-spatial]))
    sizes = tuple(int(v) for v in shape[-spatial:])
    axes, out_sizes = [], []
    for size, k, s, begin, end, d in zip(sizes, kernel, stride, pads_begin, pads_end, dilation):
        count = (size + begin + end - d * (k - 1) - 1) // s + 1
        if count < 1:
            raise NetworkError(f"{what} leaves no output on inputs of shape {shape}")
        axes.append([[o * s - begin + j * d for j in range(k)] for o in range(count)])
        out_sizes.append(count)
    inputs = np.arange(channels * int(np.prod(sizes))).reshape(channels, *sizes)
    rows = []
    for c in range(channels):
        for position in np.ndindex(*out_sizes):
            ranges = [axes[a][position[a]] for a in range(spatial)]
            rows.append([int(inputs[(c, *coords)]) for coords in itertools.product(*ranges)
                         if all(0 <= coords[a] < sizes[a] for a in range(spatial))])
    if any(not row for row in rows):
        raise NetworkError(f"{what}: a window lies in the padding only")
    windows = np.full((len(rows), max(len(r) for r in rows)), -1, dtype=np.int64)
    for g, row in enumerate(rows):
        windows[g, :len(row)] = row
    return windows, (*shape[:-spatial], *out_sizes)
