"""The per-document store (mlnotes.read.collector): dropped with a document, merged from
parallel readers, the same after an incremental rebuild as after a clean build; refs.bib parsed
once per build."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pybtex.database
import pytest

from mlnotes.core.records import DocStore, doc_store
from mlnotes.read.collector import DocCollector

ROOT = Path(__file__).resolve().parent / "roots" / "test-book"


def _copy(tmp_path: Path, name: str) -> Path:
    src = tmp_path / name
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns("_build"))
    return src


def _build(make_app: Callable[..., Any], srcdir: Path, **kwargs: Any) -> DocStore:
    app = make_app("html", srcdir=srcdir, **kwargs)
    app.build()
    # a second app in one process re-registers Sphinx's own nodes; that notice is no problem of ours
    warnings = [line for line in app.warning.getvalue().splitlines()
                if "WARNING" in line and "is already registered" not in line]
    assert not warnings, warnings
    return doc_store(app.env)


def _plain(store: DocStore) -> dict[str, Any]:
    data = asdict(store)
    data["latest_docs"] = sorted(data["latest_docs"])
    return data


def test_store_is_filled(make_app: Callable[..., Any], tmp_path: Path) -> None:
    store = _build(make_app, _copy(tmp_path, "src"))
    assert "posts/t-alpha" in store.records
    assert "posts/t-alpha" in store.reading
    assert "index" in store.latest_docs
    assert list(store.book_docs) == ["book"]
    assert store.descriptions["book"] == "前言正文。"
    assert store.pending_facets == {}, "the front-matter terms wait only until the record is made"


def test_removed_document_is_dropped(make_app: Callable[..., Any], tmp_path: Path) -> None:
    srcdir = _copy(tmp_path, "src")
    before = _build(make_app, srcdir)
    assert "posts/t-beta" in before.records
    (srcdir / "posts" / "t-beta.md").unlink()
    after = _build(make_app, srcdir)
    assert "posts/t-beta" not in after.records
    assert "posts/t-beta" not in after.reading
    assert "posts/t-beta" not in after.descriptions
    assert "posts/t-beta" not in after.book_docs.get("book", [])
    clean = _build(make_app, _copy(tmp_path, "clean"))
    del clean.records["posts/t-beta"], clean.reading["posts/t-beta"], clean.descriptions["posts/t-beta"]
    assert set(after.records) == set(clean.records)


def test_ablog_reads_a_post_before_the_collector(make_app: Callable[..., Any], tmp_path: Path) -> None:
    """process_doc needs ablog's entry: Sphinx calls listeners of one priority in connection order."""
    from operator import attrgetter

    from ablog import process_posts

    app = make_app("html", srcdir=_copy(tmp_path, "src"))
    listeners = sorted(app.events.listeners["doctree-read"], key=attrgetter("priority"))
    handlers = [listener.handler for listener in listeners]
    mine = next(i for i, h in enumerate(handlers) if isinstance(getattr(h, "__self__", None), DocCollector))
    assert handlers.index(process_posts) < mine


def test_parallel_read_gives_the_same_store(make_app: Callable[..., Any], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    serial = _build(make_app, _copy(tmp_path, "serial"))
    merged: list[str] = []
    real = DocCollector.merge_other

    def counting(self: DocCollector, app: Any, env: Any, docnames: Any, other: Any) -> None:
        merged.extend(docnames)
        real(self, app, env, docnames, other)

    monkeypatch.setattr(DocCollector, "merge_other", counting)
    parallel = _build(make_app, _copy(tmp_path, "parallel"), parallel=2)
    assert merged, "the documents were read in worker processes and merged back"
    assert _plain(parallel) == _plain(serial)


def test_incremental_rebuild_gives_the_same_store(make_app: Callable[..., Any], tmp_path: Path) -> None:
    def edit(srcdir: Path) -> None:
        post = srcdir / "posts" / "t-alpha.md"
        text = post.read_text(encoding="utf-8")
        more = "\n又加了一段正文，读起来多一点时间。\n"
        post.write_text(text.replace("\n# ", "\n# 改过的", 1) + more, encoding="utf-8")

    srcdir = _copy(tmp_path, "incremental")
    first = _plain(_build(make_app, srcdir))
    edit(srcdir)
    incremental = _plain(_build(make_app, srcdir))
    assert incremental != first, "the edit must show in the store"
    clean_dir = _copy(tmp_path, "clean")
    edit(clean_dir)
    assert incremental == _plain(_build(make_app, clean_dir))


def test_refs_bib_is_parsed_once_per_build(make_app: Callable[..., Any], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    srcdir = _copy(tmp_path, "src")
    parsed: list[str] = []
    real = pybtex.database.parse_file

    def counting(file: Any, *args: Any, **kwargs: Any) -> Any:
        parsed.append(str(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(pybtex.database, "parse_file", counting)
    _build(make_app, srcdir)
    assert parsed == [str((srcdir / "refs.bib").resolve())] or parsed == [str(srcdir / "refs.bib")]
    # a changed file is parsed again by the next app in the same process
    bib = srcdir / "refs.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    parsed.clear()
    _build(make_app, srcdir)
    assert len(parsed) == 1
