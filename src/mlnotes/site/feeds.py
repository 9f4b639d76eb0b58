"""Atom feeds (RFC 4287): one for the site and one per term of every facet.

Links are absolute (``html_baseurl``), entry ids are the posts' canonical URLs (stable across
builds), dates carry the site's time-zone offset, ``xml:lang`` is a BCP 47 tag (``zh-CN``),
every entry names its authors, and drafts or future-dated posts never appear.  Entries carry
the post's summary as text, so no reference list or relative link leaks into a reader.
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from sphinx.util import logging

from mlnotes.core.i18n import _
from mlnotes.core.records import PostRecord
from mlnotes.site.base import blog_title, write_if_changed

if TYPE_CHECKING:
    from mlnotes.site.base import Site

logger = logging.getLogger(__name__)

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
ET.register_namespace("", ATOM_NS)


def bcp47(language: str | None) -> str:
    """Sphinx's ``zh_CN`` → ``zh-CN``."""
    return (language or "en").replace("_", "-")


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def atom_feed(
    *,
    feed_url: str,
    home_url: str,
    title: str,
    subtitle: str,
    language: str,
    site_author: str,
    posts: list[PostRecord],
    post_url: Callable[[PostRecord], str],
    categories: Callable[[PostRecord], list[tuple[str, str]]],
    tz: tzinfo,
) -> bytes:
    root = ET.Element(f"{{{ATOM_NS}}}feed", {f"{{{XML_NS}}}lang": language})
    _el(root, "id", feed_url)
    _el(root, "title", title)
    if subtitle:
        _el(root, "subtitle", subtitle)
    _el(root, "link", href=feed_url, rel="self", type="application/atom+xml")
    _el(root, "link", href=home_url, rel="alternate", type="text/html")
    stamps = [p.when.replace(tzinfo=tz).isoformat(timespec="seconds") for p in posts if p.when]
    # newest entry, not "now": an unchanged site gives a byte-identical feed
    _el(root, "updated", max(stamps) if stamps else "2000-01-01T00:00:00+00:00")
    author = _el(root, "author")
    _el(author, "name", site_author)
    for post in posts:
        when = post.when
        if when is None:  # a feed gets published posts only, and they are dated
            raise ValueError(f"mlnotes: undated post {post.docname!r} in a feed")
        entry = _el(root, "entry")
        url = post_url(post)
        _el(entry, "id", url)
        _el(entry, "title", post.title)
        _el(entry, "link", href=url, rel="alternate", type="text/html")
        stamp = when.replace(tzinfo=tz).isoformat(timespec="seconds")
        _el(entry, "published", stamp)
        _el(entry, "updated", stamp)
        for name in post.authors:
            _el(_el(entry, "author"), "name", name)
        for term, label in categories(post):
            _el(entry, "category", term=term, label=label)
        if post.summary:
            _el(entry, "summary", post.summary, type="text")
    ET.indent(root)
    xml: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml + b"\n"


def write_feeds(
    site: Site, posts: list[PostRecord], known: dict[str, str] | None = None
) -> tuple[set[str], int, dict[str, str]]:
    """Write every feed; return (files relative to outdir, how many were rewritten, each feed's
    input key).  A feed whose key is in *known* (last build's keys) and whose file exists is
    neither rebuilt nor rewritten."""
    known = known or {}
    app = site.app
    base = str(app.config.html_baseurl or "")
    if not base:
        logger.warning(
            "html_baseurl is not set: Atom feeds need absolute links, so none were written",
            type="mlnotes", subtype="feed",
        )
        return set(), 0, {}
    base = base if base.endswith("/") else base + "/"
    builder = app.builder
    outdir = Path(builder.outdir)
    facets = site.runtime.facets
    tz = site.cfg.tzinfo
    language = bcp47(app.config.language)
    site_title = blog_title(app.config)

    def post_url(post: PostRecord) -> str:
        return urljoin(base, builder.get_target_uri(post.docname))

    def categories(post: PostRecord) -> list[tuple[str, str]]:
        return [(f"{f.name}:{s}", f.display(s)) for f in facets for s in post.facets.get(f.name, [])]

    keys: dict[str, str] = {}
    frame = repr((base, language, site_title, str(app.config.author), str(tz), site.runtime.digest,
                  [f.name for f in facets]))

    def feed(rel: str, title: str, subtitle: str, items: list[PostRecord], home: str) -> tuple[str, bool]:
        key = hashlib.sha256(repr((frame, rel, title, subtitle, home, builder.get_target_uri(home),
                                   [(p.listing_key(), builder.get_target_uri(p.docname)) for p in items]))
                             .encode()).hexdigest()
        keys[rel] = key
        if known.get(rel) == key and (outdir / rel).is_file():
            return rel, False
        data = atom_feed(
            feed_url=urljoin(base, rel), home_url=urljoin(base, builder.get_target_uri(home)), title=title,
            subtitle=subtitle, language=language, site_author=str(app.config.author), posts=items,
            post_url=post_url, categories=categories, tz=tz,
        )
        return rel, write_if_changed(outdir / rel, data)

    subtitle = str(getattr(app.config, "blog_feed_subtitle", "") or "")
    results = [feed(site.feed_path(), site_title, subtitle, posts, app.config.root_doc)]
    for facet in facets:
        for slug, items in facet.members(posts).items():
            if items:
                title = _("{site} · {facet}: {term}").format(site=site_title, facet=facet.title,
                                                             term=facet.display(slug))
                results.append(feed(site.feed_path(facet, slug), title, "", items, site.term_page(facet, slug)))
    return {rel for rel, _changed in results}, sum(changed for _rel, changed in results), keys
