"""The real site, built the way `make html` builds it: strict, complete, stable."""

from __future__ import annotations

import html as htmllib
import re
import runpy
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pybtex.database import parse_file

from conftest import REPO, STRICT, SiteBuild, posts, sphinx_build, warnings_of

ATOM = "{http://www.w3.org/2005/Atom}"
FOOTCITE = re.compile(r"\{footcite:[a-z]+\}`([^`]+)`")


def page_of(site: SiteBuild, post: Path) -> Path:
    return site.out / post.relative_to(REPO).with_suffix(".html")


def text_of(html: str) -> str:
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def squash(text: str) -> str:
    """Letters and digits only: '--' renders as an en dash, quotes become typographic."""
    return re.sub(r"[\W_]+", "", text).casefold()


def cited_keys(source: str) -> list[str]:
    return [k.strip() for group in FOOTCITE.findall(source) for k in group.split(",")]


def plain_title(bib_title: str) -> str:
    return re.sub(r"[{}]", "", bib_title)


def test_strict_build_has_no_warnings(site: SiteBuild) -> None:
    assert site.first.returncode == 0, site.first.stderr[-4000:]
    assert warnings_of(site.first.stderr) == []


def test_build_reads_only_the_site(site: SiteBuild) -> None:
    sources = {p.relative_to(site.out / "_sources").as_posix() for p in (site.out / "_sources").rglob("*.txt")}
    expected = {"index.md.txt", "book.md.txt"}
    expected |= {p.relative_to(REPO).as_posix() + ".txt" for p in posts()}
    # docs/examples/ holds the plugin example's own site (conf.py excludes it)
    expected |= {p.relative_to(REPO).as_posix() + ".txt" for p in (REPO / "docs").rglob("*.md")
                 if not p.relative_to(REPO).as_posix().startswith("docs/examples/")}
    assert sources == expected
    assert not (site.out / "README.html").exists()
    assert not any(site.out.glob("tests/**/*.html"))
    assert not any(site.out.glob("src/**/*.html"))


@pytest.mark.parametrize("post", posts(), ids=lambda p: p.stem)
def test_every_post_keeps_its_citations(site: SiteBuild, post: Path) -> None:
    """Each key a post cites resolves to a footnote showing that paper's title."""
    source = post.read_text(encoding="utf-8")
    keys = set(cited_keys(source))
    assert keys, f"{post.name} cites no paper"
    bib = parse_file(REPO / "refs.bib")
    html = page_of(site, post).read_text(encoding="utf-8")
    footnotes = html[html.index('id="id', html.index("参考文献")) :] if "参考文献" in html else ""
    footnote_text = squash(text_of(footnotes))
    for key in keys:
        title = squash(plain_title(bib.entries[key].fields["title"]))
        assert title in footnote_text, f"{post.name}: {key} ({title!r}) missing from its references"
    # every in-text citation became a footnote reference, none is left as raw role text
    assert "footcite" not in text_of(html)
    assert html.count('class="footnote-reference') >= len(FOOTCITE.findall(source))


@pytest.mark.parametrize("post", posts(), ids=lambda p: p.stem)
def test_every_post_renders_math_and_code(site: SiteBuild, post: Path) -> None:
    source = post.read_text(encoding="utf-8")
    html = htmllib.unescape(page_of(site, post).read_text(encoding="utf-8"))
    title = re.search(r"^# (.+)$", source, re.M).group(1).strip()
    assert f"<h1>{title}" in html
    if "$$" in source:
        assert 'class="math notranslate nohighlight"' in html
        assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in html  # MathML, no MathJax
    if "```python" in source:
        assert 'class="highlight-python notranslate"' in html


def test_sidebar_labels_are_chinese(site: SiteBuild) -> None:
    tag_pages = list((site.out / "topics" / "tag").glob("*.html"))
    assert tag_pages
    for page in [site.out / "posts/2026/clip.html", *tag_pages]:
        text = text_of(page.read_text(encoding="utf-8"))
        for english in ("Recent Posts", "Posts tagged", "Archives", "Read more"):
            assert english not in text, f"{page.name} shows {english!r}"
        assert "最近文章" in text and "按领域浏览" in text, page.name
    post = text_of((site.out / "posts/2026/clip.html").read_text(encoding="utf-8"))
    assert "本文信息 日期 2026-11-01 作者 mlnotes 编辑部 领域 对比学习 标签 CLIP 对比学习" in post


def test_home_pages_list_every_post_with_its_summary(site: SiteBuild) -> None:
    pages = [site.out / "index.html", *sorted((site.out / "topics" / "latest" / "page").glob("*.html"))]
    text = " ".join(text_of(p.read_text(encoding="utf-8")) for p in pages)
    for post in posts():
        source = post.read_text(encoding="utf-8")
        title = re.search(r"^# (.+)$", source, re.M).group(1).strip()
        summary = re.search(r"^summary: (.+)$", source, re.M).group(1).strip()
        assert title in text
        assert summary in text


def test_feed_links_are_absolute_and_complete(site: SiteBuild) -> None:
    conf = runpy.run_path(str(REPO / "conf.py"))
    base = conf["DEFAULT_BASEURL"]
    root = ET.parse(site.out / "feeds" / "atom.xml").getroot()
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == len(posts())
    for entry in entries:
        link = entry.find(f"{ATOM}link").get("href")
        assert entry.findtext(f"{ATOM}id") == link
        assert link.startswith(base) and link.endswith(".html")
        local = site.out / link[len(base) :]
        assert local.is_file(), f"feed links to {link}, which the build did not write"
    tag_feeds = list((site.out / "feeds" / "tag").glob("*.xml"))
    assert tag_feeds, "per-tag feeds are missing"
    assert not (site.out / "blog" / "atom.xml").exists()  # ablog's invalid feed is not published


def test_base_url_follows_readthedocs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READTHEDOCS_CANONICAL_URL", "https://example.org/zh-cn/stable/")
    conf = runpy.run_path(str(REPO / "conf.py"))
    assert conf["html_baseurl"] == "https://example.org/zh-cn/stable/"  # feeds are built from it
    monkeypatch.delenv("READTHEDOCS_CANONICAL_URL")
    conf = runpy.run_path(str(REPO / "conf.py"))
    assert conf["html_baseurl"] == conf["DEFAULT_BASEURL"] != ""


def test_second_build_rebuilds_nothing(site: SiteBuild) -> None:
    """`make html` twice: no config change, no outdated or rewritten documents."""
    assert site.first.returncode == 0
    again = sphinx_build("-b", "html", *STRICT, "-d", site.doctrees, REPO, site.out)
    assert again.returncode == 0, again.stderr[-3000:]
    log = again.stdout
    assert "The configuration has changed" not in log
    assert "0 added, 0 changed, 0 removed" in log
    assert "looking for now-outdated files... none found" in log
    written = re.findall(r"writing output\.\.\. \[\s*\d+%\] (\S+)", log)
    assert written == [], f"rewrote {written}"
    assert warnings_of(again.stderr) == []


CARD_TITLE = re.compile(r'class="mlnotes-card-title"><a href="[^"]*">([^<]*)</a>')


def _titles_across_pages(first_page: Path) -> list[str]:
    """Card titles on a listing page and all its further pages."""
    found = []
    pages = [first_page, *sorted(first_page.with_suffix("").glob("page/*.html"), key=lambda p: int(p.stem))]
    for page in pages:
        found += [htmllib.unescape(t) for t in CARD_TITLE.findall(page.read_text(encoding="utf-8"))]
    return found


@pytest.mark.parametrize("post", posts(), ids=lambda p: p.stem)
def test_every_post_is_placed_in_the_tree(site: SiteBuild, post: Path) -> None:
    """Its area page, every ancestor's page, each tag page, the home list and the feeds show it."""
    source = post.read_text(encoding="utf-8")
    title = re.search(r"^# (.+)$", source, re.M).group(1).strip()
    area = re.search(r"^area: (.+)$", source, re.M).group(1).strip()
    parts = area.split("/")
    for depth in range(1, len(parts) + 1):
        page = site.out / "topics" / "area" / ("/".join(parts[:depth]) + ".html")
        assert title in _titles_across_pages(page), f"{post.name} missing from {page.name}"
    header = page_of(site, post).read_text(encoding="utf-8")
    meta = header.split("mlnotes-post-meta")[1].split("</p>")[0]
    tag_links = re.findall(r'class="mlnotes-term mlnotes-tag" href="([^"]+)"', meta)
    assert tag_links, "post header has no tag links"
    for link in tag_links:
        target = (page_of(site, post).parent / link).resolve()
        assert title in _titles_across_pages(target)
    latest = site.out / "topics" / "latest.html"
    home = _titles_across_pages(latest) if latest.exists() else []
    home += [htmllib.unescape(t) for t in CARD_TITLE.findall((site.out / "index.html").read_text(encoding="utf-8"))]
    home += [t for p in sorted((site.out / "topics" / "latest" / "page").glob("*.html"))
             for t in _titles_across_pages(p)]
    assert title in home
    feed = htmllib.unescape((site.out / "feeds" / "atom.xml").read_text(encoding="utf-8"))
    assert f"<title>{title}</title>" in feed
    area_feed = htmllib.unescape((site.out / "feeds" / "area" / f"{area}.xml").read_text(encoding="utf-8"))
    assert area_feed.count(f"<title>{title}</title>") == 1


@pytest.mark.parametrize("post", posts(), ids=lambda p: p.stem)
def test_every_cited_paper_has_a_page_listing_the_post(site: SiteBuild, post: Path) -> None:
    source = post.read_text(encoding="utf-8")
    title = re.search(r"^# (.+)$", source, re.M).group(1).strip()
    for key in set(cited_keys(source)):
        page = site.out / "topics" / "paper" / f"{key}.html"
        assert page.is_file(), f"{key} has no paper page"
        assert title in _titles_across_pages(page), f"{key}'s page does not list {post.name}"
        assert 'class="mlnotes-paper-card"' in page.read_text(encoding="utf-8")
    main = re.search(r"^paper: (\S+)$", source, re.M)
    if main:
        html = page_of(site, post).read_text(encoding="utf-8")
        assert html.count('class="mlnotes-paper-card"') == 1


def test_no_broken_internal_links(site: SiteBuild) -> None:
    """Every href/src in every page and feed reaches a file, every #anchor an element."""
    from mlnotes.cli.sitelinks import check_site

    conf = runpy.run_path(str(REPO / "conf.py"))
    problems = [f"{p.file}:{p.line}: {p.message}" for p in check_site(site.out, conf["DEFAULT_BASEURL"])]
    assert problems == []
