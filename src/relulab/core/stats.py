"""Medians and percentile-bootstrap confidence intervals over seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd

N_BOOT, LEVEL = 2000, 0.95
# Tuning seeds (hyper-parameter choice) are base_seed + TUNING_OFFSET + i: disjoint from the evaluation seeds
# base_seed + i, since config.seeds <= 256 < TUNING_OFFSET.
TUNING_OFFSET = 1000
STATS = {"median": np.median, "mean": np.mean}


def _stat(values: np.ndarray, stat: str) -> np.ndarray:
    return STATS[stat](values, axis=-1)


def bootstrap_ci(values, stat: str = "median", n_boot: int = N_BOOT, level: float = LEVEL,
                 seed: int = 0) -> tuple[float, float, float]:
    """Estimate and percentile bootstrap CI of `stat` over finite values; NaNs if none are finite."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return (np.nan, np.nan, np.nan)
    est = float(_stat(v, stat))
    if v.size == 1:
        return (est, est, est)
    rng = np.random.default_rng(seed)
    boots = _stat(v[rng.integers(0, v.size, (n_boot, v.size))], stat)
    a = (1 - level) / 2
    return (est, float(np.quantile(boots, a)), float(np.quantile(boots, 1 - a)))


def paired_bootstrap_ci(a, b, kind: str = "diff", stat: str = "median", n_boot: int = N_BOOT,
                        level: float = LEVEL, seed: int = 0) -> tuple[float, float, float]:
    """CI of stat(a - b), stat(a / b) or stat(log(a / b)) over paired seeds (pairs with a NaN dropped)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"paired samples differ in shape: {a.shape} vs {b.shape}")
    if kind == "diff":
        d = a - b
    elif kind == "ratio":
        d = a / b
    elif kind == "log_ratio":
        d = np.log(a / b)
    else:
        raise ValueError(f"kind {kind!r} not in ('diff', 'ratio', 'log_ratio')")
    return bootstrap_ci(d, stat, n_boot, level, seed)


def ratio_of_medians_ci(a, b, n_boot: int = N_BOOT, level: float = LEVEL, seed: int = 0):
    """median(a) / median(b) with a bootstrap CI resampling each group independently (unpaired)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if a.size == 0 or b.size == 0:
        return (np.nan, np.nan, np.nan)
    rng = np.random.default_rng(seed)
    ra = np.median(a[rng.integers(0, a.size, (n_boot, a.size))], axis=1)
    rb = np.median(b[rng.integers(0, b.size, (n_boot, b.size))], axis=1)
    q = (1 - level) / 2
    boots = ra / rb
    return (float(np.median(a) / np.median(b)), float(np.quantile(boots, q)), float(np.quantile(boots, 1 - q)))


def summarize(df: pd.DataFrame, by: list[str], col: str, stat: str = "median") -> pd.DataFrame:
    """One row per group: the statistic of `col` over seeds with its bootstrap CI and n."""
    rows = []
    for key, g in df.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        est, lo, hi = bootstrap_ci(g[col].to_numpy(), stat)
        rows.append({**dict(zip(by, key)), stat: est, "ci_low": lo, "ci_high": hi, "n": int(g[col].notna().sum())})
    return pd.DataFrame(rows)


def eval_seeds(cfg: dict) -> list[int]:
    """The evaluation seeds of a config: base_seed + 0 .. seeds - 1 (every statistic a rule reads)."""
    return [int(cfg["base_seed"]) + i for i in range(int(cfg["seeds"]))]


def tuning_seeds(cfg: dict) -> list[int]:
    """The tuning seeds: base_seed + TUNING_OFFSET + 0 .. tuning_seeds - 1, never among the evaluation seeds."""
    return [int(cfg["base_seed"]) + TUNING_OFFSET + i for i in range(int(cfg.get("tuning_seeds", 2)))]
