"""Why a verdict: one sentence naming the condition that decided, with the numbers, derived from the ledger's
decision expressions evaluated (by reporting.verdicts' evaluator) on the claim's measured statistics; and
honest labels for what kind of number a statistic is (only from what its row says about itself)."""

from __future__ import annotations

import ast
import math
import re

import pandas as pd

from relulab.reporting.markdown import CI_LABEL, VERDICTS, fmt, text_of
from relulab.reporting.verdicts import FIELDS, ORDER, check_expression, environment, evaluate_node

_OPS = {ast.Lt: "<", ast.LtE: "≤", ast.Gt: ">", ast.GtE: "≥", ast.Eq: "=", ast.NotEq: "≠"}
_FIELD_WORDS = {"value": "", "ci_low": " (CI low)", "ci_high": " (CI high)", "n_seeds": " (seeds)"}


def _label(verdict: str) -> str:
    return VERDICTS.get(verdict, (verdict, ""))[0].lower()


def operand(node: ast.AST, primary: str) -> str:
    """A side of a comparison in words: `stat` for a value, `stat` (CI low) for a bound, else the expression."""
    if isinstance(node, ast.Name) and node.id in FIELDS:
        return f"`{primary}`{_FIELD_WORDS[node.id]}"
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"`{node.value.id}`{_FIELD_WORDS[node.attr]}"
    return f"`{ast.unparse(node)}`"


def _number(x) -> str:
    try:
        return fmt(float(x))
    except (TypeError, ValueError):
        return str(x)


def _side(node: ast.AST, env: dict, primary: str) -> str:
    """A side with its value: a constant as itself, anything else as 'name = value'."""
    if isinstance(node, ast.Constant):
        return _number(node.value)
    return f"{operand(node, primary)} = {_number(evaluate_node(node, env))}"


def clause_text(node: ast.AST, env: dict, primary: str) -> str:
    """A comparison with the numbers: '`stat` (CI low) = 0.84 ≥ 2'; other clauses as their source text."""
    if isinstance(node, ast.Compare):
        out = _side(node.left, env, primary)
        for op, right in zip(node.ops, node.comparators):
            rhs = _number(right.value) if isinstance(right, ast.Constant) else _side(right, env, primary)
            out += " as required" if isinstance(op, ast.Eq) and isinstance(right, ast.Constant) \
                else f" {_OPS[type(op)]} {rhs}"
        return out
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return "not (" + clause_text(node.operand, env, primary) + ")"
    if isinstance(node, ast.BoolOp):
        sep = " and " if isinstance(node.op, ast.And) else " or "
        return "(" + sep.join(clause_text(v, env, primary) for v in node.values) + ")"
    return f"`{ast.unparse(node)}`"


def need_text(node: ast.AST, env: dict, primary: str) -> str:
    """A condition that failed: '`stat` (CI low) ≥ 2 (measured 0.84)'."""
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        right = node.comparators[0]
        rhs = _number(right.value) if isinstance(right, ast.Constant) else _side(right, env, primary)
        lhs = _number(node.left.value) if isinstance(node.left, ast.Constant) else operand(node.left, primary)
        left = None if isinstance(node.left, ast.Constant) else _number(evaluate_node(node.left, env))
        measured = "" if left is None else " (undefined)" if left == "—" else f" (measured {left})"
        return f"{lhs} {_OPS[type(node.ops[0])]} {rhs}{measured}"
    return clause_text(node, env, primary) + " (false)"


def _holds(node: ast.AST, env: dict) -> bool:
    try:
        return bool(evaluate_node(node, env))
    except (TypeError, ValueError, ZeroDivisionError):
        return False


def deciding(node: ast.AST, env: dict, want: bool) -> list[ast.AST]:
    """The clauses that make an expression come out `want`: for a held `and` all its clauses, for a failed `and`
    the first that failed, for a held `or` those that held, for a failed `or` all of them."""
    if isinstance(node, ast.Expression):
        node = node.body
    if isinstance(node, ast.BoolOp):
        conj = isinstance(node.op, ast.And)
        parts = [v for v in node.values if _holds(v, env) == want]
        if conj != want:  # a failed `and` or a held `or`: the first (failed) or every (held) deciding clause
            parts = parts[:1] if conj else parts
        return [c for p in parts for c in deciding(p, env, want)]
    return [node]


def reason(claim: dict, verdict: dict, stats: pd.DataFrame) -> str:
    """One sentence: the verdict, the condition that decided it with its numbers, and why a stronger one failed."""
    v = verdict.get("verdict", "pending")
    label = VERDICTS.get(v, (v, ""))[0]
    if v == "pending" or (v == "not_testable" and not text_of(verdict.get("rule"))) or not claim.get("decision"):
        why = text_of(verdict.get("note")) or text_of(claim.get("reason")) or "the experiment has not run"
        return f"{label}: " + why.rstrip(".") + "."
    rows = {r["statistic"]: {k: r[k] for k in FIELDS} for _, r in stats.iterrows()}
    name = claim["statistic"]
    if name not in rows:
        return f"{label}: the primary statistic `{name}` was not measured."
    env = environment(rows[name], rows)
    fired = text_of(verdict.get("rule")).split(":", 1)[0]
    held, failed = "", []
    for key in ORDER:
        expr = claim["decision"].get(key)
        if expr is None:
            continue
        tree = check_expression(str(expr))
        if key == fired:
            held = " and ".join(clause_text(c, env, name) for c in deciding(tree, env, True))
            break
        if key in ("supported", "supported_with_caveats"):
            join = " or " if isinstance(tree.body, ast.BoolOp) and isinstance(tree.body.op, ast.Or) else " and "
            need = join.join(need_text(c, env, name) for c in deciding(tree, env, False))
            if need not in [n for _, n in failed]:
                failed.append((_label(key), need))
    needs = "; ".join(f"{k} needs {n}" for k, n in failed)
    if held and v == "not_testable":
        return f"{label}: the runs did not reach the regime the claim is about ({held}); this is not a refutation."
    if held and v == "true_by_definition":
        return (f"{label}: {held}, a value fixed by construction"
                + (f"; no measured rule held ({needs})" if needs else "") + ".")
    if held and v == "refuted":
        return f"{label}: {held}."
    if held:
        return f"{label}: {held}" + (f", but {needs}" if needs else "") + "."
    return f"{label}: no rule held — " + (needs or "no rule applies") + "."


# kinds of number a statistic's note may name, tried in this order (a fit's extrapolation is never 'exact'); a
# 'fit' counts only for a value without an interval (a residual of a fit over seeds is an ordinary statistic)
NOTE_KINDS = ((r"by construction|by definition", "fixed by construction", False),
              (r"extrapolat", "extrapolated from a fit (see note)", False),
              (r"\bfit(s|ted)?\b", "extrapolated from a fit (see note)", True))


def uncertainty(row) -> str:
    """What kind of number a statistic is, only from its own row: 'fixed by construction', 'extrapolated from a
    fit', 'timing on this machine', 'no interval' (too few seeds), the interval over N seeds, 'exact' (a
    collapsed single value whose note says exact), 'all N seeds equal' or 'one run, no interval'."""
    note = text_of(row.get("note")).lower()
    n = row.get("n_seeds")
    n = int(n) if n is not None and not (isinstance(n, float) and math.isnan(n)) else 0
    seeds = f"{n} seed{'s' if n != 1 else ''}"
    lo, hi, value = fmt(row.get("ci_low")), fmt(row.get("ci_high")), fmt(row.get("value"))
    if value == "—":
        return "not measured"
    collapsed = lo == hi == value
    for pattern, kind, only_collapsed in NOTE_KINDS:
        if re.search(pattern, note) and (collapsed or not only_collapsed):
            return kind
    if "wall-clock" in note or "timing" in note:
        return f"timing on this machine, {seeds}"
    if lo == "—" or hi == "—":
        why = text_of(row.get("interval"))
        why = why[len("none ("):-1] if why.startswith("none (") and why.endswith(")") else why
        return f"no {CI_LABEL} (" + (why or f"{seeds}, no interval") + ")"
    if re.search(r"\b(exact|deterministic)\b", note) and collapsed and n <= 1:
        return "exact"
    if collapsed:
        return f"all {n} seeds equal" if n > 1 else "one run, no interval"
    return f"{CI_LABEL} over {seeds}"
