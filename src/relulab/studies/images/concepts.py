"""C2: how many last-conv channels (filters) a class needs, each channel pooled to one number.

Two readings per seed and class: one-vs-rest linear probes on channel-averaged features (the smallest top-m set
of channels, ranked by the all-channel probe's absolute weights, whose probe reaches a fraction of the
all-channel balanced accuracy), and cumulative ablations inside the trained network (channels zeroed one more at
a time, most harmful to the class first, until the class's recall falls below half its intact value).
"""

from __future__ import annotations

import numpy as np
import torch

from relulab.studies.images import probes


def pooled(feats: torch.Tensor) -> torch.Tensor:
    """Channel means (S, N, C) of conv maps (S, N, C, H, W)."""
    return feats.mean((-1, -2))


def balanced_accuracy(W: torch.Tensor, b: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """Per binary probe (P), the mean of the recalls of class 1 and class 0 on x (P, N, D), labels y (P, N)."""
    pred = torch.baddbmm(b[:, None, :], x.double(), W).argmax(-1)
    rec = [((pred == k) & (y == k)).double().sum(-1) / (y == k).double().sum(-1).clamp_min(1) for k in (0, 1)]
    return (0.5 * (rec[0] + rec[1])).numpy()


def probe_channels_per_class(ftr: torch.Tensor, ytr: torch.Tensor, fte: torch.Tensor, yte: torch.Tensor,
                             n_classes: int, l2: float, iters: int, fraction: float) -> np.ndarray:
    """(S, K): channels a one-vs-rest probe on pooled features (S, N, C) needs for `fraction` of its all-channel
    balanced accuracy (C if only all of them do)."""
    S, _, C = ftr.shape
    tr, te = probes.standardize(ftr.double(), fte.double())
    K = n_classes
    rep = lambda x: x[:, None].expand(S, K, *x.shape[1:]).reshape(S * K, *x.shape[1:])
    labels = lambda y: (y[None] == torch.arange(K)[:, None]).long()[None].expand(S, K, -1).reshape(S * K, -1)
    xtr, xte, btr, bte = rep(tr), rep(te), labels(ytr), labels(yte)
    W, b = probes.fit(xtr, btr, 2, l2=l2, iters=iters)
    full = balanced_accuracy(W, b, xte, bte)
    order = (W[:, :, 1] - W[:, :, 0]).abs().argsort(-1, descending=True)
    needed = np.full(S * K, C)
    for m in range(C - 1, 0, -1):  # largest m first, so the smallest m that reaches the threshold is kept
        mask = torch.zeros(S * K, C, dtype=torch.float64).scatter_(1, order[:, :m], 1.0)[:, None, :]
        Wm, bm = probes.fit(xtr * mask, btr, 2, l2=l2, iters=iters)
        ok = balanced_accuracy(Wm, bm, xte * mask, bte) >= fraction * full
        needed[ok] = m
    return needed.reshape(S, K)


def ablations_to_lose_class(head, feats: torch.Tensor, y: torch.Tensor, n_classes: int) -> np.ndarray:
    """(K,): channels of conv features (N, C, H, W) zeroed, most harmful to the class alone first, until the class's
    recall under head(feats) falls below half its intact value (C + 1 if it never does)."""
    C = feats.shape[1]

    def recall(f):
        pred = head(f).argmax(-1)
        return np.array([(pred[y == k] == k).double().mean().item() for k in range(n_classes)])

    with torch.no_grad():
        base = recall(feats)
        single = np.stack([base - recall(feats * (torch.arange(C) != c).to(feats.dtype)[:, None, None])
                           for c in range(C)])  # (C, K)
        out = np.full(n_classes, C + 1)
        for k in range(n_classes):
            f = feats.clone()
            for m, c in enumerate(np.argsort(-single[:, k], kind="stable"), start=1):
                f[:, c] = 0.0
                if (head(f)[y == k].argmax(-1) == k).double().mean().item() < 0.5 * base[k]:
                    out[k] = m
                    break
    return out
