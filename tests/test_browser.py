"""The report as a reader sees it: a small report (two claims, a wide and a narrow figure made here, math in the
family prose, a quick-build configuration) rendered and opened in headless Chromium at 1400 and 390 px.

Needs Debian's chromium and chromium-driver and the selenium package; skipped, saying which is missing,
only where they are not installed. Nothing is downloaded at run time."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402

import browser  # noqa: E402  (tests/ is on sys.path under pytest's default import mode)
from relulab.core import plots  # noqa: E402
from relulab.reporting import assemble, render  # noqa: E402
from test_render import make_tree  # noqa: E402

pytestmark = pytest.mark.skipif(bool(browser.available()), reason=browser.available() or "available")


def wide_figure(path):
    """A five-panel figure drawn far too wide (20 in), saved through the shared plots.save."""
    plots.style()
    fig, axes = plt.subplots(1, 5, figsize=(20, 4))
    for i, ax in enumerate(axes):
        ax.plot(range(10), [x ** (i + 1) for x in range(10)], label=f"power {i + 1}")
        ax.set(xlabel="depth L", ylabel="regions", title=f"panel {i + 1}")
        ax.legend()
    plots.save(fig, path)


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    """Build and render the small report once, then measure it at both widths."""
    root = tmp_path_factory.mktemp("browser")
    args = make_tree(root)
    fam = root / "results" / "fam"
    wide_figure(fam / "figures" / "wide.png")
    narrow, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [1, 0])
    plots.save(narrow, fam / "figures" / "a.png")
    manifest = pd.read_csv(fam / "manifest.csv")
    extra = {"id": "fig-fam-wide", "kind": "figure", "path": "results/fam/figures/wide.png",
             "caption": "Five panels; the closed form $1-(1-2^{-N})^L$.", "claims": "R1"}
    pd.concat([manifest, pd.DataFrame([extra])]).to_csv(fam / "manifest.csv", index=False)
    (root / "config" / "config.yaml").write_text(yaml.safe_dump({"seeds": 8, "fam": {"depths": [1, 2, 4],
                                                                                      "steps": 1000}}))
    (root / "config" / "schema.yaml").write_text(yaml.safe_dump({"properties": {
        "seeds": {"type": "integer", "default": 8, "description": "number of seeds per grid cell"},
        "fam": {"type": "object", "properties": {"depths": {"type": "array", "items": {"type": "integer"}}}}}}))
    args["config"] = {"seeds": 3, "fam": {"depths": [1, 2], "steps": 100}}
    args["configfiles"] = ["config/config.yaml", "config/quick.yaml"]
    build, out = root / "results" / "report" / "build", root / "results" / "report" / "index.html"
    assemble.assemble(build, **args)
    assert render.render(build, out, use_quarto=False, strict=True) == []
    return browser.measure(out)


def test_every_image_loads_at_its_natural_size(measured):
    for width, m in measured.items():
        assert m["viewport"] == width and len(m["images"]) == 2
        for img in m["images"]:
            assert img["complete"] and img["natural"] > 0 and img["natural_h"] > 0, (width, img)
            # shown with the image's own aspect ratio (not squashed)
            assert img["shown_h"] == pytest.approx(img["shown"] * img["natural_h"] / img["natural"], rel=0.02)
    assert max(i["natural"] for i in measured[1400]["images"]) <= plots.MAX_WIDTH_PX


def test_no_figure_is_shrunk_below_0_8_of_its_width_at_1400_px(measured):
    for img in measured[1400]["images"]:
        assert img["shown"] >= 0.8 * img["natural"], img


@pytest.mark.parametrize("width", [1400, 390])
def test_nothing_overflows_the_page_or_the_text_column(measured, width):
    m = measured[width]
    assert m["scroll_width"] <= m["client"], "the page scrolls sideways"
    assert m["n_outside_column"] == 0, m["outside_column"]
    for img in m["images"]:  # a figure may leave the text column, never the window
        assert img["left"] >= 0 and img["right"] <= m["client"] + 0.5, img


def test_every_internal_link_has_a_target(measured):
    m = measured[1400]
    assert m["internal_links"] > 10 and m["dangling"] == []


def test_banner_and_one_reason_per_verdict(measured):
    m = measured[1400]
    assert m["banner"]
    for key in ("Configuration", "config/quick.yaml", "Commit", "Built", "Machine", "Run time"):
        assert key in m["banner_text"]
    assert m["verdict_boxes"] == 2 and m["with_reason"] == m["verdict_boxes"]  # R1 measured, R2 not testable


def test_math_renders_as_mathml(measured):
    m = measured[1400]
    assert m["maths"] >= 2 and m["mathml"] == m["maths"] and m["raw_tex"] == []


def test_table_of_contents_is_a_sidebar_at_1400_px_and_its_links_resolve(measured):
    wide, narrow = measured[1400], measured[390]
    for m in (wide, narrow):
        assert m["toc"] and m["toc"]["links"] >= 5 and m["toc"]["dangling"] == []
    toc = wide["toc"]
    assert toc["position"] == "fixed" and toc["visible_links"] == toc["links"]
    assert toc["rect"]["right"] <= wide["column"]["left"]  # beside the text column, not over it
    for img in wide["images"]:
        assert img["left"] >= toc["rect"]["right"], img  # a figure breaking out of the column stays off the sidebar
    assert narrow["toc"]["position"] == "static" and 0 < narrow["toc"]["visible_links"] < narrow["toc"]["links"]


def test_summary_claim_and_verdict_columns_stay_visible_on_a_phone(measured):
    s = measured[390]["summary"]
    assert s["scrolls"], "the summary should be wider than a phone (this test checks its sticky columns)"
    for cells, visible in ((s["cells"], s["visible"]), (s["scrolled_cells"], s["scrolled_visible"])):
        assert visible == [True, True]
        for c in cells:
            assert c["left"] >= 0 and c["right"] <= 390, cells
        assert cells[1]["left"] >= cells[0]["right"] - 1, cells  # the verdict does not cover the claim id
    for m in measured.values():  # statistic names break only after an underscore
        assert m["summary_broken_stats"] == [] and m["summary_stats"] >= 1


def test_heading_numbers_have_no_skipped_levels(measured):
    numbers = measured[1400]["section_numbers"]
    assert numbers and not [n for n in numbers if ".0" in n or n.startswith("0")]


def test_tables_scroll_with_their_captions_outside_the_box(measured):
    m = measured[1400]
    assert m["tables"] >= 3 and m["tables_in_scroll_box"] == m["tables"]
    assert m["captions_inside_scroll_box"] == 0 and m["table_captions"] >= 3


def test_configuration_is_folded_and_annotated(measured):
    c = measured[1400]["config"]
    assert c and not c["open"] and c["rows"] == 3 and "configuration keys" in c["summary"]
    text = " ".join(c["text"].split())
    assert "number of seeds per grid cell; default 8" in text and "list of integer" in text
