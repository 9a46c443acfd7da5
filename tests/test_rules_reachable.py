"""Every verdict a claim's decision rule names can happen: for each active claim of the real ledger, a search over
synthetic statistics (candidate numbers built from the rule's own constants) finds measurements for which
`verdicts.decide` returns each named verdict (supported, supported_with_caveats, refuted) and the fallback
not_supported. A verdict no measurement can reach is a rule that was never really a test."""

import ast
import functools
import itertools
import random
from pathlib import Path

import pandas as pd
import pytest

from relulab.core.evidence import claim_row
from relulab.reporting import verdicts

ROOT = Path(__file__).resolve().parents[1]
LEDGER = verdicts.load_ledger(ROOT / "config" / "claims.yaml")
ACTIVE = {c["id"]: c for c in LEDGER["claims"] if c["status"] == "active"}
TRIES = 20000
# (claim, verdict) pairs that no synthetic statistics reach in the current ledger, with why (the ledger is not
# changed here; fixing a rule is its family's call). Each is an xfail(strict): reaching it later fails the test.
UNREACHABLE: dict[tuple[str, str], str] = {
}


def _constants(claim: dict) -> list[float]:
    """The numbers written in a claim's rules (a constant under unary minus counts with its sign)."""
    out = set()
    for expr in claim["decision"].values():
        tree = verdicts.check_expression(str(expr))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
                out.update({float(node.value), -float(node.value)})
    return sorted(out)


def candidates(claim: dict) -> list[float]:
    """Each rule constant, just above and below it (relative and absolute offsets), 0, ±1 and large values."""
    out = {0.0, 1.0, -1.0, 0.5, 2.0, 10.0, 1e6, -1e6}
    for c in _constants(claim):
        step = abs(c) * 1e-3 if c else 1e-15
        out.update({c, c + step, c - step, c + 1e-3, c - 1e-3, 2 * c, c / 2})
    return sorted(out)


def statistic_names(claim: dict) -> list[str]:
    """The primary statistic first, then every other statistic the rules read."""
    others = set().union(*(verdicts.names_in(str(e)) for e in claim["decision"].values()))
    return [claim["statistic"]] + sorted(others - {claim["statistic"]})


def _sample(rng: random.Random, pool: list[float]) -> dict:
    """One synthetic statistic with ci_low <= value <= ci_high (sometimes a collapsed CI)."""
    picks = sorted(rng.choice(pool) for _ in range(3))
    if rng.random() < 0.3:
        picks = [picks[1]] * 3
    seeds = rng.choice([1, 2, 3, 5, 10, 30])
    return dict(zip(verdicts.FIELDS, (picks[1], picks[0], picks[2], seeds)))


def _first_verdict(trees: list, rows: dict[str, dict], primary: str) -> str:
    """What decide() returns for these rows, without building a DataFrame (the search's fast path)."""
    env = verdicts.environment(rows[primary], rows)
    for verdict, tree in trees:
        if verdicts.truth(verdicts.evaluate_node(tree, env)) is True:
            return verdict
    return "not_supported"


def frame(claim: dict, rows: dict[str, dict]) -> pd.DataFrame:
    return pd.DataFrame([claim_row(claim["id"], name, r["value"], (r["ci_low"], r["ci_high"]), r["n_seeds"])
                         for name, r in rows.items()])


@functools.lru_cache(maxsize=None)
def witnesses(claim_id: str) -> dict[str, dict]:
    """verdict -> synthetic statistics reaching it, for every verdict the search reached."""
    claim, rng = ACTIVE[claim_id], random.Random(claim_id)
    pool, names = candidates(claim), statistic_names(claim)
    trees = [(v, verdicts.check_expression(str(claim["decision"][v]))) for v in verdicts.ORDER
             if v in claim["decision"]]
    wanted, found = set(claim["decision"]) | {"not_supported"}, {}
    for _ in range(TRIES):
        rows = {name: _sample(rng, pool) for name in names}
        found.setdefault(_first_verdict(trees, rows, claim["statistic"]), rows)
        if wanted <= set(found):
            break
    return found


def _cases():
    for cid, claim in ACTIVE.items():
        for verdict in [v for v in verdicts.ORDER if v in claim["decision"] or v == "not_supported"]:
            why = UNREACHABLE.get((cid, verdict))
            marks = [pytest.mark.xfail(strict=True, reason=why)] if why else []
            yield pytest.param(cid, verdict, marks=marks, id=f"{cid}-{verdict}")


@pytest.mark.parametrize("claim_id, verdict", list(_cases()))
def test_each_named_verdict_is_reachable(claim_id, verdict):
    claim = ACTIVE[claim_id]
    rows = witnesses(claim_id).get(verdict)
    assert rows is not None, (f"claim {claim_id}: no synthetic statistics give {verdict!r} "
                              f"(rules: {claim['decision']})")
    row = verdicts.decide(claim, frame(claim, rows), {claim.get("family")})
    assert row["verdict"] == verdict, f"claim {claim_id}: decide gave {row['verdict']!r} for {rows}"


def test_the_search_covers_the_ledger():
    """Every active claim is searched, with a value for every name its rules read."""
    assert len(ACTIVE) >= 30
    for cid, claim in ACTIVE.items():
        names = statistic_names(claim)
        for expr in claim["decision"].values():
            assert verdicts.names_in(str(expr)) <= set(names)
        assert all(a <= b for a, b in itertools.pairwise(candidates(claim)))
