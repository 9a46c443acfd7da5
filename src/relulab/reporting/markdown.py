"""Markdown of the report: numbers, intervals, ledger prose, pipe tables, cross-reference anchors and verdict badges."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from relulab.core.stats import LEVEL

# verdict -> (label, Quarto callout type that colours its box)
VERDICTS = {
    "supported": ("Supported", "tip"),
    "supported_with_caveats": ("Supported with caveats", "warning"),
    "true_by_definition": ("True by definition", "note"),
    "not_supported": ("Not supported", "caution"),
    "refuted": ("Refuted", "important"),
    "not_testable": ("Not testable here", "note"),
    "pending": ("Pending", "note"),
}
CI_LABEL = f"{round(LEVEL * 100)}% CI"


def fmt(x) -> str:
    """A number for the text: 4 significant digits, integers as integers, missing as an em dash."""
    if x is None or (isinstance(x, str) and not x.strip()):
        return "—"
    if isinstance(x, str):
        try:
            x = float(x)
        except ValueError:
            return x
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, float) and not math.isfinite(x):
        return "—" if math.isnan(x) else ("∞" if x > 0 else "−∞")
    if float(x) == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.4g}"


_PROTECTED = re.compile(r"(\$[^$\n]+\$|`[^`\n]+`)")


def md_text(text) -> str:
    """Ledger prose as Markdown: one line, with ^ and ~ escaped outside math and code spans."""
    parts = _PROTECTED.split(" ".join(text_of(text).split()))
    return "".join(p if i % 2 else re.sub(r"(?<!\\)([\^~])", r"\\\1", p) for i, p in enumerate(parts))


def cell(text) -> str:
    """Text for a pipe-table cell: one line, pipes escaped."""
    return md_text(text).replace("|", r"\|")


def markdown_table(df: pd.DataFrame, caption: str = "", ident: str = "") -> str:
    """A pipe table (numbers formatted with fmt), with an optional Quarto caption line `: cap {#tbl-x}`."""
    head = "| " + " | ".join(cell(c) for c in df.columns) + " |"
    numeric = [pd.api.types.is_numeric_dtype(df[c]) for c in df.columns]
    rule = "|" + "|".join("---:" if n else ":---" for n in numeric) + "|"
    body = ["| " + " | ".join(fmt(v) if n else cell(v) for v, n in zip(row, numeric)) + " |"
            for row in df.itertuples(index=False)]
    text = "\n".join([head, rule, *body])
    if caption or ident:
        text += "\n\n: " + md_text(caption) + (f" {{#{ident}}}" if ident else "")
    return text


def anchor(prefix: str, name: str) -> str:
    """A Quarto cross-reference id: prefix plus name lower-cased with non-alphanumerics as dashes."""
    return prefix + "-" + re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")


def claim_anchor(claim_id: str) -> str:
    return anchor("sec-claim", claim_id)


def source_anchor(source: str) -> str:
    return anchor("sec-src", Path(source).stem)


def badge(verdict: str) -> str:
    """The verdict as a coloured span."""
    label = VERDICTS.get(verdict, (verdict, "note"))[0]
    return f"[{label}]{{.verdict .verdict-{verdict}}}"


def estimate(row) -> str:
    """'1.23 (95% CI 1.01 to 1.5, 5 seeds)', or just the value where the interval collapses."""
    value, lo, hi, n = (row.get(k) for k in ("value", "ci_low", "ci_high", "n_seeds"))
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not measured"
    seeds = f"{fmt(n)} seed{'s' if fmt(n) != '1' else ''}"
    if fmt(lo) == fmt(hi) == fmt(value):
        return f"{fmt(value)} ({collapsed(row)}, {seeds})"
    if fmt(lo) == "—" or fmt(hi) == "—":
        return f"{fmt(value)} (no {CI_LABEL}, {seeds})"
    return f"{fmt(value)} ({CI_LABEL} {fmt(lo)} to {fmt(hi)}, {seeds})"


def text_of(x) -> str:
    """A text field that may be missing (None or a pandas NaN) as a string."""
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)


def plural(n: int, noun: str) -> str:
    """'1 rule', '3 rules'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def ci_text(row) -> str:
    """The interval as 'lo to hi'; where it collapses onto the value, 'exact' (one deterministic value) or 'all
    seeds equal'; a dash where nothing was measured."""
    lo, hi, value = fmt(row.get("ci_low")), fmt(row.get("ci_high")), fmt(row.get("value"))
    if value == "—":
        return "—"
    if lo == hi == value:
        return collapsed(row)
    return "undefined" if "—" in (lo, hi) else f"{lo} to {hi}"


def collapsed(row) -> str:
    """How to name an interval that collapses onto its value, from the statistic's note where the row has one:
    fixed by construction, extrapolated (never 'exact'), several equal seeds, else one exact value."""
    note = text_of(row.get("note")).lower()
    if re.search(r"by construction|by definition", note):
        return "fixed by construction"
    if re.search(r"extrapolat|\bfit(s|ted)?\b", note):
        return "extrapolated, no interval"
    n = row.get("n_seeds")
    several = n is not None and not (isinstance(n, float) and math.isnan(n)) and int(n) > 1
    return "all seeds equal" if several else "exact"


def ids_of(text) -> list[str]:
    """The whitespace-separated ids in a text field that may be missing."""
    return text_of(text).split()
