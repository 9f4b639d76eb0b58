"""Previous and next post by date, with titles, at the foot of every published post.

Only published posts (dated, not in the future) take part: a draft has no links and is never
anyone's neighbour.  Ties in date are ordered by document name.  On an incremental build every
post whose neighbours (or their titles) changed — because a post was added, removed, re-dated or
retitled, or because a future-dated post has become due — is written again, through
``env-updated``, by comparing with the links the last build wrote.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from mlnotes.core.i18n import _
from mlnotes.core.listing import published
from mlnotes.core.records import PostRecord, get_posts
from mlnotes.facets.runtime import get_runtime
from mlnotes.site.base import Site, UrlFor, now_in_site_tz, once_per_write

#: (older docname, older title, newer docname, newer title); None where there is none
Neighbours = tuple[str | None, str | None, str | None, str | None]
#: every post's links as the last build wrote them (on the environment, so it survives builds)
ENV_ATTR = "mlnotes_prevnext_shown"


def neighbours(records: dict[str, PostRecord], now: datetime) -> dict[str, Neighbours]:
    """Every published post → its older and newer neighbour in date order."""
    order = list(reversed(published(records.values(), now)))  # oldest first
    out: dict[str, Neighbours] = {}
    for i, post in enumerate(order):
        older = order[i - 1] if i > 0 else None
        newer = order[i + 1] if i + 1 < len(order) else None
        out[post.docname] = (
            older.docname if older else None, older.title if older else None,
            newer.docname if newer else None, newer.title if newer else None,
        )
    return out


def _map(app: Sphinx, env: BuildEnvironment) -> dict[str, Neighbours]:
    return neighbours(get_posts(env), now_in_site_tz(get_runtime(env)))


def nav_html(links: Neighbours, url: UrlFor) -> str:
    older, older_title, newer, newer_title = links
    parts = []
    back, forward = escape(_("← Previous post")), escape(_("Next post →"))
    if older:
        parts.append(f'<a class="mlnotes-post-nav-prev" href="{escape(url(older))}">'
                     f'<span class="mlnotes-post-nav-label">{back}</span> {escape(older_title or "")}</a>')
    if newer:
        parts.append(f'<a class="mlnotes-post-nav-next" href="{escape(url(newer))}">'
                     f'<span class="mlnotes-post-nav-label">{forward}</span> {escape(newer_title or "")}</a>')
    if not parts:
        return ""
    label = escape(_("Previous and next post by date"))
    return f'<nav class="mlnotes-post-nav" aria-label="{label}">{"".join(parts)}</nav>'


def prevnext_html(app: Sphinx, docname: str) -> str:
    """The previous/next navigation of post *docname* ('' for a draft or a lone post); the post
    page puts it last (:mod:`mlnotes.site.postpage`)."""
    links = once_per_write(app, "prevnext", lambda: _map(app, app.env)).get(docname)
    return nav_html(links, Site(app).url_from(docname)) if links else ""


def _dependents(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Posts whose links differ from what the last build wrote: a post was added, removed,
    re-dated or retitled, or a future-dated post has become due since then."""
    before: dict[str, Neighbours] | None = env.__dict__.get(ENV_ATTR)
    after = _map(app, env)
    env.__dict__[ENV_ATTR] = after
    if before is None:  # a fresh environment: every post is written anyway
        return []
    return sorted(d for d, links in after.items() if before.get(d) != links)


def setup_prevnext(app: Sphinx) -> None:
    app.connect("env-updated", _dependents)
