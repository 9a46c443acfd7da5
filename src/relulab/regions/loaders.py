"""Read a network for the region engine from a relulab checkpoint or a bare nn.Sequential state_dict."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .network import ACTIVATIONS

EXPECTED = ("a relulab checkpoint (relulab.core.models.save_checkpoint) or a torch.save'd state_dict of an "
            "nn.Sequential of nn.Linear layers (keys '0.weight', '0.bias', '2.weight', ...)")


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


def _sequential_layers(sd: dict, path) -> list:
    keys = list(sd)
    pat = re.compile(r"^(?:.*\.)?(\d+)\.(weight|bias)$")
    matches = [pat.match(k) for k in keys]
    if not keys or not all(matches):
        bad = [k for k, m in zip(keys, matches) if not m][:3]
        raise ValueError(f"{path}: unexpected keys {bad or '(none)'}; expected {EXPECTED}")
    idx = sorted({int(m.group(1)) for m in matches})
    layers = []
    for i in idx:
        group = [k for k in keys if pat.match(k).group(1) == str(i)]
        wk = next((k for k in group if k.endswith("weight")), None)
        bk = next((k for k in group if k.endswith("bias")), None)
        if wk is None or bk is None:
            raise ValueError(f"{path}: layer {i} lacks a weight or a bias; expected {EXPECTED}")
        W = np.asarray(sd[wk].detach().double().numpy() if hasattr(sd[wk], "detach") else sd[wk], dtype=np.float64)
        b = np.asarray(sd[bk].detach().double().numpy() if hasattr(sd[bk], "detach") else sd[bk], dtype=np.float64)
        if W.ndim != 2 or b.shape != (W.shape[0],):
            raise ValueError(f"{path}: layer {i} is not an nn.Linear (weight {tuple(W.shape)}, bias {tuple(b.shape)})")
        layers.append((W, b))
    for (W1, _), (W2, _) in zip(layers[:-1], layers[1:]):
        if W2.shape[1] != W1.shape[0]:
            raise ValueError(f"{path}: layer sizes do not chain ({W1.shape} then {W2.shape})")
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
