"""Claim statistics of the regions family (R1, R2, R3, R5, F10, A2, F11) from its result tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from relulab.core import stats
from relulab.core.evidence import claim_row
from relulab.studies.regions.approx import per_seed_slopes
from relulab.studies.regions.count import fit_scaling

EXACT = "exact and deterministic (engine count or integer bound): ci_low = ci_high = value"


def construction_over_shallow(cons: pd.DataFrame) -> float:
    """Largest exact ratio of a folding construction's linear regions to the shallow maximum at equal units."""
    m = cons[cons["construction"] == "montufar_folding"]
    return float((m["n_linear"] / m["shallow_max_same_units"]).max())


def growth_per_layer(df: pd.DataFrame, depth_col: str = "depth", col: str = "n_linear", by=("seed",)) -> np.ndarray:
    """Per group: (count at the deepest / count at the shallowest depth)^(1 / depth difference)."""
    out = []
    for _, g in df.groupby(list(by)):
        g = g.sort_values(depth_col, kind="stable")
        lo, hi = g.iloc[0], g.iloc[-1]
        if hi[depth_col] > lo[depth_col]:
            out.append((hi[col] / lo[col]) ** (1.0 / (hi[depth_col] - lo[depth_col])))
    return np.asarray(out, dtype=float)


def exact_growth(cons: pd.DataFrame, name: str) -> float:
    """exp of the least-squares slope of log(count) on depth for one construction (4 for the tent fold)."""
    c = cons[cons["construction"] == name]
    return float(math.exp(np.polyfit(c["depth"], np.log(c["n_linear"].astype(float)), 1)[0]))


def depth_factor_ci(grid: pd.DataFrame, n_boot: int = 500, seed: int = 0) -> tuple[float, float, float]:
    """Hanin-Rolnick fit's depth factor with a bootstrap over seeds (whole seeds resampled)."""
    est = fit_scaling(grid)["depth_factor"]
    seeds = grid["seed"].unique()
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        pick = rng.choice(seeds, len(seeds), replace=True)
        boots.append(fit_scaling(pd.concat([grid[grid["seed"] == s] for s in pick]))["depth_factor"])
    return est, float(np.quantile(boots, 0.025)), float(np.quantile(boots, 0.975))


def preimage_rate(fold: pd.DataFrame) -> pd.Series:
    """Preimages per folding layer before the probed layer: count^(1 / (layer - 1))."""
    return fold["preimages"].clip(lower=1) ** (1.0 / (fold["layer"] - 1).clip(lower=1))


def _n_seeds(df: pd.DataFrame) -> int:
    return int(df["seed"].nunique())


def _bound_rows(theory: pd.DataFrame, cons: pd.DataFrame) -> list[dict]:
    """R1 strongest form: exact construction counts and bounds over the shallow maximum at equal units."""
    big = theory[theory["budget"] == theory["budget"].max()].pivot_table(index="depth", columns="bound", values="value")
    return [claim_row("R1", "construction_over_shallow", construction_over_shallow(cons), None, 1,
                      "fig-regions-bounds tbl-regions-constructions", EXACT),
            claim_row("R1", "bound_over_shallow", float((big["montufar_lower"] / big["shallow_max"]).max()), None,
                      1, "fig-regions-bounds tbl-regions-bounds", EXACT)]


def _typical_growth_rows(budget: pd.DataFrame) -> list[dict]:
    """R1 everyday form: random nets at a fixed unit budget."""
    e, lo, hi = stats.bootstrap_ci(growth_per_layer(budget))
    return [claim_row("R1", "typical_growth_per_layer", e, (lo, hi), _n_seeds(budget), "fig-regions-scaling",
                      "random He-normal nets (biased) at a fixed unit budget, deepest vs one layer, per seed")]


def _trained_relu(trained: pd.DataFrame) -> pd.DataFrame:
    return trained[(trained["activation"] == "relu") & (trained["stage"] == "trained")]


def _trained_growth_rows(trained: pd.DataFrame) -> list[dict]:
    """R1 and R5: growth per layer of the trained surfaces checkpoints (one statistic, reported for both)."""
    relu = _trained_relu(trained)
    e, lo, hi = stats.bootstrap_ci(growth_per_layer(relu, by=("task", "seed")))
    note = "surfaces checkpoints after training, deepest vs shallowest arch, per task and seed"
    return [claim_row(cid, "trained_growth_per_layer", e, (lo, hi), _n_seeds(relu),
                      "fig-regions-scaling tbl-regions-trained", note) for cid in ("R1", "R5")]


def _trained_over_init_rows(trained: pd.DataFrame, digits: pd.DataFrame) -> list[dict]:
    """R5: regions after training over regions at init (surfaces checkpoints, then the digits MLP)."""
    relu = _trained_relu(trained)
    deep = relu[relu["depth"] == relu["depth"].max()]
    init = trained[(trained["activation"] == "relu") & (trained["stage"] == "init") & (trained["depth"] == relu["depth"].max())]
    m = deep.merge(init, on=["task", "seed"], suffixes=("", "_init"))
    e, lo, hi = stats.paired_bootstrap_ci(m["n_linear"], m["n_linear_init"], kind="ratio")
    rows = [claim_row("R5", "trained_over_init", e, (lo, hi), _n_seeds(m), "fig-regions-scaling tbl-regions-trained",
                      "deepest arch; the skeleton's He init has zero biases, so its init regions are cones")]
    dg = digits.pivot_table(index=["seed", "slice"], columns="stage", values="n_linear").reset_index()
    e, lo, hi = stats.paired_bootstrap_ci(dg["trained"], dg["init"], kind="ratio")
    rows.append(claim_row("R5", "digits_trained_over_init", e, (lo, hi), _n_seeds(dg),
                          "fig-regions-scaling tbl-regions-digits",
                          "MLP on 8x8 digits, planes through three test images of different classes"))
    return rows


def _folding_rows(folding: pd.DataFrame) -> list[dict]:
    """R2: folding construction vs random nets, preimages of one intermediate hidden vector."""
    fold = folding.assign(rate=preimage_rate(folding))
    con = fold[fold["net"] == "folding"]
    rows = [claim_row("R2", "folding_preimages_per_layer", float(con["rate"].median()), None, 1,
                      "fig-regions-folding tbl-regions-folding", EXACT + "; median over probe points")]
    rnd = fold[fold["net"] == "random"].groupby("seed")["rate"].median()
    e, lo, hi = stats.bootstrap_ci(rnd.to_numpy())
    rows.append(claim_row("R2", "random_preimages_per_layer", e, (lo, hi), len(rnd), "fig-regions-folding tbl-regions-folding",
                          "random He-normal nets of the same widths; median over probe points per seed"))
    fr = fold.assign(rate=preimage_rate(fold.assign(preimages=fold["full_rank_preimages"])))
    rnd = fr[fr["net"] == "random"].groupby("seed")["rate"].median()
    e, lo, hi = stats.bootstrap_ci(rnd.to_numpy())
    rows.append(claim_row("R2", "random_folds_per_layer", e, (lo, hi), len(rnd), "tbl-regions-folding",
                          "as random_preimages_per_layer, counting only preimages where the layer map has rank 2 "
                          "(true folds, not collapses by dead units)"))
    return rows


def _maxout_rows(maxout: pd.DataFrame) -> list[dict]:
    """R3: maxout construction vs Theorem 8 (and Serra et al.'s upper bound as a sanity check)."""
    return [claim_row("R3", "min_count_over_theorem8", float((maxout["n_linear"] / maxout["theorem8"]).min()), None,
                      1, "fig-regions-bounds tbl-regions-maxout",
                      EXACT + "; min over ranks and depths of linear regions / k^(L-1) k^n0"),
            claim_row("R3", "max_count_over_upper", float((maxout["n_regions"] / maxout["serra_upper"]).max()), None,
                      1, "tbl-regions-maxout", EXACT + "; sanity check against Serra et al.'s maxout upper bound")]


def _tent_rows(cons: pd.DataFrame, grid: pd.DataFrame) -> list[dict]:
    """F10: tent (continuous mod) folding vs typical growth with depth."""
    rows = [claim_row("F10", "tent_fold_growth_per_layer", exact_growth(cons, "tent_fold"), None, 1,
                      "fig-regions-bounds fig-regions-folding tbl-regions-constructions", EXACT)]
    e, lo, hi = depth_factor_ci(grid)
    rows.append(claim_row("F10", "random_depth_factor", e, (lo, hi), _n_seeds(grid), "fig-regions-scaling tbl-regions-scaling",
                          "exp(c) in log count = a + b log(neurons) + c depth, random nets; bootstrap over seeds"))
    return rows


def _approx_rows(approx: pd.DataFrame, claim: str, depth: int, x: str, names: tuple[str, str],
                 notes: tuple[str, str]) -> list[dict]:
    """The slope of log error on log x across widths at one depth, and the error of the widest nets there."""
    nets = approx[approx["depth"] == depth]
    e, lo, hi = stats.bootstrap_ci(per_seed_slopes(nets, x)["slope"].to_numpy())
    rows = [claim_row(claim, names[0], e, (lo, hi), _n_seeds(approx), "fig-regions-approx tbl-regions-approx",
                      notes[0])]
    e, lo, hi = stats.bootstrap_ci(nets[nets["width"] == nets["width"].max()]["nmse"].to_numpy())
    rows.append(claim_row(claim, names[1], e, (lo, hi), _n_seeds(approx), "fig-regions-approx", notes[1]))
    return rows


def _shallow_approx_rows(approx: pd.DataFrame) -> list[dict]:
    """A2: approximation error of one-layer nets against their linear regions."""
    return _approx_rows(approx, "A2", approx["depth"].min(), "n_linear", ("nmse_per_regions_slope", "min_nmse"), (
        "slope of log10 normalised test MSE on log10 linear regions across widths, one-layer nets",
        "normalised test MSE of the widest one-layer nets, all targets"))


def _deep_approx_rows(approx: pd.DataFrame) -> list[dict]:
    """F11: approximation error of the deepest nets against their size."""
    return _approx_rows(approx, "F11", approx["depth"].max(), "units", ("deep_nmse_per_units_slope", "deep_min_nmse"), (
        "slope of log10 normalised test MSE on log10 hidden units, deepest nets of the sweep",
        "normalised test MSE of the largest deep nets, all targets"))


def claim_rows(theory, cons, maxout, budget, grid, trained, folding, digits, approx) -> list[dict]:
    """Every claim statistic of the family; CIs are bootstrap CIs over seeds where anything is random."""
    return (_bound_rows(theory, cons) + _typical_growth_rows(budget) + _trained_growth_rows(trained)
            + _trained_over_init_rows(trained, digits) + _folding_rows(folding) + _maxout_rows(maxout)
            + _tent_rows(cons, grid) + _shallow_approx_rows(approx) + _deep_approx_rows(approx))


def summary_tables(theory, cons, maxout, trained, digits, grid, approx, folding) -> dict[str, pd.DataFrame]:
    """The family's report tables, small and readable."""
    bt = theory[theory["budget"] == theory["budget"].max()].pivot_table(index=["depth", "width"], columns="bound",
                                                                         values="exact", aggfunc="first").reset_index()
    tr = stats.summarize(trained, ["activation", "arch", "stage"], "n_linear")
    dg = stats.summarize(digits, ["arch", "stage"], "n_linear")
    fit = pd.DataFrame([fit_scaling(grid)])
    ap = stats.summarize(approx, ["task", "depth", "width"], "nmse").merge(
        approx.groupby(["task", "depth", "width"], as_index=False)["n_linear"].median())
    fo = folding.groupby(["net", "layer"], as_index=False)[["preimages", "full_rank_preimages"]].agg(
        ["median", "min", "max"])
    fo.columns = ["_".join(c).strip("_") for c in fo.columns.to_flat_index()]
    return {"bounds": bt, "constructions": cons, "maxout": maxout, "trained": tr, "digits": dg, "scaling": fit, "approx": ap,
            "folding": fo}


def _fmt(x: float) -> float:
    """Three significant digits for prose."""
    return float(f"{x:.3g}") if np.isfinite(x) else float("nan")


def values(theory, cons, grid, rows) -> dict:
    """Numbers the report prose may quote: setup numbers and every claim statistic (`<claim>_<statistic>`)."""
    fit = fit_scaling(grid)
    big = theory[theory["budget"] == theory["budget"].max()]
    out = {"budget": int(big["budget"].iloc[0]), "neuron_exponent": _fmt(fit["neuron_exponent"]),
           "depth_factor": _fmt(fit["depth_factor"]), "max_construction_regions": int(cons["n_linear"].max())}
    for r in rows:
        out[f"{r['claim_id']}_{r['statistic']}"] = _fmt(r["value"])
    return out
