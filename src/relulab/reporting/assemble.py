"""Report assembly: the generated Markdown parts of the Quarto report, built from ledger, verdicts and evidence."""

from __future__ import annotations

import json
import math
import platform
import re
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import pandas as pd
import yaml

from relulab.core.stats import LEVEL

# verdict -> (label, Quarto callout type that colours its box)
VERDICTS = {
    "supported": ("Supported", "tip"),
    "supported_with_caveats": ("Supported with caveats", "warning"),
    "not_supported": ("Not supported", "caution"),
    "refuted": ("Refuted", "important"),
    "not_testable": ("Not testable here", "note"),
    "pending": ("Pending", "note"),
}
DECISION_ORDER = ("supported", "supported_with_caveats", "refuted", "not_supported")
CI_LABEL = f"{round(LEVEL * 100)}% CI"
MAX_TABLE_ROWS = 40
PACKAGES = ("torch", "snakemake", "numpy", "pandas", "scipy", "matplotlib", "pyyaml", "pypandoc-binary", "relulab")
GENERATED = "_generated"


# ---------------------------------------------------------------- formatting

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
    return collapsed(row) if lo == hi == value else f"{lo} to {hi}"


def collapsed(row) -> str:
    """How to name an interval that collapses onto its value: one deterministic value, or several equal seeds."""
    n = row.get("n_seeds")
    several = n is not None and not (isinstance(n, float) and math.isnan(n)) and int(n) > 1
    return "all seeds equal" if several else "exact"


def _ids(text) -> list[str]:
    return text_of(text).split()


# ---------------------------------------------------------------- summary

def verdict_counts(verdicts: pd.DataFrame) -> dict[str, int]:
    """How many claims got each verdict, in the canonical verdict order."""
    counts = verdicts["verdict"].value_counts()
    return {v: int(counts.get(v, 0)) for v in VERDICTS}


def summary_part(ledger: dict, verdicts: pd.DataFrame) -> str:
    """The summary chapter: verdict counts and one table row per ledger claim."""
    by_id = verdicts.set_index("claim_id")
    rows = []
    for c in ledger["claims"]:
        v = by_id.loc[c["id"]] if c["id"] in by_id.index else {"verdict": "pending"}
        stat = text_of(v.get("statistic"))
        measured = v["verdict"] not in ("pending", "not_testable") and fmt(v.get("value")) != "—"
        rows.append("| " + " | ".join([
            f"[{c['id']}](#{claim_anchor(c['id'])})",
            cell(c["claim"]),
            badge(v["verdict"]),
            f"`{stat}`" if stat else "—",
            fmt(v.get("value")) if measured else "—",
            ci_text(v) if measured else "—",
            fmt(v.get("n_seeds")) if measured else "—",
            f"[-@{source_anchor(c['source'])}]",
        ]) + " |")
    counts = verdict_counts(verdicts)
    told = ", ".join(f"{n} {VERDICTS[v][0].lower()}" for v, n in counts.items() if n)
    table = "\n".join([
        f"| Claim | Statement | Verdict | Primary statistic | Value | {CI_LABEL} | Seeds | Chapter |",
        "|:---|:----------------------|:-----|:-------|----:|:------|--:|--:|",
        *rows,
    ])
    n = len(ledger["claims"])
    return (f"# Summary of verdicts {{#sec-summary}}\n\n"
            f"The ledger holds {n} claims: {told}. @tbl-summary lists them all; the claim id links to the "
            f"claim's section, where the decision rule, the statistics and the evidence are shown.\n\n"
            f"{table}\n\n: Verdicts of all {n} claims: the primary statistic (median over seeds) with its "
            f"{CI_LABEL} over seeds; chapter: where the claim is discussed. {{#tbl-summary}}\n")


# ---------------------------------------------------------------- chapters

def decision_list(claim: dict) -> str:
    """The decision rule as written in the ledger, in evaluation order."""
    decision = claim.get("decision") or {}
    if not decision:
        return ""
    lines = [f"- *{VERDICTS[v][0].lower()}* if `{decision[v]}`" for v in DECISION_ORDER if v in decision]
    if "not_supported" not in decision:
        lines.append("- *not supported* otherwise (fallback)")
    return ("**Decision rule** (written before the results were seen; tried in this order, the first "
            "that holds gives the verdict), on the primary statistic "
            f"`{claim.get('statistic')}`:\n\n" + "\n".join(lines))


def verdict_callout(claim: dict, v: dict) -> str:
    """The verdict box: coloured by verdict, with the primary statistic and the rule that fired."""
    verdict = v["verdict"]
    label, kind = VERDICTS.get(verdict, (verdict, "note"))
    body = []
    if verdict == "not_testable":
        body.append(md_text(text_of(claim.get("reason")) or text_of(v.get("note"))))
    elif verdict == "pending":
        why = text_of(v.get("note")) or text_of(claim.get("reason")) or "the experiment has not run"
        body.append("No verdict yet: " + md_text(why).rstrip(".") + ".")
    else:
        body.append(f"Primary statistic `{v['statistic']}` = **{estimate(v)}**.")
        if text_of(v.get("rule")):
            body.append(f"Rule that fired: `{text_of(v['rule'])}`.")
        if text_of(v.get("note")):
            body.append(md_text(v["note"]))
    return f'::: {{.callout-{kind} title="Verdict: {label}"}}\n' + "\n\n".join(body) + "\n:::"


def statistics_table(claim: dict, stats: pd.DataFrame) -> str:
    """Every statistic measured for the claim; the primary one first and marked."""
    if stats.empty:
        return ""
    primary = claim.get("statistic")
    s = stats.assign(_p=stats["statistic"] != primary).sort_values("_p", kind="stable")
    lines = [f"| Statistic | Value | {CI_LABEL} | Seeds | Note |", "|:--|--:|:--|--:|:------|"]
    for _, r in s.iterrows():
        name = f"`{r['statistic']}`" + (" (primary)" if r["statistic"] == primary else "")
        lines.append(f"| {name} | {fmt(r['value'])} | {ci_text(r)} | {fmt(r['n_seeds'])} | {cell(r.get('note'))} |")
    return "\n".join(lines)


def evidence_ids(claim_id: str, v: dict, stats: pd.DataFrame, manifest: pd.DataFrame) -> list[str]:
    """Manifest ids showing a claim: from its verdict, its statistic rows, then the manifest's claims column."""
    ids = _ids(v.get("evidence"))
    for e in stats["evidence"] if "evidence" in stats else []:
        ids += _ids(e)
    ids += [r["id"] for _, r in manifest.iterrows() if claim_id in _ids(r["claims"])]
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


def claim_section(claim: dict, v: dict, stats: pd.DataFrame, manifest: pd.DataFrame,
                  tables: dict[str, pd.DataFrame], placed: set[str]) -> str:
    """One claim: paraphrase, experiment, rule, verdict, statistics, evidence (each item placed once)."""
    parts = [f"## Claim {claim['id']} {badge(v['verdict'])} {{#{claim_anchor(claim['id'])}}}",
             "> " + md_text(claim["claim"])]
    if claim.get("experiment"):
        fam = f" (family `{claim['family']}`)" if claim.get("family") else ""
        parts.append(f"**Experiment**{fam}: " + md_text(claim["experiment"]))
    if claim.get("reading"):
        parts.append("**Reading tested.** " + md_text(claim["reading"]))
    if claim.get("amended"):
        parts.append("**Amendment.** " + md_text(claim["amended"]))
    if claim.get("status") == "active":
        parts.append(decision_list(claim))
    parts.append(verdict_callout(claim, v))
    table = statistics_table(claim, stats)
    if table:
        parts.append("All statistics measured for this claim:\n\n" + table)
    ids = evidence_ids(claim["id"], v, stats, manifest)
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
    return "\n\n".join(parts)


def chapters_part(ledger: dict, verdicts: pd.DataFrame, stats: pd.DataFrame, manifest: pd.DataFrame,
                  tables: dict[str, pd.DataFrame]) -> str:
    """One chapter per source document (ledger order of claims), then any evidence no claim cited."""
    by_id = {r["claim_id"]: r for r in verdicts.to_dict("records")}
    titles = ledger.get("sources") or {}
    sources = sorted({c["source"] for c in ledger["claims"]} | set(titles))
    placed: set[str] = set()
    out = []
    for src in sources:
        claims = [c for c in ledger["claims"] if c["source"] == src]
        if not claims:
            continue
        title = md_text(titles.get(src, src))
        title = title[:1].upper() + title[1:]
        out.append(f"# {title} {{#{source_anchor(src)}}}\n\nSource document: `{src}`. "
                   f"{plural(len(claims), 'claim')}: "
                   + ", ".join(f"[{c['id']}](#{claim_anchor(c['id'])})" for c in claims) + ".")
        for c in claims:
            v = by_id.get(c["id"], {"claim_id": c["id"], "verdict": "pending", "note": "no verdict row"})
            out.append(claim_section(c, v, stats[stats["claim_id"] == c["id"]], manifest, tables, placed))
    rest = [r for _, r in manifest.iterrows() if r["id"] not in placed]
    if rest:
        out.append("# Further evidence {#sec-further-evidence}\n\nFigures and tables that no claim cites.")
        out += [evidence_block(r.to_dict(), tables) for r in rest]
    return "\n\n".join(out) + "\n"


def families_part(prose: dict[str, str]) -> str:
    """The method descriptions of the families present in this build (report/families/<family>.qmd)."""
    if not prose:
        return ""
    parts = ["## Experiment families {#sec-families}"]
    for fam, text in prose.items():
        body = re.sub(r"^(#+)(?=\s)", r"##\1", text.strip(), flags=re.M)  # family prose headers nest below
        if not re.match(r"##", body):
            body = f"### Family `{fam}` {{#{anchor('sec-family', fam)}}}\n\n" + body
        parts.append(body)
    return "\n\n".join(parts) + "\n"


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


def reproducibility_part(config: dict, versions: dict[str, str], bench: pd.DataFrame) -> str:
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
              "```yaml\n" + yaml.safe_dump(plain(config), sort_keys=False, default_flow_style=False).strip()
              + "\n```"]
    return "\n\n".join(parts) + "\n"


def variables(values: dict[str, dict]) -> dict:
    """Quarto `_variables.yml` content: `{{< var family.key >}}` indexes {family: {key: value}}."""
    def clean(v):
        if isinstance(v, float):
            return fmt(v) if math.isfinite(v) else "—"
        return v
    return {fam: {k: clean(v) for k, v in vals.items()} for fam, vals in values.items()}


# ---------------------------------------------------------------- edge: files in, build folder out

def software_versions() -> dict[str, str]:
    """Versions of Python, the key packages, pandoc (and Quarto where installed)."""
    out = {"Python": platform.python_version()}
    for pkg in PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    try:
        import pypandoc
        out["pandoc"] = pypandoc.get_pandoc_version()
    except (ImportError, OSError):
        out["pandoc"] = "not found"
    if shutil.which("quarto"):
        out["quarto"] = subprocess.run(["quarto", "--version"], capture_output=True, text=True).stdout.strip()
    return out


def load_family(results_dir: Path, family: str, root: Path):
    """A family's statistics, manifest (paths resolved against root) and values."""
    fdir = results_dir / family
    stats = pd.read_csv(fdir / "claims.csv", keep_default_na=True).assign(family=family)
    manifest = pd.read_csv(fdir / "manifest.csv", dtype=str, keep_default_na=False).assign(family=family)
    vpath = fdir / "values.json"
    values = json.loads(vpath.read_text()) if vpath.exists() else {}
    manifest["source_path"] = [str(root / p) for p in manifest["path"]]
    return stats, manifest, values


def collect_evidence(manifest: pd.DataFrame, build_dir: Path) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Copy figures into build_dir/figures and read table CSVs; a missing file is an error naming its id."""
    (build_dir / "figures").mkdir(parents=True, exist_ok=True)
    tables, paths = {}, []
    for _, r in manifest.iterrows():
        src = Path(r["source_path"])
        if not src.is_file():
            raise FileNotFoundError(f"{r['kind']} {r['id']} of family {r['family']!r}: file {r['path']!r} "
                                    f"listed in results/{r['family']}/manifest.csv does not exist")
        if r["kind"] == "figure":
            dst = Path("figures") / (r["id"] + src.suffix)
            shutil.copyfile(src, build_dir / dst)
            paths.append(dst.as_posix())
        else:
            tables[r["id"]] = pd.read_csv(src)
            paths.append(r["path"])
    return manifest.assign(path=paths), tables


def _relative(path: Path, root: Path) -> str:
    """path relative to root where it lies below it (benchmark patterns are relative to the workdir)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def assemble(build_dir, *, ledger, verdicts, families, results_dir="results", benchmarks_dir="results/benchmarks",
             config=None, report_src="report", root=".", benchmark_patterns=None) -> Path:
    """Copy report/ to build_dir and write the generated parts, _variables.yml and figures; returns index.qmd."""
    build_dir, root = Path(build_dir), Path(root)
    if build_dir.exists():
        shutil.rmtree(build_dir)
    shutil.copytree(report_src, build_dir)
    ledger_data = yaml.safe_load(Path(ledger).read_text())
    verdict_df = pd.read_csv(verdicts)
    loaded = [load_family(Path(results_dir), f, root) for f in families]
    stats = pd.concat([s for s, _, _ in loaded] or [pd.DataFrame(columns=["claim_id", "statistic", "evidence"])],
                      ignore_index=True)
    manifest = pd.concat([m for _, m, _ in loaded] or [pd.DataFrame(columns=["id", "kind", "path", "caption",
                                                                             "claims", "family", "source_path"])],
                         ignore_index=True)
    dup = manifest["id"][manifest["id"].duplicated()].tolist()
    if dup:
        raise ValueError(f"manifest ids appear in more than one family: {dup}")
    manifest, tables = collect_evidence(manifest, build_dir)
    prose_dir = Path(report_src) / "families"
    prose = {f: (prose_dir / f"{f}.qmd").read_text() for f in families if (prose_dir / f"{f}.qmd").exists()}
    bench_root = Path(benchmarks_dir)
    bench = {_relative(p, root): pd.read_csv(p, sep="\t") for p in sorted(bench_root.rglob("*.tsv"))}
    gen = build_dir / GENERATED
    gen.mkdir(exist_ok=True)
    (gen / "_summary.qmd").write_text(summary_part(ledger_data, verdict_df))
    (gen / "_chapters.qmd").write_text(chapters_part(ledger_data, verdict_df, stats, manifest, tables))
    (gen / "_families.qmd").write_text(families_part(prose))
    (gen / "_reproducibility.qmd").write_text(
        reproducibility_part(config or {}, software_versions(), benchmark_summary(bench, benchmark_patterns)))
    values = {f: v for f, (_, _, v) in zip(families, loaded) if v}
    (build_dir / "_variables.yml").write_text(yaml.safe_dump(variables(values), sort_keys=True))
    return build_dir / "index.qmd"
