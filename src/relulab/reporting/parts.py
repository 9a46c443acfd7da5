"""The generated parts of the report: summary, chapters with one section per claim, family prose,
reproducibility (software, benchmarks, configuration) and the Quarto variables."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pandas as pd
import yaml

from relulab.reporting.chapters import chapter_head, chapters_of, family_anchor, source_line, sources_part
from relulab.reporting.configdoc import config_part
from relulab.reporting.history import history_line, history_part
from relulab.reporting.markdown import (CI_LABEL, VERDICTS, badge, cell, ci_text, claim_anchor, estimate, fmt, ids_of,
                                        markdown_table, md_text, plural, text_of)
from relulab.reporting.reasons import reason, uncertainty
from relulab.reporting.verdicts import FIELDS

DECISION_ORDER = ("not_testable", "supported", "supported_with_caveats", "true_by_definition", "refuted", "not_supported")
MAX_TABLE_ROWS = 40
# what a verdict of this kind means, said in its box (a data-driven not_testable, a reading true by definition)
KIND_NOTES = {
    "not_testable": "The data show that the runs did not reach the regime the claim is about, so the claim is "
                    "neither supported nor refuted at this budget.",
    "true_by_definition": "The reading tested holds by construction: the rule that fired reads a statistic fixed by "
                          "the definition or the configuration, not a measured effect.",
}


def verdict_counts(verdicts: pd.DataFrame) -> dict[str, int]:
    """How many claims got each verdict, in the canonical verdict order."""
    counts = verdicts["verdict"].value_counts()
    return {v: int(counts.get(v, 0)) for v in VERDICTS}


def stat_html(name: str) -> str:
    """A statistic name as inline HTML code that may break only after an underscore, never mid-word."""
    parts = html.escape(name).split("_")
    return '<code class="stat">' + "_<wbr>".join(parts) + "</code>"


def summary_part(ledger: dict, verdicts: pd.DataFrame, stats: pd.DataFrame | None = None) -> str:
    """The summary chapter: verdict counts and one table row per ledger claim, with the reason sentence."""
    by_id = verdicts.set_index("claim_id")
    stats = stats if stats is not None else pd.DataFrame(columns=["claim_id", "statistic", *FIELDS])
    rows = []
    for c in ledger["claims"]:
        v = by_id.loc[c["id"]].to_dict() if c["id"] in by_id.index else {"verdict": "pending"}
        stat = text_of(v.get("statistic"))
        prim = stats[(stats["claim_id"] == c["id"]) & (stats["statistic"] == stat)] if stat else stats.iloc[0:0]
        shown = {**v, "note": prim["note"].iloc[0] if len(prim) and "note" in prim else ""}  # the statistic's note
        measured = (v["verdict"] != "pending" and fmt(v.get("value")) != "—"
                    and (v["verdict"] != "not_testable" or bool(text_of(v.get("rule")))))
        why = reason(c, v, stats[stats["claim_id"] == c["id"]]).split(": ", 1)[-1]
        rows.append("| " + " | ".join([
            f"[{c['id']}](#{claim_anchor(c['id'])})",
            badge(v["verdict"]),
            cell(c["claim"]),
            cell(why),
            stat_html(stat) if stat else "—",
            fmt(v.get("value")) if measured else "—",
            ci_text(shown) if measured else "—",
            fmt(v.get("n_seeds")) if measured else "—",
            f"[-@{family_anchor(c.get('family'))}]",
        ]) + " |")
    counts = verdict_counts(verdicts)
    told = ", ".join(f"{n} {VERDICTS[v][0].lower()}" for v, n in counts.items() if n)
    table = "\n".join([
        f"| Claim | Verdict | Statement | Why (the deciding condition) | Primary statistic | Value | {CI_LABEL} | "
        "Seeds | Chapter |",
        "|:---|:-----|:--------------|:--------------|:-------|----:|:------|--:|--:|",
        *rows,
    ])
    n = len(ledger["claims"])
    return (f"# Summary of verdicts {{#sec-summary}}\n\n"
            f"The ledger holds {n} claims: {told}. @tbl-summary lists them all; the claim id links to the "
            f"claim's section, where the decision rule, the statistics and the evidence are shown.\n\n"
            f"{table}\n\n: Verdicts of all {n} claims: the primary statistic (a median over seeds unless its "
            f"note says otherwise) with its {CI_LABEL} and the number of seeds that entered it; chapter: the family chapter where the claim is discussed. {{#tbl-summary}}\n\n"
            + history_part(ledger) + "\n" + sources_part(ledger))


# ---------------------------------------------------------------- chapters

def decision_list(claim: dict) -> str:
    """The decision rule as written in the ledger, in evaluation order."""
    decision = claim.get("decision") or {}
    if not decision:
        return ""
    lines = [f"- *{VERDICTS[v][0].lower()}* if `{decision[v]}`" for v in DECISION_ORDER if v in decision]
    if "not_supported" not in decision:
        lines.append("- *not supported* otherwise (fallback)")
    return ("**Decision rule** (as the ledger holds it now; tried in this order, the first "
            "that holds gives the verdict), on the primary statistic "
            f"`{claim.get('statistic')}`:\n\n" + "\n".join(lines))


def verdict_callout(claim: dict, v: dict, stats: pd.DataFrame | None = None, provisional: str = "") -> str:
    """The verdict box: coloured by verdict, the reason sentence, the primary statistic and the rule that fired,
    and for a quick build the note that the verdict is provisional."""
    verdict = v["verdict"]
    label, kind = VERDICTS.get(verdict, (verdict, "note"))
    why = reason(claim, v, stats if stats is not None else pd.DataFrame(columns=["statistic", *FIELDS]))
    body = [f"::: {{.verdict-reason}}\n**Why.** {md_text(why)}\n:::"]
    if verdict == "not_testable" and not text_of(v.get("rule")):
        body.append(md_text(text_of(claim.get("reason")) or text_of(v.get("note"))))
    elif verdict == "pending":
        why = text_of(v.get("note")) or text_of(claim.get("reason")) or "the experiment has not run"
        body.append("No verdict yet: " + md_text(why).rstrip(".") + ".")
    else:
        prim = stats[stats["statistic"] == v["statistic"]] if stats is not None and len(stats) else []
        row = {**v, "note": prim.iloc[0].get("note", "")} if len(prim) else v  # the statistic's own note
        sort = uncertainty(prim.iloc[0].to_dict() if len(prim) else v)
        body.append(f"Primary statistic `{v['statistic']}` = **{estimate(row)}**; {sort}.")
        if text_of(v.get("rule")):
            body.append(f"Rule that fired: `{text_of(v['rule'])}`.")
        if verdict in KIND_NOTES:
            body.append(KIND_NOTES[verdict])
        if text_of(v.get("note")):
            body.append(md_text(v["note"]))
    if provisional:
        body.append(f"::: {{.provisional}}\n{provisional}\n:::")
    return f'::: {{.callout-{kind} title="Verdict: {label}"}}\n' + "\n\n".join(body) + "\n:::"


def statistics_table(claim: dict, stats: pd.DataFrame) -> str:
    """Every statistic measured for the claim; the primary one first and marked."""
    if stats.empty:
        return ""
    primary = claim.get("statistic")
    s = stats.assign(_p=stats["statistic"] != primary).sort_values("_p", kind="stable")
    lines = [f"| Statistic | Value | {CI_LABEL} | Seeds | Kind | Note |", "|:--|--:|:--|--:|:---|:------|"]
    for _, r in s.iterrows():
        name = f"`{r['statistic']}`" + (" (primary)" if r["statistic"] == primary else "")
        lines.append(f"| {name} | {fmt(r['value'])} | {ci_text(r)} | {fmt(r['n_seeds'])} | {uncertainty(r)} | "
                     f"{cell(r.get('note'))} |")
    return "\n".join(lines)


def evidenceids_of(claim_id: str, v: dict, stats: pd.DataFrame, manifest: pd.DataFrame) -> list[str]:
    """Manifest ids showing a claim: from its verdict, its statistic rows, then the manifest's claims column."""
    ids = ids_of(v.get("evidence"))
    for e in stats["evidence"] if "evidence" in stats else []:
        ids += ids_of(e)
    ids += [r["id"] for _, r in manifest.iterrows() if claim_id in ids_of(r["claims"])]
    return list(dict.fromkeys(ids))


def evidence_block(item: dict, tables: dict[str, pd.DataFrame]) -> str:
    """A figure (`![cap](path){#fig-x}`) or a table with a `: cap {#tbl-x}` caption."""
    caption = md_text(item["caption"])
    if item["kind"] == "figure":
        caption = re.sub(r"(?<!\\)([\[\]])", r"\\\1", caption)  # unbalanced brackets would end the image
        return f"![{caption}]({item['path']}){{#{item['id']}}}"
    df = tables[item["id"]]
    shown = df.head(MAX_TABLE_ROWS)
    if len(df) > len(shown):
        caption += f" (first {len(shown)} of {len(df)} rows.)"
    return markdown_table(shown, caption, item["id"])


def family_link(family: str) -> str:
    """The family's name, linked to its chapter (whose discussion precedes the claim)."""
    return f"[`{family}`](#{family_anchor(family)})"


def rerun_text(claim: dict, configfile: str) -> str:
    """How to rerun the claim: the rule that writes its statistics, the config section it reads, the command."""
    fam = claim.get("family")
    if claim.get("status") != "active" or not fam:
        return ""
    cfg = f" --configfile {configfile}" if configfile and configfile != "config/config.yaml" else ""
    return (f"**Rerun this claim.** Its statistics are written by rule `{fam}_evidence` "
            f"(`results/{fam}/claims.csv`) from the `{fam}` family's runs, which read the config section "
            f"`{fam}:` (and `seeds`); the verdict by rule `verdicts`. "
            f"`snakemake --cores 2{cfg} -R {fam}_evidence -- results/report/index.html` recomputes the statistics "
            f"from the existing runs; add `-R` with the family's other rules (`snakemake --list-rules`) to redo "
            f"the runs themselves, or change a setting with `--config`.")


def claim_section(claim: dict, v: dict, stats: pd.DataFrame, manifest: pd.DataFrame,
                  tables: dict[str, pd.DataFrame], placed: set[str], provisional: str = "",
                  ledger: dict | None = None, configfile: str = "") -> str:
    """One claim: paraphrase, source, experiment, rule, verdict, statistics, evidence (each item placed once)."""
    back = f"[↑ Summary of verdicts](#sec-summary){{.back-link}}"
    if claim.get("family"):
        back += f" · [↑ How family `{claim['family']}` tests it](#{family_anchor(claim['family'])}){{.back-link}}"
    parts = [f"## Claim {claim['id']} {badge(v['verdict'])} {{#{claim_anchor(claim['id'])}}}",
             "> " + md_text(claim["claim"]), back, source_line(claim, ledger or {"sources": {}})]
    if claim.get("experiment"):
        fam = f" (family {family_link(claim['family'])})" if claim.get("family") else ""
        parts.append(f"**Experiment**{fam}: " + md_text(claim["experiment"]))
    if claim.get("reading"):
        parts.append("**Reading tested.** " + md_text(claim["reading"]))
    if claim.get("amended"):
        parts.append("**Amendment.** " + md_text(claim["amended"]))
    if claim.get("status") == "active":
        parts.append(decision_list(claim))
    parts.append(history_line(claim))
    parts.append(verdict_callout(claim, v, stats, provisional))
    table = statistics_table(claim, stats)
    if table:
        parts.append("All statistics measured for this claim:\n\n" + table)
    ids = evidenceids_of(claim["id"], v, stats, manifest)
    known = manifest.set_index("id")
    missing = [i for i in ids if i not in known.index]
    if missing:
        raise KeyError(f"claim {claim['id']} cites evidence {missing} that no family manifest lists")
    if ids:
        parts.append("Evidence: " + ", ".join(f"@{i}" for i in ids) + ".")
    for i in ids:
        if i not in placed:
            placed.add(i)
            parts.append(evidence_block({"id": i, **known.loc[i].to_dict()}, tables))
    parts.append(rerun_text(claim, configfile))
    return "\n\n".join(p for p in parts if p)


def chapters_part(ledger: dict, verdicts: pd.DataFrame, stats: pd.DataFrame, manifest: pd.DataFrame,
                  tables: dict[str, pd.DataFrame], provisional: str = "", prose: dict[str, str] | None = None,
                  configfile: str = "") -> str:
    """One chapter per experiment family (ledger order): its discussion, then one section per claim it tests;
    then any evidence no claim cited."""
    by_id = {r["claim_id"]: r for r in verdicts.to_dict("records")}
    placed: set[str] = set()
    out = []
    for fam, text, claims in chapters_of(ledger, prose or {}):
        out.append(chapter_head(fam, text, claims, ledger))
        for c in claims:
            v = by_id.get(c["id"], {"claim_id": c["id"], "verdict": "pending", "note": "no verdict row"})
            out.append(claim_section(c, v, stats[stats["claim_id"] == c["id"]], manifest, tables, placed,
                                     provisional, ledger, configfile))
    rest = [r for _, r in manifest.iterrows() if r["id"] not in placed]
    if rest:
        out.append("# Further evidence {#sec-further-evidence}\n\nFigures and tables that no claim cites.")
        out += [evidence_block(r.to_dict(), tables) for r in rest]
    return "\n\n".join(out) + "\n"


# ---------------------------------------------------------------- reproducibility

def _pattern_regex(pattern: str) -> re.Pattern:
    """A Snakemake file pattern ('a/{x}_{y,[0-9]+}.tsv') as a regex matching its file names."""
    out, pos = [], 0
    for m in re.finditer(r"\{([A-Za-z_]\w*)(?:\s*,\s*((?:[^{}]|\{[^{}]*\})+))?\}", pattern):
        out.append(re.escape(pattern[pos:m.start()]))
        out.append(f"(?:{m.group(2)})" if m.group(2) else "(?:.+)")
        pos = m.end()
    out.append(re.escape(pattern[pos:]))
    return re.compile("".join(out) + r"\Z")


def rule_of(path: str, patterns: dict[str, str]) -> str:
    """The rule that wrote a benchmark file: the rule whose benchmark pattern matches, else a guess from the name."""
    path = str(path).replace("\\", "/")
    matches = [(len(p), r) for r, p in patterns.items() if _pattern_regex(str(p)).match(path)]
    if matches:
        return max(matches)[1]  # the most specific (longest) pattern wins
    p = Path(path)
    return f"{p.parent.name}/{p.stem}"


def benchmark_summary(bench: dict[str, pd.DataFrame], patterns: dict[str, str] | None = None) -> pd.DataFrame:
    """Per rule: jobs, total and longest wall-clock seconds, peak max_rss (MB), from Snakemake benchmark TSVs."""
    cols = ["Rule", "Jobs", "Total time (s)", "Longest job (s)", "Peak memory (MB)"]
    rows = []
    for path, df in bench.items():
        s = pd.to_numeric(df.get("s"), errors="coerce")
        rss = pd.to_numeric(df.get("max_rss"), errors="coerce") if "max_rss" in df else pd.Series(dtype=float)
        rows.append({"rule": rule_of(path, patterns or {}), "s": float(s.mean()) if len(s) else math.nan,
                     "rss": float(rss.max()) if rss.notna().any() else math.nan})
    if not rows:
        return pd.DataFrame(columns=cols)
    per = pd.DataFrame(rows).groupby("rule", sort=False).agg(
        jobs=("s", "size"), total=("s", "sum"), longest=("s", "max"), rss=("rss", "max")).reset_index()
    per = per.sort_values(["total", "rule"], ascending=[False, True])
    per.columns = cols
    return per.reset_index(drop=True)


def plain(obj):
    """Config as plain YAML-able types (Snakemake's config may hold subclasses of dict and list)."""
    return json.loads(json.dumps(obj, default=str))


def reproducibility_part(config: dict, versions: dict[str, str], bench: pd.DataFrame, schema: dict | None = None) -> str:
    """Software versions, per-rule run times and memory, and the configuration of this build."""
    soft = pd.DataFrame({"Software": list(versions), "Version": list(versions.values())})
    parts = ["# Reproducibility {#sec-reproducibility}",
             "This build can be repeated with the configuration below and the software versions listed "
             "(`snakemake --configfile <file>`); every rule wrote a Snakemake benchmark file, summarised in "
             "@tbl-benchmarks.",
             "## Software {#sec-software}",
             markdown_table(soft, "Software versions used for this build.", "tbl-software")]
    parts.append("## Run time and memory {#sec-runtime}")
    if len(bench):
        total = bench["Total time (s)"].sum()
        top = bench.iloc[0]
        mem = bench.loc[bench["Peak memory (MB)"].idxmax()] if bench["Peak memory (MB)"].notna().any() else None
        jobs = int(bench["Jobs"].sum())
        text = (f"{plural(jobs, 'benchmarked job')} of {plural(len(bench), 'rule')} took "
                f"{fmt(total)} s of wall-clock time in total (summed over jobs, so parallel jobs count "
                f"fully); rule `{top['Rule']}` took the most ({fmt(top['Total time (s)'])} s).")
        if mem is not None:
            text += f" The largest peak memory was {fmt(mem['Peak memory (MB)'])} MB (rule `{mem['Rule']}`)."
        parts.append(text)
    else:
        parts.append("No benchmark files were found for this build.")
    parts.append(markdown_table(bench, "Run time and peak resident memory per rule, from the Snakemake "
                                "benchmark files (time: mean over repeats of each job, summed over jobs).",
                                "tbl-benchmarks"))
    parts += ["## Configuration {#sec-configuration}",
              "The configuration this build ran with (click to unfold); the keys a claim reads are named in its "
              "rerun note.", config_part(plain(config), schema or {}),
              '<details class="config-details">\n<summary>The same configuration as a YAML file, for '
              '<code>snakemake --configfile</code></summary>\n\n```yaml\n'
              + yaml.safe_dump(plain(config), sort_keys=False, default_flow_style=False).strip() + "\n```\n\n</details>"]
    return "\n\n".join(parts) + "\n"


def variables(values: dict[str, dict]) -> dict:
    """Quarto `_variables.yml` content: `{{< var family.key >}}` indexes {family: {key: value}}."""
    def clean(v):
        if isinstance(v, float):
            return fmt(v) if math.isfinite(v) else "—"
        return v
    return {fam: {k: clean(v) for k, v in vals.items()} for fam, vals in values.items()}
