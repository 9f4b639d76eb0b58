"""The paper facet: every paper in refs.bib is a term; a post is listed under each paper it cites.

A post may name its main paper in front matter (``paper: radford2021clip``); that paper's card
is shown at the top of the post, and the venue and year facets classify the post by it.  The
papers a note cites make it related to the notes that cite the same papers, are its
``citation_reference`` meta tags, and make up the book's bibliography.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from mlnotes.core.bibcheck import check_bibliography
from mlnotes.core.bibliography import Bibliography, Paper, cited_keys, key_line, load_bibliography
from mlnotes.core.config import get_config
from mlnotes.core.problems import Problem, did_you_mean
from mlnotes.core.records import PostRecord
from mlnotes.core.taxonomy import Term
from mlnotes.facets.base import BookRole, Facet, FacetContext, PostSource, Resolved, UrlFor, split_values

if TYPE_CHECKING:
    from pybtex.database import BibliographyData

OTHER = "其他"


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
    title = "论文"
    header_links = False  # the main paper has its card; the cited ones are in the references
    postcard_links = False
    own_index = True
    book_role: ClassVar[BookRole | None] = "references"
    relates = True
    #: the note's main paper
    record_keys = ("paper",)

    bib: Bibliography
    strict: bool = False

    def setup(self, context: FacetContext) -> None:
        self.bib = shared_bibliography(context)
        self.strict = get_config(context.config).strict_bib
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
        authors = "、".join(escape(a) for a in paper.authors) if len(paper.authors) <= 8 else (
            "、".join(escape(a) for a in paper.authors[:8]) + f" 等 {len(paper.authors)} 位作者"
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

    def term_html(self, slug: str, url: UrlFor) -> str:
        return self.card(slug) + '<h2 class="mlnotes-backlinks">讨论这篇论文的笔记</h2>'

    def reference_data(self) -> BibliographyData | None:
        return self.bib.data

    def shared_label(self, count: int) -> str:
        return f"（共同引用 {count} 篇论文）"

    def citation_meta(self, post: PostRecord) -> list[tuple[str, str]]:
        return [("citation_reference", reference_meta(self.bib.papers[key]))
                for key in post.facets.get(self.name, []) if key in self.bib.papers]

    def check(self, records: Mapping[str, PostRecord]) -> list[Problem]:
        """refs.bib's own problems, and its entries no post cites."""
        cited = {key for post in records.values() for key in post.facets.get(self.name, [])}
        problems = check_bibliography(self.bib, cited, strict=self.strict)
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
        parts = [f'<p>共 {len(self.bib.papers)} 篇论文。点击表头可按年份、会议/期刊或笔记数排序。</p>']
        for top in order:
            name = grouping.terms()[top].name if grouping is not None and top != OTHER else "其他（尚无笔记引用）"
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
        links.append(f'<a href="{escape(paper.url)}">论文页面</a>')
    if paper.code:
        links.append(f'<a href="{escape(paper.code)}">官方代码</a>')
    return links


def rows_table(rows: str) -> str:
    return (
        '<table class="mlnotes-sortable table">'
        "<thead><tr>"
        '<th scope="col"><button type="button" data-col="0">论文</button></th>'
        '<th scope="col"><button type="button" data-col="1">年份</button></th>'
        '<th scope="col"><button type="button" data-col="2">会议/期刊</button></th>'
        '<th scope="col"><button type="button" data-col="3">笔记数</button></th>'
        f"</tr></thead><tbody>{rows}</tbody></table>"
    )
