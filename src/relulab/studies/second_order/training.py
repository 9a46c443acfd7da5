"""Training-run drivers of the second_order family: damped Newton and Hessian-free vs first-order methods at
equal gradient-equivalent passes (H3, H7), and RMSProp's second moment vs the Gauss-Newton diagonal (H6)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import torch
from scipy import stats
from torch.func import grad, vmap

from relulab.core import models, tasks
from relulab.studies.second_order import hessian_free, newton
from relulab.studies.second_order import hessian as hs
from relulab.studies.second_order.experiments import digits_subset

FIRST_ORDER = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop}


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


def _hf_and_first_order(spec, layout, f, x, theta0, budget: float, cg_iters: int, damping: float, lrs: dict,
                        seed: int) -> list[pd.DataFrame]:
    """Hessian-free (Gauss-Newton products, squared error) and SGD with momentum / Adam at each learning rate,
    every method with the same budget of gradient-equivalent passes from theta0."""
    hf_spec = hessian_free.HFSpec(steps=budget, cg_iters=cg_iters, damping=damping, max_passes=budget)
    _, hist = hessian_free.hf_minimize(f, lambda t: hs.gn_operator(spec, layout, t, x, "mse"), theta0, hf_spec)
    frames = [hist[["passes", "loss"]].assign(method="hessian_free", lr=math.nan, seed=seed)]
    for opt in ("sgd", "adam"):
        for lr in lrs[opt]:
            kw = {"momentum": 0.9} if opt == "sgd" else {}
            h = first_order(f, theta0, opt, lr, budget, log_every=max(1, budget // 200), **kw)
            frames.append(h.assign(method=opt, lr=lr, seed=seed))
    return frames


def tiny_training(cfg: dict, seeds) -> pd.DataFrame:
    """Exact damped Newton, Hessian-free, SGD and Adam on a tiny ReLU regression network, equal pass budget."""
    spec = models.MLPSpec(2, tuple(cfg["tiny_widths"]), 1, "relu")
    layout = hs.layout_of(spec)
    frames = []
    for seed in seeds:
        x, y = tasks.make(cfg["tiny_task"], cfg["tiny_n"], seed)
        x, y = x.double(), y.double().reshape(-1, 1)
        f = hs.loss_fn(spec, layout, x, y, "mse")
        theta0 = hs.init_theta(spec, seed)
        budget = cfg["tiny_passes"]
        per_step = hessian_free.GRAD_PASSES + hessian_free.PRODUCT_PASSES * layout.n
        path = newton.newton_minimize(f, theta0, max(1, math.ceil(budget / per_step)))
        path = path.assign(passes=newton_passes(path, layout.n))
        frames.append(path[path.passes <= budget][["passes", "loss"]].assign(method="newton", lr=math.nan, seed=seed))
        lrs = {"sgd": cfg["sgd_lrs"], "adam": cfg["adam_lrs"]}
        frames += _hf_and_first_order(spec, layout, f, x, theta0, budget, cfg["cg_iters"], cfg["hf_damping"], lrs,
                                      seed)
    return pd.concat(frames, ignore_index=True).assign(n_params=layout.n)


def autoencoder(cfg: dict, seeds) -> pd.DataFrame:
    """Hessian-free (Gauss-Newton products) vs SGD with momentum and Adam on a deep digits autoencoder."""
    widths = tuple(cfg["ae_widths"])
    spec = models.MLPSpec(64, widths, 64, cfg["ae_activation"])
    layout = hs.layout_of(spec)
    frames = []
    for seed in seeds:
        x, _ = digits_subset(cfg["ae_n"], seed)
        f = hs.loss_fn(spec, layout, x, x, "mse")
        theta0 = hs.init_theta(spec, seed)
        budget = cfg["ae_passes"]
        lrs = {"sgd": cfg["ae_sgd_lrs"], "adam": cfg["ae_adam_lrs"]}
        frames += _hf_and_first_order(spec, layout, f, x, theta0, budget, cfg["ae_cg_iters"], cfg["hf_damping"], lrs,
                                      seed)
    return pd.concat(frames, ignore_index=True).assign(n_params=layout.n)


def best_runs(history: pd.DataFrame, budget: float) -> pd.DataFrame:
    """Per method: the learning rate with the lowest median loss at the budget; one row per (method, seed)."""
    final = history.groupby(["method", "lr", "seed"], dropna=False).apply(
        lambda g: pd.Series({"loss": at_budget(g, budget), "finite": bool(np.isfinite(g.loss).all())}),
        include_groups=False).reset_index()
    med = final.groupby(["method", "lr"], dropna=False).loss.median().reset_index()
    best = med.loc[med.groupby("method").loss.idxmin().dropna().astype(int)][["method", "lr"]]
    nan_lr = final[final.lr.isna()]
    picked = final.merge(best.dropna(subset=["lr"]), on=["method", "lr"])
    return pd.concat([picked, nan_lr], ignore_index=True)


# --- H6: RMSProp's second moment vs the Gauss-Newton diagonal ---------------------------------------

def rmsprop_curvature(cfg: dict, seeds) -> pd.DataFrame:
    """Spearman correlation across parameters between RMSProp's running mean of g^2 and the GN/Fisher diagonal."""
    spec = models.MLPSpec(64, tuple(cfg["rms_widths"]), 10, "relu")
    layout = hs.layout_of(spec)
    rows = []
    for seed in seeds:
        x, y = digits_subset(cfg["rms_n"], seed)
        probe = slice(0, cfg["rms_probe"])
        theta = hs.init_theta(spec, seed).requires_grad_(True)
        opt = torch.optim.RMSprop([theta], lr=cfg["rms_lr"], alpha=cfg["rms_alpha"])
        g = torch.Generator().manual_seed(seed)
        per_example = vmap(grad(lambda t, xi, yi: hs.loss_of(hs.outputs(spec, layout, t, xi[None]), yi[None], "ce")),
                           in_dims=(None, 0, 0))
        for step in range(cfg["rms_steps"] + 1):
            if step > 0 and step % cfg["rms_every"] == 0:
                t = theta.detach()
                v = opt.state[theta]["square_avg"]
                gn = hs.gauss_newton_diagonal(spec, layout, t, x[probe], "ce")
                fisher = (per_example(t, x[probe], y[probe]) ** 2).mean(0)
                rows.append({"seed": seed, "step": step,
                             "spearman_gn": stats.spearmanr(v.numpy(), gn.numpy()).statistic,
                             "spearman_empirical_fisher": stats.spearmanr(v.numpy(), fisher.numpy()).statistic,
                             "spearman_gn_fisher": stats.spearmanr(gn.numpy(), fisher.numpy()).statistic,
                             "loss": float(hs.loss_fn(spec, layout, x, y, "ce")(t))})
            if step == cfg["rms_steps"]:
                break
            idx = torch.randint(0, len(x), (cfg["rms_batch"],), generator=g)
            opt.zero_grad()
            hs.loss_of(hs.outputs(spec, layout, theta, x[idx]), y[idx], "ce").backward()
            opt.step()
    return pd.DataFrame(rows)
