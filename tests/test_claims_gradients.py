"""Claim statistics of the gradients family, per claim helper, on hand-made tables whose values are known by hand."""
import math

from relulab.studies.gradients import claims, training_claims
from claim_checks import by_pair as _by, check_close as _check, frame as _frame

EV = claims.EVIDENCE
CFG = {"speed_target_error": 0.1, "centering_target_acc": 0.9}


# ---- A3, R6, F6, A5 (per-layer tables) ----

def decay():
    rows = []
    for s in range(3):
        rows += [("sigmoid", "xavier", 10, s, [0.2, 0.25, 0.3][s], 10.0 ** (4 + s)),   # |log10| 4, 5, 6
                 ("sigmoid", "he", 10, s, 9.0, 1.0),                                  # not the recommended init
                 ("tanh", "xavier", 10, s, 0.5, 1e3),                                 # |log10| 3
                 ("relu", "he", 10, s, [0.9, 1.0, 1.1][s], [10.0, 0.1, 1.0][s]),       # |log10| 1, 1, 0
                 ("relu", "xavier", 10, s, 0.1, 1e9),
                 ("leaky_relu", "he", 10, s, 1.0, 1.0),                               # |log10| 0
                 ("sigmoid", "xavier", 2, s, 0.9, 1e9)]                               # not the deepest
    return _frame("activation init depth seed decay_factor first_last_ratio", rows)


def test_a3_decay_rows():
    rows = _by(claims._a3_decay_rows(decay(), EV))
    _check(rows["A3", "sigmoid_grad_decay_factor"], 0.25, 3, 0.2, 0.3)
    _check(rows["A3", "relu_he_grad_decay_factor"], 1.0, 3, 0.9, 1.1)


def test_a3_derivative_row():
    row = claims._a3_derivative_row(_frame("activation max_derivative", [("tanh", 1.0), ("sigmoid", 0.25)]), EV)
    _check(row, 0.25, 1, 0.25, 0.25)


def test_a3_deep_rows():
    rows = []
    for s in range(3):
        for cell, acc in (("sigmoid_xavier", 0.1), ("relu_he", 0.7 + 0.1 * s), ("relu_xavier", 0.2 + 0.1 * s)):
            rows += [(50, cell, s, 0.0, 20), (100, cell, s, acc, 20)]   # only the last step counts
    rows = _by(claims._a3_deep_rows(_frame("step cell seed train_acc depth", rows), EV))
    _check(rows["A3", "deep_sigmoid_train_acc"], 0.1, 3, 0.1, 0.1)
    _check(rows["A3", "deep_relu_he_train_acc"], 0.8, 3, 0.7, 0.9)
    _check(rows["A3", "deep_relu_xavier_train_acc"], 0.3, 3, 0.2, 0.4)


def test_f6_rows():
    rows = []
    for s, (sat0, sat1), loss in ((0, (0.0, 0.5), 2.0), (1, (0.2, 0.1), 3.0), (2, (0.9, 0.3), 4.0)):
        for step, sat in ((0, sat0), (10, sat1)):
            rows += [(3, "sigmoid", s, sat, step, 9.0), (1, "sigmoid", s, 1.0, step, loss),
                     (3, "relu", s, 1.0, step, 9.0), (1, "relu", s, 0.0, step, 1.0)]
    rows = _by(claims._f6_rows(_frame("layer activation seed saturated step train_loss", rows), EV))
    _check(rows["F6", "sigmoid_top_layer_peak_saturation"], 0.5, 3, 0.2, 0.9)   # per-seed peaks 0.5, 0.2, 0.9
    _check(rows["F6", "sigmoid_relu_final_loss_ratio"], 3.0, 3, 2.0, 4.0)       # 2/1, 3/1, 4/1


def test_r6_rows():
    rows = _by(claims._r6_rows(decay(), EV))
    # min(sigmoid, tanh) - max(relu, leaky_relu) per seed: 3-1, 3-1, 3-0 -> median 2
    _check(rows["R6", "gradient_preservation_gap"], 2.0, 3, 2.0, 3.0)
    # sigmoid - relu: 4-1, 5-1, 6-0 -> median 4
    _check(rows["R6", "relu_vs_sigmoid_gap"], 4.0, 3, 3.0, 6.0)


def test_r6_training_rows():
    fps = []
    for s in range(3):
        fps += [("relu", s, 0.1 * (s + 1), float("nan"), 0.9, ""), ("prelu", s, 0.5, float("nan"), 0.9, ""),
                ("sigmoid", s, 2.0 + s, 0.3 + 0.1 * s, 0.5, "high"), ("tanh", s, 1.0, 0.1, 0.9, ""),
                ("rrelu", s, 0.2, float("nan"), 0.1, "")]                 # rrelu did not train
    fps = _frame("activation seed abs_log10_ratio saturated final_train_acc lr_edge", fps).assign(n_tuning=2)
    rows = _by(claims._r6_training_rows(fps, EV))
    _check(rows["R6", "training_preservation_gap"], 0.5, 3, 0.5, 0.5)       # min(sig) 1 - max(fam) 0.5
    _check(rows["R6", "relu_vs_sigmoid_training_gap"], 2.8, 3, 1.9, 4.7)   # 1.9, 2.8, 3.7
    _check(rows["R6", "sigmoid_training_saturation"], 0.4, 3, 0.3, 0.5)
    _check(rows["R6", "untrained_arms"], 1.0, 5)
    _check(rows["R6", "arms_lr_at_grid_edge"], 1.0, 2)
    assert rows["R6", "untrained_arms"]["note"].endswith("did not train: rrelu; n_seeds = activations")


def test_lsuv_gives_unit_preactivation_variance():
    import torch
    from relulab.core import models
    from relulab.studies.gradients import flow_training

    x = torch.randn(256, 5, generator=torch.Generator().manual_seed(0))
    for act in ("sigmoid", "prelu", "rrelu"):
        spec = models.MLPSpec(5, (16, 16, 16), 3, act, init="xavier")
        p = flow_training.lsuv(spec, models.init_params(spec, [0, 1]), x)
        _, hidden = models.forward(spec, p, x, return_hidden=True)
        for z, _ in hidden:
            assert torch.allclose(z.flatten(1).std(1), torch.ones(2), atol=1e-5)


def test_f6_rows():
    hist, probes = [], []
    # tuning seed 1000 picks lr 0.1 for both arms; evaluation seeds 0-2 at that rate
    for arm, lr, seed, role, reach_step in (("standard", 0.1, 1000, "tuning", 20), ("standard", 1.0, 1000, "tuning",
                                            None), ("normalized", 0.1, 1000, "tuning", 10),
                                            ("normalized", 1.0, 1000, "tuning", None)) + tuple(
            (arm, 0.1, s, "eval", step) for s in range(3) for arm, step in (("standard", 40), ("normalized", 10))):
        for step in (0, 10, 20, 30, 40):
            acc = 0.9 if reach_step is not None and step >= reach_step else 0.1
            hist.append((arm, arm, "sigmoid", lr, seed, role, step, float(step), acc, False))
    for s in range(3):
        for arm, sat in (("standard", 0.5 + 0.1 * s), ("normalized", 0.1)):
            probes += [(arm, s, "eval", 2, 0, 0.0), (arm, s, "eval", 2, 40, sat), (arm, s, "eval", 1, 40, 1.0)]
    hist = _frame("cell arm activation lr seed role step time_s train_acc diverged", hist)
    probes = _frame("cell seed role layer step saturated", probes)
    rows = _by(training_claims.f6_rows(hist, probes, 0.8, "fig-x"))
    _check(rows["F6", "intervention_speedup"], 4.0, 3)              # 40 / 10 steps
    _check(rows["F6", "standard_top_peak_saturation"], 0.6, 3, 0.5, 0.7)
    _check(rows["F6", "normalized_top_peak_saturation"], 0.1, 3, 0.1, 0.1)
    _check(rows["F6", "saturation_reduction"], 0.5, 3, 0.4, 0.6)
    _check(rows["F6", "untrained_arms"], 0.0, 2)
    _check(rows["F6", "arms_lr_at_grid_edge"], 2.0, 1)             # 0.1 is the smallest of (0.1, 1.0)


def test_a5_relu_mean_rows():
    rows = []
    for s, means in enumerate([(0.2, 0.4), (0.5, 0.5), (0.6, 0.8)]):
        rows += [("relu", 10, "he", s, m) for m in means]
        rows += [("relu", 10, "xavier", s, 5.0), ("relu", 2, "he", s, 5.0), ("sigmoid", 10, "xavier", s, 5.0)]
    layers = _frame("activation depth init seed act_mean", rows)
    rows = _by(claims._a5_relu_mean_rows(layers, ["xavier", "he"], EV))
    _check(rows["A5", "relu_act_mean"], 0.5, 3, 0.3, 0.7)                      # per-seed means 0.3, 0.5, 0.7


def test_saturation_rows():
    rows = []
    for s, sats, accs in ((0, (0, 0.6, 0.4), (0.1, 0.2, 0.3)), (1, (0, 0.2, 0.8), (0.1, 0.1, 0.5)),
                          (2, (0, 0, 0.1), (0.1, 0.1, 0.1))):
        for step, sat, acc in zip((0, 10, 20), sats, accs):
            rows += [(2, 1.0, step, s, sat, acc), (1, 1.0, step, s, 1.0, acc)]   # layer 1 is not the top
    rows = _by(claims.saturation_rows(_frame("layer lr step seed saturated train_acc", rows), "fig-x"))
    _check(rows["F6", "long_peak_saturation_lr1"], 0.6, 3, 0.1, 0.8)
    _check(rows["F6", "long_final_train_acc_lr1"], 0.3, 3, 0.1, 0.5)
    _check(rows["F6", "long_acc_when_saturated_lr1"], 0.35, 2, 0.2, 0.5)      # seeds 0, 1 reach half: 0.2, 0.5


# ---- A4, F8 ----

def test_dying_claim_rows():
    sweep = []
    for s, (a, b) in enumerate([(0.1, 0.3), (0.4, 0.4), (0.5, 0.7)]):
        sweep += [(100, 4, 0.1, s, a, False, "eval"), (100, 4, 0.1, s, b, False, "eval"),   # pooled: 0.2, 0.4, 0.6
                  (100, 2, 0.1, s, 0.9, False, "eval"),            # more dead on eval seeds, but not chosen there
                  (0, 4, 0.1, s, 1.0, False, "eval")]             # not the end
    for s in (1000, 1001):   # tuning seeds: the (4, 0.1) cell has the most dead units
        sweep += [(100, 4, 0.1, s, 0.5, False, "tuning"), (100, 2, 0.1, s, 0.1, False, "tuning")]
    sweep = _frame("step depth lr seed dead_fraction diverged role", sweep)
    fate = _frame("seed layer width dead_before killed revived dead_for_good steps_after final_train_acc", [
        (0, 1, 10, 0, 1, 0, 1, 50, 0.5), (0, 2, 10, 0, 1, 1, 0, 50, 0.5),  # killed 2/20 = 0.1, never revived 1/2
        (1, 1, 10, 0, 2, 0, 2, 50, 0.7), (1, 2, 10, 0, 2, 0, 1, 50, 0.7),  # 4/20 = 0.2, never revived 4/4 = 1
        (2, 1, 10, 5, 0, 0, 0, 50, 0.9), (2, 2, 10, 5, 0, 0, 0, 50, 0.9)])  # 0/10, none killed
    fate["pre_spike_train_acc"] = fate.final_train_acc - 0.1
    # dead for good per seed: 1, 3, 0 -> median 1; layer 1: 3 of 3 killed; layer 2: 1 of 3
    born = _frame("bias_std theory ci_low ci_high n_nets p_one_input", [
        (0.0, 0.5, 0.4, 0.6, 1000, 0.5), (0.0, 0.5, 0.4, 0.6, 1000, 0.48), (0.0, 0.3, 0.25, 0.35, 1000, 0.3),
        (0.0, 0.9, 0.7, 0.8, 1000, 0.75),              # 3 of 4 zero-bias cells inside
        (0.5, 0.2, 0.0, 1.0, 1000, 0.25)])             # largest error anywhere: |0.9 - 0.75| = 0.15
    rows = _by(claims.dying_claim_rows(sweep, fate, born, EV))
    _check(rows["A4", "max_dead_fraction"], 0.4, 3, 0.2, 0.6)
    assert "4 hidden layers" in rows["A4", "max_dead_fraction"]["note"]
    assert "2 tuning seeds" in rows["A4", "max_dead_fraction"]["note"]
    _check(rows["A4", "born_dead_theory_coverage"], 0.75, 1000, 0.75, 0.75)
    _check(rows["A4", "born_dead_max_abs_error"], 0.15, 1000, 0.15, 0.15)
    _check(rows["F8", "spike_killed_fraction"], 0.1, 3, 0.0, 0.2)
    _check(rows["F8", "killed_never_revived"], 0.75, 2, 0.5, 1.0)
    _check(rows["F8", "first_layer_revived"], 0.0, 3, 0.0, 0.0)
    _check(rows["F8", "dead_for_good"], 1.0, 3, 0.0, 3.0)
    _check(rows["F8", "layer1_dead_for_good_share"], 1.0, 3)
    _check(rows["F8", "layer2_dead_for_good_share"], 1 / 3, 3)
    _check(rows["F8", "first_layer_not_for_good"], 0.0, 3)
    _check(rows["F8", "post_spike_train_acc"], 0.7, 3, 0.5, 0.9)
    _check(rows["F8", "pre_spike_train_acc"], 0.6, 3, 0.4, 0.8)


# ---- F7, F5, A5, F4, F2 ----

def steps():
    rows = []
    for s in range(3):
        rows += [("relu", s, 100 * (s + 1), 0.1, True, s + 1.0), ("tanh", s, 50 * (s + 1), 0.1, True, 2.0),
                 ("sigmoid", s, 400, 0.5, True, 4.0)]
    return _frame("cell seed censored_steps lr reached time_s", rows)


def test_f7_rows():
    rows = _by(training_claims._f7_rows(steps(), CFG, EV))
    _check(rows["F7", "tanh_relu_steps_ratio"], 0.5, 3)        # median 100 / median 200
    _check(rows["F7", "tanh_relu_time_ratio"], 1.0, 3)         # median 2 / median 2
    _check(rows["F7", "sigmoid_relu_steps_ratio"], 2.0, 3)     # 400 / 200
    _check(rows["F7", "sigmoid_relu_time_ratio"], 2.0, 3)      # 4 / 2


def test_f5_rows():
    msl = _frame("activation seed log2_lr", [r for s in range(3) for r in (
        ("sigmoid", s, -3.0), ("tanh", s, -1.0), ("relu", s, -1.0 - s))])   # bounded -2, unbounded -1, -2, -3
    stab = []
    for s in range(3):
        stab += [("sigmoid", s, 0.1, False, 10.0, 1.0), ("sigmoid", s, 1.0, False, 10.0, 9.0),  # std 4*sqrt2
                 ("tanh", s, 0.1, False, 10.0, 1.0), ("tanh", s, 1.0, False, 10.0, 1.0),        # std 0
                 ("relu", s, 0.1, False, 3.0, 1.0), ("relu", s, 1.0, True, 3.0, math.nan)]      # 1, 3 (diverged)
    stab = _frame("activation seed lr diverged initial_loss final_loss", stab)
    rows = _by(training_claims._f5_rows(steps(), stab, msl, EV))
    _check(rows["F5", "bounded_lr_headroom"], 0.0, 3, -1.0, 1.0)            # differences -1, 0, 1
    # bounded steps per seed: median(400, 50(s+1)) = 225, 250, 275; unbounded 100, 200, 300
    _check(rows["F5", "unbounded_efficiency_ratio"], 1.25, 3, 275 / 300, 2.25)
    _check(rows["F5", "loss_spread_ratio"], 2.0, 3, 2.0, 2.0)               # median(4 sqrt2, 0) / sqrt2


def test_a5_centering_and_drift_rows():
    cs = []
    for s in range(3):
        cs += [("sigmoid", s, 100 * (s + 1), 0.3, "high", 0.8), ("sigmoid_centered", s, 200, 0.1, "", 0.8),
               ("tanh", s, 20, 0.1, "", 0.9), ("scaled_tanh", s, 10 * (s + 1), 0.1, "low", 0.9),
               ("sigmoid_bn", s, 40, 0.1, "", 0.9), ("relu", s, 60, 0.1, "", 0.9),
               ("relu_bn", s, 20 * (s + 1), 0.1, "", 0.9), ("elu", s, 120, 0.1, "", 0.05 + 0.05 * s)]
    cs = _frame("cell seed censored_steps lr lr_edge final_acc", cs).assign(n_tuning=2)
    rows = _by(training_claims._a5_centering_rows(cs, CFG, EV))
    _check(rows["A5", "relu_bn_speedup"], 1.5, 3)               # 60 / median(20, 40, 60)
    _check(rows["A5", "relu_centred_speedup"], 0.5, 3)          # 60 / 120
    _check(rows["A5", "untrained_arms"], 1.0, 8)                # elu: median final accuracy 0.1 < 0.2
    assert rows["A5", "untrained_arms"]["note"].endswith("did not train: elu; n_seeds = arms")
    _check(rows["A5", "arms_lr_at_grid_edge"], 2.0, 2)          # sigmoid (high) and scaled_tanh (low)
    assert "scaled_tanh, sigmoid" in rows["A5", "arms_lr_at_grid_edge"]["note"]
    assert "the grid's largest" in rows["A5", "centered_speedup"]["note"]
    _check(rows["A5", "centered_speedup"], 1.0, 3)
    _check(rows["A5", "tanh_speedup"], 10.0, 3)
    _check(rows["A5", "scaled_tanh_speedup"], 10.0, 3)
    _check(rows["A5", "bn_speedup"], 5.0, 3)
    dps = _frame("batch_norm seed drift", [r for s in range(3) for r in ((False, s, 2.0 * (s + 1)), (True, s, 1.0))])
    _check(training_claims._a5_drift_row(dps, EV), 4.0, 3, 2.0, 6.0)


def test_f4_and_f2_rows():
    fin = []
    for s in range(3):
        fin += [("tanh_xavier", s, 0.9, 0.0), ("tanh_small", s, 0.8, 0.0),
                ("sigmoid_xavier", s, 0.9, 0.0), ("sigmoid_small", s, 0.5 + 0.1 * s, 0.0),
                ("relu", s, 0.9, 0.3), ("staircase", s, 0.5 + 0.1 * s, 0.0)]
    fin = _frame("cell seed test_acc w0_change", fin)
    rows = _by(training_claims._f4_rows(fin, EV) + training_claims._f2_rows(fin, EV))
    _check(rows["F4", "tanh_small_init_penalty"], 0.1, 3, 0.1, 0.1)
    _check(rows["F4", "sigmoid_small_init_penalty"], 0.3, 3, 0.2, 0.4)
    _check(rows["F4", "small_init_penalty_gap"], 0.2, 3, 0.1, 0.3)
    _check(rows["F2", "relu_minus_staircase_acc"], 0.3, 3, 0.2, 0.4)
    _check(rows["F2", "staircase_first_layer_change"], 0.0, 3, 0.0, 0.0)
