"""Train stacks of MLPs with any named activation (models.forward_by_name) and measure how fast they reach a target."""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import torch

from relulab.core import activations, models, optim, train
from relulab.core.stats import grid_edge


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
                lr_multiplier=None, callback=None, extra_log_steps=(), grad_hook=None) -> tuple[dict, pd.DataFrame]:
    """Train one network per seed together; a model whose loss turns non-finite is frozen as diverged.

    Every `eval_every` steps the history gets each seed's loss/accuracy on (x_eval, y_eval) (a fixed
    training subset), on the test set, and the elapsed wall time. `callback(step, params)` runs at the
    same cadence and at `extra_log_steps` (e.g. to count dead units). `lr_multiplier(step)` scales the
    learning rate of a step. `grad_hook(step, params, grads)` sees every step's gradients (a dict by name)
    before the update.
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
        if grad_hook is not None:
            grad_hook(step, params, dict(zip(params, grads)))
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


def run_cells(cells: dict, x, y, x_eval, y_eval, x_test, y_test, *, seeds, tuning_seeds=(), log=None) -> pd.DataFrame:
    """Train every named RunSpec in `cells` over the tuning and evaluation seeds in one stacked call each; one
    history with the cell's settings as columns, `role` ("tuning" for tuning_seeds, else "eval") and `w0_change`,
    each seed's largest absolute change of a first-layer weight."""
    everyone, frames = list(tuning_seeds) + list(seeds), []
    for name, run in cells.items():
        init = models.init_by_name(run.activation, x.shape[1], run.widths, int(y.max()) + 1, run.init, everyone)
        if run.batch_norm:
            init = models.add_batch_norm(init)
        final, hist = train_stack(run, x, y, x_eval, y_eval, x_test, y_test, seeds=everyone, params=init)
        change = (final["W0"] - init["W0"]).abs().flatten(1).max(1).values
        hist["w0_change"] = [float(change[everyone.index(s)]) for s in hist.seed]
        hist.insert(0, "cell", name)
        for k in ("activation", "init", "batch_norm", "lr", "momentum", "optimizer"):
            hist[k] = getattr(run, k)
        hist["depth"] = len(run.widths)
        frames.append(tag_roles(hist, tuning_seeds))
        if log is not None:
            log.info("cell %s: final train acc %s", name, hist[hist.step == run.steps].train_acc.round(3).tolist())
    return pd.concat(frames, ignore_index=True)


def tag_roles(df: pd.DataFrame, tuning_seeds) -> pd.DataFrame:
    """`role` column: "tuning" for rows of the tuning seeds (hyper-parameters are chosen on them), else "eval"."""
    tuning = {int(s) for s in tuning_seeds}
    return df.assign(role=np.where(df.seed.astype(int).isin(tuning), "tuning", "eval"))


def reach_table(hist: pd.DataFrame, col: str, threshold: float, *, above: bool = True) -> pd.DataFrame:
    """Steps and wall time to reach the threshold, per (cell, lr, seed), with the step budget of the cell
    and the seed's role."""
    rows = []
    for (cell, lr), g in hist.groupby(["cell", "lr"]):
        r = steps_to_reach(g, col, threshold, above=above)
        r["cell"], r["lr"], r["budget"] = cell, lr, int(g.step.max())
        r["activation"] = g.activation.iloc[0]
        r["role"] = r.seed.map(g.groupby("seed").role.first()) if "role" in g else "eval"
        rows.append(r)
    return pd.concat(rows, ignore_index=True)


def choose_lr(tune: pd.DataFrame, by: str = "cell") -> pd.DataFrame:
    """Per `by` group of tuning rows of a reach table: the learning rate with the fewest median censored steps
    (never reached = twice the budget); ties (e.g. no rate reaches the threshold) go to the smallest median
    shortfall at the end, then to the smaller rate. Columns by, lr, lr_edge (grid_edge), n_tuning."""
    tune = tune.assign(censored_steps=np.where(tune.reached, tune.steps, tune.budget * 2.0))
    med = tune.groupby([by, "lr"])[["censored_steps", "shortfall"]].median().reset_index()
    best = med.sort_values([by, "censored_steps", "shortfall", "lr"], na_position="last").groupby(by).head(1)[[by, "lr"]]
    grids = tune.groupby(by).lr.unique()
    best["lr_edge"] = [grid_edge(lr, grids[k]) for k, lr in zip(best[by], best.lr)]
    best["n_tuning"] = [int(tune[tune[by] == k].seed.nunique()) for k in best[by]]
    return best.reset_index(drop=True)


def best_lr(reach: pd.DataFrame, by: str = "cell") -> pd.DataFrame:
    """Per `by` group: the learning rate chosen on the TUNING seeds (choose_lr) and the EVALUATION seeds' rows
    at that rate, with `lr_edge` and `n_tuning`."""
    if "role" not in reach or not (reach.role == "tuning").any() or not (reach.role == "eval").any():
        raise ValueError("best_lr needs tuning and evaluation rows (a `role` column with both)")
    best = choose_lr(reach[reach.role == "tuning"], by)
    ev = reach[reach.role == "eval"]
    return ev.assign(censored_steps=np.where(ev.reached, ev.steps, ev.budget * 2.0)).merge(best, on=[by, "lr"])


def run_tuned_cells(arms: dict, x, y, x_eval, y_eval, x_test, y_test, *, col: str, threshold: float, seeds,
                    tuning_seeds, log=None) -> pd.DataFrame:
    """Two phases: every (arm, learning rate) RunSpec of `arms` ({arm: [RunSpec, ...]}) on the tuning seeds; then
    the evaluation seeds only at each arm's rate chosen by choose_lr (steps until `col` >= threshold). One history,
    `cell` = arm."""
    args = (x, y, x_eval, y_eval, x_test, y_test)
    tune = pd.concat([run_cells({arm: r}, *args, seeds=[], tuning_seeds=tuning_seeds, log=log)
                      for arm, runs in arms.items() for r in runs], ignore_index=True)
    best = choose_lr(reach_table(tune, col, threshold), "cell").set_index("cell").lr
    ev = pd.concat([run_cells({arm: r}, *args, seeds=seeds, log=log) for arm, runs in arms.items() for r in runs
                    if r.lr == best[arm]], ignore_index=True)
    return pd.concat([tune, ev], ignore_index=True)


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


def best_steps(hist: pd.DataFrame, col: str, threshold: float) -> pd.DataFrame:
    """Per (cell, evaluation seed) at the cell's learning rate chosen on the tuning seeds: steps to the threshold,
    censored at the budget."""
    best = best_lr(reach_table(hist, col, threshold), "cell")
    return best.assign(censored_steps=np.where(best.reached, best.steps, best.budget))
