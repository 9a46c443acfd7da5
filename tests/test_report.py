"""Report assembly: generated Markdown checked by parsing it back with pandoc (an independent parser)."""

import json
import re
from collections import Counter

import pandas as pd
import pypandoc
import pytest

from relulab.reporting import markdown, parts


def pandoc_ast(md: str) -> dict:
    return json.loads(pypandoc.convert_text(md, "json", format="markdown"))


def walk(node, kind):
    """All pandoc AST nodes of type kind, in document order."""
    if isinstance(node, dict):
        if node.get("t") == kind:
            yield node
        for v in node.values():
            yield from walk(v, kind)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v, kind)


LEDGER = {
    "sources": {"000_a.txt": "linear regions", "001_b.txt": "second-order methods"},
    "claims": [
        {"id": "R1", "source": "000_a.txt", "claim": "Regions grow like k^(L-1) * k^(n0) with depth.",
         "experiment": "count regions", "statistic": "log_ratio", "status": "active", "family": "fam",
         "decision": {"supported": "ci_low > 1", "refuted": "ci_high < 0"}, "reading": "strong reading"},
        {"id": "R2", "source": "000_a.txt", "claim": "Folding | replicates computation.", "status": "not_testable",
         "reason": "a definition, not a measurable statement"},
        {"id": "H1", "source": "001_b.txt", "claim": "ReLU'' = 0.", "experiment": "autograd",
         "statistic": "max_abs", "status": "active", "family": "fam", "decision": {"supported": "value < 1e-12"}},
        {"id": "H2", "source": "001_b.txt", "claim": "Newton fails.", "status": "pending", "family": "other"},
    ],
}
VERDICTS = pd.DataFrame([
    {"claim_id": "R1", "source": "000_a.txt", "verdict": "supported", "statistic": "log_ratio", "value": 2.5,
     "ci_low": 1.25, "ci_high": 3.125, "n_seeds": 5, "evidence": "fig-fam-regions", "rule": "supported: ci_low > 1",
     "note": ""},
    {"claim_id": "R2", "source": "000_a.txt", "verdict": "not_testable", "statistic": "", "value": float("nan"),
     "ci_low": float("nan"), "ci_high": float("nan"), "n_seeds": 0, "evidence": "", "rule": "",
     "note": "a definition, not a measurable statement"},
    {"claim_id": "H1", "source": "001_b.txt", "verdict": "refuted", "statistic": "max_abs", "value": 3.0,
     "ci_low": 3.0, "ci_high": 3.0, "n_seeds": 1, "evidence": "fig-fam-regions tbl-fam-hess", "rule": "x",
     "note": "exact"},
])  # H2 has no verdict row on purpose: it must show as pending
STATS = pd.DataFrame([
    {"claim_id": "R1", "statistic": "log_ratio", "value": 2.5, "ci_low": 1.25, "ci_high": 3.125, "n_seeds": 5,
     "evidence": "fig-fam-regions", "note": "median over seeds"},
    {"claim_id": "R1", "statistic": "everyday", "value": 0.5, "ci_low": 0.25, "ci_high": 0.75, "n_seeds": 5,
     "evidence": "fig-fam-extra", "note": ""},
    {"claim_id": "H1", "statistic": "max_abs", "value": 3.0, "ci_low": 3.0, "ci_high": 3.0, "n_seeds": 1,
     "evidence": "tbl-fam-hess", "note": "exact"},
])
MANIFEST = pd.DataFrame([
    {"id": "fig-fam-regions", "kind": "figure", "path": "figures/fig-fam-regions.png", "caption": "Regions.",
     "claims": "R1 H1"},
    {"id": "tbl-fam-hess", "kind": "table", "path": "t.csv", "caption": "Hessian entries.", "claims": "H1"},
    {"id": "fig-fam-extra", "kind": "figure", "path": "figures/fig-fam-extra.png", "caption": "Extra.", "claims": ""},
    {"id": "fig-fam-orphan", "kind": "figure", "path": "figures/o.png", "caption": "Orphan.", "claims": ""},
])
TABLES = {"tbl-fam-hess": pd.DataFrame({"layer": ["a", "b"], "zeros": [0.123456, 12.0]})}


@pytest.mark.parametrize("x", [0.0123456, 123456.789, -2.5e-9, 3.0, 7, 1e20])
def test_fmt_keeps_four_significant_digits(x):
    assert float(markdown.fmt(x)) == pytest.approx(x, rel=5e-4)


def test_fmt_missing_and_integers():
    assert markdown.fmt(float("nan")) == markdown.fmt(None) == markdown.fmt("") == "—"
    assert markdown.fmt(5.0) == "5" and markdown.fmt(float("inf")) == "∞"


def test_ci_text_collapsed_interval_and_missing_value():
    nan = float("nan")
    assert markdown.ci_text({"value": 2.0, "ci_low": 1.0, "ci_high": 3.0}) == "1 to 3"
    assert markdown.ci_text({"value": 2.0, "ci_low": 2.0, "ci_high": 2.0}) == "exact"
    assert markdown.ci_text({"value": 2.0, "ci_low": 2.0, "ci_high": 2.0, "n_seeds": 1}) == "exact"
    assert markdown.ci_text({"value": 0.0, "ci_low": 0.0, "ci_high": 0.0, "n_seeds": 8}) == "all seeds equal"
    assert markdown.estimate({"value": 0.0, "ci_low": 0.0, "ci_high": 0.0, "n_seeds": 8}) == "0 (all seeds equal, 8 seeds)"
    assert markdown.ci_text({"value": nan, "ci_low": nan, "ci_high": nan}) == "—"
    assert markdown.estimate({"value": nan, "ci_low": nan, "ci_high": nan, "n_seeds": 8}) == "not measured"


def test_md_text_escapes_superscripts_outside_math_and_code():
    md = markdown.md_text("at least k^(L-1) * k^(n0) and x~y but $a^2$ and `b^c`")
    ast = pandoc_ast(md)
    assert not list(walk(ast, "Superscript")) and not list(walk(ast, "Subscript"))
    assert list(walk(ast, "Math"))[0]["c"][1] == "a^2"
    assert list(walk(ast, "Code"))[0]["c"][1] == "b^c"
    assert "k^(L-1) * k^(n0)" in pypandoc.convert_text(md, "plain", format="markdown")


def test_markdown_table_parses_back_with_caption_and_id():
    df = pd.DataFrame({"a|b": ["x|y", "z"], "n": [1.234567, 2.0]})
    ast = pandoc_ast(markdown.markdown_table(df, "A caption.", "tbl-x"))
    (table,) = walk(ast, "Table")
    assert table["c"][0][0] == "tbl-x"
    body_rows = table["c"][4][0][3]
    assert len(body_rows) == 2 and all(len(r[1]) == 2 for r in body_rows)
    text = pypandoc.convert_text(markdown.markdown_table(df, "A caption.", "tbl-x"), "plain", format="markdown")
    assert "x|y" in text and "1.235" in text and "A caption." in text


def test_summary_lists_every_claim_once_with_counts():
    md = parts.summary_part(LEDGER, VERDICTS)
    ast = pandoc_ast(md)
    table, sources = walk(ast, "Table")
    assert table["c"][0][0] == "tbl-summary" and sources["c"][0][0] == "tbl-sources"
    links = [link["c"][2][0] for link in walk(table, "Link")]
    assert links == [f"#sec-claim-{c['id'].lower()}" for c in LEDGER["claims"]]
    counts = Counter(VERDICTS["verdict"])
    for verdict, n in counts.items():
        assert f"{n} {markdown.VERDICTS[verdict][0].lower()}" in md
    assert "2.5" in md and "1.25 to 3.125" in md


def test_chapters_place_each_evidence_item_once_and_resolve_every_reference():
    md = parts.chapters_part(LEDGER, VERDICTS, STATS, MANIFEST, TABLES)
    ast = pandoc_ast(md)
    figs = [f["c"][0][0] for f in walk(ast, "Figure")]
    tables = [t["c"][0][0] for t in walk(ast, "Table") if t["c"][0][0]]
    assert sorted(figs + tables) == sorted(MANIFEST["id"])  # every manifest item once, orphan included
    assert figs.index("fig-fam-regions") < figs.index("fig-fam-extra") < figs.index("fig-fam-orphan")
    targets = {h["c"][1][0] for h in walk(ast, "Header")} | set(figs) | set(tables)
    refs = {c["citationId"] for cite in walk(ast, "Cite") for c in cite["c"][0]}
    assert refs and refs <= targets
    headers = [h["c"][1][0] for h in walk(ast, "Header")]
    # one chapter per family in ledger order, each before its claims; claims without a family last
    assert (headers.index("sec-family-fam") < headers.index("sec-claim-r1") < headers.index("sec-claim-h1")
            < headers.index("sec-family-other") < headers.index("sec-claim-h2") < headers.index("sec-family-none")
            < headers.index("sec-claim-r2"))
    assert "](#sec-family-fam)" in md.split("sec-claim-r1", 1)[1]  # the claim links back to its family
    # callout class follows the verdict; H2 (no verdict row) is pending; R2 shows its reason
    divs = {d["c"][0][1][0]: d for d in walk(ast, "Div")}
    assert {"callout-tip", "callout-note", "callout-important"} <= set(divs)
    assert "a definition, not a measurable statement" in md and "Verdict: Pending" in md
    assert "`ci_low > 1`" in md and "*not supported* otherwise" in md
    assert "`everyday`" in md and "0.25 to 0.75" in md


def test_chapters_reject_unknown_evidence():
    bad = VERDICTS.assign(evidence=["fig-nowhere", "", ""])
    with pytest.raises(KeyError, match="fig-nowhere"):
        parts.chapters_part(LEDGER, bad, STATS, MANIFEST, TABLES)


def test_long_tables_are_cut_and_say_so():
    big = {"tbl-fam-hess": pd.DataFrame({"i": range(parts.MAX_TABLE_ROWS + 7)})}
    md = parts.evidence_block({"id": "tbl-fam-hess", "kind": "table", "caption": "Big."}, big)
    assert md.count("\n| ") == parts.MAX_TABLE_ROWS and f"of {parts.MAX_TABLE_ROWS + 7} rows" in md


def test_figure_captions_with_brackets_stay_one_figure():
    md = parts.evidence_block({"id": "fig-x", "kind": "figure", "path": "a.png", "caption": "Range [0, 1) ] here."}, {})
    (fig,) = walk(pandoc_ast(md), "Figure")
    assert fig["c"][0][0] == "fig-x"
    assert "Range [0, 1) ] here." in pypandoc.convert_text(md, "plain", format="markdown")


def test_rule_of_matches_benchmark_patterns():
    patterns = {"train": "results/benchmarks/fam/train_{task}_{act}_{arch}.tsv",
                "train_special": "results/benchmarks/fam/train_special_{seed,[0-9]+}.tsv",
                "plot": "results/benchmarks/fam/plot_{task}.tsv"}
    assert parts.rule_of("results/benchmarks/fam/train_fold_relu_6x6.tsv", patterns) == "train"
    assert parts.rule_of("results/benchmarks/fam/train_special_12.tsv", patterns) == "train_special"
    assert parts.rule_of("results/benchmarks/fam/plot_fold.tsv", patterns) == "plot"
    assert parts.rule_of("results/benchmarks/other/evaluate.tsv", patterns) == "other/evaluate"


def test_benchmark_summary_against_a_plain_loop():
    patterns = {"train": "results/benchmarks/fam/train_{x}.tsv"}
    bench = {f"results/benchmarks/fam/train_{i}.tsv": pd.DataFrame({"s": [i + 0.5, i + 1.5], "max_rss": [10.0 * i, 5]})
             for i in range(4)}
    bench["results/benchmarks/fam/plot.tsv"] = pd.DataFrame({"s": [2.0], "max_rss": ["NA"]})
    out = parts.benchmark_summary(bench, patterns).set_index("Rule")
    total = sum((i + 0.5 + i + 1.5) / 2 for i in range(4))
    assert out.loc["train", "Jobs"] == 4
    assert out.loc["train", "Total time (s)"] == pytest.approx(total)
    assert out.loc["train", "Longest job (s)"] == pytest.approx(4.0)
    assert out.loc["train", "Peak memory (MB)"] == 30.0
    assert pd.isna(out.loc["fam/plot", "Peak memory (MB)"])
    assert list(out.index) == ["train", "fam/plot"]  # sorted by total time


def test_reproducibility_part_quotes_config_and_versions():
    bench = parts.benchmark_summary({"results/benchmarks/a/b.tsv": pd.DataFrame({"s": [1.5], "max_rss": [99.0]})})
    md = parts.reproducibility_part({"seeds": 3, "fam": {"grid": [1, 2]}}, {"torch": "9.9"}, bench)
    block = re.search(r"```yaml\n(.*?)```", md, re.S).group(1)
    import yaml
    assert yaml.safe_load(block) == {"seeds": 3, "fam": {"grid": [1, 2]}}
    assert "| torch | 9.9 |" in md and "99 MB" in md and "{#tbl-benchmarks}" in md


def test_variables_nest_by_family_for_quarto_var():
    out = parts.variables({"fam": {"n": 3, "x": 0.123456789, "s": "text"}})
    assert out == {"fam": {"n": 3, "x": "0.1235", "s": "text"}}


def test_family_prose_leads_its_chapter_with_correct_levels_and_claim_links():
    prose = {"fam": "## The fam family\n\nIt tests (R1, H1) and (Z9).\n\n#### Detail\n\ntext\n\n## More\n\nx"}
    md = parts.chapters_part(LEDGER, VERDICTS, STATS, MANIFEST, TABLES, prose=prose)
    levels = [(h["c"][0], h["c"][1][0]) for h in walk(pandoc_ast(md), "Header")]
    assert levels[0] == (1, "sec-family-fam")
    heads = [lv for lv, _ in levels]
    assert all(b <= a + 1 for a, b in zip(heads, heads[1:])), heads  # no skipped level, no '3.0.1'
    assert md.index("The fam family") < md.index("It tests") < md.index("{#sec-claim-r1}")
    assert "([R1](#sec-claim-r1), [H1](#sec-claim-h1))" in md and "(Z9)" in md
    assert md.count("# ") and "Family `other`" in md


def test_summary_lists_sources_and_links_each_claim_to_its_family_chapter():
    md = parts.summary_part(LEDGER, VERDICTS, STATS)
    assert "[-@sec-family-fam]" in md and "[-@sec-family-none]" in md and "{#sec-sources}" in md
    assert "{#sec-src-000-a}" in md and "[H2](#sec-claim-h2)" in md


def test_reason_names_the_deciding_condition_with_its_numbers():
    from relulab.reporting import reasons
    ledger = {"id": "X", "statistic": "s", "decision": {
        "supported": "value > 1 and other.ci_low >= 2", "supported_with_caveats": "value > 1", "refuted": "value <= 1"}}
    stats = pd.DataFrame([{"statistic": "s", "value": 9.4, "ci_low": 9.4, "ci_high": 9.4, "n_seeds": 1},
                          {"statistic": "other", "value": 0.9, "ci_low": 0.84, "ci_high": 1.1, "n_seeds": 3}])
    v = {"verdict": "supported_with_caveats", "rule": "supported_with_caveats: value > 1"}
    assert reasons.reason(ledger, v, stats) == ("Supported with caveats: `s` = 9.4 > 1, but supported needs `other` "
                                                "(CI low) ≥ 2 (measured 0.84).")
    low = stats.assign(value=[0.5, 0.9], ci_low=[0.5, 0.84], ci_high=[0.5, 1.1])
    assert reasons.reason(ledger, {"verdict": "refuted", "rule": "refuted: value <= 1"}, low) == \
        "Refuted: `s` = 0.5 ≤ 1."
    assert reasons.reason({"id": "Y"}, {"verdict": "not_testable", "note": "a definition."}, stats) == \
        "Not testable here: a definition."
    assert reasons.uncertainty({"value": 1.0, "ci_low": 1.0, "ci_high": 1.0, "n_seeds": 1, "note": "exact"}) == "exact"
    assert reasons.uncertainty({"value": 7.0, "ci_low": 7.0, "ci_high": 7.0, "n_seeds": 1,
                                "note": "power-law fit of the bytes"}).startswith("extrapolated")
    assert reasons.uncertainty({"value": 1.0, "ci_low": 0.5, "ci_high": 2.0, "n_seeds": 3, "note": ""}) == \
        "95% CI over 3 seeds"


def test_provisional_reasons_come_from_the_config_difference():
    from relulab.reporting import build
    full = {"seeds": 8, "g": {"dataset": "fashion_mnist", "steps": 500, "widths": [1, 2, 3]}}
    quick = {"seeds": 3, "g": {"dataset": "digits", "steps": 100, "widths": [1, 2]}}
    why = build.provisional_reasons(quick, full)
    assert why[0] == "fewer seeds (`seeds` 3 instead of 8)" and why[1].startswith("digits instead of fashion_mnist")
    assert why[2].startswith("shorter runs (1 step or epoch setting lower") and "1 other setting" in why[3]
    assert build.provisional_reasons(full, full) == []


def test_figures_readable_heatmap_text_integer_ticks_and_legends_off_the_data():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from relulab.core import plots
    viridis = plt.get_cmap("viridis")
    assert plots.text_colour(viridis(1.0)) == "k" and plots.text_colour(viridis(0.0)) == "w"
    fig, (a, b) = plt.subplots(1, 2)
    im = a.imshow(np.array([[0.0, 1.0]]), vmin=0, vmax=1, cmap="viridis")
    plots.annotate_heatmap(a, im, [[0.0, 1.0]])
    assert [t.get_color() for t in a.texts] == ["w", "k"]
    x = np.linspace(0, 3, 200)
    for k in range(3):  # lines through the whole axes: a centred legend covers them
        b.plot(x, np.sin(3 * x + k), label=f"line {k}")
    b.set(xlabel="depth L", ylabel="value")
    b.legend(loc="center")
    fig.canvas.draw()
    assert plots.legend_covers_data(b, b.get_legend())
    plots.readable(fig)
    assert not plots.legend_covers_data(b, b.get_legend())
    assert [t.get_text() for t in b.get_legend().get_texts()] == ["line 0", "line 1", "line 2"]
    ticks = b.get_xticks()
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks)
    assert not all(float(t).is_integer() for t in b.get_yticks())  # 'value' is not a count
    plt.close(fig)


KIND_LEDGER = {"id": "K", "source": "000_a.txt", "claim": "c", "status": "active", "family": "fam", "statistic": "gap",
               "decision": {"not_testable": "trained.value < 0.5", "supported": "resid.ci_low > 1",
                            "true_by_definition": "value > 0.5", "refuted": "value < 1e-12"}}
KIND_STATS = pd.DataFrame([
    {"claim_id": "K", "statistic": "gap", "value": 1.0, "ci_low": 1.0, "ci_high": 1.0, "n_seeds": 1,
     "note": "|relu(-1) + relu(1) - relu(0)|: fixed by construction, exact", "evidence": ""},
    {"claim_id": "K", "statistic": "resid", "value": 0.8, "ci_low": 0.6, "ci_high": 0.9, "n_seeds": 8, "note": "",
     "evidence": ""},
    {"claim_id": "K", "statistic": "trained", "value": 0.9, "ci_low": 0.9, "ci_high": 0.9, "n_seeds": 8, "note": "",
     "evidence": ""}])


def _kind_verdict(stats):
    from relulab.reporting import verdicts
    return verdicts.decide(KIND_LEDGER, stats, {"fam"})


def test_true_by_definition_and_a_data_driven_not_testable_read_well_everywhere():
    from relulab.reporting import reasons
    v = _kind_verdict(KIND_STATS)
    assert v["verdict"] == "true_by_definition"
    assert reasons.reason(KIND_LEDGER, v, KIND_STATS) == (
        "True by definition: `gap` = 1 > 0.5, a value fixed by construction; no measured rule held (supported "
        "needs `resid` (CI low) > 1 (measured 0.6)).")
    box = parts.verdict_callout(KIND_LEDGER, v, KIND_STATS)
    assert 'title="Verdict: True by definition"' in box and "fixed by construction." in box
    assert parts.KIND_NOTES["true_by_definition"] in box
    untrained = KIND_STATS.assign(value=[1.0, 0.8, 0.1], ci_low=[1.0, 0.6, 0.1], ci_high=[1.0, 0.9, 0.1])
    nt = _kind_verdict(untrained)
    assert nt["verdict"] == "not_testable" and nt["rule"] == "not_testable: trained.value < 0.5"
    assert reasons.reason(KIND_LEDGER, nt, untrained) == (
        "Not testable here: the runs did not reach the regime the claim is about (`trained` = 0.1 < 0.5); this is "
        "not a refutation.")
    box = parts.verdict_callout(KIND_LEDGER, nt, untrained)
    assert "Rule that fired: `not_testable: trained.value < 0.5`" in box and parts.KIND_NOTES["not_testable"] in box
    # the summary counts both as kinds of their own and shows the measured value of a data-driven not_testable
    ledger = {"claims": [KIND_LEDGER, {**KIND_LEDGER, "id": "K2"}], "sources": {}}
    table = pd.DataFrame([{**v, "claim_id": "K"}, {**nt, "claim_id": "K2"}])
    md = parts.summary_part(ledger, table, pd.concat([KIND_STATS, untrained.assign(claim_id="K2")]))
    assert "1 true by definition, 1 not testable here" in md
    k2 = next(line for line in md.splitlines() if line.startswith("| [K2]"))
    assert "| 1 |" in k2  # the primary value is shown: the rule fired on data


@pytest.mark.parametrize("row, kind", [
    ({"value": 1.0, "ci_low": 1.0, "ci_high": 1.0, "n_seeds": 1, "note": "fixed by construction, exact"},
     "fixed by construction"),
    ({"value": 1e6, "ci_low": 1e6, "ci_high": 1e6, "n_seeds": 1, "note": "power-law fit of exact byte counts"},
     "extrapolated from a fit (see note)"),
    ({"value": 1e6, "ci_low": 1e6, "ci_high": 1e6, "n_seeds": 1, "note": "extrapolated to 1M parameters, exact"},
     "extrapolated from a fit (see note)"),
    ({"value": 0.4, "ci_low": 0.2, "ci_high": 0.6, "n_seeds": 8, "note": "residual of the best affine fit"},
     "95% CI over 8 seeds"),
    ({"value": 1.0, "ci_low": 1.0, "ci_high": 1.0, "n_seeds": 1, "note": "share of stencils exactly affine"},
     "one run, no interval"),
    ({"value": 1.0, "ci_low": float("nan"), "ci_high": float("nan"), "n_seeds": 3, "note": "",
      "interval": "none (3 values, the order-statistic interval needs at least 6)"},
     "no 95% CI (3 values, the order-statistic interval needs at least 6)"),
    ({"value": 1.0, "ci_low": float("nan"), "ci_high": float("nan"), "n_seeds": 3, "note": ""},
     "no 95% CI (3 seeds, no interval)"),
    ({"value": 2.0, "ci_low": 2.0, "ci_high": 2.0, "n_seeds": 8, "note": "deterministic"}, "all 8 seeds equal"),
])
def test_uncertainty_kinds_never_call_an_extrapolation_exact(row, kind):
    from relulab.reporting import reasons
    assert reasons.uncertainty(row) == kind


def test_an_undefined_interval_and_an_extrapolation_are_never_called_exact():
    nan = float("nan")
    few = {"value": 0.86, "ci_low": nan, "ci_high": nan, "n_seeds": 3}
    assert markdown.estimate(few) == "0.86 (no 95% CI, 3 seeds)" and markdown.ci_text(few) == "undefined"
    ext = {"value": 7.0, "ci_low": 7.0, "ci_high": 7.0, "n_seeds": 1, "note": "power-law fit, extrapolated"}
    assert markdown.ci_text(ext) == "extrapolated, no interval" and "exact" not in markdown.estimate(ext)
    fixed = {"value": 1.0, "ci_low": 1.0, "ci_high": 1.0, "n_seeds": 1, "note": "fixed by construction, exact"}
    assert markdown.ci_text(fixed) == "fixed by construction"
    assert markdown.ci_text({"value": 1.0, "ci_low": 1.0, "ci_high": 1.0, "n_seeds": 1}) == "exact"
    # the summary table reads the primary statistic's own note
    stats = KIND_STATS.assign(note=["power-law fit of the bytes", "", ""])
    v = {**_kind_verdict(stats), "claim_id": "K"}
    md = parts.summary_part({"claims": [KIND_LEDGER], "sources": {}}, pd.DataFrame([v]), stats)
    row = next(line for line in md.splitlines() if line.startswith("| [K]"))
    assert "extrapolated, no interval" in row and "| exact |" not in row
    from relulab.reporting import reasons
    undefined = KIND_STATS.assign(ci_low=[1.0, nan, 0.9], ci_high=[1.0, nan, 0.9])
    assert "supported needs `resid` (CI low) > 1 (undefined)" in reasons.reason(KIND_LEDGER, _kind_verdict(undefined),
                                                                              undefined)
