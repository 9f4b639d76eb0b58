"""Every built page is valid HTML: the Nu HTML Checker (vnu.jar from npm, on the machine's Java)
reports no error on any page of the real site, and it does report a broken page."""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path

import pytest

from conftest import REPO, SiteBuild
from localsite import require
from mlnotes.cli.htmlcheck import HtmlError, find_vnu, validate


@pytest.fixture(scope="module")
def vnu() -> tuple[str, Path]:
    java, jar = find_vnu(REPO)
    require([name for name, ok in (("java", java), (f"{jar or 'tests/browser/node_modules/vnu-jar'}", jar)) if not ok],
            "a JRE via scripts/ensure-system-deps.sh, vnu-jar via npm ci in tests/browser")
    return java, jar  # type: ignore[return-value]  # require() skipped the test when either is None


def _report(errors: list[HtmlError], root: Path) -> str:
    return f"{len(errors)} HTML errors:\n" + "\n".join(e.format(root) for e in errors)


def test_every_page_of_the_site_is_valid_html(site: SiteBuild, vnu: tuple[str, Path]) -> None:
    assert site.first.returncode == 0, site.first.stderr[-3000:]
    pages = sorted(site.out.rglob("*.html"))
    kinds = {p.relative_to(site.out).parts[0] for p in pages}
    # every kind of page is there to be checked: posts, docs, generated topics pages, search, home
    assert {"posts", "docs", "topics", "search.html", "index.html", "genindex.html"} <= kinds
    assert len(pages) > 300
    errors = validate(pages, *vnu)
    assert errors == [], _report(errors, site.out)


def test_ablog_collection_pages_are_gone(site: SiteBuild) -> None:
    """ablog's blog/ pages (invalid HTML) are replaced by ours; nothing links to a blog/ URL."""
    assert not (site.out / "blog").exists() and not (site.out / "blog.html").exists()
    links = 0
    for page in site.out.rglob("*.html"):
        rel = page.relative_to(site.out).as_posix()
        text = page.read_text(encoding="utf-8")
        assert "ablog-sidebar-item" not in text, rel
        for raw in re.findall(r'(?:href|src)="([^"]*)"', text):
            href = html.unescape(raw).split("#")[0].split("?")[0]
            if not href or ":" in href:
                continue
            links += 1
            target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), href))
            assert not (target == "blog.html" or target.startswith("blog/")), f"{rel} links to {href}"
    assert links > 10000
    # the sidebars of a post link to our pages instead
    clip = (site.out / "posts" / "2026" / "clip.html").read_text(encoding="utf-8")
    sidebar = clip[clip.index("sidebar-primary-items__start"):clip.index('id="main-content"')]
    for target in ("../../topics/tag/clip.html", "../../topics/area/multimodal/contrastive.html",
                   "../../topics/series/vl-path.html", "../../topics/index.html", "../../index.html"):
        assert f'href="{target}"' in sidebar, target


def test_a_broken_page_fails(tmp_path: Path, vnu: tuple[str, Path]) -> None:
    # what ablog's list pages used to have: div in ul, a stray </p>, duplicate ids with spaces
    nested = tmp_path / "blog" / "tag"
    nested.mkdir(parents=True)
    broken = nested / "broken.html"
    broken.write_text(
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head><meta charset="utf-8"><title>坏页面</title></head>\n<body>\n'
        '<ul>\n<div id="ablog-sidebar-item tags">标签</div>\n</ul>\n'
        "<p>段落</p></p>\n"
        '<span id="ablog-sidebar-item tags"></span>\n'
        "</body>\n</html>\n",
        encoding="utf-8",
    )
    good = tmp_path / "good.html"
    good.write_text('<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>好</title></head>'
                    "<body><ul><li>条目</li></ul></body></html>\n", encoding="utf-8")
    errors = validate([tmp_path], *vnu)  # a directory is checked recursively
    report = _report(errors, tmp_path)
    assert {e.file for e in errors} == {broken}, report
    lines = {(e.line, e.message.split(" (")[0]) for e in errors}
    assert (6, "Element “div” not allowed as child of element “ul” in this context.") in lines, report
    assert (8, "No “p” element in scope but a “p” end tag seen.") in lines, report
    assert any(line == 9 and message.startswith("Duplicate ID") for line, message in lines), report
    assert any("must not contain whitespace" in e.message for e in errors), report
    assert "blog/tag/broken.html:6: Element “div” not allowed" in report
