"""Claim statistics of the surfaces family on hand-made evaluation tables whose values are known by hand."""
import functools

import pandas as pd

from relulab.studies.surfaces import claims
from claim_checks import by_pair as _by, check

_check = functools.partial(check, abs=1e-12, bound_slack=1e-12)


def _cell(seed, task, activation, depth, pf=float("nan"), ar=float("nan"), ols=float("nan"), acc=float("nan")):
    return {"seed": seed, "task": task, "activation": activation, "arch": f"{activation}{depth}", "depth": depth,
            "planar_fraction": pf, "affine_residual": ar, "ols_gap": ols, "test_acc": acc}


def _ev():
    rows = []
    for s, (pf_a, pf_b) in enumerate([(0.5, 0.5), (0.6, 0.8), (0.9, 0.9)]):
        # ReLU on a regression task, two architectures: per-seed means 0.5, 0.7, 0.9 -> median 0.7
        rows.append(_cell(s, "smooth", "relu", 1, pf=pf_a, ar=0.2 * (s + 1)))
        rows.append(_cell(s, "smooth", "relu", 4, pf=pf_b, ar=0.2 * (s + 1)))
        # sigmoid never planar: constant 0 so the interval collapses onto it
        rows.append(_cell(s, "smooth", "sigmoid", 1, pf=0.0, ar=0.5))
        # identity: residual 1, 2, 3 (median 2), OLS gap constant 0.25
        rows.append(_cell(s, "fold", "identity", 4, pf=1.0, ar=float(s + 1), ols=0.25))
        # classification: linear classifier at depth 0 with accuracy 0.5; ReLU nets 0.6, 0.7, 0.8
        rows.append(_cell(s, "spirals", "identity", 0, pf=1.0, acc=0.5))
        rows.append(_cell(s, "spirals", "relu", 2, pf=0.25 * (s + 1), acc=0.6 + 0.1 * s))
    return pd.DataFrame(rows)


def test_claim_rows_statistics_by_hand():
    rows = _by(claims.claim_rows(_ev(), ["fig-a", "fig-b"], ["fig-c"]))
    assert len(rows) == 10
    _check(rows["R4", "relu_planar_fraction"], 0.7, 3, 0.5, 0.9)
    _check(rows["R4", "sigmoid_planar_fraction"], 0.0, 3, 0.0, 0.0)
    _check(rows["A1", "relu_additivity_gap"], 1.0, 1, 1.0, 1.0)        # |relu(-1) + relu(1) - relu(0)| = 1
    _check(rows["A1", "relu_affine_residual"], 0.4, 3, 0.2, 0.6)        # seeds 0.2, 0.4, 0.6
    _check(rows["A1", "identity_affine_residual"], 2.0, 3, 1.0, 3.0)    # seeds 1, 2, 3
    _check(rows["F1", "identity_affine_residual"], 2.0, 3, 1.0, 3.0)
    _check(rows["F1", "identity_ols_gap"], 0.25, 3, 0.25, 0.25)
    # A6: paired differences 0.1, 0.2, 0.3 -> median 0.2; the classification run never enters R4/A1/F1
    _check(rows["A6", "relu_minus_linear_accuracy"], 0.2, 3, 0.1, 0.3)
    _check(rows["A6", "relu_boundary_planar_fraction"], 0.5, 3, 0.25, 0.75)
    _check(rows["A6", "linear_boundary_planar_fraction"], 1.0, 3, 1.0, 1.0)
    assert "fig-a fig-b" in rows["R4", "relu_planar_fraction"]["evidence"]
    assert rows["A6", "relu_minus_linear_accuracy"]["evidence"] == "fig-c"


def test_a6_pairs_only_common_seeds():
    cls = _ev().query("task == 'spirals'")
    cls = cls[~((cls["seed"] == 2) & (cls["depth"] == 0))]   # seed 2 has no linear run: differences 0.1, 0.2
    rows = _by(claims.a6_rows(cls, "fig-c"))
    _check(rows["A6", "relu_minus_linear_accuracy"], 0.15, 2, 0.1, 0.2)
    _check(rows["A6", "relu_boundary_planar_fraction"], 0.5, 3, 0.25, 0.75)   # all three ReLU seeds still count
    _check(rows["A6", "linear_boundary_planar_fraction"], 1.0, 2)


def test_missing_runs_leave_statistics_out():
    ev = _ev()
    rows = _by(claims.claim_rows(ev[ev["activation"] != "sigmoid"], [], []))
    assert ("R4", "sigmoid_planar_fraction") not in rows and len(rows) == 9
    assert claims.a6_rows(ev.iloc[0:0], "") == []
    assert claims.a6_rows(ev.query("task == 'spirals' and depth == 0"), "") == []
