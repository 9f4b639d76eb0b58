"""What the nothing-lost audit must find in the output, written by the build for ``mlnotes check``.

The build knows every post as it read it (through the one front-matter reader) and every
facet knows which of its term pages and feeds a post belongs on (:meth:`Facet.audit_terms`).
At ``build-finished`` this writes that knowledge as plain JSON next to the doctrees (never
into the published output); ``mlnotes check`` then looks for each post in the HTML it
finds, so the audit needs no parser of its own and checks plugin facets like built-in ones.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from mlnotes.core.listing import drafts, published
from mlnotes.core.records import doc_store, get_posts
from mlnotes.facets import Facet
from mlnotes.site.base import Site, html_builder, html_page_builder, now_in_site_tz, write_if_changed

FILE = "mlnotes-audit.json"


def expectations(app: Sphinx) -> dict[str, Any]:
    """Every post of the build and where the output must show it."""
    site = Site(app)
    builder = html_page_builder(app)
    outdir = Path(builder.outdir)
    records = get_posts(app.env)
    now = now_in_site_tz(site.runtime)

    prefix = len(str(outdir)) + 1

    def out(pagename: str) -> str:
        # string work, not pathlib: a thousand posts each name several term pages, every build
        return str(builder.get_outfilename(pagename))[prefix:].replace(os.sep, "/")

    # a term page is named by many posts: work it out once per build
    listing_of: dict[tuple[str, str], dict[str, str]] = {}

    def listing(facet: Facet, slug: str) -> dict[str, str]:
        key = (facet.name, slug)
        if key not in listing_of:
            name = site.term_page(facet, slug)
            listing_of[key] = {"page": out(name), "feed": site.feed_path(facet, slug), "name": name}
        return listing_of[key]

    public = []
    figures = doc_store(app.env).figures
    for post in published(records.values(), now):
        public.append({
            "docname": post.docname,
            "title": post.title,
            "page": out(post.docname),
            "figures": figures.get(post.docname, 0),
            "listings": [listing(facet, slug) for facet in site.runtime.facets for slug in facet.audit_terms(post)],
        })
    hidden = [{"docname": p.docname, "title": p.title, "date": (p.date or "")[:10]}
              for p in drafts(records.values(), now)]
    # documents that say they are posts but were not read as one (a build that warned): front
    # matter with "blogpost", or front matter the reader rejected as a post's
    claimed = sorted(d for d in app.env.found_docs if d not in records and (
        "blogpost" in (meta := app.env.metadata.get(d, {})) or meta.get("mlnotes_reported")))
    books = doc_store(app.env).book_docs
    return {
        "site_feed": site.feed_path(),
        "home": out(app.config.root_doc),
        "latest": out(site.latest_base),
        "published": public,
        "drafts": hidden,
        "unread": claimed,
        # the posts the book (PDF, EPUB) includes; None when the site has no {mlnotes-book}
        "book": sorted({d for included in books.values() for d in included}) if books else None,
    }


def _finished(app: Sphinx, exc: BaseException | None) -> None:
    if exc is not None or not html_builder(app):
        return
    write_if_changed(Path(app.doctreedir) / FILE, json.dumps(expectations(app), ensure_ascii=False, indent=0))


def setup_audit(app: Sphinx) -> None:
    app.connect("build-finished", _finished)
