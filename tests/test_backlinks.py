"""Backlinks and link previews (site/backlinks.py, read/links.py, mlnotes.js).

On the built output: a post lists the published notes that link to it, with the sentence around
the link; a page that links to a note embeds that note's title, date and summary, and its link
is marked for the preview.  On incremental builds: every edit that changes what a page shows of
another post (a link added or removed, the words around it, the linking post retitled, re-dated
into the future, deleted; the linked post's summary) leaves exactly a clean build's files and
warnings.  In Chromium: hovering and focusing a link shows its preview, Escape hides it, and axe
finds nothing in light or dark mode."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from docutils import nodes
from docutils.frontend import get_default_settings
from docutils.parsers.rst import Parser
from docutils.utils import new_document
from sphinx import addnodes

from conftest import ROOTS, STRICT, SiteBuild, posts, sphinx_build
from incremental_site import Builds, SiteModel
from localsite import BROWSER_DIR, browser_tools, serve
from mlnotes.read.links import CONTEXT_SIDE, outgoing_links

# ------------------------------------------------------------------ the sentence around a link


def _paragraph(*parts: str | tuple[str, str]) -> nodes.document:
    """A document of one paragraph: plain strings, and (text, target) links as MyST makes them."""
    doc = new_document("test", get_default_settings(Parser))
    para = nodes.paragraph()
    for part in parts:
        if isinstance(part, tuple):
            xref = addnodes.pending_xref(refdomain="doc", reftarget=part[1], reftype="myst")
            xref += nodes.inline(part[0], part[0])
            para += xref
        else:
            para += nodes.Text(part)
    doc += para
    return doc


def test_the_context_is_the_sentence_around_the_link() -> None:
    doc = _paragraph("第一句不算。本篇沿用了\n", ("GBDT", "posts/gbdt"), " 的思路，\n版本 3.5 也一样。第三句也不算。")
    assert outgoing_links(doc, "posts/x") == [
        ("doc", "posts/gbdt", "本篇沿用了 ", "GBDT", " 的思路， 版本 3.5 也一样。")]  # line breaks: spaces


def test_a_long_sentence_is_cut_on_both_sides_and_self_links_are_left_out() -> None:
    doc = _paragraph("前" * 100, ("甲", "posts/a"), "后" * 100 + "。", ("自己", "posts/x"))
    (link,) = outgoing_links(doc, "posts/x")
    assert link == ("doc", "posts/a", "…" + "前" * CONTEXT_SIDE, "甲", "后" * CONTEXT_SIDE + "…")


# ----------------------------------------------------------------- incremental equals clean


def shown(out: Path, page: str) -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    """(backlinks as (href, context), previews by href) of a built page."""
    # the data block's JSON escapes "<" as \\u003c (json.loads reads it back)
    html = (out / f"{page}.html").read_text(encoding="utf-8")
    section = re.search(r'<section class="mlnotes-backlinks".*?</section>', html, re.S)
    links = re.findall(r'<li><a href="([^"]+)">[^<]*</a>(?:<p class="mlnotes-backlink-context">(.*?)</p>)?</li>',
                       section.group(0) if section else "")
    data = re.search(r'<script type="application/json" id="mlnotes-note-previews">(.*?)</script>', html, re.S)
    return ([(href, unescape(re.sub("<[^>]+>", "", ctx))) for href, ctx in links],
            json.loads(data.group(1)) if data else {})


def test_backlinks_and_previews_follow_every_edit_incrementally(tmp_path: Path) -> None:
    builds = Builds(tmp_path, jobs="1")

    def step(what: str, change: Callable[[SiteModel], None]) -> None:
        change(builds.model)
        _, problems = builds.step(what)
        assert not problems, f"after {what}:\n" + "\n  ".join(builds.history) + "\n" + problems

    step("first build", lambda m: None)
    assert shown(builds.out, "posts/b") == ([], {})

    def link(m: SiteModel) -> None:
        m.posts["a"].links.append("b")
        m.posts["e"].links.append("b")
        m.posts["b"].path = "posts/old/b"  # the links cross folders

    step("a and e link to b", link)
    backlinks, _ = shown(builds.out, "posts/old/b")
    # newest first: e (2024-03-15), then a (2024-01-01)
    assert backlinks == [("../e.html", "另见笔记 b，值得一读。"), ("../a.html", "另见笔记 b，值得一读。")]
    assert shown(builds.out, "posts/a")[1] == {"old/b.html": {"title": "文章 B", "date": "2024-01-05",
                                                               "summary": "正文 B。"}}
    assert 'class="mlnotes-note-link reference internal" href="old/b.html"' in (
        builds.out / "posts" / "a.html").read_text(encoding="utf-8")

    step("the words before a's link change", lambda m: setattr(m.posts["a"], "link_words", "对比"))
    assert shown(builds.out, "posts/old/b")[0][1] == ("../a.html", "对比笔记 b，值得一读。")
    step("a is retitled", lambda m: setattr(m.posts["a"], "title", "改名的 A"))
    assert "改名的 A" in (builds.out / "posts" / "old" / "b.html").read_text(encoding="utf-8")
    step("b's summary changes (the previews on a and e)", lambda m: setattr(m.posts["b"], "summary", "新的摘要"))
    assert shown(builds.out, "posts/e")[1]["old/b.html"]["summary"] == "新的摘要"
    step("e moves into the future (a draft: no backlink)", lambda m: setattr(m.posts["e"], "date", "2099-01-01"))
    assert [href for href, _ in shown(builds.out, "posts/old/b")[0]] == ["../a.html"]
    step("a no longer links to b", lambda m: m.posts["a"].links.remove("b"))
    assert shown(builds.out, "posts/a") == ([], {})
    step("e comes back and a is deleted", lambda m: (setattr(m.posts["e"], "date", "2024-03-15"),
                                                     m.posts.pop("a"), m.series["s1"][1].remove("a")))
    assert [href for href, _ in shown(builds.out, "posts/old/b")[0]] == ["../e.html"]
    step("b is deleted (e's link is gone with it)", lambda m: (m.posts.pop("b"), m.series["s1"][1].remove("b")))
    assert shown(builds.out, "posts/e") == ([], {})


def test_a_latex_build_in_between_does_not_hide_a_change(tmp_path: Path) -> None:
    """``make latexpdf`` shares the doctrees with ``make html``: a LaTeX build that reads an edited
    post must not make the next HTML build believe the linked post's page is up to date."""
    src = tmp_path / "src"
    shutil.copytree(ROOTS / "test-incremental", src)
    a = src / "posts" / "a.md"
    a.write_text(a.read_text(encoding="utf-8") + "\n另见[文章 B](b.md)。\n", encoding="utf-8")
    doctrees = tmp_path / "doctrees"

    def build(builder: str) -> None:
        result = sphinx_build("-b", builder, "-q", "-d", doctrees, src, tmp_path / builder)
        assert result.returncode == 0, result.stderr[-3000:]

    build("html")
    assert shown(tmp_path / "html", "posts/b")[0] == [("a.html", "另见文章 B。")]
    a.write_text(a.read_text(encoding="utf-8").replace("另见[", "对照["), encoding="utf-8")
    build("latex")
    build("html")
    assert shown(tmp_path / "html", "posts/b")[0] == [("a.html", "对照文章 B。")]


# ------------------------------------------------------------------------ in Chromium


@pytest.fixture(scope="module")
def linked_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test-reading site (the real site's theme) with links: b to a and c, c to a; built once."""
    base = tmp_path_factory.mktemp("linked")
    src = base / "src"
    shutil.copytree(ROOTS / "test-reading", src)
    for name, text in (("b", "\n代码的来历见[第一篇](a.md)，结论见[第三篇](c.md)。\n"),
                       ("c", "\n接着[第一篇](a.md)讲。\n")):
        with (src / "posts" / f"{name}.md").open("a", encoding="utf-8") as f:
            f.write(text)
    result = sphinx_build("-b", "html", *STRICT, "-d", base / "doctrees", src, base / "out")
    assert result.returncode == 0, result.stderr[-3000:]
    return base / "out"


def run_links_browser(out: Path, page: str) -> dict:
    chromium, node = browser_tools("axe-core")
    with serve(out) as base:
        done = subprocess.run([node, str(BROWSER_DIR / "links.mjs"), base + "/", page], check=False,
                              capture_output=True, text=True, timeout=300, env={**os.environ, "CHROMIUM": chromium})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_previews_in_chromium(linked_site: Path) -> None:
    out = run_links_browser(linked_site, "posts/b.html")
    assert out["errors"] == [] and out["foreign"] == []
    for mode in ("light", "dark"):
        run = out["modes"][mode]
        assert run["theme"] == mode
        # hover: the preview of b, described by role and aria-describedby
        assert run["hover"]["text"] == ["第一篇：注意力", "2024-01-01", '第一篇的摘要 & "引号"。']
        assert run["hover"]["role"] == "tooltip" and run["hover"]["describedby"] == run["hover"]["id"]
        assert run["hover"]["gap"] == 6  # right under the link
        assert run["hover"]["stays"]  # moving the pointer onto the preview keeps it
        assert run["left"] is False  # and leaving both hides it
        # keyboard: Tab to the link shows it, Escape hides it (and the link keeps the focus)
        assert (run["focus"]["active"], run["focus"]["text"][0]) == ("第一篇", "第一篇：注意力")
        assert run["escape"] == {"shown": False, "describedby": None}
        # legible: WCAG AA contrast of every line of the preview and of the backlinks
        assert min(run["contrast"]) >= 4.5, run["contrast"]
        assert run["axe"] == [], run["axe"]
    # b's page lists the notes that link to it, in both modes without axe violations
    assert out["backlinks"] == ["第三篇：最新", "第二篇：代码"]  # newest first


def test_previews_escape_what_they_embed(linked_site: Path) -> None:
    """c's summary holds ``<script>``: embedded as JSON text, it cannot end the data block."""
    _, previews = shown(linked_site, "posts/b")
    assert previews["c.html"]["summary"] == "第三篇 <script>alert(1)</script> 结束。"
    assert "<script>alert" not in (linked_site / "posts" / "b.html").read_text(encoding="utf-8")


def test_lighthouse_accessibility_of_linked_and_linking_notes(linked_site: Path, tmp_path: Path) -> None:
    """Lighthouse's accessibility score is 1.0 on a note with backlinks (a) and on one whose links
    carry previews (b)."""
    chromium, node = browser_tools("lighthouse")
    cli = BROWSER_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
    with serve(linked_site) as base:
        for page in ("posts/a.html", "posts/b.html"):
            report = tmp_path / "lighthouse.json"
            result = subprocess.run(
                [node, str(cli), f"{base}/{page}", "--only-categories=accessibility", "--output=json",
                 f"--output-path={report}", "--chrome-flags=--headless=new --no-sandbox --disable-gpu", "--quiet"],
                check=False, capture_output=True, text=True, timeout=300, env={**os.environ, "CHROME_PATH": chromium})
            assert result.returncode == 0, result.stderr[-3000:]
            data = json.loads(report.read_text(encoding="utf-8"))
            failed = [a["id"] for a in data["audits"].values() if a.get("score") == 0]
            assert data["categories"]["accessibility"]["score"] == 1, (page, failed)


def test_real_backlinks_match_the_sources(site: SiteBuild) -> None:
    """On the real site, each note lists exactly the notes whose source links to it with a
    relative ``.md`` link (found here by a regular expression, independently of the doctree),
    and each linking note embeds a preview of it."""
    sources = {p.stem: p.read_text(encoding="utf-8") for p in posts()}
    linked = 0
    for stem in sources:
        expected = {other for other, text in sources.items()
                    if other != stem and re.search(rf"\]\((?:\.\./\d{{4}}/)?{re.escape(stem)}\.md(?:#[^)]*)?\)", text)}
        backlinks, _ = shown(site.out, f"posts/2026/{stem}")
        assert {href.rsplit("/", 1)[-1].removesuffix(".html") for href, _ in backlinks} == expected, stem
        for other in expected:
            assert f"{stem}.html" in shown(site.out, f"posts/2026/{other}")[1], (other, stem)
        linked += bool(expected)
    assert linked >= 30  # most notes are linked from another
