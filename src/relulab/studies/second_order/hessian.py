"""Exact Hessians of small MLPs (float64, torch.func): loss and output Hessians, Gauss-Newton split, products."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import torch
from torch.func import hessian, jacrev, jvp, vjp

from relulab.core import models

LOSSES = ("mse", "ce")


@dataclass(frozen=True)
class Layout:
    """Where each parameter tensor (W0, b0, W1, ...) of one network sits in the flat parameter vector."""

    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(int(np.prod(s)) for s in self.shapes)

    @property
    def n(self) -> int:
        return sum(self.sizes)

    def slices(self) -> dict[str, slice]:
        off, out = 0, {}
        for name, size in zip(self.names, self.sizes):
            out[name] = slice(off, off + size)
            off += size
        return out

    def layer_of(self) -> np.ndarray:
        """Layer index (0 = first affine map) of every flat parameter."""
        return np.concatenate([np.full(s, int(n[1:])) for n, s in zip(self.names, self.sizes)])


def layout_of(spec: models.MLPSpec) -> Layout:
    """Flat layout of a plain MLP (no batch norm, no PReLU slopes)."""
    if spec.batch_norm or spec.activation in ("prelu", "rrelu"):
        raise ValueError("exact Hessians are implemented for plain MLPs (no batch norm, prelu or rrelu)")
    s = spec.sizes
    names, shapes = [], []
    for i in range(len(s) - 1):
        names += [f"W{i}", f"b{i}"]
        shapes += [(s[i + 1], s[i]), (s[i + 1],)]
    return Layout(tuple(names), tuple(shapes))


def flatten(params: dict, index: int, layout: Layout) -> torch.Tensor:
    """Network `index` of a stacked parameter dict as one float64 vector."""
    return torch.cat([params[k][index].detach().double().reshape(-1) for k in layout.names])


def unflatten(theta: torch.Tensor, layout: Layout) -> dict[str, torch.Tensor]:
    """Flat vector -> stacked parameter dict with a model dimension of 1 (views, differentiable)."""
    return {k: theta[sl].reshape(1, *shape) for (k, sl), shape in zip(layout.slices().items(), layout.shapes)}


def init_theta(spec: models.MLPSpec, seed: int) -> torch.Tensor:
    """Flat float64 initial parameters of one network (relulab.core.models initialization)."""
    return flatten(models.init_params(spec, [seed]), 0, layout_of(spec))


def outputs(spec: models.MLPSpec, layout: Layout, theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Network outputs (N, out) at flat parameters theta."""
    return models.forward(spec, unflatten(theta, layout), x)[0]


def loss_of(out: torch.Tensor, y: torch.Tensor, loss: str) -> torch.Tensor:
    """Mean loss as in relulab.core.train: mse over all output entries, ce over examples."""
    if loss == "mse":
        return ((out - y.reshape(out.shape)) ** 2).mean()
    if loss == "ce":
        return -torch.log_softmax(out, -1).gather(1, y.long().unsqueeze(1)).mean()
    raise ValueError(f"loss {loss!r} not in {LOSSES}")


def loss_fn(spec, layout, x, y, loss) -> Callable[[torch.Tensor], torch.Tensor]:
    """theta -> scalar loss on (x, y)."""
    return lambda theta: loss_of(outputs(spec, layout, theta, x), y, loss)


def output_loss_hessian(out: torch.Tensor, loss: str) -> torch.Tensor:
    """Per-example Hessian of the mean loss w.r.t. the outputs, (N, k, k): PSD for mse and ce."""
    n, k = out.shape
    if loss == "mse":
        return torch.eye(k, dtype=out.dtype).expand(n, k, k) * (2.0 / (n * k))
    p = torch.softmax(out, -1)
    return (torch.diag_embed(p) - p.unsqueeze(2) * p.unsqueeze(1)) / n


def loss_hessian(f: Callable, theta: torch.Tensor) -> torch.Tensor:
    """Exact Hessian (P, P) of a scalar function of the flat parameters."""
    return hessian(f)(theta)


def jacobian(spec, layout, theta, x) -> torch.Tensor:
    """Jacobian of the outputs w.r.t. the parameters, (N, k, P)."""
    return jacrev(lambda t: outputs(spec, layout, t, x))(theta)


def gauss_newton(spec, layout, theta, x, y, loss) -> torch.Tensor:
    """Gauss-Newton matrix sum_i J_i^T H_out,i J_i (the loss Hessian without the output-curvature term), as one
    matrix product: H_out is (2 / (N k)) I for mse and (diag(p) - p p^T) / N for ce (p the softmax)."""
    J = jacobian(spec, layout, theta, x)
    n, k, P = J.shape
    if loss == "mse":
        Jf = J.reshape(n * k, P)
        return (2.0 / (n * k)) * (Jf.T @ Jf)
    p = torch.softmax(outputs(spec, layout, theta, x).detach(), -1)
    Jw = (p.sqrt().unsqueeze(2) * J).reshape(n * k, P)
    U = torch.einsum("nk,nkp->np", p, J)
    return (Jw.T @ Jw - U.T @ U) / n


def gauss_newton_diagonal(spec, layout, theta, x, loss) -> torch.Tensor:
    """Diagonal of the Gauss-Newton matrix (equal to the Fisher diagonal for mse and ce), without forming it."""
    J = jacobian(spec, layout, theta, x)
    A = output_loss_hessian(outputs(spec, layout, theta, x).detach(), loss)
    return torch.einsum("nkp,nkl,nlp->p", J, A, J)


def split(spec, layout, theta, x, y, loss) -> dict[str, torch.Tensor]:
    """Full loss Hessian, its Gauss-Newton part and the rest (residual-weighted output curvature)."""
    H = loss_hessian(loss_fn(spec, layout, x, y, loss), theta)
    G = gauss_newton(spec, layout, theta, x, y, loss)
    return {"full": H, "gauss_newton": G, "rest": H - G}


def output_hessians(spec, layout, theta, x, unit: int = 0) -> torch.Tensor:
    """Hessian of output `unit` w.r.t. the parameters at each example, (N, P, P)."""
    f = lambda t, xi: outputs(spec, layout, t, xi.unsqueeze(0))[0, unit]  # noqa: E731
    return torch.vmap(hessian(f), in_dims=(None, 0))(theta, x)


def block_table(H: torch.Tensor, layout: Layout, rel_tol: float = 1e-12) -> pd.DataFrame:
    """Per layer pair (i <= j): Frobenius norm, share of the total, fraction of exact and near zeros."""
    layer = layout.layer_of()
    Hn = H.detach().numpy()
    total = np.linalg.norm(Hn)
    tol = rel_tol * np.abs(Hn).max() if Hn.size else 0.0
    rows = []
    for i in np.unique(layer):
        for j in np.unique(layer):
            if j < i:
                continue
            B = Hn[np.ix_(layer == i, layer == j)]
            rows.append({"layer_i": int(i), "layer_j": int(j), "within": bool(i == j), "entries": B.size,
                         "frobenius": float(np.linalg.norm(B)),
                         "norm_share": float(np.linalg.norm(B) / total) if total > 0 else 0.0,
                         "exact_zero_fraction": float(np.mean(B == 0.0)),
                         "near_zero_fraction": float(np.mean(np.abs(B) <= tol))})
    return pd.DataFrame(rows)


def zero_fractions(H: torch.Tensor, layout: Layout) -> dict[str, float]:
    """Fraction of exact zeros in within-layer blocks, cross-layer blocks and overall (both triangles).

    `within_live` leaves out parameters whose whole Hessian row is zero (weights of always-zero inputs,
    units dead on every example), so it counts zeros *between* parameters that matter at all.
    """
    layer = layout.layer_of()
    same = layer[:, None] == layer[None, :]
    Z = (H.detach().numpy() == 0.0)
    live = ~Z.all(1)
    pair_live = live[:, None] & live[None, :]
    nan = float("nan")
    return {"within": float(Z[same].mean()), "cross": float(Z[~same].mean()) if (~same).any() else nan,
            "all": float(Z.mean()),
            "within_live": float(Z[same & pair_live].mean()) if (same & pair_live).any() else nan,
            "live_fraction": float(live.mean())}


def spectrum(H: torch.Tensor) -> np.ndarray:
    """Eigenvalues (ascending) of a symmetric matrix, symmetrized first against round-off."""
    return torch.linalg.eigvalsh(0.5 * (H + H.T)).numpy()


def hvp(f: Callable, theta: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Hessian-vector product by double back-propagation (Pearlmutter 1994): d/dr grad f(theta + r v) at r = 0."""
    t = theta.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(f(t), t, create_graph=True)
    (hv,) = torch.autograd.grad(g @ v, t)
    return hv


def gnvp(spec, layout, theta, x, y, loss, v: torch.Tensor) -> torch.Tensor:
    """Gauss-Newton-vector product J^T H_out J v: one forward-mode and one reverse-mode pass."""
    return gn_operator(spec, layout, theta, x, loss)(v)


def gn_operator(spec, layout, theta, x, loss) -> Callable[[torch.Tensor], torch.Tensor]:
    """v -> G v at fixed theta (the reverse pass is recorded once and reused across products)."""
    f = lambda t: outputs(spec, layout, t, x)  # noqa: E731
    out, pullback = vjp(f, theta)
    A = output_loss_hessian(out.detach(), loss)

    def apply(v: torch.Tensor) -> torch.Tensor:
        _, jv = jvp(f, (theta,), (v,))
        return pullback(torch.einsum("nkl,nl->nk", A, jv))[0]

    return apply


def relative_error(a: torch.Tensor, b: torch.Tensor) -> float:
    """||a - b|| / max(||a||, ||b||, tiny)."""
    den = max(float(a.norm()), float(b.norm()), 1e-300)
    return float((a - b).norm()) / den
