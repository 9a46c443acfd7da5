"""Medians over seeds and confidence intervals with a tested coverage (tests/test_intervals.py simulates it).

Methods (LEVEL = 95%):
- the median (`bootstrap_ci`, the default; `paired_bootstrap_ci` on per-seed differences/ratios): the
  Hettmansperger-Sheather interpolated order-statistic interval, distribution-free for continuous data;
  it exists from MIN_N_MEDIAN = 6 values (below that even [min, max] covers the median with less than 95%).
- the mean (stat="mean"): Student's t interval (nominal for normal data, anti-conservative for skewed data);
  for 0/1 outcomes (a proportion) the Clopper-Pearson interval (at least nominal for every proportion).
- the ratio of two independent medians (`ratio_of_medians_ci`): on the log scale, estimate +- z sqrt(se_a^2 +
  se_b^2), each log median's se from its Hettmansperger-Sheather interval (Price-Bonett type; positive values).
Too few values give NaN bounds (no interval, so no rule on a CI can hold); a constant sample (a deterministic
statistic) gives the collapsed interval. Non-finite values are dropped and counted: every function returns an
`Interval`, a 3-tuple (estimate, ci_low, ci_high) that also carries `n` (values used), `n_dropped` and `method`.
The names `bootstrap_ci` / `paired_bootstrap_ci` are kept so that callers keep working; nothing resamples.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as sps

N_BOOT, LEVEL = 2000, 0.95  # N_BOOT: kept for callers' signatures; no interval resamples any more
# Tuning seeds (hyper-parameter choice) are base_seed + TUNING_OFFSET + i: disjoint from the evaluation seeds
# base_seed + i, since config.seeds <= 256 < TUNING_OFFSET.
TUNING_OFFSET = 1000
STATS = {"median": np.median, "mean": np.mean}
METHODS = {"median": "Hettmansperger-Sheather order-statistic interval of the median",
           "mean": "Student t interval of the mean",
           "ratio": "log-scale interval of a ratio of two independent medians (Price-Bonett type, "
                    "Hettmansperger-Sheather standard errors)"}
METHODS["proportion"] = "Clopper-Pearson interval of a proportion (binary outcomes per seed)"
SHORT = {"median": "order-statistic", "mean": "Student t", "ratio": "Price-Bonett"}


class Interval(tuple):
    """(estimate, ci_low, ci_high), unpacking as before, with n (finite values used), n_dropped (non-finite
    values dropped) and method (how the interval was made)."""

    def __new__(cls, est, lo, hi, n: int = 0, n_dropped: int = 0, method: str = ""):
        self = super().__new__(cls, (float(est), float(lo), float(hi)))
        self.n, self.n_dropped, self.method = int(n), int(n_dropped), method
        return self


def _binom_half_cdf(k: int, n: int) -> float:
    """P(B <= k) for B ~ Binomial(n, 1/2)."""
    return sum(math.comb(n, i) for i in range(0, k + 1)) / 2.0 ** n if k >= 0 else 0.0


def order_coverage(n: int, d: int) -> float:
    """Coverage of [x_(d), x_(n-d+1)] for the median of a continuous distribution."""
    return 1.0 - 2.0 * _binom_half_cdf(d - 1, n)


def min_n_median(level: float = LEVEL) -> int:
    """The fewest values for which some order-statistic interval ([min, max]) reaches `level`."""
    n = 1
    while order_coverage(n, 1) < level:
        n += 1
    return n


MIN_N_MEDIAN = min_n_median()
MIN_N_MEAN = 2


def hs_weights(n: int, level: float = LEVEL) -> tuple[int, float] | None:
    """Hettmansperger-Sheather (1986): the depth d with coverage(d) >= level > coverage(d+1) and the weight
    lam of the bounds lam * x_(d+1) + (1 - lam) * x_(d) (upper mirrored); None below MIN_N_MEDIAN."""
    if order_coverage(n, 1) < level:
        return None
    d = 1
    while d + 1 <= n // 2 and order_coverage(n, d + 1) >= level:
        d += 1
    g_d, g_next = order_coverage(n, d), order_coverage(n, d + 1) if d + 1 <= (n + 1) // 2 else 0.0
    i = (g_d - level) / (g_d - g_next) if g_d > g_next else 0.0
    lam = (n - d) * i / (d + (n - 2 * d) * i)
    return d, float(lam)


def median_ci_sorted(xs: np.ndarray, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """HS bounds for sorted samples along the last axis (vectorised: the coverage test uses this too)."""
    n = xs.shape[-1]
    w = hs_weights(n, level)
    if w is None:
        nan = np.full(xs.shape[:-1], np.nan)
        return nan, nan.copy()
    d, lam = w
    lo = lam * xs[..., d] + (1 - lam) * xs[..., d - 1]
    hi = lam * xs[..., n - d - 1] + (1 - lam) * xs[..., n - d]
    return lo, hi


def mean_ci(v: np.ndarray, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Student t bounds along the last axis."""
    n = v.shape[-1]
    if n < MIN_N_MEAN:
        nan = np.full(v.shape[:-1], np.nan)
        return nan, nan.copy()
    half = sps.t.ppf((1 + level) / 2, n - 1) * v.std(axis=-1, ddof=1) / math.sqrt(n)
    m = v.mean(axis=-1)
    return m - half, m + half


def log_median_se(logs_sorted: np.ndarray, level: float = LEVEL) -> np.ndarray:
    """Standard error of a log median from its Hettmansperger-Sheather interval read as estimate +- z se (the
    Price-Bonett construction with the HS interval in place of a plain order-statistic pair, whose coverage is
    near nominal at 8 seeds where Price-Bonett's [min, max] gives 98%)."""
    lo, hi = median_ci_sorted(logs_sorted, level)
    return (hi - lo) / (2 * sps.norm.ppf((1 + level) / 2))


def ratio_ci_sorted(a: np.ndarray, b: np.ndarray, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """Price-Bonett bounds of median(a) / median(b) for sorted positive samples along the last axis."""
    la, lb = np.log(a), np.log(b)
    if min(a.shape[-1], b.shape[-1]) < MIN_N_MEDIAN:
        nan = np.full(np.broadcast_shapes(a.shape[:-1], b.shape[:-1]), np.nan)
        return nan, nan.copy()
    est = np.median(la, axis=-1) - np.median(lb, axis=-1)
    half = sps.norm.ppf((1 + level) / 2) * np.sqrt(log_median_se(la) ** 2 + log_median_se(lb) ** 2)
    return np.exp(est - half), np.exp(est + half)


def proportion_ci(k: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Clopper-Pearson interval of a proportion k / n (coverage at least `level` for every true proportion)."""
    a = (1 - level) / 2
    lo = 0.0 if k == 0 else float(sps.beta.ppf(a, k, n - k + 1))
    hi = 1.0 if k == n else float(sps.beta.ppf(1 - a, k + 1, n - k))
    return lo, hi


def _finite(values) -> tuple[np.ndarray, int]:
    v = np.asarray(values, dtype=float).ravel()
    keep = np.isfinite(v)
    return v[keep], int((~keep).sum())


def bootstrap_ci(values, stat: str = "median", n_boot: int = N_BOOT, level: float = LEVEL,
                 seed: int = 0) -> Interval:
    """Estimate and 95% CI of `stat` (median: Hettmansperger-Sheather; mean: Student t) over the finite values.
    No finite value: all NaN; all values equal (at least 2): the collapsed interval; too few values for the
    method (median < MIN_N_MEDIAN, mean < 2): the estimate with NaN bounds. (n_boot and seed are unused.)"""
    if stat not in STATS:
        raise ValueError(f"stat {stat!r} not in {tuple(STATS)}")
    v, dropped = _finite(values)
    if v.size == 0:
        return Interval(np.nan, np.nan, np.nan, 0, dropped, "none (no finite value)")
    est = float(STATS[stat](v))
    if v.size >= 2 and np.all(v == v[0]):
        return Interval(est, est, est, v.size, dropped, f"collapsed (all {v.size} values equal)")
    if stat == "mean" and np.isin(v, (0.0, 1.0)).all():  # a proportion of binary outcomes: exact binomial
        lo, hi = proportion_ci(int(v.sum()), v.size, level)
        return Interval(est, lo, hi, v.size, dropped, METHODS["proportion"])
    lo, hi = median_ci_sorted(np.sort(v), level) if stat == "median" else mean_ci(v, level)
    if not np.isfinite(lo):
        need = MIN_N_MEDIAN if stat == "median" else MIN_N_MEAN
        return Interval(est, np.nan, np.nan, v.size, dropped, f"none ({v.size} values, the {SHORT[stat]} "
                        f"interval needs at least {need})")
    return Interval(est, float(lo), float(hi), v.size, dropped, METHODS[stat])


median_ci = bootstrap_ci  # the honest name


def paired_bootstrap_ci(a, b, kind: str = "diff", stat: str = "median", n_boot: int = N_BOOT,
                        level: float = LEVEL, seed: int = 0) -> Interval:
    """CI of stat(a - b), stat(a / b) or stat(log(a / b)) over paired seeds (pairs with a non-finite dropped,
    counted in n_dropped); the interval is bootstrap_ci's on the per-seed differences/ratios."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples differ in shape: {a.shape} vs {b.shape}")
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "diff":
            d = a - b
        elif kind == "ratio":
            d = a / b
        elif kind == "log_ratio":
            d = np.log(a / b)
        else:
            raise ValueError(f"kind {kind!r} not in ('diff', 'ratio', 'log_ratio')")
    r = bootstrap_ci(d, stat, n_boot, level, seed)
    paired = r.method in (METHODS["median"], METHODS["mean"])
    return Interval(*r, r.n, r.n_dropped, r.method + f" (paired by seed, {kind})" if paired else r.method)


paired_ci = paired_bootstrap_ci


def ratio_of_medians_ci(a, b, n_boot: int = N_BOOT, level: float = LEVEL, seed: int = 0) -> Interval:
    """median(a) / median(b) for independent groups with a Price-Bonett CI (log scale); NaN bounds where a
    group has fewer than MIN_N_MEDIAN finite values or a value <= 0; collapsed where both groups are constant."""
    a, da = _finite(a)
    b, db = _finite(b)
    n, dropped = min(a.size, b.size), da + db
    if a.size == 0 or b.size == 0:
        return Interval(np.nan, np.nan, np.nan, n, dropped, "none (a group has no finite value)")
    with np.errstate(divide="ignore", invalid="ignore"):
        est = float(np.median(a) / np.median(b))
    if np.all(a == a[0]) and np.all(b == b[0]) and min(a.size, b.size) >= 2:
        return Interval(est, est, est, n, dropped, "collapsed (each group's values all equal)")
    if (a <= 0).any() or (b <= 0).any():
        return Interval(est, np.nan, np.nan, n, dropped, "none (a value <= 0: no log-scale interval)")
    lo, hi = ratio_ci_sorted(np.sort(a), np.sort(b), level)
    if not np.isfinite(lo):
        return Interval(est, np.nan, np.nan, n, dropped, f"none (a group has fewer than {MIN_N_MEDIAN} values)")
    return Interval(est, float(lo), float(hi), n, dropped, METHODS["ratio"])


def summarize(df: pd.DataFrame, by: list[str], col: str, stat: str = "median") -> pd.DataFrame:
    """One row per group: the statistic of `col` over seeds with its CI (bootstrap_ci), n (finite values used)
    and n_dropped (non-finite values left out)."""
    rows = []
    for key, g in df.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        r = bootstrap_ci(g[col].to_numpy(), stat)
        rows.append({**dict(zip(by, key)), stat: r[0], "ci_low": r[1], "ci_high": r[2], "n": r.n,
                     "n_dropped": r.n_dropped})
    return pd.DataFrame(rows)


def dropped_note(n: int, n_dropped: int) -> str:
    """'2 of 8 seeds gave a non-finite value (diverged or undefined) and were dropped'; '' when none were."""
    if not n_dropped:
        return ""
    total = n + n_dropped
    return (f"{n_dropped} of {total} seed{'s' if total != 1 else ''} gave a non-finite value (diverged or "
            f"undefined) and {'was' if n_dropped == 1 else 'were'} dropped")


def eval_seeds(cfg: dict) -> list[int]:
    """The evaluation seeds of a config: base_seed + 0 .. seeds - 1 (every statistic a rule reads)."""
    return [int(cfg["base_seed"]) + i for i in range(int(cfg["seeds"]))]


def tuning_seeds(cfg: dict) -> list[int]:
    """The tuning seeds: base_seed + TUNING_OFFSET + 0 .. tuning_seeds - 1, never among the evaluation seeds."""
    return [int(cfg["base_seed"]) + TUNING_OFFSET + i for i in range(int(cfg.get("tuning_seeds", 2)))]


def grid_edge(lr: float, grid) -> str:
    """Where a chosen learning rate lies in its grid: "single" (a one-point grid), "low"/"high" (its smallest or
    largest point: the best rate may lie outside the grid), "" inside."""
    grid = sorted(set(float(g) for g in grid))
    if len(grid) == 1:
        return "single"
    return "low" if float(lr) == grid[0] else "high" if float(lr) == grid[-1] else ""
