"""A read post → its :class:`~mlnotes.core.records.PostRecord` (once ablog has recorded it).

Called by :class:`mlnotes.read.collector.DocCollector`, which keeps the record in the store.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from mlnotes.core.records import PostRecord
from mlnotes.facets.runtime import get_runtime


def make_record(app: Sphinx, docname: str, facets: dict[str, list[str]]) -> PostRecord | None:
    """The record of *docname* from ablog's data and our front matter; None when it is no post.
    *facets* are the terms the front-matter transform resolved for it."""
    env = app.env
    infos = getattr(env, "ablog_posts", {}).get(docname)
    if not infos:
        return None
    info = infos[0]
    meta = env.metadata.get(docname, {})
    summary = str(meta.get("summary", "")).strip() or " ".join(n.astext() for n in info["excerpt"]).strip()
    authors_cfg = app.config.blog_authors or {}
    raw_authors = [a for a in info["author"] if a] or (
        [app.config.blog_default_author] if isinstance(app.config.blog_default_author, str) else
        list(app.config.blog_default_author or [])
    )
    authors = [authors_cfg.get(a, (a, None))[0] for a in raw_authors] or [str(app.config.author)]
    return PostRecord(
        docname=docname,
        title=str(info["title"]),
        date=info["date"].isoformat() if info["date"] else None,
        summary=summary,
        authors=authors,
        facets=dict(facets),
        extra={key: value for facet in get_runtime(env).facets for key in facet.record_keys
               if (value := str(meta.get(key, "")).strip())},
    )
