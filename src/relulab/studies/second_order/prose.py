"""Typed prose of the second_order report: every sentence that states a result is generated here from the claim
statistics, so a word such as "every", "lower" or "agrees" cannot outlive the data that justify it. The report
(report/families/second_order.qmd) includes each sentence as `{{< var second_order.<key> >}}`."""

from __future__ import annotations

import math


def quoted(value: float) -> str:
    """A statistic as the report text quotes it: integers whole, fractions near 1 with 7 digits, else 3."""
    if math.isfinite(value) and value == round(value) and abs(value) < 1e7:
        return str(int(value))
    return f"{value:.7g}" if 0.99 < value < 1 else f"{value:.3g}"


def ci(row: dict) -> str:
    """'v (95% CI lo to hi)', or 'v' where the interval collapses onto the value."""
    if quoted(row["ci_low"]) == quoted(row["ci_high"]):
        return quoted(row["value"])
    return f"{quoted(row['value'])} (95% interval {quoted(row['ci_low'])} to {quoted(row['ci_high'])})"


def sign(row: dict, above: str, below: str, tie: str, at: float = 0.0) -> str:
    """The word the interval justifies: above `at`, below it, or neither."""
    if not (math.isfinite(row["ci_low"]) and math.isfinite(row["ci_high"])):
        return tie
    return above if row["ci_low"] > at else below if row["ci_high"] < at else tie


def _h1_h3(r: dict) -> dict[str, str]:
    fd = r["H1", "relu_fd_max_abs"]
    blocks = r["H3", "nonzero_block_fraction"]
    return {
        "prose_H1_fd": ("the central second difference agrees" if fd["value"] < 1e-6 else
                        "the central second difference does not agree") + f" (largest |f″| {quoted(fd['value'])})",
        "prose_H3_neuron": "a " + sign(r["H3", "neuron_hessian_norm"], "non-zero", "zero", "possibly zero") +
                           f" Hessian with respect to its weights (Frobenius norm {ci(r['H3', 'neuron_hessian_norm'])} "
                           "at a random start)",
        "prose_H3_blocks": ("every" if blocks["ci_low"] == 1 else "not every") + " layer-pair block of the loss "
                           f"Hessian is non-zero (median fraction over seeds {ci(blocks)})",
        "prose_H3_training": "The median log ratio of the best second-order loss to the best first-order loss is "
                             f"{ci(r['H3', 'second_vs_first_log_ratio'])}: second order "
                             + sign(r["H3", "second_vs_first_log_ratio"], "ends higher", "ends lower",
                                    "is not distinguishable from first order") + " at equal cost",
    }


def _h5(r: dict) -> dict[str, str]:
    loss, out = r["H5", "loss_within_live_zero_excess"], r["H5", "output_within_live_zero_excess"]
    return {
        "prose_H5_dense": "On standardized (dense) digits, among live parameters, the fraction of exactly zero entries "
                          "in the within-layer blocks of the loss Hessian is "
                          f"{ci(r['H5', 'relu_loss_within_live_zero_fraction'])} for ReLU "
                          f"and {ci(r['H5', 'tanh_loss_within_live_zero_fraction'])} for tanh: ReLU minus tanh "
                          f"{ci(loss)}, "
                          + sign(loss, "more zeros with ReLU", "fewer zeros with ReLU",
                                 "no difference the seeds can resolve") + ".",
        "prose_H5_output": "For the Hessian of one output at one example the same fraction is "
                           f"{ci(r['H5', 'relu_output_within_live_zero_fraction'])} for ReLU "
                           f"and {ci(r['H5', 'tanh_output_within_live_zero_fraction'])} for tanh (ReLU minus tanh "
                           f"{ci(out)}).",
        "prose_H5_raw": f"On raw digits, all parameters counted, the ReLU loss Hessian's within-layer zero fraction is "
                        f"{ci(r['H5', 'loss_within_zero_fraction'])}, and ReLU minus tanh there is "
                        f"{ci(r['H5', 'raw_loss_within_zero_excess'])}.",
    }


def _h6(r: dict) -> dict[str, str]:
    adv, cos = r["H6", "spearman_advantage"], r["H6", "cosine_advantage"]
    return {
        "prose_H6_rank": f"RMSProp's Spearman correlation with the Gauss–Newton diagonal is {ci(r['H6', 'spearman_rms_gn'])}; "
                         f"the input second moment reaches {ci(r['H6', 'spearman_input_second_moment'])} and one "
                         f"mini-batch's squared gradient {ci(r['H6', 'spearman_minibatch_sq_grad'])}. RMSProp minus "
                         f"the baseline the tuning seeds ranked best: {ci(adv)}, "
                         + sign(adv, "better than", "worse than", "not distinguishable from") + " that baseline.",
        "prose_H6_step": "The cosine of RMSProp's step with the damped Gauss–Newton step minus that of SGD's step is "
                         f"{ci(cos)}: RMSProp's step is "
                         + sign(cos, "closer to", "further from", "neither distinguishably closer to nor further from") + " it"
                         f" (a tenth of the damping: {ci(r['H6', 'cosine_advantage_low_damping'])}; ten times: "
                         f"{ci(r['H6', 'cosine_advantage_high_damping'])}).",
    }


def _h7_f3(r: dict) -> dict[str, str]:
    sgd, adam = r["H7", "hf_vs_sgd_log_ratio"], r["H7", "hf_vs_adam_log_ratio"]
    ce, neg = r["F3", "ce_min_eigenvalue"], r["F3", "mse_negative_fraction"]
    convex = ce["value"] >= -1e-10 and neg["ci_low"] > 0
    return {
        "prose_H7_vs": f"the median log ratio of its loss to that of SGD with momentum is {ci(sgd)} (HF "
                       + sign(sgd, "higher", "lower", "not distinguishable") + f"), and to that of Adam {ci(adam)} (HF "
                       + sign(adam, "higher", "lower", "not distinguishable") + ")",
        "prose_F3": ("Here convexity comes with pairing the activation with its matching loss, not with monotonicity."
                     if convex else "These samples do not separate convexity by loss."),
    }


def sentences(rows: list[dict]) -> dict[str, str]:
    """Every generated sentence, keyed prose_<claim>_<what>."""
    r = {(row["claim_id"], row["statistic"]): row for row in rows}
    return {**_h1_h3(r), **_h5(r), **_h6(r), **_h7_f3(r)}
