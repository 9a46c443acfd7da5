"""Train stacks of MLPs with any activation (actnet) and measure how fast they reach a target."""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import torch

from . import actnet


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
        if self.activation not in actnet.ALL_ACTIVATIONS:
            raise ValueError(f"activation {self.activation!r} not in {actnet.ALL_ACTIVATIONS}")
        if self.optimizer not in ("sgd", "adam"):
            raise ValueError(f"optimizer {self.optimizer!r} not in ('sgd', 'adam')")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["widths"] = list(self.widths)
        return d


def _evaluate(run: RunSpec, params, x, y):
    with torch.no_grad():
        out, _ = actnet.forward(run.activation, params, x, batch_norm=run.batch_norm)
        loss = actnet.per_model_ce(out, y)
        acc = (out.argmax(-1) == y.unsqueeze(0)).double().mean(1)
    return loss, acc


def train_stack(run: RunSpec, x, y, x_eval, y_eval, x_test, y_test, *, seeds, params=None,
                lr_multiplier=None, callback=None) -> tuple[dict, pd.DataFrame]:
    """Train one network per seed together; a model whose loss turns non-finite is frozen as diverged.

    Every `eval_every` steps the history gets each seed's loss/accuracy on (x_eval, y_eval) (a fixed
    training subset), on the test set, and the elapsed wall time. `callback(step, params)` runs at the
    same cadence (e.g. to count dead units). `lr_multiplier(step)` scales the learning rate of a step.
    """
    if params is None:
        params = actnet.init_for(run.activation, x.shape[1], run.widths, int(y.max()) + 1, run.init, seeds)
        if run.batch_norm:
            params = actnet.add_batch_norm(params)
    params = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
    tensors = list(params.values())
    opt = (torch.optim.SGD(tensors, lr=run.lr, momentum=run.momentum) if run.optimizer == "sgd"
           else torch.optim.Adam(tensors, lr=run.lr))
    S = len(seeds)
    gens = [torch.Generator().manual_seed(20_000 + int(s)) for s in seeds]
    alive = torch.ones(S, dtype=torch.bool)
    rows, t_start, eval_time = [], time.perf_counter(), 0.0
    for step in range(run.steps + 1):
        if step % run.eval_every == 0 or step == run.steps:
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
        idx = torch.stack([torch.randint(len(x), (run.batch_size,), generator=g) for g in gens])
        out, _ = actnet.forward(run.activation, params, x[idx], batch_norm=run.batch_norm)
        losses = actnet.per_model_ce(out, y[idx])
        alive &= torch.isfinite(losses.detach())
        opt.zero_grad(set_to_none=False)
        torch.where(alive, losses, torch.zeros_like(losses)).sum().backward()
        for p in tensors:
            p.grad[~alive] = 0.0
            p.grad.nan_to_num_(0.0, 0.0, 0.0)
        scale = 1.0 if lr_multiplier is None else float(lr_multiplier(step))
        for group in opt.param_groups:
            group["lr"] = run.lr * scale
        opt.step()
    history = pd.DataFrame(rows)
    history["diverged"] = history.groupby("seed")["diverged"].transform("max")
    return {k: v.detach() for k, v in params.items()}, history


def steps_to_reach(history: pd.DataFrame, col: str, threshold: float, *, above: bool = True) -> pd.DataFrame:
    """Per seed: first logged step (and wall time) where `col` >= threshold (or <= if not above); NaN if never."""
    rows = []
    for seed, g in history.sort_values("step").groupby("seed"):
        hit = g[col] >= threshold if above else g[col] <= threshold
        first = g[hit].head(1)
        rows.append({"seed": int(seed), "steps": float(first.step.iloc[0]) if len(first) else math.nan,
                     "time_s": float(first.time_s.iloc[0]) if len(first) else math.nan,
                     "reached": bool(len(first))})
    return pd.DataFrame(rows)


def censored(steps: pd.Series, budget: int) -> np.ndarray:
    """Steps with 'never reached' replaced by the budget: ratios built on them are conservative bounds."""
    return np.where(np.isfinite(steps.to_numpy(float)), steps.to_numpy(float), float(budget))


def unit_input_percentiles(run: RunSpec, params, x_probe, layer: int = -1, units: int = 8,
                           qs=(0.15, 0.5, 0.85)) -> np.ndarray:
    """Percentiles of the inputs (pre-activations) of the first `units` units of a hidden layer: (S, units, q)."""
    with torch.no_grad():
        _, hidden = actnet.forward(run.activation, params, x_probe, batch_norm=run.batch_norm)
        z = hidden[layer][0][:, :, :units].double()
        return torch.quantile(z, torch.tensor(qs, dtype=torch.float64), dim=1).permute(1, 2, 0).numpy()


def input_drift(traj: np.ndarray) -> np.ndarray:
    """Per model: mean over units of the range of a unit's median input over training, in units of its
    initial 15-85% spread; traj (T, S, units, 3) from unit_input_percentiles at T checkpoints."""
    med = traj[:, :, :, 1]
    spread = np.maximum(traj[0, :, :, 2] - traj[0, :, :, 0], 1e-12)
    return ((med.max(0) - med.min(0)) / spread).mean(-1)
