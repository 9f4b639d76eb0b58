"""The nothing-lost audit of `make check`: it passes on a complete build and names what is lost."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from mlnotes.cli.check import Step, audit, report


@pytest.fixture
def built(make_app, rootdir, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-taxonomy", src)
    for bad in ("bad.md", "missing.md"):  # this scenario is about a clean site
        (src / "posts" / bad).unlink()
    app = make_app("html", srcdir=src)
    app.build()
    return Path(app.outdir), Path(app.doctreedir)


def test_complete_build_passes(built) -> None:
    out, doctrees = built
    lost, drafts = audit(out, doctrees, None)
    assert lost.failures == [] and lost.notes == ["3 published posts audited (0 figures)"]
    assert drafts.ok and drafts.notes == ["posts/future: dated 2999-01-01"]


def test_lost_entries_are_named(built) -> None:
    out, doctrees = built
    tag_page = out / "topics" / "tag" / "llm.html"
    card_a = r'<article class="mlnotes-card">(?:(?!</article>).)*文章 A(?:(?!</article>).)*</article>'
    tag_page.write_text(re.sub(card_a, "", tag_page.read_text(encoding="utf-8"), flags=re.S), encoding="utf-8")
    (out / "feeds" / "area" / "cv.xml").unlink()
    (out / "posts" / "c.html").unlink()
    lost, _ = audit(out, doctrees, None)
    assert sorted(lost.failures) == [
        "posts/a: missing from feeds/area/cv.xml, topics/tag/llm",
        "posts/b: missing from feeds/area/cv.xml",
        "posts/c: missing from its HTML page",
    ]


def test_a_published_draft_is_a_failure(built) -> None:
    out, doctrees = built
    feed = out / "feeds" / "atom.xml"
    entry = "<entry><title>未来的文章</title></entry>"
    feed.write_text(feed.read_text(encoding="utf-8").replace("</feed>", entry + "</feed>"), encoding="utf-8")
    _, drafts = audit(out, doctrees, None)
    assert drafts.failures == ["posts/future: draft appears in the public feed or home list"]


def test_summary_and_exit_code(capsys) -> None:
    assert report([Step("a"), Step("b", notes=["x"])]) == 0
    assert report([Step("a"), Step("b", failures=["broken"])]) == 1
    out = capsys.readouterr().out
    assert "  b  FAILED (1)" in out and "  - b: broken" in out and out.rstrip().endswith("mlnotes check: FAILED")


def test_check_on_a_post_with_an_impossible_date_reports_it_without_a_traceback(rootdir, tmp_path, capsys) -> None:
    """`make check` reads posts the way the build does (its audit record), so a post the build
    rejects is reported by the strict build, located, and the audit still runs."""
    from mlnotes.cli.check import main

    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-taxonomy", src)
    for bad in ("bad.md", "missing.md"):
        (src / "posts" / bad).unlink()
    post = src / "posts" / "c.md"
    post.write_text(re.sub(r"^date: .*$", "date: 2024-13-45", post.read_text(encoding="utf-8"), count=1, flags=re.M),
                    encoding="utf-8")
    assert main(["--root", str(src), "--builddir", str(tmp_path / "check"), "--skip", "html", "--skip", "feeds"]) == 1
    out = capsys.readouterr().out
    assert "Traceback" not in out
    assert re.search(r"strict build \(-n -W --keep-going\): .*posts/c\.md:\d+: "
                     r"WARNING: invalid post date '2024-13-45'", out)
    assert "nothing lost" in out and "2 published posts audited" in out
    # MyST drops front matter YAML cannot load, so the post is no post at all: the audit says so
    assert "nothing lost: posts/c: says it is a post but the build did not read it as one" in out
