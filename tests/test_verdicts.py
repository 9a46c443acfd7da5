"""Decision rules: safe evaluation, verdict order, pending when evidence is missing; the ledger itself."""
import re
from pathlib import Path

import pandas as pd
import pytest

from relulab.reporting import verdicts
from relulab.core import stats
from relulab.core.evidence import claim_row

ROOT = Path(__file__).resolve().parents[1]
CLAIM = {"id": "X1", "source": "s.txt", "claim": "c", "status": "active", "family": "fam", "statistic": "gain",
         "decision": {"supported": "ci_low > 0.1 and other.value < 1", "refuted": "ci_high < 0"}}


def _stats(*rows):
    return pd.DataFrame(list(rows))


def test_supported_when_rule_holds():
    s = _stats(claim_row("X1", "gain", 0.5, (0.2, 0.8), 5, "fig-a"), claim_row("X1", "other", 0.3, None, 5, "tbl-b"))
    row = verdicts.decide(CLAIM, s, {"fam"})
    assert row["verdict"] == "supported" and row["evidence"] == "fig-a tbl-b" and row["ci_low"] == 0.2


def test_refuted_and_fallback():
    s = _stats(claim_row("X1", "gain", -0.5, (-0.8, -0.2), 5), claim_row("X1", "other", 0.3))
    assert verdicts.decide(CLAIM, s, {"fam"})["verdict"] == "refuted"
    s = _stats(claim_row("X1", "gain", 0.1, (-0.1, 0.3), 5), claim_row("X1", "other", 0.3))
    assert verdicts.decide(CLAIM, s, {"fam"})["verdict"] == "not_supported"


def test_not_testable_is_tried_first_and_true_by_definition_after_the_supports():
    claim = {**CLAIM, "decision": {"not_testable": "trained.value < 0.5", "supported": "ci_low > 0.1",
                                   "true_by_definition": "fixed.value == 1", "refuted": "ci_high < 0"}}
    untrained = _stats(claim_row("X1", "gain", 0.5, (0.2, 0.8), 8), claim_row("X1", "trained", 0.1),
                       claim_row("X1", "fixed", 1.0))
    row = verdicts.decide(claim, untrained, {"fam"})
    assert row["verdict"] == "not_testable" and row["rule"] == "not_testable: trained.value < 0.5"
    trained = _stats(claim_row("X1", "gain", 0.5, (0.2, 0.8), 8), claim_row("X1", "trained", 0.9),
                     claim_row("X1", "fixed", 1.0))
    assert verdicts.decide(claim, trained, {"fam"})["verdict"] == "supported"
    weak = _stats(claim_row("X1", "gain", 0.5, (-0.2, 0.8), 8), claim_row("X1", "trained", 0.9),
                  claim_row("X1", "fixed", 1.0))
    assert verdicts.decide(claim, weak, {"fam"})["verdict"] == "true_by_definition"


def test_missing_evidence_is_pending_never_a_verdict():
    assert verdicts.decide(CLAIM, _stats(claim_row("X1", "gain", 0.5, (0.2, 0.8))), {"fam"})["verdict"] == "pending"
    assert verdicts.decide(CLAIM, _stats(claim_row("X1", "gain", 0.5)), set())["verdict"] == "pending"
    nan = _stats(claim_row("X1", "gain", float("nan")), claim_row("X1", "other", 0.3))
    assert verdicts.decide(CLAIM, nan, {"fam"})["verdict"] == "pending"


def test_nan_comparisons_are_false():
    s = _stats(claim_row("X1", "gain", 0.5, (0.2, 0.8), 5), claim_row("X1", "other", float("nan")))
    assert verdicts.decide(CLAIM, s, {"fam"})["verdict"] == "not_supported"


@pytest.mark.parametrize("expr", ["__import__('os')", "value.__class__", "open('x')", "[1][0]", "lambda: 1"])
def test_unsafe_expressions_are_rejected(expr):
    with pytest.raises(verdicts.LedgerError):
        verdicts.check_expression(expr)


def test_ledger_lists_every_claim_of_the_source_list():
    listed = re.findall(r"- \*\*([A-Z]\d+)\*\*", (ROOT.parent / "shared" / "claims.md").read_text()) \
        if (ROOT.parent / "shared" / "claims.md").exists() else []
    ledger = verdicts.load_ledger(ROOT / "config" / "claims.yaml")
    ids = [c["id"] for c in ledger["claims"]]
    assert len(ids) == 39 and len(set(ids)) == 39
    assert not listed or set(listed) == set(ids)
    assert set(c["source"] for c in ledger["claims"]) <= set(ledger["sources"])


def test_ledger_rejects_bad_entries(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("claims:\n  - {id: X1, source: s, claim: c, status: active, statistic: v, decision: {supported: 'value >'}}\n")
    with pytest.raises(verdicts.LedgerError, match="does not parse"):
        verdicts.load_ledger(p)
    p.write_text("claims:\n  - {id: X1, source: s, claim: c, status: maybe}\n")
    with pytest.raises(verdicts.LedgerError, match="status"):
        verdicts.load_ledger(p)


NAN = float("nan")
PRIMARY = {"value": 0.5, "ci_low": 0.2, "ci_high": 0.8, "n_seeds": 5}


@pytest.mark.parametrize("expr", [
    "not (other.value > 1)", "not (other.value <= 1)", "other.value != 0", "not (other.value == 0)",
    "not (value < 1 and other.value < 1)", "not (other.value > 1 or value > 1)", "other.value > 1 or value > 1",
    "not other.value", "other.value", "-other.value < 0", "abs(other.value) >= 0", "min(other.value, 1) <= 1",
    "max(1, other.value) >= 1", "other.value * 0 == 0", "0 < other.value < 1", "not (0 < other.value < 1)",
    "not (value > 0 and not (other.value > 1))", "value / 0 > 0", "not (value / 0 > 0)", "other.value + 1 != 2"])
def test_a_nan_never_satisfies_a_rule(expr):
    """Whichever way a rule is written (`not`, `!=`, min/max, arithmetic), a NaN it depends on leaves it unmet."""
    assert verdicts.evaluate(expr, PRIMARY, {"other": {**PRIMARY, "value": NAN}}) is False
    assert verdicts.evaluate(expr, PRIMARY, {"other": {**PRIMARY, "value": None}}) is False


@pytest.mark.parametrize("expr, held", [
    ("value > 0 or other.value > 1", True),  # decided by the finite clause, whatever the NaN were
    ("value < 0 and other.value > 1", False), ("not (value < 0 and other.value > 1)", True),
    ("not (value > 0 and other.value > 1)", False), ("value != 0", True), ("not (value == 0)", True)])
def test_three_valued_logic_decides_what_the_nan_cannot_change(expr, held):
    assert verdicts.evaluate(expr, PRIMARY, {"other": {**PRIMARY, "value": NAN}}) is held


def test_truth_values_of_sub_expressions():
    env = verdicts.environment(PRIMARY, {"other": {**PRIMARY, "value": NAN}})
    node = verdicts.check_expression("not (other.value > 1)")
    assert verdicts.evaluate_node(node, env) is verdicts.UNKNOWN
    assert verdicts.evaluate_node(verdicts.check_expression("value * 2 + 1"), env) == 2.0
    assert verdicts.evaluate_node(verdicts.check_expression("0.1 < value < 0.6 <= ci_high"), env) is True


def test_a_negated_rule_on_a_nan_gives_no_verdict():
    claim = {**CLAIM, "decision": {"supported": "not (other.value > 1)", "refuted": "other.value != 0.3"}}
    s = _stats(claim_row("X1", "gain", 0.5, (0.2, 0.8), 5), claim_row("X1", "other", NAN))
    assert verdicts.decide(claim, s, {"fam"})["verdict"] == "not_supported"
    s = _stats(claim_row("X1", "gain", 0.5, (0.2, 0.8), 5), claim_row("X1", "other", 0.5))
    assert verdicts.decide(claim, s, {"fam"})["verdict"] == "supported"


def test_decide_all_appends_reason_history_interval_and_build():
    ledger = {"claims": [
        {**CLAIM, "registered": "2026-11-22", "rule_history": "after_quick"},
        {**CLAIM, "id": "X2", "statistic": "count", "decision": {"supported": "value >= 3"}},
        {"id": "X3", "source": "s.txt", "claim": "c", "status": "not_testable", "reason": "needs ImageNet"}]}
    ci = stats.bootstrap_ci([0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, float("nan")])  # 7 finite: HS lambda 0.7333, [0.2733, 0.7267]
    s = _stats(claim_row("X1", "gain", 0.5, ci, evidence="fig-a"), claim_row("X1", "other", 0.3, None, 5),
               claim_row("X2", "count", 4.0, None, 1, note="exact and deterministic"))
    from relulab.reporting.reasons import reason
    table = verdicts.decide_all(ledger, s, {"fam"}, build="config/quick.yaml", reason=reason)
    assert list(table.columns) == verdicts.COLUMNS + verdicts.EXTRA_COLUMNS
    assert verdicts.EXTRA_COLUMNS == ["reason", "registered", "rule_history", "interval", "build"]
    x1, x2, x3 = (table.iloc[i] for i in range(3))
    assert x1["reason"].startswith("Supported: `gain` (CI low) = 0.2733 > 0.1") and "0.3 < 1" in x1["reason"]
    assert x1["n_seeds"] == 7 and "1 of 8 seeds gave a non-finite value" in s["note"].iloc[0]
    assert (x1["registered"], x1["rule_history"]) == ("2026-11-22", "after_quick")
    assert (x2["registered"], x2["rule_history"]) == ("", "")
    assert x1["interval"] == f"95% {stats.METHODS['median']}, over 7 seeds" and x2["interval"] == "collapsed (exact)"
    assert x3["interval"] == "none (no measured value)" and x3["reason"] == "Not testable here: needs ImageNet."
    assert set(table["build"]) == {"config/quick.yaml"}
    # the original columns are what decide() gives, unchanged
    assert table[verdicts.COLUMNS].iloc[0].to_dict() == {k: verdicts.decide(ledger["claims"][0], s[s["claim_id"] == "X1"],
                                                                             {"fam"})[k] for k in verdicts.COLUMNS}


@pytest.mark.parametrize("row, note, method", [
    ({"value": 1.0, "ci_low": 1.0, "ci_high": 1.0, "n_seeds": 3}, "", "collapsed (ci_low = value = ci_high over 3 seeds)"),
    ({"value": 1.0, "ci_low": 1.0, "ci_high": 1.0, "n_seeds": 1}, "deterministic", "collapsed (exact)"),
    ({"value": 1.0, "ci_low": 0.5, "ci_high": 2.0, "n_seeds": 3}, "fit; bootstrap over seeds",
     "bootstrap over seeds (named in the statistic's note)"),
    ({"value": 1.0, "ci_low": 0.5, "ci_high": 2.0, "n_seeds": 3}, "median over seeds",
     "95% interval over 3 seeds (method not recorded in the statistic row)"),
    ({"value": 1.0, "ci_low": 1.0, "ci_high": 1.0, "n_seeds": 1}, "exactly affine fraction", "collapsed (ci_low = value = ci_high over 1 seed)"),
    ({"value": 1.0, "ci_low": 1.0, "ci_high": 1.0, "n_seeds": 1}, "power-law fit, exact inputs", "collapsed (extrapolated, no interval)"),
    ({"value": 1.0, "ci_low": 1.0, "ci_high": 1.0, "n_seeds": 1}, "1 by construction (exact)", "collapsed (fixed by construction)"),
    ({"value": 1.0, "ci_low": NAN, "ci_high": NAN, "n_seeds": 1}, "", "none (no interval over 1 seed)"),
])
def test_interval_method_reads_only_the_row_and_its_note(row, note, method):
    assert verdicts.interval_method(row, note) == method


@pytest.mark.parametrize("values, method", [
    ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], f"95% {stats.METHODS['median']}, over 6 seeds"),
    ([1.0, 2.0, 3.0], "none (3 values, the order-statistic interval needs at least 6)"),
    ([2.0, 2.0, 2.0], "collapsed (all 3 values equal)"),
])
def test_interval_method_names_the_recorded_method(values, method):
    ci = stats.bootstrap_ci(values)
    row = claim_row("X1", "gain", ci[0], ci)
    assert verdicts.interval_method(row, row["note"], row["interval"]) == method


def test_build_configfile_is_the_last_configfile():
    from relulab.reporting.build import build_configfile
    assert build_configfile(["config/config.yaml", "config/quick.yaml"]) == "config/quick.yaml"
    assert build_configfile(["config/quick.yaml", "config/config.yaml"]) == "config/quick.yaml"  # Snakemake's order
    assert build_configfile(["config/quick.yaml", "x/extra.yaml", "config/config.yaml"]) == "x/extra.yaml"
    assert build_configfile(["config/config.yaml"]) == "config/config.yaml" == build_configfile([])
