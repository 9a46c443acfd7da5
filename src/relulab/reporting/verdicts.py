"""Verdicts: apply each claim's decision rule (from the ledger) to the measured statistics."""

from __future__ import annotations

import ast
import datetime
import math
import operator
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

import pandas as pd
import yaml

from relulab.core.stats import LEVEL

VERDICTS = ("supported", "supported_with_caveats", "true_by_definition", "not_supported", "refuted", "not_testable",
            "pending")
# decision keys in evaluation order: `not_testable` first (the data say the experiment did not reach the regime the
# claim is about, e.g. no arm trained: never a refutation), then the measured verdicts; `true_by_definition` is
# for a claim whose reading holds by construction (the rule names the definitional statistic), tried after the
# measured supports so that a measured statistic decides where there is one.
ORDER = ("not_testable", "supported", "supported_with_caveats", "true_by_definition", "refuted", "not_supported")
STATUSES = ("active", "pending", "not_testable")
# when a claim's current rule was written relative to its experiment's results (ledger field rule_history)
RULE_HISTORIES = ("pre_results", "after_quick", "after_full")
DATE_START = re.compile(r"\d{4}-\d{2}-\d{2}\b")
COLUMNS = ["claim_id", "source", "verdict", "statistic", "value", "ci_low", "ci_high", "n_seeds", "evidence",
           "rule", "note"]
# appended by decide_all: why (reasons.reason), the ledger's history fields, the primary CI's method, the build
EXTRA_COLUMNS = ["reason", "registered", "rule_history", "interval", "build"]
_ALLOWED = (ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.BinOp,
            ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Compare, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq,
            ast.Name, ast.Load, ast.Attribute, ast.Constant, ast.Call)
_FUNCS = {"abs": abs, "min": min, "max": max}
FIELDS = ("value", "ci_low", "ci_high", "n_seeds")


class LedgerError(ValueError):
    """The claim ledger is malformed; the message names the claim and the field."""


def check_expression(expr: str) -> ast.Expression:
    """Parse a decision expression, allowing only comparisons, arithmetic, and/or/not, abs/min/max."""
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError as exc:
        raise LedgerError(f"decision expression {expr!r} does not parse: {exc.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise LedgerError(f"decision expression {expr!r} uses {type(node).__name__}, which is not allowed")
        if isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name) and node.func.id in _FUNCS):
            raise LedgerError(f"decision expression {expr!r} calls something other than abs/min/max")
        if isinstance(node, ast.Attribute) and node.attr not in FIELDS:
            raise LedgerError(f"decision expression {expr!r}: .{node.attr} is not one of {FIELDS}")
    return tree


def names_in(expr: str) -> set[str]:
    """Statistic names an expression refers to (besides the primary statistic's own fields)."""
    tree = check_expression(expr)
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    return names - set(FIELDS) - set(_FUNCS)


def evaluate(expr: str, primary: dict, others: dict[str, dict]) -> bool:
    """Evaluate an expression in three-valued logic; it holds only if it comes out True. A comparison with a NaN
    operand is unknown, and so are `not unknown`, `unknown and True`, `unknown or False`: a NaN never gives a
    verdict, whichever way the rule is written (`not (x > 1)`, `x != 0`, ...)."""
    tree = check_expression(expr)
    missing = names_in(expr) - set(others)
    if missing:
        raise KeyError(f"statistics {sorted(missing)} have no measured value")
    return truth(evaluate_node(tree, environment(primary, others))) is True


def environment(primary: dict, others: dict[str, dict]) -> dict:
    """The names a decision expression may use: the primary statistic's fields, other statistics, abs/min/max."""
    return {**{k: primary[k] for k in FIELDS}, **{k: SimpleNamespace(**v) for k, v in others.items()}, **_FUNCS}


UNKNOWN = None  # the third truth value: a condition that cannot be decided because an operand is NaN
_COMPARE = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
            ast.Eq: operator.eq, ast.NotEq: operator.ne}
_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def _is_nan(x) -> bool:
    if x is None or x is pd.NA:
        return True
    try:
        return math.isnan(x)
    except TypeError:
        return False


def _number(x):
    """A numeric operand; a missing value (None) or an unknown truth value reads as NaN."""
    return math.nan if _is_nan(x) else x


def truth(x):
    """True, False or UNKNOWN: comparison results as they are; a number by its truthiness, a NaN is UNKNOWN."""
    if x is UNKNOWN or isinstance(x, bool):
        return x
    return UNKNOWN if _is_nan(x) else bool(x)


def _kleene(values: list, conj: bool):
    """Kleene's `and` (conj) / `or` of truth values."""
    if (not conj) in values:
        return not conj
    return UNKNOWN if UNKNOWN in values else conj


def _compare(node: ast.Compare, env: dict):
    left, results = _number(evaluate_node(node.left, env)), []
    for op, comparator in zip(node.ops, node.comparators):
        right = _number(evaluate_node(comparator, env))
        results.append(UNKNOWN if _is_nan(left) or _is_nan(right) else bool(_COMPARE[type(op)](left, right)))
        left = right
    return _kleene(results, conj=True)


def _arith(node: ast.BinOp, env: dict):
    left, right = _number(evaluate_node(node.left, env)), _number(evaluate_node(node.right, env))
    if _is_nan(left) or _is_nan(right):
        return math.nan
    try:
        return _ARITH[type(node.op)](left, right)
    except ZeroDivisionError:  # x / 0 has no value to compare: as unknown as a NaN
        return math.nan


def _call(node: ast.Call, env: dict):
    args = [_number(evaluate_node(a, env)) for a in node.args]
    return math.nan if any(_is_nan(a) for a in args) else env[node.func.id](*args)  # min/max would drop a NaN


def evaluate_node(node: ast.AST, env: dict):
    """The value of a checked expression tree (or any of its sub-expressions) in an environment(): a number,
    or for a condition True, False or UNKNOWN (None) when it compares a NaN."""
    if isinstance(node, ast.Expression):
        return evaluate_node(node.body, env)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.Attribute):
        return getattr(evaluate_node(node.value, env), node.attr)
    if isinstance(node, ast.Compare):
        return _compare(node, env)
    if isinstance(node, ast.BoolOp):
        return _kleene([truth(evaluate_node(v, env)) for v in node.values], conj=isinstance(node.op, ast.And))
    if isinstance(node, ast.BinOp):
        return _arith(node, env)
    if isinstance(node, ast.Call):
        return _call(node, env)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        value = truth(evaluate_node(node.operand, env))
        return UNKNOWN if value is UNKNOWN else not value
    if isinstance(node, ast.UnaryOp):
        value = _number(evaluate_node(node.operand, env))
        return -value if isinstance(node.op, ast.USub) else +value
    raise LedgerError(f"cannot evaluate {type(node).__name__}")


def load_ledger(path) -> dict:
    """Read config/claims.yaml and check every entry's fields and decision expressions."""
    data = yaml.safe_load(Path(path).read_text())
    if not isinstance(data, dict) or "claims" not in data:
        raise LedgerError(f"{path}: expected a mapping with a 'claims' list")
    seen = set()
    for c in data["claims"]:
        cid = c.get("id", "?")
        for key in ("id", "source", "claim", "status"):
            if key not in c:
                raise LedgerError(f"claim {cid}: missing field {key!r}")
        if cid in seen:
            raise LedgerError(f"claim {cid} appears twice")
        seen.add(cid)
        if c["status"] not in STATUSES:
            raise LedgerError(f"claim {cid}: status {c['status']!r} not in {STATUSES}")
        if c["status"] == "active":
            if not c.get("statistic") or not c.get("decision"):
                raise LedgerError(f"claim {cid}: an active claim needs a statistic and a decision")
            for verdict, expr in c["decision"].items():
                if verdict not in ORDER:
                    raise LedgerError(f"claim {cid}: decision key {verdict!r} not in {ORDER}")
                check_expression(str(expr))
        if c["status"] == "not_testable" and not c.get("reason"):
            raise LedgerError(f"claim {cid}: not_testable needs a reason")
        check_history(c)
    return data


def check_history(c: dict) -> None:
    """registered (a date), rule_history (one of RULE_HISTORIES) and amended (starts with its date), where given."""
    cid = c.get("id", "?")
    reg = c.get("registered")
    if reg is not None and not isinstance(reg, datetime.date) and not DATE_START.fullmatch(str(reg)):
        raise LedgerError(f"claim {cid}: registered {reg!r} is not a date YYYY-MM-DD")
    if c.get("rule_history") is not None and c["rule_history"] not in RULE_HISTORIES:
        raise LedgerError(f"claim {cid}: rule_history {c['rule_history']!r} not in {RULE_HISTORIES}")
    if c.get("amended") is not None and not DATE_START.match(str(c["amended"]).strip()):
        raise LedgerError(f"claim {cid}: an amended: entry starts with its date (YYYY-MM-DD)")


def _finite(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def decide(claim: dict, stats: pd.DataFrame, families: set[str]) -> dict:
    """The verdict row of one claim, given all statistic rows measured for it."""
    base = {"claim_id": claim["id"], "source": claim["source"], "statistic": claim.get("statistic") or "",
            "value": math.nan, "ci_low": math.nan, "ci_high": math.nan, "n_seeds": 0, "evidence": "", "rule": "",
            "note": ""}
    if claim["status"] == "not_testable":
        return {**base, "verdict": "not_testable", "note": claim["reason"]}
    if claim["status"] == "pending" or claim.get("family") not in families:
        return {**base, "verdict": "pending", "note": "experiment not built or not in this config"}
    rows = {r["statistic"]: {k: r[k] for k in FIELDS} for _, r in stats.iterrows()}
    evidence = " ".join(dict.fromkeys(" ".join(stats["evidence"].fillna("").astype(str)).split()))
    primary = rows.get(claim["statistic"])
    if primary is None:
        return {**base, "verdict": "pending", "evidence": evidence,
                "note": f"primary statistic {claim['statistic']!r} was not measured"}
    base.update(value=primary["value"], ci_low=primary["ci_low"], ci_high=primary["ci_high"],
                n_seeds=int(primary["n_seeds"]), evidence=evidence)
    if not _finite(primary["value"]):
        return {**base, "verdict": "pending", "note": "the primary statistic is not finite (diverged runs?)"}
    for verdict in ORDER:
        expr = claim["decision"].get(verdict)
        if expr is None:
            continue
        try:
            if evaluate(str(expr), primary, rows):
                return {**base, "verdict": verdict, "rule": f"{verdict}: {expr}"}
        except KeyError as exc:
            return {**base, "verdict": "pending", "note": str(exc.args[0])}
    return {**base, "verdict": "not_supported", "rule": "no supporting or refuting rule held"}


def _text(x) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x).strip()


def interval_method(row: dict, note: str = "", interval: str = "") -> str:
    """How the primary statistic's CI was made, only from what the data say: the method its statistic row
    records (core.stats.Interval.method, via claim_row), with the level and the seeds that entered it; else for a
    collapsed interval (ci_low = value = ci_high) the kind of number the note names (fixed by construction,
    extrapolated, exact/deterministic), else the method the note names, else 'not recorded'."""
    value, lo, hi = (row.get(k) for k in ("value", "ci_low", "ci_high"))
    if not _finite(value):
        return "none (no measured value)"
    note, interval = _text(note).lower(), _text(interval)
    n = int(row.get("n_seeds") or 0)
    seeds = f"{n} seed{'s' if n != 1 else ''}"
    if interval and not (lo == value == hi and not interval.startswith("collapsed")):
        if interval.startswith(("none", "collapsed")):
            return interval
        return f"{round(LEVEL * 100)}% {interval}, over {seeds}"
    if lo == value == hi:
        for pattern, kind in ((r"by construction|by definition", "fixed by construction"),
                              (r"extrapolat|\bfit(s|ted)?\b", "extrapolated, no interval"),
                              (r"\b(exact|deterministic)\b", "exact")):
            if re.search(pattern, note):
                return f"collapsed ({kind})"
        return f"collapsed (ci_low = value = ci_high over {seeds})"
    if not (_finite(lo) and _finite(hi)):
        return f"none (no interval over {seeds})"
    for word, method in (("bootstrap", "bootstrap over seeds (named in the statistic's note)"),
                         ("wilson", "Wilson interval (named in the statistic's note)")):
        if word in note:
            return method
    return f"{round(LEVEL * 100)}% interval over {seeds} (method not recorded in the statistic row)"


def decide_all(ledger: dict, stats: pd.DataFrame, families: set[str], build: str = "",
               reason: Callable[[dict, dict, pd.DataFrame], str] | None = None) -> pd.DataFrame:
    """One verdict row per ledger claim, in ledger order: COLUMNS, then EXTRA_COLUMNS (the reason sentence, the
    ledger's registered/rule_history, the primary CI's method, the build's config file). `reason(claim, row,
    stats)` writes the sentence: pass reporting.reasons.reason (which imports this module, hence no import
    here); without it the column is empty."""
    rows = []
    for c in ledger["claims"]:
        own = stats[stats["claim_id"] == c["id"]]
        row = decide(c, own, families)
        prim = own[own["statistic"] == c.get("statistic")] if len(own) else own
        note = prim["note"].iloc[0] if len(prim) and "note" in prim else ""
        method = prim["interval"].iloc[0] if len(prim) and "interval" in prim else ""
        reg = c.get("registered")
        rows.append({**row, "reason": reason(c, row, own) if reason else "", "registered": "" if reg is None else str(reg),
                     "rule_history": c.get("rule_history") or "",
                     "interval": interval_method(row, note, method), "build": build})
    return pd.DataFrame(rows, columns=COLUMNS + EXTRA_COLUMNS)
