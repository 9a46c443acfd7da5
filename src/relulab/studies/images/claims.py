"""Claim statistics of the images family (C1-C7, F9, F12, F7, F1), its summary tables, values and manifest.

Every statistic is a median over seeds with an order-statistic CI (core.stats), paired by seed where two models are
compared, or an exact parameter-count ratio; n_seeds counts the seeds that entered (0 for exact values);
estimates are rounded to 12 digits so float noise never decides a verdict. The activation grid's statistics
(F9, F12, F7, F1) are in `activation_claims`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from relulab.core.stats import summarize
from relulab.studies.images import activation_claims
from relulab.studies.images.seedstats import EXACT, MEDIAN, adder
from relulab.studies.images.seedstats import by_seed as _by_seed, seed_ci as _ci, exact as _exact, paired as _paired

CHANCE = 0.1

# Figure and table ids that carry the evidence of each claim (the evidence column of claims.csv).
EVIDENCE = {"C1": "fig-images-filters fig-images-probes", "C7": "fig-images-probes", "C2": "tbl-images-channels",
            "C3": "fig-images-invariance tbl-images-params", "C4": "fig-images-invariance fig-images-filters",
            "C5": "fig-images-params tbl-images-params", "C6": "fig-images-params tbl-images-params fig-images-probes",
            "F9": "fig-images-activations tbl-images-activations",
            "F12": "fig-images-activations tbl-images-activations", "F7": "tbl-images-activations",
            "F1": "tbl-images-params tbl-images-activations"}


def _probe_acc(pb: pd.DataFrame, kind: str, depth: int) -> pd.Series:
    return _by_seed(pb, "probe_acc", kind=kind, depth=depth)


def _last_conv_depth(pb: pd.DataFrame) -> int:
    return int(pb[pb.layer.str.startswith("conv")].depth.max())


def _test_acc(m: pd.DataFrame, model: str) -> pd.Series:
    return _by_seed(m, "test_acc", model=model)


def _c1_rows(add, f: pd.DataFrame, pr: pd.DataFrame, pb: pd.DataFrame) -> None:
    """C1: Gabor-like first-layer filters, axis alignment, probe gain from pixels to the last conv block."""
    r2 = {k: _by_seed(f, "r2", kind=k) for k in ("trained", "random_init", "shuffled_labels")}
    add("C1", "gabor_r2_gain_vs_random", _paired(r2["trained"], r2["random_init"]),
        "median Gabor R^2 of first-layer filters, trained minus the same networks at initialization")
    add("C1", "gabor_r2_gain_vs_shuffled", _paired(r2["trained"], r2["shuffled_labels"]),
        "trained minus a network trained on shuffled labels")
    add("C1", "axis_aligned_fraction", _ci(_by_seed(pr, "axis_aligned_fraction", kind="trained")),
        "fraction of trained first-layer filters within 22.5 degrees of horizontal/vertical", MEDIAN)
    rise = _paired(_probe_acc(pb, "trained", _last_conv_depth(pb)), _probe_acc(pb, "trained", 0))
    add("C1", "probe_gain_last_conv_vs_pixels", rise, "linear-probe accuracy, last conv block minus pixels")


def _c7_rows(add, pb: pd.DataFrame) -> None:
    """C7: what training adds to the features grows with depth."""
    acc = lambda kind, depth: _probe_acc(pb, kind, depth)
    n_conv = _last_conv_depth(pb)
    add("C7", "training_gain_deep_minus_shallow",
        _paired(acc("trained", n_conv) - acc("random_init", n_conv), acc("trained", 1) - acc("random_init", 1)),
        "probe gain of training over random features at the last conv block minus the gain at the first")
    add("C7", "probe_rise_last_vs_first_conv", _paired(acc("trained", n_conv), acc("trained", 1)),
        "linear-probe accuracy, last conv block minus first conv block (trained network)")
    add("C7", "probe_gain_over_random_last_conv", _paired(acc("trained", n_conv), acc("random_init", n_conv)),
        "linear-probe accuracy on trained minus random-init features at the last conv block")


def _c2_rows(add, channels: pd.DataFrame) -> None:
    """C2: how many of the last conv block's channels each class needs (existential reading: some classes need
    several), by one-vs-rest probes on channel-pooled features and by cumulative ablations, and what zeroing one
    channel alone costs."""
    ch = channels.groupby("seed").median(numeric_only=True)
    add("C2", "classes_needing_several_channels", _ci(ch.classes_several_channels_probe),
        "classes (of all) whose one-vs-rest probe on channel-averaged last-conv features needs 2 or more channels "
        "(ranked by the all-channel probe's weights) for 95% of its all-channel balanced accuracy", MEDIAN)
    add("C2", "classes_surviving_any_single_ablation", _ci(ch.classes_surviving_single_ablation),
        "classes whose recall stays above half its intact value whichever single last-conv channel is zeroed (the "
        "class needs 2 or more channels removed to be lost)", MEDIAN)
    add("C2", "median_probe_channels_per_class", _ci(ch.median_probe_channels_per_class),
        "channels a class's one-vs-rest probe needs, median over classes", MEDIAN)
    add("C2", "max_single_ablation_drop", _ci(ch.max_ablation_drop),
        "largest test-accuracy drop from zeroing one channel of the last conv block", MEDIAN)
    add("C2", "max_class_recall_drop", _ci(ch.max_class_recall_drop),
        "largest drop of one class's recall from zeroing one channel", MEDIAN)


def _c3_rows(add, inv: pd.DataFrame, m: pd.DataFrame, shift_probe: int) -> None:
    """C3: max pooling and shift invariance, and the parameters pooling saves."""
    sh = inv[inv["transform"] == "shift"]
    ret = lambda model: (_by_seed(sh[sh.value >= 1], "accuracy", model=model) / _by_seed(sh[sh.value == 0], "accuracy",
                                                                                          model=model))
    add("C3", "pool_minus_nopool_shift_retention", _paired(ret("cnn"), ret("cnn_nopool")),
        "accuracy under 1.. px shifts as a fraction of unshifted accuracy, max pooling minus no pooling")
    at = lambda model, v: _by_seed(sh[sh.value == v], "accuracy", model=model)
    add("C3", "pool_shift_retention", _ci(at("cnn", shift_probe) / at("cnn", 0)),
        f"pooled CNN's accuracy retention at a {shift_probe}-pixel shift", MEDIAN)
    sim = lambda model: _by_seed(sh[sh.value >= 1], "similarity", model=model)
    add("C3", "pool_minus_nopool_feature_similarity", _paired(sim("cnn"), sim("cnn_nopool")),
        "cosine similarity of last-conv features of shifted and original images, pooling minus no pooling")
    params = m.groupby("model").params.first()
    add("C3", "nopool_over_pool_params", _exact(params["cnn_nopool"] / params["cnn"]),
        "parameter count without pooling over with pooling", EXACT, ci=False)


def _c4_rows(add, inv: pd.DataFrame, pr: pd.DataFrame) -> None:
    """C4: rotations: accuracy drop, augmentation and width, rotated copies among first-layer filters."""
    ro = inv[inv["transform"] == "rotate"]
    rot_acc = lambda model: _by_seed(ro[ro.value.abs() >= 45], "accuracy", model=model)
    add("C4", "rotation_accuracy_drop", _paired(_by_seed(ro[ro.value == 0], "accuracy", model="cnn"), rot_acc("cnn")),
        "plain CNN: upright accuracy minus mean accuracy at rotations of 45 degrees or more")
    add("C4", "wide_minus_base_rotaug_rotated_acc", _paired(rot_acc("cnn_wide_rotaug"), rot_acc("cnn_rotaug")),
        "trained with random rotations: wider CNN minus base CNN, mean accuracy at rotations >= 45 degrees")
    add("C4", "rotaug_minus_plain_rotated_acc", _paired(rot_acc("cnn_rotaug"), rot_acc("cnn")),
        "same-size CNN trained with rotations minus plain CNN, rotations >= 45 degrees")
    add("C4", "rotated_pair_excess", _paired(_by_seed(pr, "rotated_pair_fraction", kind="trained"),
                                             _by_seed(pr, "rotated_pair_fraction", kind="random_init")),
        "fraction of first-layer filters with a rotated copy in the bank, trained minus random init")


def _c5_rows(add, m: pd.DataFrame) -> None:
    """C5: the CNN against dense networks of the same and of many more parameters."""
    params = m.groupby("model").params.first()
    ta = lambda model: _test_acc(m, model)
    mlps = [k for k in params.index if k.startswith("mlp_") and k[4:].isdigit()]
    same = min(mlps, key=lambda k: abs(np.log(params[k] / params["cnn"])))
    big = max(mlps, key=lambda k: params[k])
    add("C5", "cnn_minus_mlp_same_params_acc", _paired(ta("cnn"), ta(same)),
        f"test accuracy, CNN ({params['cnn']} parameters) minus {same} ({params[same]})")
    add("C5", "largest_mlp_param_ratio", _exact(params[big] / params["cnn"]), f"{big} parameters over the CNN's",
        EXACT, ci=False)
    add("C5", "largest_mlp_minus_cnn_acc", _paired(ta(big), ta("cnn")), f"test accuracy, {big} minus CNN")


def _c6_rows(add, m: pd.DataFrame, head: pd.DataFrame, pb: pd.DataFrame) -> None:
    """C6: how much of the full network's accuracy the conv features or the head carry alone."""
    full = _test_acc(m, "cnn")
    share = (_test_acc(m, "head_random") - CHANCE) / (full - CHANCE)
    add("C6", "random_conv_head_share", _ci(share),
        "(accuracy of frozen random conv + trained head - chance) / (full training - chance)", MEDIAN)
    retrained = head.groupby("seed").retrained_head_acc.median()
    add("C6", "retrained_head_share", _ci(retrained / full),
        "head re-initialised and retrained on frozen trained conv features, accuracy over full training", MEDIAN)
    probe = _probe_acc(pb, "trained", _last_conv_depth(pb))
    add("C6", "linear_head_share", _ci(probe / full),
        "linear probe on trained last-conv features (no hidden dense layer), accuracy over the full network", MEDIAN)


def _f1_rows(add, m: pd.DataFrame) -> None:
    """F1: a deep identity-activation MLP is as good as a linear classifier."""
    idm = _by_seed(m, "test_acc", model="mlp_identity") - _by_seed(m, "test_acc", model="mlp_linear")
    add("F1", "images_identity_vs_linear_gap", _ci(idm.abs()),
        "|test accuracy of a deep identity-activation MLP - a linear classifier trained the same way|",
        "median over seeds of the per-seed |difference| (paired by seed), order-statistic interval over seeds")


def claim_rows(t: dict[str, pd.DataFrame], ev: dict[str, str], shift_probe: int) -> list[dict]:
    """Every claim statistic of the family from its tables (t: metrics, acts, filters, pairs, probes,
    channels, head, invariance); medians over seeds with order-statistic CIs, paired by seed."""
    rows = []
    add = adder(rows, ev)
    m, pr, pb, inv = t["metrics"], t["pairs"], t["probes"], t["invariance"]
    _c1_rows(add, t["filters"], pr, pb)
    _c7_rows(add, pb)
    _c2_rows(add, t["channels"])
    _c3_rows(add, inv, m, shift_probe)
    _c4_rows(add, inv, pr)
    _c5_rows(add, m)
    _c6_rows(add, m, t["head"], pb)
    rows += activation_claims.activation_rows(t["acts"], ev)
    _f1_rows(add, m)
    return rows


# ---- summary tables, values and manifest written by the evidence rule ----

def median_ci(df: pd.DataFrame, by: list[str], col: str) -> pd.DataFrame:
    return summarize(df, by, col)


def params_table(metrics: pd.DataFrame) -> pd.DataFrame:
    return median_ci(metrics, ["model"], "test_acc").merge(metrics.groupby("model", as_index=False).params.first())


def activation_table(acts: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([median_ci(acts, ["size", "activation"], c).assign(statistic=c)
                      for c in ("train_error", "test_error", "gap")])


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _epochs(e: float) -> str:
    return _count(int(e), "epoch") if float(e).is_integer() else f"{e:g} epochs"


def config_values(cfg: dict, metrics: pd.DataFrame, acts: pd.DataFrame) -> dict[str, str]:
    """The run sizes the report states, as text generated from the config and the tables (never typed)."""
    cnn = metrics[metrics.model == "cnn"].iloc[0]
    n_size = acts.groupby("size").n_train.first()
    sets = {"fashion_mnist": "Fashion-MNIST (28x28 grey-scale clothing images, 10 classes)",
            "digits": "scikit-learn's 8x8 digits (10 classes)"}
    ch, ks = cfg["channels"], cfg["kernels"]
    return {
        "dataset": sets.get(cfg["dataset"], cfg["dataset"]),
        "seeds": str(int(metrics.seed.nunique())),
        "arch": f"{_count(len(ch), 'conv-activation-max-pool block')} ({' and '.join(map(str, ch))} channels, "
                f"{' then '.join(f'{k}x{k}' for k in ks)} kernels) and "
                + (f"{_count(len(cfg['head']), 'dense hidden layer')} of {' and '.join(map(str, cfg['head']))} units"
                   if cfg["head"] else "no dense hidden layer"),
        "c_train": f"{_count(int(cnn.n_train), 'training image')} for {_epochs(cnn.epochs)}",
        "full_train": f"{_count(int(n_size['full']), 'training image')} for {_epochs(cfg['full_epochs'])}",
        "small_train": f"{_count(int(n_size['small']), 'training image')} for {_epochs(cfg['small_epochs'])}",
        "full_acts": ", ".join(dict.fromkeys(acts[acts["size"] == "full"].activation)),
        "small_acts": ", ".join(dict.fromkeys(acts[acts["size"] == "small"].activation)),
        "n_eval": f"{int(cfg['n_eval']):,}", "n_test": f"{int(cnn.n_test):,}",
        "probe_n_train": f"{int(cfg['probe_n_train']):,}", "wide_factor": str(cfg["wide_factor"]),
        "rotation_train": f"{cfg['rotation_train']:g}", "pair_threshold": f"{cfg['pair_threshold']:g}",
        "channel_pct": f"{cfg['channel_fraction'] * 100:g}%", "speed_target": f"{cfg['speed_target_error'] * 100:g}%",
        "batch_size": str(cfg["batch_size"]), "lr": f"{cfg['lr']:g}",
        "match_train_error": f"{cfg['match_train_error'] * 100:g}%",
    }


def _value(v) -> float | str:
    """A statistic rounded to 4 digits; 'n/a' where no seed gave a finite value (e.g. no run reached the matched
    training error), also for a blank read back from a CSV."""
    v = float(pd.to_numeric(v, errors="coerce"))
    return round(v, 4) if np.isfinite(v) else "n/a"


def values(rows: list[dict], metrics: pd.DataFrame, acts: pd.DataFrame, cfg: dict | None = None) -> dict:
    """Every claim statistic (rounded to 4 digits), each model's parameter count, each training-set size and,
    given the config, the run sizes the report states (config_values)."""
    out = {f"{r['claim_id']}_{r['statistic']}": _value(r["value"]) for r in rows}
    out.update({f"params_{m}": int(p) for m, p in metrics.groupby("model").params.first().items()})
    out.update({f"n_train_{s}": int(n) for s, n in acts.groupby("size").n_train.first().items()})
    if cfg is not None:
        out.update({f"cfg_{k}": v for k, v in config_values(cfg, metrics, acts).items()})
    return out
