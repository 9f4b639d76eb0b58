"""OpenGraph and Twitter card metadata on every HTML page.

Posts are ``og:type=article`` with their title, summary, date and what their facets add
(``article:section`` for the area, ``article:tag`` for each tag); every other page
is ``website`` with its title and first paragraph (generated pages: the site's description).
URLs are absolute, from ``html_baseurl``; without one, ``og:url`` is left out.  The theme
already writes ``<link rel="canonical">`` from ``html_baseurl``.  No ``og:image``: the site
ships none.
A page's first paragraph is measured while it is read (:func:`mlnotes.read.measures.first_paragraph`)
and kept in the environment's :class:`~mlnotes.core.records.DocStore`.
"""

from __future__ import annotations

import re
from datetime import datetime
from html import escape, unescape
from typing import Any
from urllib.parse import urljoin

from docutils import nodes
from sphinx.application import Sphinx

from mlnotes.core.records import PostRecord, doc_store, get_posts
from mlnotes.facets.runtime import get_runtime
from mlnotes.read.measures import MAX_DESCRIPTION, plain
from mlnotes.site.base import html_builder, site_url
from mlnotes.site.base import site_name as _site_name
from mlnotes.site.lastupdated import doc_date


def html_to_plain(html: str, limit: int = MAX_DESCRIPTION) -> str:
    """A template's HTML title (it may carry markup and entities) as plain text."""
    return plain(unescape(re.sub(r"<[^>]*>", "", html)), limit)


def site_description(app: Sphinx) -> str:
    return str(getattr(app.config, "blog_feed_subtitle", "") or _site_name(app.config))


def _with_offset(app: Sphinx, when: datetime) -> str:
    return when.replace(tzinfo=get_runtime(app.env).config.tzinfo).isoformat()


def post_tags(app: Sphinx, post: PostRecord) -> list[tuple[str, str]]:
    runtime = get_runtime(app.env)
    tags: list[tuple[str, str]] = []
    if post.when:
        tags.append(("article:published_time", _with_offset(app, post.when)))
    modified = doc_date(app, post.docname)
    if modified:
        tags.append(("article:modified_time", modified))
    for facet in runtime.facets:
        tags += facet.opengraph_meta(post)
    return tags


def og_tags(app: Sphinx, pagename: str, context: dict[str, Any]) -> list[tuple[str, str]]:
    post = get_posts(app.env).get(pagename)
    if post is not None:
        title, description = plain(post.title, 300), plain(post.summary)
    else:
        title = html_to_plain(str(context.get("title") or _site_name(app.config)), 300)
        description = doc_store(app.env).descriptions.get(pagename) or site_description(app)
    tags = [
        ("og:title", title),
        ("og:description", description),
        ("og:type", "article" if post is not None else "website"),
        ("og:site_name", _site_name(app.config)),
        ("og:locale", str(app.config.language or "zh_CN").replace("-", "_")),
    ]
    if site_url(app) and pagename != "404":
        tags.insert(2, ("og:url", urljoin(site_url(app), app.builder.get_target_uri(pagename))))
    if post is not None:
        tags += post_tags(app, post)
    tags.append(("twitter:card", "summary"))
    return tags


def render(tags: list[tuple[str, str]]) -> str:
    out = []
    for key, value in tags:
        attr = "name" if key.startswith("twitter:") or key == "description" else "property"
        out.append(f'<meta {attr}="{escape(key)}" content="{escape(value, quote=True)}" />')
    return "\n".join(out) + "\n"


def _page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    if not html_builder(app):
        return
    tags = og_tags(app, pagename, context)
    metatags = str(context.get("metatags", ""))
    if 'name="description"' not in metatags:  # search engines read this one, not og:description
        tags.insert(0, ("description", dict(tags)["og:description"]))
    context["metatags"] = metatags + render(tags)


def setup_opengraph(app: Sphinx) -> None:
    app.connect("html-page-context", _page_context)
