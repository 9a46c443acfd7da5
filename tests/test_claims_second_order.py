"""Claim statistics of the second_order family (H1-H7, F3, R7) on hand-made tables whose values are known by hand."""
import math

import numpy as np
import pandas as pd
import pytest

from relulab.studies.second_order import claims
from claim_checks import check_close as _check, frame as _frame

E = math.e


def _history(final: dict, n_params: int, lrs: dict) -> list[tuple]:
    """Loss 1000 at pass 0, the given loss at pass 10 (the budget) and 0 at pass 20 (past the budget)."""
    rows = []
    for (method, seed), loss in final.items():
        for i, lr in enumerate(lrs[method]):
            worse = 99.0 * i                                   # a second learning rate that is never the best
            rows += [(method, lr, seed, n_params, 0, 1000.0), (method, lr, seed, n_params, 10, loss + worse),
                     (method, lr, seed, n_params, 20, 0.0)]
    return rows


LRS = {"sgd": [0.1, 1.0], "adam": [0.01], "newton": [np.nan], "hessian_free": [np.nan]}
HIST = "method lr seed n_params passes loss"


def tables():
    t = {}
    t["derivatives"] = _frame("activation away_from_kink x autograd finite_difference", [
        ("relu", True, -1.0, 0.0, 0.0), ("relu", True, 1.0, 0.0, 0.0),
        ("relu", False, 0.0, 0.0, 1e4), ("relu", False, 5e-5, 0.0, 5e3),   # 1/h at the kink, h = 1e-4
        ("sigmoid", True, 1.0, -0.09, -0.09)])
    t["newton"] = _frame("activation x0 iter stationary", [
        ("relu", -1.0, 0, False), ("relu", 1.0, 0, False), ("sigmoid", -1.0, 0, True), ("sigmoid", -1.0, 1, False),
        ("sigmoid", 1.0, 0, False), ("tanh", 0.0, 0, True)])                # 2 of 5 runs stationary, no ReLU run
    blocks = []
    for s, norms in enumerate([(1, 0, 2, 3), (1, 1, 1, 1), (0, 0, 1, 1)]):  # non-zero fractions 0.75, 1, 0.5
        blocks += [("full", "relu", "init", s, v) for v in norms]
        blocks += [("full", "relu", "trained", s, 1.0), ("output", "relu", "init", s, 0.0),
                   ("full", "sigmoid", "init", s, 0.0)]
    t["blocks"] = _frame("part activation state seed frobenius", blocks)
    t["neuron"] = _frame("seed hessian_norm_init loss finite", [
        (0, 1.0, 1.0, True), (0, 9.0, 1e-12, True), (1, 2.0, 1e-12, True), (2, 3.0, 1.0, True), (2, 9.0, 1.0, False)])
    # tiny net at the budget: first order min(sgd 0.5, adam 0.25) = 0.25; newton 0.25 e^(s+1); HF 0.25/e
    tiny = {("sgd", s): 0.5 for s in range(3)} | {("adam", s): 0.25 for s in range(3)}
    tiny |= {("newton", s): 0.25 * E ** (s + 1) for s in range(3)} | {("hessian_free", s): 0.25 / E for s in range(3)}
    t["tiny"] = _frame(HIST, _history(tiny, 5, LRS))
    t["tiny"].loc[(t["tiny"].method == "newton") & (t["tiny"].seed == 0) & (t["tiny"].passes == 20), "loss"] = np.nan
    # autoencoder: HF 10, 20, 30 at the budget (from 1000); SGD HF*e, Adam HF*e^2
    ae = {("hessian_free", s): 10.0 * (s + 1) for s in range(3)}
    ae |= {("sgd", s): 10.0 * (s + 1) * E for s in range(3)} | {("adam", s): 10.0 * (s + 1) * E ** 2 for s in range(3)}
    t["autoencoder"] = _frame(HIST, _history(ae, 50, LRS))
    # sizes 10..10^4: Hessian bytes 8 P^2 and seconds 1e-6 P^2 (power laws), HVP seconds 0.01 + 1e-6 P (affine)
    p = np.array([10.0, 100.0, 1000.0, 10000.0])
    t["scaling"] = pd.DataFrame({"n_params": p, "hessian_bytes": 8 * p ** 2, "hessian_s": 1e-6 * p ** 2,
                                 "hvp_s": 0.01 + 1e-6 * p})
    zeros = []
    for s in range(3):
        zeros += [("relu", "init", "loss_full", s, 0.1 * (s + 1), 0.4, 0.5 + 0.1 * s),
                  ("relu", "init", "output", s, 0.8, 0.0, 0.2), ("relu", "init", "output", s, 1.0, 0.0, 0.4),
                  ("tanh", "init", "output", s, 0.1 * s, 0.0, 0.0),
                  ("relu", "trained", "loss_full", s, 0.7, 0.0, 0.0),
                  ("relu", "trained", "output", s, 0.9, 0.0, 0.0), ("relu", "trained", "output", s, 1.0, 0.0, 0.0)]
    t["zeros"] = _frame("activation state object seed within within_live cross", zeros)
    t["rmsprop"] = _frame("seed spearman_gn spearman_empirical_fisher", [
        (0, 0.8, 0.5), (0, 0.9, 0.5), (0, 1.0, 0.5), (1, 0.7, 0.5), (1, 0.7, 0.5), (2, 0.95, 0.5)])
    t["products"] = _frame("hvp_rel_error gnvp_rel_error", [(1e-16, 2e-16), (3e-16, 1e-16)])
    t["minima"] = pd.DataFrame({"x": [-1.0, 0.0, 1.0]})
    t["convexity"] = _frame("loss seed min_eig", [
        ("ce", 0, 0.1), ("ce", 1, 0.05), ("ce", 2, 0.2),
        ("mse", 0, -1.0), ("mse", 0, 1.0), ("mse", 1, -1.0), ("mse", 1, -1.0), ("mse", 2, -1e-12), ("mse", 2, 1.0)])
    t["gradcheck"] = _frame("rel_error autograd_rel_error", [(1e-8, 1e-16), (3e-8, 2e-16)])
    return t


@pytest.fixture(scope="module")
def rows():
    out = claims.claim_rows(tables(), claims.EVIDENCE, extrapolate_params=1e6, tiny_passes=10, ae_passes=10)
    by = {(r["claim_id"], r["statistic"]): r for r in out}
    assert len(by) == len(out) == 39
    return by


def test_h1_h2(rows):
    _check(rows["H1", "relu_max_abs_second_derivative"], 0.0, 1, 0.0, 0.0)
    _check(rows["H1", "relu_fd_max_abs"], 0.0, 1, 0.0, 0.0)
    _check(rows["H1", "relu_fd_at_zero"], 1e4, 1, 1e4, 1e4)
    _check(rows["H2", "stationary_fraction"], 0.4, 1, 0.4, 0.4)
    _check(rows["H2", "relu_stationary_fraction"], 0.0, 1, 0.0, 0.0)


def test_h3(rows):
    _check(rows["H3", "nonzero_block_fraction"], 0.75, 3, 0.5, 1.0)
    _check(rows["H3", "trained_nonzero_block_fraction"], 1.0, 3, 1.0, 1.0)
    _check(rows["H3", "neuron_hessian_norm"], 2.0, 3, 1.0, 3.0)          # first norm per seed: 1, 2, 3
    _check(rows["H3", "neuron_newton_converged"], 2 / 3, 3, 0.0, 1.0)   # last loss < 1e-10 for seeds 0, 1
    _check(rows["H3", "nonfinite_runs"], 2.0, 1, 2.0, 2.0)              # newton seed 0 (NaN) + neuron seed 2
    _check(rows["H3", "second_vs_first_log_ratio"], -1.0, 3, -1.0, -1.0)
    _check(rows["H3", "newton_vs_first_log_ratio"], 2.0, 3, 1.0, 3.0)
    _check(rows["H3", "hessian_free_vs_first_log_ratio"], -1.0, 3, -1.0, -1.0)


def test_h4(rows):
    _check(rows["H4", "hessian_gib_at_1m"], 8e12 / 2 ** 30, 1)
    _check(rows["H4", "cross_term_fraction"], 1 - 1e-6, 1)
    _check(rows["H4", "explicit_hours_at_1m"], 1e6 * (0.01 + 1.0) / 3600, 1)
    _check(rows["H4", "explicit_hours_powerlaw"], 1e6 / 3600, 1)
    _check(rows["H4", "hvp_seconds_at_1m"], 1.01, 1)
    _check(rows["H4", "largest_measured_params"], 1e4, 1)


def test_h5(rows):
    _check(rows["H5", "trained_loss_within_zero_fraction"], 0.7, 3, 0.7, 0.7)
    _check(rows["H5", "trained_output_within_zero_fraction"], 0.95, 3, 0.95, 0.95)
    _check(rows["H5", "loss_within_zero_fraction"], 0.2, 3, 0.1, 0.3)
    _check(rows["H5", "loss_within_live_zero_fraction"], 0.4, 3, 0.4, 0.4)
    _check(rows["H5", "loss_cross_zero_fraction"], 0.6, 3, 0.5, 0.7)
    _check(rows["H5", "output_within_zero_fraction"], 0.9, 3, 0.9, 0.9)
    _check(rows["H5", "output_cross_zero_fraction"], 0.3, 3, 0.3, 0.3)
    _check(rows["H5", "smooth_output_within_zero_fraction"], 0.1, 3, 0.0, 0.2)


def test_h6_h7(rows):
    _check(rows["H6", "spearman_rms_gn"], 0.9, 3, 0.7, 0.95)             # per-seed medians 0.9, 0.7, 0.95
    _check(rows["H6", "spearman_rms_empirical_fisher"], 0.5, 3, 0.5, 0.5)
    _check(rows["H7", "hvp_rel_error"], 3e-16, 1)
    _check(rows["H7", "gnvp_rel_error"], 2e-16, 1)
    _check(rows["H7", "hf_vs_sgd_log_ratio"], -1.0, 3, -1.0, -1.0)
    _check(rows["H7", "hf_vs_adam_log_ratio"], -2.0, 3, -2.0, -2.0)
    _check(rows["H7", "hf_loss_reduction"], 0.02, 3, 0.01, 0.03)            # 10/1000, 20/1000, 30/1000


def test_f3_r7(rows):
    _check(rows["F3", "mse_local_minima"], 3.0, 1)
    _check(rows["F3", "ce_min_eigenvalue"], 0.05, 1)
    _check(rows["F3", "mse_negative_fraction"], 0.5, 3, 0.0, 1.0)       # 1/2, 2/2, 0/2 (-1e-12 is round-off)
    _check(rows["R7", "max_rel_error"], 3e-8, 1)
    _check(rows["R7", "autograd_max_rel_error"], 2e-16, 1)
