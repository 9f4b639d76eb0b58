"""The paper, venue and year facets: paper pages with cards and backlinks, the papers index."""

from __future__ import annotations

import re
import shutil

import pytest
from pybtex.database import parse_string
from sphinx.util.console import strip_colors

from mlnotes.core.bibliography import cited_keys, short_venue, to_paper
from mlnotes.core.records import get_posts


def warnings(app) -> list[str]:
    text = strip_colors(app._warning.getvalue()).replace(str(app.srcdir) + "/", "")
    return sorted(line for line in text.splitlines() if "WARNING" in line)


def titles_on(page) -> list[str]:
    return re.findall(r'class="mlnotes-card-title"><a href="[^"]*">([^<]*)</a>', page.read_text(encoding="utf-8"))


@pytest.fixture
def app(make_app, rootdir, tmp_path):
    shutil.copytree(rootdir / "test-papers", tmp_path / "src")
    app = make_app("html", srcdir=tmp_path / "src")
    app.build()
    return app


def test_unknown_keys_get_a_located_did_you_mean(app) -> None:
    assert [w for w in warnings(app) if "mlnotes" in w] == [
        "posts/typo.md:11: WARNING: unknown citation key 'alpah2020'; did you mean 'alpha2020'? "
        "(keys are the entries of refs.bib; `mlnotes add-paper` can add one) [mlnotes.paper]",
        "posts/typo.md:6: WARNING: unknown citation key 'gama2021' in 'paper:'; did you mean 'gamma2021'? "
        "(keys are the entries of refs.bib; `mlnotes add-paper` can add one) [mlnotes.paper]",
    ]


def test_every_cited_paper_lists_its_posts(app) -> None:
    assert get_posts(app.env)["posts/one"].facets["paper"] == ["alpha2020", "beta2019", "gamma2021"]
    papers = app.outdir / "topics" / "paper"
    assert titles_on(papers / "beta2019.html") == ["第三篇用 cite 角色", "第二篇", "第一篇"]  # backlinks, newest first
    assert titles_on(papers / "alpha2020.html") == ["第三篇用 cite 角色", "第一篇"]
    assert (app.outdir / "feeds" / "paper" / "beta2019.xml").is_file()


def test_paper_page_has_a_metadata_card(app) -> None:
    page = (app.outdir / "topics" / "paper" / "alpha2020.html").read_text(encoding="utf-8")
    card = page.split('class="mlnotes-paper-card"')[1].split("</div>")[0]
    assert "Alpha: A Test Paper" in card and "Zhang San、Li Si" not in card
    assert "San Zhang、Si Li" in card
    assert "International Conference on Learning Representations (ICLR) · 2020" in card
    for href in ("https://arxiv.org/abs/2001.00001", "https://arxiv.org/pdf/2001.00001",
                 "https://openreview.net/forum?id=alpha", "https://github.com/example/alpha"):
        assert f'href="{href}"' in card
    beta = (app.outdir / "topics" / "paper" / "beta2019.html").read_text(encoding="utf-8")
    assert 'href="https://doi.org/10.1109/TPAMI.2019.1234567">DOI</a>' in beta


def test_main_paper_card_on_the_post(app) -> None:
    page = (app.outdir / "posts" / "one.html").read_text(encoding="utf-8")
    assert page.count('class="mlnotes-paper-card"') == 1
    body = page[page.index("<body"):]  # the head's og:description quotes the first sentence too
    assert body.index("mlnotes-paper-card") < body.index("主论文")  # at the top, before the body
    typo = (app.outdir / "posts" / "typo.html").read_text(encoding="utf-8")
    assert "mlnotes-paper-card" not in typo  # an unknown main paper shows no card


def test_venue_and_year_facets_follow_the_main_paper(app) -> None:
    assert titles_on(app.outdir / "topics" / "venue" / "iclr.html") == ["第一篇"]  # three has no paper:
    assert titles_on(app.outdir / "topics" / "venue" / "tpami.html") == ["第二篇"]
    assert titles_on(app.outdir / "topics" / "venue" / "neurips.html") == []  # NIPS is NeurIPS
    assert titles_on(app.outdir / "topics" / "year" / "2020.html") == ["第一篇"]


def test_papers_index_grouped_by_area_and_sortable(app) -> None:
    index = (app.outdir / "topics" / "paper" / "index.html").read_text(encoding="utf-8")
    groups = re.findall(r"<h2>([^<]+)</h2><table", index)
    assert groups == ["计算机视觉", "自然语言处理"]
    cv = index.split("<h2>计算机视觉</h2>")[1].split("</table>")[0]
    nlp = index.split("<h2>自然语言处理</h2>")[1].split("</table>")[0]
    assert re.findall(r'<td data-sort="(\d{4})">\1</td>', cv) == ["2021", "2020", "2019"]  # newest first
    assert re.findall(r'<td data-sort="(\d{4})">\1</td>', nlp) == ["2019"]
    assert 'data-col="1">年份</button>' in index and 'data-col="2">会议/期刊</button>' in index
    assert '<td data-sort="0003">3</td>' in cv  # beta2019 is discussed by three notes
    assert "mlnotes.js" in index
    overview = (app.outdir / "topics" / "index.html").read_text(encoding="utf-8")
    assert 'href="paper/index.html">全部论文（3）</a>' in overview


def test_bib_changes_reach_cards_and_posts(make_app, rootdir, tmp_path) -> None:
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-papers", src)
    make_app("html", srcdir=src).build()
    bib = src / "refs.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("Beta Networks", "Beta Networks, Revised"), encoding="utf-8")
    app = make_app("html", srcdir=src)
    app.build()
    assert "Beta Networks, Revised" in (app.outdir / "topics" / "paper" / "beta2019.html").read_text(encoding="utf-8")
    assert "Beta Networks, Revised" in (app.outdir / "posts" / "two.html").read_text(encoding="utf-8")


def test_cited_keys_and_venues() -> None:
    assert cited_keys("a {footcite:p}`x, y` b {cite:t}`z` {footcite}`x` {doc}`no`") == ["x", "y", "z"]
    entry = parse_string("@inproceedings{k, title={T}, booktitle={Proceedings of the 38th International "
                         "Conference on Machine Learning}, year={2021}}", "bibtex").entries["k"]
    assert short_venue(entry) == "ICML"
    assert to_paper("k", entry).venue == "ICML"


def test_cite_this_post_block_and_meta_tags(app) -> None:
    page = (app.outdir / "posts" / "one.html").read_text(encoding="utf-8")
    cite = page.split('class="mlnotes-cite"')[1].split("</section>")[0]
    assert "@misc{papers-one," in cite  # mlnotes_cite_key_prefix from project = "papers"
    assert "howpublished = {\\url{https://example.org/p/posts/one.html}}," in cite
    assert "year         = {2024},\n  month        = feb,\n  date         = {2024-02-01}," in cite
    assert page.index("mlnotes-cite") < page.index("<h2>参考文献")  # before the references
    assert '<meta name="citation_title" content="第一篇" />' in page
    assert '<meta name="citation_author" content="测试作者" />' in page
    assert '<meta name="citation_publication_date" content="2024/02/01" />' in page
    refs = re.findall(r'<meta name="citation_reference" content="([^"]*)" />', page)
    assert len(refs) == 3
    assert "citation_title=Alpha: A Test Paper; citation_author=San Zhang; citation_author=Si Li; " \
           "citation_publication_date=2020" in refs[0]
    assert "citation_arxiv_id=2001.00001" in refs[0]
    posts_bib = (app.outdir / "posts.bib").read_text(encoding="utf-8")
    assert [line.split("{")[1] for line in posts_bib.splitlines() if line.startswith("@misc")] == [
        "papers-one,", "papers-three,", "papers-two,", "papers-typo,",
    ]


def test_related_posts_share_papers(app) -> None:
    one = (app.outdir / "posts" / "one.html").read_text(encoding="utf-8")
    related = one.split('class="mlnotes-related"')[1].split("</section>")[0]
    assert re.findall(r'<a href="([^"]+)">', related) == ["three.html", "two.html"]  # two shared, then one
    assert "共同引用 2 篇论文" in related and "共同引用 1 篇论文" in related
    typo = (app.outdir / "posts" / "typo.html").read_text(encoding="utf-8")
    assert "mlnotes-related" not in typo  # cites nothing that resolves


def test_related_weights_rare_papers_more() -> None:
    from datetime import datetime

    from mlnotes.core.records import PostRecord
    from mlnotes.site.related import related_posts

    def rec(name, papers, day):
        return PostRecord(name, name, datetime(2024, 1, day).isoformat(), "", facets={"paper": papers})

    records = {r.docname: r for r in [
        rec("me", ["common", "rare"], 1), rec("popular", ["common"], 9),
        rec("niche", ["rare"], 2), rec("x", ["common"], 3), rec("y", ["common"], 4),
    ]}
    ranked = [(r.docname, n) for r, n in related_posts(records["me"], records, by="paper")]
    assert ranked[0] == ("niche", 1)  # the rare shared paper wins over the popular one
    assert [d for d, _ in ranked[1:]] == ["popular", "y", "x"]  # then newer first


def test_cite_roles_in_posts_become_per_post_footnotes(app) -> None:
    # posts one and three both cite alpha2020 and beta2019: no "duplicate citation" warning
    assert not [w for w in warnings(app) if "duplicate" in w]
    three = (app.outdir / "posts" / "three.html").read_text(encoding="utf-8")
    refs = three.split("<h2>参考文献")[1].casefold()
    assert "alpha: a test paper" in refs and "beta networks" in refs and "gamma" not in refs
    assert three.count('class="footnote-reference') == 2
    assert get_posts(app.env)["posts/three"].facets["paper"] == ["alpha2020", "beta2019"]


def test_citation_hover_preview_targets_exist(app) -> None:
    """mlnotes.js shows the footnote an <a class=footnote-reference> points to; every such
    link on a post must point at a footnote on the same page."""
    for post in ("one", "two", "three"):
        page = (app.outdir / "posts" / f"{post}.html").read_text(encoding="utf-8")
        assert "_static/mlnotes.js" in page
        targets = re.findall(r'<a class="footnote-reference[^"]*" href="#([^"]+)"', page)
        assert targets
        for target in targets:
            assert f'id="{target}"' in page
    js = (app.outdir / "_static" / "mlnotes.js").read_text(encoding="utf-8")
    assert "a.footnote-reference" in js and "mlnotes-ref-preview" in js
