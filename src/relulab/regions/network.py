"""A piecewise-linear MLP as validated float64 arrays, and its activation pattern at given points."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SLOPE_ACTIVATIONS = ("relu", "leaky_relu", "prelu", "rrelu", "identity")
ACTIVATIONS = SLOPE_ACTIVATIONS + ("maxout",)
LEAKY_DEFAULT = 0.01
PRELU_DEFAULT = 0.25
RRELU_EVAL_SLOPE = 1.0 / 5.5  # 1 / mean(a), a ~ U(3, 8): the source's RReLU at test time


@dataclass(frozen=True, eq=False)
class PWLNet:
    """Hidden layers (W, b) with per-unit negative slopes (or maxout pieces) and an affine output layer."""

    hidden: tuple  # ((W, b), ...); W (out, in) or, for maxout, (k, out, in)
    slopes: tuple  # per hidden layer: (out,) negative slopes; empty for maxout
    out: tuple  # (W, b) of the affine output layer
    activation: str

    @property
    def maxout(self) -> bool:
        return self.activation == "maxout"

    @property
    def in_dim(self) -> int:
        return (self.hidden[0][0] if self.hidden else self.out[0]).shape[-1]

    @property
    def out_dim(self) -> int:
        return self.out[0].shape[0]

    @property
    def widths(self) -> tuple:
        return tuple(W.shape[-2] for W, _ in self.hidden)

    @property
    def n_units(self) -> int:
        """Pattern length: one entry per hidden unit (none for identity layers, which never split)."""
        return 0 if self.activation == "identity" else sum(self.widths)


def _arr(x, name) -> np.ndarray:
    a = np.asarray(x.detach().cpu().numpy() if hasattr(x, "detach") else x, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} has non-finite entries")
    return a


def as_net(layers, activation: str = "relu", slope=None, k=None) -> PWLNet:
    """Validate a list of (W, b) (last = affine output layer) and the activation; return a PWLNet."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation {activation!r} is not piecewise linear; expected one of {', '.join(ACTIVATIONS)}")
    layers = list(layers)
    if not layers:
        raise ValueError("layers is empty; expected a list of (W, b) ending with the output layer")
    arrs = [(_arr(W, f"W{i}"), _arr(b, f"b{i}")) for i, (W, b) in enumerate(layers)]
    hidden, out = arrs[:-1], arrs[-1]
    if out[0].ndim != 2 or out[1].shape != (out[0].shape[0],):
        raise ValueError(f"output layer: expected W (out, in) and b (out,), got {out[0].shape} and {out[1].shape}")
    slopes = []
    prev = None
    for i, (W, b) in enumerate(hidden):
        if activation == "maxout":
            if W.ndim != 3 or b.shape != W.shape[:2]:
                raise ValueError(f"maxout layer {i}: expected W (k, out, in) and b (k, out), got {W.shape}, {b.shape}")
            if k is not None and W.shape[0] != k:
                raise ValueError(f"maxout layer {i} has rank {W.shape[0]}, expected k={k}")
        elif W.ndim != 2 or b.shape != (W.shape[0],):
            raise ValueError(f"layer {i}: expected W (out, in) and b (out,), got {W.shape} and {b.shape}")
        if prev is not None and W.shape[-1] != prev:
            raise ValueError(f"layer {i} expects {W.shape[-1]} inputs but the previous layer has {prev} units")
        prev = W.shape[-2]
        if activation != "maxout":
            slopes.append(_layer_slope(activation, slope, i, W.shape[0]))
    if prev is not None and out[0].shape[1] != prev:
        raise ValueError(f"output layer expects {out[0].shape[1]} inputs but the last hidden layer has {prev}")
    return PWLNet(tuple(hidden), tuple(slopes), out, activation)


def _layer_slope(activation, slope, i, width) -> np.ndarray:
    if activation == "relu":
        s = 0.0
    elif activation == "identity":
        s = 1.0
    elif activation == "leaky_relu":
        s = LEAKY_DEFAULT if slope is None else slope
    elif activation == "rrelu":
        s = RRELU_EVAL_SLOPE if slope is None else slope
    else:  # prelu: a list of per-layer arrays (or one number for all units)
        s = PRELU_DEFAULT if slope is None else slope
        if not np.isscalar(s):
            s = list(s)[i]
    s = np.broadcast_to(_arr(s, f"slope of layer {i}"), (width,)).copy()
    return s


def forward_patterns(net: PWLNet, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Activation pattern (N, n_units) uint8 (1 = z > 0, or the maxout argmax) and output (N, out) at X (N, in)."""
    h = np.asarray(X, dtype=np.float64)
    pats = []
    for i, (W, b) in enumerate(net.hidden):
        if net.maxout:
            z = np.einsum("koi,ni->nko", W, h) + b[None]
            idx = np.argmax(z, axis=1)
            pats.append(idx.astype(np.uint8))
            h = np.take_along_axis(z, idx[:, None, :], axis=1)[:, 0, :]
        else:
            z = h @ W.T + b
            if net.activation != "identity":
                pats.append((z > 0).astype(np.uint8))
            h = np.where(z > 0, z, z * net.slopes[i])
    y = h @ net.out[0].T + net.out[1]
    P = np.concatenate(pats, axis=1) if pats else np.zeros((len(h), 0), np.uint8)
    return P, y
