"""Experiment drivers of the second_order family (H1, H2, H3, H4, H5, H7, F3, R7): the transfer functions, one
neuron, exact Hessian structure, Hessian cost scaling and the back-prop check; each returns tidy data frames.
The training-run comparisons (H3, H7) and RMSProp's curvature (H6) are in `training`."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import torch
from scipy import optimize
from scipy.signal import find_peaks
from torch.func import grad, hessian
from torch.utils.flop_counter import FlopCounterMode

from relulab.core import data, models
from relulab.studies.second_order import backprop_numpy, newton
from relulab.studies.second_order import hessian as hs


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
                    zeros.append({**tag, "inputs": "raw", "object": f"loss_{part}", **hs.zero_fractions(H, layout)})
            for i, Ho in enumerate(hs.output_hessians(spec, layout, theta, x[:n_output_examples])):
                zeros.append({**tag, "inputs": "raw", "object": "output", "example": i, **hs.zero_fractions(Ho, layout)})
                blocks.append(hs.block_table(Ho, layout).assign(part="output", example=i, **tag))
            for k in range(3):
                v = torch.randn(layout.n, generator=torch.Generator().manual_seed(seed * 100 + k), dtype=torch.float64)
                products.append({**tag, "probe": k,
                                 "hvp_rel_error": hs.relative_error(hs.hvp(f, theta, v), parts["full"] @ v),
                                 "gnvp_rel_error": hs.relative_error(hs.gnvp(spec, layout, theta, x, y, loss, v),
                                                                     parts["gauss_newton"] @ v)})
    return (pd.concat(blocks, ignore_index=True), pd.DataFrame(zeros), pd.concat(spectra, ignore_index=True),
            pd.DataFrame(products))


def standardized(x: torch.Tensor) -> torch.Tensor:
    """Per-pixel standardized inputs: dense wherever a pixel varies; a constant pixel becomes 0 (its weights then
    have an all-zero Hessian row and drop out of the live parameters)."""
    sd = x.std(0)
    return torch.where(sd > 0, (x - x.mean(0)) / torch.where(sd > 0, sd, 1.0), torch.zeros_like(x))


def dense_zeros(spec: models.MLPSpec, loss: str, n: int, n_output_examples: int, seeds, train_steps: int = 0,
                train_lr: float = 0.01) -> pd.DataFrame:
    """Exact zeros of the loss Hessian and of the output Hessians on standardized (dense) digits, per seed and state:
    the zeros the activation makes, apart from the zeros that blank pixels make (H5)."""
    layout = hs.layout_of(spec)
    rows = []
    for seed in seeds:
        x, y = digits_subset(n, seed, loss == "mse")
        x = standardized(x)
        f = hs.loss_fn(spec, layout, x, y, loss)
        theta0 = hs.init_theta(spec, seed)
        states = {"init": theta0, **({"trained": adam_fit(f, theta0, train_lr, train_steps)} if train_steps else {})}
        for state, theta in states.items():
            tag = {"seed": seed, "state": state, "activation": spec.activation, "inputs": "standardized"}
            rows.append({**tag, "object": "loss_full", **hs.zero_fractions(hs.loss_hessian(f, theta), layout)})
            for i, Ho in enumerate(hs.output_hessians(spec, layout, theta, x[:n_output_examples])):
                rows.append({**tag, "object": "output", "example": i, **hs.zero_fractions(Ho, layout)})
    return pd.DataFrame(rows)


# --- H4: cost of the explicit Hessian vs Hessian-vector products ------------------------------------------

def _timed(fn, repeats: int) -> float:
    """Fastest of `repeats` wall-clock runs: the least disturbed by other processes on shared cores."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.min(times))


def counted_flops(fn) -> int:
    """Floating-point operations of fn() as torch counts them (matrix products): machine independent."""
    with FlopCounterMode(display=False) as counter:
        fn()
    return int(counter.get_total_flops())


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
        rows.append({"width": w, "n_params": layout.n, "entries": layout.n ** 2, "n_examples": len(x),
                     "gradient_flops": counted_flops(lambda: grad(f)(theta)),
                     "hvp_flops": counted_flops(lambda: hs.hvp(f, theta, v)),
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


def affine_cost(table: pd.DataFrame, column: str) -> tuple[float, float]:
    """Non-negative least-squares fit seconds = a + b * P (fixed overhead plus a per-parameter cost)."""
    A = np.stack([np.ones(len(table)), table.n_params.to_numpy(float)], 1)
    (a, b), _ = optimize.nnls(A, table[column].to_numpy(float))
    return float(a), float(b)


def explicit_gradient_equivalents(table: pd.DataFrame, n_params: float) -> float:
    """Gradient evaluations an explicit Hessian built from N Hessian-vector products costs at N = n_params:
    N x (HVP FLOPs / gradient FLOPs), each count an affine fit in N of the counted FLOPs (exact for this family of
    networks, whose FLOPs grow linearly with the width)."""
    hvp, gradient = (np.polyval(np.polyfit(table.n_params, table[c], 1), n_params)
                     for c in ("hvp_flops", "gradient_flops"))
    return float(n_params * hvp / gradient)


def explicit_flops_per_example(table: pd.DataFrame, n_params: float) -> float:
    """FLOPs per training example of N Hessian-vector products at N = n_params (affine fit of counted FLOPs)."""
    per_example = table.hvp_flops / table.n_examples
    return float(n_params * np.polyval(np.polyfit(table.n_params, per_example, 1), n_params))


def explicit_hours(table: pd.DataFrame, n_params: float) -> float:
    """Hours for an explicit Hessian built from N Hessian-vector products, each costing a + b N (affine fit)."""
    a, b = affine_cost(table, "hvp_s")
    return float(n_params * (a + b * n_params) / 3600)


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
