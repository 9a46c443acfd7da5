"""Train stacks of MLPs with any named activation (models.forward_by_name) and measure how fast they reach a target."""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import torch

from relulab.core import activations, models, optim, train


@dataclass(frozen=True)
class RunSpec:
    """One training cell: activation, hidden widths, init, optimizer settings and evaluation cadence."""

    activation: str
    widths: tuple
    init: str = "xavier"
    batch_norm: bool = False
    optimizer: str = "sgd"
    lr: float = 0.1
    momentum: float = 0.0
    steps: int = 500
    batch_size: int = 128
    eval_every: int = 10

    def __post_init__(self):
        object.__setattr__(self, "widths", tuple(int(w) for w in self.widths))
        if self.activation not in activations.NAMED_ACTIVATIONS:
            raise ValueError(f"activation {self.activation!r} not in {activations.NAMED_ACTIVATIONS}")
        if self.optimizer not in ("sgd", "adam"):
            raise ValueError(f"optimizer {self.optimizer!r} not in ('sgd', 'adam')")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["widths"] = list(self.widths)
        return d


def _evaluate(run: RunSpec, params, x, y):
    with torch.no_grad():
        out, _ = models.forward_by_name(run.activation, params, x, batch_norm=run.batch_norm)
        loss = train.per_model_ce(out, y)
        acc = (out.argmax(-1) == y.unsqueeze(0)).double().mean(1)
    return loss, acc


def train_stack(run: RunSpec, x, y, x_eval, y_eval, x_test, y_test, *, seeds, params=None,
                lr_multiplier=None, callback=None, extra_log_steps=()) -> tuple[dict, pd.DataFrame]:
    """Train one network per seed together; a model whose loss turns non-finite is frozen as diverged.

    Every `eval_every` steps the history gets each seed's loss/accuracy on (x_eval, y_eval) (a fixed
    training subset), on the test set, and the elapsed wall time. `callback(step, params)` runs at the
    same cadence and at `extra_log_steps` (e.g. to count dead units). `lr_multiplier(step)` scales the
    learning rate of a step.
    """
    if params is None:
        params = models.init_by_name(run.activation, x.shape[1], run.widths, int(y.max()) + 1, run.init, seeds)
        if run.batch_norm:
            params = models.add_batch_norm(params)
    params = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
    tensors = list(params.values())
    state = optim.init(run.optimizer, tensors, run.lr, run.momentum)
    S = len(seeds)
    gens = [torch.Generator().manual_seed(20_000 + int(s)) for s in seeds]
    alive = torch.ones(S, dtype=torch.bool)
    rows, t_start, eval_time = [], time.perf_counter(), 0.0
    for step in range(run.steps + 1):
        if step % run.eval_every == 0 or step == run.steps or step in extra_log_steps:
            t_eval = time.perf_counter()
            elapsed = t_eval - t_start - eval_time  # evaluation time does not count as training time
            ev_loss, ev_acc = _evaluate(run, params, x_eval, y_eval)
            te_loss, te_acc = _evaluate(run, params, x_test, y_test)
            for s, seed in enumerate(seeds):
                rows.append({"seed": int(seed), "step": step, "time_s": elapsed, "diverged": not bool(alive[s]),
                             "train_loss": float(ev_loss[s]), "train_acc": float(ev_acc[s]),
                             "test_loss": float(te_loss[s]), "test_acc": float(te_acc[s])})
            if callback is not None:
                callback(step, params)
            eval_time += time.perf_counter() - t_eval
        if step == run.steps:
            break
        if run.batch_size == 0 or run.batch_size >= len(x):  # full batch
            xb, yb = x, y
        else:  # per-seed minibatch, drawn with replacement from that seed's generator
            idx = torch.stack([torch.randint(len(x), (run.batch_size,), generator=g) for g in gens])
            xb, yb = x[idx], y[idx]
        out, _ = models.forward_by_name(run.activation, params, xb, batch_norm=run.batch_norm)
        losses = train.per_model_ce(out, yb)
        alive &= torch.isfinite(losses.detach())
        grads = torch.autograd.grad(torch.where(alive, losses, torch.zeros_like(losses)).sum(), tensors)
        lr = run.lr * (1.0 if lr_multiplier is None else float(lr_multiplier(step)))
        for g in grads:
            g.nan_to_num_(0.0, 0.0, 0.0)
            g[~alive] = 0.0
        optim.step(state, tensors, grads, lr)
    history = pd.DataFrame(rows)
    history["diverged"] = history.groupby("seed")["diverged"].transform("max")
    return {k: v.detach() for k, v in params.items()}, history


def steps_to_reach(history: pd.DataFrame, col: str, threshold: float, *, above: bool = True) -> pd.DataFrame:
    """Per seed: first logged step (and wall time) where `col` >= threshold (or <= if not above); NaN if never.
    `shortfall` is how far the last logged value stays from the threshold (<= 0 once reached; NaN if not finite)."""
    rows = []
    for seed, g in history.sort_values("step").groupby("seed"):
        hit = g[col] >= threshold if above else g[col] <= threshold
        first = g[hit].head(1)
        last = float(g[col].iloc[-1])
        rows.append({"seed": int(seed), "steps": float(first.step.iloc[0]) if len(first) else math.nan,
                     "time_s": float(first.time_s.iloc[0]) if len(first) else math.nan,
                     "reached": bool(len(first)),
                     "shortfall": (threshold - last if above else last - threshold) if math.isfinite(last)
                     else math.nan})
    return pd.DataFrame(rows)


def censored(steps: pd.Series, budget: int) -> np.ndarray:
    """Steps with 'never reached' replaced by the budget: ratios built on them are conservative bounds."""
    return np.where(np.isfinite(steps.to_numpy(float)), steps.to_numpy(float), float(budget))


def unit_input_percentiles(run: RunSpec, params, x_probe, layer: int = -1, units: int = 8,
                           qs=(0.15, 0.5, 0.85)) -> np.ndarray:
    """Percentiles of the inputs (pre-activations) of the first `units` units of a hidden layer: (S, units, q)."""
    with torch.no_grad():
        _, hidden = models.forward_by_name(run.activation, params, x_probe, batch_norm=run.batch_norm)
        z = hidden[layer][0][:, :, :units].double()
        return torch.quantile(z, torch.tensor(qs, dtype=torch.float64), dim=1).permute(1, 2, 0).numpy()


def input_drift(traj: np.ndarray) -> np.ndarray:
    """Per model: mean over units of the range of a unit's median input over training, in units of its
    initial 15-85% spread; traj (T, S, units, 3) from unit_input_percentiles at T checkpoints."""
    med = traj[:, :, :, 1]
    spread = np.maximum(traj[0, :, :, 2] - traj[0, :, :, 0], 1e-12)
    return ((med.max(0) - med.min(0)) / spread).mean(-1)


def run_cells(cells: dict, x, y, x_eval, y_eval, x_test, y_test, *, seeds, log=None) -> pd.DataFrame:
    """Train every named RunSpec in `cells` over the seeds; one history with the cell's settings as columns
    and `w0_change`, each seed's largest absolute change of a first-layer weight."""
    frames = []
    for name, run in cells.items():
        init = models.init_by_name(run.activation, x.shape[1], run.widths, int(y.max()) + 1, run.init, seeds)
        if run.batch_norm:
            init = models.add_batch_norm(init)
        final, hist = train_stack(run, x, y, x_eval, y_eval, x_test, y_test, seeds=seeds, params=init)
        change = (final["W0"] - init["W0"]).abs().flatten(1).max(1).values
        hist["w0_change"] = [float(change[seeds.index(s)]) for s in hist.seed]
        hist.insert(0, "cell", name)
        for k in ("activation", "init", "batch_norm", "lr", "momentum", "optimizer"):
            hist[k] = getattr(run, k)
        hist["depth"] = len(run.widths)
        frames.append(hist)
        if log is not None:
            log.info("cell %s: final train acc %s", name, hist[hist.step == run.steps].train_acc.round(3).tolist())
    return pd.concat(frames, ignore_index=True)


def reach_table(hist: pd.DataFrame, col: str, threshold: float, *, above: bool = True) -> pd.DataFrame:
    """Steps and wall time to reach the threshold, per (cell, lr, seed), with the step budget of the cell."""
    rows = []
    for (cell, lr), g in hist.groupby(["cell", "lr"]):
        r = steps_to_reach(g, col, threshold, above=above)
        r["cell"], r["lr"], r["budget"] = cell, lr, int(g.step.max())
        r["activation"] = g.activation.iloc[0]
        rows.append(r)
    return pd.concat(rows, ignore_index=True)


def best_lr(reach: pd.DataFrame, by: str = "cell") -> pd.DataFrame:
    """Per `by` group: the learning rate with the fewest median (censored) steps; its per-seed rows.
    Ties (e.g. no learning rate reaches the threshold) go to the smallest median shortfall at the end, then
    to the smaller learning rate."""
    reach = reach.assign(censored_steps=np.where(reach.reached, reach.steps, reach.budget * 2.0))
    med = reach.groupby([by, "lr"])[["censored_steps", "shortfall"]].median().reset_index()
    best = med.sort_values([by, "censored_steps", "shortfall", "lr"], na_position="last").groupby(by).head(1)[[by, "lr"]]
    return reach.merge(best, on=[by, "lr"])


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


def load_split(cfg: dict, seed: int = 0) -> dict:
    """The family's tensors: training set, fixed n_eval-image training and test subsets for evaluation, probe batch."""
    from relulab.core import data

    d = data.load(cfg["dataset"], n_train=cfg["n_train"] or None, seed=seed)
    g = torch.Generator().manual_seed(int(seed) + 1)
    ev = torch.randperm(len(d.x_train), generator=g)[: cfg["n_eval"]]
    te = torch.randperm(len(d.x_test), generator=g)[: cfg["n_eval"]]
    return {"x": d.x_train, "y": d.y_train, "x_eval": d.x_train[ev], "y_eval": d.y_train[ev],
            "x_test": d.x_test[te], "y_test": d.y_test[te], "x_probe": d.x_train[ev[: cfg["n_probe"]]],
            "y_probe": d.y_train[ev[: cfg["n_probe"]]], "n_classes": d.n_classes}


def train_args(split: dict) -> tuple:
    return split["x"], split["y"], split["x_eval"], split["y_eval"], split["x_test"], split["y_test"]


def drift_experiment(split: dict, *, widths, lr: float, steps: int, batch_size: int, every: int, units: int,
                     seeds) -> pd.DataFrame:
    """Ioffe & Szegedy's Fig. 1 setting: 15/50/85% input percentiles of `units` last-layer sigmoid units on the
    probe batch along SGD training, without and with batch norm; one row per (bn, seed, step, unit)."""
    rows = []
    for bn in (False, True):
        run = RunSpec("sigmoid", widths, init="xavier", batch_norm=bn, lr=lr, steps=steps, batch_size=batch_size,
                      eval_every=every)

        def callback(step, params, run=run, bn=bn):
            q = unit_input_percentiles(run, params, split["x_probe"], units=units)
            for s, seed in enumerate(seeds):
                for u in range(q.shape[1]):
                    rows.append({"batch_norm": bn, "seed": int(seed), "step": step, "unit": u,
                                 "p15": q[s, u, 0], "p50": q[s, u, 1], "p85": q[s, u, 2]})

        train_stack(run, *train_args(split), seeds=seeds, callback=callback)
    return pd.DataFrame(rows)


def drift_per_seed(table: pd.DataFrame) -> pd.DataFrame:
    """Per (batch_norm, seed): input_drift of the tracked units."""
    rows = []
    for (bn, seed), g in table.groupby(["batch_norm", "seed"]):
        traj = g.sort_values(["step", "unit"])[["p15", "p50", "p85"]].to_numpy()
        traj = traj.reshape(g.step.nunique(), 1, g.unit.nunique(), 3)
        rows.append({"batch_norm": bn, "seed": int(seed), "drift": float(input_drift(traj)[0])})
    return pd.DataFrame(rows)


BOUNDED = ("sigmoid", "tanh", "softsign")


def best_steps(hist: pd.DataFrame, col: str, threshold: float) -> pd.DataFrame:
    """Per (cell, seed) at the cell's best learning rate: steps to the threshold, censored at the budget."""
    best = best_lr(reach_table(hist, col, threshold), "cell")
    return best.assign(censored_steps=np.where(best.reached, best.steps, best.budget))


def final_rows(hist: pd.DataFrame) -> pd.DataFrame:
    """The last logged row of every run (per cell's largest step)."""
    return hist[hist.step == hist.groupby("cell").step.transform("max")]


def _paired(final: pd.DataFrame, cell: str, col: str) -> np.ndarray:
    return final[final.cell == cell].sort_values("seed")[col].to_numpy(float)


def claim_rows(speed: pd.DataFrame, centering: pd.DataFrame, drift: pd.DataFrame, small: pd.DataFrame,
               cfg: dict, ev: dict) -> tuple[list[dict], dict]:
    """Claim statistics of F7, F5, A5, F4, F2 and the summary tables they come from."""
    from relulab.core.evidence import claim_row
    from relulab.core.stats import bootstrap_ci, paired_bootstrap_ci, ratio_of_medians_ci

    rows, tables = [], {}
    steps = best_steps(speed, "train_acc", 1 - cfg["speed_target_error"])
    tables["speed"] = steps
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
    stab = stability_table(speed)
    msl = max_stable_lr(stab)
    floor = np.log2(min(cfg["speed_lrs"])) - 1
    msl["log2_lr"] = np.log2(msl.max_stable_lr).fillna(floor)
    tables["stability"] = msl
    bounded = msl.activation.isin(BOUNDED)
    if bounded.any() and (~bounded).any():
        b = msl[bounded].groupby("seed").log2_lr.median()
        u = msl[~bounded].groupby("seed").log2_lr.median()
        est, lo, hi = bootstrap_ci(b - u)
        rows.append(claim_row("F5", "bounded_lr_headroom", est, (lo, hi), len(b), ev["F5"],
                              "median log2(largest stable SGD learning rate): bounded minus unbounded activations"))
        sb = steps[steps.cell.isin(BOUNDED)].groupby("seed").censored_steps.median()
        su = steps[~steps.cell.isin(BOUNDED)].groupby("seed").censored_steps.median()
        est, lo, hi = paired_bootstrap_ci(sb.to_numpy(), su.to_numpy(), kind="ratio")
        rows.append(claim_row("F5", "unbounded_efficiency_ratio", est, (lo, hi), len(sb), ev["F5"],
                              "steps to the target error at the best learning rate, bounded / unbounded (median "
                              "over activations per seed)"))
        spread = stab.assign(loss=np.where(stab.diverged, stab.initial_loss, stab.final_loss)).groupby(
            ["activation", "seed"]).loss.std().reset_index()
        spb = spread[spread.activation.isin(BOUNDED)].groupby("seed").loss.median()
        spu = spread[~spread.activation.isin(BOUNDED)].groupby("seed").loss.median()
        est, lo, hi = paired_bootstrap_ci(spb.to_numpy(), spu.to_numpy(), kind="ratio")
        rows.append(claim_row("F5", "loss_spread_ratio", est, (lo, hi), len(spb), ev["F5"],
                              "std of the final training loss across the learning-rate sweep (diverged = initial "
                              "loss), bounded / unbounded"))
    csteps = best_steps(centering, "test_acc", cfg["centering_target_acc"])
    tables["centering"] = csteps
    cb = {c: g.sort_values("seed").censored_steps for c, g in csteps.groupby("cell")}
    for cell, name in (("sigmoid_centered", "centered_speedup"), ("tanh", "tanh_speedup"),
                       ("scaled_tanh", "scaled_tanh_speedup"), ("sigmoid_bn", "bn_speedup")):
        if cell in cb and "sigmoid" in cb:
            est, lo, hi = ratio_of_medians_ci(cb["sigmoid"], cb[cell])
            rows.append(claim_row("A5", name, est, (lo, hi), len(cb[cell]), ev["A5"],
                                  f"median steps to {cfg['centering_target_acc']:.0%} test accuracy, sigmoid / {cell}, "
                                  "each at its best learning rate"))
    dps = drift_per_seed(drift)
    tables["drift"] = dps
    est, lo, hi = ratio_of_medians_ci(dps[~dps.batch_norm].drift, dps[dps.batch_norm].drift)
    rows.append(claim_row("A5", "bn_drift_reduction", est, (lo, hi), int(dps.seed.nunique()), ev["A5_drift"],
                          "movement of last-layer units' median input over training, without / with batch norm"))
    fin = final_rows(small)
    tables["small"] = fin.groupby("cell").test_acc.median().reset_index()
    pen = {a: _paired(fin, f"{a}_xavier", "test_acc") - _paired(fin, f"{a}_small", "test_acc")
           for a in ("tanh", "sigmoid")}
    est, lo, hi = bootstrap_ci(pen["sigmoid"] - pen["tanh"])
    rows.append(claim_row("F4", "small_init_penalty_gap", est, (lo, hi), len(pen["tanh"]), ev["F4"],
                          "test-accuracy loss from small (std 0.01) instead of Xavier init: sigmoid minus tanh"))
    for a in ("tanh", "sigmoid"):
        est, lo, hi = bootstrap_ci(pen[a])
        rows.append(claim_row("F4", f"{a}_small_init_penalty", est, (lo, hi), len(pen[a]), ev["F4"],
                              f"{a}: test accuracy with Xavier minus with small init"))
    d = _paired(fin, "relu", "test_acc") - _paired(fin, "staircase", "test_acc")
    est, lo, hi = bootstrap_ci(d)
    rows.append(claim_row("F2", "relu_minus_staircase_acc", est, (lo, hi), len(d), ev["F2"],
                          "final test accuracy, ReLU minus staircase floor(4z)/4, paired by seed"))
    change = float(_paired(fin, "staircase", "w0_change").max())
    rows.append(claim_row("F2", "staircase_first_layer_change", change, None, len(d), ev["F2"],
                          "largest absolute change of a first-layer staircase weight during training (deterministic)"))
    return rows, tables
