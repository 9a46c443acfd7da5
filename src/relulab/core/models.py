"""Fully connected networks held as stacked parameters, so that many seeds run as one batched model."""

from __future__ import annotations

import math
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from relulab.core import activations

INITS = ("he", "xavier", "torch_default", "small")
SMALL_INIT_STD = 0.01
BN_MOMENTUM, BN_EPS = 0.1, 1e-5


@dataclass(frozen=True)
class MLPSpec:
    """Architecture of a fully connected network: input size, hidden widths, output size, activation."""

    in_dim: int
    widths: tuple[int, ...]
    out_dim: int
    activation: str
    init: str = "he"
    batch_norm: bool = False
    leaky_slope: float = 0.01
    prelu_init: float = 0.25

    def __post_init__(self):
        object.__setattr__(self, "widths", tuple(int(w) for w in self.widths))
        if self.activation not in activations.ACTIVATIONS:
            raise ValueError(f"activation {self.activation!r} not in {activations.ACTIVATIONS}")
        if self.init not in INITS:
            raise ValueError(f"init {self.init!r} not in {INITS}")
        if self.in_dim < 1 or self.out_dim < 1 or any(w < 1 for w in self.widths):
            raise ValueError(f"sizes must be positive: in={self.in_dim} widths={self.widths} out={self.out_dim}")

    @property
    def arch(self) -> str:
        return format_arch(self.widths)

    @property
    def sizes(self) -> tuple[int, ...]:
        return (self.in_dim, *self.widths, self.out_dim)

    @property
    def n_params(self) -> int:
        s = self.sizes
        n = sum(s[i] * s[i + 1] + s[i + 1] for i in range(len(s) - 1))
        if self.activation == "prelu":
            n += sum(self.widths)
        if self.batch_norm:
            n += 2 * sum(self.widths)
        return n

    def to_dict(self) -> dict:
        d = asdict(self)
        d["widths"] = list(self.widths)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "MLPSpec":
        return cls(**{**d, "widths": tuple(d["widths"])})


def parse_arch(arch: str) -> tuple[int, ...]:
    """'24x24' -> (24, 24); '' or 'linear' -> () (no hidden layer)."""
    if arch in ("", "linear", "0"):
        return ()
    try:
        widths = tuple(int(w) for w in arch.split("x"))
    except ValueError:
        raise ValueError(f"architecture {arch!r} is not of the form '24x24'") from None
    if any(w < 1 for w in widths):
        raise ValueError(f"architecture {arch!r} has a non-positive width")
    return widths


def format_arch(widths) -> str:
    return "x".join(str(w) for w in widths) if widths else "linear"


def _init_weight(spec: MLPSpec, fan_in: int, fan_out: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    if spec.init == "he":
        return torch.randn(fan_out, fan_in, generator=g) * math.sqrt(2.0 / fan_in), torch.zeros(fan_out)
    if spec.init == "xavier":
        return torch.randn(fan_out, fan_in, generator=g) * math.sqrt(2.0 / (fan_in + fan_out)), torch.zeros(fan_out)
    if spec.init == "small":
        return torch.randn(fan_out, fan_in, generator=g) * SMALL_INIT_STD, torch.zeros(fan_out)
    bound = 1.0 / math.sqrt(fan_in)  # torch.nn.Linear's default (kaiming_uniform with a=sqrt(5))
    w = torch.empty(fan_out, fan_in).uniform_(-bound, bound, generator=g)
    return w, torch.empty(fan_out).uniform_(-bound, bound, generator=g)


def init_params(spec: MLPSpec, seeds, dtype=torch.float32) -> dict[str, torch.Tensor]:
    """Stacked initial parameters; network s depends only on seeds[s]."""
    per_seed = []
    for seed in seeds:
        g = torch.Generator().manual_seed(int(seed))
        p = {}
        sizes = spec.sizes
        for i in range(len(sizes) - 1):
            p[f"W{i}"], p[f"b{i}"] = _init_weight(spec, sizes[i], sizes[i + 1], g)
            if i < len(spec.widths):
                if spec.activation == "prelu":
                    p[f"a{i}"] = torch.full((sizes[i + 1],), spec.prelu_init)
                if spec.batch_norm:
                    p[f"g{i}"], p[f"beta{i}"] = torch.ones(sizes[i + 1]), torch.zeros(sizes[i + 1])
                    p[f"rm{i}"], p[f"rv{i}"] = torch.zeros(sizes[i + 1]), torch.ones(sizes[i + 1])
        per_seed.append(p)
    return {k: torch.stack([p[k] for p in per_seed]).to(dtype) for k in per_seed[0]}


def is_buffer(name: str) -> bool:
    """Running batch-norm statistics are state, not trainable parameters."""
    return name.startswith(("rm", "rv"))


def n_models(params: dict[str, torch.Tensor]) -> int:
    return params["W0"].shape[0]


def forward(spec: MLPSpec, params: dict[str, torch.Tensor], x: torch.Tensor, *, training: bool = False,
            generators=None, return_hidden: bool = False):
    """Batched forward pass: x (N, in) or (S, N, in) -> (S, N, out) [and per-layer (pre, post)]."""
    def act(i, z):
        slope = params[f"a{i}"].unsqueeze(1) if spec.activation == "prelu" else None
        return activations.apply(spec.activation, z, slope=slope, training=training, generators=generators,
                                 leaky_slope=spec.leaky_slope)

    out, hidden = _stacked_forward(params, x, act, batch_norm=spec.batch_norm, training=training)
    return (out, hidden) if return_hidden else out


def forward_by_name(activation: str, params: dict[str, torch.Tensor], x: torch.Tensor, *, batch_norm: bool = False):
    """x (N, in) or (S, N, in) -> (out (S, N, k), [(pre_l, post_l)]) for any activations.NAMED_ACTIVATIONS.

    Batch norm here always uses the batch's statistics (params without running statistics), with the
    gain and shift of add_batch_norm where present.
    """
    return _stacked_forward(params, x, lambda i, z: activations.apply(activation, z), batch_norm=batch_norm,
                            training=False)


def _stacked_forward(params, x, act, *, batch_norm: bool, training: bool):
    """The one stacked MLP forward pass: affine, optional batch norm, act(layer, z); returns (out, hidden)."""
    S = n_models(params)
    h = x.unsqueeze(0).expand(S, *x.shape) if x.dim() == 2 else x
    hidden = []
    L = n_hidden(params)
    for i in range(L):
        z = torch.baddbmm(params[f"b{i}"].unsqueeze(1), h, params[f"W{i}"].transpose(1, 2))
        if batch_norm:
            z = _batch_norm(params, i, z, training)
        h = act(i, z)
        hidden.append((z, h))
    out = torch.baddbmm(params[f"b{L}"].unsqueeze(1), h, params[f"W{L}"].transpose(1, 2))
    return out, hidden


def _batch_norm(params, i, z, training):
    """Batch statistics when training (updating running ones) or when the params keep none; else running ones."""
    running = f"rm{i}" in params
    if training or not running:
        mean, var = z.mean(1), z.var(1, unbiased=False)
        if training and running:
            with torch.no_grad():
                params[f"rm{i}"].mul_(1 - BN_MOMENTUM).add_(BN_MOMENTUM * mean.detach())
                params[f"rv{i}"].mul_(1 - BN_MOMENTUM).add_(BN_MOMENTUM * var.detach())
    else:
        mean, var = params[f"rm{i}"], params[f"rv{i}"]
    zn = (z - mean.unsqueeze(1)) / torch.sqrt(var.unsqueeze(1) + BN_EPS)
    if f"g{i}" in params:
        zn = zn * params[f"g{i}"].unsqueeze(1) + params[f"beta{i}"].unsqueeze(1)
    return zn


def n_hidden(params: dict) -> int:
    return sum(1 for k in params if k.startswith("W")) - 1


def add_batch_norm(params: dict) -> dict:
    """Parameters with a batch-norm gain (1) and shift (0) per hidden unit added (no running statistics)."""
    p = dict(params)
    for i in range(n_hidden(params)):
        S, width = params[f"b{i}"].shape
        p[f"g{i}"] = torch.ones(S, width, dtype=params[f"b{i}"].dtype)
        p[f"beta{i}"] = torch.zeros(S, width, dtype=params[f"b{i}"].dtype)
    return p


def init_by_name(activation: str, in_dim: int, widths, out_dim: int, init: str, seeds, dtype=torch.float32):
    """Stacked parameters from init_params for any named activation (it only matters for MLPSpec's name check)."""
    surrogate = activation if activation in activations.ACTIVATIONS else "relu"
    return init_params(MLPSpec(in_dim, tuple(widths), out_dim, surrogate, init=init), seeds, dtype=dtype)


def select(params: dict[str, torch.Tensor], index) -> dict[str, torch.Tensor]:
    """The stacked parameters of a subset of models (index: int, list or slice), keeping the model dim."""
    if isinstance(index, int):
        index = [index]
    return {k: v[index] for k, v in params.items()}


def layers_of(spec: MLPSpec, params: dict[str, torch.Tensor], index: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Model `index` as a list of float64 (W, b); batch norm (eval mode) folded into the affine maps."""
    layers = []
    for i in range(len(spec.widths) + 1):
        W = params[f"W{i}"][index].detach().double().numpy().copy()
        b = params[f"b{i}"][index].detach().double().numpy().copy()
        if spec.batch_norm and i < len(spec.widths):
            scale = (params[f"g{i}"][index] / torch.sqrt(params[f"rv{i}"][index] + BN_EPS)).double().numpy()
            shift = params[f"beta{i}"][index].double().numpy() - scale * params[f"rm{i}"][index].double().numpy()
            W, b = W * scale[:, None], b * scale + shift
        layers.append((W, b))
    return layers


def prelu_slopes(spec: MLPSpec, params, index: int) -> list[np.ndarray] | None:
    if spec.activation != "prelu":
        return None
    return [params[f"a{i}"][index].detach().double().numpy() for i in range(len(spec.widths))]


def to_sequential(spec: MLPSpec, params, index: int) -> torch.nn.Sequential:
    """Model `index` as a float64 torch.nn.Sequential (evaluation mode) for interoperability."""
    mods = []
    layers = layers_of(spec, params, index)
    for i, (W, b) in enumerate(layers):
        lin = torch.nn.Linear(W.shape[1], W.shape[0]).double()
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
        mods.append(lin)
        if i < len(layers) - 1:
            mods.append(_module_for(spec, params, index, i))
    return torch.nn.Sequential(*mods).eval()


def _module_for(spec, params, index, i):
    name = spec.activation
    if name == "relu":
        return torch.nn.ReLU()
    if name == "leaky_relu":
        return torch.nn.LeakyReLU(spec.leaky_slope)
    if name == "rrelu":
        return torch.nn.LeakyReLU(activations.RRELU_EVAL_SLOPE)
    if name == "prelu":
        m = torch.nn.PReLU(spec.widths[i]).double()
        with torch.no_grad():
            m.weight.copy_(params[f"a{i}"][index].double())
        return m
    return {"elu": torch.nn.ELU, "sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh,
            "softsign": torch.nn.Softsign, "identity": torch.nn.Identity}[name]()


@dataclass(frozen=True)
class Checkpoint:
    """A saved stack of networks: architecture, final and initial parameters, seeds, metadata."""

    spec: MLPSpec
    params: dict
    seeds: list
    init_params: dict | None = None
    meta: dict = field(default_factory=dict)


CHECKPOINT_KEYS = ("relulab_checkpoint", "spec", "params", "seeds")


def save_checkpoint(path, spec: MLPSpec, params, *, seeds, init_params=None, meta=None) -> None:
    """Write a checkpoint atomically (temporary file, then rename), so no half-written file remains."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    blob = {"relulab_checkpoint": 1, "spec": spec.to_dict(), "seeds": [int(s) for s in seeds],
            "params": {k: v.detach().cpu() for k, v in params.items()},
            "init_params": None if init_params is None else {k: v.detach().cpu() for k, v in init_params.items()},
            "meta": meta or {}}
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    try:
        torch.save(blob, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def load_checkpoint(path) -> Checkpoint:
    """Read a relulab checkpoint; a missing, corrupt or foreign file raises ValueError saying what was expected."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such checkpoint file")
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for corrupt files
        raise ValueError(f"{path}: not a readable torch checkpoint ({type(exc).__name__}: {exc})") from None
    if not isinstance(blob, dict) or any(k not in blob for k in CHECKPOINT_KEYS):
        raise ValueError(f"{path}: not a relulab checkpoint (expected a dict with keys {', '.join(CHECKPOINT_KEYS)})")
    spec = _checked_spec(path, blob["spec"])
    seeds = blob["seeds"]
    if not isinstance(seeds, (list, tuple)) or not seeds or not all(_is_int(s) for s in seeds):
        raise ValueError(f"{path}: 'seeds' must be a non-empty list of ints, got {_brief(seeds)}")
    _check_params(path, "params", spec, blob["params"], len(seeds))
    if blob.get("init_params") is not None:
        _check_params(path, "init_params", spec, blob["init_params"], len(seeds))
    if not isinstance(blob.get("meta") or {}, dict):
        raise ValueError(f"{path}: 'meta' must be a dict, got {type(blob['meta']).__name__}")
    return Checkpoint(spec, blob["params"], list(seeds), blob.get("init_params"), blob.get("meta") or {})


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _brief(v) -> str:
    r = repr(v).replace("\n", " ")
    return r if len(r) <= 60 else r[:57] + "..."


def _checked_spec(path, d) -> MLPSpec:
    """MLPSpec.from_dict with the field types checked; ValueError naming the field otherwise."""
    if not isinstance(d, dict):
        raise ValueError(f"{path}: 'spec' must be a dict, got {type(d).__name__}")
    types = {"in_dim": _is_int, "out_dim": _is_int, "activation": lambda v: isinstance(v, str),
             "widths": lambda v: isinstance(v, (list, tuple)) and all(_is_int(w) for w in v),
             "init": lambda v: isinstance(v, str), "batch_norm": lambda v: isinstance(v, bool),
             "leaky_slope": lambda v: isinstance(v, (int, float)), "prelu_init": lambda v: isinstance(v, (int, float))}
    for k in ("in_dim", "widths", "out_dim", "activation"):
        if k not in d:
            raise ValueError(f"{path}: spec lacks {k!r}")
    for k, v in d.items():
        if k not in types:
            raise ValueError(f"{path}: spec has an unknown field {k!r}")
        if not types[k](v):
            raise ValueError(f"{path}: spec field {k!r} has the wrong type ({_brief(v)})")
    try:
        return MLPSpec.from_dict(d)
    except ValueError as exc:
        raise ValueError(f"{path}: bad spec: {exc}") from None


def expected_shapes(spec: MLPSpec, S: int) -> dict[str, tuple]:
    """The shape of every stacked parameter a checkpoint of `spec` with S models holds."""
    s = spec.sizes
    shapes = {}
    for i in range(len(s) - 1):
        shapes[f"W{i}"], shapes[f"b{i}"] = (S, s[i + 1], s[i]), (S, s[i + 1])
        if i < len(spec.widths):
            extra = (["a"] if spec.activation == "prelu" else []) + (["g", "beta", "rm", "rv"] if spec.batch_norm else [])
            shapes.update({f"{n}{i}": (S, s[i + 1]) for n in extra})
    return shapes


def _check_params(path, name: str, spec: MLPSpec, params, S: int) -> None:
    """Every parameter the spec needs is a floating tensor of the right shape, and there are no others."""
    if not isinstance(params, dict):
        raise ValueError(f"{path}: {name!r} must be a dict of tensors, got {type(params).__name__}")
    shapes = expected_shapes(spec, S)
    for k, shape in shapes.items():
        v = params.get(k)
        if v is None:
            raise ValueError(f"{path}: {name} lacks {k!r} (spec {spec.sizes}, {spec.activation}"
                             f"{', batch_norm' if spec.batch_norm else ''})")
        if not isinstance(v, torch.Tensor) or not v.is_floating_point():
            raise ValueError(f"{path}: {name}[{k!r}] must be a floating-point tensor, got {_brief(v)}")
        if tuple(v.shape) != shape:
            raise ValueError(f"{path}: {name}[{k!r}] has shape {tuple(v.shape)}, the spec {spec.sizes} with "
                             f"{S} seeds needs {shape}")
    extra = sorted(str(k) for k in params if k not in shapes)
    if extra:
        raise ValueError(f"{path}: {name} has keys the spec {spec.sizes} does not use: {', '.join(extra[:4])}")
