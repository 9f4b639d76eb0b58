"""`make epub`: a valid EPUB 3 (epubcheck) whose reading order and navigation are the book's."""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from bookorder import expected_book
from conftest import REPO, STRICT, sphinx_build, warnings_of

OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
EPUBCHECK = Path("/usr/share/java/epubcheck.jar")


@pytest.fixture(scope="module")
def epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("epub")
    result = sphinx_build("-b", "epub", *STRICT, "-d", out / "doctrees", REPO, out / "epub")
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    assert warnings_of(result.stderr) == []
    return out / "epub" / "mlnotes.epub"


def epubcheck_command() -> list[str]:
    # Debian's /usr/bin/epubcheck is the jar itself (run through binfmt_misc where configured)
    jar = EPUBCHECK if EPUBCHECK.is_file() else Path(shutil.which("epubcheck") or "/nonexistent").resolve()
    if os.environ.get("MLNOTES_NO_SYSTEM_DEPS"):
        pytest.skip("MLNOTES_NO_SYSTEM_DEPS is set")
    if not jar.is_file() or shutil.which("java") is None:
        pytest.fail("epubcheck or java missing; run `bash scripts/ensure-system-deps.sh` (`make test` does)")
    return ["java", "-jar", str(jar)]


def package(path: Path) -> tuple[ET.Element, str]:
    with zipfile.ZipFile(path) as z:
        return ET.fromstring(z.read("content.opf")), z.read("nav.xhtml").decode("utf-8")


def test_epubcheck_reports_no_errors_and_no_warnings(epub: Path) -> None:
    result = subprocess.run([*epubcheck_command(), str(epub)], check=False, capture_output=True, text=True, timeout=600)
    report = result.stdout + result.stderr
    counts = re.search(r"Messages: (\d+) fatals? / (\d+) errors? / (\d+) warnings?", report)
    if counts is None:  # a clean run prints only "No errors or warnings detected."
        assert "No errors or warnings detected" in report, report[-3000:]
    else:
        assert counts.groups()[:3] == ("0", "0", "0"), report[-5000:]
    assert result.returncode == 0, report[-3000:]


def test_spine_is_the_book_in_order_every_post_linear(epub: Path) -> None:
    opf, _ = package(epub)
    hrefs = {item.get("id"): item.get("href") for item in opf.iter(f"{OPF}item")}
    spine = [(hrefs[ref.get("idref")], ref.get("linear", "yes") != "no") for ref in opf.iter(f"{OPF}itemref")]
    linear = [href for href, is_linear in spine if is_linear]
    expected = ["book.xhtml"]
    for _part, chapters in expected_book():
        expected.append(next(h for h in linear if h.startswith("mlnotes-part-") and h not in expected))
        expected += [c.docname + ".xhtml" for c in chapters]
    expected.append("mlnotes-bibliography.xhtml")
    assert linear == expected
    assert not [h for h, is_linear in spine if h.startswith("posts/") and not is_linear]


def test_nav_lists_the_areas_with_their_posts(epub: Path) -> None:
    _, nav = package(epub)
    toc = nav.split('epub:type="toc"', 1)[1].split("</nav>", 1)[0]
    titles = [re.sub(r"\s+", " ", t).strip() for t in re.findall(r"<a [^>]*>([^<]*)</a>", toc)]
    expected = ["mlnotes 机器学习论文笔记"]
    for part, chapters in expected_book():
        expected += [part, *(c.title for c in chapters)]
    expected.append("参考文献")
    assert [html.unescape(t) for t in titles] == expected
    # areas are the first level, posts nested under them
    assert re.search(r"<li>\s*<a [^>]*>多模态</a>\s*<ol>", toc)


def test_chinese_metadata(epub: Path) -> None:
    opf, _ = package(epub)
    assert [e.text for e in opf.iter(f"{DC}language")] == ["zh-CN"]
    assert [e.text for e in opf.iter(f"{DC}title")] == ["mlnotes 机器学习论文笔记"]
    with zipfile.ZipFile(epub) as z:
        first = z.read("book.xhtml").decode("utf-8")
    assert 'xml:lang="zh-CN"' in first and "前言" in first
