"""Per-seed statistics of the images family's claims: estimates with the number of seeds that entered, and notes
that say what kind of number each statistic is."""

from __future__ import annotations

import numpy as np
import pandas as pd

from relulab.core.evidence import claim_row
from relulab.core.stats import bootstrap_ci, paired_bootstrap_ci

MEDIAN = "median over seeds, bootstrap interval over seeds"
PAIRED = "median over seeds of the per-seed difference (paired by seed), bootstrap interval over seeds"
EXACT = "exact: parameter counts, fixed by construction (no seeds enter)"


def finite_pairs(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The two per-seed series aligned on their common seeds, pairs with a NaN dropped."""
    j = pd.concat([pd.Series(a, dtype=float).rename("a"), pd.Series(b, dtype=float).rename("b")], axis=1,
                  join="inner").dropna()
    return j["a"].to_numpy(), j["b"].to_numpy()


def paired(a, b, kind="diff"):
    """Paired bootstrap (estimate, low, high, seeds that entered), rounded so float noise (1e-16) never decides."""
    a, b = finite_pairs(a, b)
    return tuple(round(v, 12) for v in paired_bootstrap_ci(a, b, kind=kind)) + (len(a),)


def seed_ci(v):
    """Bootstrap (estimate, low, high, finite seeds that entered) of a per-seed series."""
    v = np.asarray(v, float)
    return tuple(round(x, 12) for x in bootstrap_ci(v)) + (int(np.isfinite(v).sum()),)


def exact(v: float):
    return (float(v), float(v), float(v), 0)


def by_seed(df: pd.DataFrame, col: str, **where) -> pd.Series:
    for k, v in where.items():
        df = df[df[k] == v]
    return df.groupby("seed")[col].median().sort_index()


def adder(rows: list[dict], ev: dict[str, str]):
    """A function appending one claim row to rows: est is (estimate, low, high, seeds that entered); ci=False
    drops the interval; the note ends with what kind of number the statistic is."""
    def add(cid, stat, est, note="", kind=PAIRED, ci=True):
        rows.append(claim_row(cid, stat, est[0], (est[1], est[2]) if ci else None, est[3], ev[cid],
                              f"{note}; {kind}" if note else kind))
    return add
