"""Claim statistics of the surfaces family, computed from the per-seed evaluation table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from relulab.core.evidence import claim_row
from relulab.core.stats import median_ci, paired_ci, summarize
from relulab.studies.surfaces.experiments import additivity_gap
from relulab.core.tasks import CLASSIFICATION


# per-run statistics that mean nothing for a diverged run: masked to NaN, so its seed is dropped and counted
RUN_STATS = ("planar_fraction", "affine_residual", "ols_gap", "test_acc", "test_loss")
PER_SEED = "median over seeds of the per-seed mean over tasks and architectures (a seed with a diverged cell has none)"


def usable(ev: pd.DataFrame) -> pd.DataFrame:
    """The evaluation table with the run statistics of diverged runs set to NaN."""
    if "diverged" not in ev:
        return ev
    bad = ev["diverged"].fillna(False).astype(bool).to_numpy()
    cols = [c for c in RUN_STATS if c in ev]
    out = ev.copy()
    out.loc[bad, cols] = np.nan
    return out


def per_seed_mean(ev: pd.DataFrame, col: str, **where) -> pd.Series:
    """Mean of `col` over the matching cells, one value per seed (the unit a CI is taken over); NaN for a seed
    with a non-finite cell, so that every seed's mean runs over the same cells."""
    sub = ev
    for k, v in where.items():
        sub = sub[sub[k].isin(v if isinstance(v, (list, tuple, set)) else [v])]
    return sub.groupby("seed")[col].apply(lambda x: x.mean(skipna=False))


def _row(claim, stat, series: pd.Series, evidence, note=""):
    """A statistic over seeds: median with core.stats' interval; n_seeds counts the seeds with a finite value,
    the note says how many were dropped."""
    if series.empty:
        return None
    ci = median_ci(series.to_numpy())
    return claim_row(claim, stat, ci[0], ci, evidence=evidence, note=f"{PER_SEED}: {note}" if note else PER_SEED)


def regression(ev: pd.DataFrame) -> pd.DataFrame:
    return ev[~ev["task"].isin(CLASSIFICATION)]


def claim_rows(ev: pd.DataFrame, surface_figs: list[str], boundary_figs: list[str]) -> list[dict]:
    """All claim rows (R4, A1, F1, A6); statistics whose runs are not in the grid are left out."""
    ev = usable(ev)
    reg, cls = regression(ev), ev[ev["task"].isin(CLASSIFICATION)]
    surf = " ".join(surface_figs)
    rows = [
        _row("R4", "relu_planar_fraction", per_seed_mean(reg, "planar_fraction", activation="relu"),
             f"{surf} tbl-surfaces-planarity", "the fraction of grid stencils on which the surface is exactly "
             "affine"),
        _row("R4", "sigmoid_planar_fraction", per_seed_mean(reg, "planar_fraction", activation="sigmoid"),
             f"{surf} tbl-surfaces-planarity", "same statistic for sigmoid networks"),
        claim_row("A1", "relu_additivity_gap", additivity_gap("relu"), evidence="tbl-surfaces-planarity",
                  note="|relu(-1) + relu(1) - relu(0)| of the ReLU function itself: fixed by construction (the "
                       "definition of the ReLU), exact, not measured"),
        _row("A1", "relu_affine_residual", per_seed_mean(reg, "affine_residual", activation="relu"),
             "tbl-surfaces-planarity", "relative RMS residual of the best affine fit to trained ReLU networks"),
        _row("A1", "identity_affine_residual", per_seed_mean(reg, "affine_residual", activation="identity"),
             "tbl-surfaces-planarity", "control: identity-activation networks"),
        _row("F1", "identity_affine_residual", per_seed_mean(reg, "affine_residual", activation="identity"),
             "tbl-surfaces-planarity", "a deep identity network's function is affine: relative RMS residual of an affine fit"),
        _row("F1", "identity_ols_gap", per_seed_mean(reg, "ols_gap", activation="identity"),
             "tbl-surfaces-planarity tbl-surfaces-error", "relative RMS gap between the trained deep identity "
             "network and the least-squares affine map, on test points"),
    ]
    rows += a6_rows(cls, " ".join(boundary_figs))
    return [r for r in rows if r is not None]


def a6_rows(cls: pd.DataFrame, evidence: str) -> list[dict]:
    """A6: accuracy gain of ReLU networks over a linear classifier (paired by seed), boundary straightness."""
    if cls.empty:
        return []
    linear = cls[cls["depth"] == 0].groupby("seed")["test_acc"].apply(lambda x: x.mean(skipna=False))
    relu = cls[(cls["depth"] > 0) & (cls["activation"] == "relu")]
    if relu.empty or linear.empty:
        return []
    deep = relu.groupby("seed")["test_acc"].apply(lambda x: x.mean(skipna=False))
    seeds = sorted(set(linear.index) | set(deep.index))  # a seed missing from one arm counts as dropped
    ci = paired_ci(deep.reindex(seeds).to_numpy(), linear.reindex(seeds).to_numpy(), kind="diff")
    return [
        claim_row("A6", "relu_minus_linear_accuracy", ci[0], ci, evidence=evidence,
                  note="median over seeds of the test accuracy of ReLU networks minus a linear classifier, paired "
                       "by seed, mean over tasks"),
        _row("A6", "relu_boundary_planar_fraction", per_seed_mean(relu, "planar_fraction"), evidence,
             "fraction of grid stencils on which the ReLU classifier's logit margin is exactly affine: "
             "1 would mean the boundary is made of straight segments everywhere"),
        _row("A6", "linear_boundary_planar_fraction", per_seed_mean(cls[cls["depth"] == 0], "planar_fraction"),
             evidence, "control: the linear classifier"),
    ]


def planarity_table(ev: pd.DataFrame) -> pd.DataFrame:
    """Median planar fraction and affine residual (95% CI) per task, activation and architecture."""
    ev = usable(ev)
    a = summarize(ev, ["task", "activation", "arch"], "planar_fraction").rename(
        columns={"median": "planar_fraction", "ci_low": "pf_ci_low", "ci_high": "pf_ci_high"})
    b = summarize(ev, ["task", "activation", "arch"], "affine_residual").rename(
        columns={"median": "affine_residual", "ci_low": "ar_ci_low", "ci_high": "ar_ci_high"}).drop(
        columns=["n", "n_dropped"])
    return a.merge(b, on=["task", "activation", "arch"]).round(6)


def error_table(ev: pd.DataFrame) -> pd.DataFrame:
    """Median test loss (MSE or cross-entropy) with CI, and divergence counts, per cell."""
    t = summarize(usable(ev), ["task", "activation", "arch", "depth"], "test_loss")
    div = ev.groupby(["task", "activation", "arch"])["diverged"].sum().rename("n_diverged").reset_index()
    acc = ev.groupby(["task", "activation", "arch"])["test_acc"].median().rename("median_test_acc").reset_index() \
        if "test_acc" in ev else None
    t = t.merge(div, on=["task", "activation", "arch"])
    if acc is not None:
        t = t.merge(acc, on=["task", "activation", "arch"])
    return t.sort_values(["task", "activation", "depth"]).round(6)


def values(ev: pd.DataFrame) -> dict:
    reg = regression(ev)
    return {"n_cells": int(ev.groupby(["task", "activation", "arch"]).ngroups), "n_runs": int(len(ev)),
            "n_seeds": int(ev["seed"].nunique()), "n_diverged": int(ev["diverged"].sum()),
            "median_seconds_per_seed": float(np.median(ev["seconds_per_seed"])),
            "n_regression_tasks": int(reg["task"].nunique()),
            "regression_tasks": ", ".join(sorted(reg["task"].unique())),
            "min_depth": int(ev.loc[ev["depth"] > 0, "depth"].min()), "max_depth": int(ev["depth"].max())}
