"""The smallest site (``extensions = ["mlnotes"]``, English, every other setting at its default):
mlnotes sets up what it needs itself, says at configuration time what is missing, finds the
references by structure whatever their heading, and its defaults name nothing of this site's."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from sphinx.errors import ConfigError
from sphinx.util.console import strip_colors

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def minimal(rootdir: Path, tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-minimal", src)
    return src


@pytest.fixture
def built(make_app, minimal: Path):
    app = make_app("html", srcdir=minimal)
    app.build()
    return app


def test_mlnotes_alone_builds_without_warnings(built) -> None:
    # before: MyST was not set up (no index.md, so "unable to load the master document"), and
    # with myst_parser listed but not sphinxcontrib.bibtex: "Unknown interpreted text role footcite:p"
    assert strip_colors(built._warning.getvalue()) == ""
    page = (built.outdir / "posts" / "vit.html").read_text(encoding="utf-8")
    assert 'href="#footcite-vit2021"' in page  # {footcite:p} became a footnote reference
    assert "An image is worth 16x16 words" in page


def test_without_bibfiles_one_config_error(make_app, minimal: Path) -> None:
    conf = minimal / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8").replace('bibtex_bibfiles = ["refs.bib"]\n', ""), encoding="utf-8")
    expected = ('bibtex_bibfiles is not set: add e.g. bibtex_bibfiles = ["refs.bib"] to conf.py '
                "(the BibTeX files posts cite from; [] for a site that cites nothing)")
    with pytest.raises(ConfigError) as caught:
        make_app("html", srcdir=minimal)
    assert str(caught.value) == expected


def test_blocks_go_before_a_references_heading_in_english(built) -> None:
    """The related notes and the BibTeX block sit before the references section, found by the
    bibliography it holds, not by its heading ("References" here, "参考文献" on the site)."""
    page = (built.outdir / "posts" / "vit.html").read_text(encoding="utf-8")
    cite = page.index('class="mlnotes-cite"')
    references = page.index('<section id="references">')
    method = page.index('<section id="method">')
    assert method < cite < references


def test_neutral_defaults(built) -> None:
    out = built.outdir
    # mlnotes_cite_key_prefix: derived from project ("Vision Notes")
    bib = (out / "posts.bib").read_text(encoding="utf-8")
    assert "@misc{vision-notes-vit," in bib
    assert "@misc{vision-notes-vit," in (out / "posts" / "vit.html").read_text(encoding="utf-8")
    # the feed's title: project (no blog_title, no html_title), never ablog's default "Blog"
    feed = ET.parse(out / "feeds" / "atom.xml").getroot()
    assert feed.findtext(f"{ATOM}title") == "Vision Notes"
    # mlnotes_timezone: UTC
    assert feed.find(f"{ATOM}entry").findtext(f"{ATOM}published") == "2024-03-01T00:00:00+00:00"


def test_site_title_from_html_title_then_blog_title(make_app, minimal: Path) -> None:
    conf = minimal / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + 'html_title = "ViT Reading Group"\n', encoding="utf-8")
    app = make_app("html", srcdir=minimal)
    app.build()
    feed = ET.parse(app.outdir / "feeds" / "atom.xml").getroot()
    assert feed.findtext(f"{ATOM}title") == "ViT Reading Group"
    # blog_title first, also when given with -D
    app = make_app("html", srcdir=minimal, confoverrides={"blog_title": "ViT Notes"})
    app.build()
    feed = ET.parse(app.outdir / "feeds" / "atom.xml").getroot()
    assert feed.findtext(f"{ATOM}title") == "ViT Notes"


def test_cite_key_prefix_setting(make_app, minimal: Path) -> None:
    app = make_app("html", srcdir=minimal, confoverrides={"mlnotes_cite_key_prefix": "vn"})
    app.build()
    assert "@misc{vn-vit," in (app.outdir / "posts.bib").read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match=r"mlnotes_cite_key_prefix: 'my notes' cannot start a BibTeX key"):
        make_app("html", srcdir=minimal, confoverrides={"mlnotes_cite_key_prefix": "my notes"})


def test_english_only_taxonomy(built) -> None:
    """Terms with only a name: the term page shows it, with no other-language subtitle."""
    page = (built.outdir / "topics" / "area" / "cv" / "backbones.html").read_text(encoding="utf-8")
    assert re.search(r"<h1>Vision backbones</h1>", page)
    post = (built.outdir / "posts" / "vit.html").read_text(encoding="utf-8")
    assert ">Transformer</a>" in post  # the alias "ViT" resolved to the tag's name


def test_no_bookkeeping_in_the_output(built) -> None:
    """What the extension records for the next build lives next to the doctrees."""
    names = [p.name for p in built.outdir.rglob("*")]
    assert not [n for n in names if n.startswith("mlnotes-") and n.endswith(".json")]
    assert [n for n in names if n.startswith(".")] == [".buildinfo"]  # Sphinx's own
