"""Incremental rebuilds on the benchmark corpus: what an edit rewrites, by content hash.

The corpus is the one ``make bench`` generates (``tools.bench.write_corpus``), built with the
site's own ``conf.py`` and the options of ``make html`` (strict, ``-j auto``).  No timing here:
only which output files change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO, STRICT, sphinx_build, warnings_of
from tools import bench

N = 25

#: Sphinx writes these two on every build (same bytes); everything else must be left alone
ALWAYS_WRITTEN = {"genindex.html", "search.html"}


@dataclass
class Corpus:
    src: Path
    out: Path

    def build(self) -> str:
        result = sphinx_build("-b", "html", *STRICT, "-j", "auto", "-d", self.out / ".doctrees", self.src, self.out)
        assert result.returncode == 0, result.stderr[-3000:]
        assert warnings_of(result.stderr) == []
        return result.stderr

    def state(self) -> dict[str, tuple[int, str]]:
        """Every output file (not the doctrees) → (mtime, sha256)."""
        found = {}
        for path in self.out.rglob("*"):
            rel = path.relative_to(self.out).as_posix()
            if path.is_file() and not rel.startswith(".doctrees/"):
                found[rel] = (path.stat().st_mtime_ns, hashlib.sha256(path.read_bytes()).hexdigest())
        return found

    @property
    def newest(self) -> Path:
        return bench.newest_post(self.src)

    def page_of(self, post: Path) -> str:
        return post.relative_to(self.src).with_suffix(".html").as_posix()

    def source_copy(self, post: Path) -> str:
        """Sphinx's copy of the source ("show source" link)."""
        return "_sources/" + post.relative_to(self.src).as_posix() + ".txt"


def changed(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> set[str]:
    """Files whose bytes changed; the split search index's files (``_search/…``: its manifest, the
    shards of the words that changed, the page's text blocks) count as one, ``_search/``."""
    return {"_search/" if p.startswith("_search/") else p for p in before.keys() | after.keys()
            if before.get(p, (0, ""))[1] != after.get(p, (0, ""))[1]}


def written(before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]) -> set[str]:
    """Pages and feeds whose file was (re)written, same bytes or not.  (Sphinx also rewrites its
    static assets, objects.inv and the search index on every build; those are not pages.)"""
    return {p for p in after if p.endswith((".html", ".xml")) and before.get(p, (0, ""))[0] != after[p][0]}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Corpus:
    root = tmp_path_factory.mktemp("bench-corpus")
    built = Corpus(bench.mlnotes_corpus(root, N, REPO), root / "out")
    built.build()
    return built


def test_corpus_has_what_the_issue_asks(corpus: Corpus) -> None:
    text = corpus.newest.read_text(encoding="utf-8")
    body = text.split("---", 2)[2]
    han = sum("\u4e00" <= ch <= "\u9fff" for ch in body)
    assert 750 <= han <= 900
    assert "\n# " in body and "\n## " in body and "$$" in body and "```python" in body
    assert body.count("{footcite:") == 2
    front = text.split("---", 2)[1]
    assert "\narea: a" in front and len(front.split("\ntags: ")[1].splitlines()[0].split(", ")) == 3


def test_nothing_lost_on_the_bench_corpus(corpus: Corpus) -> None:
    assert bench.audit_corpus(corpus.src, corpus.out) == []
    # the audit looked at real listings: the newest post is on the home page and its tag pages
    home = (corpus.out / "index.html").read_text(encoding="utf-8")
    assert "合成笔记" + bench._han_number(N - 1) in home


def test_no_change_rebuild_rewrites_nothing(corpus: Corpus) -> None:
    before = corpus.state()
    corpus.build()
    after = corpus.state()
    assert changed(before, after) == set()
    assert written(before, after) <= ALWAYS_WRITTEN


def test_body_edit_rewrites_only_that_post(corpus: Corpus) -> None:
    post = corpus.newest
    before = corpus.state()
    bench.edit_body(post, 1)
    corpus.build()
    after = corpus.state()
    # the page itself, its source copy and the search index; no listing shows this paragraph
    # search.html carries the split index's stamp and the list of its shards, so it changes with it
    assert changed(before, after) == {corpus.page_of(post), corpus.source_copy(post), "searchindex.js", "_search/",
                                      "search.html"}
    assert written(before, after) - ALWAYS_WRITTEN == {corpus.page_of(post)}
    assert "修订第一次" in (corpus.out / corpus.page_of(post)).read_text(encoding="utf-8")


def test_excerpt_edit_rewrites_the_post_and_pages_showing_its_excerpt(corpus: Corpus) -> None:
    post = corpus.newest
    front = post.read_text(encoding="utf-8").split("---", 2)[1]
    area = front.split("\narea: ")[1].splitlines()[0]
    before = corpus.state()
    bench.edit_excerpt(post, 2)
    corpus.build()
    after = corpus.state()
    diff = changed(before, after)
    sentence = bench.EXCERPT_MARK + "修订第二次。"
    showing = {p for p in after if p.endswith((".html", ".xml"))
               and sentence in (corpus.out / p).read_text(encoding="utf-8")}
    # exactly the pages that show the new excerpt, plus the source copy and the search index
    # (mlnotes' own bookkeeping stays next to the doctrees, out of the published output)
    assert diff == showing | {corpus.source_copy(post), "searchindex.js", "_search/", "search.html"}
    assert written(before, after) - ALWAYS_WRITTEN == showing
    top = area.split("/")[0]
    expected = {corpus.page_of(post), "index.html", "feeds/atom.xml",
                f"topics/area/{top}.html", f"topics/area/{area}.html",
                f"feeds/area/{top}.xml", f"feeds/area/{area}.xml"}
    assert expected <= diff
    tag_pages = {p for p in diff if p.startswith("topics/tag/")}
    tag_feeds = {p for p in diff if p.startswith("feeds/tag/")}
    paper_pages = {p for p in diff if p.startswith("topics/paper/")}
    assert len(tag_pages) == 3 and len(tag_feeds) == 3 and len(paper_pages) == 2
    # no other post's page, and no listing page that does not show this post, was touched
    others = {p for p in diff if p.startswith("posts/")} - {corpus.page_of(post)}
    assert others == set()
