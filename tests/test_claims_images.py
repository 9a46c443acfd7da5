"""Claim statistics of the images family (C1-C7, F9, F12, F7, F1) on hand-made tables whose values are known by hand."""
import functools

import pandas as pd
import pytest

from relulab.studies.images import claims
from claim_checks import check, frame as _frame

_check = functools.partial(check, abs=1e-9)

SEEDS = (0, 1, 2)


def tables():
    t = {}
    filters = []
    for s in SEEDS:   # trained R^2 per seed: median(0.1s + 0.4, 0.1s + 0.6) = 0.5, 0.6, 0.7
        filters += [("trained", s, 0.4 + 0.1 * s), ("trained", s, 0.6 + 0.1 * s),
                    ("random_init", s, 0.3), ("shuffled_labels", s, 0.4)]
    t["filters"] = _frame("kind seed r2", filters)
    t["pairs"] = _frame("kind seed axis_aligned_fraction rotated_pair_fraction",
                        [("trained", s, 0.25 * (s + 1), 0.3) for s in SEEDS] + [("random_init", s, 0.0, 0.1) for s in SEEDS])
    probes = []
    for s in SEEDS:   # trained probes: pixels 0.5, conv1 0.6, conv2 0.8 + 0.05 s; random init conv1 0.55, conv2 0.6
        probes += [("trained", 0, "pixels", s, 0.5), ("trained", 1, "conv1", s, 0.6),
                   ("trained", 2, "conv2", s, 0.8 + 0.05 * s), ("trained", 3, "fc", s, 0.99),
                   ("random_init", 1, "conv1", s, 0.55), ("random_init", 2, "conv2", s, 0.6),
                   ("random_init", 0, "pixels", s, 0.5)]
    t["probes"] = _frame("kind depth layer seed probe_acc", probes)
    t["channels"] = _frame("seed classes_several_channels_probe classes_surviving_single_ablation "
                           "median_probe_channels_per_class max_ablation_drop max_class_recall_drop",
                           [(2, 5, 0, 2.5, 0.3, 0.5), (0, 3, 1, 1.5, 0.1, 0.5), (1, 4, 2, 2.0, 0.2, 0.5)])
    cnn = {0: 0.8, 1: 0.85, 2: 0.9}
    metrics = []
    for s in SEEDS:
        metrics += [("cnn", s, cnn[s], 1000), ("cnn_nopool", s, 0.8, 7500),
                    ("head_random", s, 0.5 * (cnn[s] - 0.1) + 0.1, 1000),     # half the way from chance
                    ("mlp_10", s, 0.7, 1200), ("mlp_100", s, 0.9, 20000),     # same size as the CNN; 20 x larger
                    ("mlp_identity", s, 0.6, 5000), ("mlp_linear", s, [0.62, 0.58, 0.6][s], 650)]
    t["metrics"] = _frame("model seed test_acc params", metrics)
    t["head"] = _frame("seed retrained_head_acc", [(s, cnn[s] * f) for s, f in zip(SEEDS, (0.9, 1.0, 1.1))])
    inv = []
    for s in SEEDS:
        # shifts: pooled CNN 1.0 / 0.8 / 0.6 (retention 0.7), unpooled 1.0 / (0.5 - 0.1 s) / 0.3 (0.4, 0.35, 0.3)
        inv += [("shift", 0, "cnn", s, 1.0, 1.0), ("shift", 1, "cnn", s, 0.8, 0.9), ("shift", 2, "cnn", s, 0.6, 0.9),
                ("shift", 0, "cnn_nopool", s, 1.0, 1.0), ("shift", 1, "cnn_nopool", s, 0.5 - 0.1 * s, 0.5),
                ("shift", 2, "cnn_nopool", s, 0.3, 0.5)]
        # rotations >= 45 degrees (45, -90) only: plain 0.2, 0.4 (median 0.3) from 0.9 upright
        inv += [("rotate", 0, "cnn", s, 0.9, 1.0), ("rotate", 10, "cnn", s, 0.85, 1.0),
                ("rotate", 45, "cnn", s, 0.2, 1.0), ("rotate", -90, "cnn", s, 0.4, 1.0),
                ("rotate", 45, "cnn_rotaug", s, 0.6, 1.0), ("rotate", -90, "cnn_rotaug", s, 0.6, 1.0),
                ("rotate", 10, "cnn_rotaug", s, 0.0, 1.0),
                ("rotate", 45, "cnn_wide_rotaug", s, 0.7 + 0.05 * s, 1.0),
                ("rotate", -90, "cnn_wide_rotaug", s, 0.7 + 0.05 * s, 1.0)]
    t["invariance"] = _frame("transform value model seed accuracy similarity", inv)
    t["acts"] = acts()
    return t


# (train error, test error) per activation and training-set size; rrelu's full test error is 0.07 + 0.01 seed
ERRORS = {"full": {"relu": (0.05, 0.10), "prelu": (0.02, 0.08), "leaky_relu": (0.04, 0.09), "rrelu": (0.03, None),
                   "tanh": (0.06, 0.15), "sigmoid": (0.07, 0.20), "identity": (0.4, 0.5)},
          "small": {"relu": (0.10, 0.30), "prelu": (0.12, 0.25), "leaky_relu": (0.11, 0.28), "rrelu": (0.13, 0.27),
                    "tanh": (0.20, 0.35), "sigmoid": (0.20, 0.32), "identity": (0.5, 0.6),
                    "leaky_relu_025": (0.6, 0.26)}}   # leaky 0.25: one arm's runs did not train (0.6 > 0.5)
LATE = {"relu": 0.002, "prelu": 0.004, "leaky_relu_025": 0.001}
STEPS = {"relu": lambda s: 100, "tanh": lambda s: 200, "sigmoid": lambda s: 100 * (s + 3)}


def acts():
    rows = []
    for size, errs in ERRORS.items():
        for act, (train, test) in errs.items():
            for s in SEEDS:
                test_ = 0.07 + 0.01 * s if test is None else test
                rows.append({"size": size, "activation": act, "seed": s, "train_error": train, "test_error": test_,
                             "gap": test_ - train, "steps_to_target": STEPS.get(act, lambda s: 50)(s),
                             "affine_residual": 1.1 + 0.1 * s if act == "identity" else 0.0,
                             "late_improvement": LATE.get(act, 0.0) * (1 + s),
                             # at matched training error: test error 0.02 below the final one; leaky 0.25 never
                             # reaches it on seed 0 (NaN), tanh reaches it 0.03 * s later than relu would
                             "matched": not (act == "leaky_relu_025" and s == 0),
                             "matched_test_error": float("nan") if (act == "leaky_relu_025" and s == 0)
                             else test_ - 0.02 + (0.03 * s if act == "tanh" else 0.0),
                             "slope_conv1": 0.1 * (s + 1) if act == "prelu" else float("nan")})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def rows():
    out = claims.claim_rows(tables(), claims.EVIDENCE, shift_probe=2)
    by = {(r["claim_id"], r["statistic"]): r for r in out}
    assert len(by) == len(out) == 68
    return by


def test_c1_c7(rows):
    _check(rows["C1", "gabor_r2_gain_vs_random"], 0.3, 3, 0.2, 0.4)
    _check(rows["C1", "gabor_r2_gain_vs_shuffled"], 0.2, 3, 0.1, 0.3)
    _check(rows["C1", "axis_aligned_fraction"], 0.5, 3, 0.25, 0.75)
    _check(rows["C1", "probe_gain_last_conv_vs_pixels"], 0.35, 3, 0.3, 0.4)     # conv2 (depth 2), not fc
    _check(rows["C7", "training_gain_deep_minus_shallow"], 0.2, 3, 0.15, 0.25)  # (0.2, 0.25, 0.3) - 0.05
    _check(rows["C7", "probe_rise_last_vs_first_conv"], 0.25, 3, 0.2, 0.3)
    _check(rows["C7", "probe_gain_over_random_last_conv"], 0.25, 3, 0.2, 0.3)


def test_c2_c3(rows):
    _check(rows["C2", "classes_needing_several_channels"], 4.0, 3, 3.0, 5.0)
    _check(rows["C2", "classes_surviving_any_single_ablation"], 1.0, 3, 0.0, 2.0)
    _check(rows["C2", "median_probe_channels_per_class"], 2.0, 3, 1.5, 2.5)
    _check(rows["C2", "max_single_ablation_drop"], 0.2, 3, 0.1, 0.3)
    _check(rows["C2", "max_class_recall_drop"], 0.5, 3, 0.5, 0.5)
    _check(rows["C3", "pool_minus_nopool_shift_retention"], 0.35, 3, 0.3, 0.4)  # 0.7 - (0.4, 0.35, 0.3)
    _check(rows["C3", "pool_shift_retention"], 0.6, 3, 0.6, 0.6)                # 0.6 / 1.0 at 2 px
    _check(rows["C3", "pool_minus_nopool_feature_similarity"], 0.4, 3, 0.4, 0.4)
    _check(rows["C3", "nopool_over_pool_params"], 7.5, 0, 7.5, 7.5)   # exact: no seeds enter
    assert rows["C3", "nopool_over_pool_params"]["note"].endswith("(no seeds enter)")


def test_c4_c5_c6(rows):
    _check(rows["C4", "rotation_accuracy_drop"], 0.6, 3, 0.6, 0.6)             # 0.9 - median(0.2, 0.4)
    _check(rows["C4", "wide_minus_base_rotaug_rotated_acc"], 0.15, 3, 0.1, 0.2)
    _check(rows["C4", "rotaug_minus_plain_rotated_acc"], 0.3, 3, 0.3, 0.3)
    _check(rows["C4", "rotated_pair_excess"], 0.2, 3, 0.2, 0.2)
    _check(rows["C5", "cnn_minus_mlp_same_params_acc"], 0.15, 3, 0.1, 0.2)     # mlp_10 has the nearest size
    assert "mlp_10" in rows["C5", "cnn_minus_mlp_same_params_acc"]["note"]
    _check(rows["C5", "largest_mlp_param_ratio"], 20.0, 0, 20.0, 20.0)
    _check(rows["C5", "largest_mlp_minus_cnn_acc"], 0.05, 3, 0.0, 0.1)
    _check(rows["C6", "random_conv_head_share"], 0.5, 3, 0.5, 0.5)
    _check(rows["C6", "retrained_head_share"], 1.0, 3, 0.9, 1.1)
    _check(rows["C6", "linear_head_share"], 1.0, 3, 1.0, 1.0)                  # probe on conv2 = CNN accuracy
    _check(rows["F1", "images_identity_vs_linear_gap"], 0.02, 3, 0.0, 0.02)


def test_f9(rows):
    for size, vs_relu in (("full", {"prelu": -0.02, "leaky": -0.01, "rrelu": -0.02}),
                          ("small", {"prelu": -0.05, "leaky": -0.02, "rrelu": -0.03})):
        for act, v in vs_relu.items():
            _check(rows["F9", f"{act}_minus_relu_test_error_{size}"], v, 3)
    _check(rows["F9", "rrelu_minus_relu_test_error_full"], -0.02, 3, -0.03, -0.01)
    # best other activation (identity excluded): full train -> rrelu / prelu, full test -> rrelu (median 0.08) / prelu
    _check(rows["F9", "prelu_minus_best_other_train_error_full"], -0.01, 3)
    _check(rows["F9", "rrelu_minus_best_other_train_error_full"], 0.01, 3)
    _check(rows["F9", "prelu_minus_best_other_test_error_full"], 0.0, 3, -0.01, 0.01)
    _check(rows["F9", "rrelu_minus_best_other_test_error_full"], 0.0, 3, -0.01, 0.01)
    # small set: train -> relu for both, test -> rrelu / prelu
    _check(rows["F9", "prelu_minus_best_other_train_error_small"], 0.02, 3)
    _check(rows["F9", "rrelu_minus_best_other_train_error_small"], 0.03, 3)
    _check(rows["F9", "prelu_minus_best_other_test_error_small"], -0.01, 3)    # leaky 0.25 is the best other (0.26)
    _check(rows["F9", "rrelu_minus_best_other_test_error_small"], 0.02, 3)
    assert "(rrelu," in rows["F9", "prelu_minus_best_other_test_error_full"]["note"]


def test_f9_control_and_regime(rows):
    _check(rows["F9", "prelu_minus_leaky025_test_error_small"], -0.01, 3)     # 0.25 - 0.26
    assert ("F9", "prelu_minus_leaky025_test_error_full") not in rows           # no leaky 0.25 on the full set
    # small set: 8 of the 9 runs of relu, prelu, leaky 0.25 reached the matched training error
    _check(rows["F9", "f9_matched_fraction_small"], 8 / 9, 3, 8 / 9, 8 / 9)
    _check(rows["F9", "f9_matched_fraction_full"], 1.0, 3, 1.0, 1.0)           # relu, prelu only
    _check(rows["F9", "prelu_minus_relu_test_error_matched_small"], -0.05, 3)  # 0.23 - 0.28
    _check(rows["F9", "prelu_minus_leaky025_test_error_matched_small"], -0.01, 2)  # seed 0 left out
    _check(rows["F12", "relu_minus_smooth_test_error_matched_small"], -0.08, 3)    # median of -0.05 - 0.03 s
    _check(rows["F12", "f12_matched_fraction_small"], 1.0, 3, 1.0, 1.0)
    # medians over seeds of late * (1, 2, 3): relu 0.004, prelu 0.008, leaky 0.002 -> largest 0.008
    _check(rows["F9", "f9_late_improvement_small"], 0.008, 3, 0.008, 0.008)
    _check(rows["F9", "prelu_slope_conv1_small"], 0.2, 3, 0.1, 0.3)
    _check(rows["F9", "prelu_slope_conv1_full"], 0.2, 3, 0.1, 0.3)


def test_f12_f7_f1(rows):
    # the comparator is tanh, named in advance, whichever smooth activation did better
    _check(rows["F12", "relu_minus_smooth_test_error_small"], -0.05, 3)        # 0.30 - 0.35
    _check(rows["F12", "relu_minus_smooth_gap_small"], 0.05, 3)                # 0.20 - 0.15
    _check(rows["F12", "relu_minus_sigmoid_test_error_small"], -0.02, 3)       # 0.30 - 0.32
    _check(rows["F12", "relu_minus_sigmoid_gap_small"], 0.08, 3)               # 0.2 - 0.12
    _check(rows["F12", "relu_minus_smooth_test_error_full"], -0.05, 3)
    _check(rows["F12", "relu_minus_smooth_gap_full"], -0.04, 3)                # 0.05 - 0.09
    assert "tanh" in rows["F12", "relu_minus_smooth_test_error_small"]["note"]
    _check(rows["F7", "images_steps_ratio_tanh_relu"], 2.0, 3, 2.0, 2.0)
    _check(rows["F7", "images_steps_ratio_sigmoid_relu"], 4.0, 3, 3.0, 5.0)
    _check(rows["F1", "images_identity_cnn_affine_residual"], 1.2, 3, 1.1, 1.3)


def test_seeds_that_entered_and_partial_grid():
    """n_seeds counts the seeds present in both arms; the full set need not train every activation."""
    a = acts()
    a = a[~((a["size"] == "full") & a.activation.isin(["identity", "sigmoid"]))]
    a = a[~((a["size"] == "small") & (a.activation == "prelu") & (a.seed == 2))]
    from relulab.studies.images import activation_claims
    by = {(r["claim_id"], r["statistic"]): r for r in activation_claims.activation_rows(a, claims.EVIDENCE)}
    _check(by["F9", "prelu_minus_relu_test_error_small"], -0.05, 2)            # seed 2 lacks PReLU
    _check(by["F9", "prelu_minus_relu_test_error_full"], -0.02, 3)
    assert ("F7", "images_steps_ratio_sigmoid_relu") not in by and ("F12", "relu_minus_sigmoid_gap_full") not in by
    _check(by["F1", "images_identity_cnn_affine_residual"], 1.2, 3, 1.1, 1.3)  # from the small set
    assert "small set" in by["F1", "images_identity_cnn_affine_residual"]["note"]


def test_at_matched_train_error_interpolates_by_hand():
    from relulab.studies.images import experiments
    import numpy as np
    # two networks, checks at steps 10, 20, 30: net 0 crosses 0.15 between 20 (0.25) and 30 (0.05): w = 0.5;
    # net 1 is below at the first check; a third never reaches it
    checks = [(10, np.array([0.5, 0.1, 0.9]), np.array([0.6, 0.2, 0.9])),
              (20, np.array([0.25, 0.05, 0.8]), np.array([0.4, 0.3, 0.9])),
              (30, np.array([0.05, 0.0, 0.7]), np.array([0.2, 0.1, 0.9]))]
    m = experiments.at_matched_train_error(checks, 0.15)
    assert m["matched"].tolist() == [True, True, False]
    assert m["matched_step"][:2] == pytest.approx([25.0, 10.0]) and np.isnan(m["matched_step"][2])
    assert m["matched_test_error"][:2] == pytest.approx([0.3, 0.2]) and np.isnan(m["matched_test_error"][2])


def test_concepts_by_hand():
    """A class carried by one channel needs 1, a class split over two channels needs 2, by probe and ablation."""
    import torch
    from relulab.studies.images import concepts
    g = torch.Generator().manual_seed(0)
    n = 600
    y = torch.arange(n) % 3
    # channel 0 fires for class 0; channels 1 and 2 each carry half the class-1 signal (either alone is weaker);
    # class 2 is "none of them"
    f = torch.randn(n, 3, generator=g) * 0.3
    f[:, 0] += 3.0 * (y == 0)
    f[:, 1] += 1.0 * (y == 1)
    f[:, 2] += 1.0 * (y == 1)
    maps = f[:, :, None, None].expand(n, 3, 2, 2).clone()
    head = lambda m: torch.stack([m[:, 0].mean((-1, -2)) * 2 - 3,
                                  m[:, 1].mean((-1, -2)) + m[:, 2].mean((-1, -2)) - 1,
                                  torch.zeros(len(m))], 1)
    lose = concepts.ablations_to_lose_class(head, maps, y, 3)
    assert lose[0] == 1 and lose[1] == 2
    # for the probe, class 1's two channels carry 0.5 each: one alone separates it clearly worse than both
    f[:, 1:] += -0.5 * (y == 1)[:, None]
    need = concepts.probe_channels_per_class(f[None, :400], y[:400], f[None, 400:], y[400:], 3, 1e-3, 100, 0.95)
    assert need[0, 0] == 1 and need[0, 1] == 2
