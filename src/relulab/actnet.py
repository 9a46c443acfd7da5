"""A stacked MLP forward pass that exposes every layer and allows activations beyond relulab.activations."""

from __future__ import annotations

import math

import torch

from . import activations, models
from .train import per_model_loss

SCALED_TANH_A, SCALED_TANH_B = 1.7159, 2.0 / 3.0  # LeCun et al. 1998's f(x) = 1.7159 tanh(2x/3)
STAIRCASE_STEP = 0.25
EXTRA_ACTIVATIONS = ("sigmoid_centered", "scaled_tanh", "staircase")
ALL_ACTIVATIONS = tuple(a for a in activations.ACTIVATIONS if a not in ("prelu", "rrelu")) + EXTRA_ACTIVATIONS
BN_EPS = 1e-5


def apply(name: str, z: torch.Tensor) -> torch.Tensor:
    """Activation `name` at z; the extras are sigmoid - 1/2 (same gain, zero mean), scaled tanh and a staircase."""
    if name == "sigmoid_centered":
        return torch.sigmoid(z) - 0.5
    if name == "scaled_tanh":
        return SCALED_TANH_A * torch.tanh(SCALED_TANH_B * z)
    if name == "staircase":  # floor(z / step) * step: zero derivative almost everywhere
        return torch.floor(z / STAIRCASE_STEP) * STAIRCASE_STEP
    return activations.apply(name, z)


def saturation_bounds(name: str) -> tuple[float, float] | None:
    """Lower and upper output bounds of a saturating activation (None if unbounded on either side)."""
    return {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "softsign": (-1.0, 1.0),
            "sigmoid_centered": (-0.5, 0.5), "scaled_tanh": (-SCALED_TANH_A, SCALED_TANH_A)}.get(name)


def init_for(activation: str, in_dim: int, widths, out_dim: int, init: str, seeds, dtype=torch.float32):
    """Stacked parameters from relulab.models.init_params (the activation only matters for its name check)."""
    surrogate = activation if activation in activations.ACTIVATIONS else "relu"
    spec = models.MLPSpec(in_dim, tuple(widths), out_dim, surrogate, init=init)
    return models.init_params(spec, seeds, dtype=dtype)


def n_hidden(params: dict) -> int:
    return sum(1 for k in params if k.startswith("W")) - 1


def forward(activation: str, params: dict, x: torch.Tensor, *, batch_norm: bool = False):
    """x (N, in) or (S, N, in) -> (out (S, N, k), [(pre_l, post_l)]); batch norm uses the batch's statistics."""
    S = params["W0"].shape[0]
    h = x.unsqueeze(0).expand(S, *x.shape) if x.dim() == 2 else x
    hidden = []
    L = n_hidden(params)
    for i in range(L):
        z = torch.baddbmm(params[f"b{i}"].unsqueeze(1), h, params[f"W{i}"].transpose(1, 2))
        if batch_norm:
            z = (z - z.mean(1, keepdim=True)) / torch.sqrt(z.var(1, unbiased=False, keepdim=True) + BN_EPS)
            if f"g{i}" in params:
                z = z * params[f"g{i}"].unsqueeze(1) + params[f"beta{i}"].unsqueeze(1)
        h = apply(activation, z)
        hidden.append((z, h))
    out = torch.baddbmm(params[f"b{L}"].unsqueeze(1), h, params[f"W{L}"].transpose(1, 2))
    return out, hidden


def add_batch_norm(params: dict) -> dict:
    """Parameters with a batch-norm gain (1) and shift (0) per hidden unit added."""
    p = dict(params)
    for i in range(n_hidden(params)):
        S, width = params[f"b{i}"].shape
        p[f"g{i}"] = torch.ones(S, width, dtype=params[f"b{i}"].dtype)
        p[f"beta{i}"] = torch.zeros(S, width, dtype=params[f"b{i}"].dtype)
    return p


def per_model_ce(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of each stacked model: out (S, N, k), y (N,) or (S, N) -> (S,)."""
    return per_model_loss(out, y, "ce")


def chance_loss(n_classes: int) -> float:
    return math.log(n_classes)
