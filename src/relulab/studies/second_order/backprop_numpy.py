"""Back-propagation written by hand in NumPy (no autograd) for relulab MLPs, and a numerical gradient check."""

from __future__ import annotations

import numpy as np
import pandas as pd

ACTIVATIONS = ("relu", "leaky_relu", "elu", "sigmoid", "tanh", "softsign", "identity")
LEAKY_SLOPE = 0.01


def act(name: str, z: np.ndarray) -> np.ndarray:
    """Activation value, same definitions as relulab.core.activations."""
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.where(z >= 0, z, LEAKY_SLOPE * z)
    if name == "elu":
        return np.where(z >= 0, z, np.expm1(np.minimum(z, 0.0)))
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "softsign":
        return z / (1.0 + np.abs(z))
    if name == "identity":
        return z
    raise ValueError(f"activation {name!r} not in {ACTIVATIONS}")


def act_grad(name: str, z: np.ndarray) -> np.ndarray:
    """Elementwise derivative (the right derivative at 0 for the kinked ones)."""
    if name == "relu":
        return (z > 0).astype(z.dtype)
    if name == "leaky_relu":
        return np.where(z >= 0, 1.0, LEAKY_SLOPE)
    if name == "elu":
        return np.where(z >= 0, 1.0, np.exp(np.minimum(z, 0.0)))
    if name == "sigmoid":
        s = act("sigmoid", z)
        return s * (1 - s)
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    if name == "softsign":
        return 1 / (1 + np.abs(z)) ** 2
    if name == "identity":
        return np.ones_like(z)
    raise ValueError(f"activation {name!r} not in {ACTIVATIONS}")


def forward(layers, activation: str, x: np.ndarray):
    """Output (N, k) and the cache of (input, pre-activation) per layer; the last layer is affine."""
    cache, h = [], x
    for i, (W, b) in enumerate(layers):
        z = h @ W.T + b
        cache.append((h, z))
        h = z if i == len(layers) - 1 else act(activation, z)
    return h, cache


def loss_and_output_grad(out: np.ndarray, y: np.ndarray, loss: str) -> tuple[float, np.ndarray]:
    """Mean loss (mse over entries, ce over examples, as relulab.core.train) and its gradient w.r.t. the outputs."""
    if loss == "mse":
        r = out - y.reshape(out.shape)
        return float(np.mean(r ** 2)), 2 * r / r.size
    if loss == "ce":
        m = out - out.max(1, keepdims=True)
        logp = m - np.log(np.exp(m).sum(1, keepdims=True))
        n = out.shape[0]
        idx = (np.arange(n), y.astype(int))
        d = np.exp(logp)
        d[idx] -= 1
        return float(-logp[idx].mean()), d / n
    raise ValueError(f"loss {loss!r} not in ('mse', 'ce')")


def loss_value(layers, activation, x, y, loss) -> float:
    return loss_and_output_grad(forward(layers, activation, x)[0], y, loss)[0]


def backward(layers, activation: str, x: np.ndarray, y: np.ndarray, loss: str):
    """Loss and [(dW, db)] per layer by the chain rule, layer by layer from the output back."""
    out, cache = forward(layers, activation, x)
    value, delta = loss_and_output_grad(out, y, loss)
    grads = [None] * len(layers)
    for i in range(len(layers) - 1, -1, -1):
        h, _ = cache[i]
        grads[i] = (delta.T @ h, delta.sum(0))
        if i > 0:
            delta = (delta @ layers[i][0]) * act_grad(activation, cache[i - 1][1])
    return value, grads


def numerical_gradient(layers, activation, x, y, loss, eps: float = 1e-6):
    """Central finite differences, one parameter at a time (the independent check)."""
    grads = []
    for W, b in layers:
        pair = []
        for P in (W, b):
            g = np.zeros_like(P)
            for idx in np.ndindex(P.shape):
                old = P[idx]
                P[idx] = old + eps
                up = loss_value(layers, activation, x, y, loss)
                P[idx] = old - eps
                down = loss_value(layers, activation, x, y, loss)
                P[idx] = old
                g[idx] = (up - down) / (2 * eps)
            pair.append(g)
        grads.append(tuple(pair))
    return grads


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / max(||a|| + ||b||, tiny): the usual gradient-check ratio."""
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


def gradient_check(layers, activation, x, y, loss, eps: float = 1e-6) -> pd.DataFrame:
    """Per layer: relative error between hand-written back-prop and finite differences."""
    _, bp = backward(layers, activation, x, y, loss)
    fd = numerical_gradient([(W.copy(), b.copy()) for W, b in layers], activation, x, y, loss, eps)
    rows = []
    for i, ((gw, gb), (nw, nb)) in enumerate(zip(bp, fd)):
        a, c = np.concatenate([gw.ravel(), gb]), np.concatenate([nw.ravel(), nb])
        rows.append({"layer": i, "n_params": a.size, "grad_norm": float(np.linalg.norm(a)),
                     "rel_error": relative_error(a, c)})
    return pd.DataFrame(rows)
