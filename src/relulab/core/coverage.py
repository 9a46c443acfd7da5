"""Simulated coverage of core.stats' intervals: fixed-seed Monte Carlo over normal, lognormal and exponential
data, vectorised through the same functions the intervals use. tests/test_intervals.py asserts on it and the
report's methods section prints it (computed at build time, never typed)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from relulab.core import stats

# name -> (sampler(rng, shape), true median, true mean); positive shift for the normal so ratios are defined
DISTRIBUTIONS = {
    "normal": (lambda rng, shape: rng.normal(5.0, 1.0, shape), 5.0, 5.0),
    "lognormal": (lambda rng, shape: rng.lognormal(0.0, 1.0, shape), 1.0, math.exp(0.5)),
    "exponential": (lambda rng, shape: rng.exponential(1.0, shape), math.log(2.0), 1.0),
}
# what each method claims: the coverage is nominal on these distributions (Student t: normal data only)
CLAIMS = {"median": tuple(DISTRIBUTIONS), "paired median": tuple(DISTRIBUTIONS),
          "ratio of medians": tuple(DISTRIBUTIONS), "mean": ("normal",)}
REPS, SEED = 4000, 20261203


def _row(method: str, dist: str, n: int, lo: np.ndarray, hi: np.ndarray, truth: float) -> dict:
    defined = np.isfinite(lo) & np.isfinite(hi)
    cover = (lo <= truth) & (truth <= hi)
    return {"method": method, "distribution": dist, "n": n, "defined": float(defined.mean()),
            "coverage": float(cover[defined].mean()) if defined.any() else math.nan,
            "low_above_truth": float((lo[defined] > truth).mean()) if defined.any() else math.nan,
            "high_below_truth": float((hi[defined] < truth).mean()) if defined.any() else math.nan,
            "claimed": dist in CLAIMS[method]}


def simulate(method: str, dist: str, n: int, reps: int = REPS, seed: int = SEED) -> dict:
    """Coverage of one method's nominal 95% interval on `reps` samples of n values from `dist`."""
    rng = np.random.default_rng([seed, n, list(DISTRIBUTIONS).index(dist), list(CLAIMS).index(method)])
    draw, median, mean = DISTRIBUTIONS[dist]
    x = draw(rng, (reps, n))
    if method == "median":
        lo, hi = stats.median_ci_sorted(np.sort(x, axis=1))
        return _row(method, dist, n, lo, hi, median)
    if method == "paired median":  # a = shared + x, b = shared: the per-seed differences are x
        shared = rng.normal(0.0, 3.0, (reps, n))
        lo, hi = stats.median_ci_sorted(np.sort((shared + x) - shared, axis=1))
        return _row(method, dist, n, lo, hi, median)
    if method == "mean":
        lo, hi = stats.mean_ci(x)
        return _row(method, dist, n, lo, hi, mean)
    y = draw(rng, (reps, n))  # ratio of medians: group a is 2 x, group b is y, independent; truth = 2
    lo, hi = stats.ratio_ci_sorted(np.sort(2.0 * x, axis=1), np.sort(y, axis=1))
    return _row(method, dist, n, lo, hi, 2.0)


def coverage_table(ns=(8, 16), reps: int = REPS, seed: int = SEED) -> pd.DataFrame:
    """One row per method x distribution x n: share of samples with an interval, its two-sided coverage and
    one-sided misses (ci_low above the truth, ci_high below it), and whether the method claims nominal coverage."""
    rows = [simulate(m, d, int(n), reps, seed) for m in CLAIMS for d in DISTRIBUTIONS for n in sorted(set(ns))]
    return pd.DataFrame(rows)
