"""On each post page: a header line (date, area, tags …) and the series' previous/next links."""

from __future__ import annotations

from html import escape

from docutils import nodes
from sphinx.application import Sphinx

from mlnotes.site import render
from mlnotes.site.citing import cite_block
from mlnotes.core.listing import published
from mlnotes.site.base import Site, html_builder, now_in_site_tz
from mlnotes.site.readingtime import reading_html
from mlnotes.site.related import citing_posts, paper_counts, related_posts
from mlnotes.site.base import once_per_write
from mlnotes.core.records import get_posts


def _decorate(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if not html_builder(app):
        return
    post = get_posts(app.env).get(docname)
    if post is None:
        return
    sections = [n for n in doctree.children if isinstance(n, nodes.section)]
    if not sections:
        return
    site = Site(app)
    url = site.url_from(docname)
    date = post.when.strftime("%Y-%m-%d") if post.when else "草稿"
    # series has its own navigation and the main paper its card; every other facet is a link group
    shown = [f for f in site.runtime.facets if f.name not in ("series", "paper")]
    links = render.facet_links(post, shown, site.term_page, url)
    header = (
        f'<p class="mlnotes-post-meta"><time datetime="{escape(post.date or "")}">{escape(date)}</time>'
        + (f" · {links}" if links else "")
        + (f" · {reading}" if (reading := reading_html(app.env, docname)) else "")
        + "</p>"
    )
    blocks = [header]
    paper_facet = site.runtime.facet("paper")
    if post.paper and paper_facet is not None and post.paper in paper_facet.terms():
        blocks.append(paper_facet.card(post.paper))  # type: ignore[attr-defined]
    series = site.runtime.facet("series")
    for slug in post.facets.get("series", []) if series is not None else []:
        prev, nxt = series.neighbours(slug, docname)  # type: ignore[attr-defined]
        term = series.terms()[slug]
        records = get_posts(app.env)
        position = term.members.index(docname) + 1 if docname in term.members else None
        where = f"第 {position} / {len(term.members)} 篇" if position else "未排序"
        parts = [f'<a href="{escape(url(site.term_page(series, slug)))}">系列「{escape(term.name)}」</a> {where}']
        if prev and prev in records:
            parts.append(f'<a rel="prev" href="{escape(url(prev))}">← 上一篇：{escape(records[prev].title)}</a>')
        if nxt and nxt in records:
            parts.append(f'<a rel="next" href="{escape(url(nxt))}">下一篇：{escape(records[nxt].title)} →</a>')
        blocks.append(f'<nav class="mlnotes-series-nav" aria-label="系列导航">{" · ".join(parts)}</nav>')
    title_index = next((i for i, n in enumerate(sections[0].children) if isinstance(n, nodes.title)), 0)
    sections[0].insert(title_index + 1, nodes.raw("", "".join(blocks), format="html"))

    # after the body, before the references: related notes and how to cite this one
    public, df, citing = _public_posts(app, site)
    tail = []
    related = related_posts(post, public, df=df, citing=citing)
    if related:
        items = "".join(
            f'<li><a href="{escape(url(other.docname))}">{escape(other.title)}</a>'
            f' <span class="mlnotes-count">（共同引用 {shared} 篇论文）</span></li>'
            for other, shared in related
        )
        tail.append(f'<section class="mlnotes-related"><h2>相关笔记</h2><ul>{items}</ul></section>')
    tail.append(cite_block(app, post))
    refs = next((s for s in sections[0].findall(nodes.section)
                 if s is not sections[0] and s.next_node(nodes.title) and s.next_node(nodes.title).astext() == "参考文献"), None)
    block = nodes.raw("", "".join(tail), format="html")
    if refs is not None:
        refs.parent.insert(refs.parent.index(refs), block)
    else:
        sections[0].append(block)


def _public_posts(app: Sphinx, site: Site) -> tuple[dict, object, dict]:
    """Published records, paper counts and the paper → citing notes index, computed once per
    write phase, not once per post."""

    def compute() -> tuple[dict, object, dict]:
        public = {r.docname: r for r in published(get_posts(app.env).values(), now_in_site_tz(site.runtime))}
        return public, paper_counts(public), citing_posts(public)

    return once_per_write(app, "public_posts", compute)


def setup_postmeta(app: Sphinx) -> None:
    app.connect("doctree-resolved", _decorate)
