"""Newton's method, plain and damped: on a scalar transfer function and on a small loss (exact Hessian)."""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import pandas as pd
import torch
from torch.func import grad, hessian

from relulab.core import activations

SCALAR_FUNCTIONS = ("relu", "leaky_relu", "elu", "sigmoid", "tanh", "softsign", "identity")


def transfer(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """A transfer function of relulab.core.activations as a scalar float64 function."""
    return lambda x: activations.apply(name, x.reshape(1, 1)).reshape(())


def derivatives(f: Callable, x: float) -> tuple[float, float, float]:
    """f(x), f'(x), f''(x) by automatic differentiation (float64)."""
    t = torch.tensor(float(x), dtype=torch.float64)
    return float(f(t)), float(grad(f)(t)), float(grad(grad(f))(t))


def scalar_newton(f: Callable, x0: float, steps: int, damping: float = 0.0) -> pd.DataFrame:
    """Newton's iteration for a stationary point, x <- x - f'(x) / (f''(x) + damping); every iterate recorded."""
    rows, x = [], float(x0)
    for k in range(steps + 1):
        if not math.isfinite(x):
            rows.append({"iter": k, "x": x, "f": math.nan, "df": math.nan, "d2f": math.nan})
            break
        v, d1, d2 = derivatives(f, x)
        rows.append({"iter": k, "x": x, "f": v, "df": d1, "d2f": d2})
        with np.errstate(divide="ignore", invalid="ignore"):
            x = float(np.float64(x) - np.float64(d1) / np.float64(d2 + damping))
    return pd.DataFrame(rows)


def found_stationary_point(path: pd.DataFrame, tol: float = 1e-10, x_max: float = 1e3) -> bool:
    """The iteration settled (last step < tol) at a finite x with |f'| < tol and |x| < x_max."""
    if len(path) < 2 or not np.isfinite(path["x"]).all():
        return False
    last, prev = path.iloc[-1], path.iloc[-2]
    return bool(abs(last.x - prev.x) < tol and abs(last.df) < tol and abs(last.x) < x_max)


def newton_minimize(f: Callable[[torch.Tensor], torch.Tensor], theta0: torch.Tensor, steps: int,
                    damping: float = 1e-3, adapt: bool = True, max_damping: float = 1e12) -> pd.DataFrame:
    """Damped Newton (Levenberg-Marquardt) with the exact Hessian: solve (H + lambda I) d = -g.

    lambda grows x10 until H + lambda I is positive definite and the step lowers the loss, and shrinks
    x1/3 after each accepted step. Each iteration records the loss, |g|, lambda, the loss evaluations so far
    and whether it was finite.
    """
    theta, lam, rows, evals = theta0.detach().clone(), float(damping), [], 0
    g_fn, h_fn = grad(f), hessian(f)
    eye = torch.eye(theta.numel(), dtype=theta.dtype)
    for k in range(steps + 1):
        value, g = float(f(theta)), g_fn(theta)
        evals += 1
        rows.append({"iter": k, "loss": value, "grad_norm": float(g.norm()), "damping": lam, "loss_evals": evals,
                     "finite": bool(math.isfinite(value) and torch.isfinite(g).all())})
        if k == steps or not rows[-1]["finite"]:
            break
        H = h_fn(theta)
        while True:
            L, info = torch.linalg.cholesky_ex(H + lam * eye)
            if int(info) == 0:
                step = torch.cholesky_solve(-g.unsqueeze(1), L).squeeze(1)
                new = theta + step
                evals += 1
                if not adapt or float(f(new)) <= value:
                    theta = new
                    lam = max(lam / 3, 1e-12) if adapt else lam
                    break
            if lam >= max_damping:
                break
            lam = max(lam * 10, 1e-8)
    return pd.DataFrame(rows)


def neuron_data(n: int, in_dim: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Inputs and targets of a teacher ReLU neuron y = relu(w* . x + b*): a realizable squared-error problem."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, in_dim, generator=g, dtype=torch.float64)
    w = torch.randn(in_dim + 1, generator=g, dtype=torch.float64)
    return x, torch.relu(x @ w[:-1] + w[-1]), w


def neuron_loss(x: torch.Tensor, y: torch.Tensor, activation: str = "relu") -> Callable[[torch.Tensor], torch.Tensor]:
    """theta = (w, b) -> mean squared error of one neuron act(w . x + b)."""
    return lambda th: ((activations.apply(activation, (x @ th[:-1] + th[-1]).unsqueeze(0))[0] - y) ** 2).mean()
