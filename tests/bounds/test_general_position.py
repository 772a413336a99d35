"""Exact ranks and general position (``regions.bounds``, general_position), against sympy's
exact ranks and arrangements built in and out of general position by hand."""

import functools

import numpy as np
import pytest
import sympy

from regions import bounds as B


@functools.lru_cache(maxsize=None)
def _exact_rank_matrices():
    """The 12 trial matrices, drawn in order from one generator as the loop did."""
    rng = np.random.default_rng(7)
    matrices = []
    for trial in range(12):
        rows, cols, rank = rng.integers(1, 9), rng.integers(1, 9), rng.integers(0, 5)
        M = (rng.integers(-4, 5, size=(rows, rank)) @ rng.integers(-4, 5, size=(rank, cols))
             ).astype(float) * 2.0 ** int(rng.integers(-40, 40))
        if trial % 3 == 0:
            M = M + rng.normal(size=M.shape) * 1e-13   # generic: full rank as rationals
        matrices.append(M)
    return matrices


@pytest.mark.parametrize("trial", range(12), ids=[f"trial{s}" for s in range(12)])
def test_exact_rank_matches_sympy(trial):
    M = _exact_rank_matrices()[trial]
    expected = sympy.Matrix([[sympy.Rational(v) for v in row] for row in M.tolist()]).rank()
    assert B.exact_rank(M) == expected
    assert B.exact_rank(np.zeros((3, 4))) == 0


def test_general_position():
    rng = np.random.default_rng(11)
    assert B.general_position(rng.normal(size=(12, 2)), rng.normal(size=12))
    assert B.general_position(rng.normal(size=(8, 3)), rng.normal(size=8), (-1.0, 1.0))
    # Two parallel normals.
    G = rng.normal(size=(5, 2))
    G[3] = 2.0 * G[1]
    assert not B.general_position(G, rng.normal(size=5))
    # x = 1, y = 1 and x - y = 0 all pass through (1, 1).
    G = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, -1.0], [0.3, 0.7]])
    assert not B.general_position(G, np.array([-1.0, -1.0, 0.0, 0.1]))
    # Hard-tanh: x = 1, y = 1 and x + y - 1 = +1 meet at (1, 1); their zero sets x = 0, y = 0,
    # x + y = 1 do not, so the same layer is generic for ReLU.
    G = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    beta = np.array([0.0, 0.0, -1.0])
    assert B.general_position(G, beta, (0.0,))
    assert not B.general_position(G, beta, (-1.0, 1.0))
    # Fewer neurons than dimensions: independence of the normals.
    assert B.general_position(np.eye(3)[:2], np.zeros(2))
    assert not B.general_position(np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]), np.ones(2))
