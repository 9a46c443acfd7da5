"""Decision rules: safe evaluation, verdict order, pending when evidence is missing; the ledger itself."""
import re
from pathlib import Path

import pandas as pd
import pytest

from relulab.reporting import verdicts
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
