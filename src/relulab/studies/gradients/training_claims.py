"""Claim statistics of the training runs of the gradients family: speed and stability (F7, F5), zero-centring (A5),
small initialization (F4) and differentiability (F2). Learning rates are chosen on tuning seeds
(convergence.best_lr); every statistic here is computed on evaluation seeds only."""

from __future__ import annotations

import numpy as np
import pandas as pd

from relulab.core.evidence import claim_row
from relulab.core.stats import bootstrap_ci, paired_bootstrap_ci, ratio_of_medians_ci
from relulab.studies.gradients.convergence import best_steps, input_drift
from relulab.studies.gradients.saturation import peak_top_saturation

BOUNDED = ("sigmoid", "tanh", "softsign")
MEDIAN_CI = "median over evaluation seeds, 95% order-statistic (Hettmansperger-Sheather) interval"
RATIO_CI = "ratio of medians over evaluation seeds, 95% log-scale Price-Bonett interval of the two arms"


def n_finite(*arrays) -> int:
    """Seeds that entered a statistic: the fewest finite values among the arms."""
    return min(int(np.isfinite(np.asarray(a, float)).sum()) for a in arrays)


def eval_rows(df: pd.DataFrame) -> pd.DataFrame:
    """The evaluation seeds' rows (all rows of a table without a role column)."""
    return df[df.role == "eval"] if "role" in df else df


def lr_choice(g: pd.DataFrame) -> str:
    """'lr 0.3, chosen on 2 tuning seeds' plus where it lies in the grid when at an edge."""
    edge = {"low": ", the grid's smallest: the best rate may be smaller", "high": ", the grid's largest: the best "
            "rate may be larger", "single": ", the grid's only rate"}.get(str(g.lr_edge.iloc[0]), "") \
        if "lr_edge" in g else ""
    n = f", chosen on {int(g.n_tuning.iloc[0])} tuning seeds" if "n_tuning" in g else ""
    return f"lr {g.lr.iloc[0]:g}{n}{edge}"


def edge_row(claim: str, steps: pd.DataFrame, arms, ev: str) -> dict | None:
    """How many arms' tuned learning rate lies at an edge of its grid (exact count); None without lr_edge."""
    if "lr_edge" not in steps:
        return None
    first = steps[steps.cell.isin(arms)].groupby("cell").lr_edge.first().fillna("")
    at = sorted(c for c, e in first.items() if e in ("low", "high", "single"))
    n = int(steps.n_tuning.max()) if "n_tuning" in steps else 0
    return claim_row(claim, "arms_lr_at_grid_edge", float(len(at)), None, n, ev,
                     f"exact count of the {len(first)} arms whose learning rate, chosen on the tuning seeds, is the "
                     f"smallest or largest of its grid{': ' + ', '.join(at) if at else ''}")


# ---- F7, F5 ----

def stability_table(hist: pd.DataFrame) -> pd.DataFrame:
    """Per (activation, lr, evaluation seed): diverged, initial and final training loss, loss spread over the last
    quarter of training, and stable = not diverged and final loss below the initial loss."""
    rows = []
    for (act, lr, seed), g in eval_rows(hist).sort_values("step").groupby(["activation", "lr", "seed"]):
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


def _f7_rows(steps: pd.DataFrame, cfg: dict, ev: dict) -> list[dict]:
    rows = []
    by = {a: g.sort_values("seed") for a, g in steps.groupby("cell")}
    for other in ("tanh", "sigmoid"):
        if other in by and "relu" in by:
            o, r = by[other], by["relu"]
            est, lo, hi = ci = ratio_of_medians_ci(o.censored_steps, r.censored_steps)
            rows.append(claim_row("F7", f"{other}_relu_steps_ratio", est, ci, None, ev["F7"],
                                  f"{RATIO_CI}: steps to {cfg['speed_target_error']:.0%} training error, {other} "
                                  f"({lr_choice(o)}) / ReLU ({lr_choice(r)}); {int((~o.reached).sum())} {other} and "
                                  f"{int((~r.reached).sum())} ReLU runs never reached it (counted as the budget)"))
            est, lo, hi = ci = ratio_of_medians_ci(o.time_s, r.time_s)
            note = (f"{RATIO_CI}: the same ratio in wall-clock training time on this machine (runs that reached the "
                    "target; a stack of seeds shares one clock)")
            if not o.reached.any() or not r.reached.any():
                note += "; not measured: no run of one side reached the target"
            rows.append(claim_row("F7", f"{other}_relu_time_ratio", est, ci, None,
                                  ev["F7"], note))
    edge = edge_row("F7", steps, ("relu", "tanh", "sigmoid"), ev["F7"])
    return rows + ([edge] if edge else [])


def _f5_rows(steps: pd.DataFrame, stab: pd.DataFrame, msl: pd.DataFrame, ev: dict) -> list[dict]:
    bounded = msl.activation.isin(BOUNDED)
    if not (bounded.any() and (~bounded).any()):
        return []
    rows = []
    b = msl[bounded].groupby("seed").log2_lr.median()
    u = msl[~bounded].groupby("seed").log2_lr.median()
    est, lo, hi = ci = bootstrap_ci(b - u)
    rows.append(claim_row("F5", "bounded_lr_headroom", est, ci, None, ev["F5"],
                          f"{MEDIAN_CI}: median log2(largest stable SGD learning rate of the grid), bounded minus "
                          "unbounded activations; a rate never stable counts as half the grid's smallest"))
    ci = _bounded_over_unbounded(steps, "cell", "censored_steps")
    rows.append(claim_row("F5", "unbounded_efficiency_ratio", ci[0], ci, None, ev["F5"],
                          f"{MEDIAN_CI} of a per-seed ratio: steps to the target error at the rate tuned per "
                          "activation, bounded / unbounded (median over activations per seed)"))
    spread = stab.assign(loss=np.where(stab.diverged, stab.initial_loss, stab.final_loss)).groupby(
        ["activation", "seed"]).loss.std().reset_index()
    ci = _bounded_over_unbounded(spread, "activation", "loss")
    rows.append(claim_row("F5", "loss_spread_ratio", ci[0], ci, None, ev["F5"],
                          f"{MEDIAN_CI} of a per-seed ratio: std of the final training loss across the learning-rate "
                          "sweep (diverged = initial loss), bounded / unbounded"))
    return rows


def _bounded_over_unbounded(df: pd.DataFrame, by: str, col: str):
    """Per seed, the median of col over bounded activations / the median over unbounded ones (paired ratio CI)."""
    bounded = df[by].isin(BOUNDED)
    b = df[bounded].groupby("seed")[col].median()
    u = df[~bounded].groupby("seed")[col].median()
    return paired_bootstrap_ci(b.to_numpy(), u.to_numpy(), kind="ratio")  # an Interval (n, n_dropped, method)


# ---- A5 ----

CENTERING_ARMS = (("sigmoid_centered", "centered_speedup"), ("tanh", "tanh_speedup"),
                  ("scaled_tanh", "scaled_tanh_speedup"), ("sigmoid_bn", "bn_speedup"))
# ReLU's half of A5: batch norm, and a zero-mean-ish ReLU-like unit (ELU), each against plain ReLU.
RELU_ARMS = (("relu_bn", "relu_bn_speedup"), ("elu", "relu_centred_speedup"))
UNTRAINED_ACC = 0.2  # twice chance on 10 classes: below it (median final test accuracy) an arm did not train


def _speedup_row(cb: dict, base: str, cell: str, name: str, cfg: dict, ev: str) -> dict:
    s, c = cb[base], cb[cell]
    est, lo, hi = ci = ratio_of_medians_ci(s.censored_steps, c.censored_steps)
    return claim_row("A5", name, est, ci, None, ev,
                     f"{RATIO_CI}: steps to {cfg['centering_target_acc']:.0%} test accuracy, {base} "
                     f"({lr_choice(s)}) / {cell} ({lr_choice(c)})")


def untrained_row(final_acc: pd.Series, ev: str) -> dict:
    """Exact count of arms whose median final test accuracy over evaluation seeds (at the tuned rate) is below
    UNTRAINED_ACC; final_acc: that median per arm."""
    bad = sorted(final_acc[final_acc < UNTRAINED_ACC].index)
    return claim_row("A5", "untrained_arms", float(len(bad)), None, len(final_acc), ev,
                     f"exact count of the {len(final_acc)} arms whose median final test accuracy (evaluation seeds, "
                     f"tuned rate) is below {UNTRAINED_ACC:g}, i.e. did not train{': ' + ', '.join(bad) if bad else ''}"
                     "; n_seeds = arms")


def _a5_centering_rows(csteps: pd.DataFrame, cfg: dict, ev: dict) -> list[dict]:
    cb = {c: g.sort_values("seed") for c, g in csteps.groupby("cell")}
    rows = [_speedup_row(cb, base, cell, name, cfg, ev["A5"])
            for base, arms in (("sigmoid", CENTERING_ARMS), ("relu", RELU_ARMS))
            for cell, name in arms if cell in cb and base in cb]
    if "final_acc" in csteps:
        rows.append(untrained_row(csteps.groupby("cell").final_acc.median(), ev["A5"]))
    edge = edge_row("A5", csteps, list(cb), ev["A5"])
    return rows + ([edge] if edge else [])


def with_final_acc(steps: pd.DataFrame, hist: pd.DataFrame) -> pd.DataFrame:
    """steps (per cell and seed at the tuned rate) with each run's final test accuracy."""
    last = hist[hist.step == hist.groupby("cell").step.transform("max")]
    return steps.merge(last[["cell", "lr", "seed", "test_acc"]].rename(columns={"test_acc": "final_acc"}),
                       on=["cell", "lr", "seed"], how="left")


def drift_per_seed(table: pd.DataFrame) -> pd.DataFrame:
    """Per (batch_norm, seed): input_drift of the tracked units."""
    rows = []
    for (bn, seed), g in table.groupby(["batch_norm", "seed"]):
        traj = g.sort_values(["step", "unit"])[["p15", "p50", "p85"]].to_numpy()
        traj = traj.reshape(g.step.nunique(), 1, g.unit.nunique(), 3)
        rows.append({"batch_norm": bn, "seed": int(seed), "drift": float(input_drift(traj)[0])})
    return pd.DataFrame(rows)


def _a5_drift_row(dps: pd.DataFrame, ev: dict) -> dict:
    a, b = dps[~dps.batch_norm].drift, dps[dps.batch_norm].drift
    est, lo, hi = ci = ratio_of_medians_ci(a, b)
    return claim_row("A5", "bn_drift_reduction", est, ci, None, ev["A5_drift"],
                     f"{RATIO_CI}: movement of last-layer units' median input over training, without / with batch "
                     "norm (same fixed learning rate)")


# ---- F6 (Glorot & Bengio 2010, scaled; intervention: normalized init) ----

def f6_rows(hist: pd.DataFrame, probes: pd.DataFrame, target_acc: float, ev: str) -> list[dict]:
    """Speed-up from the normalized init (the intervention), top-layer saturation of both arms, untrained arms and
    grid edges; evaluation seeds at each arm's rate chosen on tuning seeds."""
    steps = best_steps(hist, "train_acc", target_acc)
    by = {c: g.sort_values("seed") for c, g in steps.groupby("cell")}
    s, n = by["standard"], by["normalized"]
    est, lo, hi = ci = ratio_of_medians_ci(s.censored_steps, n.censored_steps)
    rows = [claim_row("F6", "intervention_speedup", est, ci, None, ev,
                      f"{RATIO_CI}: steps to {target_acc:.0%} training accuracy, standard init U[-1/sqrt(n), 1/sqrt(n)] "
                      f"({lr_choice(s)}) / normalized init ({lr_choice(n)}); > 1: the less saturating net learns "
                      "faster")]
    peak = peak_top_saturation(probes).pivot(index="seed", columns="cell", values="saturated")
    for arm in ("standard", "normalized"):
        est, lo, hi = ci = bootstrap_ci(peak[arm])
        rows.append(claim_row("F6", f"{arm}_top_peak_saturation", est, ci, None, ev,
                              f"{MEDIAN_CI}: largest saturated fraction of the top hidden layer along training, "
                              f"{arm} init"))
    d = peak["standard"] - peak["normalized"]
    est, lo, hi = ci = bootstrap_ci(d)
    rows.append(claim_row("F6", "saturation_reduction", est, ci, None, ev,
                          f"{MEDIAN_CI} of a paired difference: peak top-layer saturation, standard minus normalized "
                          "init (> 0: the intervention removes saturation)"))
    ev_hist = hist[hist.role == "eval"]
    last = ev_hist[ev_hist.step == ev_hist.groupby("cell").step.transform("max")]
    acc = last.groupby("cell").train_acc.median()
    bad = sorted(acc.index[acc < UNTRAINED_ACC])
    rows.append(claim_row("F6", "untrained_arms", float(len(bad)), None, len(acc), ev,
                          f"exact count of the {len(acc)} arms whose median final training accuracy (evaluation "
                          f"seeds, tuned rate) is below {UNTRAINED_ACC:g}{': ' + ', '.join(bad) if bad else ''}; "
                          "n_seeds = arms"))
    edge = edge_row("F6", steps, list(by), ev)
    return rows + ([edge] if edge else [])


# ---- F4, F2 ----

def final_rows(hist: pd.DataFrame) -> pd.DataFrame:
    """The last logged row of every evaluation run (per cell's largest step)."""
    hist = eval_rows(hist)
    return hist[hist.step == hist.groupby("cell").step.transform("max")]


def _paired(final: pd.DataFrame, cell: str, col: str) -> np.ndarray:
    return final[final.cell == cell].sort_values("seed")[col].to_numpy(float)


def _f4_rows(fin: pd.DataFrame, ev: dict) -> list[dict]:
    rows = []
    pen = {a: _paired(fin, f"{a}_xavier", "test_acc") - _paired(fin, f"{a}_small", "test_acc")
           for a in ("tanh", "sigmoid")}
    est, lo, hi = ci = bootstrap_ci(pen["sigmoid"] - pen["tanh"])
    rows.append(claim_row("F4", "small_init_penalty_gap", est, ci, None,
                          ev["F4"], f"{MEDIAN_CI} of a paired difference: test-accuracy loss from small (std 0.01) "
                          "instead of Xavier init, sigmoid minus tanh (one fixed learning rate)"))
    for a in ("tanh", "sigmoid"):
        est, lo, hi = ci = bootstrap_ci(pen[a])
        rows.append(claim_row("F4", f"{a}_small_init_penalty", est, ci, None, ev["F4"],
                              f"{MEDIAN_CI} of a paired difference: {a}, test accuracy with Xavier minus with small "
                              "init"))
    return rows


def _f2_rows(fin: pd.DataFrame, ev: dict) -> list[dict]:
    d = _paired(fin, "relu", "test_acc") - _paired(fin, "staircase", "test_acc")
    est, lo, hi = ci = bootstrap_ci(d)
    change = float(_paired(fin, "staircase", "w0_change").max())
    return [claim_row("F2", "relu_minus_staircase_acc", est, ci, None, ev["F2"],
                      f"{MEDIAN_CI} of a paired difference: final test accuracy, ReLU minus staircase floor(4z)/4"),
            claim_row("F2", "staircase_first_layer_change", change, None, n_finite(d), ev["F2"],
                      "exact: largest absolute change of a first-layer staircase weight during training, max over "
                      "evaluation seeds")]


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
    csteps = with_final_acc(best_steps(centering, "test_acc", cfg["centering_target_acc"]), centering)
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
