"""Translation and rotation of test images; accuracy curves and feature similarity under those transforms."""

from __future__ import annotations

import numpy as np
import torch

from relulab.studies.images.cnn import rotate


def shift(x: torch.Tensor, dx: int, dy: int) -> torch.Tensor:
    """Translate images (N, C, H, W) by dx pixels right and dy pixels down, filling with zeros."""
    out = torch.zeros_like(x)
    H, W = x.shape[-2:]
    ys, yd = (slice(0, H - dy), slice(dy, H)) if dy >= 0 else (slice(-dy, H), slice(0, H + dy))
    xs, xd = (slice(0, W - dx), slice(dx, W)) if dx >= 0 else (slice(-dx, W), slice(0, W + dx))
    out[..., yd, xd] = x[..., ys, xs]
    return out


def transforms(kind: str, values) -> dict[float, callable]:
    """Named image transforms: 'shift' (horizontal and vertical, both averaged later) or 'rotate' (degrees)."""
    if kind == "shift":
        return {float(v): (lambda x, v=int(v): [shift(x, v, 0), shift(x, 0, v)]) for v in values}
    if kind == "rotate":
        return {float(v): (lambda x, v=float(v): [rotate(x, torch.tensor(v))]) for v in values}
    raise ValueError(f"unknown transform {kind!r}")


def cosine_similarity(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Per-example cosine similarity of features (N, ...) flattened per example -> (N,)."""
    return torch.nn.functional.cosine_similarity(a.flatten(1).double(), b.flatten(1).double(), dim=-1, eps=1e-12)


def feature_similarity(f0: torch.Tensor, f1: torch.Tensor) -> float:
    """Mean cosine similarity between features of the same images before (f0) and after (f1) a transform."""
    return float(cosine_similarity(f0, f1).mean())


def curve(evaluate, x: torch.Tensor, y: torch.Tensor, kind: str, values) -> "list[dict]":
    """Accuracy (per network) and feature similarity to the untransformed images for each transform value.

    evaluate(x) -> (labels (S, N), features (S, N, ...)) of S networks, in one pass.
    """
    _, base = evaluate(x)
    rows = []
    for v, fn in transforms(kind, values).items():
        accs, sims = [], []
        for xt in fn(x):
            pred, ft = evaluate(xt)
            accs.append((pred == y).double().mean(-1).numpy())
            sims.append(np.array([feature_similarity(base[s], ft[s]) for s in range(base.shape[0])]))
        acc, sim = np.mean(accs, 0), np.mean(sims, 0)
        rows += [{"network": s, "transform": kind, "value": v, "accuracy": acc[s], "similarity": sim[s]}
                 for s in range(len(acc))]
    return rows


def retention(acc_at: np.ndarray, acc0: np.ndarray) -> np.ndarray:
    """Accuracy under a transform as a fraction of the untransformed accuracy."""
    return np.asarray(acc_at) / np.asarray(acc0)
