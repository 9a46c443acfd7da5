"""The ledger lock: a claim's statistic or decision may change only with a new dated amended: entry."""

import copy
import datetime
from pathlib import Path

import pytest
import yaml

from relulab.reporting import ledger_lock, verdicts

ROOT = Path(__file__).resolve().parents[1]


def _ledger():
    return verdicts.load_ledger(ROOT / "config" / "claims.yaml")


def test_lock_matches_the_ledger():
    lock = ledger_lock.read_lock((ROOT / "config" / "claims.lock").read_text())
    violations, stale = ledger_lock.problems(_ledger(), lock)
    assert not violations, "\n".join(violations)
    assert not stale, "\n".join(stale) + f"\n(after a dated amendment: {ledger_lock.WRITE})"


def test_every_claim_records_when_its_rule_was_written():
    for c in _ledger()["claims"]:
        assert isinstance(c.get("registered"), datetime.date), f"claim {c['id']}: registered: YYYY-MM-DD missing"
        assert c.get("rule_history") in verdicts.RULE_HISTORIES, f"claim {c['id']}: rule_history missing"


def _changed(ledger, cid, decision=None, amended=None):
    out = copy.deepcopy(ledger)
    c = next(c for c in out["claims"] if c["id"] == cid)
    if decision is not None:
        c["decision"] = {**c["decision"], "supported": decision}
    if amended is not None:
        c["amended"] = amended
    return out


def test_changed_decision_without_amendment_names_the_claim():
    ledger = _ledger()
    lock = ledger_lock.read_lock(ledger_lock.lock_text(ledger))
    violations, _ = ledger_lock.problems(_changed(ledger, "R3", decision="value >= 2"), lock)
    assert len(violations) == 1 and violations[0].startswith("claim R3:")
    undated = _changed(ledger, "R3", decision="value >= 2", amended="raised the threshold")
    violations, _ = ledger_lock.problems(undated, lock)
    assert len(violations) == 1 and "date" in violations[0]
    # an edit of an existing amendment that does not add one still leaves the rule change unamended
    violations, _ = ledger_lock.problems(_changed(ledger, "R2", decision="value >= 3"), lock)
    assert violations and violations[0].startswith("claim R2:")


def test_dated_amendment_only_needs_a_new_lock():
    ledger = _ledger()
    lock = ledger_lock.read_lock(ledger_lock.lock_text(ledger))
    amended = _changed(ledger, "R3", decision="value >= 2",
                       amended="2026-12-02, after quick results: threshold raised to 2 because ...")
    violations, stale = ledger_lock.problems(amended, lock)
    assert not violations and len(stale) == 1 and stale[0].startswith("claim R3:")
    assert ledger_lock.problems(amended, ledger_lock.read_lock(ledger_lock.lock_text(amended))) == ([], [])
    statistic = copy.deepcopy(ledger)
    statistic["claims"][0]["statistic"] = "something_else"
    assert ledger_lock.problems(statistic, lock)[0][0].startswith(f"claim {ledger['claims'][0]['id']}:")


def test_write_refuses_an_unamended_change(tmp_path, capsys):
    data = yaml.safe_load((ROOT / "config" / "claims.yaml").read_text())
    led, lock = tmp_path / "claims.yaml", tmp_path / "claims.lock"
    led.write_text(yaml.safe_dump(data, sort_keys=False))
    assert ledger_lock.main(["--write", "--ledger", str(led), "--lock", str(lock)]) == 0
    assert ledger_lock.main(["--ledger", str(led), "--lock", str(lock)]) == 0
    data["claims"][2]["decision"]["refuted"] = "value < 0.5"
    led.write_text(yaml.safe_dump(data, sort_keys=False))
    before = lock.read_text()
    assert ledger_lock.main(["--write", "--ledger", str(led), "--lock", str(lock)]) == 1
    assert lock.read_text() == before
    assert ledger_lock.main(["--ledger", str(led), "--lock", str(lock)]) == 1
    assert f"claim {data['claims'][2]['id']}:" in capsys.readouterr().err


@pytest.mark.parametrize("field,value,match", [("registered", "22 Nov", "registered"),
                                               ("rule_history", "before", "rule_history"),
                                               ("amended", "changed the threshold", "amended")])
def test_ledger_rejects_bad_history_fields(tmp_path, field, value, match):
    p = tmp_path / "c.yaml"
    claim = {"id": "X1", "source": "s", "claim": "c", "status": "active", "statistic": "v",
             "decision": {"supported": "value > 1"}, field: value}
    p.write_text(yaml.safe_dump({"claims": [claim]}))
    with pytest.raises(verdicts.LedgerError, match=match):
        verdicts.load_ledger(p)


def test_report_shows_each_rule_history_and_counts_each_kind():
    from relulab.reporting import history, parts
    ledger = {"sources": {}, "claims": [
        {"id": "R1", "source": "s", "claim": "c", "status": "active", "statistic": "v",
         "decision": {"supported": "value > 1"}, "registered": datetime.date(2026, 11, 22),
         "rule_history": "after_quick"},
        {"id": "H1", "source": "s", "claim": "c", "status": "active", "statistic": "v",
         "decision": {"supported": "value > 1"}, "registered": datetime.date(2026, 12, 2),
         "rule_history": "pre_results"}]}
    text = history.history_part(ledger)
    assert "before any result (`pre_results`): 1 ([H1](#sec-claim-h1))" in text
    assert "after quick-run results only (`after_quick`): 1 ([R1](#sec-claim-r1))" in text
    assert "after full results (`after_full`): 0" in text
    line = history.history_line(ledger["claims"][0])
    assert "registered 2026-11-22" in line and "`after_quick`" in line
    assert "before the results were seen" not in parts.decision_list(ledger["claims"][0])
    assert history.history_line({"id": "X"}) == ""
