"""Experiment drivers of the second_order family (H1-H7, F3, R7): each returns tidy data frames."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import torch
from scipy import optimize, stats
from scipy.signal import find_peaks
from torch.func import grad, hessian, vmap

from relulab.studies.second_order import backprop_numpy, hessian_free, newton
from relulab.core import data, models, tasks
from relulab.studies.second_order import hessian as hs

FIRST_ORDER = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "rmsprop": torch.optim.RMSprop}


# --- H1, H2: the transfer functions themselves -------------------------------------------------------

def second_derivatives(names, points, h: float) -> pd.DataFrame:
    """f'' by autograd and by the central second difference (f(x+h) - 2 f(x) + f(x-h)) / h^2."""
    rows = []
    for name in names:
        f = newton.transfer(name)
        at = lambda u, f=f: float(f(torch.tensor(u, dtype=torch.float64)))  # noqa: E731
        for x in points:
            fd = (at(x + h) - 2 * at(x) + at(x - h)) / h ** 2
            rows.append({"activation": name, "x": x, "autograd": newton.derivatives(f, x)[2], "finite_difference": fd,
                         "away_from_kink": abs(x) > 2 * h})
    return pd.DataFrame(rows)


def scalar_newton_paths(names, starts, steps: int) -> pd.DataFrame:
    """Newton's iteration for a stationary point of each transfer function from each start."""
    frames = []
    for name in names:
        for x0 in starts:
            path = newton.scalar_newton(newton.transfer(name), x0, steps)
            frames.append(path.assign(activation=name, x0=x0, stationary=newton.found_stationary_point(path)))
    return pd.concat(frames, ignore_index=True)


# --- H2, H3, F3: one neuron -------------------------------------------------------------------------

def neuron_newton(seeds, n: int, in_dim: int, steps: int) -> pd.DataFrame:
    """Damped Newton on one ReLU neuron with squared error (teacher targets), from a random start per seed."""
    frames = []
    for seed in seeds:
        x, y, _ = newton.neuron_data(n, in_dim, seed)
        f = newton.neuron_loss(x, y)
        theta0 = torch.randn(in_dim + 1, generator=torch.Generator().manual_seed(seed + 10_000), dtype=torch.float64)
        H0 = hessian(f)(theta0)
        path = newton.newton_minimize(f, theta0, steps)
        frames.append(path.assign(seed=seed, hessian_norm_init=float(H0.norm())))
    return pd.concat(frames, ignore_index=True)


def neuron_convexity(seeds, n: int, in_dim: int, n_points: int, scale: float) -> pd.DataFrame:
    """Smallest Hessian eigenvalue of a sigmoid neuron's loss (ce and mse) at random parameter points."""
    rows = []
    for seed in seeds:
        g = torch.Generator().manual_seed(seed)
        x = torch.randn(n, in_dim, generator=g, dtype=torch.float64)
        w = torch.randn(in_dim + 1, generator=g, dtype=torch.float64)
        y = (torch.rand(n, generator=g, dtype=torch.float64) < torch.sigmoid(x @ w[:-1] + w[-1])).double()
        losses = {"mse": newton.neuron_loss(x, y, "sigmoid"),
                  "ce": lambda th: torch.nn.functional.binary_cross_entropy_with_logits(x @ th[:-1] + th[-1], y)}
        for k in range(n_points):
            th = scale * torch.randn(in_dim + 1, generator=g, dtype=torch.float64)
            for loss, f in losses.items():
                ev = hs.spectrum(hessian(f)(th))
                rows.append({"seed": seed, "point": k, "loss": loss, "min_eig": ev[0], "max_eig": ev[-1]})
    return pd.DataFrame(rows)


def one_d_landscape(xs, ys, w_max: float, n_grid: int, prominence: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean squared error of sigma(w x) on a 1-D data set over a grid of w, and its verified local minima."""
    x, y = np.asarray(xs, float), np.asarray(ys, float)
    f = lambda w: float(np.mean((1 / (1 + np.exp(-w * x)) - y) ** 2))  # noqa: E731
    ft = lambda w: ((torch.sigmoid(w * torch.from_numpy(x)) - torch.from_numpy(y)) ** 2).mean()  # noqa: E731
    grid = np.linspace(-w_max, w_max, n_grid)
    sg = 1 / (1 + np.exp(-np.outer(grid, x)))
    values = np.mean((sg - y) ** 2, axis=1)
    peaks, _ = find_peaks(-values, prominence=prominence)
    rows = []
    for p in peaks:
        res = optimize.minimize_scalar(f, bounds=(grid[p - 1], grid[p + 1]), method="bounded",
                                       options={"xatol": 1e-12})
        _, d1, d2 = newton.derivatives(ft, res.x)
        rows.append({"w": res.x, "loss": res.fun, "gradient": d1, "curvature": d2})
    ds = sg * (1 - sg)  # closed-form d2E/dw2 on the grid; the minima above use autograd
    curvature = np.mean(2 * x ** 2 * (ds ** 2 + (sg - y) * ds * (1 - 2 * sg)), axis=1)
    return pd.DataFrame({"w": grid, "loss": values, "curvature": curvature}), pd.DataFrame(rows)


# --- H3, H5, H7: Hessian structure of a small network on digits ----------------------------------------

def digits_subset(n: int, seed: int, regression_targets: bool = False):
    """n digits training images (float64) with labels, or with one-hot targets for mse."""
    ds = data.load("digits", n_train=n, seed=seed)
    x, y = ds.x_train.double(), ds.y_train
    return x, (torch.nn.functional.one_hot(y, 10).double() if regression_targets else y)


def adam_fit(f, theta0: torch.Tensor, lr: float, steps: int) -> torch.Tensor:
    """Full-batch Adam from theta0 for `steps` steps: a trained point at which to form Hessians."""
    theta = theta0.detach().clone().requires_grad_(True)
    opt = torch.optim.Adam([theta], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        f(theta).backward()
        opt.step()
    return theta.detach()


def hessian_structure(spec: models.MLPSpec, loss: str, n: int, n_output_examples: int, seeds,
                      train_steps: int = 0, train_lr: float = 0.01):
    """Per seed and state (init, trained): block norms/zeros of full, Gauss-Newton and rest; output-Hessian
    zeros; spectra; product errors."""
    layout = hs.layout_of(spec)
    blocks, zeros, spectra, products = [], [], [], []
    for seed in seeds:
        x, y = digits_subset(n, seed, loss == "mse")
        f = hs.loss_fn(spec, layout, x, y, loss)
        theta0 = hs.init_theta(spec, seed)
        states = {"init": theta0, **({"trained": adam_fit(f, theta0, train_lr, train_steps)} if train_steps else {})}
        for state, theta in states.items():
            tag = {"seed": seed, "state": state, "activation": spec.activation}
            parts = hs.split(spec, layout, theta, x, y, loss)
            for part, H in parts.items():
                blocks.append(hs.block_table(H, layout).assign(part=part, loss=float(f(theta)), **tag))
                spectra.append(pd.DataFrame({**tag, "part": part, "rank": np.arange(layout.n),
                                             "eigenvalue": hs.spectrum(H)}))
                if part != "rest":
                    zeros.append({**tag, "object": f"loss_{part}", **hs.zero_fractions(H, layout)})
            for i, Ho in enumerate(hs.output_hessians(spec, layout, theta, x[:n_output_examples])):
                zeros.append({**tag, "object": "output", "example": i, **hs.zero_fractions(Ho, layout)})
                blocks.append(hs.block_table(Ho, layout).assign(part="output", example=i, **tag))
            for k in range(3):
                v = torch.randn(layout.n, generator=torch.Generator().manual_seed(seed * 100 + k), dtype=torch.float64)
                products.append({**tag, "probe": k,
                                 "hvp_rel_error": hs.relative_error(hs.hvp(f, theta, v), parts["full"] @ v),
                                 "gnvp_rel_error": hs.relative_error(hs.gnvp(spec, layout, theta, x, y, loss, v),
                                                                     parts["gauss_newton"] @ v)})
    return (pd.concat(blocks, ignore_index=True), pd.DataFrame(zeros), pd.concat(spectra, ignore_index=True),
            pd.DataFrame(products))


# --- H4: cost of the explicit Hessian vs Hessian-vector products ------------------------------------------

def _timed(fn, repeats: int) -> float:
    """Fastest of `repeats` wall-clock runs: the least disturbed by other processes on shared cores."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.min(times))


def scaling(widths, n: int, repeats: int, seed: int) -> pd.DataFrame:
    """Seconds for a gradient, an HVP and the explicit Hessian of 64-w-10 ReLU networks on digits; bytes held."""
    x, y = digits_subset(n, seed)
    rows = []
    for w in widths:
        spec = models.MLPSpec(64, (w,), 10, "relu")
        layout = hs.layout_of(spec)
        theta = hs.init_theta(spec, seed)
        f = hs.loss_fn(spec, layout, x, y, "ce")
        v = torch.ones(layout.n, dtype=torch.float64)
        box = {}
        heavy = max(1, repeats // 2) if layout.n > 1500 else repeats
        t_h = _timed(lambda: box.update(H=hs.loss_hessian(f, theta)), heavy)
        rows.append({"width": w, "n_params": layout.n, "entries": layout.n ** 2,
                     "cross_term_fraction": 1 - 1 / layout.n,
                     "hessian_bytes": box["H"].element_size() * box["H"].numel(),
                     "vector_bytes": 8 * layout.n,
                     "gradient_s": _timed(lambda: grad(f)(theta), 10 * repeats),
                     "hvp_s": _timed(lambda: hs.hvp(f, theta, v), 10 * repeats), "hessian_s": t_h})
        del box
    return pd.DataFrame(rows)


def extrapolate(table: pd.DataFrame, column: str, n_params: float) -> tuple[float, float]:
    """Least-squares power law column ~ c * P^k over the measured sizes, evaluated at n_params: (value, k)."""
    k, c = np.polyfit(np.log(table.n_params), np.log(table[column]), 1)
    return float(np.exp(c) * n_params ** k), float(k)


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


def affine_cost(table: pd.DataFrame, column: str) -> tuple[float, float]:
    """Non-negative least-squares fit seconds = a + b * P (fixed overhead plus a per-parameter cost)."""
    A = np.stack([np.ones(len(table)), table.n_params.to_numpy(float)], 1)
    (a, b), _ = optimize.nnls(A, table[column].to_numpy(float))
    return float(a), float(b)


def explicit_hours(table: pd.DataFrame, n_params: float) -> float:
    """Hours for an explicit Hessian built from N Hessian-vector products, each costing a + b N (affine fit)."""
    a, b = affine_cost(table, "hvp_s")
    return float(n_params * (a + b * n_params) / 3600)


def newton_passes(path: pd.DataFrame, n_params: int) -> pd.Series:
    """Gradient-equivalent passes of damped Newton: a gradient, P Hessian-vector products (2 each), loss evals."""
    k = path["iter"].to_numpy()
    return k * (hessian_free.GRAD_PASSES + hessian_free.PRODUCT_PASSES * n_params) \
        + hessian_free.LOSS_PASSES * path["loss_evals"].to_numpy()


def at_budget(history: pd.DataFrame, budget: float) -> float:
    """Lowest loss reached within the pass budget (the last accepted iterate's loss)."""
    within = history[history.passes <= budget]
    return float(within.loss.min()) if len(within) and within.loss.notna().any() else math.nan


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
        hf_spec = hessian_free.HFSpec(steps=budget, cg_iters=cfg["cg_iters"], damping=cfg["hf_damping"],
                                      max_passes=budget)
        _, hist = hessian_free.hf_minimize(f, lambda t: hs.gn_operator(spec, layout, t, x, "mse"), theta0, hf_spec)
        frames.append(hist[["passes", "loss"]].assign(method="hessian_free", lr=math.nan, seed=seed))
        for opt in ("sgd", "adam"):
            for lr in cfg[f"{opt}_lrs"]:
                kw = {"momentum": 0.9} if opt == "sgd" else {}
                h = first_order(f, theta0, opt, lr, budget, log_every=max(1, budget // 200), **kw)
                frames.append(h.assign(method=opt, lr=lr, seed=seed))
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
        hf_spec = hessian_free.HFSpec(steps=budget, cg_iters=cfg["ae_cg_iters"], damping=cfg["hf_damping"],
                                      max_passes=budget)
        _, hist = hessian_free.hf_minimize(f, lambda t: hs.gn_operator(spec, layout, t, x, "mse"), theta0, hf_spec)
        frames.append(hist[["passes", "loss"]].assign(method="hessian_free", lr=math.nan, seed=seed))
        for opt in ("sgd", "adam"):
            for lr in cfg[f"ae_{opt}_lrs"]:
                kw = {"momentum": 0.9} if opt == "sgd" else {}
                h = first_order(f, theta0, opt, lr, budget, log_every=max(1, budget // 200), **kw)
                frames.append(h.assign(method=opt, lr=lr, seed=seed))
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


# --- R7: the hand-written back-propagation -----------------------------------------------------------

def gradient_checks(activations, widths, n: int, seeds) -> pd.DataFrame:
    """Relative error per layer of NumPy back-prop vs finite differences and vs torch autograd (digits, ce)."""
    rows = []
    for seed in seeds:
        x, y = digits_subset(n, seed)
        for act in activations:
            spec = models.MLPSpec(64, tuple(widths), 10, act, init="xavier")
            params = models.init_params(spec, [seed], dtype=torch.float64)
            layers = models.layers_of(spec, params, 0)
            table = backprop_numpy.gradient_check(layers, act, x.numpy(), y.numpy(), "ce")
            p = {k: v.clone().requires_grad_(True) for k, v in params.items()}
            hs.loss_of(models.forward(spec, p, x)[0], y, "ce").backward()
            _, bp = backprop_numpy.backward(layers, act, x.numpy(), y.numpy(), "ce")
            auto = [backprop_numpy.relative_error(np.concatenate([gw.ravel(), gb]),
                                                  np.concatenate([p[f"W{i}"].grad[0].numpy().ravel(),
                                                                  p[f"b{i}"].grad[0].numpy()]))
                    for i, (gw, gb) in enumerate(bp)]
            rows.append(table.assign(seed=seed, activation=act, autograd_rel_error=auto))
    return pd.concat(rows, ignore_index=True)


# --- evidence: claim statistics and summary tables ------------------------------------------------

NEG_TOL = -1e-10  # an eigenvalue below this counts as negative (float64 round-off is ~1e-16 here)


def _ci(values, stat="median"):
    from relulab.core.stats import bootstrap_ci
    est, lo, hi = bootstrap_ci(np.asarray(values, float), stat)
    return est, (lo, hi), int(np.isfinite(np.asarray(values, float)).sum())


def training_per_seed(history: pd.DataFrame, budget: float) -> pd.DataFrame:
    """Loss at the budget per seed (columns: methods at their best learning rate)."""
    best = best_runs(history, budget)
    return best.pivot_table(index="seed", columns="method", values="loss")


def claim_rows(t: dict[str, pd.DataFrame], ev: dict[str, str], extrapolate_params: float, tiny_passes: float,
               ae_passes: float) -> list[dict]:
    """Every claim statistic of the family from its tables (t: name -> frame), named as in config/claims.yaml."""
    from relulab.core.evidence import claim_row
    from relulab.core.stats import paired_bootstrap_ci
    rows = []

    def add(cid, stat, values=None, value=None, note="", kind="median"):
        if values is not None:
            est, ci, n = _ci(values, kind)
            rows.append(claim_row(cid, stat, est, ci, n, ev[cid], note))
        else:
            rows.append(claim_row(cid, stat, value, None, 1, ev[cid], note or "deterministic: no seed enters"))

    d = t["derivatives"]
    relu = d[d.activation == "relu"]
    away = relu[relu.away_from_kink]
    add("H1", "relu_max_abs_second_derivative", value=float(away.autograd.abs().max()),
        note="autograd (double back-prop) at every grid point with |x| > 2h; deterministic")
    add("H1", "relu_fd_max_abs", value=float(away.finite_difference.abs().max()),
        note="central second difference away from the kink; deterministic")
    add("H1", "relu_fd_at_zero", value=float(relu[relu.x.abs() < 1e-12].finite_difference.abs().max()),
        note="second difference straddling the kink: 1/h, a Dirac delta in the limit, not a finite value")

    n = t["newton"]
    runs = n.groupby(["activation", "x0"]).stationary.first()
    add("H2", "stationary_fraction", value=float(runs.mean()),
        note=f"Newton runs (transfer function x start) that reached a stationary point, of {len(runs)}")
    add("H2", "relu_stationary_fraction", value=float(runs.loc["relu"].mean()) if "relu" in runs.index else math.nan,
        note="ReLU runs only; deterministic")

    b = t["blocks"]
    full = b[(b.part == "full") & (b.activation == "relu")]
    nonzero = lambda s: float((s > 0).mean())  # noqa: E731
    add("H3", "nonzero_block_fraction", full[full.state == "init"].groupby("seed").frobenius.apply(nonzero),
        note="ReLU digits network, loss Hessian at initialization: layer-pair blocks with non-zero norm")
    if (full.state == "trained").any():
        add("H3", "trained_nonzero_block_fraction",
            full[full.state == "trained"].groupby("seed").frobenius.apply(nonzero), note="same after Adam training")
    nn_ = t["neuron"]
    add("H3", "neuron_hessian_norm", nn_.groupby("seed").hessian_norm_init.first(),
        note="one ReLU neuron, mean squared error, Hessian w.r.t. (w, b) at a random start")
    add("H3", "neuron_newton_converged", nn_.groupby("seed").loss.last() < 1e-10, kind="mean",
        note="fraction of seeds where damped Newton drove the one-neuron loss below 1e-10")
    tiny, ae = t["tiny"], t["autoencoder"]
    second = pd.concat([tiny[tiny.method.isin(["newton", "hessian_free"])], ae[ae.method == "hessian_free"]])
    bad = second.groupby(["method", "seed", "n_params"]).loss.apply(lambda s: not np.isfinite(s).all()).sum()
    bad += int(nn_.groupby("seed").finite.all().eq(False).sum())
    add("H3", "nonfinite_runs", value=float(bad), note="second-order runs (Newton, HF, every seed) with a NaN/inf loss")
    per = training_per_seed(tiny, tiny_passes)
    first, sec = per[["sgd", "adam"]].min(axis=1), per[["newton", "hessian_free"]].min(axis=1)
    rows.append(claim_row("H3", "second_vs_first_log_ratio", *_paired(sec, first, paired_bootstrap_ci), ev["H3"],
                          "log(best second-order loss / best first-order loss) at equal passes, tiny net; < 0: "
                          "second order lower"))
    for m in ("newton", "hessian_free"):
        rows.append(claim_row("H3", f"{m}_vs_first_log_ratio", *_paired(per[m], first, paired_bootstrap_ci),
                              ev["H3"], f"log({m} loss / best first-order loss) at equal passes"))

    sc = t["scaling"]
    big = sc[sc.n_params >= sc.n_params.median()]
    gib, _ = extrapolate(big, "hessian_bytes", extrapolate_params)
    fit_hours, k_h = extrapolate(big, "hessian_s", extrapolate_params)
    a, b_ = affine_cost(sc, "hvp_s")
    add("H4", "hessian_gib_at_1m", value=gib / 2 ** 30, note="power-law fit of the measured Hessian bytes")
    add("H4", "cross_term_fraction", value=1 - 1 / extrapolate_params, note="(N^2 - N) / N^2")
    add("H4", "explicit_hours_at_1m", value=explicit_hours(sc, extrapolate_params),
        note="N Hessian-vector products, each costing a + b N seconds (non-negative least-squares fit of the "
             "measured HVP seconds: fixed overhead plus per-parameter cost)")
    add("H4", "explicit_hours_powerlaw", value=fit_hours / 3600,
        note=f"power-law fit of the measured explicit-Hessian seconds over the larger half of the sizes "
             f"(exponent {k_h:.2f}); small sizes are dominated by fixed overheads")
    add("H4", "hvp_seconds_at_1m", value=a + b_ * extrapolate_params,
        note=f"affine fit of the HVP seconds: {a:.3g} s overhead + {b_:.3g} s per parameter")
    add("H4", "largest_measured_params", value=float(sc.n_params.max()))

    z = t["zeros"]
    if (z.state == "trained").any():
        zt_ = z[(z.activation == "relu") & (z.state == "trained")]
        add("H5", "trained_loss_within_zero_fraction", zt_[zt_.object == "loss_full"].groupby("seed").within.first(),
            note="within-layer exact zeros of the ReLU loss Hessian after Adam training")
        add("H5", "trained_output_within_zero_fraction", zt_[zt_.object == "output"].groupby("seed").within.mean(),
            note="within-layer exact zeros of the ReLU output Hessian after Adam training")
    z = z[z.state == "init"]
    zr = z[z.activation == "relu"]
    lf = zr[zr.object == "loss_full"].groupby("seed")
    add("H5", "loss_within_zero_fraction", lf.within.first(),
        note="exact zeros in within-layer blocks of the ReLU network's loss Hessian")
    add("H5", "loss_within_live_zero_fraction", lf.within_live.first(),
        note="same, leaving out parameters whose whole Hessian row is zero (zero pixels, dead units)")
    add("H5", "loss_cross_zero_fraction", lf.cross.first())
    out = zr[zr.object == "output"].groupby("seed")
    add("H5", "output_within_zero_fraction", out.within.mean(),
        note="exact zeros in within-layer blocks of the Hessian of one network output at one example")
    add("H5", "output_cross_zero_fraction", out.cross.mean())
    zt = z[(z.activation != "relu") & (z.object == "output")]
    if len(zt):
        add("H5", "smooth_output_within_zero_fraction", zt.groupby("seed").within.mean(),
            note=f"same for {zt.activation.iloc[0]}")

    r = t["rmsprop"]
    add("H6", "spearman_rms_gn", r.groupby("seed").spearman_gn.median(),
        note="Spearman rank correlation across parameters, RMSProp square_avg vs Gauss-Newton diagonal, median "
             "over checkpoints per seed")
    add("H6", "spearman_rms_empirical_fisher", r.groupby("seed").spearman_empirical_fisher.median())

    p = t["products"]
    add("H7", "hvp_rel_error", value=float(p.hvp_rel_error.max()),
        note="maximum over seeds, probes and activations of |Hv (double back-prop) - H v| / |H v|")
    add("H7", "gnvp_rel_error", value=float(p.gnvp_rel_error.max()),
        note="maximum over seeds, probes and activations of |G v (forward + reverse pass) - G v| / |G v|")
    per = training_per_seed(ae, ae_passes)
    for m in ("sgd", "adam"):
        rows.append(claim_row("H7", f"hf_vs_{m}_log_ratio", *_paired(per["hessian_free"], per[m], paired_bootstrap_ci),
                              ev["H7"], f"log(HF loss / {m} loss) on the autoencoder at equal passes; < 0: HF lower"))
    init = ae[ae.method == "hessian_free"].sort_values("passes").groupby("seed").loss.first()
    ratio = per["hessian_free"] / init
    add("H7", "hf_loss_reduction", ratio, note="HF loss at the budget / initial loss")

    c = t["convexity"]
    add("F3", "mse_local_minima", value=float(len(t["minima"])),
        note="local minima of sigmoid + squared error on the constructed 1-D data set (grid, refined, f''>0)")
    add("F3", "ce_min_eigenvalue", value=float(c[c.loss == "ce"].min_eig.min()),
        note="smallest Hessian eigenvalue of sigmoid + cross-entropy over all sampled points and seeds")
    negative = c[c.loss == "mse"].groupby("seed").min_eig.apply(lambda s: float((s < NEG_TOL).mean()))
    add("F3", "mse_negative_fraction", negative,
        note="fraction of sampled points where sigmoid + squared error has a negative Hessian eigenvalue")

    g = t["gradcheck"]
    add("R7", "max_rel_error", value=float(g.rel_error.max()),
        note="hand-written NumPy back-prop vs central differences: maximum over layers, activations and seeds")
    add("R7", "autograd_max_rel_error", value=float(g.autograd_rel_error.max()),
        note="hand-written back-prop vs torch autograd: maximum over layers, activations and seeds")
    return rows


def quoted(value: float) -> str:
    """A statistic as the report text quotes it: integers whole, fractions near 1 with 7 digits, else 3."""
    if math.isfinite(value) and value == round(value) and abs(value) < 1e7:
        return str(int(value))
    return f"{value:.7g}" if 0.99 < value < 1 else f"{value:.3g}"


def _paired(a, b, paired_bootstrap_ci):
    """Median log ratio a/b over paired seeds with its CI, and the number of pairs."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    est, lo, hi = paired_bootstrap_ci(a, b, kind="log_ratio")
    return est, (lo, hi), int(np.isfinite(np.log(a / b)).sum())


def summaries(t: dict[str, pd.DataFrame], extrapolate_params: float, tiny_passes: float,
              ae_passes: float) -> dict[str, pd.DataFrame]:
    """The tables shown in the report."""
    from relulab.core.stats import summarize
    b = t["blocks"]
    loss_blocks = b[b.part != "output"]
    norms = summarize(loss_blocks, ["activation", "state", "part", "layer_i", "layer_j"], "frobenius")
    z = t["zeros"].groupby(["activation", "state", "object", "seed"], as_index=False)[
        ["within", "within_live", "cross", "all"]].mean()
    zeros = pd.concat([summarize(z, ["activation", "state", "object"], c).assign(statistic=c)
                       for c in ("within", "within_live", "cross")], ignore_index=True)
    sc = t["scaling"].copy()
    sc["source"] = "measured"
    ext = {"n_params": extrapolate_params, "source": "extrapolated", "entries": extrapolate_params ** 2,
           "cross_term_fraction": 1 - 1 / extrapolate_params, "vector_bytes": 8 * extrapolate_params}
    big = sc[sc.n_params >= sc.n_params.median()]
    for col in ("hessian_bytes", "gradient_s", "hvp_s", "hessian_s"):
        ext[col] = extrapolate(big, col, extrapolate_params)[0]
    ext["hessian_s_as_hvps"] = explicit_hours(t["scaling"], extrapolate_params) * 3600
    scaling = pd.concat([sc, pd.DataFrame([ext])], ignore_index=True)
    scaling["hessian_gib"] = scaling.hessian_bytes / 2 ** 30
    train = []
    for name, budget in (("tiny", tiny_passes), ("autoencoder", ae_passes)):
        best = best_runs(t[name], budget)
        s = summarize(best, ["method", "lr"], "loss") if best.lr.notna().any() else pd.DataFrame()
        s2 = summarize(best[best.lr.isna()], ["method"], "loss")
        train.append(pd.concat([s, s2], ignore_index=True).assign(experiment=name, passes=budget))
    r = t["rmsprop"]
    rms = pd.concat([summarize(r, ["step"], c).assign(statistic=c)
                     for c in ("spearman_gn", "spearman_empirical_fisher", "spearman_gn_fisher")], ignore_index=True)
    g = t["gradcheck"].groupby(["activation", "layer"], as_index=False).agg(
        n_params=("n_params", "first"), max_rel_error_fd=("rel_error", "max"),
        max_rel_error_autograd=("autograd_rel_error", "max"), seeds=("seed", "nunique"))
    d = t["derivatives"].assign(abs_autograd=lambda f: f.autograd.abs(), abs_fd=lambda f: f.finite_difference.abs())
    derivs = d.groupby(["activation", "away_from_kink"], as_index=False).agg(
        points=("x", "size"), max_abs_autograd=("abs_autograd", "max"), max_abs_finite_difference=("abs_fd", "max"))
    nw = t["newton"]
    newton_tbl = nw.groupby(["activation", "x0"], as_index=False).agg(
        iterations=("iter", "max"), last_x=("x", "last"), last_df=("df", "last"), stationary=("stationary", "first"))
    return {"hessian_norms": norms, "zeros": zeros, "scaling": scaling,
            "training": pd.concat(train, ignore_index=True), "rmsprop": rms, "gradcheck": g, "newton": newton_tbl,
            "derivatives": derivs}


# --- figures ------------------------------------------------------------------------------------

def figures(t: dict[str, pd.DataFrame], tiny_passes: float, ae_passes: float) -> dict:
    """Matplotlib figures of the family, keyed like the plot rule's outputs."""
    import matplotlib.pyplot as plt
    from relulab.core import plots
    plots.style()
    figs = {}

    fig, ax = plt.subplots(1, 2, figsize=(10, 3.6))
    nw = t["newton"]
    start = sorted(nw.x0.unique(), key=lambda v: abs(v - 0.5))[0]
    for name, g in nw[nw.x0 == start].groupby("activation", sort=False):
        x = g.x.to_numpy()
        broken = not np.isfinite(x[-1])
        ax[0].plot(g["iter"], np.where(np.isfinite(x), x, np.nan), marker=".",
                   label=f"{name} (step undefined at k={len(x) - 1})" if broken else name)
        if broken:
            ax[0].plot(g["iter"].iloc[-1], 0, "x", color="k")
    ax[0].set(yscale="symlog", xlabel="Newton iteration", ylabel="x (symlog)",
              title=f"Newton on the transfer function, x0 = {start} (x: step undefined)")
    ax[0].legend(fontsize=7, ncol=2)
    for seed, g in t["neuron"].groupby("seed"):
        ax[1].plot(g["iter"], np.maximum(g.loss, 1e-32), color="C0", alpha=0.6)
    ax[1].set(yscale="log", xlabel="damped Newton iteration", ylabel="mean squared error",
              title="one ReLU neuron, squared error (one line per seed)")
    figs["newton"] = fig

    fig, ax = plt.subplots(1, 3, figsize=(12, 3.4))
    land, mins = t["landscape"], t["minima"]
    ax[0].plot(land.w, land.loss)
    ax[0].plot(mins.w, mins.loss, "o", color="C3", label="local minima")
    ax[0].set(xlabel="w", ylabel="mean squared error", title="sigmoid neuron, constructed 1-D data")
    ax[0].legend()
    ax[1].plot(land.w, land.curvature)
    ax[1].axhline(0, color="k", lw=0.7)
    ax[1].set_yscale("symlog", linthresh=1e-3)
    ax[1].set(xlabel="w", ylabel="d2E/dw2 (symlog)", title="its curvature (negative = non-convex)")
    c = t["convexity"]
    for loss, g in c.groupby("loss"):
        ax[2].hist(np.sign(g.min_eig) * np.log10(1 + np.abs(g.min_eig) * 1e6), bins=40, alpha=0.6, label=loss)
    ax[2].axvline(0, color="k", lw=0.7)
    ax[2].set(xlabel="sign * log10(1 + 1e6 |min eigenvalue|)", ylabel="sampled points",
              title="smallest Hessian eigenvalue, sigmoid neuron")
    ax[2].legend()
    figs["convexity"] = fig

    b = t["blocks"][t["blocks"].state == "init"]
    acts = list(b.activation.unique())
    panels = [("full", "norm_share", "loss H: norm share"),
              ("rest", "norm_share", "H - GN: norm share"),
              ("full", "exact_zero_fraction", "loss H: exact zeros"),
              ("output", "exact_zero_fraction", "output H: exact zeros")]
    fig, ax = plt.subplots(len(acts), 4, figsize=(15, 3.3 * len(acts)), squeeze=False)
    for r, act in enumerate(acts):
        for c_, (part, col, title) in enumerate(panels):
            g = b[(b.activation == act) & (b.part == part)].groupby(["layer_i", "layer_j"])[col].median()
            L = int(max(g.index.get_level_values(1))) + 1
            M = np.full((L, L), np.nan)
            for (i, j), v in g.items():
                M[i, j] = M[j, i] = v
            im = ax[r, c_].imshow(M, vmin=0, vmax=1, cmap="viridis")
            for i in range(L):
                for j in range(L):
                    ax[r, c_].text(j, i, f"{M[i, j]:.2f}", ha="center", va="center", color="w", fontsize=8)
            ax[r, c_].set(title=f"{act}: {title}", xlabel="layer", ylabel="layer", xticks=range(L), yticks=range(L))
            ax[r, c_].grid(False)
    fig.colorbar(im, ax=ax, shrink=0.6)
    figs["hessian"] = fig

    fig, ax = plt.subplots(1, len(acts), figsize=(5 * len(acts), 3.4), squeeze=False)
    sp = t["spectra"]
    for k, act in enumerate(acts):
        for (state, part), g in sp[(sp.activation == act) & (sp.seed == sp.seed.min())].groupby(["state", "part"]):
            ax[0, k].plot(g["rank"], g.eigenvalue, label=f"{part} ({state})", ls="-" if state == "init" else "--",
                          color={"full": "C0", "gauss_newton": "C1", "rest": "C2"}[part])
        ax[0, k].set_yscale("symlog", linthresh=1e-4)
        ax[0, k].set(xlabel="eigenvalue rank", ylabel="eigenvalue (symlog, linear below 1e-4)",
                     title=f"{act}: spectrum of the loss Hessian (first seed)")
        ax[0, k].legend()
    figs["spectra"] = fig

    sc = t["scaling"]
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.6))
    P = np.logspace(np.log10(sc.n_params.min()), 6, 50)
    big = sc[sc.n_params >= sc.n_params.median()]
    for col, label in (("gradient_s", "gradient"), ("hvp_s", "Hessian-vector product"),
                       ("hessian_s", "explicit Hessian")):
        k, c0 = np.polyfit(np.log(big.n_params), np.log(big[col]), 1)
        line, = ax[0].plot(sc.n_params, sc[col], "o", label=f"{label} (slope {k:.2f})")
        ax[0].plot(P, np.exp(c0) * P ** k, "--", color=line.get_color())
    a, b_ = affine_cost(sc, "hvp_s")
    ax[0].plot(P, P * (a + b_ * P), ":", color="k", label="explicit Hessian as N HVPs (affine fit)")
    ax[0].set(xscale="log", yscale="log", xlabel="parameters N", ylabel="seconds",
              title="time (dashed: fit on the larger sizes, extrapolated)")
    ax[0].legend(fontsize=7)
    ax[1].plot(P, 8 * P ** 2 / 2 ** 30, "--", label="explicit Hessian, 8 N^2 bytes")
    ax[1].plot(sc.n_params, sc.hessian_bytes / 2 ** 30, "o", color="C0", label="measured")
    ax[1].plot(P, 8 * P / 2 ** 30, "--", color="C1", label="a vector (HVP), 8 N bytes")
    ax[1].set(xscale="log", yscale="log", xlabel="parameters N", ylabel="GiB", title="memory")
    ax[1].legend(fontsize=7)
    figs["scaling"] = fig

    fig, ax = plt.subplots(1, 2, figsize=(11, 3.6))
    for a, (name, budget, title) in zip(ax, (("tiny", tiny_passes, "tiny ReLU regression network"),
                                             ("autoencoder", ae_passes, "digits autoencoder"))):
        h = t[name]
        best = best_runs(h, budget)[["method", "lr"]].drop_duplicates()
        for _, row in best.iterrows():
            g = h[(h.method == row.method) & ((h.lr == row.lr) | (h.lr.isna() & pd.isna(row.lr)))]
            # Start where every seed has a record, so no point of the median is undefined.
            grid = np.linspace(g.groupby("seed").passes.min().max(), budget, 100)
            curves = [np.interp(grid, s.passes, np.minimum.accumulate(s.loss.to_numpy()))
                      for _, s in g.groupby("seed")]
            lab = row.method if pd.isna(row.lr) else f"{row.method} (lr {row.lr:g})"
            a.plot(grid, np.nanmedian(curves, 0), label=lab)
            a.fill_between(grid, np.nanmin(curves, 0), np.nanmax(curves, 0), alpha=0.15)
        a.set(yscale="log", xlabel="gradient-equivalent passes", ylabel="training loss", title=title)
        a.legend(fontsize=7)
    figs["training"] = fig

    r = t["rmsprop"]
    fig, ax = plt.subplots(figsize=(5.5, 3.6))
    for col, label in (("spearman_gn", "RMSProp v vs Gauss-Newton diagonal"),
                       ("spearman_empirical_fisher", "RMSProp v vs empirical Fisher diagonal")):
        g = r.groupby("step")[col]
        ax.plot(g.median().index, g.median(), marker="o", label=label)
        ax.fill_between(g.median().index, g.min(), g.max(), alpha=0.2)
    ax.set(ylim=(-1, 1), xlabel="RMSProp step", ylabel="Spearman rank correlation", title="across parameters")
    ax.legend(fontsize=7)
    figs["rmsprop"] = fig
    return figs
