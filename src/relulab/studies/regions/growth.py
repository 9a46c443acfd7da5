"""How region counts grow with depth (R1, R5): log-linear fits across all depths, and deep vs shallow at equal
parameter count. Pure functions of result tables; the claim rows are built in `claims`."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as sstats

NAN3 = (math.nan, math.nan, math.nan)


def log_linear_fit(depth, count, level: float = 0.95) -> tuple[float, float, float]:
    """exp(slope) of the least-squares line ln(count) = a + slope * depth, with the slope's t-interval.

    The interval is over depths (residuals of the line), not over seeds: for exact counts it has zero width
    exactly when ln(count) is a straight line in depth (exponential growth), and it widens when the growth
    per layer changes with depth (e.g. polynomial growth). Needs three distinct depths for an interval.
    """
    d, y = np.asarray(depth, float), np.log(np.asarray(count, float))
    ok = np.isfinite(d) & np.isfinite(y)
    d, y = d[ok], y[ok]
    if np.unique(d).size < 2:
        return NAN3
    slope, icpt = np.polyfit(d, y, 1)
    if d.size < 3:
        return (math.exp(slope), math.nan, math.nan)
    resid = y - (icpt + slope * d)
    se = math.sqrt(float(resid @ resid) / (d.size - 2) / float(((d - d.mean()) ** 2).sum()))
    q = float(sstats.t.ppf(0.5 + level / 2, d.size - 2))
    return (math.exp(slope), math.exp(slope - q * se), math.exp(slope + q * se))


def step_growth(depth, count) -> float:
    """Growth per layer between the two deepest depths: (c_last / c_previous)^(1 / depth difference)."""
    order = np.argsort(np.asarray(depth, float), kind="stable")
    d, c = np.asarray(depth, float)[order], np.asarray(count, float)[order]
    if d.size < 2 or d[-1] <= d[-2]:
        return math.nan
    return float((c[-1] / c[-2]) ** (1.0 / (d[-1] - d[-2])))


def growth_per_group(df: pd.DataFrame, by, depth_col: str = "depth", col: str = "n_linear") -> tuple[np.ndarray, int]:
    """Per group (e.g. seed, or task and seed): exp of the least-squares slope of ln(count) on depth across
    all its depths. Returns the finite values and how many groups gave none (fewer than two depths, NaN)."""
    vals = []
    for _, g in df.groupby(list(by)):
        vals.append(log_linear_fit(g[depth_col], g[col])[0])
    v = np.asarray(vals, dtype=float)
    return v[np.isfinite(v)], int((~np.isfinite(v)).sum())


def paired_depth_ratio(df: pd.DataFrame, col: str, by=("task", "seed"), depth_col: str = "depth") -> tuple[np.ndarray, int]:
    """Per group: col at the deepest over col at the shallowest depth (mean over rows there).
    Returns the finite ratios and how many groups gave none."""
    vals = []
    for _, g in df.groupby(list(by)):
        lo, hi = g[g[depth_col] == g[depth_col].min()], g[g[depth_col] == g[depth_col].max()]
        vals.append(hi[col].mean() / lo[col].mean() if hi[depth_col].iloc[0] > lo[depth_col].iloc[0] else math.nan)
    v = np.asarray(vals, dtype=float)
    return v[np.isfinite(v)], int((~np.isfinite(v)).sum())


def _interp_log(x, y, at) -> np.ndarray:
    o = np.argsort(x)
    return np.interp(at, np.log(np.asarray(x, float)[o]), np.log(np.asarray(y, float)[o]))


def equal_params_ratio(df: pd.DataFrame, col: str, n_points: int = 5, by=("task", "seed")) -> tuple[np.ndarray, int]:
    """Per group: deepest over shallowest nets' `col` at equal parameter count.

    Within each depth, ln(col) is interpolated linearly in ln(n_params) across the widths; the ratio is
    exp of the mean log difference at `n_points` log-spaced parameter counts spanning the range both depths
    cover. Groups without an overlap or with a non-positive/NaN value give no ratio (counted as dropped).
    """
    vals = []
    for _, g in df.groupby(list(by)):
        sh, dp = g[g["depth"] == g["depth"].min()], g[g["depth"] == g["depth"].max()]
        ok = all(len(h) >= 2 and (h[col] > 0).all() for h in (sh, dp)) and dp["depth"].iloc[0] > sh["depth"].iloc[0]
        lo = max(np.log(sh["n_params"].min()), np.log(dp["n_params"].min()))
        hi = min(np.log(sh["n_params"].max()), np.log(dp["n_params"].max()))
        if not ok or hi < lo:
            vals.append(math.nan)
            continue
        at = np.linspace(lo, hi, n_points)
        diff = _interp_log(dp["n_params"], dp[col], at) - _interp_log(sh["n_params"], sh[col], at)
        vals.append(float(np.exp(diff.mean())))
    v = np.asarray(vals, dtype=float)
    return v[np.isfinite(v)], int((~np.isfinite(v)).sum())
