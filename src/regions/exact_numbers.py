"""Exact conversions between float64 numbers and rationals (python-flint ``fmpq``).

Every float64 is a rational and converts exactly; a rational converts back to float64
rounded to nearest (:func:`float_of`) or outward (:func:`float_outward`), to +-inf beyond
float64's range. This module imports nothing from ``regions``, so that every module can
use it: :mod:`regions.domain`, :mod:`regions.lp_exact` and :mod:`regions.rational` (which
imports both of the others, and re-exports :func:`fraction` and :func:`float_of`).
"""

from __future__ import annotations

import math
import sys

import numpy as np
from flint import fmpq

__all__ = ["fraction", "float_of", "float_outward"]


def fraction(value) -> fmpq:
    """``value`` (a float, int, numpy scalar, ``flint.fmpz`` or ``fractions.Fraction``) as
    an exact fmpq: a number with a numerator and a denominator by those, a float by its
    exact binary value. A float that is not finite raises OverflowError (inf) or
    ValueError (NaN), as ``float.as_integer_ratio`` does.

    >>> fraction(0.5), fraction(3)
    (1/2, 3)
    """
    if isinstance(value, fmpq):
        return value
    if type(value) is float:
        return fmpq(*value.as_integer_ratio())
    if hasattr(value, "numerator") and hasattr(value, "denominator") and not isinstance(
            value, (float, np.floating)):
        return fmpq(int(value.numerator), int(value.denominator))
    ratio = getattr(value, "as_integer_ratio", None)
    numerator, denominator = ratio() if ratio is not None else float(value).as_integer_ratio()
    return fmpq(numerator, denominator)


def float_of(value) -> float:
    """An exact rational rounded to float64, +-inf beyond its range (where python-flint
    raises OverflowError).

    >>> float_of(fmpq(3, 4)), float_of(fmpq(10) ** 400), float_of(-fmpq(10) ** 400)
    (0.75, inf, -inf)
    """
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def float_outward(value, sense: int) -> float:
    """An exact rational rounded to float64 towards ``sense * inf`` (``sense`` 1 or -1):
    beyond float64, +-inf outward and the largest float64 inward.

    >>> third = fmpq(1, 3)
    >>> fraction(float_outward(third, -1)) < third < fraction(float_outward(third, 1))
    True
    >>> float_outward(fmpq(10) ** 400, -1), float_outward(fmpq(10) ** 400, 1)
    (1.7976931348623157e+308, inf)
    """
    bound = float_of(value)
    if math.isinf(bound) and bound * sense < 0:
        return -sense * sys.float_info.max
    if math.isfinite(bound) and (fraction(bound) - value) * sense < 0:
        bound = math.nextafter(bound, sense * math.inf)
    return bound
