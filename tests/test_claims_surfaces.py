"""Claim statistics of the surfaces family on hand-made evaluation tables whose values are known by hand."""
import functools

import pandas as pd
import pytest

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


def _ev8(diverged_seed=None):
    """Eight seeds: ReLU residual s + 1 (two cells with the same value), identity 1e-8 (s + 1)."""
    rows = []
    for s in range(8):
        for depth in (1, 4):
            rows.append({**_cell(s, "smooth", "relu", depth, pf=0.5, ar=float(s + 1)), "diverged": False})
        rows.append({**_cell(s, "fold", "identity", 4, pf=1.0, ar=1e-8 * (s + 1), ols=0.01), "diverged": False})
    ev = pd.DataFrame(rows)
    if diverged_seed is not None:  # one cell of that seed diverged: its numbers mean nothing (here finite junk)
        i = ev.index[(ev["seed"] == diverged_seed) & (ev["activation"] == "relu")][0]
        ev.loc[i, ["diverged", "affine_residual", "planar_fraction"]] = [True, 1e6, 0.0]
    return ev


def test_eight_seeds_give_the_hettmansperger_sheather_interval_by_hand():
    # n = 8: d = 1, I = (254/256 - .95) / (254/256 - 238/256), lam = 7 I / (1 + 6 I) = 0.93564;
    # residuals 1..8: median 4.5, interval [1 + lam, 8 - lam]
    i = (254 / 256 - 0.95) / (16 / 256)
    lam = 7 * i / (1 + 6 * i)
    rows = _by(claims.claim_rows(_ev8(), [], []))
    _check(rows["A1", "relu_affine_residual"], 4.5, 8, 1 + lam - 1e-12, 8 - lam + 1e-12)
    r = rows["A1", "relu_affine_residual"]
    assert r["ci_low"] == pytest.approx(1 + lam) and r["ci_high"] == pytest.approx(8 - lam)
    assert r["interval"].startswith("Hettmansperger-Sheather") and "dropped" not in r["note"]
    assert rows["R4", "relu_planar_fraction"]["interval"].startswith("collapsed")  # all 0.5: exact


def test_a_diverged_cell_drops_its_seed_and_the_note_says_so():
    rows = _by(claims.claim_rows(_ev8(diverged_seed=7), [], []))
    r = rows["A1", "relu_affine_residual"]
    assert r["n_seeds"] == 7 and r["value"] == 4.0           # seeds 1..7 -> median 4 (the junk 1e6 never enters)
    assert "1 of 8 seeds gave a non-finite value (diverged or undefined) and was dropped" in r["note"]
    assert rows["F1", "identity_affine_residual"]["n_seeds"] == 8
    assert rows["A1", "relu_additivity_gap"]["note"].startswith("|relu(-1) + relu(1) - relu(0)|")
    assert "fixed by construction" in rows["A1", "relu_additivity_gap"]["note"]
