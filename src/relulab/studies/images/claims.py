"""Claim statistics of the images family (C1-C7, F9, F12, F7, F1), its summary tables, values and manifest.

Every statistic is a median over seeds with a percentile-bootstrap CI, paired by seed where two models are
compared; estimates are rounded to 12 digits so float noise never decides a verdict.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from relulab.core.evidence import claim_row
from relulab.core.stats import bootstrap_ci, paired_bootstrap_ci, summarize

CHANCE = 0.1

# Figure and table ids that carry the evidence of each claim (the evidence column of claims.csv).
EVIDENCE = {"C1": "fig-images-filters fig-images-probes", "C7": "fig-images-probes", "C2": "tbl-images-channels",
            "C3": "fig-images-invariance tbl-images-params", "C4": "fig-images-invariance fig-images-filters",
            "C5": "fig-images-params tbl-images-params", "C6": "fig-images-params tbl-images-params fig-images-probes",
            "F9": "fig-images-activations tbl-images-activations",
            "F12": "fig-images-activations tbl-images-activations", "F7": "tbl-images-activations",
            "F1": "tbl-images-params tbl-images-activations"}


def _paired(a, b, kind="diff"):
    """Paired bootstrap (estimate, low, high), rounded so float noise (1e-16) never decides a verdict."""
    return tuple(round(v, 12) for v in paired_bootstrap_ci(np.asarray(a, float), np.asarray(b, float), kind=kind))


def _ci(v):
    return tuple(round(x, 12) for x in bootstrap_ci(np.asarray(v, float)))


def _by_seed(df: pd.DataFrame, col: str, **where) -> pd.Series:
    for k, v in where.items():
        df = df[df[k] == v]
    return df.groupby("seed")[col].median().sort_index()


def _adder(rows: list[dict], ev: dict[str, str]):
    """A function appending one claim row to rows: est is (estimate, low, high); ci=False drops the interval."""
    def add(cid, stat, est, n, note="", ci=True):
        rows.append(claim_row(cid, stat, est[0], (est[1], est[2]) if ci else None, n, ev[cid], note))
    return add


def _probe_acc(pb: pd.DataFrame, kind: str, depth: int) -> pd.Series:
    return _by_seed(pb, "probe_acc", kind=kind, depth=depth)


def _last_conv_depth(pb: pd.DataFrame) -> int:
    return int(pb[pb.layer.str.startswith("conv")].depth.max())


def _test_acc(m: pd.DataFrame, model: str) -> pd.Series:
    return _by_seed(m, "test_acc", model=model)


def _c1_rows(add, f: pd.DataFrame, pr: pd.DataFrame, pb: pd.DataFrame, n: int) -> None:
    """C1: Gabor-like first-layer filters, axis alignment, probe gain from pixels to the last conv block."""
    r2 = {k: _by_seed(f, "r2", kind=k) for k in ("trained", "random_init", "shuffled_labels")}
    add("C1", "gabor_r2_gain_vs_random", _paired(r2["trained"], r2["random_init"]), n,
        "median Gabor R^2 of first-layer filters, trained minus the same networks at initialization")
    add("C1", "gabor_r2_gain_vs_shuffled", _paired(r2["trained"], r2["shuffled_labels"]), n,
        "trained minus a network trained on shuffled labels")
    add("C1", "axis_aligned_fraction", _ci(_by_seed(pr, "axis_aligned_fraction", kind="trained")), n,
        "fraction of trained first-layer filters within 22.5 degrees of horizontal/vertical")
    n_conv = _last_conv_depth(pb)
    rise = _paired(_probe_acc(pb, "trained", n_conv), _probe_acc(pb, "trained", 0))
    add("C1", "probe_gain_last_conv_vs_pixels", rise, n, "linear-probe accuracy, last conv block minus pixels")


def _c7_rows(add, pb: pd.DataFrame, n: int) -> None:
    """C7: what training adds to the features grows with depth."""
    acc = lambda kind, depth: _probe_acc(pb, kind, depth)
    n_conv = _last_conv_depth(pb)
    add("C7", "training_gain_deep_minus_shallow",
        _paired(acc("trained", n_conv) - acc("random_init", n_conv), acc("trained", 1) - acc("random_init", 1)), n,
        "probe gain of training over random features at the last conv block minus the gain at the first")
    add("C7", "probe_rise_last_vs_first_conv", _paired(acc("trained", n_conv), acc("trained", 1)), n,
        "linear-probe accuracy, last conv block minus first conv block (trained network)")
    add("C7", "probe_gain_over_random_last_conv", _paired(acc("trained", n_conv), acc("random_init", n_conv)), n,
        "linear-probe accuracy on trained minus random-init features at the last conv block")


def _c2_rows(add, channels: pd.DataFrame, n: int) -> None:
    """C2: channels a probe needs, and what zeroing one channel costs."""
    ch = channels.sort_values("seed")
    add("C2", "channels_for_95pct_probe", _ci(ch.channels_needed), n,
        "channels (ranked by single-channel probe accuracy) a probe needs for 95% of the all-channel accuracy")
    add("C2", "max_single_ablation_drop", _ci(ch.max_ablation_drop), n,
        "largest test-accuracy drop from zeroing one channel of the last conv block")
    add("C2", "max_class_recall_drop", _ci(ch.max_class_recall_drop), n,
        "largest drop of one class's recall from zeroing one channel")


def _c3_rows(add, inv: pd.DataFrame, m: pd.DataFrame, n: int, shift_probe: int) -> None:
    """C3: max pooling and shift invariance, and the parameters pooling saves."""
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
        "parameter count without pooling over with pooling: exact, fixed by construction (the architectures)", ci=False)


def _c4_rows(add, inv: pd.DataFrame, pr: pd.DataFrame, n: int) -> None:
    """C4: rotations: accuracy drop, augmentation and width, rotated copies among first-layer filters."""
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


def _c5_rows(add, m: pd.DataFrame, n: int) -> None:
    """C5: the CNN against dense networks of the same and of many more parameters."""
    params = m.groupby("model").params.first()
    ta = lambda model: _test_acc(m, model)
    mlps = [k for k in params.index if k.startswith("mlp_") and k[4:].isdigit()]
    same = min(mlps, key=lambda k: abs(np.log(params[k] / params["cnn"])))
    big = max(mlps, key=lambda k: params[k])
    add("C5", "cnn_minus_mlp_same_params_acc", _paired(ta("cnn"), ta(same)), n,
        f"test accuracy, CNN ({params['cnn']} parameters) minus {same} ({params[same]})")
    add("C5", "largest_mlp_param_ratio", (params[big] / params["cnn"],) * 3, 1,
        f"{big} parameters over the CNN's: exact, fixed by construction (the configured widths)", ci=False)
    add("C5", "largest_mlp_minus_cnn_acc", _paired(ta(big), ta("cnn")), n, f"test accuracy, {big} minus CNN")


def _c6_rows(add, m: pd.DataFrame, head: pd.DataFrame, pb: pd.DataFrame, n: int) -> None:
    """C6: how much of the full network's accuracy the conv features or the head carry alone."""
    ta = lambda model: _test_acc(m, model)
    hd = head.sort_values("seed")
    share = (ta("head_random").to_numpy() - CHANCE) / (ta("cnn").to_numpy() - CHANCE)
    add("C6", "random_conv_head_share", _ci(share), n,
        "(accuracy of frozen random conv + trained head - chance) / (full training - chance)")
    add("C6", "retrained_head_share", _ci(hd.retrained_head_acc.to_numpy() / ta("cnn").to_numpy()), n,
        "head re-initialised and retrained on frozen trained conv features, accuracy over full training")
    probe = _probe_acc(pb, "trained", _last_conv_depth(pb))
    add("C6", "linear_head_share", _ci(probe.to_numpy() / ta("cnn").to_numpy()), n,
        "linear probe on trained last-conv features (no hidden dense layer), accuracy over the full network")


def _f1_rows(add, m: pd.DataFrame, n: int) -> None:
    """F1: a deep identity-activation MLP is as good as a linear classifier."""
    idm = _by_seed(m, "test_acc", model="mlp_identity") - _by_seed(m, "test_acc", model="mlp_linear")
    add("F1", "images_identity_vs_linear_gap", _ci(idm.abs()), n,
        "|test accuracy of a deep identity-activation MLP - a linear classifier trained the same way|")


def claim_rows(t: dict[str, pd.DataFrame], ev: dict[str, str], shift_probe: int) -> list[dict]:
    """Every claim statistic of the family from its tables (t: metrics, acts, filters, pairs, probes,
    channels, head, invariance); medians over seeds with percentile-bootstrap CIs, paired by seed."""
    rows = []
    add = _adder(rows, ev)
    m, pr, pb, inv = t["metrics"], t["pairs"], t["probes"], t["invariance"]
    n = len(_by_seed(t["filters"], "r2", kind="trained"))
    _c1_rows(add, t["filters"], pr, pb, n)
    _c7_rows(add, pb, n)
    _c2_rows(add, t["channels"], n)
    _c3_rows(add, inv, m, n, shift_probe)
    _c4_rows(add, inv, pr, n)
    _c5_rows(add, m, n)
    _c6_rows(add, m, t["head"], pb, n)
    rows += activation_rows(t["acts"], ev)
    _f1_rows(add, m, n)
    return rows


def activation_rows(a: pd.DataFrame, ev: dict[str, str]) -> list[dict]:
    """F9, F12, F7 and F1 statistics from the activation grid (errors are fractions)."""
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


# ---- summary tables, values and manifest written by the evidence rule ----

def median_ci(df: pd.DataFrame, by: list[str], col: str) -> pd.DataFrame:
    return summarize(df, by, col)


def params_table(metrics: pd.DataFrame) -> pd.DataFrame:
    return median_ci(metrics, ["model"], "test_acc").merge(metrics.groupby("model", as_index=False).params.first())


def activation_table(acts: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([median_ci(acts, ["size", "activation"], c).assign(statistic=c)
                      for c in ("train_error", "test_error", "gap")])


def values(rows: list[dict], metrics: pd.DataFrame, acts: pd.DataFrame) -> dict:
    """Every claim statistic (rounded to 4 digits), each model's parameter count and each training-set size."""
    out = {f"{r['claim_id']}_{r['statistic']}": round(r["value"], 4) for r in rows}
    out.update({f"params_{m}": int(p) for m, p in metrics.groupby("model").params.first().items()})
    out.update({f"n_train_{s}": int(n) for s, n in acts.groupby("size").n_train.first().items()})
    return out
