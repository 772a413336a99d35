"""Exact linear algebra on float matrices taken as the rationals they represent."""

from __future__ import annotations

import itertools
import math

import flint
import numpy as np

from ..errors import NetworkError
from ..tolerances import GENERAL_POSITION_BUDGET

__all__ = ["GENERAL_POSITION_BUDGET", "exact_rank", "general_position"]


# A Mersenne prime below 2**31: products of two residues fit in int64.
_PRIME = 2_147_483_647


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
