"""A facet registered at run time by the site's own conf.py (tests/roots/test-facet-plugin) gets
everything a built-in facet gets: term pages and feeds, links in the post header and on the
sidebar card, its own sidebar block, words for the search segmenter, the book's parts, and a
place in the nothing-lost audit.  The core names no facet: it only asks the interface."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mlnotes.cli.check import audit
from mlnotes.site.audit import FILE as AUDIT_FILE
from mlnotes.site.search import DICT_NAME

pytestmark = pytest.mark.sphinx("html", testroot="facet-plugin")


@pytest.fixture
def built(app):
    app.build()
    warnings = [w for w in app._warning.getvalue().splitlines() if "WARNING" in w]
    assert warnings == []
    return app


def test_term_pages_and_feeds(built) -> None:
    coco = (built.outdir / "topics" / "dataset" / "coco.html").read_text(encoding="utf-8")
    assert re.findall(r'class="mlnotes-card-title"><a href="[^"]*">([^<]*)</a>', coco) == ["文章 C", "文章 A"]
    feed = (built.outdir / "feeds" / "dataset" / "imagenet.xml").read_text(encoding="utf-8")
    assert "<title>文章 B</title>" in feed and "文章 A" not in feed


def test_post_header_and_sidebar(built) -> None:
    page = (built.outdir / "posts" / "a.html").read_text(encoding="utf-8")
    header = page.split('class="mlnotes-post-meta"')[1].split("</p>")[0]
    assert '<span class="mlnotes-facet-label">数据集</span> <a class="mlnotes-term mlnotes-dataset" ' \
           'href="../topics/dataset/coco.html">通用物体数据集</a>' in header
    card = page.split('class="mlnotes-sidebar mlnotes-postcard"')[1].split("</section>")[0]
    assert "<dt>数据集</dt>" in card and 'href="../topics/dataset/coco.html">通用物体数据集</a>' in card
    cloud = page.split('class="mlnotes-sidebar mlnotes-datasetcloud"')[1].split("</nav>")[0]
    assert re.findall(r'title="(\d) 篇">([^<]*)</a>', cloud) == [("1", "大规模图像分类"), ("2", "通用物体数据集")]


def test_search_vocabulary(built) -> None:
    words = (Path(built.doctreedir) / DICT_NAME).read_text(encoding="utf-8").splitlines()
    assert "通用物体数据集 100000 n" in words and "大规模图像分类 100000 n" in words


def test_book_parts_follow_the_plugin_facet(app_params, make_app) -> None:
    args, kwargs = app_params
    latex = make_app("latex", *args[1:], **kwargs)
    latex.build()
    tex = (latex.outdir / "book.tex").read_text(encoding="utf-8")
    parts = re.findall(r"\\part\{([^}]*)\}", tex)
    assert parts == ["通用物体数据集", "大规模图像分类"]  # the facet's vocabulary order, not the area's


def test_audit_checks_the_plugin_facet(built) -> None:
    out, doctrees = Path(built.outdir), Path(built.doctreedir)
    expected = json.loads((doctrees / AUDIT_FILE).read_text(encoding="utf-8"))
    a = next(p for p in expected["published"] if p["docname"] == "posts/a")
    assert {"page": "topics/dataset/coco.html", "feed": "feeds/dataset/coco.xml", "name": "topics/dataset/coco"} \
        in a["listings"]
    lost, _ = audit(out, doctrees, None)
    assert lost.failures == []
    (out / "feeds" / "dataset" / "coco.xml").unlink()
    lost, _ = audit(out, doctrees, None)
    assert sorted(lost.failures) == ["posts/a: missing from feeds/dataset/coco.xml",
                                    "posts/c: missing from feeds/dataset/coco.xml"]
