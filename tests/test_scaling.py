"""What keeps a rebuild cheap when the site is large (issue 9), checked by behaviour, not by time.

* ablog's reference to each post's whole document is not kept in the environment unless ablog's
  full-text feeds need it (:func:`mlnotes.compat.ablog.keeps_post_documents`);
* a handful of changed documents is read in the main process even under ``-j`` (no worker ships
  the whole environment back), while many changed documents are still read in parallel, and the
  write phase gets its ``-j`` back (:mod:`mlnotes.readplan`).

The corpus is the benchmark's (``tools.bench.write_corpus``) with the site's own ``conf.py``.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from sphinx.util.console import strip_colors

from conftest import REPO
from mlnotes.read.readplan import read_serially
from tools import bench

N = 12


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return bench.mlnotes_corpus(tmp_path, N, REPO)


def build_warnings(app) -> list[str]:
    """Warnings of the build (a second app in one test re-registers Sphinx's nodes: not ours)."""
    lines = strip_colors(app._warning.getvalue()).splitlines()
    return [line for line in lines if "WARNING" in line and "is already registered" not in line]


def posts(src: Path) -> list[Path]:
    return sorted((src / "posts").rglob("*.md"))


def test_post_documents_are_not_kept_when_nothing_reads_them(make_app, corpus: Path) -> None:
    app = make_app("html", srcdir=corpus, parallel=2)
    app.build()
    assert build_warnings(app) == []
    records = app.env.ablog_posts
    assert len(records) == N
    assert all(info["doctree"] is None for infos in records.values() for info in infos)
    # what ablog does use is still there: the excerpt nodes, with the post's first paragraph
    first = records[bench.post_path(Path(), 0).with_suffix("").as_posix()][0]
    assert "合成笔记" not in "".join(n.astext() for n in first["excerpt"])  # the title is not the excerpt
    assert first["excerpt"] and first["excerpt"][0].astext().strip()
    # and the saved environment holds no docutils document at all
    saved = pickle.loads((Path(app.doctreedir) / "environment.pickle").read_bytes())
    assert all(info["doctree"] is None for infos in saved.ablog_posts.values() for info in infos)


def test_post_documents_are_kept_for_ablog_full_text_feeds(make_app, corpus: Path) -> None:
    app = make_app("html", srcdir=corpus, confoverrides={
        "blog_baseurl": "https://notes.example.org/", "blog_feed_fulltext": True})
    app.build()
    infos = [info for infos in app.env.ablog_posts.values() for info in infos]
    assert len(infos) == N
    assert all(info["doctree"] is not None and "合成笔记" in info["doctree"].astext() for info in infos)


@pytest.mark.parametrize(("to_read", "known", "serial"), [
    (1, 0, True), (5, 0, True), (6, 0, False),          # a cold build of a tiny site: as Sphinx 8 did
    (1, 1000, True), (99, 1000, True), (100, 1000, False), (1000, 1000, False),
])
def test_read_plan(to_read: int, known: int, serial: bool) -> None:
    assert read_serially(to_read, known) is serial


def _merges_during(make_app, src: Path) -> tuple[int, object]:
    app = make_app("html", srcdir=src, parallel=2)
    merged: list[int] = []
    app.connect("env-merge-info", lambda app, env, docnames, other: merged.append(len(docnames)))
    jobs_at_write: list[int] = []
    app.connect("write-started", lambda app, builder: jobs_at_write.append(app.parallel))
    app.build()
    assert build_warnings(app) == []
    assert jobs_at_write == [2] and app.parallel == 2  # writing keeps -j 2
    return sum(merged), app


def test_one_edited_post_is_read_in_the_main_process(make_app, corpus: Path) -> None:
    cold, _ = _merges_during(make_app, corpus)
    assert cold == N + 1  # every post and the home page came back from a worker
    post = posts(corpus)[-1]
    bench.edit_body(post, 1)
    merged, app = _merges_during(make_app, corpus)
    assert merged == 0
    page = Path(app.outdir) / post.relative_to(corpus).with_suffix(".html")
    assert "修订第一次" in page.read_text(encoding="utf-8")


def test_many_changed_posts_are_still_read_in_parallel(make_app, corpus: Path) -> None:
    _merges_during(make_app, corpus)
    for i, post in enumerate(posts(corpus)):
        bench.edit_body(post, i + 1)
    merged, app = _merges_during(make_app, corpus)
    assert merged == N
    for post in posts(corpus):
        page = Path(app.outdir) / post.relative_to(corpus).with_suffix(".html")
        assert "修订" in page.read_text(encoding="utf-8")


def _search_index(app) -> str:
    return (Path(app.outdir) / "searchindex.js").read_text(encoding="utf-8")


INDEX_STATE = ("_mapping", "_title_mapping", "_titles", "_filenames", "_all_titles")


def _copy_of(indexer: object) -> object:
    import copy

    clone = copy.copy(indexer)
    for name in INDEX_STATE:
        setattr(clone, name, copy.deepcopy(getattr(indexer, name)))
    return clone


def test_fast_prune_prunes_like_sphinx_and_drops_empty_terms(make_app, corpus: Path) -> None:
    from mlnotes.compat import sphinx as search

    app = make_app("html", srcdir=corpus)
    app.build()
    indexer = app.builder.indexer
    assert "prune" in vars(indexer)  # the set-based prune was installed for this build
    # keep every document but one, given as a dict like Sphinx's env.all_docs
    dropped = posts(corpus)[0].relative_to(corpus).with_suffix("").as_posix()
    keep = {d: 0 for d in app.env.all_docs if d != dropped}
    theirs, ours = _copy_of(indexer), _copy_of(indexer)
    type(indexer).prune(theirs, keep)
    search._prune_with_a_set(ours, keep)
    for name in INDEX_STATE:
        expected = getattr(theirs, name)
        if name in ("_mapping", "_title_mapping"):  # ours also drops the terms left with no document
            expected = {term: found for term, found in expected.items() if found}
        assert getattr(ours, name) == expected, name
    assert any(not found for found in theirs._mapping.values())  # the dropped post had a word of its own
    assert dropped in indexer._titles and dropped not in ours._titles
    assert not any(dropped in docs for docs in ours._mapping.values())


def test_a_removed_post_leaves_the_search_index(make_app, corpus: Path) -> None:
    make_app("html", srcdir=corpus).build()
    gone = posts(corpus)[0]
    docname = gone.relative_to(corpus).with_suffix("").as_posix()
    app = make_app("html", srcdir=corpus)
    assert f'"{docname}"' in _search_index(app)
    gone.unlink()
    app.build()
    assert build_warnings(app) == []
    index = _search_index(app)
    kept = posts(corpus)[1].relative_to(corpus).with_suffix("").as_posix()
    assert f'"{docname}"' not in index and f'"{kept}"' in index


def test_the_environment_is_frozen_for_the_write_and_handed_back(make_app, corpus: Path) -> None:
    import gc

    app = make_app("html", srcdir=corpus, parallel=2)
    during: list[int] = []
    app.connect("write-started", lambda app, builder: during.append(gc.get_freeze_count()))
    app.build()
    assert build_warnings(app) == []
    # the environment's objects (tens of thousands even for this small corpus) were frozen ...
    assert during and during[0] > 10_000
    # ... and handed back to the collector when the build finished
    assert gc.get_freeze_count() == 0


def test_search_index_is_the_same_build_after_build_and_with_sphinx_own_prune(make_app, corpus: Path,
                                                                               tmp_path: Path) -> None:
    """Three builds of one corpus in one process: the second must not segment differently
    (jieba's user dictionary loaded once), and the third, with Sphinx's own prune, must agree."""
    import shutil

    from mlnotes.compat import sphinx as search

    indexes = []
    for i, ours in enumerate((True, True, False)):
        src = tmp_path / f"copy{i}"
        shutil.copytree(corpus, src)
        app = make_app("html", srcdir=src)
        if not ours:
            for listener in list(app.events.listeners["html-collect-pages"]):
                if listener.handler is search.fast_prune:
                    app.disconnect(listener.id)
        app.build()
        assert ("prune" in vars(app.builder.indexer)) is ours
        indexes.append(_search_index(app))
    assert json.dumps("合成")[1:-1] in indexes[0]  # Chinese terms (the index escapes them)
    assert indexes[0] == indexes[1] == indexes[2]
