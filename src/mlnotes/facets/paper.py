"""The paper facet: every paper in refs.bib is a term; a post is listed under each paper it cites.

A post may name its main paper in front matter (``paper: radford2021clip``); that paper's card
is shown at the top of the post, and the venue and year facets classify the post by it.  The
papers a note cites make it related to the notes that cite the same papers, are its
``citation_reference`` meta tags, and make up the book's bibliography.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from mlnotes.core.bibcheck import check_bibliography
from mlnotes.core.bibliography import Bibliography, Paper, cited_keys, key_line, load_bibliography
from mlnotes.core.config import MlnotesConfig, get_config
from mlnotes.core.i18n import N_, _, ngettext
from mlnotes.core.paperdata import PaperDataFile, load_paper_data
from mlnotes.core.problems import Problem, did_you_mean
from mlnotes.core.records import PostRecord
from mlnotes.core.taxonomy import Term
from mlnotes.facets.base import (
    BookRole,
    DrawDiagram,
    Facet,
    FacetContext,
    PageLinks,
    PostSource,
    Resolved,
    UrlFor,
    split_values,
)

if TYPE_CHECKING:
    from pybtex.database import BibliographyData

#: the group of papers no note cites yet (a key no top-level term can have)
OTHER = "\0other"


def shared_bibliography(context: FacetContext) -> Bibliography:
    """refs.bib (``bibtex_bibfiles``), parsed once per build whichever facet asks first."""
    if "bibliography" not in context.shared:
        names = getattr(context.config, "bibtex_bibfiles", None) or []
        context.shared["bibliography"] = load_bibliography([Path(context.confdir) / name for name in names])
    bib = context.shared["bibliography"]
    assert isinstance(bib, Bibliography)
    return bib


class PaperFacet(Facet):
    name = "paper"
    title = N_("Paper")
    header_links = False  # the main paper has its card; the cited ones are in the references
    postcard_links = False
    own_index = True
    book_role: ClassVar[BookRole | None] = "references"
    relates = True
    #: the note's main paper
    record_keys = ("paper",)

    bib: Bibliography
    strict: bool = False
    #: papers.toml: official code, datasets, results and lineage of the papers
    data: PaperDataFile

    def setup(self, context: FacetContext) -> None:
        self.bib = shared_bibliography(context)
        cfg = get_config(context.config)
        self.strict = cfg.strict_bib
        path = Path(context.confdir) / cfg.papers
        self.data = load_paper_data(path, self.bib.papers)
        if not path.is_file() and cfg.papers != MlnotesConfig().papers:
            self.data.problems.append(Problem("papers", f"mlnotes_papers: no file {cfg.papers!r} beside conf.py"))
        self._terms = {
            key: Term(slug=key, name=paper.short_title)
            for key, paper in sorted(self.bib.papers.items(), key=lambda kv: (kv[1].year, kv[0]))
        }

    def terms(self) -> dict[str, Term]:
        return self._terms

    def digest(self) -> str:
        return self.bib.digest

    def extract(self, source: str, meta: Mapping[str, str]) -> str | None:
        keys = cited_keys(source)
        main = meta.get("paper", "").strip()
        if main and main not in keys:
            keys.insert(0, main)
        return ", ".join(keys) if keys else None

    def resolve(self, raw: str) -> Resolved:
        return self.resolve_post(raw, PostSource(docname="", text="", meta={}))

    def resolve_post(self, raw: str, post: PostSource) -> Resolved:
        out = Resolved()
        for key in split_values(raw):
            if key in self.bib.papers:
                out.terms.append(key)
                continue
            in_body = key_line(post.text, key)
            out.problems.append(Problem(
                "paper",
                f"unknown citation key {key!r}" + ("" if in_body else " in 'paper:'"),
                suggestion=did_you_mean(key, list(self.bib.papers)),
                hint="keys are the entries of refs.bib; `mlnotes add-paper` can add one",
                line=in_body,
            ))
        return out

    def display(self, slug: str) -> str:
        paper = self.bib.papers.get(slug)
        return f"{paper.short_title} ({paper.year})" if paper else slug

    def search_words(self) -> list[str]:
        return []  # paper titles are English sentences: nothing for the Chinese segmenter

    def card(self, key: str) -> str:
        """The metadata card of a paper (HTML)."""
        paper = self.bib.papers[key]
        links = paper_links(paper)
        comma = _(", ")
        authors = comma.join(escape(a) for a in paper.authors) if len(paper.authors) <= 8 else (
            _("{authors} et al. ({count} authors)").format(
                authors=comma.join(escape(a) for a in paper.authors[:8]), count=len(paper.authors))
        )
        return (
            '<div class="mlnotes-paper-card">'
            f'<p class="mlnotes-paper-title">{escape(paper.title)}</p>'
            f'<p class="mlnotes-paper-authors">{authors}</p>'
            f'<p class="mlnotes-paper-venue">{escape(paper.venue_full or paper.venue)} · {escape(paper.year)}</p>'
            + (f'<p class="mlnotes-paper-links">{" · ".join(links)}</p>' if links else "")
            + "</div>"
        )

    def post_card_html(self, post: PostRecord) -> str:
        """The card of the note's main paper (``paper:``)."""
        main = post.extra.get("paper")
        return self.card(main) if main and main in self.terms() else ""

    def page_digest(self) -> str:
        return self.data.digest

    def term_html(self, slug: str, url: UrlFor) -> str:
        return self.card(slug) + _notes_heading()

    def term_page_html(self, slug: str, links: PageLinks, draw: DrawDiagram) -> str:
        """The card, then what papers.toml says of the paper (official code, datasets, key
        results) and its lineage in the collection, drawn and as text."""
        return (self.card(slug) + paper_data_html(self, slug)
                + lineage_html(self, slug, lambda key: links.term(self, key), draw)
                + _notes_heading())

    def reference_data(self) -> BibliographyData | None:
        return self.bib.data

    def shared_label(self, count: int) -> str:
        return ngettext("({count} paper cited by both)", "({count} papers cited by both)", count).format(
            count=count)

    def citation_meta(self, post: PostRecord) -> list[tuple[str, str]]:
        return [("citation_reference", reference_meta(self.bib.papers[key]))
                for key in post.facets.get(self.name, []) if key in self.bib.papers]

    def check(self, records: Mapping[str, PostRecord]) -> list[Problem]:
        """refs.bib's own problems, and its entries no post cites."""
        cited = {key for post in records.values() for key in post.facets.get(self.name, [])}
        problems = check_bibliography(self.bib, cited, strict=self.strict) + self.data.problems
        uncited = sorted(set(self.bib.papers) - cited)
        if uncited and not self.strict:
            problems.append(Problem("bib", "refs.bib entries no post cites: " + ", ".join(uncited), level="info"))
        return problems

    def index_html(self, members: dict[str, list[PostRecord]], term_url: UrlFor) -> str:
        """Papers grouped by the book's parts (the top-level areas) of the notes that cite them;
        each group a table that sorts by year, venue or number of notes (mlnotes.js; sorted by
        year without it)."""
        grouping = next((f for f in self.peers if f.book_role == "parts"), None)
        tops_in_order = ([s for s, t in grouping.terms().items() if not t.parent] if grouping is not None else [])
        groups: dict[str, list[str]] = {}
        for key in self.bib.papers:
            tops = {top for post in members.get(key, [])
                    if grouping is not None and (top := grouping.top_term(post)) is not None}
            for top in sorted(tops) or [OTHER]:
                groups.setdefault(top, []).append(key)
        order = [a for a in tops_in_order if a in groups] + ([OTHER] if OTHER in groups else [])
        total = len(self.bib.papers)
        parts = ["<p>" + escape(ngettext(
            "{count} paper. Click a column heading to sort by year, venue or number of notes.",
            "{count} papers. Click a column heading to sort by year, venue or number of notes.",
            total).format(count=total)) + "</p>"]
        for top in order:
            name = (grouping.terms()[top].name if grouping is not None and top != OTHER
                    else _("Other (no note cites them yet)"))
            keys = sorted(groups[top], key=lambda k: (self.bib.papers[k].year, k), reverse=True)
            rows = []
            for key in keys:
                paper, n = self.bib.papers[key], len(members.get(key, []))
                rows.append(
                    f'<tr><td><a href="{escape(term_url(key))}">{escape(paper.title)}</a></td>'
                    f'<td data-sort="{escape(paper.year)}">{escape(paper.year)}</td>'
                    f'<td data-sort="{escape(paper.venue.casefold())}">{escape(paper.venue)}</td>'
                    f'<td data-sort="{n:04d}">{n}</td></tr>'
                )
            parts.append(f"<h2>{escape(name)}</h2>" + rows_table("".join(rows)))
        return "".join(parts)


def _notes_heading() -> str:
    return f'<h2 class="mlnotes-backlinks">{escape(_("Notes discussing this paper"))}</h2>'


def paper_data_html(facet: PaperFacet, key: str) -> str:
    """Official code, datasets and key results of *key*, as papers.toml gives them."""
    data = facet.data.papers.get(key)
    if data is None or not (data.code or data.datasets or data.results or data.note):
        return ""
    parts = ['<section class="mlnotes-paper-data" aria-labelledby="mlnotes-paper-data">'
             f'<h2 id="mlnotes-paper-data">{escape(_("Code, data and results"))}</h2>']
    if data.note:
        parts.append(f'<p class="mlnotes-paper-note">{escape(data.note)}</p>')
    if data.code:
        code = f'<a href="{escape(data.code)}">{escape(data.code)}</a>'
        parts.append("<p>" + _("Official code: {link}").format(link=code) + "</p>")
    if data.datasets:
        names = [f'<a href="{escape(d.url)}">{escape(d.name)}</a>' if d.url else escape(d.name) for d in data.datasets]
        parts.append("<p>" + _("Datasets: {names}").format(names=_(", ").join(names)) + "</p>")
    if data.results:
        rows = "".join(
            f"<tr><td>{escape(r.metric)}</td><td>{escape(r.value)}</td><td>{escape(r.setting)}</td>"
            f"<td>{escape(r.source)}</td></tr>" for r in data.results)
        heads = "".join(f'<th scope="col">{escape(h)}</th>'
                        for h in (_("Metric"), _("Value"), _("Setting"), _("Source")))
        parts.append('<table class="table mlnotes-paper-results">'
                     f'<caption>{escape(_("Main results reported by the paper"))}</caption>'
                     f'<thead><tr>{heads}</tr></thead><tbody>{rows}</tbody></table>')
    parts.append("</section>")
    return "".join(parts)


def lineage_html(facet: PaperFacet, key: str, paper_url: UrlFor, draw: DrawDiagram) -> str:
    """Which papers of the collection *key* builds on and which build on it (papers.toml's
    ``builds_on``, inverted for the second), as a Graphviz drawing and as the same relations in
    text with links: the text is what assistive technology reads, the drawing is hidden from it."""
    upstream = list(facet.data.papers[key].builds_on) if key in facet.data.papers else []
    downstream = facet.data.built_on_by(key)
    heading = ('<section class="mlnotes-lineage" aria-labelledby="mlnotes-lineage">'
               f'<h2 id="mlnotes-lineage">{escape(_("Lineage among the papers of this site"))}</h2>')
    if not upstream and not downstream:
        if key not in facet.data.papers:
            return ""
        return (heading + "<p>" + escape(_("This site records no direct lineage between this paper and the "
                                           "other papers of the site yet.")) + "</p></section>")
    papers = facet.bib.papers

    def item(other: str) -> str:
        return f'<li><a href="{escape(paper_url(other))}">{escape(facet.display(other))}</a></li>'

    def node(other: str, current: bool = False) -> str:
        lines = [*textwrap.wrap(papers[other].short_title, 32), papers[other].year]
        label = dot_quote("\\n".join(lines))
        style = ', style="rounded,filled,bold", fillcolor="#fde9b6", penwidth=2' if current else ""
        link = "" if current else f', URL={dot_quote(paper_url(other))}, tooltip={dot_quote(papers[other].title)}'
        return f"  {dot_quote(other)} [label={label}{style}{link}];"

    dot = ["digraph lineage {", "  rankdir=LR;", '  bgcolor="transparent";',
           '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#555555", fontsize=11];',
           '  edge [color="#555555"];', node(key, current=True)]
    dot += [node(other) for other in [*upstream, *downstream]]
    dot += [f"  {dot_quote(other)} -> {dot_quote(key)};" for other in upstream]
    dot += [f"  {dot_quote(key)} -> {dot_quote(other)};" for other in downstream]
    dot.append("}")
    svg = draw("\n".join(dot) + "\n")
    parts = [heading]
    if svg:
        parts.append(f'<div class="mlnotes-lineage-graph">{svg}</div>')
    if upstream:
        intro = escape(_("This paper builds directly on:"))
        parts.append(f"<p>{intro}</p><ul>" + "".join(item(k) for k in upstream) + "</ul>")
    if downstream:
        intro = escape(_("Papers that build directly on this one:"))
        parts.append(f"<p>{intro}</p><ul>" + "".join(item(k) for k in downstream) + "</ul>")
    parts.append("</section>")
    return "".join(parts)


def dot_quote(text: str) -> str:
    """*text* as a DOT string (backslash escapes such as ``\\n`` are kept for Graphviz)."""
    return '"' + text.replace('"', '\\"') + '"'


def reference_meta(paper: Paper) -> str:
    """One ``citation_reference`` value: the cited paper's fields, ``;``-separated."""
    parts = [f"citation_title={paper.title}"]
    parts += [f"citation_author={a}" for a in paper.authors]
    if paper.year:
        parts.append(f"citation_publication_date={paper.year}")
    if paper.venue_full:
        parts.append(f"citation_journal_title={paper.venue_full}")
    if paper.arxiv:
        parts.append(f"citation_arxiv_id={paper.arxiv}")
    if paper.doi:
        parts.append(f"citation_doi={paper.doi}")
    return "; ".join(p.replace(";", ",") for p in parts)


def paper_links(paper: Paper) -> list[str]:
    links = []
    if paper.arxiv:
        links.append(f'<a href="https://arxiv.org/abs/{escape(paper.arxiv)}">arXiv</a>')
        links.append(f'<a href="https://arxiv.org/pdf/{escape(paper.arxiv)}">PDF</a>')
    if paper.doi:
        links.append(f'<a href="https://doi.org/{escape(paper.doi)}">DOI</a>')
    if paper.url and "arxiv.org" not in paper.url:
        links.append(f'<a href="{escape(paper.url)}">{escape(_("Paper page"))}</a>')
    if paper.code:
        links.append(f'<a href="{escape(paper.code)}">{escape(_("Official code"))}</a>')
    return links


def rows_table(rows: str) -> str:
    return (
        '<table class="mlnotes-sortable table">'
        "<thead><tr>"
        + "".join(f'<th scope="col"><button type="button" data-col="{col}">{escape(label)}</button></th>'
                  for col, label in enumerate((_("Paper"), _("Year"), _("Venue"), _("Notes"))))
        + f"</tr></thead><tbody>{rows}</tbody></table>"
    )
