"""The C activation rules (``src/regions/engines/activations.pxd``, used by the vertex engine) equal the
Python rules of ``regions.network``, case by case, and both match the definitions
written out here by hand (relu(z) = max(z, 0); leaky: z or slope * z; hardtanh: clip)."""

import itertools

import numpy as np
import pytest

import regions
from regions.network import (BREAKPOINTS, activate, make_layer, neuron_states,
                             sides_from_states, state_interval, state_slope_offset,
                             states_from_sides, tie_sides)
from regions.engines._vertex import ACTIVATION_CODES, activation_breakpoint, activation_rule

STATES = {"relu": [0, 1], "leaky_relu": [0, 1], "hardtanh": [-1, 0, 1]}
#: Hand-written: the value of the activation, and its state, at sample pre-activations.
BY_HAND = {
    "relu": [(-2.0, 0.0, 0), (0.0, 0.0, 0), (3.0, 3.0, 1)],
    "leaky_relu": [(-2.0, -0.5, 0), (0.0, 0.0, 0), (3.0, 3.0, 1)],     # slope 0.25
    "hardtanh": [(-3.0, -1.0, -1), (-1.0, -1.0, 0), (0.5, 0.5, 0), (1.0, 1.0, 0),
                 (2.0, 1.0, 1)],
}


def layer(activation, width=1):
    return make_layer(np.ones((width, 1)), np.zeros(width), activation, 0.25)


@pytest.mark.parametrize("activation", list(BY_HAND))
def test_python_rules_match_the_definitions(activation):
    for z, value, state in BY_HAND[activation]:
        assert neuron_states(np.array([z]), activation)[0] == state
        assert activate(np.array([z]), layer(activation))[0] == value
        slope, offset = state_slope_offset(np.array([state], np.int8), layer(activation))
        assert slope[0] * z + offset[0] == value
        lo, hi = state_interval(state, activation)
        assert lo <= z <= hi


@pytest.mark.parametrize("activation", list(STATES))
def test_c_rules_equal_the_python_rules(activation):
    code = ACTIVATION_CODES[activation]
    k = len(BREAKPOINTS[activation])
    ties = tie_sides(activation, 1)
    for q in range(k):
        assert activation_breakpoint(code, q) == (BREAKPOINTS[activation][q], ties[q])
    for sides in itertools.product([-1, 1], repeat=k):
        sides = np.array(sides, dtype=np.int8)
        state = states_from_sides(sides, activation)[0]
        slope, offset = state_slope_offset(np.array([state], np.int8), layer(activation))
        assert activation_rule(code, sides.tolist(), 0.25) == (state, slope[0], offset[0])
    for state in STATES[activation]:
        sides = sides_from_states(np.array([state], np.int8), activation)
        assert states_from_sides(sides, activation)[0] == state


def test_identity_has_no_state_and_unit_slope():
    assert regions.Network.from_layers([([[2.0]], [1.0])], ["identity"]).pattern_length == 0
    assert activation_rule(ACTIVATION_CODES["identity"], [0])[1:] == (1.0, 0.0)
