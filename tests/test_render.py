"""Rendering: Lua cross-references and callouts, shortcode expansion, and a full assemble+render on a fake tree."""

import base64
import re
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pypandoc  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402

from relulab.reporting import render
from relulab.reporting import assemble  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FILTER = REPO / "report" / "filters" / "relulab.lua"


def lua_html(md: str) -> str:
    return pypandoc.convert_text(md, "html", format="markdown",
                                 extra_args=["--number-sections", "--lua-filter", str(FILTER)])


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).replace("\xa0", " ")


def test_lua_filter_numbers_in_order_and_resolves_every_reference():
    ids = ["fig-c", "fig-a", "fig-b"]  # document order differs from alphabetical order
    md = "# One {#sec-one}\n\nSee @fig-b, @tbl-y and [-@fig-c]; also @sec-two.\n\n"
    md += "\n\n".join(f"![Cap {i}](x.png){{#{i}}}" for i in ids)
    md += "\n\n# Two {#sec-two}\n\n## Two a {#sec-twoa}\n\n| a |\n|---|\n| 1 |\n\n: T x {#tbl-x}\n\n"
    md += "| b |\n|---|\n| 2 |\n\n: T y {#tbl-y}\n\nBack to @fig-a and @sec-twoa and @Fig-c.\n"
    html = lua_html(md)
    text = text_of(html)
    assert "??" not in html and "?@" not in html and not re.search(r"@(fig|tbl|sec)-", text)
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", html, re.S)
    assert [text_of(c) for c in captions] == [f"Figure {n + 1}: Cap {i}" for n, i in enumerate(ids)]
    # a table's caption sits above its scroll box, outside it; the id on the wrapper, so links land on the caption
    tcaps = re.findall(r'<div id="(tbl-\w)" class="table-float">\s*<div class="table-caption">(.*?)</div>\s*'
                       r'<div class="table-scroll">\s*<table', html, re.S)
    assert [(i, text_of(c).strip()) for i, c in tcaps] == [("tbl-x", "Table 1: T x"), ("tbl-y", "Table 2: T y")]
    assert "<caption>" not in html
    links = re.findall(r'<a\s+href="#([^"]+)">([^<]+)</a>', html.replace("\xa0", " "))
    assert links == [("fig-b", "Figure 3"), ("tbl-y", "Table 2"), ("fig-c", "1"),  # [-@fig-c]: number alone
                     ("sec-two", "Section 2"), ("fig-a", "Figure 2"), ("sec-twoa", "Section 2.1"),
                     ("fig-c", "Figure 1")]  # @Fig-c


def test_section_numbers_match_pandoc_numbering():
    for md in ("## A {#sec-a}\n\n### B {#sec-b}\n\n# C {#sec-c}\n\n",
               "## A {#sec-a}\n\n### B {#sec-b}\n\n## C {#sec-c}\n\n",
               "# A {#sec-a}\n\n# X {.unnumbered}\n\n### B {#sec-b}\n\n## C {#sec-c}\n\n"):
        html = lua_html(md + "@sec-a @sec-b @sec-c\n")
        numbers = re.findall(r'data-number="([^"]+)"', html)
        links = re.findall(r'<a\s+href="#sec-\w">Section\xa0([^<]+)</a>', html)
        assert links == numbers and len(numbers) == 3


def test_lua_filter_marks_unknown_references_like_quarto():
    html = lua_html("See @fig-nowhere.\n")
    assert "?@fig-nowhere" in html


@pytest.mark.parametrize("kind", ["note", "tip", "warning", "important", "caution"])
def test_callouts_render_as_titled_boxes(kind):
    html = lua_html(f'::: {{.callout-{kind} title="My *title*"}}\nBody text.\n:::\n\n'
                    f"::: {{.callout-{kind}}}\n## Header title\nMore.\n:::\n\n::: {{.callout-{kind}}}\nPlain.\n:::\n")
    boxes = re.findall(r'<div class="callout relulab-callout callout-' + kind + r'">\s*<div class="callout-title">(.*?)</div>\s*'
                       r'<div class="callout-body">(.*?)</div>', html, re.S)
    assert [(text_of(t).strip(), text_of(b).strip()) for t, b in boxes] == \
        [("My title", "Body text."), ("Header title", "More."), (kind.capitalize(), "Plain.")]
    assert "<em>title</em>" in boxes[0][0] and "<h2" not in html


def test_shortcodes_expand_includes_and_vars(tmp_path):
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "a.qmd").write_text("A says {{< var fam.n >}}.\n{{< include b.qmd >}}")
    (tmp_path / "parts" / "b.qmd").write_text("B {{< include /c.qmd >}}")
    (tmp_path / "c.qmd").write_text("C {{< var missing.key >}} {{{< var fam.n >}}}")
    warnings = []
    out = render.expand_shortcodes('X\n{{< include "parts/a.qmd" >}}\nY', tmp_path, tmp_path,
                                   {"fam": {"n": 42}}, warnings)
    assert out == "X\nA says 42.\nB C ?var:missing.key {{< var fam.n >}}\nY"
    assert warnings == ["unknown variable 'missing.key'"]


def test_shortcodes_report_missing_and_cyclic_includes(tmp_path):
    (tmp_path / "a.qmd").write_text("{{< include b.qmd >}}")
    (tmp_path / "b.qmd").write_text("{{< include a.qmd >}}")
    with pytest.raises(render.RenderError, match="cycle"):
        render.expand_shortcodes("{{< include a.qmd >}}", tmp_path, tmp_path, {}, [])
    with pytest.raises(render.RenderError, match="not found: nope.qmd"):
        render.expand_shortcodes("{{< include nope.qmd >}}", tmp_path, tmp_path, {}, [])


def test_external_resources_are_detected():
    assert render.external_resources('<img src="https://x.org/a.png"><link rel="stylesheet" href="//cdn/x.css">')
    assert render.external_resources("<style>@import url('http://f/x.css');</style>")
    assert not render.external_resources('<a href="https://doi.org/x">paper</a><img src="data:image/png;base64,AA">')


def make_tree(root: Path, figure: bool = True) -> dict:
    """A tiny results tree: ledger, verdicts, one family with a PNG figure, a table, values and benchmarks."""
    (root / "config").mkdir()
    fam = root / "results" / "fam"
    (fam / "figures").mkdir(parents=True)
    (root / "results" / "claims").mkdir()
    (root / "results" / "benchmarks" / "fam").mkdir(parents=True)
    ledger = {"sources": {"000_a.txt": "linear regions"},
              "claims": [{"id": "R1", "source": "000_a.txt", "claim": "Deep nets have k^L regions.",
                          "experiment": "count", "statistic": "ratio", "status": "active", "family": "fam",
                          "decision": {"supported": "ci_low > 1"}},
                         {"id": "R2", "source": "000_a.txt", "claim": "Folding.", "status": "not_testable",
                          "reason": "not measurable"}]}
    (root / "config" / "claims.yaml").write_text(yaml.safe_dump(ledger))
    pd.DataFrame([{"claim_id": "R1", "source": "000_a.txt", "verdict": "supported", "statistic": "ratio",
                   "value": 2.0, "ci_low": 1.5, "ci_high": 2.5, "n_seeds": 3, "evidence": "fig-fam-a tbl-fam-t",
                   "rule": "supported: ci_low > 1", "note": ""},
                  {"claim_id": "R2", "source": "000_a.txt", "verdict": "not_testable", "statistic": "",
                   "value": None, "ci_low": None, "ci_high": None, "n_seeds": 0, "evidence": "", "rule": "",
                   "note": "not measurable"}]).to_csv(root / "results" / "claims" / "verdicts.csv", index=False)
    pd.DataFrame([{"claim_id": "R1", "statistic": "ratio", "value": 2.0, "ci_low": 1.5, "ci_high": 2.5,
                   "n_seeds": 3, "evidence": "fig-fam-a", "note": ""}]).to_csv(fam / "claims.csv", index=False)
    pd.DataFrame([{"id": "fig-fam-a", "kind": "figure", "path": "results/fam/figures/a.png",
                   "caption": "A line.", "claims": "R1"},
                  {"id": "tbl-fam-t", "kind": "table", "path": "results/fam/t.csv", "caption": "Counts.",
                   "claims": "R1"}]).to_csv(fam / "manifest.csv", index=False)
    pd.DataFrame({"depth": [1, 2], "regions": [4, 16]}).to_csv(fam / "t.csv", index=False)
    (fam / "values.json").write_text('{"n_runs": 12, "slope": 0.693147}')
    if figure:
        fig, ax = plt.subplots(figsize=(1, 1), dpi=20)
        ax.plot([0, 1], [0, 1])
        fig.savefig(fam / "figures" / "a.png")
        plt.close(fig)
    pd.DataFrame({"s": [1.25], "h:m:s": ["0:00:01"], "max_rss": [50.5]}).to_csv(
        root / "results" / "benchmarks" / "fam" / "train_x.tsv", sep="\t", index=False)
    src = root / "report"
    shutil.copytree(REPO / "report", src)
    (src / "families").mkdir(exist_ok=True)
    (src / "families" / "fam.qmd").write_text("The fam family ran {{< var fam.n_runs >}} runs of $2^k$ pieces.\n")
    return dict(ledger=root / "config" / "claims.yaml", verdicts=root / "results" / "claims" / "verdicts.csv",
                families=["fam"], results_dir=root / "results", benchmarks_dir=root / "results" / "benchmarks",
                config={"seeds": 3, "fam": {"depths": [1, 2]}}, report_src=src, root=root,
                benchmark_patterns={"fam_train": "results/benchmarks/fam/train_{x}.tsv"})


def test_assemble_and_render_one_self_contained_html(tmp_path):
    args = make_tree(tmp_path)
    build, out = tmp_path / "results" / "report" / "build", tmp_path / "results" / "report" / "index.html"
    index = assemble.assemble(build, **args)
    assert index == build / "index.qmd"
    assert (build / "figures" / "fig-fam-a.png").read_bytes() == (tmp_path / "results/fam/figures/a.png").read_bytes()
    assert yaml.safe_load((build / "_variables.yml").read_text()) == {"fam": {"n_runs": 12, "slope": "0.6931"}}
    warnings = render.render(build, out, use_quarto=False, strict=True)
    assert warnings == []
    assert sorted(p.name for p in out.parent.iterdir()) == ["build", "index.html"]  # no temp files left
    html = out.read_text()
    assert not render.external_resources(html)
    assert "src=\"http" not in html and not re.search(r'href="https?://[^"]*\.css', html)
    images = re.findall(r"<img\b[^>]*\ssrc=\"([^\"]+)\"", html)
    assert len(images) == 1 and images[0].startswith("data:image/png;base64,")
    png = base64.b64decode(images[0].split(",", 1)[1])
    assert png == (tmp_path / "results/fam/figures/a.png").read_bytes()
    text = text_of(html)
    assert "??" not in html and "?@" not in text and not re.search(r"@(fig|tbl|sec)-", text)
    assert "{{<" not in html and "The fam family ran 12 runs of" in text
    # the methods section's interval coverage is computed at build time, at this build's seed count (3) too
    flat = " ".join(text.split())
    assert "Simulated coverage of the nominal 95% CIs" in flat and "3 (this build)" in flat
    assert "uses 3 seeds in places: too few for a median" in flat
    assert "Figure 1: A line." in text and "Evidence: Figure 1, Table 4." in text  # Tables 1-3: summary, sources, interval coverage
    assert "Verdict: Supported" in text and 'class="callout relulab-callout callout-tip"' in html
    assert "k^L" in text and "1.5 to 2.5" in text and "fam_train" in text and "50.5" in text
    assert "<math" in html and "mathjax" not in html.lower() and "katex" not in html.lower()


def test_missing_figure_is_a_clear_error(tmp_path):
    args = make_tree(tmp_path, figure=False)
    with pytest.raises(FileNotFoundError, match=r"fig-fam-a .*results/fam/figures/a\.png"):
        assemble.assemble(tmp_path / "build", **args)


def test_failed_render_keeps_the_old_output(tmp_path):
    args = make_tree(tmp_path)
    build, out = tmp_path / "build", tmp_path / "out" / "index.html"
    assemble.assemble(build, **args)
    out.parent.mkdir()
    out.write_text("previous report")
    (build / "index.qmd").write_text("{{< include nowhere.qmd >}}")
    with pytest.raises(render.RenderError):
        render.render(build, out, use_quarto=False)
    assert out.read_text() == "previous report" and [p.name for p in out.parent.iterdir()] == ["index.html"]


def test_strict_render_fails_on_unresolved_reference(tmp_path):
    args = make_tree(tmp_path)
    build, out = tmp_path / "build", tmp_path / "index.html"
    assemble.assemble(build, **args)
    with open(build / "_generated" / "_chapters.qmd", "a") as f:
        f.write("\nSee @fig-nowhere.\n")
    with pytest.raises(render.RenderError, match="fig-nowhere"):
        render.render(build, out, use_quarto=False, strict=True)
    assert not out.exists()


def test_strict_render_fails_on_unknown_variable_naming_every_unresolved_item(tmp_path):
    args = make_tree(tmp_path)
    build, out = tmp_path / "build", tmp_path / "index.html"
    assemble.assemble(build, **args)
    with open(build / "_generated" / "_chapters.qmd", "a") as f:
        f.write("\nRan {{< var fam.nowhere >}} runs, {{< var other.x >}} more; see @tbl-nowhere.\n")
    with pytest.raises(render.RenderError) as err:
        render.render(build, out, use_quarto=False)  # strict is the default
    msg = str(err.value)
    assert "3 unresolved" in msg and "variable fam.nowhere" in msg and "variable other.x" in msg
    assert "cross-reference @tbl-nowhere" in msg and not out.exists()
    warnings = render.render(build, out, use_quarto=False, strict=False)  # markers, as Quarto writes them
    assert "unknown variable 'fam.nowhere'" in warnings and "?var:fam.nowhere" in out.read_text()
    assert "?@tbl-nowhere" in out.read_text()


def test_markers_left_in_html_count_as_unresolved():
    assert render.unresolved(render.markers("<p>?var:a.b and <strong>?@fig-x</strong></p>")) == [
        "variable a.b", "cross-reference @fig-x"]
