"""What ablog needs to be safe for parallel reading, and to leave unchanged pages alone.

ablog keeps each post's data in ``env.ablog_posts`` (filled while reading) and puts its labels
in the standard domain (merged by Sphinx).  Merging ``ablog_posts`` from the worker processes
is all that is missing; with that in place we declare ablog parallel-read safe, so ``-j N``
really reads in parallel instead of falling back to serial with a warning.

ablog also writes its own collection pages under ``blog_path`` (tag, category, archive,
author, language and location pages, the blog index and a drafts page).  mlnotes has its own
pages for all of that (``topics/…``: areas, tags, series, papers, the paginated home list), and
ablog's pages are invalid HTML (``div`` inside ``ul``, stray ``</p>``, duplicate ids with
spaces), link to ablog's unpublished feeds and list drafts publicly.  So we replace ablog's
``html-collect-pages`` handler: only the redirect pages a post asks for (``redirect:`` in its
front matter) are still written, and collection pages left in the output by an older build are
removed.  Everything else ablog does for posts — detecting them, dates, excerpts, the
``postlist`` directive, previous/next links — is untouched; the sidebars that linked to its
pages are ours (``mlnotes/*.html``, see :mod:`mlnotes.site.sidebars`).

ablog also keeps its blog in a class attribute, ``Blog._dict``, shared by every Sphinx app in the
process; we empty it when a build starts (:func:`fresh_ablog_state`) and once reading is over.

What this relies on in ablog (checked by ``tests/test_compat.py``): ``Blog._dict``,
``ablog.post.generate_archive_pages`` as its ``html-collect-pages`` handler, the
``env.ablog_posts`` layout (``doctree`` and ``excerpt`` per post) and Sphinx's
``app.events.listeners`` to find that handler.  Written for ablog 0.11.12–0.11.x; outside that
range the build stops (:func:`mlnotes.compat.check_versions`).  Remove the parallel-read parts
when ablog merges ``ablog_posts`` itself and declares ``parallel_read_safe``; the page
replacement when ablog can be told not to write its collection pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder

from mlnotes.compat import VersionRange
from mlnotes.compat.docutils import detach_from_document

if TYPE_CHECKING:
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

WRITTEN_FOR = VersionRange("ablog", ">=0.11.12,<0.12", module=__name__)

#: the private (or undocumented) names this module relies on, checked against the installed
#: ablog by tests/test_compat.py
PRIVATE = ("ablog.blog.Blog._dict", "ablog.post.generate_archive_pages", "ablog.post.register_posts",
           "ablog.builder_support")


def fresh_ablog_state(app: Sphinx, config: object) -> None:
    """ablog keeps its blog in a class attribute shared by every Sphinx app in the process;
    start each app with an empty one so two builds in one process (tests, autobuild) never
    see each other's posts."""
    from ablog.blog import Blog

    Blog._dict.clear()


def _detach(value: object) -> None:
    """Cut the nodes of a post record loose from the worker that read them.

    ablog's ``doctree`` (a whole document) and ``excerpt`` nodes keep references to a document
    whose settings hold the environment of the worker that read it.  Kept as they are, every merged
    chunk would keep a whole copy of a worker's environment alive: at 1,000 posts a parallel
    read grew past 10 GB.  The nodes need no document: ablog puts copies into a new one to
    render them."""
    import copy

    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, nodes.document):  # ablog keeps a whole document per post
            settings = copy.copy(item.settings)
            settings.env = None
            item.settings = settings
            item.transformer = None  # type: ignore[assignment]  # docutils types it as always set
        if isinstance(item, nodes.Node):
            detach_from_document(item)


def keeps_post_documents(config: Config) -> bool:
    """ablog reads a post's whole ``doctree`` only to put the full text in its own feeds
    (``blog_feed_fulltext``), which it writes only when ``blog_baseurl`` is set."""
    return bool(getattr(config, "blog_feed_fulltext", False) and getattr(config, "blog_baseurl", ""))


def drop_post_documents(app: Sphinx, docname: str) -> None:
    """ablog stores a reference to every post's whole document in ``env.ablog_posts``; at 1,000
    posts that is four fifths of the pickled environment (13 of 17 MB), loaded and saved by every
    build and shipped back by every parallel reader.  When ablog's full-text feeds are off, nothing
    reads it: keep ``None`` instead.  (The excerpt nodes, which ablog does use, stay.)  Called by
    :class:`mlnotes.read.collector.DocCollector` after ablog's doctree-read handler."""
    if keeps_post_documents(app.config):
        return
    for info in app.env.__dict__.get("ablog_posts", {}).get(docname, []):
        info["doctree"] = None


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    theirs: dict[str, list[dict[str, Any]]] = getattr(other, "ablog_posts", {})
    mine: dict[str, list[dict[str, Any]]] = env.__dict__.setdefault("ablog_posts", {})
    for docname in docnames:
        if docname in theirs:
            for info in theirs[docname]:
                for key in ("doctree", "excerpt"):
                    _detach(info.get(key))
            mine[docname] = theirs[docname]


def _redirect_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """What we keep of ablog's page generator (an ``html-collect-pages`` handler): a post's
    ``redirect:`` pages, nothing under ``blog/``."""
    import ablog
    from ablog.blog import Blog
    from ablog.post import register_posts

    if app.builder.name == "epub":
        return  # redirect pages are web navigation, not part of the book
    if not ablog.builder_support(app):
        return
    _remove_old_collection_pages(app)
    blog = Blog(app)
    if not blog:
        register_posts(app)
    for post in blog.posts:
        for redirect in post.redirect:
            yield (redirect, {"redirect": post.docname, "post": post}, "ablog/redirect.html")


def _remove_old_collection_pages(app: Sphinx) -> None:
    """Delete what ablog wrote under ``blog_path`` in an earlier build (before it was replaced);
    a document of the site that happens to live there is left alone."""
    blog_path = str(getattr(app.config, "blog_path", "") or "").strip("/")
    if not blog_path:
        return
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder):  # what ablog.builder_support lets through
        return
    outdir = Path(builder.outdir)
    suffix = builder.out_suffix
    ours = {Path(builder.get_outfilename(d)) for d in app.env.found_docs
            if d == blog_path or d.startswith(blog_path + "/")}
    folder = outdir / blog_path
    candidates = [outdir / f"{blog_path}{suffix}"]
    if folder.is_dir():
        candidates += sorted(folder.rglob(f"*{suffix}"))
    for page in candidates:
        if page.is_file() and page not in ours:
            page.unlink()
    if folder.is_dir():
        for sub in sorted((d for d in folder.rglob("*") if d.is_dir()), key=lambda d: len(d.parts), reverse=True):
            if not any(sub.iterdir()):
                sub.rmdir()
        if not any(folder.iterdir()):
            folder.rmdir()


def _replace_collection_pages(app: Sphinx, config: object) -> None:
    from ablog.post import generate_archive_pages

    for listener in list(app.events.listeners.get("html-collect-pages", [])):
        if listener.handler is generate_archive_pages:
            app.disconnect(listener.id)
            app.connect("html-collect-pages", _redirect_pages, priority=listener.priority)


def _rebuild_blog_from_env(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """ablog's in-process Blog picks up collections while documents are read here (a serial
    read, or only the changed documents of an incremental one) but not in worker processes.
    Drop it once reading is over: ablog then rebuilds it from ``env.ablog_posts`` alone, so the
    pages are the same however the documents were read."""
    from ablog.blog import Blog

    Blog._dict.clear()
    return []


def setup_ablog_compat(app: Sphinx) -> None:
    """Parallel reading made safe, ablog's collection pages replaced, its blog rebuilt per build."""
    app.connect("env-merge-info", _merge)
    app.connect("env-updated", _rebuild_blog_from_env)
    app.connect("config-inited", _replace_collection_pages)
    ablog = app.extensions.get("ablog")
    if ablog is not None:
        ablog.parallel_read_safe = True
