"""Linear probes: L2-regularised multinomial logistic regression on frozen features, many probes at once."""

from __future__ import annotations

import numpy as np
import torch


def standardize(train: torch.Tensor, test: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Scale features (..., N, D) by the training mean and standard deviation (constant features -> 0)."""
    mu = train.mean(-2, keepdim=True)
    sd = train.std(-2, keepdim=True).clamp_min(1e-6)
    return (train - mu) / sd, (test - mu) / sd


def fit(x: torch.Tensor, y: torch.Tensor, n_classes: int, *, l2: float = 1e-3, iters: int = 100):
    """Fit P independent probes on x (P, N, D) float64 with shared labels y (N,); returns (W (P, D, K), b (P, K)).

    The summed loss is separable across probes, so one L-BFGS run reaches every probe's own optimum.
    """
    x = x.double()
    P, N, D = x.shape
    W = torch.zeros(P, D, n_classes, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(P, n_classes, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([W, b], lr=1.0, max_iter=iters, history_size=20, line_search_fn="strong_wolfe",
                            tolerance_grad=1e-9, tolerance_change=1e-12)
    yy = y.expand(P, N).reshape(-1)

    def closure():
        opt.zero_grad()
        logits = torch.baddbmm(b[:, None, :], x, W)
        loss = torch.nn.functional.cross_entropy(logits.reshape(P * N, -1), yy, reduction="sum") / N
        loss = loss + 0.5 * l2 * (W ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return W.detach(), b.detach()


def accuracy(W: torch.Tensor, b: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """Per-probe accuracy on x (P, N, D)."""
    pred = torch.baddbmm(b[:, None, :], x.double(), W).argmax(-1)
    return (pred == y).double().mean(-1).numpy()


def probe_accuracy(x_train: torch.Tensor, y_train: torch.Tensor, x_test: torch.Tensor, y_test: torch.Tensor,
                   n_classes: int, *, l2: float = 1e-3, iters: int = 100) -> np.ndarray:
    """Standardize, fit and score P probes on (P, N, D) features; returns test accuracy per probe."""
    tr, te = standardize(x_train.double(), x_test.double())
    W, b = fit(tr, y_train, n_classes, l2=l2, iters=iters)
    return accuracy(W, b, te, y_test)


def channel_features(feats: torch.Tensor, channels) -> torch.Tensor:
    """Flattened features (N, len(channels) * H * W) of the selected channels of a conv map (N, C, H, W)."""
    return feats[:, list(channels)].flatten(1)


def channels_needed(nested_acc: np.ndarray, full_acc: float, fraction: float = 0.95) -> int:
    """Smallest k whose top-k channel probe (channels ranked by single-channel accuracy) reaches
    `fraction` of the all-channel probe's accuracy; nested_acc[k-1] is the top-k accuracy."""
    ok = np.nonzero(np.asarray(nested_acc) >= fraction * full_acc)[0]
    return int(ok[0] + 1) if ok.size else len(nested_acc)
