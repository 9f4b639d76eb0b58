"""``sitemap.xml`` (every public HTML page, absolute URLs, ``lastmod`` from git) and
``robots.txt`` pointing to it, both at the top of the HTML output.

Public pages are the documents (drafts left out), the generated topics pages (from the pages
manifest, so an incremental build that writes none still lists them) and the other pages written
this build (ablog's archive, tag and author pages).  Search, the general index, the 404 page and
ablog's drafts list are not.  Without ``html_baseurl`` there are no absolute URLs: nothing is
written.  Files are replaced only when their text changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin
from xml.sax.saxutils import escape

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from mlnotes.core.listing import drafts
from mlnotes.core.records import get_posts
from mlnotes.facets.runtime import get_runtime
from mlnotes.site.base import html_builder, now_in_site_tz, site_url, write_if_changed
from mlnotes.site.lastupdated import doc_date
from mlnotes.site.listings import manifest_file

logger = logging.getLogger(__name__)

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"
_RENDERED = "_mlnotes_rendered_pages"
#: pages that are never in the sitemap
NOT_PUBLIC = {"search", "genindex", "py-modindex", "404"}


def _reset(app: Sphinx) -> None:
    setattr(app, _RENDERED, set())


def _seen(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    if doctree is None and pagename not in app.env.found_docs:
        rendered = getattr(app, _RENDERED, None)
        if rendered is not None:  # main process: generated pages are written there
            rendered.add(pagename)


def public_pages(app: Sphinx) -> list[tuple[str, str | None]]:
    """(pagename, ISO lastmod or None) of every public HTML page, sorted by name."""
    env = app.env
    hidden = {d.docname for d in drafts(get_posts(env).values(), now_in_site_tz(get_runtime(env)))}
    blog_path = str(getattr(app.config, "blog_path", "blog") or "blog")
    hidden |= NOT_PUBLIC | {f"{blog_path}/drafts"}
    pages: dict[str, str | None] = {d: doc_date(app, d) for d in env.found_docs}
    try:
        manifest = json.loads(manifest_file(app).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    for path in manifest.get("files", []):
        if path.endswith(".html"):
            pages.setdefault(path[: -len(".html")], None)
    for name in getattr(app, _RENDERED, set()):
        pages.setdefault(name, None)
    return sorted((name, date) for name, date in pages.items() if name not in hidden)


def absolute(app: Sphinx, pagename: str) -> str:
    return quote(urljoin(site_url(app), app.builder.get_target_uri(pagename)), safe=":/%#?=&~+@!$,;'()*")


def sitemap_xml(entries: list[tuple[str, str | None]]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{NAMESPACE}">']
    for loc, lastmod in entries:
        modified = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        lines.append(f"  <url><loc>{escape(loc)}</loc>{modified}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots_txt(sitemap_url: str) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap_url}\n"


def _finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or not html_builder(app):
        return
    if not site_url(app):
        logger.info("mlnotes: no html_baseurl, so no sitemap.xml (it needs absolute URLs)")
        return
    entries = [(absolute(app, name), date) for name, date in public_pages(app)]
    out = Path(app.builder.outdir)
    write_if_changed(out / "sitemap.xml", sitemap_xml(entries))
    write_if_changed(out / "robots.txt", robots_txt(urljoin(site_url(app), "sitemap.xml")))
    logger.info("mlnotes: sitemap.xml lists %d pages", len(entries))


def setup_sitemap(app: Sphinx) -> None:
    app.connect("builder-inited", _reset)
    app.connect("html-page-context", _seen)
    app.connect("build-finished", _finished)
