"""Hessian-free optimization (Martens 2010): truncated CG on damped Gauss-Newton products, LM damping.

Cost is counted in gradient-equivalent passes: a gradient = 1, a curvature-vector product = 2
(one forward-mode and one reverse-mode sweep), a loss evaluation = 0.5 (forward only).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import pandas as pd
import torch
from torch.func import grad

GRAD_PASSES, PRODUCT_PASSES, LOSS_PASSES = 1.0, 2.0, 0.5


@dataclass(frozen=True)
class HFSpec:
    """Outer iterations, CG iterations per step, initial damping, CG warm-start decay, pass budget."""

    steps: int = 50
    cg_iters: int = 20
    damping: float = 1.0
    cg_decay: float = 0.95
    cg_tol: float = 1e-10
    max_passes: float = math.inf


def cg(matvec: Callable, b: torch.Tensor, x0: torch.Tensor | None = None, max_iters: int = 50,
       tol: float = 1e-10) -> tuple[torch.Tensor, int, float]:
    """Conjugate gradient for A x = b (A symmetric PD via matvec), truncated at max_iters.

    Returns x, the number of products used, and the quadratic phi(x) = x.A x / 2 - b.x at x.
    """
    x = torch.zeros_like(b) if x0 is None else x0.clone()
    products = 0
    r = b.clone()
    if x0 is not None and bool(x0.any()):
        r = b - matvec(x)
        products += 1
        if float(x @ (b + r)) <= 0:  # the warm start is no better than 0 on the quadratic: start from 0
            x, r = torch.zeros_like(b), b.clone()
    p, rr = r.clone(), float(r @ r)
    stop = tol ** 2 * max(float(b @ b), 1e-300)
    for _ in range(max_iters):
        if rr <= stop:
            break
        Ap = matvec(p)
        products += 1
        pAp = float(p @ Ap)
        if pAp <= 0:  # not positive definite along p: stop with what we have
            break
        alpha = rr / pAp
        x = x + alpha * p
        r = r - alpha * Ap
        rr_new = float(r @ r)
        p = r + (rr_new / rr) * p
        rr = rr_new
    return x, products, float(-0.5 * (x @ (b + r)))


def hf_minimize(f: Callable[[torch.Tensor], torch.Tensor], curvature: Callable[[torch.Tensor], Callable],
                theta0: torch.Tensor, spec: HFSpec) -> tuple[torch.Tensor, pd.DataFrame]:
    """Minimize f with truncated-CG steps on (G + lambda I) d = -g; `curvature(theta)` returns v -> G v.

    Levenberg-Marquardt rule on the reduction ratio rho = actual / predicted decrease:
    lambda x 3/2 if rho < 1/4, x 2/3 if rho > 3/4; a step that raises the loss is rejected.
    """
    theta, lam, passes = theta0.detach().clone(), float(spec.damping), 0.0
    d_prev = torch.zeros_like(theta)
    g_fn = grad(f)
    value = float(f(theta))
    passes += LOSS_PASSES
    rows = [{"step": 0, "passes": passes, "loss": value, "damping": lam, "cg_products": 0, "rho": math.nan}]
    for k in range(1, spec.steps + 1):
        g = g_fn(theta)
        passes += GRAD_PASSES
        G = curvature(theta)
        d, products, q = cg(lambda v: G(v) + lam * v, -g, spec.cg_decay * d_prev, spec.cg_iters, spec.cg_tol)
        passes += PRODUCT_PASSES * products
        new_value = float(f(theta + d))
        passes += LOSS_PASSES
        rho = (new_value - value) / q if q < 0 else -math.inf
        if rho < 0.25:
            lam *= 1.5
        elif rho > 0.75:
            lam *= 2.0 / 3.0
        if math.isfinite(new_value) and new_value < value:
            theta, value, d_prev = theta + d, new_value, d
        else:
            d_prev = torch.zeros_like(theta)
        rows.append({"step": k, "passes": passes, "loss": value, "damping": lam, "cg_products": products,
                     "rho": rho})
        if passes >= spec.max_passes or not math.isfinite(value):
            break
    return theta, pd.DataFrame(rows)
