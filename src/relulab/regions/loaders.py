"""Read a network for the region engine from a relulab checkpoint or a bare nn.Sequential state_dict."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .network import ACTIVATIONS

EXPECTED = ("a relulab checkpoint (relulab.core.models.save_checkpoint) or a torch.save'd state_dict of an "
            "nn.Sequential of nn.Linear layers (keys '0.weight', '0.bias', '2.weight', ...)")
BN_BUFFERS = ("running_mean", "running_var", "num_batches_tracked")


@dataclass(frozen=True)
class LoadedNet:
    """Layers (W, b) float64 with the last one the affine output, plus the activation and its slopes."""

    layers: list
    activation: str
    slope: object = None
    source: str = "state_dict"

    @property
    def in_dim(self) -> int:
        return self.layers[0][0].shape[-1]


def _path_key(parts: tuple) -> tuple:
    return tuple((0, int(c), "") if c.isdecimal() else (1, 0, c) for c in parts)


def _layer_paths(sd: dict, path) -> list:
    """The distinct module paths ('0', '1.0', ...) of the weight/bias keys, in the Sequential's order.

    Order is the key paths' numeric components compared as integer tuples; paths that differ first in a
    named component (two named modules), or of which one is a prefix of another, cannot be ordered."""
    paths = set()
    for k in sd:
        parts = k.split(".") if isinstance(k, str) else []
        if len(parts) < 2 or parts[-1] not in ("weight", "bias"):
            what = ("a BatchNorm buffer" if isinstance(k, str) and k.rsplit(".", 1)[-1] in BN_BUFFERS
                    else "not a Linear layer's weight or bias")
            raise ValueError(f"{path}: unexpected key {k!r} ({what}); expected {EXPECTED}")
        paths.add(tuple(parts[:-1]))
    order = sorted(paths, key=_path_key)
    for a, b in zip(order[:-1], order[1:]):
        i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        if i == min(len(a), len(b)) or not (a[i].isdecimal() and b[i].isdecimal()):
            raise ValueError(f"{path}: cannot order modules {'.'.join(a)!r} and {'.'.join(b)!r} (keys "
                             f"{'.'.join(a)!r}.weight, {'.'.join(b)!r}.weight); expected {EXPECTED}")
    return [".".join(p) for p in order]


def _array(sd: dict, key: str, path) -> np.ndarray:
    v = sd[key]
    a = np.asarray(v.detach().double().numpy() if hasattr(v, "detach") else v, dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{path}: key {key!r} holds non-finite values (nan or inf)")
    return a


def _sequential_layers(sd: dict, path) -> list:
    if not sd:
        raise ValueError(f"{path}: empty state_dict; expected {EXPECTED}")
    layers = []
    for mod in _layer_paths(sd, path):
        wk, bk = f"{mod}.weight", f"{mod}.bias"
        for k in (wk, bk):
            if k not in sd:
                raise ValueError(f"{path}: key {k!r} is missing (layer {mod!r} lacks a weight or a bias); "
                                 f"expected {EXPECTED}")
        W, b = _array(sd, wk, path), _array(sd, bk, path)
        if W.ndim != 2 or b.shape != (W.shape[0],):
            raise ValueError(f"{path}: key {wk!r}: layer {mod!r} is not an nn.Linear "
                             f"(weight {tuple(W.shape)}, bias {tuple(b.shape)})")
        if 0 in W.shape:
            raise ValueError(f"{path}: key {wk!r} has shape {tuple(W.shape)}: a layer of width 0 "
                             f"({W.shape[0]} outputs, {W.shape[1]} inputs)")
        if layers and W.shape[1] != layers[-1][0].shape[0]:
            raise ValueError(f"{path}: key {wk!r}: layer sizes do not chain ({layers[-1][0].shape} then {W.shape})")
        layers.append((W, b))
    return layers


def _torch_load(path):
    import torch  # only for files the torch-free reader leaves: importing torch takes seconds

    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for corrupt or foreign files
        raise ValueError(f"{path}: not a readable torch file ({type(exc).__name__}); expected {EXPECTED}") from None


def load_network(path, activation: str | None = None, index: int = 0) -> LoadedNet:
    """Detect the file type and return the model's layers; ValueError naming what was expected otherwise."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: not a file; expected {EXPECTED}")
    if activation is not None and activation not in ACTIVATIONS:
        raise ValueError(f"activation {activation!r}: expected one of {', '.join(ACTIVATIONS)}")
    from .torchfile import read_state_dict

    blob = read_state_dict(path)  # plain state_dicts without torch (its import takes seconds)
    if blob is None:
        blob = _torch_load(path)
    if isinstance(blob, dict) and "relulab_checkpoint" in blob:
        from relulab.core import models

        ck = models.load_checkpoint(path)
        n = len(ck.seeds)
        if not 0 <= index < n:
            raise ValueError(f"{path}: --index {index} out of range; the checkpoint holds {n} models")
        act = activation or ck.spec.activation
        if act not in ACTIVATIONS:
            raise ValueError(f"{path}: activation {act!r} is not piecewise linear; "
                             f"expected one of {', '.join(ACTIVATIONS)}")
        slope = {"leaky_relu": ck.spec.leaky_slope}.get(act)
        if act == "prelu":
            slope = models.prelu_slopes(ck.spec, ck.params, index)
        return LoadedNet(models.layers_of(ck.spec, ck.params, index), act, slope, "relulab_checkpoint")
    if isinstance(blob, dict) and blob and all(hasattr(v, "shape") for v in blob.values()):
        if index != 0:
            raise ValueError(f"{path}: a state_dict holds one model; --index must be 0, got {index}")
        return LoadedNet(_sequential_layers(blob, path), activation or "relu", None, "state_dict")
    raise ValueError(f"{path}: unrecognised contents ({type(blob).__name__}); expected {EXPECTED}")


def load_layers(path, activation: str | None = None, index: int = 0) -> list:
    """The (W, b) float64 layers of model `index` in the file (see load_network)."""
    return load_network(path, activation, index).layers
