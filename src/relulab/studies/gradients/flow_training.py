"""R6: gradient flow DURING training, ReLU family (ReLU, leaky ReLU, PReLU, ELU, RReLU) against sigmoidal units
(sigmoid, tanh, softsign). Every activation gets its own variance-preserving init (LSUV-style, Mishkin & Matas
2015: each layer's weights scaled so that its pre-activations have unit variance on a probe batch, for that
activation) and its own learning rate chosen on tuning seeds; along training a probe batch records the per-layer
back-propagated gradient norms and saturated fractions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from relulab.core import models, train
from relulab.core.stats import grid_edge
from relulab.studies.gradients.convergence import tag_roles
from relulab.studies.gradients.flow import layer_table

RELU_FAMILY = ("relu", "leaky_relu", "prelu", "rrelu", "elu")
SIGMOIDAL = ("sigmoid", "tanh", "softsign")


@torch.no_grad()
def lsuv(spec: models.MLPSpec, params: dict, x: torch.Tensor) -> dict:
    """Scale each hidden layer's weights, first to last, so its pre-activations have variance 1 on x (per model)."""
    p = {k: v.clone() for k, v in params.items()}
    for i in range(len(spec.widths)):
        _, hidden = models.forward(spec, p, x, return_hidden=True)
        std = hidden[i][0].flatten(1).std(1).clamp_min(1e-12)
        p[f"W{i}"] /= std[:, None, None]
        p[f"b{i}"] /= std[:, None]
    return p


def probe_spec(spec: models.MLPSpec, params: dict, x: torch.Tensor, y: torch.Tensor) -> pd.DataFrame:
    """Per (model, hidden layer) statistics of one forward/backward pass in evaluation mode (flow.layer_table)."""
    p = {k: v.detach().clone().requires_grad_(not models.is_buffer(k)) for k, v in params.items()}
    out, hidden = models.forward(spec, p, x, return_hidden=True)
    for pre, _ in hidden:
        pre.retain_grad()
    train.per_model_ce(out, y).sum().backward()
    L = len(hidden)
    return layer_table(spec.activation, hidden, [pre.grad for pre, _ in hidden], [p[f"W{i}"].grad for i in range(L)])


def train_flow(activation: str, x, y, x_probe, y_probe, *, depth: int, width: int, lr: float, steps: int,
               batch_size: int, every: int, seeds, tuning_seeds) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train one activation at one learning rate (tuning and evaluation seeds stacked); return the per-layer probe
    table every `every` steps and the per-seed final training loss/accuracy (whole training set), with roles."""
    everyone = list(tuning_seeds) + list(seeds)
    spec = models.MLPSpec(x.shape[1], (width,) * depth, int(y.max()) + 1, activation, init="xavier")
    params = lsuv(spec, models.init_params(spec, everyone), x_probe)
    store = []

    def callback(step, p, losses):
        if (step + 1) % every == 0:
            store.append(probe_spec(spec, p, x_probe, y_probe).assign(step=step + 1))

    store.append(probe_spec(spec, params, x_probe, y_probe).assign(step=0))
    res = train.train(spec, train.TrainSpec("sgd", lr, steps, batch_size, loss="ce", log_every=max(steps, 1)),
                      params, x, y, seeds=everyone, step_callback=callback)
    probes = pd.concat(store, ignore_index=True)
    probes["seed"] = [everyone[m] for m in probes.model]
    final = res.final.assign(diverged=res.diverged)
    keep = ["activation", "lr", "seed", "role"]
    return (tag_roles(probes.assign(activation=activation, lr=lr), tuning_seeds),
            tag_roles(final.assign(activation=activation, lr=lr), tuning_seeds)[keep + ["train_loss", "train_acc",
                                                                                          "diverged"]])


def flow_sweep(x, y, x_probe, y_probe, *, activations, lrs, seeds, tuning_seeds, **kw) -> tuple[pd.DataFrame,
                                                                                                   pd.DataFrame]:
    """Two phases: every activation at every learning rate on the tuning seeds; then the evaluation seeds only at
    each activation's chosen rate (chosen_lrs). Returns (probe table, final table) of both phases."""
    runs = [train_flow(a, x, y, x_probe, y_probe, lr=lr, seeds=[], tuning_seeds=tuning_seeds, **kw)
            for a in activations for lr in lrs]
    best = chosen_lrs(pd.concat([r[1] for r in runs], ignore_index=True))
    runs += [train_flow(a, x, y, x_probe, y_probe, lr=lr, seeds=seeds, tuning_seeds=(), **kw)
             for a, lr in zip(best.activation, best.lr)]
    return pd.concat([r[0] for r in runs], ignore_index=True), pd.concat([r[1] for r in runs], ignore_index=True)


def chosen_lrs(final: pd.DataFrame) -> pd.DataFrame:
    """Per activation: the learning rate with the lowest median final training loss on the TUNING seeds (a
    diverged run counts as infinite loss), with grid_edge and the number of tuning seeds."""
    tune = final[final.role == "tuning"].assign(
        loss=lambda d: np.where(d.diverged | ~np.isfinite(d.train_loss), np.inf, d.train_loss))
    med = tune.groupby(["activation", "lr"]).loss.median().reset_index()
    best = med.sort_values(["activation", "loss", "lr"]).groupby("activation").head(1)[["activation", "lr"]]
    grids = final.groupby("activation").lr.unique()
    best["lr_edge"] = [grid_edge(lr, grids[a]) for a, lr in zip(best.activation, best.lr)]
    best["n_tuning"] = [int(tune[tune.activation == a].seed.nunique()) for a in best.activation]
    return best.reset_index(drop=True)


def flow_per_seed(probes: pd.DataFrame, final: pd.DataFrame) -> pd.DataFrame:
    """Per (activation, evaluation seed) at the chosen rate: median over the checkpoints after step 0 of
    |log10 first/last-layer gradient-norm ratio|, mean saturated fraction over layers and checkpoints, final
    training accuracy."""
    best = chosen_lrs(final)
    p = probes[probes.role == "eval"].merge(best[["activation", "lr"]])
    first = p[p.layer == 1].set_index(["activation", "seed", "step"]).bgrad_norm
    last = p[p.layer == p.layer.max()].set_index(["activation", "seed", "step"]).bgrad_norm
    ratio = np.abs(np.log10(first / last)).rename("abs_log10_ratio").reset_index()
    during = ratio[ratio.step > 0].groupby(["activation", "seed"]).abs_log10_ratio.median()
    sat = p[p.step > 0].groupby(["activation", "seed"]).saturated.mean()
    acc = final[final.role == "eval"].merge(best).set_index(["activation", "seed"]).train_acc
    out = pd.concat([during, sat.rename("saturated"), acc.rename("final_train_acc")], axis=1).reset_index()
    return out.merge(best, on="activation")
