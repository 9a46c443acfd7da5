"""Claim statistics of the gradients family (A3 A4 A5 F2 F4 F5 F6 F7 F8 R6), its summary tables and values."""

from __future__ import annotations

import numpy as np
import pandas as pd

from relulab.core.evidence import claim_row
from relulab.core.stats import bootstrap_ci, paired_bootstrap_ci, summarize
from relulab.studies.gradients import flow_training, prose
from relulab.studies.gradients.convergence import best_steps
from relulab.studies.gradients.dying import final_dead
from relulab.studies.gradients.flow import RELU_FAMILY, SIGMOIDAL, decay_table, recommended_init
from relulab.studies.gradients.training_claims import MEDIAN_CI, f6_rows, final_rows, training_claim_rows

# Evidence ids (figures and tables of the manifest) each claim's statistics point to.
EVIDENCE = {"A3": "fig-gradients-heatmap tbl-gradients-decay fig-gradients-training",
            "F6": "fig-gradients-training tbl-gradients-decay", "R6": "fig-gradients-heatmap tbl-gradients-decay",
            "A4": "fig-gradients-dead-units tbl-gradients-dead",
            "A4_born": "fig-gradients-born-dead tbl-gradients-born-dead",
            "F8": "fig-gradients-dead-units tbl-gradients-spike", "F7": "fig-gradients-speed tbl-gradients-speed",
            "F5": "fig-gradients-speed tbl-gradients-speed", "A5": "fig-gradients-speed tbl-gradients-centering",
            "R6_training": "tbl-gradients-flow-training", "F6_replication": "fig-gradients-f6 tbl-gradients-f6",
            "A5_drift": "fig-gradients-drift", "F4": "tbl-gradients-small-nets", "F2": "tbl-gradients-small-nets"}
SATURATION_EVIDENCE = "fig-gradients-saturation-long"


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
        return bootstrap_ci(v)

    for act, name in (("sigmoid", "sigmoid_grad_decay_factor"), ("relu", "relu_he_grad_decay_factor")):
        if act in set(deepest.activation):
            init = recommended_init(act, inits)
            ci = factor(act, init)
            rows.append(claim_row("A3", name, ci[0], ci, None, ev["A3"],
                                  f"{act}, {init} init, {int(deepest.depth.max())} hidden layers; per-layer factor of "
                                  f"||dL/dz|| towards the input, fitted per seed at initialization; {MEDIAN_CI}"))
    return rows


def _a3_derivative_row(deriv: pd.DataFrame, ev: dict) -> dict:
    d = float(deriv.set_index("activation").loc["sigmoid", "max_derivative"])
    return claim_row("A3", "max_sigmoid_derivative", d, None, 1, ev["A3"],
                     "deterministic: largest sigmoid derivative on a float64 grid of [-10, 10] (exact value 1/4)")


def _a3_deep_rows(deep: pd.DataFrame, ev: dict) -> list[dict]:
    rows = []
    final = deep[deep.step == deep.step.max()]
    for cell, name in (("sigmoid_xavier", "deep_sigmoid_train_acc"), ("relu_he", "deep_relu_he_train_acc"),
                       ("relu_xavier", "deep_relu_xavier_train_acc")):
        v = final[final.cell == cell].train_acc
        est, lo, hi = ci = bootstrap_ci(v)
        rows.append(claim_row("A3", name, est, ci, None, ev["A3"],
                              f"{MEDIAN_CI}; {cell}: training accuracy after {int(deep.step.max())} SGD+momentum steps, "
                              f"{int(deep.depth.iloc[0])} hidden layers (chance 0.1)"))
    return rows


def _f6_rows(track: pd.DataFrame, ev: dict) -> list[dict]:
    rows = []
    top = track[track.layer == track.layer.max()]
    peak = top[top.activation == "sigmoid"].groupby("seed").saturated.max()
    est, lo, hi = ci = bootstrap_ci(peak)
    rows.append(claim_row("F6", "sigmoid_top_layer_peak_saturation", est, ci, None, ev["F6"],
                          f"{MEDIAN_CI}: largest fraction of saturated top-hidden-layer sigmoid units along training"))
    last = track[(track.step == track.step.max()) & (track.layer == 1)]
    if {"sigmoid", "relu"} <= set(last.activation):
        s = last[last.activation == "sigmoid"].sort_values("seed").train_loss.to_numpy()
        r = last[last.activation == "relu"].sort_values("seed").train_loss.to_numpy()
        est, lo, hi = ci = paired_bootstrap_ci(s, r, kind="ratio")
        rows.append(claim_row("F6", "sigmoid_relu_final_loss_ratio", est, ci, None, ev["F6"],
                              f"{MEDIAN_CI} of a per-seed ratio: final training loss sigmoid / ReLU, same depth, init and learning rate, paired by seed"))
    return rows


def _r6_rows(decay: pd.DataFrame, ev: dict) -> list[dict]:
    rows = []
    pres = preservation_table(decay)
    wide = pres.pivot(index="seed", columns="activation", values="abs_log10_ratio")
    fam, sig = [a for a in RELU_FAMILY if a in wide], [a for a in SIGMOIDAL if a in wide]
    if fam and sig:
        gap = wide[sig].min(axis=1) - wide[fam].max(axis=1)
        est, lo, hi = ci = bootstrap_ci(gap)
        rows.append(claim_row("R6", "gradient_preservation_gap", est, ci, None, ev["R6"],
                              f"{MEDIAN_CI} at initialization: min over {'/'.join(sig)} minus max over {'/'.join(fam)} of |log10 first/last "
                              "gradient-norm ratio| (decades), deepest depth"))
    if {"sigmoid", "relu"} <= set(wide.columns):
        gap = wide["sigmoid"] - wide["relu"]
        est, lo, hi = ci = bootstrap_ci(gap)
        rows.append(claim_row("R6", "relu_vs_sigmoid_gap", est, ci, None, ev["R6"],
                              f"{MEDIAN_CI} at initialization: |log10 ratio| of sigmoid (Xavier) minus ReLU (He), decades"))
    return rows


def _r6_training_rows(fps: pd.DataFrame, ev: dict) -> list[dict]:
    """R6 during training: per evaluation seed, |log10 first/last gradient-norm ratio| (median over checkpoints)
    of each activation at its own tuned rate; gaps sigmoidal minus ReLU family; saturation; untrained arms."""
    rows, ev = [], ev["R6_training"]
    wide = fps.pivot(index="seed", columns="activation", values="abs_log10_ratio")
    fam = [a for a in flow_training.RELU_FAMILY if a in wide]
    sig = [a for a in flow_training.SIGMOIDAL if a in wide]
    if fam and sig:
        gap = wide[sig].min(axis=1) - wide[fam].max(axis=1)
        est, lo, hi = ci = bootstrap_ci(gap)
        rows.append(claim_row("R6", "training_preservation_gap", est, ci, None, ev,
                              f"{MEDIAN_CI} of a per-seed difference, during training (median over checkpoints), each "
                              f"activation with its own variance-preserving init and tuned rate: min over "
                              f"{'/'.join(sig)} minus max over {'/'.join(fam)} of |log10 first/last-layer gradient-norm "
                              "ratio| (decades)"))
    if {"sigmoid", "relu"} <= set(wide.columns):
        gap = wide["sigmoid"] - wide["relu"]
        est, lo, hi = ci = bootstrap_ci(gap)
        rows.append(claim_row("R6", "relu_vs_sigmoid_training_gap", est, ci, None, ev,
                              f"{MEDIAN_CI} of a per-seed difference, during training: |log10 ratio| of the sigmoid "
                              "minus that of ReLU (decades)"))
    for act in sig:
        v = fps[fps.activation == act].saturated
        est, lo, hi = ci = bootstrap_ci(v)
        rows.append(claim_row("R6", f"{act}_training_saturation", est, ci, None, ev,
                              f"{MEDIAN_CI}: fraction of saturated {act} units, mean over layers and checkpoints "
                              "during training"))
    arms = fps.groupby("activation").agg(acc=("final_train_acc", "median"), edge=("lr_edge", "first"))
    bad = sorted(arms.index[arms.acc < 0.2])
    rows.append(claim_row("R6", "untrained_arms", float(len(bad)), None, len(arms), ev,
                          f"exact count of the {len(arms)} activations whose median final training accuracy "
                          f"(evaluation seeds, tuned rate) is below 0.2, i.e. did not train"
                          f"{': ' + ', '.join(bad) if bad else ''}; n_seeds = activations"))
    at = sorted(arms.index[arms.edge.isin(["low", "high", "single"])])
    rows.append(claim_row("R6", "arms_lr_at_grid_edge", float(len(at)), None, int(fps.n_tuning.max()), ev,
                          f"exact count of the {len(arms)} activations whose rate, chosen on the tuning seeds, is the "
                          f"smallest or largest of its grid{': ' + ', '.join(at) if at else ''}"))
    return rows


def _a5_relu_mean_rows(layers: pd.DataFrame, inits, ev: dict) -> list[dict]:
    relu = layers[(layers.activation == "relu") & (layers.depth == layers.depth.max())]
    if not len(relu):
        return []
    relu = relu[relu.init == recommended_init("relu", inits)]
    m = relu.groupby("seed").act_mean.mean()
    est, lo, hi = ci = bootstrap_ci(m)
    return [claim_row("A5", "relu_act_mean", est, ci, None, ev["R6"],
                      f"{MEDIAN_CI}: mean ReLU output over units, examples and layers at initialization (not zero-centred)")]


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
    top layer is saturated (seeds where that happens); medians over seeds with order-statistic CIs."""

    def row(name, values, note):
        est, lo, hi = ci = bootstrap_ci(values)
        return claim_row("F6", name, est, ci, None, ev, f"{MEDIAN_CI}; {note}")

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
    """Per seed: fraction of live units the spike killed, fraction of those still dead at the end, and the number
    of units dead for good (killed, zero incoming gradient at every later step, dead at the end)."""
    fate = fate if "dead_for_good" in fate else fate.assign(dead_for_good=float("nan"))
    g = fate.assign(alive_before=fate.width - fate.dead_before).groupby("seed")[
        ["killed", "revived", "alive_before", "dead_for_good"]].sum(min_count=1)
    return pd.DataFrame({"seed": g.index, "killed_fraction": g.killed / g.alive_before,
                         "never_revived": (g.killed - g.revived) / g.killed.where(g.killed > 0),
                         "dead_for_good": g.dead_for_good}).reset_index(drop=True)


def a4_cell(fd: pd.DataFrame) -> tuple[int, float]:
    """The (depth, lr) cell with the largest median dead fraction over the TUNING seeds (ties: the first)."""
    tune = fd[fd.role == "tuning"]
    if not len(tune):
        raise ValueError("A4's cell is chosen on tuning seeds; the sweep has none")
    depth, lr = tune.groupby(["depth", "lr"]).dead_fraction.median().idxmax()
    return int(depth), float(lr)


def _a4_rows(sweep: pd.DataFrame, born: pd.DataFrame, ev: dict) -> list[dict]:
    fd = final_dead(sweep)
    depth, lr = a4_cell(fd)
    v = fd[(fd.role == "eval") & (fd.depth == depth) & (fd.lr == lr)].dead_fraction
    est, lo, hi = ci = bootstrap_ci(v)
    n_tune = fd[fd.role == "tuning"].seed.nunique()
    rows = [claim_row("A4", "max_dead_fraction", est, ci, None, ev["A4"],
                      f"{MEDIAN_CI}: fraction of dead hidden units at the end of training in the cell chosen on "
                      f"{n_tune} tuning seeds as the one with the most: {depth} hidden layers, SGD learning rate {lr:g}")]
    zero = born[born.bias_std == 0]
    inside = ((zero.theory >= zero.ci_low) & (zero.theory <= zero.ci_high)).mean()
    rows.append(claim_row("A4", "born_dead_theory_coverage", float(inside), None, int(zero.n_nets.iloc[0]),
                          ev["A4_born"], "exact share of (width, depth) cells whose closed form 1-(1-2^-N)^L lies in "
                          "the Monte Carlo 95% Wilson interval (zero biases); n_seeds = networks per cell"))
    rows.append(claim_row("A4", "born_dead_max_abs_error", float((born.p_one_input - born.theory).abs().max()), None,
                          int(born.n_nets.iloc[0]), ev["A4_born"],
                          "Monte Carlo: largest |estimate - closed form| over all cells, zero and symmetric biases; "
                          "n_seeds = networks per cell"))
    return rows


def _f8_layer_rows(fate: pd.DataFrame, ev: dict) -> list[dict]:
    rows = []
    for layer, g in fate.groupby("layer"):
        k = int(g.killed.sum())
        share = g.dead_for_good.sum() / k if k else float("nan")
        rows.append(claim_row("F8", f"layer{layer}_dead_for_good_share", float(share), None, len(g), ev["F8"],
                              f"exact share, pooled over evaluation seeds: of the {k} units of hidden layer {layer} the "
                              "spike killed (on the whole training set), those dead for good"
                              + (" (theory: all, a first-layer unit's inputs never change)" if layer == 1 else "")))
    first = fate[fate.layer == 1]
    rows.append(claim_row("F8", "first_layer_not_for_good", float((first.killed - first.dead_for_good).sum()), None,
                          len(first), ev["F8"], "exact count over evaluation seeds: killed first-layer units that "
                          "were not dead for good (theory: 0)"))
    return rows


def _f8_rows(fate: pd.DataFrame, ev: dict) -> list[dict]:
    sp = spike_per_seed(fate)
    est, lo, hi = ci = bootstrap_ci(sp.dead_for_good)
    after = int(fate.steps_after.iloc[0])
    rows = [claim_row("F8", "dead_for_good", est, ci, None, ev["F8"],
                      f"{MEDIAN_CI} of a per-seed count: units the large update killed (dead on the whole training "
                      f"set right after it, alive before) whose incoming gradient was exactly 0 at each of the {after} "
                      "later steps and that are still dead on the whole training set at the end")]
    est, lo, hi = ci = bootstrap_ci(sp.killed_fraction)
    rows.append(claim_row("F8", "spike_killed_fraction", est, ci, None, ev["F8"],
                          f"{MEDIAN_CI}: fraction of live hidden units dead on the whole training set right after the "
                          "single large update"))
    est, lo, hi = ci = bootstrap_ci(sp.never_revived)
    rows.append(claim_row("F8", "killed_never_revived", est, ci, None, ev["F8"],
                          f"{MEDIAN_CI} (seeds where the spike killed a unit): fraction of the killed units still "
                          "dead on the whole training set at the end"))
    first = fate[fate.layer == 1]
    rows.append(claim_row("F8", "first_layer_revived", float(first.revived.max()), None, len(first), ev["F8"],
                          "exact count: largest number of revived first-layer units over seeds (theory: 0)"))
    for col, when in (("pre_spike_train_acc", "just before the large update"),
                      ("final_train_acc", f"at the end, {after} steps after the large update")):
        acc = fate.groupby("seed")[col].first()
        est, lo, hi = ci = bootstrap_ci(acc)
        rows.append(claim_row("F8", col.replace("final", "post_spike"), est, ci, None, ev["F8"],
                              f"{MEDIAN_CI}: training accuracy (fixed training subset) {when} (chance 0.1; below 0.2 "
                              "the network did not train)"))
    return rows + _f8_layer_rows(fate, ev)


def dying_claim_rows(sweep: pd.DataFrame, fate: pd.DataFrame, born: pd.DataFrame, ev: dict) -> list[dict]:
    """Claim statistics of A4 and F8 from the dying sweep, the large-update experiment and the Monte Carlo."""
    return _a4_rows(sweep, born, ev) + _f8_rows(fate, ev)


# ---- everything the evidence rule writes ----

def flow_summary(probes: pd.DataFrame, final: pd.DataFrame) -> pd.DataFrame:
    """R6 per activation at its tuned rate: median over evaluation seeds of the gradient-flow and saturation
    statistics during training and of the final training accuracy."""
    fps = flow_training.flow_per_seed(probes, final)
    return fps.groupby(["activation", "lr", "lr_edge"], as_index=False)[
        ["abs_log10_ratio", "saturated", "final_train_acc"]].median()


def dead_summary(sweep: pd.DataFrame) -> pd.DataFrame:
    """Dead fraction at the end per (depth, lr) over the evaluation seeds; `chosen` marks A4's cell (tuning seeds)."""
    fd = final_dead(sweep)
    depth, lr = a4_cell(fd)
    t = summarize(fd[fd.role == "eval"], ["depth", "lr"], "dead_fraction")
    return t.assign(chosen=(t.depth == depth) & (t.lr == lr))


def claim_rows(read: dict, cfg: dict) -> tuple[list[dict], dict]:
    """All claim rows of the family, in report order, and the summary tables of the training claims;
    read: the input tables by name."""
    rows = layer_claim_rows(read["layers"], read["derivatives"], read["track"], read["deep"], EVIDENCE)
    rows += saturation_rows(read["saturation"], SATURATION_EVIDENCE)
    rows += _r6_training_rows(flow_training.flow_per_seed(read["flow_probes"], read["flow_final"]), EVIDENCE)
    rows += dying_claim_rows(read["sweep"], read["spike_fate"], read["born"], EVIDENCE)
    more, tables = training_claim_rows(read["speed"], read["centering"], read["drift"], read["small"], cfg, EVIDENCE)
    more += f6_rows(read["f6_history"], read["f6_probes"], cfg["f6_target_acc"], EVIDENCE["F6_replication"])
    return rows + more, tables


def summary_tables(read: dict, tables: dict, cfg: dict) -> dict[str, pd.DataFrame]:
    """The summary tables of the evidence rule, by output name (decay, dead, spike, born, speed, centering, small)."""
    decay = decay_table(read["layers"])
    return {
        "decay": pd.concat([summarize(decay, ["activation", "init", "depth"], c).assign(statistic=c)
                            for c in ("decay_factor", "first_last_ratio")]),
        "dead": dead_summary(read["sweep"]),
        "spike": spike_per_seed(read["spike_fate"]),
        "born": read["born"],
        "speed": summarize(tables["speed"], ["cell", "lr", "lr_edge"], "censored_steps").merge(
            tables["stability"].groupby("activation", as_index=False).max_stable_lr.median(), left_on="cell",
            right_on="activation").drop(columns="activation"),
        "centering": summarize(tables["centering"], ["cell", "lr", "lr_edge"], "censored_steps"),
        "small": summarize(final_rows(read["small"]), ["cell"], "test_acc"),
        "flow": flow_summary(read["flow_probes"], read["flow_final"]),
        "f6": summarize(best_steps(read["f6_history"], "train_acc", cfg["f6_target_acc"]),
                        ["cell", "lr", "lr_edge"], "censored_steps"),
    }


def values(rows: list[dict]) -> dict:
    """Quotable values: every claim statistic rounded to 4 decimals, and the generated result sentences."""
    return {**{f"{r['claim_id']}_{r['statistic']}": round(r["value"], 4) for r in rows}, **prose.texts(rows)}
