"""Elementwise SGD (with momentum) and Adam for stacked parameters, as torch.optim computes them.

Our own few lines instead of torch.optim: building the first torch.optim optimizer in a process
imports torch._dynamo (2-15 s here), which every short Snakemake job would pay. Being elementwise,
each stacked network's update depends only on its own gradient.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

BETA1, BETA2, EPS = 0.9, 0.999, 1e-8
KINDS = ("sgd", "adam")


@dataclass
class State:
    """Optimizer state for a list of tensors: kind, hyper-parameters, moments and step count."""

    kind: str
    lr: float
    momentum: float = 0.0
    weight_decay: float = 0.0
    m: list = field(default_factory=list)
    v: list = field(default_factory=list)
    t: int = 0


def init(kind: str, tensors, lr: float, momentum: float = 0.0, weight_decay: float = 0.0) -> State:
    if kind not in KINDS:
        raise ValueError(f"optimizer {kind!r} not in {KINDS}")
    return State(kind, lr, momentum, weight_decay, [torch.zeros_like(p) for p in tensors],
                 [torch.zeros_like(p) for p in tensors] if kind == "adam" else [])


@torch.no_grad()
def step(state: State, tensors, grads, lr: float | None = None) -> None:
    """Update `tensors` in place from `grads` (same order); `lr` overrides the state's rate for this step."""
    state.t += 1
    lr = state.lr if lr is None else lr
    for i, (p, g) in enumerate(zip(tensors, grads)):
        if state.weight_decay:
            g = g + state.weight_decay * p
        if state.kind == "sgd":
            m = state.m[i]
            if state.momentum:
                m.mul_(state.momentum).add_(g)
                g = m
            p.sub_(lr * g)
            continue
        m, v = state.m[i], state.v[i]
        m.mul_(BETA1).add_(g, alpha=1 - BETA1)
        v.mul_(BETA2).addcmul_(g, g, value=1 - BETA2)
        bc1, bc2 = 1 - BETA1 ** state.t, 1 - BETA2 ** state.t
        p.addcdiv_(m, v.sqrt() / bc2 ** 0.5 + EPS, value=-lr / bc1)
