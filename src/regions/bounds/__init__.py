"""Theoretical bounds on the number of linear regions, in exact integer arithmetic.

Every bound is a Python ``int`` computed with ``math.comb``; nothing here
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
  layer-by-layer arguments below work, and is what :func:`regions.enumerate_regions`
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

Maxout and max pooling (``max`` layers, :class:`regions.Layer`): a layer of ``n`` units
of rank ``k`` (windows of ``k`` inputs) cuts ``R^d`` into at most
``sum_{j<=d} C(n, j) (k - 1)^j`` regions (Montufar, Ren, Zhang 2022:
:func:`maxout_layer_regions`); :func:`maxout_upper` is the layer-by-layer product and
:func:`serra_maxout_upper` Serra et al.'s maxout bound, counting each unit's
``k (k - 1) / 2`` pair hyperplanes. :func:`network_bound` and :func:`network_bounds`
take max layers (the one-layer maximum with exact ranks); the hyperplane bounds of the
ReLU family refuse them.

Upper bounds hold for every network of the given shape on all of ``R^m``, so
also inside any convex domain (a region meets a convex domain in one convex
piece at most). The lower bounds are about the *maximum* number of regions
over all weights: they can be compared with upper bounds, never with one
network.
"""

from ..tolerances import GENERAL_POSITION_BUDGET
from .general_position import exact_rank, general_position
from .formulas import (HYPERPLANES_PER_NEURON, layer_regions, montufar2014_lower,
                       maxout_layer_regions, maxout_upper, montufar2017_upper,
                       parallel_families, raghu_upper, serra_lower, serra_maxout_upper,
                       serra_upper, trivial_upper, zaslavsky, zaslavsky_bounded)
from .network import (Bound, LayerReach, hidden_layers, layer_reach, network_bound,
                      network_bounds, shape_bounds)

__all__ = [
    "Bound", "GENERAL_POSITION_BUDGET", "HYPERPLANES_PER_NEURON", "LayerReach", "exact_rank",
    "general_position", "hidden_layers", "layer_reach", "layer_regions", "maxout_layer_regions",
    "maxout_upper", "montufar2014_lower", "montufar2017_upper", "network_bound",
    "network_bounds", "parallel_families", "raghu_upper", "serra_lower",
    "serra_maxout_upper", "serra_upper", "shape_bounds", "trivial_upper", "zaslavsky",
    "zaslavsky_bounded",
]
