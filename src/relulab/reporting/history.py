"""When each claim's decision rule was written, as the ledger records it (registered, rule_history): the line
beside each claim's rule and the summary's count of each kind."""

from __future__ import annotations

from relulab.reporting.markdown import claim_anchor
from relulab.reporting.verdicts import RULE_HISTORIES

HISTORY_TEXT = {
    "pre_results": "written before any result of its experiment existed",
    "after_quick": "written after quick-run results existed (or together with the code that produced them), "
                   "before the full study ran; not pre-registered",
    "after_full": "written or last changed after full-study results had been seen",
}
HISTORY_SHORT = {"pre_results": "before any result", "after_quick": "after quick-run results only",
                 "after_full": "after full results"}


def history_line(claim: dict) -> str:
    """The claim's rule history in one sentence, or '' if the ledger does not record it."""
    kind, reg = claim.get("rule_history"), claim.get("registered")
    if not kind and not reg:
        return ""
    when = f"registered {reg}" if reg else "registration date not recorded"
    what = HISTORY_TEXT.get(kind, "not recorded whether before or after any result")
    tag = f" (`{kind}`)" if kind else ""
    return f"**When the rule was written.** Current rule {when}; {what}{tag}."


def history_counts(ledger: dict) -> dict[str, list[str]]:
    """Claim ids per rule_history kind, in RULE_HISTORIES order, then 'not recorded'."""
    out: dict[str, list[str]] = {k: [] for k in (*RULE_HISTORIES, "not recorded")}
    for c in ledger["claims"]:
        out[c.get("rule_history") if c.get("rule_history") in RULE_HISTORIES else "not recorded"].append(c["id"])
    return out


def history_part(ledger: dict) -> str:
    """The summary's paragraph and list: how many rules were written before any result, after quick results
    only, after full results (the ledger's rule_history), with the claims of each kind."""
    counts = history_counts(ledger)
    links = {k: ", ".join(f"[{i}](#{claim_anchor(i)})" for i in ids) for k, ids in counts.items()}
    items = [f"- {HISTORY_SHORT.get(k, k)} (`{k}`): {len(ids)}" + (f" ({links[k]})" if ids else "")
             for k, ids in counts.items() if ids or k in RULE_HISTORIES]
    return ("**When the rules were written.** The ledger records for each claim the date its current decision "
            "rule was registered and whether it was written before any result of its experiment, after "
            "quick-run results only, or after full results; a rule counts as written before any result only "
            "where the repository history shows that it was. A rule changed after registration carries a dated "
            "amendment in its claim's section, and `config/claims.lock` makes the tests fail when a rule "
            "changes without one. Decision rules by when they were written:\n\n" + "\n".join(items) + "\n")
