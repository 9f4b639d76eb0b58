"""A read post → its :class:`~mlnotes.state.PostRecord` (after ablog has recorded it)."""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx

from mlnotes.read.frontmatter import FACETS_KEY
from mlnotes.core.records import PostRecord, get_posts
from mlnotes.facets.runtime import get_runtime


def _record(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    docname = env.docname
    infos = getattr(env, "ablog_posts", {}).get(docname)
    if not infos:
        return
    info = infos[0]
    meta = env.metadata.get(docname, {})
    summary = str(meta.get("summary", "")).strip() or " ".join(n.astext() for n in info["excerpt"]).strip()
    authors_cfg = app.config.blog_authors or {}
    raw_authors = [a for a in info["author"] if a] or (
        [app.config.blog_default_author] if isinstance(app.config.blog_default_author, str) else
        list(app.config.blog_default_author or [])
    )
    authors = [authors_cfg.get(a, (a, None))[0] for a in raw_authors] or [str(app.config.author)]
    get_posts(env)[docname] = PostRecord(
        docname=docname,
        title=str(info["title"]),
        date=info["date"].isoformat() if info["date"] else None,
        summary=summary,
        authors=authors,
        facets=dict(env.temp_data.get(FACETS_KEY, {})),
        extra={key: value for facet in get_runtime(env).facets for key in facet.record_keys
               if (value := str(meta.get(key, "")).strip())},
    )


def setup_posts(app: Sphinx) -> None:
    # after ablog's process_posts (500) and the summary excerpt (600)
    app.connect("doctree-read", _record, priority=700)
