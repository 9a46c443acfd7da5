"""Per-layer activation and gradient statistics of stacked MLPs (Glorot & Bengio 2010's per-layer picture)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from relulab.core import activations, models, train

PERCENTILES = (2, 15, 50, 85, 98)
SATURATION_TOL = 0.025  # a unit is saturated within 2.5% of its output range from a bound


def max_derivative(name: str, lo: float = -10.0, hi: float = 10.0, n: int = 200_001) -> tuple[float, float]:
    """Largest derivative of activation `name` on a float64 grid, by autograd, and where it occurs."""
    z = torch.linspace(lo, hi, n, dtype=torch.float64, requires_grad=True)
    (d,) = torch.autograd.grad(activations.apply(name, z).sum(), z)
    i = int(torch.argmax(d))
    return float(d[i]), float(z.detach()[i])


def saturated_fraction(name: str, post: torch.Tensor, tol: float = SATURATION_TOL) -> torch.Tensor:
    """Per model (leading dim): fraction of outputs within tol x range of a bound; NaN if unbounded."""
    bounds = activations.saturation_bounds(name)
    if bounds is None:
        return torch.full((post.shape[0],), float("nan"), dtype=torch.float64)
    lo, hi = bounds
    margin = tol * (hi - lo)
    sat = (post <= lo + margin) | (post >= hi - margin)
    return sat.flatten(1).double().mean(1)


def _per_model(t: torch.Tensor):
    flat = t.detach().flatten(1).double()
    return flat, flat.norm(dim=1), flat.var(dim=1, unbiased=False)


def layer_table(name: str, hidden, back_grads, weight_grads, tol: float = SATURATION_TOL) -> pd.DataFrame:
    """One row per (model, hidden layer): activation mean/std/percentiles, saturation, gradient norms/variances.

    hidden: [(pre, post)] each (S, N, width); back_grads: dL/dpre per layer; weight_grads: dL/dW into each layer.
    """
    rows = []
    q = torch.tensor([p / 100 for p in PERCENTILES], dtype=torch.float64)
    for layer, ((pre, post), g, gw) in enumerate(zip(hidden, back_grads, weight_grads), start=1):
        acts, _, _ = _per_model(post)
        _, gnorm, gvar = _per_model(g)
        _, wnorm, wvar = _per_model(gw)
        pct = torch.quantile(acts, q, dim=1)
        sat = saturated_fraction(name, post.detach(), tol)
        for s in range(acts.shape[0]):
            row = {"model": s, "layer": layer, "act_mean": float(acts[s].mean()),
                   "act_std": float(acts[s].std(unbiased=False)), "saturated": float(sat[s]),
                   "bgrad_norm": float(gnorm[s]), "bgrad_var": float(gvar[s]),
                   "wgrad_norm": float(wnorm[s]), "wgrad_var": float(wvar[s])}
            row.update({f"act_p{p:02d}": float(pct[j, s]) for j, p in enumerate(PERCENTILES)})
            rows.append(row)
    return pd.DataFrame(rows)


def probe(name: str, params: dict, x: torch.Tensor, y: torch.Tensor, *, batch_norm: bool = False,
          tol: float = SATURATION_TOL) -> pd.DataFrame:
    """Forward and backward one batch (cross-entropy, mean over the batch) and tabulate every hidden layer."""
    p = {k: v.detach().clone().requires_grad_(True) for k, v in params.items()}
    out, hidden = models.forward_by_name(name, p, x, batch_norm=batch_norm)
    for pre, _ in hidden:
        pre.retain_grad()
    train.per_model_ce(out, y).sum().backward()
    L = len(hidden)
    back = [pre.grad for pre, _ in hidden]
    wgrads = [p[f"W{i}"].grad for i in range(L)]
    return layer_table(name, hidden, back, wgrads, tol)


def first_last_ratio(table: pd.DataFrame, col: str = "bgrad_norm") -> pd.Series:
    """Per model: the statistic at the first hidden layer divided by the one at the last hidden layer."""
    first = table[table.layer == 1].set_index("model")[col]
    last = table[table.layer == table.layer.max()].set_index("model")[col]
    return first / last


def decay_factor(layers, values) -> float:
    """Per-layer factor q of a geometric profile values ~ c q^(L - layer), by least squares on the log.

    q < 1: the quantity shrinks by q at every layer it travels towards the input.
    """
    layers, values = np.asarray(layers, float), np.asarray(values, float)
    ok = np.isfinite(values) & (values > 0)
    if ok.sum() < 2:
        return float("nan")
    slope = np.polyfit(layers[ok], np.log(values[ok]), 1)[0]
    return float(np.exp(-slope))


def jacobian_singular_values(name: str, params: dict, x: torch.Tensor, model: int = 0) -> np.ndarray:
    """Singular values of d h_L / d x (last hidden layer w.r.t. the input) for each row of x: (N, min(width, in))."""
    p = {k: v[model:model + 1].detach().double() for k, v in params.items()}
    L = models.n_hidden(p)
    out = []
    for xi in x.double():
        J = torch.eye(xi.numel(), dtype=torch.float64)
        h = xi
        for i in range(L):
            z = (p[f"W{i}"][0] @ h + p[f"b{i}"][0]).requires_grad_(True)
            (d,) = torch.autograd.grad(activations.apply(name, z).sum(), z)
            J = d[:, None] * (p[f"W{i}"][0] @ J)
            h = activations.apply(name, z.detach())
        out.append(torch.linalg.svdvals(J).numpy())
    return np.stack(out)


def depth_sweep(x: torch.Tensor, y: torch.Tensor, *, depths, activations, inits, width: int, seeds,
                n_classes: int = 10, jac_examples: int = 4) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-layer statistics at initialization for every (activation, init, depth) and seed; and Jacobian norms."""
    tables, jac_rows = [], []
    for act in activations:
        for init in inits:
            for depth in depths:
                params = models.init_by_name(act, x.shape[1], (width,) * depth, n_classes, init, seeds)
                t = probe(act, params, x, y)
                t.insert(0, "seed", [int(seeds[m]) for m in t.model])
                t.insert(0, "depth", depth)
                t.insert(0, "init", init)
                t.insert(0, "activation", act)
                tables.append(t)
                for m, seed in enumerate(seeds):
                    sv = jacobian_singular_values(act, params, x[:jac_examples], m)
                    jac_rows.append({"activation": act, "init": init, "depth": depth, "seed": int(seed),
                                     "jac_top_sv": float(np.median(sv[:, 0])),
                                     "jac_median_sv": float(np.median(np.median(sv, axis=1)))})
    return pd.concat(tables, ignore_index=True), pd.DataFrame(jac_rows)


def decay_table(table: pd.DataFrame, col: str = "bgrad_norm") -> pd.DataFrame:
    """Per (activation, init, depth, seed): fitted per-layer decay factor and first/last-layer ratio."""
    rows = []
    for key, g in table.groupby(["activation", "init", "depth", "seed"]):
        g = g.sort_values("layer")
        first, last = g[col].iloc[0], g[col].iloc[-1]
        rows.append(dict(zip(["activation", "init", "depth", "seed"], key),
                         decay_factor=decay_factor(g.layer, g[col]),
                         first_last_ratio=float(first / last) if last > 0 else float("nan")))
    return pd.DataFrame(rows)


def track_training(activations, x, y, x_eval, y_eval, x_test, y_test, x_probe, y_probe, *, depth: int,
                   width: int, init: str, lr: float, steps: int, batch_size: int, every: int, seeds) -> pd.DataFrame:
    """Per-layer statistics on a fixed probe batch every `every` SGD steps, for each activation."""
    from relulab.studies.gradients.convergence import RunSpec, train_stack

    frames = []
    for act in activations:
        run = RunSpec(act, (width,) * depth, init=init, lr=lr, steps=steps, batch_size=batch_size, eval_every=every)
        store = []

        def callback(step, params, act=act, store=store):
            t = probe(act, params, x_probe, y_probe)
            t["step"] = step
            store.append(t)

        _, hist = train_stack(run, x, y, x_eval, y_eval, x_test, y_test, seeds=seeds, callback=callback)
        t = pd.concat(store, ignore_index=True)
        t["seed"] = [int(seeds[m]) for m in t.model]
        t["activation"] = act
        frames.append(t.merge(hist[["seed", "step", "train_loss", "train_acc"]], on=["seed", "step"]))
    return pd.concat(frames, ignore_index=True)


def saturation_runs(x, y, x_eval, y_eval, x_test, y_test, x_probe, y_probe, *, lrs, depth: int, width: int,
                    init: str, steps: int, batch_size: int, every: int, seeds) -> pd.DataFrame:
    """Sigmoid networks tracked over a long run at each learning rate (Glorot & Bengio 2010 watched the top hidden
    layer saturate over many epochs): the per-layer statistics of track_training with an `lr` column."""
    frames = [track_training(["sigmoid"], x, y, x_eval, y_eval, x_test, y_test, x_probe, y_probe, depth=depth,
                             width=width, init=init, lr=lr, steps=steps, batch_size=batch_size, every=every,
                             seeds=seeds).assign(lr=lr) for lr in lrs]
    return pd.concat(frames, ignore_index=True)


RELU_FAMILY = ("relu", "leaky_relu", "elu")
SIGMOIDAL = ("sigmoid", "tanh", "softsign")


def recommended_init(activation: str, inits) -> str:
    """He for the ReLU family, Xavier for sigmoidal units; the first available init otherwise."""
    want = "he" if activation in RELU_FAMILY else "xavier"
    return want if want in inits else list(inits)[0]
