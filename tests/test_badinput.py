"""Bad and hostile input: a clear located error, and the rest of the site still built."""

from __future__ import annotations

import re
import shutil
import time

import pytest
from sphinx.util.console import strip_colors

HOSTILE_TITLE = """标题有 "双引号" 'single' & ]]> 符号"""
HOSTILE_SUMMARY = """摘要里有 <script>alert("x")</script> 和 ]]> 以及 & 与 "引号\""""

GOOD = """---
blogpost: true
date: 2024-01-0{day}
area: cv
tags: LLM
---

# {title}

正文。
"""


def warnings(app) -> list[str]:
    text = strip_colors(app._warning.getvalue()).replace(str(app.srcdir) + "/", "")
    return sorted(line for line in text.splitlines() if "WARNING" in line)


@pytest.fixture
def site(make_app, rootdir, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-badinput", src)

    def build(files: dict[str, str]):
        for name, text in files.items():
            path = src / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        app = make_app("html", srcdir=src)
        app.build()
        return app

    return build


def test_two_posts_with_the_same_slug(site) -> None:
    app = site({"posts/2025/dup.md": GOOD.format(day=1, title="甲"),
                "posts/2026/dup.md": GOOD.format(day=2, title="乙")})
    assert "posts/2026/dup.md:1: WARNING: posts 'posts/2025/dup' and 'posts/2026/dup' share the slug 'dup' " \
           "(rename one file; links, labels and citation keys use the slug) [mlnotes.slug]" in warnings(app)
    assert (app.outdir / "posts" / "2025" / "dup.html").is_file()
    assert (app.outdir / "posts" / "2026" / "dup.html").is_file()


def test_empty_file_and_non_post_in_posts(site) -> None:
    app = site({"posts/2026/empty.md": "", "posts/2026/notes.md": "# 草稿笔记\n\n没有 front matter。\n",
                "posts/2026/ok.md": GOOD.format(day=3, title="正常")})
    found = warnings(app)
    hint = "(give it front matter with 'blogpost: true', a date and a '# title') [mlnotes.post]"
    not_a_post = "is in posts/ but is not a post, so no listing or feed shows it"
    assert f"posts/2026/empty.md:1: WARNING: 'posts/2026/empty' {not_a_post} {hint}" in found
    assert f"posts/2026/notes.md:1: WARNING: 'posts/2026/notes' {not_a_post} {hint}" in found
    assert "正常" in (app.outdir / "feeds" / "atom.xml").read_text(encoding="utf-8")  # the rest is built


def test_huge_post_builds(site) -> None:
    paragraph = "这是一段用来把文章撑大的正文，包含公式 $x^2$ 与英文 words。" * 20 + "\n\n"
    body = GOOD.format(day=4, title="巨大的文章") + paragraph * (1_000_000 // len(paragraph.encode()))
    assert len(body.encode()) > 990_000
    start = time.perf_counter()
    app = site({"posts/2026/huge.md": body})
    assert [w for w in warnings(app) if "huge" in w] == []
    assert (app.outdir / "posts" / "2026" / "huge.html").stat().st_size > 900_000
    assert "巨大的文章" in (app.outdir / "feeds" / "atom.xml").read_text(encoding="utf-8")
    assert time.perf_counter() - start < 600  # a guard against a hang, not a benchmark


def test_hostile_title_and_summary_are_escaped_everywhere(site) -> None:
    app = site({})
    out = app.outdir
    listing = (out / "topics" / "tag" / "llm.html").read_text(encoding="utf-8")
    assert "<script>alert" not in listing
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in listing
    assert "标题有 &quot;双引号&quot; &#x27;single&#x27; &amp; ]]&gt; 符号" in listing
    feed = (out / "feeds" / "atom.xml").read_text(encoding="utf-8")
    assert "<script>" not in feed and "&lt;script&gt;" in feed and "]]&gt;" in feed
    import xml.etree.ElementTree as ET

    root = ET.parse(out / "feeds" / "atom.xml").getroot()  # still well-formed
    titles = [e.text for e in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert HOSTILE_TITLE in titles
    page = (out / "posts" / "2026" / "hostile.html").read_text(encoding="utf-8")
    meta = re.search(r'<meta name="citation_title" content="([^"]*)" />', page).group(1)
    assert meta == "标题有 &quot;双引号&quot; &#x27;single&#x27; &amp; ]]&gt; 符号"
    index = (out / "searchindex.js").read_text(encoding="utf-8")
    assert "</script>" not in index and "<script>" not in index
