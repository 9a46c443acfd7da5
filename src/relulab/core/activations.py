"""Activation functions by name, applied to stacked pre-activations (leading model dimension)."""

from __future__ import annotations

import torch

ACTIVATIONS = ("relu", "leaky_relu", "prelu", "rrelu", "elu", "sigmoid", "tanh", "softsign", "identity")
PIECEWISE_LINEAR = frozenset({"relu", "leaky_relu", "prelu", "rrelu", "identity"})
SATURATING = frozenset({"sigmoid", "tanh", "softsign"})

# The source's RReLU: negative slope 1/a with a ~ U(3, 8) in training, 1/mean(a) = 1/5.5 at test.
# torch.nn.RReLU instead samples the slope itself uniformly in [lower, upper].
RRELU_A_LOW, RRELU_A_HIGH = 3.0, 8.0
RRELU_EVAL_SLOPE = 2.0 / (RRELU_A_LOW + RRELU_A_HIGH)

# Activations outside MLPSpec, for the gradient studies: sigmoid - 1/2 (same gain, zero mean), LeCun et al.
# 1998's scaled tanh f(x) = 1.7159 tanh(2x/3), and a staircase floor(z / step) * step (zero derivative a.e.).
SCALED_TANH_A, SCALED_TANH_B = 1.7159, 2.0 / 3.0
STAIRCASE_STEP = 0.25
EXTRA_ACTIVATIONS = ("sigmoid_centered", "scaled_tanh", "staircase")
# Activations fully named by their name (no learned or random slope): what models.forward_by_name takes.
NAMED_ACTIVATIONS = tuple(a for a in ACTIVATIONS if a not in ("prelu", "rrelu")) + EXTRA_ACTIVATIONS


def rrelu_slopes(shape: tuple[int, ...], generators: list[torch.Generator] | None, dtype, device=None) -> torch.Tensor:
    """Per-element training slopes 1/a, a ~ U(3, 8); one generator per model keeps seeds independent."""
    if generators is None:
        a = torch.empty(shape, dtype=dtype, device=device).uniform_(RRELU_A_LOW, RRELU_A_HIGH)
    else:
        a = torch.stack([
            torch.empty(shape[1:], dtype=dtype).uniform_(RRELU_A_LOW, RRELU_A_HIGH, generator=g)
            for g in generators
        ]).to(device)
    return 1.0 / a


def negative_slope(name: str, z: torch.Tensor, *, slope=None, training=False, generators=None,
                   leaky_slope=0.01):
    """The slope used on z < 0 for the piecewise-linear family (None for other activations)."""
    if name == "relu":
        return 0.0
    if name == "leaky_relu":
        return leaky_slope
    if name == "prelu":
        return slope
    if name == "rrelu":
        return rrelu_slopes(tuple(z.shape), generators, z.dtype, z.device) if training else RRELU_EVAL_SLOPE
    if name == "identity":
        return 1.0
    return None


def apply(name: str, z: torch.Tensor, *, slope=None, training: bool = False, generators=None,
          leaky_slope: float = 0.01) -> torch.Tensor:
    """Apply activation `name` elementwise; prelu needs `slope` broadcastable to z."""
    if name == "identity":
        return z
    if name == "relu":  # fused kernels: much cheaper than the generic where() in forward and backward
        return torch.relu(z)
    if name == "leaky_relu" or (name == "rrelu" and not training):
        return torch.nn.functional.leaky_relu(z, leaky_slope if name == "leaky_relu" else RRELU_EVAL_SLOPE)
    if name in PIECEWISE_LINEAR:
        s = negative_slope(name, z, slope=slope, training=training, generators=generators,
                           leaky_slope=leaky_slope)
        return torch.where(z >= 0, z, z * s)
    if name == "elu":
        return torch.nn.functional.elu(z)
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "tanh":
        return torch.tanh(z)
    if name == "softsign":
        return torch.nn.functional.softsign(z)
    if name == "sigmoid_centered":
        return torch.sigmoid(z) - 0.5
    if name == "scaled_tanh":
        return SCALED_TANH_A * torch.tanh(SCALED_TANH_B * z)
    if name == "staircase":
        return torch.floor(z / STAIRCASE_STEP) * STAIRCASE_STEP
    raise ValueError(f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS + EXTRA_ACTIVATIONS)}")


def saturation_bounds(name: str) -> tuple[float, float] | None:
    """Lower and upper output bounds of a saturating activation (None if unbounded on either side)."""
    return {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "softsign": (-1.0, 1.0),
            "sigmoid_centered": (-0.5, 0.5), "scaled_tanh": (-SCALED_TANH_A, SCALED_TANH_A)}.get(name)


def derivative(name: str, z: torch.Tensor, *, slope=None, leaky_slope: float = 0.01) -> torch.Tensor:
    """Elementwise derivative at evaluation (rrelu uses its test slope); at 0 the right derivative."""
    if name in PIECEWISE_LINEAR:
        s = negative_slope(name, z, slope=slope, leaky_slope=leaky_slope)
        return torch.where(z >= 0, torch.ones_like(z), torch.zeros_like(z) + s)
    if name == "elu":
        return torch.where(z >= 0, torch.ones_like(z), torch.exp(z))
    if name == "sigmoid":
        s = torch.sigmoid(z)
        return s * (1 - s)
    if name == "tanh":
        return 1 - torch.tanh(z) ** 2
    if name == "softsign":
        return 1 / (1 + z.abs()) ** 2
    raise ValueError(f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}")
