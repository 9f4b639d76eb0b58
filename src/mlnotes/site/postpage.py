"""On each post page: a header line (date, the facets' links, reading time), each facet's card
and navigation under it (the main paper's card, the series' previous and next posts), and
before the references the related notes and how to cite this one."""

from __future__ import annotations

from collections import Counter
from html import escape

from docutils import nodes
from sphinx.application import Sphinx

from mlnotes.core.i18n import _
from mlnotes.core.listing import published
from mlnotes.core.records import PostRecord, get_posts
from mlnotes.facets.base import Facet, PageLinks
from mlnotes.read.citeroles import BIBLIOGRAPHY
from mlnotes.site import render
from mlnotes.site.backlinks import backlinks_html
from mlnotes.site.base import Site, UrlFor, html_builder, now_in_site_tz, once_per_write
from mlnotes.site.citing import cite_block
from mlnotes.site.prevnext import prevnext_html
from mlnotes.site.readingtime import reading_html
from mlnotes.site.related import notes_by_term, related_posts, term_counts


def _decorate(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if not html_builder(app):
        return
    records = get_posts(app.env)
    post = records.get(docname)
    if post is None:
        return
    sections = [n for n in doctree.children if isinstance(n, nodes.section)]
    if not sections:
        return
    site = Site(app)
    url = site.url_from(docname)
    facets = site.runtime.facets
    date = post.when.strftime("%Y-%m-%d") if post.when else _("Draft")
    links = render.facet_links(post, [f for f in facets if f.header_links], site.term_page, url)
    header = (
        f'<p class="mlnotes-post-meta"><time datetime="{escape(post.date or "")}">{escape(date)}</time>'
        + (f" · {links}" if links else "")
        + (f" · {reading}" if (reading := reading_html(app.env, docname)) else "")
        + "</p>"
    )
    # the header line, then each facet's card (the main paper), then each facet's navigation
    page_links = PageLinks(url=url, term_page=site.term_page)
    blocks = [header]
    blocks += [card for f in facets if (card := f.post_card_html(post))]
    blocks += [nav for f in facets if (nav := f.post_nav_html(post, records, page_links))]
    title_index = next((i for i, n in enumerate(sections[0].children) if isinstance(n, nodes.title)), 0)
    sections[0].insert(title_index + 1, nodes.raw("", "".join(blocks), format="html"))

    # after the body, before the references: related notes, notes linking here, how to cite
    tail = [_related_html(app, site, post, url), backlinks_html(app, docname, url)]
    tail.append(cite_block(app, post))
    block = nodes.raw("", "".join(tail), format="html")
    refs = _references(sections[0])
    if refs is not None:
        refs.parent.insert(refs.parent.index(refs), block)
    else:
        sections[0].append(block)
    # last, after the references: previous and next post by date
    if nav := prevnext_html(app, docname):
        doctree.append(nodes.raw("", nav, format="html"))


def _is_bibliography(node: nodes.Node) -> bool:
    """The references sphinxcontrib-bibtex put there: what ``{footbibliography}`` left (posts'
    ``{bibliography}`` becomes that, see read/citeroles.py), or a global ``{bibliography}``'s
    citations."""
    return isinstance(node, nodes.citation) or (isinstance(node, nodes.Element) and bool(node.get(BIBLIOGRAPHY)))


def _references(top: nodes.section) -> nodes.Element | None:
    """Where the references begin in the post *top*: the subsection that holds the bibliography,
    whatever its heading says ("参考文献", "References"), or the bibliography itself when it sits
    right in the post; None when the post has none."""
    bibliography = next(top.findall(_is_bibliography), None)
    if not isinstance(bibliography, nodes.Element):
        return None
    node: nodes.Element = bibliography
    while node.parent is not None and node.parent is not top:
        node = node.parent
        if isinstance(node, nodes.section):
            return node
    return node if node.parent is top else None


def _related_html(app: Sphinx, site: Site, post: PostRecord, url: UrlFor) -> str:
    """The notes sharing the most terms of the first relating facet (the cited papers)."""
    facet = next(iter(site.runtime.relating()), None)
    if facet is None:
        return ""
    public, df, index = _public_posts(app, site, facet)
    related = related_posts(post, public, by=facet.name, df=df, index=index)
    if not related:
        return ""
    items = "".join(
        f'<li><a href="{escape(url(other.docname))}">{escape(other.title)}</a>'
        f' <span class="mlnotes-count">{escape(facet.shared_label(shared))}</span></li>'
        for other, shared in related
    )
    heading = escape(_("Related notes"))
    return f'<section class="mlnotes-related"><h2>{heading}</h2><ul>{items}</ul></section>'


#: published records by docname, how many notes have each term, term → notes
PublicPosts = tuple[dict[str, PostRecord], Counter[str], dict[str, list[str]]]


def _public_posts(app: Sphinx, site: Site, facet: Facet) -> PublicPosts:
    """Published records, how many notes have each term and the term → notes index, computed
    once per write phase, not once per post."""

    def compute() -> PublicPosts:
        public = {r.docname: r for r in published(get_posts(app.env).values(), now_in_site_tz(site.runtime))}
        return public, term_counts(public, facet.name), notes_by_term(public, facet.name)

    return once_per_write(app, f"related:{facet.name}", compute)


def setup_postmeta(app: Sphinx) -> None:
    app.connect("doctree-resolved", _decorate)
