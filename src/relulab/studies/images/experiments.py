"""Experiment drivers of the images family: model variants from config, and the tables each rule writes."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from relulab.studies.images import cnn, gabor, invariance, probes
from relulab.core import data

CHANCE = 0.1
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
    final = pd.DataFrame({"model": name, "seed": seeds, "params": cnn.n_params(spec),
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
    return cnn.Stack.from_state(torch.load(path, weights_only=False))


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


def train_activations(cfg: dict, size: str, seeds: list[int], log=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train the CNN with every configured activation on the full or small training set.

    Returns final metrics (activation, seed, train_error, test_error, gap, steps to target) and the histories.
    """
    n_train, epochs = cfg[f"{size}_n_train"], cfg[f"{size}_epochs"]
    d = load_data(cfg, n_train)
    n = cfg["n_eval"]
    finals, hists = [], []
    for act in cfg["activations"]:
        spec, ts = base_spec(cfg, d.image_shape, act), base_train(cfg, epochs)
        st = cnn.Stack(spec, seeds)
        hist = cnn.train(st, ts, d.x_train, d.y_train, log=log).assign(activation=act)
        train_err = 1 - st.accuracy(d.x_train[:n], d.y_train[:n])
        test_err = 1 - st.accuracy(d.x_test, d.y_test)
        speed = steps_to(hist, cfg["speed_target_error"], int(hist.step.max()))
        res = [affine_residual(st.network(i), d.x_test[:64]) if act == "identity" else np.nan
               for i in range(len(seeds))]
        finals.append(pd.DataFrame({"size": size, "n_train": len(d.x_train), "activation": act, "seed": seeds,
                                    "train_error": train_err, "test_error": test_err, "gap": test_err - train_err,
                                    "steps_to_target": speed.steps.to_numpy(), "reached": speed.reached.to_numpy(),
                                    "affine_residual": res}))
        hists.append(hist)
        if log is not None:
            log.info("%s %s: test error %s", size, act, np.round(test_err, 4))
    return pd.concat(finals), pd.concat(hists)


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
    """Per seed: channels of the last conv block a probe needs, and single-channel ablation accuracy drops."""
    last = len(st.spec.channels) - 1
    xtr, ytr, xte, yte = d.x_train[:n_fit], d.y_train[:n_fit], d.x_test[:n_eval], d.y_test[:n_eval]
    ftr, fte = st.features(xtr)[last], st.features(xte)[last]  # (S, N, C, H, W)
    S, C = ftr.shape[0], ftr.shape[2]
    single = probes.probe_accuracy(ftr.transpose(1, 2).flatten(3).reshape(S * C, n_fit, -1), ytr,
                                   fte.transpose(1, 2).flatten(3).reshape(S * C, len(yte), -1), yte, d.n_classes,
                                   l2=l2, iters=iters).reshape(S, C)
    order = np.argsort(-single, axis=1)
    nested = np.stack([probes.probe_accuracy(
        torch.stack([probes.channel_features(ftr[s], order[s, :k]) for s in range(S)]), ytr,
        torch.stack([probes.channel_features(fte[s], order[s, :k]) for s in range(S)]), yte, d.n_classes, l2=l2,
        iters=iters) for k in range(1, C + 1)], 1)  # (S, C)
    rows = []
    for s in range(S):
        net = st.network(s)
        with torch.no_grad():
            base_pred = head_logits(net, fte[s]).argmax(-1)
            recall0 = np.array([(base_pred[yte == c] == c).double().mean() for c in range(d.n_classes)])
            drops, class_drops = [], []
            for c in range(C):
                f = fte[s].clone()
                f[:, c] = 0.0
                pred = head_logits(net, f).argmax(-1)
                drops.append(float((base_pred == yte).double().mean() - (pred == yte).double().mean()))
                rec = np.array([(pred[yte == k] == k).double().mean() for k in range(d.n_classes)])
                class_drops.append(float(np.max(recall0 - rec)))
        rows.append({"seed": st.seeds[s], "full_probe_acc": nested[s, -1], "best_single_channel_acc": single[s].max(),
                     "channels_needed": probes.channels_needed(nested[s], nested[s, -1], fraction),
                     "max_ablation_drop": max(drops), "mean_ablation_drop": float(np.mean(drops)),
                     "max_class_recall_drop": max(class_drops),
                     **{f"top{k + 1}_acc": nested[s, k] for k in range(C)}})
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


# ---- evidence: claim statistics ----

def _paired(a, b, kind="diff"):
    """Paired bootstrap (estimate, low, high), rounded so float noise (1e-16) never decides a verdict."""
    from relulab.core.stats import paired_bootstrap_ci
    return tuple(round(v, 12) for v in paired_bootstrap_ci(np.asarray(a, float), np.asarray(b, float), kind=kind))


def _ci(v):
    from relulab.core.stats import bootstrap_ci
    return tuple(round(x, 12) for x in bootstrap_ci(np.asarray(v, float)))


def _by_seed(df: pd.DataFrame, col: str, **where) -> pd.Series:
    for k, v in where.items():
        df = df[df[k] == v]
    return df.groupby("seed")[col].median().sort_index()


def claim_rows(t: dict[str, pd.DataFrame], ev: dict[str, str], shift_probe: int) -> list[dict]:
    """Every claim statistic of the family from its tables (t: metrics, acts, filters, pairs, probes,
    channels, head, invariance); medians over seeds with percentile-bootstrap CIs, paired by seed."""
    from relulab.core.evidence import claim_row
    rows = []

    def add(cid, stat, est, n, note="", ci=True):
        rows.append(claim_row(cid, stat, est[0], (est[1], est[2]) if ci else None, n, ev[cid], note))

    m, f, pr, pb = t["metrics"], t["filters"], t["pairs"], t["probes"]
    r2 = {k: _by_seed(f, "r2", kind=k) for k in ("trained", "random_init", "shuffled_labels")}
    n = len(r2["trained"])
    add("C1", "gabor_r2_gain_vs_random", _paired(r2["trained"], r2["random_init"]), n,
        "median Gabor R^2 of first-layer filters, trained minus the same networks at initialization")
    add("C1", "gabor_r2_gain_vs_shuffled", _paired(r2["trained"], r2["shuffled_labels"]), n,
        "trained minus a network trained on shuffled labels")
    add("C1", "axis_aligned_fraction", _ci(_by_seed(pr, "axis_aligned_fraction", kind="trained")), n,
        "fraction of trained first-layer filters within 22.5 degrees of horizontal/vertical")
    acc = lambda kind, depth: _by_seed(pb, "probe_acc", kind=kind, depth=depth)
    n_conv = int(pb[pb.layer.str.startswith("conv")].depth.max())
    rise = _paired(acc("trained", n_conv), acc("trained", 0))
    add("C1", "probe_gain_last_conv_vs_pixels", rise, n, "linear-probe accuracy, last conv block minus pixels")
    add("C7", "training_gain_deep_minus_shallow",
        _paired(acc("trained", n_conv) - acc("random_init", n_conv), acc("trained", 1) - acc("random_init", 1)), n,
        "probe gain of training over random features at the last conv block minus the gain at the first")
    add("C7", "probe_rise_last_vs_first_conv", _paired(acc("trained", n_conv), acc("trained", 1)), n,
        "linear-probe accuracy, last conv block minus first conv block (trained network)")
    add("C7", "probe_gain_over_random_last_conv", _paired(acc("trained", n_conv), acc("random_init", n_conv)), n,
        "linear-probe accuracy on trained minus random-init features at the last conv block")
    ch = t["channels"].sort_values("seed")
    add("C2", "channels_for_95pct_probe", _ci(ch.channels_needed), n,
        "channels (ranked by single-channel probe accuracy) a probe needs for 95% of the all-channel accuracy")
    add("C2", "max_single_ablation_drop", _ci(ch.max_ablation_drop), n,
        "largest test-accuracy drop from zeroing one channel of the last conv block")
    add("C2", "max_class_recall_drop", _ci(ch.max_class_recall_drop), n,
        "largest drop of one class's recall from zeroing one channel")
    inv = t["invariance"]
    sh = inv[inv["transform"] == "shift"]
    ret = lambda model: (_by_seed(sh[sh.value >= 1], "accuracy", model=model) / _by_seed(sh[sh.value == 0], "accuracy",
                                                                                          model=model))
    add("C3", "pool_minus_nopool_shift_retention", _paired(ret("cnn"), ret("cnn_nopool")), n,
        "accuracy under 1.. px shifts as a fraction of unshifted accuracy, max pooling minus no pooling")
    at = lambda model, v: _by_seed(sh[sh.value == v], "accuracy", model=model)
    add("C3", "pool_shift_retention", _ci(at("cnn", shift_probe) / at("cnn", 0)), n,
        f"pooled CNN's accuracy retention at a {shift_probe}-pixel shift")
    sim = lambda model: _by_seed(sh[sh.value >= 1], "similarity", model=model)
    add("C3", "pool_minus_nopool_feature_similarity", _paired(sim("cnn"), sim("cnn_nopool")), n,
        "cosine similarity of last-conv features of shifted and original images, pooling minus no pooling")
    params = m.groupby("model").params.first()
    add("C3", "nopool_over_pool_params", (params["cnn_nopool"] / params["cnn"],) * 3, 1,
        "parameter count without pooling over with pooling (exact)", ci=False)
    ro = inv[inv["transform"] == "rotate"]
    rot_acc = lambda model: _by_seed(ro[ro.value.abs() >= 45], "accuracy", model=model)
    add("C4", "rotation_accuracy_drop", _paired(_by_seed(ro[ro.value == 0], "accuracy", model="cnn"), rot_acc("cnn")),
        n, "plain CNN: upright accuracy minus mean accuracy at rotations of 45 degrees or more")
    add("C4", "wide_minus_base_rotaug_rotated_acc", _paired(rot_acc("cnn_wide_rotaug"), rot_acc("cnn_rotaug")), n,
        "trained with random rotations: wider CNN minus base CNN, mean accuracy at rotations >= 45 degrees")
    add("C4", "rotaug_minus_plain_rotated_acc", _paired(rot_acc("cnn_rotaug"), rot_acc("cnn")), n,
        "same-size CNN trained with rotations minus plain CNN, rotations >= 45 degrees")
    add("C4", "rotated_pair_excess", _paired(_by_seed(pr, "rotated_pair_fraction", kind="trained"),
                                             _by_seed(pr, "rotated_pair_fraction", kind="random_init")), n,
        "fraction of first-layer filters with a rotated copy in the bank, trained minus random init")
    ta = lambda model: _by_seed(m, "test_acc", model=model)
    mlps = [k for k in params.index if k.startswith("mlp_") and k[4:].isdigit()]
    same = min(mlps, key=lambda k: abs(np.log(params[k] / params["cnn"])))
    big = max(mlps, key=lambda k: params[k])
    add("C5", "cnn_minus_mlp_same_params_acc", _paired(ta("cnn"), ta(same)), n,
        f"test accuracy, CNN ({params['cnn']} parameters) minus {same} ({params[same]})")
    add("C5", "largest_mlp_param_ratio", (params[big] / params["cnn"],) * 3, 1,
        f"{big} parameters over the CNN's (exact)", ci=False)
    add("C5", "largest_mlp_minus_cnn_acc", _paired(ta(big), ta("cnn")), n, f"test accuracy, {big} minus CNN")
    hd = t["head"].sort_values("seed")
    share = (ta("head_random").to_numpy() - CHANCE) / (ta("cnn").to_numpy() - CHANCE)
    add("C6", "random_conv_head_share", _ci(share), n,
        "(accuracy of frozen random conv + trained head - chance) / (full training - chance)")
    add("C6", "retrained_head_share", _ci(hd.retrained_head_acc.to_numpy() / ta("cnn").to_numpy()), n,
        "head re-initialised and retrained on frozen trained conv features, accuracy over full training")
    add("C6", "linear_head_share", _ci(acc("trained", n_conv).to_numpy() / ta("cnn").to_numpy()), n,
        "linear probe on trained last-conv features (no hidden dense layer), accuracy over the full network")
    rows += activation_rows(t["acts"], ev)
    idm = _by_seed(m, "test_acc", model="mlp_identity") - _by_seed(m, "test_acc", model="mlp_linear")
    add("F1", "images_identity_vs_linear_gap", _ci(idm.abs()), n,
        "|test accuracy of a deep identity-activation MLP - a linear classifier trained the same way|")
    return rows


def activation_rows(a: pd.DataFrame, ev: dict[str, str]) -> list[dict]:
    """F9, F12, F7 and F1 statistics from the activation grid (errors are fractions)."""
    from relulab.core.evidence import claim_row
    rows = []
    err = lambda size, act, col="test_error": _by_seed(a, col, size=size, activation=act)
    n = len(err("full", "relu"))
    acts = sorted(a.activation.unique())

    def add(cid, stat, est, note="", nn=n):
        rows.append(claim_row(cid, stat, est[0], (est[1], est[2]), nn, ev[cid], note))

    for size in ("full", "small"):
        add("F9", f"prelu_minus_relu_test_error_{size}", _paired(err(size, "prelu"), err(size, "relu")),
            f"test error PReLU minus ReLU ({size} training set); negative favours PReLU")
        add("F9", f"leaky_minus_relu_test_error_{size}", _paired(err(size, "leaky_relu"), err(size, "relu")),
            f"test error leaky ReLU (0.01) minus ReLU ({size})")
        add("F9", f"rrelu_minus_relu_test_error_{size}", _paired(err(size, "rrelu"), err(size, "relu")),
            f"test error RReLU minus ReLU ({size})")
        for col, what in (("train_error", "training error"), ("test_error", "test error")):
            med = {act: err(size, act, col).median() for act in acts}
            for act in ("prelu", "rrelu"):
                others = [k for k in acts if k not in (act, "identity")]
                best = min(others, key=med.get)
                add("F9", f"{act}_minus_best_other_{col}_{size}", _paired(err(size, act, col), err(size, best, col)),
                    f"{what} of {act} minus the best other activation ({best}) on the {size} set; < 0: {act} best")
    smooth = ("tanh", "sigmoid")
    for size in ("small", "full"):
        best = min(smooth, key=lambda k: err(size, k).median())
        add("F12", f"relu_minus_smooth_test_error_{size}", _paired(err(size, "relu"), err(size, best)),
            f"test error ReLU minus {best} (the better of tanh/sigmoid), {size} set")
        add("F12", f"relu_minus_smooth_gap_{size}", _paired(err(size, "relu", "gap"), err(size, best, "gap")),
            f"generalization gap (test - train error) ReLU minus {best}, {size} set")
    st = lambda act: _by_seed(a, "steps_to_target", size="full", activation=act)
    for act in ("tanh", "sigmoid"):
        if act in acts:
            add("F7", f"images_steps_ratio_{act}_relu", _paired(st(act), st("relu"), "ratio"),
                f"CNN on images, Adam: steps to the target running training error, {act} over ReLU "
                "(censored at the budget)")
    if "identity" in acts:
        res = _by_seed(a[a.activation == "identity"], "affine_residual", size="full")
        add("F1", "images_identity_cnn_affine_residual", _ci(res),
            "identity-activation CNN with max pooling: relative distance from an affine map (max pooling itself "
            "is non-linear, so this is not 0)")
    return rows


# ---- figures ----

def _median_ci(df: pd.DataFrame, by: list[str], col: str) -> pd.DataFrame:
    from relulab.core.stats import summarize
    return summarize(df, by, col)


def plot_filters(st: cnn.Stack, filters: pd.DataFrame):
    """First seed's first-layer filters (trained, their Gabor fits, at init) and R^2 by kind."""
    import matplotlib.pyplot as plt
    banks = {"trained": first_filters(st)[0], "random init": first_filters(cnn.Stack(st.spec, st.seeds[:1]))[0]}
    fits = gabor.fit_all(banks["trained"])
    rows = [("trained", banks["trained"]), ("Gabor fit", np.stack([gabor.gabor(p, banks["trained"].shape[-1])
                                                                   for p in fits[0]])), ("random init", banks["random init"])]
    n = banks["trained"].shape[0]
    fig = plt.figure(figsize=(1.0 * n + 3.5, 3.4))
    grid = fig.add_gridspec(3, n + 4)
    for r, (name, bank) in enumerate(rows):
        for i, f in enumerate(bank):
            ax = fig.add_subplot(grid[r, i])
            ax.imshow(f, cmap="RdBu_r", vmin=-np.abs(f).max(), vmax=np.abs(f).max())
            ax.set_xticks([]), ax.set_yticks([])
            if i == 0:
                ax.set_ylabel(name, fontsize=7)
            if r == 0:
                ax.set_title(f"R²={fits[1][i]:.2f}", fontsize=6)
    ax = fig.add_subplot(grid[:, n + 1:])
    kinds = ["trained", "random_init", "shuffled_labels"]
    ax.boxplot([filters[filters.kind == k].r2.dropna() for k in kinds], tick_labels=["trained", "init", "shuffled"])
    ax.set_ylabel("Gabor fit R² (all seeds)")
    return fig


def plot_probes(probes_df: pd.DataFrame):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    for kind, g in _median_ci(probes_df, ["kind", "depth"], "probe_acc").groupby("kind"):
        ax.errorbar(g.depth, g["median"], yerr=[g["median"] - g.ci_low, g.ci_high - g["median"]], marker="o",
                    capsize=3, label=kind)
    names = probes_df.drop_duplicates("depth").sort_values("depth")
    ax.set_xticks(names.depth, names.layer)
    ax.set_ylabel("linear-probe test accuracy")
    ax.legend()
    return fig


def plot_invariance(inv: pd.DataFrame):
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for ax, kind, xlabel in zip(axes, ("shift", "rotate"), ("shift (pixels, horizontal and vertical)", "rotation (degrees)")):
        for model, g in _median_ci(inv[inv["transform"] == kind], ["model", "value"], "accuracy").groupby("model"):
            ax.plot(g.value, g["median"], marker="o", label=model)
            ax.fill_between(g.value, g.ci_low, g.ci_high, alpha=0.2)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("test accuracy")
    axes[1].legend(fontsize=7)
    return fig


def params_table(metrics: pd.DataFrame) -> pd.DataFrame:
    return _median_ci(metrics, ["model"], "test_acc").merge(metrics.groupby("model", as_index=False).params.first())


def plot_params(metrics: pd.DataFrame):
    import matplotlib.pyplot as plt
    t = params_table(metrics)
    fig, ax = plt.subplots(figsize=(5, 3.4))
    for _, r in t.iterrows():
        colour = "C0" if r.model.startswith("cnn") or r.model == "head_random" else "C1"
        ax.errorbar(r.params, r["median"], yerr=[[r["median"] - r.ci_low], [r.ci_high - r["median"]]], marker="o",
                    color=colour, capsize=3)
        ax.annotate(r.model, (r.params, r["median"]), fontsize=6, xytext=(3, 3), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel("parameters (log scale); blue: CNNs, orange: dense networks")
    ax.set_ylabel("test accuracy")
    return fig


def activation_table(acts: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([_median_ci(acts, ["size", "activation"], c).assign(statistic=c)
                      for c in ("train_error", "test_error", "gap")])


def plot_activations(acts: pd.DataFrame):
    import matplotlib.pyplot as plt
    t = activation_table(acts)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=False)
    order = list(dict.fromkeys(acts.activation))
    for ax, size in zip(axes, ("full", "small")):
        for j, (stat, off) in enumerate((("train_error", -0.15), ("test_error", 0.15))):
            g = t[(t["size"] == size) & (t.statistic == stat)].set_index("activation").loc[order]
            x = np.arange(len(order)) + off
            ax.errorbar(x, g["median"], yerr=[g["median"] - g.ci_low, g.ci_high - g["median"]], fmt="o", capsize=3,
                        label=stat.replace("_", " "))
        n = int(acts[acts["size"] == size].n_train.iloc[0])
        ax.set_xticks(np.arange(len(order)), order, rotation=45, ha="right", fontsize=7)
        ax.set_title(f"{size} training set (n = {n})")
        ax.set_ylabel("error (median over seeds, 95% CI)")
    axes[0].legend()
    return fig
