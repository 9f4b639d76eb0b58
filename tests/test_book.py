"""The book's order on a tiny corpus: parts by taxonomy order, chapters by date, one bibliography.

Two areas × three posts whose dates are out of alphabetical order, plus a future-dated draft.
Checks the LaTeX source (no xelatex run), the EPUB's spine and nav, and the incremental cases:
a changed date or area reorders the next LaTeX build; a body edit does not rewrite book.html.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from sphinx.util.console import strip_colors

from mlnotes.book.book import chinese_number

TEXT = ["Text Beta 笔记", "Text Gamma 笔记", "Text Alpha 笔记"]  # 01-15, 02-10, 03-01
VISION = ["Vision B 笔记", "Vision A 笔记", "Vision C 笔记"]  # 04-01, 05-02 (vision/detect), 06-01
OPF = "{http://www.idpf.org/2007/opf}"


def warnings(app) -> list[str]:
    """Build warnings; a second app in one process re-registers docutils nodes, which is no finding."""
    text = strip_colors(app._warning.getvalue())
    return [line for line in text.splitlines()
            if ("WARNING" in line or "ERROR" in line) and "is already registered" not in line]


@pytest.fixture
def src(rootdir: Path, tmp_path: Path) -> Path:
    path = tmp_path / "src"
    shutil.copytree(rootdir / "test-book", path)
    return path


def build(make_app, src: Path, builder: str):
    app = make_app(builder, srcdir=src)
    app.build()
    assert warnings(app) == []
    return app


def headings(tex: str) -> list[tuple[str, str]]:
    """(part|chapter, title) in the order LaTeX gets them; unnumbered \\chapter* not included."""
    return re.findall(r"\\(part|chapter)\{([^}]*)\}", tex)


def set_front_matter(path: Path, key: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(rf"^{key}: .*$", f"{key}: {value}", text, count=1, flags=re.M), encoding="utf-8")


def test_latex_parts_in_taxonomy_order_chapters_by_date(make_app, src: Path) -> None:
    app = build(make_app, src, "latex")
    tex = (Path(app.outdir) / "book.tex").read_text(encoding="utf-8")
    assert headings(tex) == [("part", "文本"), *(("chapter", t) for t in TEXT),
                             ("part", "视觉"), *(("chapter", t) for t in VISION)]
    assert "Draft 笔记" not in tex  # future-dated: not public, not in the book
    # front matter: preface, then the contents, then the main matter; the bibliography at the back
    front, rest = tex.split(r"\mainmatter", 1)
    assert r"\frontmatter" in front and "前言正文" in front and r"\sphinxtableofcontents" in front
    assert r"\chapter*{前言}" in front and r"\chapter*{目录}" not in front  # the toctree's heading is dropped
    main, back = rest.split(r"\backmatter", 1)
    assert back.count(r"\chapter*{参考文献}") == 1 and r"\chapter*{参考文献}" not in main
    # every cited paper once, sorted by author (Able, Moss, Zed); no per-post empty 参考文献 sections
    titles = re.findall(r"(Beta Paper about Stuff|Gamma Paper with Results|Alpha Paper on Things)", back, re.I)
    assert [t.split()[0] for t in titles] == ["Beta", "Gamma", "Alpha"]
    assert r"\section{参考文献}" not in main
    # math, code, tables and figures still render; the home-page listing directive leaves no trace
    assert r"\int_0^1 x\,dx" in main and r"\(e^{i\pi}+1=0\)" in main
    assert r"\begin{sphinxVerbatim}" in main and "square" in main
    assert r"\begin{tabulary}" in main and r"\sphinxincludegraphics" in main
    assert "mlnotes-latest" not in tex and "latest" not in re.sub(r"\\label\{[^}]*\}", "", main).casefold()


def test_latex_order_follows_a_changed_date_and_area(make_app, src: Path) -> None:
    build(make_app, src, "latex")
    set_front_matter(src / "posts" / "t-alpha.md", "date", "2026-01-01")  # now the oldest text post
    set_front_matter(src / "posts" / "v-c.md", "area", "text")  # moves to the first part
    app = build(make_app, src, "latex")
    assert set(app.env.found_docs) >= {"posts/t-alpha", "posts/v-c"}
    tex = (Path(app.outdir) / "book.tex").read_text(encoding="utf-8")
    assert headings(tex) == [("part", "文本"), ("chapter", "Text Alpha 笔记"), ("chapter", "Text Beta 笔记"),
                             ("chapter", "Text Gamma 笔记"), ("chapter", "Vision C 笔记"),
                             ("part", "视觉"), ("chapter", "Vision B 笔记"), ("chapter", "Vision A 笔记")]


def test_html_body_edit_does_not_rewrite_the_book_page_a_title_edit_does(make_app, src: Path) -> None:
    app = build(make_app, src, "html")
    out = Path(app.outdir)
    book, post = out / "book.html", out / "posts" / "t-beta.html"
    before = book.stat().st_mtime_ns
    path = src / "posts" / "t-beta.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("行内公式", "新加的一句话。\n\n行内公式"), encoding="utf-8")
    build(make_app, src, "html")
    assert "新加的一句话" in post.read_text(encoding="utf-8")  # the edit was built …
    assert book.stat().st_mtime_ns == before  # … and the book page was not rewritten
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("# Text Beta 笔记", "# Text Beta 新标题"), encoding="utf-8")
    build(make_app, src, "html")
    assert "Text Beta 新标题" in book.read_text(encoding="utf-8")  # a new title does reach the book page


def epub_parts(path: Path) -> tuple[list[str], list[str], str]:
    """(linear spine hrefs, non-linear spine hrefs, nav.xhtml) of an EPUB."""
    import xml.etree.ElementTree as ET

    with zipfile.ZipFile(path) as z:
        opf = ET.fromstring(z.read("content.opf"))
        nav = z.read("nav.xhtml").decode("utf-8")
    hrefs = {item.get("id"): item.get("href") for item in opf.iter(f"{OPF}item")}
    spine = list(opf.iter(f"{OPF}itemref"))
    linear = [hrefs[i.get("idref")] for i in spine if i.get("linear", "yes") != "no"]
    hidden = [hrefs[i.get("idref")] for i in spine if i.get("linear") == "no"]
    return linear, hidden, nav


def test_epub_spine_and_nav_follow_the_book(make_app, src: Path) -> None:
    app = build(make_app, src, "epub")
    linear, _hidden, nav = epub_parts(Path(app.outdir) / "book.epub")
    assert linear == [
        "book.xhtml", "mlnotes-part-text.xhtml", "posts/t-beta.xhtml", "posts/t-gamma.xhtml", "posts/t-alpha.xhtml",
        "mlnotes-part-vision.xhtml", "posts/v-b.xhtml", "posts/v-a.xhtml", "posts/v-c.xhtml",
        "mlnotes-bibliography.xhtml",
    ]
    assert "posts/z-draft.xhtml" not in linear
    nav_titles = re.findall(r'<a href="[^"]*">([^<]*)</a>', nav)
    assert nav_titles == ["测试之书", "文本", *TEXT, "视觉", *VISION, "参考文献"]
    bib = (Path(app.outdir) / "mlnotes-bibliography.xhtml").read_text(encoding="utf-8")
    assert [t for t in re.findall(r"(Alpha|Beta|Gamma) paper", bib, re.I)] == ["Beta", "Gamma", "Alpha"]
    part = (Path(app.outdir) / "mlnotes-part-text.xhtml").read_text(encoding="utf-8")
    assert "第一部分" in part and re.findall(r">(Text \w+ 笔记)<", part) == TEXT


@pytest.mark.parametrize(("n", "text"), [(1, "一"), (9, "九"), (10, "十"), (12, "十二"), (20, "二十"), (47, "四十七")])
def test_chinese_part_numbers(n: int, text: str) -> None:
    assert chinese_number(n) == text
