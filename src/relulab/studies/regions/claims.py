"""Claim statistics of the regions family (R1, R2, R3, R5, F10, A2, F11) from its result tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from relulab.core import stats
from relulab.core.evidence import claim_row
from relulab.studies.regions import growth as G
from relulab.studies.regions import prose
from relulab.studies.regions.approx import per_seed_slopes
from relulab.studies.regions.count import fit_scaling

EXACT = "exact and deterministic (engine count or integer bound): ci_low = ci_high = value"


def _over(n: int, unit: str = "seeds", stat: str = "median") -> str:
    """What kind of number a random statistic is: its summary over n units with a 95% interval over them (the
    method, e.g. the median's order-statistic interval, is in the claim row's interval column)."""
    return f"{stat} over {n} {unit} with a 95% interval over them"


def construction_over_shallow(cons: pd.DataFrame) -> float:
    """Largest exact ratio of a folding construction's linear regions to the shallow maximum at equal units."""
    m = cons[cons["construction"] == "montufar_folding"]
    return float((m["n_linear"] / m["shallow_max_same_units"]).max())


def exact_growth(cons: pd.DataFrame, name: str) -> float:
    """exp of the least-squares slope of log(count) on depth for one construction (4 for the tent fold)."""
    c = cons[cons["construction"] == name]
    return float(math.exp(np.polyfit(c["depth"], np.log(c["n_linear"].astype(float)), 1)[0]))


def depth_factor_ci(grid: pd.DataFrame, n_boot: int = 500, seed: int = 0, key: str = "depth_factor",
                    col: str = "n_regions") -> stats.Interval:
    """A Hanin-Rolnick fit coefficient (depth factor or neuron exponent) with a percentile bootstrap over whole
    seeds (a cluster bootstrap: one fit uses all nets, so no per-seed value exists to take an order statistic of)."""
    est = fit_scaling(grid, col)[key]
    seeds = grid["seed"].unique()
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        pick = rng.choice(seeds, len(seeds), replace=True)
        boots.append(fit_scaling(pd.concat([grid[grid["seed"] == s] for s in pick]), col)[key])
    return stats.Interval(est, float(np.quantile(boots, 0.025)), float(np.quantile(boots, 0.975)), len(seeds), 0,
                          f"percentile bootstrap of the fit coefficient, whole seeds resampled ({n_boot} resamples)")


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


def _fixed_width_rows(fixed: pd.DataFrame) -> list[dict]:
    """R1 strongest form: the folding construction at a fixed width per layer, depth varied (exact counts)."""
    f = fixed.sort_values("depth")
    e, lo, hi = G.log_linear_fit(f["depth"], f["n_linear"])
    t_int = ("Student t interval of the least-squares slope over depths (exp scale; exact counts, not over seeds)"
             if np.isfinite(lo) else "none (a t-interval of the slope needs three depths)")
    deep = f.iloc[-1]
    depths = f"depths {', '.join(str(int(d)) for d in f['depth'])} at width {int(deep['width'])}"
    return [claim_row("R1", "construction_growth_per_layer", e, (lo, hi), 1, "fig-regions-bounds tbl-regions-fixed-width",
                      f"exact counts of the folding construction, {depths}; exp of the least-squares slope of "
                      "ln(regions) on depth; the interval is the slope's 95% t-interval over depths (zero width "
                      "when ln(regions) is exactly linear in depth), not over seeds", interval=t_int),
            claim_row("R1", "construction_last_step_growth", G.step_growth(f["depth"], f["n_linear"]), None, 1,
                      "tbl-regions-fixed-width", EXACT + f"; growth per layer between the two deepest of the {depths}"),
            claim_row("R1", "shallow_last_step_growth", G.step_growth(f["depth"], f["shallow_max_same_units"]), None,
                      1, "tbl-regions-fixed-width", EXACT + "; the same for the one-layer maximum (Zaslavsky) with "
                      "the same total units: its growth per added layer's worth of units"),
            claim_row("R1", "fixed_width_over_shallow", float(deep["n_linear"] / deep["shallow_max_same_units"]), None,
                      1, "tbl-regions-fixed-width", EXACT + "; deepest construction over the one-layer maximum with "
                      "the same units")]


def _typical_growth_rows(budget: pd.DataFrame, grid: pd.DataFrame | None = None) -> list[dict]:
    """R1 everyday form: random nets at a fixed unit budget, growth per layer fitted across all depths; and,
    reported only, random nets at a fixed width per layer (the construction's setting)."""
    v, dropped = G.growth_per_group(budget, ("seed",))
    ci = stats.bootstrap_ci(v)
    rows = [claim_row("R1", "typical_growth_per_layer", ci[0], ci, None, "fig-regions-scaling",
                      "random He-normal nets (biased) at a fixed unit budget; per seed exp of the least-squares "
                      f"slope of ln(regions) on depth across all depths; {_over(len(v))}", n_dropped=dropped)]
    if grid is not None and len(grid):
        v, dropped = G.growth_per_group(grid, ("seed", "width"), col="n_linear" if "n_linear" in grid else "n_regions")
        ci = stats.bootstrap_ci(v)
        rows.append(claim_row("R1", "random_fixed_width_growth", ci[0], ci, None, "fig-regions-scaling tbl-regions-scaling",
                              "random He-normal nets (biased) at a fixed width per layer (every width of the grid); "
                              "per (seed, width) exp of the least-squares slope of ln(regions) on depth; "
                              f"{_over(len(v), '(seed, width) pairs')}", n_dropped=dropped))
    return rows


def _trained_relu(trained: pd.DataFrame) -> pd.DataFrame:
    return trained[(trained["activation"] == "relu") & (trained["stage"] == "trained")]


def _trained_growth_rows(trained: pd.DataFrame) -> list[dict]:
    """R1 and R5: growth per layer of the trained surfaces checkpoints (one statistic, reported for both)."""
    relu = _trained_relu(trained)
    v, dropped = G.growth_per_group(relu, ("task", "seed"))
    ci = stats.bootstrap_ci(v)
    note = ("surfaces checkpoints after training at a fixed unit budget; per (task, seed) exp of the least-squares "
            f"slope of ln(regions) on depth across all architectures; {_over(len(v), '(task, seed) pairs')}")
    return [claim_row(cid, "trained_growth_per_layer", ci[0], ci, None, "fig-regions-scaling tbl-regions-trained",
                      note, n_dropped=dropped) for cid in ("R1", "R5")]


def _trained_loss_rows(trained: pd.DataFrame) -> list[dict]:
    """R5 regime check: did the deepest surfaces nets train as well as the shallowest (train loss ratio)?"""
    relu = _trained_relu(trained)
    if "train_loss" not in relu:
        relu = relu.assign(train_loss=np.nan)
    v, dropped = G.paired_depth_ratio(relu, "train_loss")
    ci = stats.bootstrap_ci(v)
    return [claim_row("R5", "deep_over_shallow_train_loss", ci[0], ci, None, "tbl-regions-trained",
                      "final train loss of the deepest over the shallowest surfaces architecture, per (task, seed); "
                      f"{_over(len(v), '(task, seed) pairs')}", n_dropped=dropped)]


def _trained_scaling_rows(approx: pd.DataFrame) -> list[dict]:
    """R5 vs Hanin-Rolnick on trained nets: ln(regions) = a + b ln(neurons) + c depth over the approx sweep."""
    sw = approx.assign(neurons=approx["units"])
    n = _n_seeds(sw)
    rows = []
    for key, name, what in [("depth_factor", "trained_depth_factor", "exp(c), the factor per extra layer at a "
                             "fixed number of neurons"), ("neuron_exponent", "trained_neuron_exponent", "b")]:
        ci = depth_factor_ci(sw, key=key, col="n_linear")
        rows.append(claim_row("R5", name, ci[0], ci, None, "tbl-regions-approx",
                              f"trained approximation sweep (widths x depths, all targets), {what} in the "
                              "least-squares fit ln(linear regions) = a + b ln(neurons) + c depth; point estimate "
                              f"on all nets, 95% percentile bootstrap interval over {n} seeds (whole seeds resampled)"))
    return rows


def _equal_params_rows(approx: pd.DataFrame) -> list[dict]:
    """R5 second half: deepest vs one-layer nets at equal parameter count, test error and jaggedness."""
    rows = []
    for col, name, what in [("nmse", "deep_over_shallow_nmse", "normalised test MSE"),
                            ("slope_error", "deep_over_shallow_slope_error", "jaggedness as relative slope error "
                             "||grad f - grad target|| / ||grad target|| on a grid")]:
        v, dropped = G.equal_params_ratio(approx, col) if col in approx else (np.array([]), 0)
        ci = stats.bootstrap_ci(v)
        rows.append(claim_row("R5", name, ci[0], ci, None, "fig-regions-approx tbl-regions-approx",
                              f"{what} of the deepest over the one-layer nets of the sweep at equal parameter count "
                              "(log-log interpolation across widths, mean over the shared parameter range), per "
                              f"(task, seed); {_over(len(v), '(task, seed) pairs')}", n_dropped=dropped))
    deep = approx[approx["depth"] == approx["depth"].max()]
    big = deep[deep["width"] == deep["width"].max()]
    for col, name, what in [("slope_error", "deep_slope_error", "relative slope error"),
                            ("tv_ratio", "deep_tv_ratio", "TV of the learned gradient over the target's (1: slopes "
                             "vary as much as the target's; above 1: kinks beyond the target's curvature)")]:
        v = big[col].to_numpy(float) if col in big else np.array([])
        ci = stats.bootstrap_ci(v)
        rows.append(claim_row("R5", name, ci[0], ci, None, "tbl-regions-approx",
                              f"{what} of the largest deepest nets, all targets; {_over(ci.n, 'nets (task, seed)')}"))
    return rows


def _trained_over_init_rows(trained: pd.DataFrame, digits: pd.DataFrame) -> list[dict]:
    """R5: regions after training over regions at init (surfaces checkpoints, then the digits MLP)."""
    relu = _trained_relu(trained)
    deep = relu[relu["depth"] == relu["depth"].max()]
    init = trained[(trained["activation"] == "relu") & (trained["stage"] == "init") & (trained["depth"] == relu["depth"].max())]
    m = deep.merge(init, on=["task", "seed"], suffixes=("", "_init"))
    ci = stats.paired_bootstrap_ci(m["n_linear"], m["n_linear_init"], kind="ratio")
    rows = [claim_row("R5", "trained_over_init", ci[0], ci, None, "fig-regions-scaling tbl-regions-trained",
                      "exact counts, deepest arch, after training over at init per (task, seed); the skeleton's He "
                      f"init has zero biases, so its init regions are cones; {_over(len(m), '(task, seed) pairs')}")]
    dg = digits.pivot_table(index=["seed", "slice"], columns="stage", values="n_linear").reset_index()
    ci = stats.paired_bootstrap_ci(dg["trained"], dg["init"], kind="ratio")
    rows.append(claim_row("R5", "digits_trained_over_init", ci[0], ci, None,
                          "fig-regions-scaling tbl-regions-digits",
                          "exact counts in planes through three test images of different classes, MLP on 8x8 digits, "
                          f"after training over at init per (seed, plane); {_over(len(dg), '(seed, plane) pairs')} "
                          f"({_n_seeds(dg)} seeds)"))
    return rows


def _folding_rows(folding: pd.DataFrame) -> list[dict]:
    """R2: folding construction vs random nets, preimages of one intermediate hidden vector."""
    fold = folding.assign(rate=preimage_rate(folding))
    con = fold[fold["net"] == "folding"]
    rows = [claim_row("R2", "folding_preimages_per_layer", float(con["rate"].median()), None, 1,
                      "fig-regions-folding tbl-regions-folding", EXACT + "; median over probe points")]
    rnd = fold[fold["net"] == "random"].groupby("seed")["rate"].median()
    ci = stats.bootstrap_ci(rnd.to_numpy())
    rows.append(claim_row("R2", "random_preimages_per_layer", ci[0], ci, None, "fig-regions-folding tbl-regions-folding",
                          "random He-normal nets of the same widths; exact preimage counts, median over probe points "
                          f"per seed; {_over(len(rnd))}"))
    fr = fold.assign(rate=preimage_rate(fold.assign(preimages=fold["full_rank_preimages"])))
    rnd = fr[fr["net"] == "random"].groupby("seed")["rate"].median()
    ci = stats.bootstrap_ci(rnd.to_numpy())
    rows.append(claim_row("R2", "random_folds_per_layer", ci[0], ci, None, "tbl-regions-folding",
                          "as random_preimages_per_layer, counting only preimages where the layer map has rank 2 "
                          f"(true folds, not collapses by dead units); {_over(len(rnd))}"))
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
    ci = depth_factor_ci(grid)
    rows.append(claim_row("F10", "random_depth_factor", ci[0], ci, None, "fig-regions-scaling tbl-regions-scaling",
                          "exp(c) in log count = a + b log(neurons) + c depth, random nets; point estimate on all "
                          f"nets, 95% percentile bootstrap interval over {_n_seeds(grid)} seeds (whole seeds resampled)"))
    return rows


def _approx_rows(approx: pd.DataFrame, claim: str, depth: int, x: str, names: tuple[str, str],
                 notes: tuple[str, str]) -> list[dict]:
    """The slope of log error on log x across widths at one depth, and the error of the widest nets there."""
    nets = approx[approx["depth"] == depth]
    v = per_seed_slopes(nets, x)["slope"].to_numpy(float)
    ci = stats.bootstrap_ci(v)
    rows = [claim_row(claim, names[0], ci[0], ci, None, "fig-regions-approx tbl-regions-approx",
                      f"{notes[0]}; one slope per (task, seed), {_over(ci.n, '(task, seed) slopes')}")]
    w = nets[nets["width"] == nets["width"].max()]["nmse"].to_numpy(float)
    ci = stats.bootstrap_ci(w)
    rows.append(claim_row(claim, names[1], ci[0], ci, None, "fig-regions-approx",
                          f"{notes[1]}; {_over(ci.n, 'nets (task, seed)')}"))
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


def claim_rows(theory, cons, maxout, budget, grid, trained, folding, digits, approx, fixed) -> list[dict]:
    """Every claim statistic of the family; CIs over seeds (core.stats) where anything is random, a percentile
    bootstrap over whole seeds for fit coefficients, a slope t-interval for exact construction counts."""
    return (_fixed_width_rows(fixed) + _bound_rows(theory, cons) + _typical_growth_rows(budget, grid)
            + _trained_growth_rows(trained) + _trained_loss_rows(trained) + _trained_scaling_rows(approx)
            + _equal_params_rows(approx) + _trained_over_init_rows(trained, digits) + _folding_rows(folding) + _maxout_rows(maxout)
            + _tent_rows(cons, grid) + _shallow_approx_rows(approx) + _deep_approx_rows(approx))


def summary_tables(theory, cons, maxout, trained, digits, grid, approx, folding, fixed) -> dict[str, pd.DataFrame]:
    """The family's report tables, small and readable."""
    bt = theory[theory["budget"] == theory["budget"].max()].pivot_table(index=["depth", "width"], columns="bound",
                                                                         values="exact", aggfunc="first").reset_index()
    tr = stats.summarize(trained, ["activation", "arch", "stage"], "n_linear")
    dg = stats.summarize(digits, ["arch", "stage"], "n_linear")
    fit = pd.DataFrame([fit_scaling(grid)])
    med = [c for c in ("n_params", "lr", "n_linear", "train_nmse", "slope_error", "tv_ratio") if c in approx]
    ap = stats.summarize(approx, ["task", "depth", "width"], "nmse").merge(
        approx.groupby(["task", "depth", "width"], as_index=False)[med].median())
    if "train_loss" in trained:
        tr = tr.merge(trained.groupby(["activation", "arch", "stage"], as_index=False)["train_loss"].median(),
                      how="left")
    fo = folding.groupby(["net", "layer"], as_index=False)[["preimages", "full_rank_preimages"]].agg(
        ["median", "min", "max"])
    fo.columns = ["_".join(c).strip("_") for c in fo.columns.to_flat_index()]
    return {"bounds": bt, "constructions": cons, "fixed_width": fixed, "maxout": maxout, "trained": tr, "digits": dg, "scaling": fit, "approx": ap,
            "folding": fo}


def _fmt(x: float) -> float | str:
    """Three significant digits for prose ('n/a' where there is no finite value, so the chapter still renders)."""
    return float(f"{x:.3g}") if np.isfinite(x) else "n/a"


def values(theory, cons, grid, rows, fixed=None) -> dict:
    """Numbers the report prose may quote: setup numbers and every claim statistic (`<claim>_<statistic>`)."""
    fit = fit_scaling(grid)
    big = theory[theory["budget"] == theory["budget"].max()]
    out = {"budget": int(big["budget"].iloc[0]), "neuron_exponent": _fmt(fit["neuron_exponent"]),
           "depth_factor": _fmt(fit["depth_factor"]), "max_construction_regions": int(cons["n_linear"].max())}
    if fixed is not None and len(fixed):
        out |= {"fixed_width": int(fixed["width"].iloc[0]), "fixed_width_max_depth": int(fixed["depth"].max()),
                "fixed_width_max_regions": int(fixed["n_linear"].max())}
    depths = np.sort(grid["depth"].unique()).astype(float)
    power_law = math.exp(fit["neuron_exponent"] * np.polyfit(depths, np.log(depths), 1)[0]) if len(depths) > 1 else np.nan
    out |= prose.sentences(rows, cons, fixed, fit | {"power_law_fixed_width_factor": power_law})
    for r in rows:
        out[f"{r['claim_id']}_{r['statistic']}"] = _fmt(r["value"])
        out[f"{r['claim_id']}_{r['statistic']}_ci"] = prose.ci(r)
        out[f"{r['claim_id']}_{r['statistic']}_n"] = int(r["n_seeds"])
    return out
