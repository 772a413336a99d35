"""What the exact LP path costs: ``regions.lp_exact`` on random polytopes, by dimension.

For each d, random polytopes ``{x : A x <= c}`` with m = 4d rows around the
origin (float64 data from ``numpy.random.default_rng(0)``: Gaussian rows,
right-hand sides in [0.5, 1.5]) and a Gaussian objective, drawn again while
unbounded. Prints the mean CPU time of ``maximize`` cold, ``maximize``
warm-started from the rows HiGHS finds tightest at its optimum
(``scipy.optimize.linprog(method="highs")``), ``compare_max`` on the hyperplane
``f . x = 0`` through the origin (an early +1) and on one just beyond the
optimum (a full solve to -1, warm), HiGHS itself, and the mean pivots.

    python benchmarks/lp_exact.py [--dims 2 4 8 16 32] [--repeats 20]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.optimize import linprog

from regions.lp_exact import compare_max, maximize


def random_lp(rng: np.random.Generator, dim: int):
    """``(A, c, f, tight, value)``: 4 * dim Gaussian rows, rhs in [0.5, 1.5] (the origin inside),
    a Gaussian objective bounded on them (drawn again until it is), HiGHS's tight rows and optimum."""
    while True:
        A, c, f = rng.standard_normal((4 * dim, dim)), rng.uniform(0.5, 1.5, 4 * dim), rng.standard_normal(dim)
        solved = highs_tight_rows(A, c, f)
        if solved is not None:
            return A, c, f, *solved


def highs_tight_rows(A, c, f) -> tuple[list[int], float] | None:
    """Row indices by increasing slack at HiGHS's optimum (its basis rows first) and the optimum;
    None when HiGHS finds no optimum."""
    res = linprog(-f, A_ub=A, b_ub=c, bounds=(None, None), method="highs")
    if res.status != 0:
        return None
    return np.argsort(res.ineqlin.residual, kind="stable").tolist(), -res.fun


def timed(call):
    """CPU seconds of ``call()`` (wall time on a shared machine counts other processes' slices)."""
    started = time.process_time()
    result = call()
    return time.process_time() - started, result


def measure(dim: int, repeats: int, rng) -> dict:
    totals = {"cold": 0.0, "warm": 0.0, "cmp +1": 0.0, "cmp -1": 0.0, "highs": 0.0}
    pivots = {"cold": 0, "warm": 0}
    for _ in range(repeats):
        A, c, f, tight, value = random_lp(rng, dim)
        totals["highs"] += timed(lambda: highs_tight_rows(A, c, f))[0]
        seconds, cold = timed(lambda: maximize(A, c, f))
        totals["cold"] += seconds
        pivots["cold"] += cold.pivots
        seconds, warm = timed(lambda: maximize(A, c, f, basis=tight))
        totals["warm"] += seconds
        pivots["warm"] += warm.pivots
        assert cold.value == warm.value and abs(float(cold.value) - value) < 1e-6
        seconds, sign = timed(lambda: compare_max(A, c, f))
        totals["cmp +1"] += seconds
        assert sign == 1
        beyond = -float(cold.value) - 1e-3
        seconds, sign = timed(lambda: compare_max(A, c, f, beyond, basis=tight))
        totals["cmp -1"] += seconds
        assert sign == -1
    return {key: total / repeats for key, total in totals.items()} | {
        "pivots cold": pivots["cold"] / repeats, "pivots warm": pivots["warm"] / repeats}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, nargs="+", default=[2, 4, 8, 16, 32])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    maximize(np.eye(2), np.ones(2), np.ones(2))   # first-call costs out of the timings
    print("| d | m | maximize cold | pivots | maximize warm | pivots | compare_max +1 "
          "| compare_max -1 (warm) | HiGHS (linprog) |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for dim in args.dims:
        t = measure(dim, args.repeats, rng)
        print(f"| {dim} | {4 * dim} | {t['cold'] * 1e3:.2f} ms | {t['pivots cold']:.1f} "
              f"| {t['warm'] * 1e3:.2f} ms | {t['pivots warm']:.1f} | {t['cmp +1'] * 1e3:.2f} ms "
              f"| {t['cmp -1'] * 1e3:.2f} ms | {t['highs'] * 1e3:.2f} ms |", flush=True)


if __name__ == "__main__":
    main()
