"""The body of the report: one chapter per experiment family, the family's discussion first and then the claims
it tests, so the explanation sits next to the claims (and links to them, and they back to it)."""

from __future__ import annotations

import re

from relulab.reporting.markdown import anchor, claim_anchor, md_text, plural, source_anchor

NO_FAMILY = "none"


def family_anchor(family: str | None) -> str:
    """The id of a family's chapter (also for the chapter of claims tested by no experiment)."""
    return anchor("sec-family", family or NO_FAMILY)


def normalize_levels(text: str, parent: int = 0) -> str:
    """No header deeper than one below the one before it, the first at most one below `parent` (pandoc would
    number a skipped level '2.0.1')."""
    out, prev = [], parent
    for line in text.split("\n"):
        m = re.match(r"^(#+)(\s.*)$", line)
        if m:
            level = min(len(m.group(1)), prev + 1)
            prev = level
            line = "#" * level + m.group(2)
        out.append(line)
    return "\n".join(out)


def nest_headers(text: str, top: int) -> str:
    """Shift Markdown ATX headers so the shallowest one has level `top`, with no skipped levels."""
    levels = [len(m) for m in re.findall(r"^(#+)\s", text, flags=re.M)]
    if not levels:
        return text
    shift = top - min(levels)
    text = re.sub(r"^(#+)(?=\s)", lambda m: "#" * max(1, len(m.group(1)) + shift), text, flags=re.M)
    return normalize_levels(text, top - 1)


def link_claims(text: str, ids: set[str]) -> str:
    """Claim ids the prose names in parentheses, '(A3, F6, R6)', become links to the claims' sections."""
    def sub(m: re.Match) -> str:
        names = [s.strip() for s in m.group(1).split(",")]
        if not all(n in ids for n in names):
            return m.group(0)
        return "(" + ", ".join(f"[{n}](#{claim_anchor(n)})" for n in names) + ")"
    return re.sub(r"\(([A-Z][0-9]{1,2}(?:,\s*[A-Z][0-9]{1,2})*)\)", sub, text)


def family_title(family: str | None, prose: str) -> tuple[str, str]:
    """The chapter title (the prose's first header, else a generic one) and the rest of the prose."""
    prose = prose.strip()
    m = re.match(r"#+\s+([^\n{]*?)\s*(\{[^}\n]*\})?\s*(\n|$)", prose)
    if m:
        return m.group(1), prose[m.end():].strip()
    if family is None:
        return "Claims not tested by an experiment", prose
    return f"Family `{family}`", prose


def chapter_order(ledger: dict, prose: dict[str, str]) -> list[str | None]:
    """Chapters in the order their first claim appears in the ledger; prose without claims last, no family last."""
    order = list(dict.fromkeys(c.get("family") or None for c in ledger["claims"]))
    order += [f for f in prose if f not in order]
    return [f for f in order if f is not None] + ([None] if None in order else [])


def chapter_head(family: str | None, prose: str, claims: list[dict], ledger: dict) -> str:
    """Chapter title with the family's anchor, the list of its claims (links), then its discussion."""
    title, rest = family_title(family, prose)
    titles = ledger.get("sources") or {}
    ids = {c["id"] for c in ledger["claims"]}
    head = f"# {md_text(title) if not title.startswith('Family `') else title} {{#{family_anchor(family)}}}"
    lead = (f"{plural(len(claims), 'claim')} tested here: "
            + ", ".join(f"[{c['id']}](#{claim_anchor(c['id'])})" for c in claims) + ". "
            if claims else "")
    srcs = list(dict.fromkeys(c["source"] for c in claims))
    if srcs:
        lead += "From " + ", ".join(f"*{md_text(titles.get(s, s))}*" for s in srcs) + " ([sources](#sec-sources))."
    if family is not None:
        lead += (f" The discussion of family `{family}` comes first; each claim's section follows it, "
                 "with the verdict, the statistics and the figures.")
    body = link_claims(nest_headers(rest, 2), ids) if rest else ""
    return "\n\n".join(p for p in (head, f"::: {{.family-lead}}\n{lead.strip()}\n:::", body) if p)


def sources_part(ledger: dict) -> str:
    """The source documents and the claims taken from each (the summary links here), with their anchors."""
    titles = ledger.get("sources") or {}
    sources = sorted({c["source"] for c in ledger["claims"]} | set(titles))
    lines = ["| Source document | File | Claims |", "|:------|:---|:------|"]
    for src in sources:
        claims = [c["id"] for c in ledger["claims"] if c["source"] == src]
        name = md_text(titles.get(src, src))
        lines.append(f"| [{name[:1].upper() + name[1:]}]{{#{source_anchor(src)}}} | `{src}` | "
                     + ", ".join(f"[{c}](#{claim_anchor(c)})" for c in claims) + " |")
    return ("## Source documents {#sec-sources}\n\nThe claims come from these documents; the report is ordered by "
            "experiment family instead, so that each family's discussion sits next to the claims it tests.\n\n"
            + "\n".join(lines) + "\n\n: The source documents and their claims. {#tbl-sources}\n")


def source_line(claim: dict, ledger: dict) -> str:
    """Where the claim comes from."""
    title = md_text((ledger.get("sources") or {}).get(claim["source"], claim["source"]))
    return f"**Source:** [*{title}*](#{source_anchor(claim['source'])}) (`{claim['source']}`)."


def chapters_of(ledger: dict, prose: dict[str, str]) -> list[tuple[str | None, str, list[dict]]]:
    """(family, prose, claims) per chapter, claims in ledger order."""
    out = []
    for fam in chapter_order(ledger, prose):
        claims = [c for c in ledger["claims"] if (c.get("family") or None) == fam]
        out.append((fam, prose.get(fam, "") if fam else "", claims))
    return out

