"""Paper pages with substance (papers.toml): official code, datasets, key results, and the lineage
in the collection — drawn at build time as inline SVG and listed as text — plus located warnings
for a bad file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sphinx.util.console import strip_colors

from mlnotes.facets.paper import PaperFacet
from mlnotes.facets.runtime import get_runtime


def warnings(app) -> list[str]:
    text = strip_colors(app._warning.getvalue()).replace(str(app.srcdir) + "/", "")
    return [line for line in text.splitlines() if "WARNING" in line and "[mlnotes." in line]


def build(make_app, rootdir: Path, where: Path, **conf: object):
    shutil.copytree(rootdir / "test-paperdata", where)
    app = make_app("html", srcdir=where, confoverrides=conf)
    app.build()
    return app


@pytest.fixture
def app(make_app, rootdir, tmp_path):
    return build(make_app, rootdir, tmp_path / "src")


def page(app, key: str) -> str:
    return (app.outdir / "topics" / "paper" / f"{key}.html").read_text(encoding="utf-8")


def section(html: str, cls: str) -> str:
    return html.split(f'<section class="{cls}"')[1].split("</section>", maxsplit=1)[0]


def svg_of(html: str) -> str:
    found = re.search(r"<svg .*?</svg>", html, flags=re.S)
    assert found, "no inline SVG"
    return found.group(0)


def test_code_datasets_and_results_on_the_paper_page(app) -> None:
    assert warnings(app) == []
    data = section(page(app, "alpha2020"), "mlnotes-paper-data")
    assert '官方代码：<a href="https://github.com/example/alpha">https://github.com/example/alpha</a>' in data
    assert '数据集：ImageNet、<a href="https://cocodataset.org/">COCO</a>' in data
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", data)
    assert rows == [("top-1 准确率", "80.1%", "ImageNet val", "Table 2"),
                    ("AP", "42.5", "COCO &lt;val&gt;", "§4.2")]  # numbers as written, text escaped
    assert '<th scope="col">指标</th>' in data and "<caption>" in data
    assert "mlnotes-paper-data" not in page(app, "beta2019")  # no table, no section


def test_a_note_says_why_a_field_is_empty(app) -> None:
    """gamma2021 has no code, datasets or results, only a note: the section is there with the
    note (escaped), so a reader sees the absence was checked."""
    data = section(page(app, "gamma2021"), "mlnotes-paper-data")
    assert data.count('<p class="mlnotes-paper-note">') == 1
    assert '<p class="mlnotes-paper-note">A survey: no code &lt;or&gt; results of its own.</p>' in data
    assert "官方代码" not in data and "<table" not in data


def test_lineage_both_ways_as_text(app) -> None:
    def lists(key: str) -> dict[str, list[str]]:
        lineage = section(page(app, key), "mlnotes-lineage")
        out = {}
        for label, items in re.findall(r"<p>(本文直接基于|直接基于本文的论文)：</p><ul>(.*?)</ul>", lineage):
            out[label] = re.findall(r'<li><a href="([^"]+)">', items)
        return out

    assert lists("alpha2020") == {"本文直接基于": ["beta2019.html"], "直接基于本文的论文": ["gamma2021.html"]}
    assert lists("beta2019") == {"直接基于本文的论文": ["alpha2020.html", "gamma2021.html"]}  # inverted
    assert lists("gamma2021") == {"本文直接基于": ["alpha2020.html", "beta2019.html"]}
    lineage = section(page(app, "gamma2021"), "mlnotes-lineage")
    assert "<li><a href=\"alpha2020.html\">Alpha (2020)</a></li>" in lineage
    # the lineage comes before the notes that discuss the paper
    gamma = page(app, "gamma2021")
    assert gamma.index("mlnotes-lineage") < gamma.index("讨论这篇论文的笔记")


def test_lineage_drawn_as_inline_svg(app) -> None:
    svg = svg_of(page(app, "alpha2020"))
    assert svg.startswith('<svg aria-hidden="true" class="mlnotes-diagram" ')  # the text list is what is read
    assert "<?xml" not in svg and "<!--" not in svg and " id=" not in svg and "<title>" not in svg
    # the other papers are links (for the mouse; out of the tab order), the current one is not
    assert sorted(re.findall(r'<a tabindex="-1" xlink:href="([^"]+)"', svg)) == ["beta2019.html", "gamma2021.html"]
    assert 'fill="#fde9b6"' in svg  # the current paper highlighted
    texts = re.findall(r"<text [^>]*>([^<]*)</text>", svg)
    assert sorted(texts) == ["2019", "2020", "2021", "Alpha", "Beta Networks", "Gamma"]
    # two edges (beta → alpha → gamma), each a line and an arrow head
    assert svg.count('class="') == 1 and svg.count('<path fill="none"') == 2


def test_svg_is_the_same_in_two_clean_builds(make_app, rootdir, tmp_path, app) -> None:
    other = build(make_app, rootdir, tmp_path / "again")
    for key in ("alpha2020", "beta2019", "gamma2021"):
        assert svg_of(page(other, key)) == svg_of(page(app, key))


def test_facet_inverts_builds_on(app) -> None:
    facet = get_runtime(app.env).facet("paper")
    assert isinstance(facet, PaperFacet)
    assert facet.data.built_on_by("beta2019") == ["alpha2020", "gamma2021"]
    assert facet.data.papers["alpha2020"].builds_on == ("beta2019",)
    assert facet.page_digest() == facet.data.digest != ""


def test_bad_papers_file_gives_located_warnings(make_app, rootdir, tmp_path) -> None:
    app = build(make_app, rootdir, tmp_path / "src", mlnotes_papers="papers-bad.toml")
    hint = "(fields are code, datasets, results, builds_on, note)"
    assert warnings(app) == [
        "papers-bad.toml:2: WARNING: unknown citation key 'alpah2020'; did you mean 'alpha2020'? "
        "(each table is named by a key of refs.bib) [mlnotes.papers]",
        f"papers-bad.toml:7: WARNING: [beta2019]: unknown field 'dataset'; did you mean 'datasets'? {hint} "
        "[mlnotes.papers]",
        "papers-bad.toml:6: WARNING: [beta2019]: code must be the URL of the official repository, got "
        "'github.com/example/beta' (e.g. \"https://github.com/owner/repo\") [mlnotes.papers]",
        "papers-bad.toml:8: WARNING: [beta2019]: dataset 'COCO' has a bad URL 'ftp://example.org/coco' "
        "(an absolute https:// URL) [mlnotes.papers]",
        "papers-bad.toml:8: WARNING: [beta2019]: a dataset needs a name [mlnotes.papers]",
        "papers-bad.toml:11: WARNING: [beta2019]: unknown result field 'valeu'; did you mean 'value'? "
        "[mlnotes.papers]",
        "papers-bad.toml:11: WARNING: [beta2019]: a result needs value [mlnotes.papers]",
        "papers-bad.toml:10: WARNING: [beta2019]: a result must be a { metric, value, setting, source } table, "
        "got '88.1' [mlnotes.papers]",
        "papers-bad.toml:9: WARNING: [beta2019]: builds_on names unknown citation key 'gamma2012'; "
        "did you mean 'gamma2021'? [mlnotes.papers]",
        "papers-bad.toml:9: WARNING: [beta2019]: a paper cannot build on itself [mlnotes.papers]",
        "papers-bad.toml:16: WARNING: [gamma2021]: builds_on must be a list of refs.bib keys [mlnotes.papers]",
        "papers-bad.toml:17: WARNING: [gamma2021]: note must be a non-empty string, got '' [mlnotes.papers]",
    ]
    # what was right is kept: COCO without its bad URL
    assert "数据集：COCO</p>" in page(app, "beta2019")


def test_unparsable_or_missing_file(make_app, rootdir, tmp_path) -> None:
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-paperdata", src)
    (src / "papers.toml").write_text('[alpha2020]\ncode = "https://x.org"\nresults = [\n', encoding="utf-8")
    app = make_app("html", srcdir=src)
    app.build()
    [warning] = warnings(app)
    assert warning.startswith("papers.toml:3: WARNING: cannot parse: Invalid value (at end of document)")
    assert warning.endswith("(nothing from this file was read) [mlnotes.papers]")
    assert "mlnotes-lineage" not in page(app, "alpha2020")
    missing = build(make_app, rootdir, tmp_path / "other", mlnotes_papers="data/nope.toml")
    assert warnings(missing) == ["WARNING: mlnotes_papers: no file 'data/nope.toml' beside conf.py [mlnotes.papers]"]
