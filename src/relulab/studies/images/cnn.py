"""Small CNNs and MLPs for images, trained many seeds at once with torch.func (stacked weights + vmap)."""

from __future__ import annotations

import copy
import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.func import functional_call, stack_module_state

# Xu et al. 2015 compare leaky ReLU with slope 0.01 and "very leaky" 1/5.5; RReLU draws 1/a, a ~ U(3, 8).
# leaky_relu_025 fixes the slope at PReLU's initial value: PReLU minus it isolates learning the slope (F9).
IMAGE_ACTIVATIONS = ("relu", "leaky_relu", "very_leaky_relu", "leaky_relu_025", "prelu", "rrelu", "elu", "tanh",
                     "sigmoid", "identity")
PRELU_INIT = 0.25
LEAKY = {"leaky_relu": 0.01, "very_leaky_relu": 1 / 5.5, "leaky_relu_025": PRELU_INIT}
RRELU_LOWER, RRELU_UPPER = 1 / 8, 1 / 3  # torch-style slope bounds of the source's 1/U(3, 8)
RRELU_TEST_SLOPE = 1 / 5.5  # 1/mean(a), the source's (and Xu et al.'s) test-time slope


class RandomLeaky(nn.Module):
    """RReLU: negative slope 1/a, a ~ U(3, 8) per element while training, 1/5.5 at test."""

    def forward(self, z):
        if self.training:
            a = torch.rand_like(z) * 5.0 + 3.0
            return torch.where(z >= 0, z, z / a)
        return nn.functional.leaky_relu(z, RRELU_TEST_SLOPE)


def make_activation(name: str, channels: int) -> nn.Module:
    """The activation module for `name`; PReLU learns one slope per channel (init 0.25)."""
    if name == "relu":
        return nn.ReLU()
    if name in LEAKY:
        return nn.LeakyReLU(LEAKY[name])
    if name == "prelu":
        return nn.PReLU(channels, init=PRELU_INIT)
    if name == "rrelu":
        return RandomLeaky()
    if name == "elu":
        return nn.ELU()
    if name == "tanh":
        return nn.Tanh()
    if name == "sigmoid":
        return nn.Sigmoid()
    if name == "identity":
        return nn.Identity()
    raise ValueError(f"unknown activation {name!r}; expected one of {', '.join(IMAGE_ACTIVATIONS)}")


@dataclass(frozen=True)
class NetSpec:
    """A CNN (conv-activation[-maxpool] blocks, then a dense head) or, with no channels, an MLP."""

    in_shape: tuple[int, int, int] = (1, 28, 28)
    channels: tuple[int, ...] = (8, 16)
    kernels: tuple[int, ...] = (5, 3)
    pool: bool = True
    head: tuple[int, ...] = (32,)
    n_classes: int = 10
    activation: str = "relu"
    pool_blocks: int | None = None  # max pooling after only the first pool_blocks conv blocks (None: every block)

    @property
    def is_cnn(self) -> bool:
        return len(self.channels) > 0

    def to_dict(self) -> dict:
        return asdict(self)

    @staticmethod
    def from_dict(d: dict) -> "NetSpec":
        return NetSpec(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


class Net(nn.Module):
    """One network of a NetSpec; `features` returns every block's output (the probe layers)."""

    def __init__(self, spec: NetSpec):
        super().__init__()
        self.spec = spec
        c, h, w = spec.in_shape
        blocks = []
        for ch, k in zip(spec.channels, spec.kernels):
            layers = [nn.Conv2d(c, ch, k, padding=k // 2), make_activation(spec.activation, ch)]
            if spec.pool and (spec.pool_blocks is None or len(blocks) < spec.pool_blocks):
                layers.append(nn.MaxPool2d(2))
                h, w = h // 2, w // 2
            blocks.append(nn.Sequential(*layers))
            c = ch
        self.blocks = nn.ModuleList(blocks)
        dims = [c * h * w] + list(spec.head)
        self.hidden = nn.ModuleList(nn.Sequential(nn.Linear(a, b), make_activation(spec.activation, b))
                                    for a, b in zip(dims[:-1], dims[1:]))
        self.out = nn.Linear(dims[-1], spec.n_classes)

    def forward(self, x, all_layers: bool = False):
        """Logits, or with all_layers the outputs of every conv block and hidden dense layer, then the logits."""
        feats = []
        if not self.spec.is_cnn:
            x = x.flatten(1)
        for b in self.blocks:
            x = b(x)
            feats.append(x)
        x = x.flatten(1)
        for layer in self.hidden:
            x = layer(x)
            feats.append(x)
        feats.append(self.out(x))
        return feats if all_layers else feats[-1]


def n_params(spec: NetSpec) -> int:
    """Trainable parameter count of one network."""
    return sum(p.numel() for p in Net(spec).parameters())


def layer_names(spec: NetSpec) -> list[str]:
    return [f"conv{i + 1}" for i in range(len(spec.channels))] + [f"dense{i + 1}" for i in range(len(spec.head))] + [
        "logits"]


@dataclass(frozen=True)
class TrainSpec:
    """Adam on cross-entropy with mini-batches; weight decay never applies to PReLU slopes."""

    epochs: float = 3.0
    batch_size: int = 64
    lr: float = 0.002
    weight_decay: float = 0.0
    log_every: int = 20
    augment_rotation: float = 0.0  # max |angle| in degrees of random training rotations (0: none)
    shuffle_labels: bool = False
    freeze: tuple[str, ...] = ()  # parameter-name prefixes kept at their initial value (e.g. "blocks")


class Stack:
    """S networks of one spec as stacked tensors (leading dim S) plus the module used as a template."""

    def __init__(self, spec: NetSpec, seeds: list[int]):
        self.spec, self.seeds = spec, list(seeds)
        nets = []
        for s in self.seeds:
            torch.manual_seed(s)
            nets.append(Net(spec))
        params, buffers = stack_module_state(nets)
        self.params = {k: v.detach().clone() for k, v in params.items()}
        self.buffers = buffers
        self.template = copy.deepcopy(nets[0]).to("meta")

    def __len__(self):
        return len(self.seeds)

    def call(self, x: torch.Tensor, *, training: bool = False, features: bool = False, params=None):
        """Apply all S networks: x is (N, C, H, W) shared or (S, N, C, H, W); returns (S, N, ...) per output."""
        self.template.train(training)

        def fn(p, b, xi):
            return functional_call(self.template, (p, b), (xi,), {"all_layers": features}, strict=False)

        in_dims = (0, 0, 0 if x.dim() == 5 else None)
        return torch.vmap(fn, in_dims=in_dims, randomness="different")(params or self.params, self.buffers, x)

    def features(self, x: torch.Tensor, batch: int = 1000) -> list[torch.Tensor]:
        """Every layer's output for the shared images x, in evaluation mode, computed in chunks."""
        with torch.no_grad():
            chunks = [self.call(x[i:i + batch], features=True) for i in range(0, len(x), batch)]
        return [torch.cat([c[j] for c in chunks], dim=1) for j in range(len(chunks[0]))]

    def logits(self, x: torch.Tensor, batch: int = 1000) -> torch.Tensor:
        with torch.no_grad():
            return torch.cat([self.call(x[i:i + batch]) for i in range(0, len(x), batch)], dim=1)

    def accuracy(self, x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
        """Per-network accuracy on shared test images."""
        return (self.logits(x).argmax(-1) == y).double().mean(1).numpy()

    def network(self, index: int) -> Net:
        """A standalone copy of network `index` (for hooks, ablations, interop)."""
        net = Net(self.spec)
        net.load_state_dict({k: v[index] for k, v in self.params.items()}, strict=False)
        return net.eval()

    def state(self) -> dict:
        return {"spec": self.spec.to_dict(), "seeds": [int(s) for s in self.seeds], "params": self.params}

    @staticmethod
    def from_state(state: dict) -> "Stack":
        st = Stack(NetSpec.from_dict(state["spec"]), state["seeds"])
        st.params = {k: v.clone() for k, v in state["params"].items()}
        return st


def rotate(x: torch.Tensor, degrees: torch.Tensor) -> torch.Tensor:
    """Rotate images (N, C, H, W) about their centre by per-image angles (bilinear, zero fill)."""
    t = torch.as_tensor(degrees, dtype=x.dtype).reshape(-1) * (math.pi / 180)
    t = t.expand(x.shape[0]) if t.numel() == 1 else t
    cos, sin = torch.cos(t), torch.sin(t)
    zero = torch.zeros_like(t)
    theta = torch.stack([torch.stack([cos, -sin, zero], 1), torch.stack([sin, cos, zero], 1)], 1)
    grid = nn.functional.affine_grid(theta, list(x.shape), align_corners=False)
    return nn.functional.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def train(stack: Stack, tspec: TrainSpec, x: torch.Tensor, y: torch.Tensor, *, data_seed: int = 0,
          log=None, on_epoch=None) -> pd.DataFrame:
    """Train every network of the stack on (x, y) with its own data order; returns the training-error log.

    Rows (seed, step, epoch, train_error): the running mini-batch error over the last `log_every` steps.
    on_epoch(step), if given, is called at the end of every epoch and after the last step (evaluation hooks).
    """
    S, N = len(stack), len(x)
    gens = [torch.Generator().manual_seed(10_000 * data_seed + s) for s in stack.seeds]
    labels = torch.stack([y[torch.randperm(N, generator=g)] if tspec.shuffle_labels else y for g in gens])
    frozen = {k for k in stack.params if any(k.startswith(f) for f in tspec.freeze)}
    trainable = {k: v.requires_grad_(True) for k, v in stack.params.items() if k not in frozen}
    slopes = [v for k, v in trainable.items() if _is_slope(stack.spec, k)]
    others = [v for k, v in trainable.items() if not _is_slope(stack.spec, k)]
    opt = torch.optim.Adam([{"params": others, "weight_decay": tspec.weight_decay},
                            {"params": slopes, "weight_decay": 0.0}], lr=tspec.lr)
    steps_per_epoch = max(1, N // tspec.batch_size)
    steps = max(1, int(round(tspec.epochs * steps_per_epoch)))
    torch.manual_seed(10_000 * data_seed + stack.seeds[0] + 7)  # RReLU noise and augmentation angles
    perms, rows, err_acc = None, [], torch.zeros(S)
    for step in range(steps):
        b = step % steps_per_epoch
        if b == 0:
            perms = torch.stack([torch.randperm(N, generator=g) for g in gens])
        idx = perms[:, b * tspec.batch_size:(b + 1) * tspec.batch_size]
        xb, yb = x[idx], torch.gather(labels, 1, idx)
        if tspec.augment_rotation > 0:
            flat = xb.reshape(-1, *xb.shape[2:])
            ang = (torch.rand(flat.shape[0]) * 2 - 1) * tspec.augment_rotation
            xb = rotate(flat, ang).reshape(xb.shape)
        out = stack.call(xb, training=True)
        loss = nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), yb.reshape(-1), reduction="none")
        opt.zero_grad(set_to_none=True)
        loss.reshape(S, -1).mean(1).sum().backward()
        opt.step()
        err_acc += (out.detach().argmax(-1) != yb).double().mean(1)
        if (step + 1) % tspec.log_every == 0 or step + 1 == steps:
            n = (step % tspec.log_every) + 1
            for i, s in enumerate(stack.seeds):
                rows.append({"seed": s, "step": step + 1, "epoch": (step + 1) / steps_per_epoch,
                             "train_error": float(err_acc[i]) / n})
            err_acc.zero_()
            if log is not None and (step + 1) % (tspec.log_every * 10) == 0:
                log.info("step %d/%d running train error %.4f", step + 1, steps, rows[-1]["train_error"])
        if on_epoch is not None and (b == steps_per_epoch - 1 or step + 1 == steps):
            on_epoch(step + 1)
    for v in stack.params.values():
        v.requires_grad_(False)
    return pd.DataFrame(rows)


def _is_slope(spec: NetSpec, name: str) -> bool:
    return spec.activation == "prelu" and name.endswith(".1.weight")


def prelu_slopes(stack: Stack) -> dict[str, np.ndarray]:
    """Per layer (conv1.., dense1..), each network's learned PReLU slopes averaged over the layer's channels."""
    if stack.spec.activation != "prelu":
        return {}
    keys = [f"blocks.{i}.1.weight" for i in range(len(stack.spec.channels))] + [
        f"hidden.{i}.1.weight" for i in range(len(stack.spec.head))]
    return {name: stack.params[k].double().mean(1).numpy() for name, k in zip(layer_names(stack.spec), keys)}


def as_images(x: torch.Tensor, spec: NetSpec) -> torch.Tensor:
    """Reshape flat images to (N, C, H, W) for a CNN spec (MLPs flatten internally)."""
    return x.reshape(len(x), *spec.in_shape)
