"""Rigorous bounds on float64 rounding, and the signs they certify.

Higham, *Accuracy and Stability of Numerical Algorithms*, ch. 3: a dot product of
length ``n`` computed in float64 errs by at most ``gamma_n |a| . |x|`` with
``gamma_n = n u / (1 - n u)`` and ``u = 2^-53``. A sign is certified when the float
value is farther from zero than its bound; :mod:`regions.predicates` decides the
rest exactly.
"""

from __future__ import annotations

import numpy as np

#: u = 2^-53, the unit roundoff of float64.
UNIT_ROUNDOFF = 2.0 ** -53
#: Bounds are computed in float64 themselves; multiplying them by this covers their own
#: rounding (a few dozen operations each, far below 1e-6 relative).
BOUND_SAFETY = 1.0 + 1e-6


def gamma(n: int) -> float:
    """Higham's ``gamma_n = n u / (1 - n u)``, padded for its own rounding.

    >>> gamma(2) > 2 * 2.0 ** -53
    True
    """
    nu = n * UNIT_ROUNDOFF
    return nu / (1.0 - nu) * BOUND_SAFETY


def evaluation_bound(rows: np.ndarray, offsets: np.ndarray, errors: np.ndarray,
                     points: np.ndarray) -> np.ndarray:
    """Bound on ``|fl(rows @ z + offsets) - (exact rows at z)|`` for float points ``z``.

    ``rows`` (T, dim), ``offsets`` (T,), ``errors`` (T,) the rows' error bounds,
    ``points`` (k, dim) exact float points. Returns (k, T).
    """
    points = np.atleast_2d(points)
    dim = rows.shape[1]
    size = np.abs(points).sum(axis=1)[:, None]
    rounding = gamma(dim + 1) * (np.abs(points) @ np.abs(rows).T + np.abs(offsets))
    return (errors * (size + 1.0) + rounding) * BOUND_SAFETY


def certified_signs(rows: np.ndarray, offsets: np.ndarray, errors: np.ndarray,
                    points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(signs (k, T) int8, values (k, T))``: the sign of each hyperplane at each float
    point where float64 certifies it, 0 where it cannot (the exact value may be 0)."""
    points = np.atleast_2d(points)
    values = points @ rows.T + offsets
    bound = evaluation_bound(rows, offsets, errors, points)
    signs = np.where(values > bound, 1, np.where(values < -bound, -1, 0)).astype(np.int8)
    return signs, values


def strict_slack(A: np.ndarray, b: np.ndarray, errors: np.ndarray, point: np.ndarray) -> bool:
    """Whether float64 certifies that ``point`` satisfies every row of ``A z <= b`` strictly
    (rows with error bounds ``errors``)."""
    signs, _ = certified_signs(-A, b, errors, point)
    return bool(np.all(signs > 0))
