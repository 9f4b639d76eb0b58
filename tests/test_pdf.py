"""`make latexpdf`: every post and every cited paper is in the PDF, with CJK fonts embedded."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pybtex.database import parse_file

from bookorder import expected_book
from conftest import REPO, STRICT, posts, sphinx_build, warnings_of

FOOTCITE = re.compile(r"\{footcite:[a-z]+\}`([^`]+)`")
TOOLS = ("xelatex", "latexmk", "pdftotext", "pdffonts")


RUNNING_HEAD = re.compile(r"^[ \t]*\d+[ \t]*$|^[ \t]*\d+[ \t]{3,}\S.*$|^.*\S[ \t]{3,}\d+[ \t]*$|^.*发行版本.*$", re.M)


def without_running_heads(text: str) -> str:
    """Drop page numbers and running heads, which pdftotext puts in the middle of an entry
    that crosses a page break."""
    return RUNNING_HEAD.sub("", text)


def cited_keys() -> set[str]:
    """refs.bib keys the posts cite ({footcite}) or name as their main paper (``paper:``)."""
    keys: set[str] = set()
    for post in posts():
        source = post.read_text(encoding="utf-8")
        keys |= {key.strip() for group in FOOTCITE.findall(source) for key in group.split(",")}
        keys |= set(re.findall(r"^paper:\s*(\S+)", source, re.M))
    return keys


def squash(text: str) -> str:
    """Compare text across PDF line breaks, hyphenation and LaTeX's typographic quotes."""
    return re.sub(r"[\W_]+", "", text).casefold()


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("MLNOTES_NO_SYSTEM_DEPS"):
        pytest.skip("MLNOTES_NO_SYSTEM_DEPS is set")
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(
            f"PDF tools missing: {', '.join(missing)}; run `bash scripts/ensure-system-deps.sh` "
            "(as root it installs them; `make test` does this for you)"
        )
    out = tmp_path_factory.mktemp("pdf")
    result = sphinx_build("-M", "latexpdf", REPO, out, *STRICT)
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    assert warnings_of(result.stderr) == []
    log = (out / "latex" / "mlnotes.log").read_text(encoding="utf-8", errors="replace")
    assert "Missing character" not in log, "a character has no glyph in the chosen fonts"
    return out / "latex" / "mlnotes.pdf"


def pdf_text(pdf: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


#: a part's title page: "第一部分" alone on a line, the area's name below it
PART = re.compile(r"^\s*第([一二三四五六七八九十]+)部分\s*$", re.M)
#: a chapter's first page: "第 N 章" alone on a line (pdftotext spaces the big number oddly)
#: (running heads carry the title on the same line)
CHAPTER = re.compile(r"^\s*第\s*(\d+)\s*章\s*$", re.M)
#: the back matter's bibliography: its heading alone on a line
BIBLIOGRAPHY = re.compile(r"^\s*参考文献\s*$", re.M)


def openings(text: str) -> list[tuple[str, str]]:
    """("part" | "chapter", the text that follows the opening, squashed), in page order."""
    found = [(m.start(), "part", m.end()) for m in PART.finditer(text)]
    found += [(m.start(), "chapter", m.end()) for m in CHAPTER.finditer(text)]
    return [(kind, squash(text[end:end + 400])) for _, kind, end in sorted(found)]


def test_parts_in_taxonomy_order_chapters_in_date_order(pdf: Path) -> None:
    """The body of the book: one part per top-level area, then its posts oldest first, each
    post exactly one chapter; numbered 1..N across the book."""
    body = pdf_text(pdf, "-layout")
    got = openings(body)
    expected = [(kind, title) for part, chapters in expected_book()
                for kind, title in [("part", part), *(("chapter", c.title) for c in chapters)]]
    assert [kind for kind, _ in got] == [kind for kind, _ in expected]
    for (kind, following), (_, title) in zip(got, expected, strict=True):
        assert following.startswith(squash(title)), f"{kind} {title!r} is not where the book order puts it"
    numbers = [int(n) for n in CHAPTER.findall(body)]
    assert numbers == list(range(1, len(posts()) + 1))


def test_front_matter_then_one_bibliography_at_the_back(pdf: Path) -> None:
    text = pdf_text(pdf, "-layout")
    first_part = PART.search(text).start()
    front = squash(text[:first_part])
    assert front.index(squash("前言")) < front.index(squash("目录"))  # preface, then contents, before part one
    headings = list(BIBLIOGRAPHY.finditer(text))
    assert len(headings) == 1, "one bibliography, in the back matter (per-post ones are footnotes)"
    last_chapter = list(CHAPTER.finditer(text))[-1].start()
    assert headings[0].start() > last_chapter
    back = without_running_heads(text[headings[0].end():])
    bib = parse_file(REPO / "refs.bib")
    keys = cited_keys()
    assert keys
    squashed = squash(back)
    for key in sorted(keys):
        title = re.sub(r"[{}]", "", bib.entries[key].fields["title"])
        assert squash(title) in squashed, f"reference {key} is missing from the bibliography"
    labels = [int(n) for n in re.findall(r"^\s*\[(\d+)\]", back, re.M)]
    assert labels == list(range(1, len(keys) + 1)), "each cited paper exactly once"


def test_every_post_is_a_chapter(pdf: Path) -> None:
    text = squash(pdf_text(pdf))
    assert squash("目录") in text  # captions are Chinese, not babel's English "Contents"
    for post in posts():
        title = re.search(r"^# (.+)$", post.read_text(encoding="utf-8"), re.M).group(1)
        assert squash(title) in text, f"{post.name} is missing from the PDF"



def test_cjk_fonts_are_embedded(pdf: Path) -> None:
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:]]
    cjk = [row for row in rows if "CJK" in row[0]]
    assert cjk, listing
    # columns: name type encoding emb sub uni ... ; every CJK font embedded
    assert all(row[-5] == "yes" for row in cjk), listing
