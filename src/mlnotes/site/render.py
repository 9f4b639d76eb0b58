"""HTML fragments shared by listing pages, the home page and post headers (always escaped)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from mlnotes.core.i18n import _
from mlnotes.core.listing import page_name
from mlnotes.core.records import PostRecord
from mlnotes.facets import Facet

#: pagename → URL relative to the page being written
UrlFor = Callable[[str], str]


def facet_links(post: PostRecord, facets: Sequence[Facet], term_page: Callable[[Facet, str], str], url: UrlFor,
                on_card: bool = False) -> str:
    """'Area <a>…</a> · Tag <a>…</a> <a>…</a>' for the facets the post has values in; *on_card*:
    only as many terms of each facet as it shows on listing cards (:attr:`Facet.card_terms`)."""
    groups = []
    for facet in facets:
        slugs = post.facets.get(facet.name, [])
        if on_card and facet.card_terms is not None:
            slugs = slugs[: facet.card_terms]
        if not slugs:
            continue
        links = " ".join(
            f'<a class="mlnotes-term mlnotes-{escape(facet.name)}" href="{escape(url(term_page(facet, slug)))}">'
            f"{escape(facet.display(slug))}</a>"
            for slug in slugs
        )
        groups.append(f'<span class="mlnotes-facet-label">{escape(facet.title)}</span> {links}')
    return " · ".join(groups)


def card(post: PostRecord, facets: Sequence[Facet], term_page: Callable[[Facet, str], str], url: UrlFor,
         level: int = 2) -> str:
    date = post.when.strftime("%Y-%m-%d") if post.when else ""
    links = facet_links(post, facets, term_page, url, on_card=True)
    return (
        '<article class="mlnotes-card">'
        f'<h{level} class="mlnotes-card-title">'
        f'<a href="{escape(url(post.docname))}">{escape(post.title)}</a></h{level}>'
        f'<p class="mlnotes-card-meta"><time datetime="{escape(post.date or "")}">{escape(date)}</time>'
        + (f" · {links}" if links else "")
        + "</p>"
        + (f'<p class="mlnotes-card-summary">{escape(post.summary)}</p>' if post.summary else "")
        + "</article>"
    )


def cards(
    posts: Sequence[PostRecord], facets: Sequence[Facet], term_page: Callable[[Facet, str], str], url: UrlFor,
    level: int = 2,
) -> str:
    if not posts:
        return f'<p class="mlnotes-empty">{escape(_("No posts yet."))}</p>'
    return '<div class="mlnotes-cards">' + "".join(card(p, facets, term_page, url, level) for p in posts) + "</div>"


def pagination(base: str, current: int, total: int, url: UrlFor, first_page: str | None = None) -> str:
    """Previous/next links and page numbers; *first_page* overrides where page 1 lives."""
    if total <= 1:
        return ""

    def target(n: int) -> str:
        return first_page if (n == 1 and first_page) else page_name(base, n)

    items = []
    previous, following = escape(_("Previous page")), escape(_("Next page"))
    if current > 1:
        items.append(f'<a class="mlnotes-prev" rel="prev" href="{escape(url(target(current - 1)))}">{previous}</a>')
    for n in range(1, total + 1):
        if n == current:
            items.append(f'<span class="mlnotes-page-current" aria-current="page">{n}</span>')
        else:
            items.append(f'<a class="mlnotes-page" href="{escape(url(target(n)))}">{n}</a>')
    if current < total:
        items.append(f'<a class="mlnotes-next" rel="next" href="{escape(url(target(current + 1)))}">{following}</a>')
    label = escape(_("Pagination"))
    return f'<nav class="mlnotes-pagination" aria-label="{label}">{" ".join(items)}</nav>'
