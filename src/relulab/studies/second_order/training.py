"""Training-run drivers of the second_order family: damped Newton and Hessian-free vs first-order methods at
equal gradient-equivalent passes (H3, H7); learning rates are chosen on tuning seeds and reported on evaluation
seeds. RMSProp's curvature (H6) is in `rmsprop`."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch

from relulab.core import models, tasks
from relulab.studies.second_order import hessian_free, newton
from relulab.studies.second_order import hessian as hs
from relulab.studies.second_order.experiments import digits_subset

FIRST_ORDER = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}


# --- H3, H7: training with second-order and first-order methods at equal passes --------------------------

def first_order(f, theta0: torch.Tensor, optimizer: str, lr: float, passes: int, log_every: int = 1,
                **kwargs) -> pd.DataFrame:
    """Full-batch first-order training, one gradient (1 pass) per step; loss recorded every log_every steps."""
    theta = theta0.detach().clone().requires_grad_(True)
    opt = FIRST_ORDER[optimizer]([theta], lr=lr, **kwargs)
    rows = []
    for step in range(passes + 1):
        opt.zero_grad()
        value = f(theta)
        if step % log_every == 0 or step == passes or not math.isfinite(float(value.detach())):
            rows.append({"passes": step, "loss": float(value.detach())})
        if step == passes or not math.isfinite(float(value.detach())):
            break
        value.backward()
        opt.step()
    return pd.DataFrame(rows)


def newton_passes(path: pd.DataFrame, n_params: int) -> pd.Series:
    """Gradient-equivalent passes of damped Newton: a gradient, P Hessian-vector products (2 each), loss evals."""
    k = path["iter"].to_numpy()
    return k * (hessian_free.GRAD_PASSES + hessian_free.PRODUCT_PASSES * n_params) \
        + hessian_free.LOSS_PASSES * path["loss_evals"].to_numpy()


def at_budget(history: pd.DataFrame, budget: float) -> float:
    """Lowest loss reached within the pass budget (the last accepted iterate's loss)."""
    within = history[history.passes <= budget]
    return float(within.loss.min()) if len(within) and within.loss.notna().any() else math.nan


def _first_order_runs(f, theta0, budget: float, lrs: dict, seed: int, role: str) -> list[pd.DataFrame]:
    """SGD with momentum and Adam from theta0 at each listed learning rate, `budget` passes each."""
    frames = []
    for opt in ("sgd", "adam"):
        for lr in lrs[opt]:
            kw = {"momentum": 0.9} if opt == "sgd" else {}
            h = first_order(f, theta0, opt, lr, budget, log_every=max(1, budget // 200), **kw)
            frames.append(h.assign(method=opt, lr=lr, seed=seed, role=role))
    return frames


def _hf_run(spec, layout, f, x, theta0, budget: float, cg_iters: int, damping: float, seed: int) -> pd.DataFrame:
    """Hessian-free (Gauss-Newton products, squared error) from theta0 with a budget of gradient-equivalent passes."""
    hf_spec = hessian_free.HFSpec(steps=budget, cg_iters=cg_iters, damping=damping, max_passes=budget)
    _, hist = hessian_free.hf_minimize(f, lambda t: hs.gn_operator(spec, layout, t, x, "mse"), theta0, hf_spec)
    return hist[["passes", "loss"]].assign(method="hessian_free", lr=math.nan, seed=seed, role="eval")


def chosen_lrs(tuning: pd.DataFrame, budget: float) -> dict[str, list[float]]:
    """Per first-order method the learning rate with the lowest median loss at the budget over the tuning seeds."""
    best = best_runs(tuning, budget, role="tuning")
    return {m: sorted(best[best.method == m].lr.unique().tolist()) for m in ("sgd", "adam")}


def _tuned(problem, tuning_seeds, budget: float, lrs: dict) -> tuple[list[pd.DataFrame], dict]:
    """First-order runs at every learning rate on the tuning seeds, and the learning rates they choose."""
    frames = []
    for seed in tuning_seeds:
        f, _, theta0 = problem(seed)
        frames += _first_order_runs(f, theta0, budget, lrs, seed, "tuning")
    return frames, chosen_lrs(pd.concat(frames, ignore_index=True), budget)


def tiny_training(cfg: dict, seeds, tuning_seeds) -> pd.DataFrame:
    """Exact damped Newton, Hessian-free, SGD and Adam on a tiny ReLU regression network, equal pass budget;
    learning rates chosen on tuning_seeds, every method measured on seeds (role column)."""
    spec = models.MLPSpec(2, tuple(cfg["tiny_widths"]), 1, "relu")
    layout = hs.layout_of(spec)
    budget = cfg["tiny_passes"]

    def problem(seed):
        x, y = tasks.make(cfg["tiny_task"], cfg["tiny_n"], seed)
        x, y = x.double(), y.double().reshape(-1, 1)
        return hs.loss_fn(spec, layout, x, y, "mse"), x, hs.init_theta(spec, seed)

    frames, lrs = _tuned(problem, tuning_seeds, budget, {"sgd": cfg["sgd_lrs"], "adam": cfg["adam_lrs"]})
    per_step = hessian_free.GRAD_PASSES + hessian_free.PRODUCT_PASSES * layout.n
    for seed in seeds:
        f, x, theta0 = problem(seed)
        path = newton.newton_minimize(f, theta0, max(1, math.ceil(budget / per_step)))
        path = path.assign(passes=newton_passes(path, layout.n))
        frames.append(path[path.passes <= budget][["passes", "loss"]].assign(method="newton", lr=math.nan, seed=seed,
                                                                             role="eval"))
        frames.append(_hf_run(spec, layout, f, x, theta0, budget, cfg["cg_iters"], cfg["hf_damping"], seed))
        frames += _first_order_runs(f, theta0, budget, lrs, seed, "eval")
    return pd.concat(frames, ignore_index=True).assign(n_params=layout.n)


def autoencoder(cfg: dict, seeds, tuning_seeds) -> pd.DataFrame:
    """Hessian-free (Gauss-Newton products) vs SGD with momentum and Adam on a deep digits autoencoder; learning
    rates chosen on tuning_seeds."""
    spec = models.MLPSpec(64, tuple(cfg["ae_widths"]), 64, cfg["ae_activation"])
    layout = hs.layout_of(spec)
    budget = cfg["ae_passes"]

    def problem(seed):
        x, _ = digits_subset(cfg["ae_n"], seed)
        return hs.loss_fn(spec, layout, x, x, "mse"), x, hs.init_theta(spec, seed)

    frames, lrs = _tuned(problem, tuning_seeds, budget, {"sgd": cfg["ae_sgd_lrs"], "adam": cfg["ae_adam_lrs"]})
    for seed in seeds:
        f, x, theta0 = problem(seed)
        frames.append(_hf_run(spec, layout, f, x, theta0, budget, cfg["ae_cg_iters"], cfg["hf_damping"], seed))
        frames += _first_order_runs(f, theta0, budget, lrs, seed, "eval")
    return pd.concat(frames, ignore_index=True).assign(n_params=layout.n)


def best_runs(history: pd.DataFrame, budget: float, role: str = "eval") -> pd.DataFrame:
    """Per method the learning rate with the lowest median loss at the budget over the *tuning* seeds; the runs of
    `role` ('eval': the evaluation seeds) at that learning rate, one row per (method, seed). Methods without a
    learning rate (lr NaN) are returned as they are."""
    final = history.groupby(["method", "lr", "seed", "role"], dropna=False).apply(
        lambda g: pd.Series({"loss": at_budget(g, budget), "finite": bool(np.isfinite(g.loss).all())}),
        include_groups=False).reset_index()
    tune = final[final.role == "tuning"].dropna(subset=["lr"])
    med = tune.groupby(["method", "lr"]).loss.median().reset_index()
    best = med.loc[med.groupby("method").loss.idxmin().dropna().astype(int)][["method", "lr"]]
    runs = final[final.role == role]
    return pd.concat([runs.merge(best, on=["method", "lr"]), runs[runs.lr.isna()]], ignore_index=True)
