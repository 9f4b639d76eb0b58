"""What ablog needs to be safe for parallel reading, and to leave unchanged pages alone.

ablog keeps each post's data in ``env.ablog_posts`` (filled while reading) and puts its labels
in the standard domain (merged by Sphinx).  Merging ``ablog_posts`` from the worker processes
is all that is missing; with that in place we declare ablog parallel-read safe, so ``-j N``
really reads in parallel instead of falling back to serial with a warning.

ablog also rewrites every archive, tag and author page on every build.  We take its page
generator over and write each page only when its HTML changed.
"""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx


def _detach(value: Any) -> None:
    """Cut the nodes of a post record loose from the worker that read them.

    ablog's ``doctree`` (a whole document) and ``excerpt`` nodes keep references to a document
    whose settings hold the environment of the worker that read it.  Kept as they are, every merged
    chunk would keep a whole copy of a worker's environment alive: at 1,000 posts a parallel
    read grew past 10 GB.  The nodes need no document: ablog puts copies into a new one to
    render them."""
    import copy  # noqa: PLC0415

    from docutils import nodes  # noqa: PLC0415

    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, nodes.document):  # ablog keeps a whole document per post
            settings = copy.copy(item.settings)
            settings.env = None
            item.settings = settings
            item.transformer = None
        if isinstance(item, nodes.Node):
            for node in item.findall(include_self=True):
                if getattr(node, "_document", None) is not None:
                    node._document = None


def _merge(app: Sphinx, env: Any, docnames: set[str], other: Any) -> None:
    theirs = getattr(other, "ablog_posts", {})
    mine = env.__dict__.setdefault("ablog_posts", {})
    for docname in docnames:
        if docname in theirs:
            for info in theirs[docname]:
                for key in ("doctree", "excerpt"):
                    _detach(info.get(key))
            mine[docname] = theirs[docname]


def _archive_pages_if_changed(app: Sphinx):  # noqa: ANN201 - html-collect-pages handler
    from ablog.post import generate_archive_pages

    from .pages import html_builder, write_page_if_changed

    pages = generate_archive_pages(app)
    if not html_builder(app):
        yield from pages
        return
    from .runtime import get_runtime

    feeds = get_runtime(app.env).config.feeds_path
    for pagename, ctx, template in pages:
        # ablog points its pages at its own feed, which it writes only with blog_baseurl set;
        # ours is the site's feed (ablog's template appends "/atom.xml" to feed_path)
        ctx["feed_path"] = feeds
        ctx["archive_feed"] = False
        write_page_if_changed(app, pagename, ctx, template)


def _take_over_archive_pages(app: Sphinx, config: object) -> None:
    from ablog.post import generate_archive_pages

    for listener in list(app.events.listeners.get("html-collect-pages", [])):
        if listener.handler is generate_archive_pages:
            app.disconnect(listener.id)
            app.connect("html-collect-pages", _archive_pages_if_changed, priority=listener.priority)


def _rebuild_blog_from_env(app: Sphinx, env: Any) -> list[str]:
    """ablog's in-process Blog picks up collections while documents are read here (a serial
    read, or only the changed documents of an incremental one) but not in worker processes.
    Drop it once reading is over: ablog then rebuilds it from ``env.ablog_posts`` alone, so the
    pages are the same however the documents were read."""
    from ablog.blog import Blog

    Blog._dict.clear()
    return []


def setup_ablog_compat(app: Sphinx) -> None:
    app.connect("env-merge-info", _merge)
    app.connect("env-updated", _rebuild_blog_from_env)
    app.connect("config-inited", _take_over_archive_pages)
    ablog = app.extensions.get("ablog")
    if ablog is not None:
        ablog.parallel_read_safe = True
