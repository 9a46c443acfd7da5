"""Two-dimensional toy tasks generated from a seed: regression surfaces and classification sets."""

from __future__ import annotations

import math

import torch

REGRESSION = ("smooth", "fold", "radial")
CLASSIFICATION = ("spirals", "checkerboard")
TASKS = REGRESSION + CLASSIFICATION


def tent(t: torch.Tensor) -> torch.Tensor:
    """The tent map on [0, 1]: 1 - |2t - 1|, the 'fold' that deep ReLU networks compose."""
    return 1 - (2 * t - 1).abs()


def target(name: str, x: torch.Tensor) -> torch.Tensor:
    """Noise-free regression target y = f(x1, x2) on [-1, 1]^2."""
    x1, x2 = x[:, 0], x[:, 1]
    if name == "smooth":
        return torch.sin(math.pi * x1) * torch.cos(0.5 * math.pi * x2)
    if name == "fold":  # two folds of each coordinate (a 2-D mod-like function): many flat facets
        u, v = tent(tent((x1 + 1) / 2)), tent(tent((x2 + 1) / 2))
        return u + v - 1
    if name == "radial":
        return torch.cos(2 * math.pi * torch.sqrt(x1 ** 2 + x2 ** 2))
    raise ValueError(f"unknown regression task {name!r}; expected one of {', '.join(REGRESSION)}")


def make(name: str, n: int, seed: int, noise: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Sample n points of a task: x (n, 2) in [-1, 1]^2; y (n, 1) float or (n,) class labels."""
    g = torch.Generator().manual_seed(int(seed))
    if name in REGRESSION:
        x = torch.rand(n, 2, generator=g) * 2 - 1
        y = target(name, x) + noise * torch.randn(n, generator=g)
        return x, y.unsqueeze(1)
    if name == "spirals":
        return _spirals(n, g, noise)
    if name == "checkerboard":
        x = torch.rand(n, 2, generator=g) * 2 - 1
        y = ((torch.floor(2 * (x[:, 0] + 1)) + torch.floor(2 * (x[:, 1] + 1))) % 2).long()
        flip = torch.rand(n, generator=g) < noise
        return x, torch.where(flip, 1 - y, y)
    raise ValueError(f"unknown task {name!r}; expected one of {', '.join(TASKS)}")


def _spirals(n: int, g: torch.Generator, noise: float):
    """Two interleaved spirals (1.5 turns each), scaled into [-1, 1]^2."""
    y = torch.arange(n) % 2
    t = torch.rand(n, generator=g) * 3 * math.pi + 0.5
    r = t / (3 * math.pi + 0.5)
    angle = t + math.pi * y
    x = torch.stack([r * torch.cos(angle), r * torch.sin(angle)], 1)
    x = x + noise * torch.randn(n, 2, generator=g)
    return x.clamp(-1, 1).float(), y.long()
