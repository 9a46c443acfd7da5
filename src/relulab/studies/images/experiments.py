"""Experiment drivers of the images family: model variants from config, and the tables each rule writes.

Claim statistics and summary tables are in `claims`, figures in `figures`.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from relulab.studies.images import cnn, concepts, gabor, invariance, probes
from relulab.core import data

FIXED_MODELS = ("cnn", "cnn_nopool", "cnn_shuffled", "cnn_rotaug", "cnn_wide_rotaug", "head_random", "mlp_linear",
                "mlp_identity")


def model_names(cfg: dict) -> list[str]:
    """Every model variant trained by the family: the fixed ones and one MLP per configured width."""
    return list(FIXED_MODELS) + [f"mlp_{w}" for w in cfg["mlp_widths"]]


def load_data(cfg: dict, n_train: int, seed: int = 0) -> data.Dataset:
    """The configured data set as images (N, 1, H, W); n_train 0 keeps the whole training set."""
    return data.load(cfg["dataset"], n_train=n_train or None, seed=seed, flat=False)


def base_spec(cfg: dict, in_shape, activation: str = "relu") -> cnn.NetSpec:
    return cnn.NetSpec(in_shape=tuple(in_shape), channels=tuple(cfg["channels"]), kernels=tuple(cfg["kernels"]),
                       head=tuple(cfg["head"]), activation=activation)


def base_train(cfg: dict, epochs: float | None = None) -> cnn.TrainSpec:
    return cnn.TrainSpec(epochs=epochs or cfg["epochs"], batch_size=cfg["batch_size"], lr=cfg["lr"],
                         weight_decay=cfg["weight_decay"])


def variant(cfg: dict, name: str, in_shape) -> tuple[cnn.NetSpec, cnn.TrainSpec]:
    """Network and training spec of a named model variant."""
    spec, ts = base_spec(cfg, in_shape), base_train(cfg)
    if name == "cnn":
        return spec, ts
    if name == "cnn_nopool":
        return replace(spec, pool=False), ts
    if name == "cnn_shuffled":
        return spec, replace(ts, shuffle_labels=True)
    if name in ("cnn_rotaug", "cnn_wide_rotaug"):
        k = cfg["wide_factor"] if name == "cnn_wide_rotaug" else 1
        return (replace(spec, channels=tuple(c * k for c in spec.channels), head=tuple(h * k for h in spec.head)),
                replace(ts, augment_rotation=float(cfg["rotation_train"])))
    if name == "head_random":
        return spec, replace(ts, freeze=("blocks",))
    if name == "mlp_linear":
        return cnn.NetSpec(in_shape=tuple(in_shape), channels=(), kernels=(), head=()), ts
    if name == "mlp_identity":
        return cnn.NetSpec(in_shape=tuple(in_shape), channels=(), kernels=(), head=tuple(cfg["identity_widths"]),
                           activation="identity"), ts
    if name.startswith("mlp_"):
        return cnn.NetSpec(in_shape=tuple(in_shape), channels=(), kernels=(), head=(int(name[4:]),)), ts
    raise ValueError(f"unknown images model {name!r}")


def train_model(cfg: dict, name: str, seeds: list[int], log=None) -> tuple[cnn.Stack, pd.DataFrame]:
    """Train one variant for every seed together; returns the stack and per-seed final metrics."""
    d = load_data(cfg, cfg["n_train"])
    spec, ts = variant(cfg, name, d.image_shape)
    st = cnn.Stack(spec, seeds)
    hist = cnn.train(st, ts, d.x_train, d.y_train, log=log)
    n = cfg["n_eval"]
    final = pd.DataFrame({"model": name, "seed": seeds, "params": cnn.n_params(spec), "n_train": len(d.x_train),
                          "n_test": len(d.x_test), "epochs": ts.epochs,
                          "train_acc": st.accuracy(d.x_train[:n], d.y_train[:n]),
                          "test_acc": st.accuracy(d.x_test, d.y_test)})
    return st, final.merge(hist.groupby("seed", as_index=False).train_error.last().rename(
        columns={"train_error": "running_train_error"}))


def save_stack(st: cnn.Stack, path) -> None:
    """Atomic torch.save of a stack's spec, seeds and parameters."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    torch.save(st.state(), tmp)
    os.replace(tmp, path)


def load_stack(path) -> cnn.Stack:
    """A stack saved by save_stack; only tensors and plain data are unpickled (weights_only=True)."""
    return cnn.Stack.from_state(torch.load(path, map_location="cpu", weights_only=True))


# ---- activation family (F9, F12, F7, F1) ----

def affine_residual(net: torch.nn.Module, x: torch.Tensor) -> float:
    """How far a network is from an affine map: relative RMS error of the affine map read off f(0), f(e_i)."""
    net = net.double()
    x = x.double()
    d = x[0].numel()
    with torch.no_grad():
        basis = torch.cat([torch.zeros(1, d), torch.eye(d)]).double().reshape(d + 1, *x.shape[1:])
        fb = net(basis)
        W, b = fb[1:] - fb[:1], fb[0]
        fx = net(x)
        aff = x.flatten(1) @ W + b
    return float(((fx - aff) ** 2).mean().sqrt() / (fx - fx.mean(0)).pow(2).mean().sqrt())


def steps_to(history: pd.DataFrame, target: float, budget: int) -> pd.DataFrame:
    """First logged step at which the running training error is at or below target (budget if never)."""
    hit = history[history.train_error <= target].groupby("seed").step.min()
    return pd.DataFrame({"seed": sorted(history.seed.unique())}).assign(
        steps=lambda f: f.seed.map(hit).fillna(budget), reached=lambda f: f.seed.isin(hit.index))


def late_improvement(history: pd.DataFrame, tail: float = 0.25) -> pd.Series:
    """Per seed: running training error over the window ending at (1 - tail) of training minus over the last
    window (each a tenth of the logged steps); near 0 when training has plateaued."""
    def one(h):
        e = h.sort_values("step").train_error.to_numpy()
        w, cut = max(1, len(e) // 10), int(round(len(e) * (1 - tail)))
        return float(e[max(0, cut - w):max(1, cut)].mean() - e[-w:].mean())
    return history.groupby("seed").apply(one, include_groups=False)


def at_matched_train_error(checks: list[tuple], target: float) -> dict[str, np.ndarray]:
    """Per network, the test error at the first epoch-end check whose training error is at most target, linearly
    interpolated from the check before on training error; NaN (and matched False) if no check reached it.

    checks: (step, train_error (S,), test_error (S,)) in training order, both on n_eval images.
    """
    steps = np.array([c[0] for c in checks], float)
    tr, te = np.stack([c[1] for c in checks], 1), np.stack([c[2] for c in checks], 1)  # (S, checks)
    rows = []
    for r, e in zip(tr, te):
        hit = np.nonzero(r <= target)[0]
        if hit.size == 0:
            rows.append((False, np.nan, np.nan))
            continue
        k = int(hit[0])
        prev = max(k - 1, 0)
        w = 1.0 if k == 0 else (r[prev] - target) / (r[prev] - r[k])
        rows.append((True, steps[prev] + w * (steps[k] - steps[prev]), e[prev] + w * (e[k] - e[prev])))
    matched, step, test = (np.asarray(v) for v in zip(*rows))
    return {"matched": matched.astype(bool), "matched_step": step.astype(float), "matched_test_error": test.astype(float)}


def train_activation(cfg: dict, size: str, act: str, seeds: list[int], log=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train the CNN with activation `act` on the full or small training set, every seed at once.

    Returns the final metrics (activation, seed, train error and loss, test error, gap, steps to target, late
    improvement of the running training error, PReLU's learned slopes per layer) and the history. Each
    activation's run is independent of the others (data and seeds are fixed), so the grid runs as one job per
    activation and concat_tables joins them in the configured order.
    """
    n_train, epochs = cfg[f"{size}_n_train"], cfg[f"{size}_epochs"]
    d = load_data(cfg, n_train)
    n = cfg["n_eval"]
    spec, ts = base_spec(cfg, d.image_shape, act), base_train(cfg, epochs)
    st = cnn.Stack(spec, seeds)
    checks = []
    hist = cnn.train(st, ts, d.x_train, d.y_train, log=log, on_epoch=lambda step: checks.append(
        (step, 1 - st.accuracy(d.x_train[:n], d.y_train[:n]), 1 - st.accuracy(d.x_test[:n], d.y_test[:n])))
    ).assign(activation=act)
    matched = at_matched_train_error(checks, cfg["match_train_error"])
    logits = st.logits(d.x_train[:n])
    train_loss = torch.nn.functional.cross_entropy(logits.transpose(1, 2), d.y_train[:n].expand(len(seeds), -1),
                                                   reduction="none").mean(1).double().numpy()
    train_err = 1 - (logits.argmax(-1) == d.y_train[:n]).double().mean(1).numpy()
    test_err = 1 - st.accuracy(d.x_test, d.y_test)
    speed = steps_to(hist, cfg["speed_target_error"], int(hist.step.max()))
    res = [affine_residual(st.network(i), d.x_test[:64]) if act == "identity" else np.nan for i in range(len(seeds))]
    final = pd.DataFrame({"size": size, "n_train": len(d.x_train), "epochs": ts.epochs, "activation": act,
                          "seed": seeds, "train_error": train_err, "train_loss": train_loss, "test_error": test_err,
                          "gap": test_err - train_err, "steps_to_target": speed.steps.to_numpy(),
                          "reached": speed.reached.to_numpy(), "affine_residual": res,
                          "late_improvement": late_improvement(hist).reindex(seeds).to_numpy(), **matched,
                          **{f"slope_{k}": v for k, v in cnn.prelu_slopes(st).items()}})
    if log is not None:
        log.info("%s %s: test error %s", size, act, np.round(test_err, 4))
    return final, hist


def concat_tables(paths) -> pd.DataFrame:
    """The per-activation tables joined in the given order (floats read back exactly)."""
    return pd.concat([pd.read_csv(p, float_precision="round_trip") for p in paths])


# ---- first-layer filters (C1, C4) ----

def first_filters(st: cnn.Stack) -> np.ndarray:
    """First conv layer weights (S, C, k, k) in float64 (single input channel)."""
    return st.params["blocks.0.0.weight"][:, :, 0].double().numpy()


def filter_tables(banks: dict[str, cnn.Stack], threshold: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Gabor fit (R^2, orientation) of every first-layer filter and rotated-pair fractions per bank and seed."""
    rows, pairs = [], []
    for kind, st in banks.items():
        for s, bank in zip(st.seeds, first_filters(st)):
            params, r2 = gabor.fit_all(bank)
            ori = gabor.orientation(params)
            rows += [{"kind": kind, "seed": s, "filter": i, "r2": r2[i], "orientation": ori[i],
                      "wavelength": params[i, 6], "sigma": params[i, 4]} for i in range(len(bank))]
            pairs.append({"kind": kind, "seed": s, "rotated_pair_fraction": gabor.rotated_pair_fraction(bank, threshold),
                          "axis_aligned_fraction": gabor.axis_aligned_fraction(params)})
    return pd.DataFrame(rows), pd.DataFrame(pairs)


# ---- probes (C1, C7, C2, C6) ----

def layer_probes(stacks: dict[str, cnn.Stack], d: data.Dataset, n_fit: int, n_eval: int, l2: float,
                 iters: int) -> pd.DataFrame:
    """Linear-probe test accuracy on pixels and on every hidden layer of each stack (one probe per seed)."""
    xtr, ytr, xte, yte = d.x_train[:n_fit], d.y_train[:n_fit], d.x_test[:n_eval], d.y_test[:n_eval]
    acc = probes.probe_accuracy(xtr.flatten(1)[None], ytr, xte.flatten(1)[None], yte, d.n_classes, l2=l2, iters=iters)
    rows = []
    for kind, st in stacks.items():
        rows += [{"kind": kind, "seed": s, "depth": 0, "layer": "pixels", "probe_acc": float(acc[0])} for s in st.seeds]
        ftr, fte = st.features(xtr)[:-1], st.features(xte)[:-1]
        for depth, (a, b, name) in enumerate(zip(ftr, fte, cnn.layer_names(st.spec)), start=1):
            acc_l = probes.probe_accuracy(a.flatten(2), ytr, b.flatten(2), yte, d.n_classes, l2=l2, iters=iters)
            rows += [{"kind": kind, "seed": s, "depth": depth, "layer": name, "probe_acc": float(v)}
                     for s, v in zip(st.seeds, acc_l)]
    return pd.DataFrame(rows)


def head_logits(net: cnn.Net, feats: torch.Tensor) -> torch.Tensor:
    """The dense head of a CNN applied to last-conv-block features (N, C, H, W)."""
    x = feats.flatten(1)
    for layer in net.hidden:
        x = layer(x)
    return net.out(x)


def channel_analysis(st: cnn.Stack, d: data.Dataset, n_fit: int, n_eval: int, l2: float, iters: int,
                     fraction: float) -> pd.DataFrame:
    """Per seed: how many last-conv channels each class needs (concepts.py: one-vs-rest probes on channel-pooled
    features, cumulative ablations in the network), and what zeroing one channel alone costs."""
    last = len(st.spec.channels) - 1
    xtr, ytr, xte, yte = d.x_train[:n_fit], d.y_train[:n_fit], d.x_test[:n_eval], d.y_test[:n_eval]
    ftr, fte = st.features(xtr)[last], st.features(xte)[last]  # (S, N, C, H, W)
    K, C = d.n_classes, ftr.shape[2]
    need = concepts.probe_channels_per_class(concepts.pooled(ftr), ytr, concepts.pooled(fte), yte, K, l2, iters,
                                             fraction)
    rows = []
    for s in range(len(st)):
        net = st.network(s)
        lose = concepts.ablations_to_lose_class(lambda f, net=net: head_logits(net, f), fte[s], yte, K)
        with torch.no_grad():
            base_pred = head_logits(net, fte[s]).argmax(-1)
            recall0 = np.array([(base_pred[yte == c] == c).double().mean() for c in range(K)])
            drops, class_drops = [], []
            for c in range(C):
                f = fte[s].clone()
                f[:, c] = 0.0
                pred = head_logits(net, f).argmax(-1)
                drops.append(float((base_pred == yte).double().mean() - (pred == yte).double().mean()))
                rec = np.array([(pred[yte == k] == k).double().mean() for k in range(K)])
                class_drops.append(float(np.max(recall0 - rec)))
        rows.append({"seed": st.seeds[s], "channels": C,
                     "classes_several_channels_probe": int((need[s] >= 2).sum()),
                     "classes_surviving_single_ablation": int((lose >= 2).sum()),
                     "median_probe_channels_per_class": float(np.median(need[s])),
                     "max_ablation_drop": max(drops),
                     "mean_ablation_drop": float(np.mean(drops)), "max_class_recall_drop": max(class_drops),
                     **{f"probe_channels_class{k}": int(need[s, k]) for k in range(K)},
                     **{f"ablations_to_lose_class{k}": int(lose[k]) for k in range(K)}})
    return pd.DataFrame(rows)


def retrain_head(cfg: dict, st: cnn.Stack, d: data.Dataset) -> np.ndarray:
    """Test accuracy after re-initialising the dense head and training it on the frozen trained conv blocks."""
    fresh = cnn.Stack(st.spec, [s + 1000 for s in st.seeds])
    for k, v in st.params.items():
        if k.startswith("blocks"):
            fresh.params[k] = v.clone()
    cnn.train(fresh, replace(base_train(cfg), freeze=("blocks",)), d.x_train, d.y_train)
    return fresh.accuracy(d.x_test, d.y_test)


# ---- invariance (C3, C4) ----

def invariance_table(stacks: dict[str, cnn.Stack], d: data.Dataset, n_eval: int, shifts, angles) -> pd.DataFrame:
    """Accuracy and last-conv feature similarity of each stack under shifted and rotated test images."""
    x, y = d.x_test[:n_eval], d.y_test[:n_eval]
    frames = []
    for name, st in stacks.items():
        last = len(st.spec.channels) - 1

        def evaluate(t, st=st, last=last):
            feats = st.features(t)
            return feats[-1].argmax(-1), feats[last]

        for kind, values in (("shift", shifts), ("rotate", angles)):
            rows = invariance.curve(evaluate, x, y, kind, values)
            frames.append(pd.DataFrame(rows).assign(model=name, seed=lambda f, st=st: f.network.map(
                dict(enumerate(st.seeds)))))
    return pd.concat(frames).drop(columns="network")
