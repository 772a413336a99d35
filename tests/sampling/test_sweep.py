"""The certified float sweep along a line (``regions.sampling``, sweep) equals the rational
sweep, breakpoint for breakpoint, on bounded and unbounded lines and every activation."""

import numpy as np
import pytest

import regions
from regions import sampling as S
from regions.random_networks import random_network


@pytest.mark.parametrize("activation", ["relu", "hardtanh", "leaky_relu"])
@pytest.mark.parametrize("bounded", [True, False])
def test_certified_float_sweep_is_the_rational_sweep(activation, bounded):
    # The float64 sweep with error bounds, against the same sweep in rational arithmetic.
    from regions.rational import matrix
    from regions.sampling.lines import exact_chords, to_input

    net = random_network([3, 8, 8, 1], seed=3, activation=activation)
    domain = regions.domain.resolve(regions.box(-1, 1) if bounded else None, net)
    p, u, _, _ = S.random_lines(domain, 60, np.random.default_rng(1))
    lo, hi = exact_chords(domain, matrix(p.T), matrix(u.T))
    origins, directions = to_input(domain, matrix(p.T), matrix(u.T))
    line, start, stop, patterns = S.rational_line_intervals(net, origins, directions, lo, hi)
    f_line, f_start, f_stop, f_patterns, undecided = S.certified_line_intervals(
        net, origins, directions, lo, hi)
    decided = ~np.isin(line, undecided)
    assert undecided.size < 60
    assert np.array_equal(f_line, line[decided]) and np.array_equal(f_patterns, patterns[decided])
    ends = np.array([float(t) if t is not None else np.nan for t in start])[decided]
    assert np.allclose(f_start[np.isfinite(f_start)], ends[np.isfinite(f_start)], rtol=1e-9)
