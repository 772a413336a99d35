"""Rigorous bounds on float64 rounding, and the signs they certify.

Higham, *Accuracy and Stability of Numerical Algorithms*, ch. 3: a dot product of
length ``n`` computed in float64 errs by at most ``gamma_n |a| . |x|`` with
``gamma_n = n u / (1 - n u)`` and ``u = 2^-53``. A sign is certified when the float
value is farther from zero than its bound; :mod:`regions.predicates` decides the
rest exactly.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np

from .tolerances import BOUND_SAFETY, SPECTRAL_CACHE

__all__ = ["UNIT_ROUNDOFF", "BOUND_SAFETY", "SMALLEST_SUBNORMAL", "gamma", "evaluation_bound",
           "affine_enclosure", "scaled_enclosure", "rounded_rows_error", "certified_signs",
           "strict_slack", "row_norm_bounds",
           "spectral_norm_bound", "weight_sizes", "float_rank", "known_bounds", "learn_bounds",
           "overflow_expected"]

#: u = 2^-53, the unit roundoff of float64.
UNIT_ROUNDOFF = 2.0 ** -53
#: 2^-1074, the spacing of float64 near zero: the most an underflowing operation loses.
SMALLEST_SUBNORMAL = 2.0 ** -1074


def overflow_expected(function):
    """``function`` run with numpy's floating-point warnings off. The engines let float64
    overflow to inf and NaN on purpose (weights of 1e200 and more): a test whose value or
    bound is not finite certifies nothing and is decided exactly, and a value float64
    must hold is refused (:func:`regions.errors.float64_overflow`); a RuntimeWarning there
    is noise, and an error under ``-W error``."""
    @functools.wraps(function)
    def quiet(*args, **kwargs):
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            return function(*args, **kwargs)
    return quiet


def gamma(n: int) -> float:
    """Higham's ``gamma_n = n u / (1 - n u)``, padded for its own rounding.

    >>> gamma(2) > 2 * 2.0 ** -53
    True
    """
    nu = n * UNIT_ROUNDOFF
    return nu / (1.0 - nu) * BOUND_SAFETY


def rounded_rows_error(floats: np.ndarray) -> np.ndarray:
    """Bound on the error of each entry of each row of ``floats`` (k, n), the rounding to
    float64 of exact values: half an ulp of the row's largest entry, plus the half of
    ``SMALLEST_SUBNORMAL`` a subnormal entry may lose.

    >>> bool(rounded_rows_error(np.array([[1e-310, 0.0]]))[0] >= 2.0 ** -1075)
    True
    """
    largest = np.max(np.abs(floats), axis=1, initial=0.0)
    return (UNIT_ROUNDOFF * largest + SMALLEST_SUBNORMAL) * BOUND_SAFETY


def row_norms(rows: np.ndarray) -> np.ndarray:
    """The 2-norm of each row of ``rows`` (k, n), taken of the row scaled by its largest
    entry so that no square underflows or overflows: positive for every row that is not
    zero (a positive multiple of a row has the same sides, so any such norm normalises).

    >>> rows = np.array([[3.0, 4.0], [3.0, 4.0], [0.0, 0.0]]) * [[2.0 ** -600], [2.0 ** 600], [1.0]]
    >>> bool(np.all(row_norms(rows) == [5 * 2.0 ** -600, 5 * 2.0 ** 600, 0.0]))
    True
    """
    largest = np.max(np.abs(rows), axis=1, initial=0.0)
    scale = np.where(largest > 0.0, largest, 1.0)
    return np.linalg.norm(rows / scale[:, None], axis=1) * largest


def evaluation_bound(rows: np.ndarray, offsets: np.ndarray, errors: np.ndarray,
                     points: np.ndarray) -> np.ndarray:
    """Bound on ``|fl(rows @ z + offsets) - (exact rows at z)|`` for float points ``z``.

    ``rows`` (T, dim), ``offsets`` (T,), ``errors`` (T,) the rows' error bounds,
    ``points`` (k, dim) exact float points. Returns (k, T). Each of the ``dim`` products
    may also lose half a subnormal spacing to underflow, which ``gamma`` does not cover.
    """
    points = np.atleast_2d(points)
    dim = rows.shape[1]
    size = np.abs(points).sum(axis=1)[:, None]
    rounding = gamma(dim + 1) * (np.abs(points) @ np.abs(rows).T + np.abs(offsets))
    return (errors * (size + 1.0) + rounding + (dim + 1) * SMALLEST_SUBNORMAL) * BOUND_SAFETY


def affine_enclosure(x: np.ndarray, error: np.ndarray, weight: np.ndarray,
                     bias: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``x W^T + b`` in float64 (one layer of a forward pass), and a bound on its distance
    from ``x' W^T + b`` for every exact ``x'`` within ``error`` of ``x``.

    Parameters
    ----------
    x, error : ndarray, shape (k, n)
        Float values, and bounds (>= 0) on their distance from the exact ones.
    weight : ndarray, shape (m, n)
    bias : ndarray, shape (m,), optional
        None for a map without one (a line's direction), whose sums have a term fewer.

    Returns
    -------
    value, bound : ndarray, shape (k, m)
        ``bound = ((gamma_{n+1} |x| + error + s) |W|^T + gamma_{n+1} |b| + 2 c
        SMALLEST_SUBNORMAL) * BOUND_SAFETY`` (``gamma_n`` and no ``|b|`` without a bias):
        Higham's bound on the rounding, and the input's error carried exactly. ``s``
        (``SMALLEST_SUBNORMAL`` where ``x`` is not 0) covers what ``gamma |x|`` may lose
        to underflow; each of the ``c`` products ``x_j W_ij`` that need not be exactly
        zero may lose half a subnormal spacing to underflow in the value, and as much in
        the bound. Without a bias, a value with no such product is exact and its bound 0.
        A bound beyond float64 is inf or NaN.
    """
    absW = np.abs(weight).T
    size = np.abs(x)
    g = gamma(weight.shape[1] + (bias is not None))
    scaled = g * size + error
    # a float that is not 0 is at least SMALLEST_SUBNORMAL: the minimum is s
    scaled += np.minimum(size, SMALLEST_SUBNORMAL, out=size)
    inputs = scaled > 0.0                              # x_j or its error not 0
    nonzero = absW > 0.0
    # without a zero weight (the usual case) a row counts all its inputs: no matrix product
    products = (np.count_nonzero(inputs, axis=1)[:, None] if nonzero.all()
                else inputs @ nonzero.astype(np.float64))
    value = x @ weight.T
    bound = scaled @ absW
    if bias is not None:
        value += bias
        bound += g * np.abs(bias)
    bound += 2.0 * SMALLEST_SUBNORMAL * products
    bound *= BOUND_SAFETY
    return value, bound


def scaled_enclosure(slope: np.ndarray, x: np.ndarray, error: np.ndarray,
                     offset: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``slope * x + offset`` in float64 (an activation's local affine form, elementwise),
    and a bound on its distance from ``slope * x' + offset`` for every exact ``x'`` within
    ``error`` of ``x``.

    ``slope``, ``x``, ``error`` and ``offset`` (None: no offset) are arrays of one shape,
    that of both results. The bound is ``(|slope| error + rounding) * BOUND_SAFETY``: a
    slope other than 0 or +-1 rounds the product by ``u |product|``, or below float64's
    normal range by half a subnormal spacing, and ``|slope| error`` by as much again
    (``SMALLEST_SUBNORMAL`` for both, where ``x`` or ``error`` is not 0); a sum with an
    offset rounds by ``u |result|``. Without an offset, an exact input (``x`` and
    ``error`` 0, or a slope 0) gives an exact result, bound 0.
    """
    result = slope * x
    bound = np.abs(slope)
    rounds = (bound != 0.0) & (bound != 1.0)
    bound *= error
    if rounds.any():    # not for relu nor hard-tanh, whose products are exact
        rounds &= (x != 0.0) | (error != 0.0)
        rounding = np.abs(result)
        rounding *= UNIT_ROUNDOFF
        rounding += SMALLEST_SUBNORMAL
        bound += np.multiply(rounding, rounds, out=rounding)
    if offset is not None:
        result += offset
        bound += UNIT_ROUNDOFF * np.abs(result)
    bound *= BOUND_SAFETY
    return result, bound


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


def row_norm_bounds(weight: np.ndarray) -> np.ndarray:
    """Upper bounds on the 2-norm of each row of ``weight`` (n_out, n_in): (n_out,), read-only
    (kept by contents, as :func:`spectral_norm_bound`)."""
    weight = np.ascontiguousarray(weight, dtype=np.float64)
    return _by_contents(("rows",), weight, _row_norm_bounds)


def _row_norm_bounds(weight: np.ndarray) -> np.ndarray:
    shift = -np.frexp(np.max(np.abs(weight), axis=1, initial=0.0))[1]
    scaled = np.ldexp(weight, shift[:, None])  # each row's largest entry in [1/2, 1), exactly
    squares = np.einsum("ij,ij->i", scaled, scaled)
    # squares below 2^-1074 underflow: the last term covers what they can sum to
    bounds = (np.sqrt(squares * (1.0 + gamma(weight.shape[1] + 1))) * BOUND_SAFETY
              + np.sqrt(weight.shape[1]) * 2.0 ** -537)
    with np.errstate(over="ignore"):  # a bound beyond float64 is inf, still a bound
        bounds = np.ldexp(bounds, -shift) * (1.0 + 1e-15) + SMALLEST_SUBNORMAL
    bounds.flags.writeable = False
    return bounds


#: Norm bounds already computed in this process (or learnt from another:
#: :func:`learn_bounds`), by kind and matrix contents (each engine asks again for the same
#: layers: every run, every worker of a parallel run).
_BOUNDS: dict = {}


def _by_contents(kind: tuple, weight: np.ndarray, compute):
    """``compute(weight)``, kept in ``_BOUNDS`` under ``kind`` and ``weight``'s contents."""
    key = kind + (weight.shape, hashlib.blake2b(weight.data, digest_size=16).digest())
    if key not in _BOUNDS:
        _keep(key, compute(weight))
    return _BOUNDS[key]


def _keep(key: tuple, value) -> None:
    """``_BOUNDS[key] = value``, the oldest bound dropped beyond ``SPECTRAL_CACHE``."""
    if len(_BOUNDS) >= SPECTRAL_CACHE:
        _BOUNDS.pop(next(iter(_BOUNDS)))
    _BOUNDS[key] = value


def known_bounds() -> dict:
    """The norm bounds this process has computed (:data:`_BOUNDS`), for another process to
    :func:`learn_bounds` (a parallel run's workers, which would compute the same ones)."""
    return dict(_BOUNDS)


def learn_bounds(bounds: dict) -> None:
    """Keep norm bounds another process computed (:func:`known_bounds`): rigorous for the
    matrices whose contents key them, whichever process computed them, so this one uses
    them as its own."""
    for key, value in bounds.items():
        if key not in _BOUNDS:
            for array in value if isinstance(value, tuple) else (value,):
                if isinstance(array, np.ndarray):
                    array.flags.writeable = False   # as computed here (unpickled: writeable)
            _keep(key, value)


def weight_sizes(weight: np.ndarray) -> tuple:
    """What the vertex engine's error bounds need of a layer's ``weight`` (n_out, n_in):
    each row's largest ``|entry|`` and sum of ``|entries|`` (n_out,), :func:`row_norm_bounds`
    and :func:`spectral_norm_bound`; read-only, kept by contents (one look for all four)."""
    weight = np.ascontiguousarray(weight, dtype=np.float64)
    return _by_contents(("sizes",), weight, _weight_sizes)


def _weight_sizes(weight: np.ndarray) -> tuple:
    sizes = np.abs(weight)
    row_max, row_sum = sizes.max(axis=1, initial=0.0), sizes.sum(axis=1)
    row_max.flags.writeable = row_sum.flags.writeable = False
    return row_max, row_sum, row_norm_bounds(weight), spectral_norm_bound(weight)


def float_rank(matrix: np.ndarray) -> int:
    """``np.linalg.matrix_rank`` of a float64 matrix, kept by contents (the cost model of
    ``method="auto"`` asks it of the same first layer every run: a choice of speed, not an
    exact rank)."""
    matrix = np.ascontiguousarray(matrix, dtype=np.float64)
    return _by_contents(("rank",), matrix, lambda m: int(np.linalg.matrix_rank(m)))


def spectral_norm_bound(weight: np.ndarray, squarings: int = 5) -> float:
    """A rigorous upper bound on the spectral norm ``||weight||_2``, within a factor
    ``p ** (1 / 2 ** (squarings + 2))`` of it (``p`` the smaller side; 1.02 for
    ``p = 1024``).

    ``||W||_2 ** 2`` is the largest eigenvalue of the positive semidefinite Gram matrix
    ``A`` (``W^T W`` or ``W W^T``, the smaller), and ``lambda ** k <= ||A^k||_F`` for
    ``k = 2 ** squarings``. ``A^k`` is computed by repeated squaring in float64, every
    matrix scaled by a power of two (exactly) and carrying a bound on its Frobenius
    distance from the exact scaled power: squaring ``C = B + E`` errs by at most
    ``|E| (2 |C| + |E|) + gamma_p |C|^2`` (norms Frobenius), plus what underflow can lose.
    """
    weight = np.ascontiguousarray(weight, dtype=np.float64)
    return _by_contents(("spectral", squarings), weight,
                        lambda w: _spectral_norm_bound(w, squarings))


def _spectral_norm_bound(weight: np.ndarray, squarings: int) -> float:
    largest = float(np.max(np.abs(weight), initial=0.0))
    if largest == 0.0:
        return 0.0
    if weight.shape[0] < weight.shape[1]:
        weight = weight.T
    terms, p = weight.shape
    shift = -int(np.frexp(largest)[1])
    scaled = np.ldexp(weight, shift)  # exact: entries below 2^-1074 are dropped, see lost
    lost = np.sqrt(terms * p) * SMALLEST_SUBNORMAL
    underflow = p * (p + terms) * SMALLEST_SUBNORMAL  # absolute error of one product
    frobenius = float(np.linalg.norm(scaled)) * (1.0 + gamma(terms * p)) * BOUND_SAFETY + lost
    C = scaled.T @ scaled
    error = (gamma(terms) * float(np.linalg.norm(np.abs(scaled).T @ np.abs(scaled)))
             * BOUND_SAFETY + underflow + 2.0 * frobenius * lost)
    exponent = 0  # A^(2^j) = 2^exponent * (the exact matrix C approximates)
    for _ in range(squarings):
        size = float(np.linalg.norm(C)) * (1.0 + gamma(p * p)) * BOUND_SAFETY
        C = C @ C
        error = (error * (2.0 * size + error) + gamma(p) * size * size) * BOUND_SAFETY + underflow
        scale = -int(np.frexp(float(np.linalg.norm(C)))[1])
        C = np.ldexp(C, scale)
        error = float(np.ldexp(error, scale))
        exponent = 2 * exponent - scale
    size = float(np.linalg.norm(C)) * (1.0 + gamma(p * p)) * BOUND_SAFETY + error
    power = 2 ** (squarings + 1)
    bound = min(2.0 ** (exponent / power) * size ** (1.0 / power) * (1.0 + 1e-9), frobenius)
    with np.errstate(over="ignore"):  # a bound beyond float64 is inf, still a bound
        return float(np.ldexp(bound, -shift)) * (1.0 + 1e-9) + SMALLEST_SUBNORMAL
