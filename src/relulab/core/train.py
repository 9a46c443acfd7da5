"""Train a stack of networks together: one batched forward/backward per step for all seeds."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import pandas as pd
import torch

from relulab.core import models, optim


@dataclass(frozen=True)
class TrainSpec:
    """How to train: optimizer, learning rate, number of steps, batch size (0 = full batch), loss."""

    optimizer: str = "adam"
    lr: float = 1e-3
    steps: int = 1000
    batch_size: int = 0
    momentum: float = 0.0
    weight_decay: float = 0.0
    loss: str = "mse"
    log_every: int = 50

    def __post_init__(self):
        if self.optimizer not in ("adam", "sgd"):
            raise ValueError(f"optimizer {self.optimizer!r} not in ('adam', 'sgd')")
        if self.loss not in ("mse", "ce"):
            raise ValueError(f"loss {self.loss!r} not in ('mse', 'ce')")
        if self.steps < 0 or self.lr <= 0 or self.batch_size < 0 or self.log_every < 1:
            raise ValueError(f"invalid training spec {self}")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class TrainResult:
    """Final parameters, the loss history (one row per seed and logged step) and divergence flags."""

    params: dict
    history: pd.DataFrame
    diverged: list
    diverged_step: list

    @property
    def final(self) -> pd.DataFrame:
        """Last logged row per seed."""
        return self.history.sort_values("step").groupby("seed", as_index=False).tail(1).reset_index(drop=True)


def per_model_loss(out: torch.Tensor, y: torch.Tensor, loss: str) -> torch.Tensor:
    """Mean loss of each model: out (S, N, k), y (N,) / (N, k) shared or (S, N[, k]) -> (S,)."""
    if loss == "mse":
        y = y if y.dim() == out.dim() else y.unsqueeze(0).expand(out.shape[0], *y.shape)
        y = y.reshape(out.shape)
        return ((out - y) ** 2).mean(dim=(1, 2))
    y = y if y.dim() == 2 else y.unsqueeze(0).expand(out.shape[0], -1)
    logp = torch.log_softmax(out, dim=-1)
    return -logp.gather(2, y.unsqueeze(-1)).squeeze(-1).mean(1)


def per_model_ce(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of each stacked model: out (S, N, k), y (N,) or (S, N) -> (S,)."""
    return per_model_loss(out, y, "ce")


def per_model_accuracy(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    y = y if y.dim() == 2 else y.unsqueeze(0).expand(out.shape[0], -1)
    return (out.argmax(-1) == y).double().mean(1)


def evaluate(spec, params, x, y, loss: str) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Per-model loss and (for classification) accuracy in evaluation mode."""
    with torch.no_grad():
        out = models.forward(spec, params, x)
        return per_model_loss(out, y, loss), (per_model_accuracy(out, y) if loss == "ce" else None)


def _batch(x, y, gens, batch_size):
    """Per-seed minibatch indices (each seed its own generator): x (S, B, in), y (S, B[, k])."""
    idx = torch.stack([torch.randint(len(x), (batch_size,), generator=g) for g in gens])
    return x[idx], y[idx]


def train(spec: models.MLPSpec, tspec: TrainSpec, params: dict, x: torch.Tensor, y: torch.Tensor, *,
          seeds, x_test=None, y_test=None, step_callback=None) -> TrainResult:
    """Train all stacked networks; a network whose loss becomes NaN/inf is frozen and marked diverged.

    The summed loss gives each network its own gradient and Adam/SGD act elementwise, so training S
    networks together gives the same numbers as training each alone with the same seed.
    """
    params = {k: v.detach().clone().requires_grad_(not models.is_buffer(k)) for k, v in params.items()}
    trainable = [v for k, v in params.items() if not models.is_buffer(k)]
    opt = optim.init(tspec.optimizer, trainable, tspec.lr, tspec.momentum, tspec.weight_decay)
    S = models.n_models(params)
    gens = [torch.Generator().manual_seed(10_000 + int(s)) for s in seeds]
    alive = torch.ones(S, dtype=torch.bool)
    diverged_step: list = [None] * S
    rows = []
    for step in range(tspec.steps + 1):
        if step % tspec.log_every == 0 or step == tspec.steps:
            rows.extend(_log_rows(spec, params, x, y, x_test, y_test, tspec.loss, seeds, step, alive))
        if step == tspec.steps:
            break
        xb, yb = (x, y) if tspec.batch_size == 0 or tspec.batch_size >= len(x) else _batch(x, y, gens, tspec.batch_size)
        out = models.forward(spec, params, xb, training=True, generators=gens)
        losses = per_model_loss(out, yb, tspec.loss)
        bad = ~torch.isfinite(losses.detach()) & alive
        for s in torch.nonzero(bad).flatten().tolist():
            diverged_step[s] = step
        alive &= ~bad
        if not alive.any():
            break
        grads = torch.autograd.grad(torch.where(alive, losses, torch.zeros_like(losses)).sum(), trainable)
        for g in grads:
            g.nan_to_num_(0.0, 0.0, 0.0)
            g[~alive] = 0.0
        optim.step(opt, trainable, grads)
        with torch.no_grad():
            for p in trainable:  # a frozen (diverged) model must not drift through optimizer momentum
                p[~alive] = float("nan")
        if step_callback is not None:
            step_callback(step, params, losses.detach())
    history = pd.DataFrame(rows)
    final = {k: v.detach() for k, v in params.items()}
    return TrainResult(final, history, [d is not None for d in diverged_step], diverged_step)


def _log_rows(spec, params, x, y, x_test, y_test, loss, seeds, step, alive):
    tr_loss, tr_acc = evaluate(spec, params, x, y, loss)
    te_loss, te_acc = evaluate(spec, params, x_test, y_test, loss) if x_test is not None else (None, None)
    rows = []
    for s, seed in enumerate(seeds):
        row = {"seed": int(seed), "step": step, "train_loss": _f(tr_loss[s]), "diverged": not bool(alive[s])}
        if tr_acc is not None:
            row["train_acc"] = _f(tr_acc[s])
        if te_loss is not None:
            row["test_loss"] = _f(te_loss[s])
            if te_acc is not None:
                row["test_acc"] = _f(te_acc[s])
        rows.append(row)
    return rows


def _f(t) -> float:
    v = float(t)
    return v if math.isfinite(v) else float("nan")
