"""RMSProp's curvature (H6): does its running mean of squared gradients order the parameters by curvature (the exact
Gauss-Newton diagonal) better than curvature-blind baselines, and does its preconditioned step point closer to the
damped Gauss-Newton step than plain SGD's step?

Curvature-blind baselines, named before the runs (config/claims.yaml, H6):
- `input_second_moment`: per weight, the mean square over the probe batch of the input it multiplies (a pixel for
  the first layer, a hidden unit's activation above it); 1 for a bias. It knows the data, not the loss.
- `minibatch_sq_grad`: one mini-batch's squared gradient at the checkpoint, without RMSProp's running average.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from scipy import stats
from torch.func import grad, vmap

from relulab.core import models
from relulab.studies.second_order import hessian as hs
from relulab.studies.second_order.experiments import digits_subset

BASELINES = ("input_second_moment", "minibatch_sq_grad")
DAMPING_FACTORS = {"": 1.0, "_low": 0.1, "_high": 10.0}  # column suffix -> factor on rms_gn_damping


def input_second_moment(spec: models.MLPSpec, layout: hs.Layout, theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Per parameter: mean square of the input it multiplies (x, then each hidden layer's output); 1 for biases."""
    _, hidden = models.forward(spec, hs.unflatten(theta, layout), x, return_hidden=True)
    inputs = [x] + [h[0] for _, h in hidden]
    parts = []
    for name, shape in zip(layout.names, layout.shapes):
        if name.startswith("W"):
            m2 = (inputs[int(name[1:])] ** 2).mean(0)
            parts.append(m2.expand(shape).reshape(-1))
        else:
            parts.append(torch.ones(shape, dtype=theta.dtype).reshape(-1))
    return torch.cat(parts)


def cosine(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(a @ b / (a.norm() * b.norm()).clamp_min(1e-300))


def step_cosines(G: torch.Tensor, g: torch.Tensor, v: torch.Tensor, eps: float, damping: float) -> dict[str, float]:
    """Cosine of the RMSProp step g / (sqrt(v) + eps) and of the SGD step g with the damped Gauss-Newton step
    (G + lambda I)^-1 g, lambda = factor * damping * mean diag(G), at each factor of DAMPING_FACTORS."""
    rms = g / (v.sqrt() + eps)
    G = 0.5 * (G + G.T)
    eye = torch.eye(len(g), dtype=G.dtype)
    out = {}
    for suffix, factor in DAMPING_FACTORS.items():
        lam = factor * damping * float(torch.diagonal(G).mean())
        gn = torch.cholesky_solve(g.unsqueeze(1), torch.linalg.cholesky(G + lam * eye)).squeeze(1)
        out[f"cos_rms_gn{suffix}"], out[f"cos_sgd_gn{suffix}"] = cosine(rms, gn), cosine(g, gn)
    return out


def _checkpoint(spec, layout, theta, v, eps, x, y, batch_grad, cfg, cosines: bool = True) -> dict[str, float]:
    """Spearman correlations with the GN diagonal (RMSProp, baselines, empirical Fisher) and, where `cosines`, the
    step cosines (the tuning seeds, which only choose the baseline, skip them: they need the whole GN matrix)."""
    per_example = vmap(grad(lambda t, xi, yi: hs.loss_of(hs.outputs(spec, layout, t, xi[None]), yi[None], "ce")),
                       in_dims=(None, 0, 0))
    G = hs.gauss_newton(spec, layout, theta, x, y, "ce") if cosines else None
    gn = (torch.diagonal(G) if cosines else hs.gauss_newton_diagonal(spec, layout, theta, x, "ce")).numpy()
    g = grad(hs.loss_fn(spec, layout, x, y, "ce"))(theta)
    rho = lambda a: float(stats.spearmanr(np.asarray(a), gn).statistic)  # noqa: E731
    return {"spearman_gn": rho(v.numpy()),
            "spearman_empirical_fisher": float(stats.spearmanr(v.numpy(), (per_example(theta, x, y) ** 2).mean(0)
                                                               .numpy()).statistic),
            "spearman_input_second_moment": rho(input_second_moment(spec, layout, theta, x).numpy()),
            "spearman_minibatch_sq_grad": rho((batch_grad ** 2).numpy()),
            **(step_cosines(G, g, v, eps, cfg["rms_gn_damping"]) if cosines else {})}


def _run(spec, layout, cfg: dict, seed: int, role: str) -> list[dict]:
    """One RMSProp run on a digits subset; the checkpoint statistics every rms_every steps."""
    x, y = digits_subset(cfg["rms_n"], seed)
    probe = slice(0, cfg["rms_probe"])
    theta = hs.init_theta(spec, seed).requires_grad_(True)
    opt = torch.optim.RMSprop([theta], lr=cfg["rms_lr"], alpha=cfg["rms_alpha"])
    gen = torch.Generator().manual_seed(seed)
    rows = []
    for step in range(cfg["rms_steps"] + 1):
        idx = torch.randint(0, len(x), (cfg["rms_batch"],), generator=gen)
        opt.zero_grad()
        hs.loss_of(hs.outputs(spec, layout, theta, x[idx]), y[idx], "ce").backward()
        if step > 0 and step % cfg["rms_every"] == 0:
            t = theta.detach()
            row = _checkpoint(spec, layout, t, opt.state[theta]["square_avg"], opt.defaults["eps"], x[probe],
                              y[probe], theta.grad.detach().clone(), cfg, cosines=role == "eval")
            rows.append({"seed": seed, "role": role, "step": step, **row,
                         "loss": float(hs.loss_fn(spec, layout, x, y, "ce")(t))})
        if step == cfg["rms_steps"]:
            break
        opt.step()
    return rows


def rmsprop_curvature(cfg: dict, seeds, tuning_seeds) -> pd.DataFrame:
    """Checkpoint statistics of RMSProp runs of a digits ReLU network, tuning seeds (role 'tuning': they choose the
    best baseline) and evaluation seeds (role 'eval': they measure)."""
    spec = models.MLPSpec(64, tuple(cfg["rms_widths"]), 10, "relu")
    layout = hs.layout_of(spec)
    rows = []
    for role, group in (("tuning", tuning_seeds), ("eval", seeds)):
        for seed in group:
            rows += _run(spec, layout, cfg, seed, role)
    return pd.DataFrame(rows)


def best_baseline(table: pd.DataFrame) -> str:
    """The curvature-blind baseline with the highest median Spearman correlation with the GN diagonal over the
    tuning seeds (per-seed medians over checkpoints)."""
    tune = table[table.role == "tuning"]
    score = {b: float(tune.groupby("seed")[f"spearman_{b}"].median().median()) for b in BASELINES}
    return max(score, key=lambda b: score[b] if np.isfinite(score[b]) else -np.inf)
