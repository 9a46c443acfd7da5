"""Per-seed statistics of the images family's claims: estimates with the number of seeds that entered, and notes
that say what kind of number each statistic is."""

from __future__ import annotations

import numpy as np
import pandas as pd

from relulab.core.evidence import claim_row
from relulab.core.stats import Interval, bootstrap_ci, paired_bootstrap_ci

MEDIAN = "median over seeds, order-statistic interval over seeds (method in the interval column)"
PAIRED = ("median over seeds of the per-seed difference (paired by seed), order-statistic interval over seeds "
          "(method in the interval column)")
EXACT = "exact: parameter counts, fixed by construction (no seeds enter)"


def common_seeds(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The two per-seed series aligned on their common seeds (a NaN pair stays: the interval drops and counts it)."""
    j = pd.concat([pd.Series(a, dtype=float).rename("a"), pd.Series(b, dtype=float).rename("b")], axis=1,
                  join="inner")
    return j["a"].to_numpy(), j["b"].to_numpy()


def rounded(r: Interval) -> Interval:
    """The Interval with its numbers rounded so float noise (1e-16) never decides; n, n_dropped, method kept."""
    return Interval(*(round(v, 12) for v in r), r.n, r.n_dropped, r.method)


def paired(a, b, kind="diff") -> Interval:
    """Paired interval over common seeds (core.stats.paired_bootstrap_ci), rounded; n = finite pairs that entered."""
    a, b = common_seeds(a, b)
    return rounded(paired_bootstrap_ci(a, b, kind=kind))


def seed_ci(v) -> Interval:
    """Interval (core.stats.bootstrap_ci) of a per-seed series, rounded; non-finite seeds dropped and counted."""
    return rounded(bootstrap_ci(np.asarray(v, float)))


def exact(v: float):
    return (float(v), float(v), float(v), 0)


def by_seed(df: pd.DataFrame, col: str, **where) -> pd.Series:
    for k, v in where.items():
        df = df[df[k] == v]
    return df.groupby("seed")[col].median().sort_index()


def adder(rows: list[dict], ev: dict[str, str]):
    """A function appending one claim row to rows: est is an Interval (its n, n_dropped and method enter the
    row) or a plain (estimate, low, high, seeds) tuple; ci=False drops the interval; the note ends with what kind
    of number the statistic is."""
    def add(cid, stat, est, note="", kind=PAIRED, ci=True):
        text = f"{note}; {kind}" if note else kind
        if isinstance(est, Interval):
            rows.append(claim_row(cid, stat, est[0], est if ci else None, est.n, ev[cid], text, n_dropped=est.n_dropped))
        else:
            rows.append(claim_row(cid, stat, est[0], (est[1], est[2]) if ci else None, est[3], ev[cid], text))
    return add
