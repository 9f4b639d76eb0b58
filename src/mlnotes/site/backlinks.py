"""Links both ways: on each post, the notes that link to it (with the sentence around the link),
and on every page, a preview of each linked note (title, date, summary) shown by ``mlnotes.js``
when a reader hovers or focuses the link.

What the reading side collected (:func:`mlnotes.read.links.outgoing_links`, kept in the
``DocStore``) becomes, once every document is read, one link graph: the posts each document links
to.  A post's backlinks are the published posts that link to it, newest first; a page's previews
are the posts it links to, embedded in the page as JSON (no request anywhere).

Incremental builds.  A page shows other posts' data here, so it must be written again when that
data changes although the page's own source did not: a post gained or lost a link to it, the
sentence around the link changed, the linking post was retitled, re-dated, deleted or became due;
or a linked post's title, date or summary changed.  As in :mod:`mlnotes.site.prevnext`, what each
page shows is kept on the environment; at ``env-updated`` every page whose share differs from
what the last build wrote is written again.
"""

from __future__ import annotations

import json
from html import escape
from typing import Final

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from mlnotes.core.i18n import _
from mlnotes.core.listing import published
from mlnotes.core.records import PostRecord, doc_store, get_posts
from mlnotes.facets.runtime import get_runtime
from mlnotes.site.base import Site, UrlFor, html_builder, now_in_site_tz, once_per_write

#: one backlink as the page shows it: (linking post, its title, before, link text, after)
Backlink = tuple[str, str, str, str, str]
#: one preview: (linked post, its title, its date as shown, its summary)
Preview = tuple[str, str, str, str]
#: what one page shows of other posts: its backlinks, its previews
Shown = tuple[tuple[Backlink, ...], tuple[Preview, ...]]
#: builder name → what every page showed when that builder last wrote it (on the environment, so
#: it survives builds)
ENV_ATTR = "mlnotes_backlinks_shown"
PREVIEWS_ID: Final = "mlnotes-note-previews"
LINK_CLASS: Final = "mlnotes-note-link"


def link_graph(env: BuildEnvironment) -> dict[str, list[tuple[str, str, str, str]]]:
    """Document → the posts it links to (first link to each only), each with the sentence
    around that link: (post, before, link text, after).  ``{ref}`` labels are resolved here,
    once every document (and so every label) is known."""
    records = get_posts(env)
    labels = env.domains.standard_domain.anonlabels
    graph: dict[str, list[tuple[str, str, str, str]]] = {}
    for docname, links in sorted(doc_store(env).links.items()):
        seen: set[str] = set()
        for kind, target, before, anchor, after in links:
            doc = target if kind == "doc" else labels.get(target, ("", ""))[0]
            if doc in records and doc != docname and doc not in seen:
                seen.add(doc)
                graph.setdefault(docname, []).append((doc, before, anchor, after))
    return graph


def _date(post: PostRecord) -> str:
    return post.when.strftime("%Y-%m-%d") if post.when else _("Draft")


def shown(env: BuildEnvironment) -> dict[str, Shown]:
    """Every page that shows backlinks or previews → what it shows of other posts."""
    records = get_posts(env)
    graph = link_graph(env)
    back: dict[str, list[Backlink]] = {}
    for source in published(records.values(), now_in_site_tz(get_runtime(env))):  # newest first
        for target, before, anchor, after in graph.get(source.docname, []):
            back.setdefault(target, []).append((source.docname, source.title, before, anchor, after))
    previews = {
        doc: tuple(sorted((t, records[t].title, _date(records[t]), records[t].summary) for t, *_ in links))
        for doc, links in graph.items()
    }
    return {doc: (tuple(back.get(doc, ())), previews.get(doc, ())) for doc in sorted(back.keys() | previews.keys())}


def _shown_now(app: Sphinx) -> dict[str, Shown]:
    return once_per_write(app, "backlinks", lambda: shown(app.env))


def backlinks_html(app: Sphinx, docname: str, url: UrlFor) -> str:
    """The post's "linked from" section ('' when no published note links to it); the post page
    puts it after the related notes (:mod:`mlnotes.site.postpage`)."""
    links = _shown_now(app).get(docname, ((), ()))[0]
    if not links:
        return ""
    items = "".join(
        f'<li><a href="{escape(url(source))}">{escape(title)}</a>'
        + (f'<p class="mlnotes-backlink-context">{escape(before)}<strong>{escape(anchor)}</strong>{escape(after)}</p>'
           if before or after else "")
        + "</li>"
        for source, title, before, anchor, after in links
    )
    return (f'<section class="mlnotes-backlinks" aria-labelledby="mlnotes-backlinks-heading">'
            f'<h2 id="mlnotes-backlinks-heading">{escape(_("Linked from these notes"))}</h2><ul>{items}</ul></section>')


def _previews(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Mark the page's links to posts and embed their previews (``mlnotes.js`` shows them)."""
    if not html_builder(app):
        return
    previews = _shown_now(app).get(docname, ((), ()))[1]
    if not previews:
        return
    url = Site(app).url_from(docname)
    by_url = {url(target): (target, title, date, summary) for target, title, date, summary in previews}
    used: dict[str, dict[str, str]] = {}
    for ref in doctree.findall(nodes.reference):
        href = str(ref.get("refuri", "")).split("#", 1)[0]
        if not ref.get("internal") or href not in by_url:
            continue
        ref["classes"].append(LINK_CLASS)
        _, title, date, summary = by_url[href]
        used[href] = {"title": title, "date": date, "summary": summary}
    if used:
        # every "<" as \u003c: no text of a post can end the data block or open a comment in it
        data = json.dumps(dict(sorted(used.items())), ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")
        doctree.append(nodes.raw("", f'<script type="application/json" id="{PREVIEWS_ID}">{data}</script>',
                                 format="html"))


def _dependents(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Pages whose backlinks or previews differ from what the last build wrote.

    Kept per builder: ``make latexpdf`` shares the doctrees (and so this record) with ``make
    html`` but writes no HTML page, so it must not pass for the HTML build that wrote them."""
    if not html_builder(app):
        return []
    written: dict[str, dict[str, Shown]] = env.__dict__.setdefault(ENV_ATTR, {})
    before = written.get(app.builder.name)
    after = written[app.builder.name] = shown(env)
    # nothing recorded (a fresh environment, or one only another builder wrote from): every page
    # that shows something of another post (in a fresh environment they are written anyway)
    changed = set(after) if before is None else {
        d for d in before.keys() | after.keys() if before.get(d) != after.get(d)}
    return sorted(changed & env.found_docs)


def setup_backlinks(app: Sphinx) -> None:
    app.connect("doctree-resolved", _previews)
    app.connect("env-updated", _dependents)
