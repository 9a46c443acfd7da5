"""Claim statistics of the images family's activation grid (F9, F12; extra rows for F7 and F1).

The grid trains the CNN with every activation of images.activations on the small training set and with those of
images.full_activations on the full one; a statistic is computed only where its activations were trained.
"""

from __future__ import annotations

import pandas as pd

from relulab.studies.images.seedstats import MEDIAN, PAIRED, adder, by_seed, paired, seed_ci

# F12's comparator, named in the ledger before the runs it decides on (config/claims.yaml, F12's experiment):
# tanh, the smooth, zero-centred activation; sigmoid's rows are reported beside it.
SMOOTH_COMPARATOR = "tanh"
# F9's arms: ReLU, PReLU and leaky ReLU fixed at PReLU's initial slope (PReLU minus it isolates learning the slope).
F9_ARMS = ("relu", "prelu", "leaky_relu_025")


def _present(a: pd.DataFrame, size: str) -> list[str]:
    return list(dict.fromkeys(a[a["size"] == size].activation))


MATCHED = ("test error at the first epoch end where the run's training error reached images.match_train_error "
           "(interpolated between epoch ends)")


def _matched_fraction(add, cid: str, a: pd.DataFrame, size: str, arms: tuple[str, ...]) -> None:
    runs = a[(a["size"] == size) & a.activation.isin(arms)]
    if runs.empty or "matched" not in runs:
        return
    add(cid, f"{cid.lower()}_matched_fraction_{size}", (float(runs.matched.astype(bool).mean()),) * 3
        + (int(runs.seed.nunique()),), f"fraction of the runs of {', '.join(arms)} ({size} set) whose training error "
        "reached images.match_train_error within the budget (the others did not train far enough)",
        "exact count over the runs (no interval)", ci=False)


def _f9_regime_rows(add, a: pd.DataFrame, size: str) -> None:
    """Did F9's arms reach the matched training error, had they stopped improving? PReLU's slopes per layer."""
    arms = a[(a["size"] == size) & a.activation.isin(F9_ARMS)]
    if arms.empty:
        return
    _matched_fraction(add, "F9", a, size, F9_ARMS)
    late = arms.groupby("activation").late_improvement.median().max()
    add("F9", f"f9_late_improvement_{size}", (float(late),) * 3 + (int(arms.seed.nunique()),),
        f"largest over {', '.join(F9_ARMS)} of the median drop of the running training error over the last quarter "
        f"of training ({size} set); near 0: the runs have converged", "deterministic summary of the runs (no interval)",
        ci=False)
    pre = a[(a["size"] == size) & (a.activation == "prelu")]
    for col in [c for c in pre.columns if c.startswith("slope_") and pre[c].notna().any()]:
        add("F9", f"prelu_{col}_{size}", seed_ci(by_seed(pre, col)),
            f"PReLU's learned negative slope in layer {col[6:]}, mean over its channels (initial value 0.25), {size} set",
            MEDIAN)


def _f9_matched_rows(add, a: pd.DataFrame, err, size: str, acts: list[str]) -> None:
    if "matched_test_error" not in a:
        return
    for other, name in (("relu", "relu"), ("leaky_relu_025", "leaky025")):
        if "prelu" in acts and other in acts:
            add("F9", f"prelu_minus_{name}_test_error_matched_{size}",
                paired(err(size, "prelu", "matched_test_error"), err(size, other, "matched_test_error")),
                f"PReLU minus {other} ({size} set), {MATCHED}; seeds where either run never reached it are left out")


def _f9_rows(add, a: pd.DataFrame, err) -> None:
    for size in ("full", "small"):
        acts = _present(a, size)
        _f9_regime_rows(add, a, size)
        _f9_matched_rows(add, a, err, size, acts)
        for act, name, what in (("prelu", "prelu", "PReLU"), ("leaky_relu", "leaky", "leaky ReLU (0.01)"),
                                ("rrelu", "rrelu", "RReLU")):
            if act in acts and "relu" in acts:
                add("F9", f"{name}_minus_relu_test_error_{size}", paired(err(size, act), err(size, "relu")),
                    f"test error {what} minus ReLU ({size} training set); negative favours {what}")
        if "prelu" in acts and "leaky_relu_025" in acts:
            add("F9", f"prelu_minus_leaky025_test_error_{size}", paired(err(size, "prelu"), err(size, "leaky_relu_025")),
                f"test error PReLU minus leaky ReLU fixed at PReLU's initial slope 0.25 ({size} set): what learning "
                "the slope adds")
        for col, what in (("train_error", "training error"), ("test_error", "test error")):
            med = {act: err(size, act, col).median() for act in acts}
            for act in ("prelu", "rrelu"):
                others = [k for k in acts if k not in (act, "identity")]
                if act not in acts or not others:
                    continue
                best = min(others, key=med.get)
                add("F9", f"{act}_minus_best_other_{col}_{size}", paired(err(size, act, col), err(size, best, col)),
                    f"{what} of {act} minus the best other activation trained on the {size} set ({best}, chosen "
                    f"among {', '.join(others)} by the same runs); < 0: {act} best")


def _f12_rows(add, a: pd.DataFrame, err) -> None:
    for size in ("small", "full"):
        acts = _present(a, size)
        for smooth in (SMOOTH_COMPARATOR, "sigmoid"):
            if smooth not in acts or "relu" not in acts:
                continue
            name = "smooth" if smooth == SMOOTH_COMPARATOR else smooth
            role = "the comparator named in the ledger" if smooth == SMOOTH_COMPARATOR else "reported beside it"
            add("F12", f"relu_minus_{name}_test_error_{size}", paired(err(size, "relu"), err(size, smooth)),
                f"test error ReLU minus {smooth} ({role}), {size} set")
            add("F12", f"relu_minus_{name}_gap_{size}", paired(err(size, "relu", "gap"), err(size, smooth, "gap")),
                f"generalization gap (test - train error) ReLU minus {smooth} ({role}), {size} set")
            if "matched_test_error" in a:
                add("F12", f"relu_minus_{name}_test_error_matched_{size}", paired(
                    err(size, "relu", "matched_test_error"), err(size, smooth, "matched_test_error")),
                    f"ReLU minus {smooth} ({role}, {size} set), {MATCHED}: at equal training error this is the "
                    "difference of generalization gaps")
        _matched_fraction(add, "F12", a, size, ("relu", SMOOTH_COMPARATOR))


def activation_rows(a: pd.DataFrame, ev: dict[str, str]) -> list[dict]:
    """F9, F12, F7 and F1 statistics from the activation grid (errors are fractions)."""
    rows = []
    add = adder(rows, ev)
    err = lambda size, act, col="test_error": by_seed(a, col, size=size, activation=act)
    _f9_rows(add, a, err)
    _f12_rows(add, a, err)
    full = _present(a, "full")
    st = lambda act: by_seed(a, "steps_to_target", size="full", activation=act)
    for act in ("tanh", "sigmoid"):
        if act in full and "relu" in full:
            add("F7", f"images_steps_ratio_{act}_relu", paired(st(act), st("relu"), "ratio"),
                f"CNN on images, Adam: steps to the target running training error, {act} over ReLU (censored at "
                "the budget; steps are logged every 20)", PAIRED.replace("difference", "ratio"))
    size = next((s for s in ("full", "small") if "identity" in _present(a, s)), None)
    if size is not None:
        res = by_seed(a[a.activation == "identity"], "affine_residual", size=size)
        add("F1", "images_identity_cnn_affine_residual", seed_ci(res),
            f"identity-activation CNN with max pooling ({size} set): relative distance from an affine map (max "
            "pooling itself is non-linear, so this is not 0)", MEDIAN)
    return rows
