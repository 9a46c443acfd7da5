"""Claim statistics of the gradients family (A3 A4 A5 F2 F4 F5 F6 F7 F8 R6), its summary tables and values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from relulab.core.evidence import claim_row
from relulab.core.stats import bootstrap_ci, paired_bootstrap_ci, ratio_of_medians_ci, summarize
from relulab.studies.gradients.convergence import best_steps, input_drift
from relulab.studies.gradients.dying import final_dead
from relulab.studies.gradients.flow import RELU_FAMILY, SIGMOIDAL, decay_table, recommended_init

# Evidence ids (figures and tables of the manifest) each claim's statistics point to.
EVIDENCE = {"A3": "fig-gradients-heatmap tbl-gradients-decay fig-gradients-training",
            "F6": "fig-gradients-training tbl-gradients-decay", "R6": "fig-gradients-heatmap tbl-gradients-decay",
            "A4": "fig-gradients-dead-units tbl-gradients-dead",
            "A4_born": "fig-gradients-born-dead tbl-gradients-born-dead",
            "F8": "fig-gradients-dead-units tbl-gradients-spike", "F7": "fig-gradients-speed tbl-gradients-speed",
            "F5": "fig-gradients-speed tbl-gradients-speed", "A5": "fig-gradients-speed tbl-gradients-centering",
            "A5_drift": "fig-gradients-drift", "F4": "tbl-gradients-small-nets", "F2": "tbl-gradients-small-nets"}
SATURATION_EVIDENCE = "fig-gradients-saturation-long"
BOUNDED = ("sigmoid", "tanh", "softsign")


# ---- per-layer statistics: A3, F6, R6 (and A5's ReLU output mean) ----

def preservation_table(decay: pd.DataFrame) -> pd.DataFrame:
    """Per (activation, seed) at the deepest depth and recommended init: |log10 first/last gradient ratio|."""
    inits = decay.init.unique()
    deep = decay[decay.depth == decay.depth.max()]
    keep = deep[[init == recommended_init(a, inits) for a, init in zip(deep.activation, deep.init)]]
    return keep.assign(abs_log10_ratio=np.abs(np.log10(keep.first_last_ratio)))[
        ["activation", "init", "depth", "seed", "first_last_ratio", "abs_log10_ratio"]]


def _a3_decay_rows(decay: pd.DataFrame, ev: dict) -> list[dict]:
    rows = []
    deepest = decay[decay.depth == decay.depth.max()]
    inits = decay.init.unique()

    def factor(act, init):
        v = deepest[(deepest.activation == act) & (deepest.init == init)].sort_values("seed").decay_factor
        return bootstrap_ci(v), len(v)

    for act, name in (("sigmoid", "sigmoid_grad_decay_factor"), ("relu", "relu_he_grad_decay_factor")):
        if act in set(deepest.activation):
            init = recommended_init(act, inits)
            ci, n = factor(act, init)
            rows.append(claim_row("A3", name, ci[0], ci[1:], n, ev["A3"],
                                  f"{act}, {init} init, {int(deepest.depth.max())} hidden layers; per-layer factor of "
                                  "||dL/dz|| towards the input, median over seeds"))
    return rows


def _a3_derivative_row(deriv: pd.DataFrame, ev: dict) -> dict:
    d = float(deriv.set_index("activation").loc["sigmoid", "max_derivative"])
    return claim_row("A3", "max_sigmoid_derivative", d, None, 1, ev["A3"],
                     "largest sigmoid derivative on a float64 grid of [-10, 10] (deterministic)")


def _a3_deep_rows(deep: pd.DataFrame, ev: dict) -> list[dict]:
    rows = []
    final = deep[deep.step == deep.step.max()]
    for cell, name in (("sigmoid_xavier", "deep_sigmoid_train_acc"), ("relu_he", "deep_relu_he_train_acc"),
                       ("relu_xavier", "deep_relu_xavier_train_acc")):
        v = final[final.cell == cell].train_acc
        est, lo, hi = bootstrap_ci(v)
        rows.append(claim_row("A3", name, est, (lo, hi), len(v), ev["A3"],
                              f"{cell}: training accuracy after {int(deep.step.max())} SGD+momentum steps, "
                              f"{int(deep.depth.iloc[0])} hidden layers (chance 0.1)"))
    return rows


def _f6_rows(track: pd.DataFrame, ev: dict) -> list[dict]:
    rows = []
    top = track[track.layer == track.layer.max()]
    peak = top[top.activation == "sigmoid"].groupby("seed").saturated.max()
    est, lo, hi = bootstrap_ci(peak)
    rows.append(claim_row("F6", "sigmoid_top_layer_peak_saturation", est, (lo, hi), len(peak), ev["F6"],
                          "largest fraction of saturated top-hidden-layer sigmoid units along training"))
    last = track[(track.step == track.step.max()) & (track.layer == 1)]
    if {"sigmoid", "relu"} <= set(last.activation):
        s = last[last.activation == "sigmoid"].sort_values("seed").train_loss.to_numpy()
        r = last[last.activation == "relu"].sort_values("seed").train_loss.to_numpy()
        est, lo, hi = paired_bootstrap_ci(s, r, kind="ratio")
        rows.append(claim_row("F6", "sigmoid_relu_final_loss_ratio", est, (lo, hi), len(s), ev["F6"],
                              "final training loss sigmoid / ReLU, same depth, init and learning rate, paired by seed"))
    return rows


def _r6_rows(decay: pd.DataFrame, ev: dict) -> list[dict]:
    rows = []
    pres = preservation_table(decay)
    wide = pres.pivot(index="seed", columns="activation", values="abs_log10_ratio")
    fam, sig = [a for a in RELU_FAMILY if a in wide], [a for a in SIGMOIDAL if a in wide]
    if fam and sig:
        gap = wide[sig].min(axis=1) - wide[fam].max(axis=1)
        est, lo, hi = bootstrap_ci(gap)
        rows.append(claim_row("R6", "gradient_preservation_gap", est, (lo, hi), len(gap), ev["R6"],
                              f"min over {'/'.join(sig)} minus max over {'/'.join(fam)} of |log10 first/last "
                              "gradient-norm ratio| (decades), deepest depth"))
    if {"sigmoid", "relu"} <= set(wide.columns):
        est, lo, hi = bootstrap_ci(wide["sigmoid"] - wide["relu"])
        rows.append(claim_row("R6", "relu_vs_sigmoid_gap", est, (lo, hi), len(wide), ev["R6"],
                              "|log10 ratio| of sigmoid (Xavier) minus ReLU (He), decades"))
    return rows


def _a5_relu_mean_rows(layers: pd.DataFrame, inits, ev: dict) -> list[dict]:
    relu = layers[(layers.activation == "relu") & (layers.depth == layers.depth.max())]
    if not len(relu):
        return []
    relu = relu[relu.init == recommended_init("relu", inits)]
    m = relu.groupby("seed").act_mean.mean()
    est, lo, hi = bootstrap_ci(m)
    return [claim_row("A5", "relu_act_mean", est, (lo, hi), len(m), ev["R6"],
                      "mean ReLU output over units, examples and layers at initialization (not zero-centred)")]


def layer_claim_rows(layers: pd.DataFrame, deriv: pd.DataFrame, track: pd.DataFrame, deep: pd.DataFrame,
                     ev: dict) -> list[dict]:
    """Claim statistics of A3, F6, R6 (and A5's ReLU output mean) from the per-layer tables; ev: evidence ids."""
    decay = decay_table(layers)
    rows = _a3_decay_rows(decay, ev)
    rows.append(_a3_derivative_row(deriv, ev))
    rows += _a3_deep_rows(deep, ev)
    rows += _f6_rows(track, ev)
    rows += _r6_rows(decay, ev)
    rows += _a5_relu_mean_rows(layers, decay.init.unique(), ev)
    return rows


def saturation_rows(long: pd.DataFrame, ev: str) -> list[dict]:
    """F6's exploratory long-run statistics per learning rate (not in the decision rule): peak top-layer
    saturation, final training accuracy, and the training accuracy at the first check where at least half of the
    top layer is saturated (seeds where that happens); medians over seeds with bootstrap CIs."""

    def row(name, values, note):
        est, lo, hi = bootstrap_ci(values)
        return claim_row("F6", name, est, (lo, hi), len(values), ev, note)

    rows, depth = [], int(long.layer.max())
    top = long[long.layer == depth]
    for lr, g in top.groupby("lr"):
        tag, steps = f"lr{lr:g}".replace(".", "p"), int(g.step.max())
        per_seed = [s for _, s in g.sort_values("step").groupby("seed")]
        where = f"{steps} SGD steps at lr {lr:g}, sigmoid, {depth} hidden layers"
        rows.append(row(f"long_peak_saturation_{tag}", [s.saturated.max() for s in per_seed],
                        f"exploratory, not in the decision rule: largest saturated fraction of the top layer, {where}"))
        rows.append(row(f"long_final_train_acc_{tag}", [s.train_acc.iloc[-1] for s in per_seed],
                        f"exploratory: training accuracy at the end, {where} (chance 0.1)"))
        halves = [s[s.saturated >= 0.5] for s in per_seed]
        first = [h.train_acc.iloc[0] for h in halves if len(h)]
        if first:
            rows.append(row(f"long_acc_when_saturated_{tag}", first,
                            f"exploratory: training accuracy when half the top layer first is saturated, {where}; "
                            f"{len(first)} of {len(per_seed)} seeds got there"))
    return rows


# ---- dead units: A4, F8 ----

def spike_per_seed(fate: pd.DataFrame) -> pd.DataFrame:
    """Per seed: fraction of live units the spike killed, and fraction of those still dead at the end."""
    g = fate.assign(alive_before=fate.width - fate.dead_before).groupby("seed")[
        ["killed", "revived", "alive_before"]].sum()
    return pd.DataFrame({"seed": g.index, "killed_fraction": g.killed / g.alive_before,
                         "never_revived": (g.killed - g.revived) / g.killed.where(g.killed > 0)}).reset_index(drop=True)


def dying_claim_rows(sweep: pd.DataFrame, fate: pd.DataFrame, born: pd.DataFrame, ev: dict) -> list[dict]:
    """Claim statistics of A4 and F8 from the dying sweep, the large-update experiment and the Monte Carlo."""
    rows = []
    fd = final_dead(sweep)
    med = fd.groupby(["depth", "lr"]).dead_fraction.median()
    depth, lr = med.idxmax()
    v = fd[(fd.depth == depth) & (fd.lr == lr)].dead_fraction
    est, lo, hi = bootstrap_ci(v)
    rows.append(claim_row("A4", "max_dead_fraction", est, (lo, hi), len(v), ev["A4"],
                          f"cell with the most dead units: {depth} hidden layers, SGD learning rate {lr:g}"))
    zero = born[born.bias_std == 0]
    inside = ((zero.theory >= zero.ci_low) & (zero.theory <= zero.ci_high)).mean()
    rows.append(claim_row("A4", "born_dead_theory_coverage", float(inside), None, int(zero.n_nets.iloc[0]),
                          ev["A4_born"], "share of (width, depth) cells whose closed form 1-(1-2^-N)^L lies in the "
                          "Monte Carlo 95% Wilson interval (zero biases); n_seeds = networks per cell"))
    rows.append(claim_row("A4", "born_dead_max_abs_error", float((born.p_one_input - born.theory).abs().max()), None,
                          int(born.n_nets.iloc[0]), ev["A4_born"],
                          "largest |Monte Carlo - closed form| over all cells, zero and symmetric biases"))
    sp = spike_per_seed(fate)
    est, lo, hi = bootstrap_ci(sp.killed_fraction)
    rows.append(claim_row("F8", "spike_killed_fraction", est, (lo, hi), len(sp), ev["F8"],
                          "fraction of live hidden units dead right after the single large update"))
    est, lo, hi = bootstrap_ci(sp.never_revived)
    rows.append(claim_row("F8", "killed_never_revived", est, (lo, hi), int(sp.never_revived.notna().sum()), ev["F8"],
                          "fraction of the killed units still dead at the end of training"))
    first = fate[fate.layer == 1]
    rows.append(claim_row("F8", "first_layer_revived", float(first.revived.max()), None, len(first), ev["F8"],
                          "largest number of revived first-layer units over seeds (theory: 0)"))
    return rows


# ---- training speed and stability: F7, F5, A5, F4, F2 ----

def stability_table(hist: pd.DataFrame) -> pd.DataFrame:
    """Per (activation, lr, seed): diverged, initial and final training loss, loss spread over the last
    quarter of training, and stable = not diverged and final loss below the initial loss."""
    rows = []
    for (act, lr, seed), g in hist.sort_values("step").groupby(["activation", "lr", "seed"]):
        tail = g[g.step >= 0.75 * g.step.max()].train_loss
        final = float(g.train_loss.iloc[-1])
        diverged = bool(g.diverged.iloc[-1]) or not np.isfinite(final)
        rows.append({"activation": act, "lr": lr, "seed": int(seed), "diverged": diverged,
                     "initial_loss": float(g.train_loss.iloc[0]), "final_loss": final,
                     "tail_std": float(tail.std()) if not diverged else float("nan")})
    t = pd.DataFrame(rows)
    t["stable"] = ~t.diverged & (t.final_loss < t.initial_loss)
    return t


def max_stable_lr(stab: pd.DataFrame) -> pd.DataFrame:
    """Per (activation, seed): the largest learning rate of the grid at which training was stable."""
    ok = stab[stab.stable]
    out = ok.groupby(["activation", "seed"]).lr.max().rename("max_stable_lr").reset_index()
    full = stab[["activation", "seed"]].drop_duplicates()
    return full.merge(out, how="left", on=["activation", "seed"])


def drift_per_seed(table: pd.DataFrame) -> pd.DataFrame:
    """Per (batch_norm, seed): input_drift of the tracked units."""
    rows = []
    for (bn, seed), g in table.groupby(["batch_norm", "seed"]):
        traj = g.sort_values(["step", "unit"])[["p15", "p50", "p85"]].to_numpy()
        traj = traj.reshape(g.step.nunique(), 1, g.unit.nunique(), 3)
        rows.append({"batch_norm": bn, "seed": int(seed), "drift": float(input_drift(traj)[0])})
    return pd.DataFrame(rows)


def final_rows(hist: pd.DataFrame) -> pd.DataFrame:
    """The last logged row of every run (per cell's largest step)."""
    return hist[hist.step == hist.groupby("cell").step.transform("max")]


def _paired(final: pd.DataFrame, cell: str, col: str) -> np.ndarray:
    return final[final.cell == cell].sort_values("seed")[col].to_numpy(float)


def _f7_rows(steps: pd.DataFrame, cfg: dict, ev: dict) -> list[dict]:
    rows = []
    by = {a: g.sort_values("seed") for a, g in steps.groupby("cell")}
    for other in ("tanh", "sigmoid"):
        if other in by and "relu" in by:
            est, lo, hi = ratio_of_medians_ci(by[other].censored_steps, by["relu"].censored_steps)
            lr_o, lr_r = by[other].lr.iloc[0], by["relu"].lr.iloc[0]
            rows.append(claim_row("F7", f"{other}_relu_steps_ratio", est, (lo, hi), len(by["relu"]), ev["F7"],
                                  f"median steps to {cfg['speed_target_error']:.0%} training error, {other} "
                                  f"(lr {lr_o:g}) / ReLU (lr {lr_r:g}); {int((~by[other].reached).sum())} {other} and "
                                  f"{int((~by['relu'].reached).sum())} ReLU runs never reached it (counted as the budget)"))
            est, lo, hi = ratio_of_medians_ci(by[other].time_s, by["relu"].time_s)
            note = "same ratio in wall-clock training time (runs that reached the target)"
            if not by[other].reached.any() or not by["relu"].reached.any():
                note += "; not measured: no run of one side reached the target"
            rows.append(claim_row("F7", f"{other}_relu_time_ratio", est, (lo, hi), len(by["relu"]), ev["F7"], note))
    return rows


def _f5_rows(steps: pd.DataFrame, stab: pd.DataFrame, msl: pd.DataFrame, ev: dict) -> list[dict]:
    bounded = msl.activation.isin(BOUNDED)
    if not (bounded.any() and (~bounded).any()):
        return []
    rows = []
    b = msl[bounded].groupby("seed").log2_lr.median()
    u = msl[~bounded].groupby("seed").log2_lr.median()
    est, lo, hi = bootstrap_ci(b - u)
    rows.append(claim_row("F5", "bounded_lr_headroom", est, (lo, hi), len(b), ev["F5"],
                          "median log2(largest stable SGD learning rate): bounded minus unbounded activations"))
    est, lo, hi, n = _bounded_over_unbounded(steps, "cell", "censored_steps")
    rows.append(claim_row("F5", "unbounded_efficiency_ratio", est, (lo, hi), n, ev["F5"],
                          "steps to the target error at the best learning rate, bounded / unbounded (median "
                          "over activations per seed)"))
    spread = stab.assign(loss=np.where(stab.diverged, stab.initial_loss, stab.final_loss)).groupby(
        ["activation", "seed"]).loss.std().reset_index()
    est, lo, hi, n = _bounded_over_unbounded(spread, "activation", "loss")
    rows.append(claim_row("F5", "loss_spread_ratio", est, (lo, hi), n, ev["F5"],
                          "std of the final training loss across the learning-rate sweep (diverged = initial "
                          "loss), bounded / unbounded"))
    return rows


def _bounded_over_unbounded(df: pd.DataFrame, by: str, col: str) -> tuple[float, float, float, int]:
    """Per seed, the median of col over bounded activations / the median over unbounded ones (paired ratio CI)."""
    bounded = df[by].isin(BOUNDED)
    b = df[bounded].groupby("seed")[col].median()
    u = df[~bounded].groupby("seed")[col].median()
    est, lo, hi = paired_bootstrap_ci(b.to_numpy(), u.to_numpy(), kind="ratio")
    return est, lo, hi, len(b)


def _a5_centering_rows(csteps: pd.DataFrame, cfg: dict, ev: dict) -> list[dict]:
    rows = []
    cb = {c: g.sort_values("seed").censored_steps for c, g in csteps.groupby("cell")}
    for cell, name in (("sigmoid_centered", "centered_speedup"), ("tanh", "tanh_speedup"),
                       ("scaled_tanh", "scaled_tanh_speedup"), ("sigmoid_bn", "bn_speedup")):
        if cell in cb and "sigmoid" in cb:
            est, lo, hi = ratio_of_medians_ci(cb["sigmoid"], cb[cell])
            rows.append(claim_row("A5", name, est, (lo, hi), len(cb[cell]), ev["A5"],
                                  f"median steps to {cfg['centering_target_acc']:.0%} test accuracy, sigmoid / {cell}, "
                                  "each at its best learning rate"))
    return rows


def _a5_drift_row(dps: pd.DataFrame, ev: dict) -> dict:
    est, lo, hi = ratio_of_medians_ci(dps[~dps.batch_norm].drift, dps[dps.batch_norm].drift)
    return claim_row("A5", "bn_drift_reduction", est, (lo, hi), int(dps.seed.nunique()), ev["A5_drift"],
                     "movement of last-layer units' median input over training, without / with batch norm")


def _f4_rows(fin: pd.DataFrame, ev: dict) -> list[dict]:
    rows = []
    pen = {a: _paired(fin, f"{a}_xavier", "test_acc") - _paired(fin, f"{a}_small", "test_acc")
           for a in ("tanh", "sigmoid")}
    est, lo, hi = bootstrap_ci(pen["sigmoid"] - pen["tanh"])
    rows.append(claim_row("F4", "small_init_penalty_gap", est, (lo, hi), len(pen["tanh"]), ev["F4"],
                          "test-accuracy loss from small (std 0.01) instead of Xavier init: sigmoid minus tanh"))
    for a in ("tanh", "sigmoid"):
        est, lo, hi = bootstrap_ci(pen[a])
        rows.append(claim_row("F4", f"{a}_small_init_penalty", est, (lo, hi), len(pen[a]), ev["F4"],
                              f"{a}: test accuracy with Xavier minus with small init"))
    return rows


def _f2_rows(fin: pd.DataFrame, ev: dict) -> list[dict]:
    d = _paired(fin, "relu", "test_acc") - _paired(fin, "staircase", "test_acc")
    est, lo, hi = bootstrap_ci(d)
    change = float(_paired(fin, "staircase", "w0_change").max())
    return [claim_row("F2", "relu_minus_staircase_acc", est, (lo, hi), len(d), ev["F2"],
                      "final test accuracy, ReLU minus staircase floor(4z)/4, paired by seed"),
            claim_row("F2", "staircase_first_layer_change", change, None, len(d), ev["F2"],
                      "largest absolute change of a first-layer staircase weight during training (deterministic)")]


def training_claim_rows(speed: pd.DataFrame, centering: pd.DataFrame, drift: pd.DataFrame, small: pd.DataFrame,
                        cfg: dict, ev: dict) -> tuple[list[dict], dict]:
    """Claim statistics of F7, F5, A5, F4, F2 and the summary tables they come from."""
    tables = {}
    steps = best_steps(speed, "train_acc", 1 - cfg["speed_target_error"])
    tables["speed"] = steps
    rows = _f7_rows(steps, cfg, ev)
    stab = stability_table(speed)
    msl = max_stable_lr(stab)
    floor = np.log2(min(cfg["speed_lrs"])) - 1
    msl["log2_lr"] = np.log2(msl.max_stable_lr).fillna(floor)
    tables["stability"] = msl
    rows += _f5_rows(steps, stab, msl, ev)
    csteps = best_steps(centering, "test_acc", cfg["centering_target_acc"])
    tables["centering"] = csteps
    rows += _a5_centering_rows(csteps, cfg, ev)
    dps = drift_per_seed(drift)
    tables["drift"] = dps
    rows.append(_a5_drift_row(dps, ev))
    fin = final_rows(small)
    tables["small"] = fin.groupby("cell").test_acc.median().reset_index()
    rows += _f4_rows(fin, ev)
    rows += _f2_rows(fin, ev)
    return rows, tables


# ---- everything the evidence rule writes ----

def claim_rows(read: dict, cfg: dict) -> tuple[list[dict], dict]:
    """All claim rows of the family, in report order, and the summary tables of the training claims;
    read: the input tables by name."""
    rows = layer_claim_rows(read["layers"], read["derivatives"], read["track"], read["deep"], EVIDENCE)
    rows += saturation_rows(read["saturation"], SATURATION_EVIDENCE)
    rows += dying_claim_rows(read["sweep"], read["spike_fate"], read["born"], EVIDENCE)
    more, tables = training_claim_rows(read["speed"], read["centering"], read["drift"], read["small"], cfg, EVIDENCE)
    return rows + more, tables


def summary_tables(read: dict, tables: dict) -> dict[str, pd.DataFrame]:
    """The summary tables of the evidence rule, by output name (decay, dead, spike, born, speed, centering, small)."""
    decay = decay_table(read["layers"])
    return {
        "decay": pd.concat([summarize(decay, ["activation", "init", "depth"], c).assign(statistic=c)
                            for c in ("decay_factor", "first_last_ratio")]),
        "dead": summarize(final_dead(read["sweep"]), ["depth", "lr"], "dead_fraction"),
        "spike": spike_per_seed(read["spike_fate"]),
        "born": read["born"],
        "speed": summarize(tables["speed"], ["cell", "lr"], "censored_steps").merge(
            tables["stability"].groupby("activation", as_index=False).max_stable_lr.median(), left_on="cell",
            right_on="activation").drop(columns="activation"),
        "centering": summarize(tables["centering"], ["cell", "lr"], "censored_steps"),
        "small": summarize(final_rows(read["small"]), ["cell"], "test_acc"),
    }


def values(rows: list[dict]) -> dict:
    """Quotable values: every claim statistic rounded to 4 decimals."""
    return {f"{r['claim_id']}_{r['statistic']}": round(r["value"], 4) for r in rows}
