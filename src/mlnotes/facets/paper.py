"""The paper facet: every paper in refs.bib is a term; a post is listed under each paper it cites.

A post may name its main paper in front matter (``paper: radford2021clip``); that paper's card
is shown at the top of the post, and the venue and year facets classify the post by it.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from mlnotes.core.bibliography import Bibliography, Paper, cited_keys, key_line, load_bibliography
from mlnotes.core.problems import Problem, did_you_mean
from mlnotes.core.taxonomy import Term
from mlnotes.facets.base import Facet, Resolved, split_values


def shared_bibliography(confdir: str, config: object, shared: dict[str, object]) -> Bibliography:
    """refs.bib (``bibtex_bibfiles``), parsed once per build whichever facet asks first."""
    if "bibliography" not in shared:
        paths = [Path(confdir) / name for name in (getattr(config, "bibtex_bibfiles", None) or [])]
        shared["bibliography"] = load_bibliography(paths)
    return shared["bibliography"]  # type: ignore[return-value]


class PaperFacet(Facet):
    name = "paper"
    title = "论文"

    bib: Bibliography

    def setup(self, confdir: str, config: object, shared: dict[str, object]) -> None:
        self.bib = shared_bibliography(confdir, config, shared)
        self._terms = {
            key: Term(slug=key, name=paper.short_title)
            for key, paper in sorted(self.bib.papers.items(), key=lambda kv: (kv[1].year, kv[0]))
        }

    def terms(self) -> dict[str, Term]:
        return self._terms

    def digest(self) -> str:
        return self.bib.digest

    def extract(self, source: str, meta: dict[str, str]) -> str | None:
        keys = cited_keys(source)
        main = meta.get("paper", "").strip()
        if main and main not in keys:
            keys.insert(0, main)
        self._source = source
        self._main = main
        return ", ".join(keys) if keys else None

    def resolve(self, raw: str) -> Resolved:
        out = Resolved()
        for key in split_values(raw):
            if key in self.bib.papers:
                out.terms.append(key)
                continue
            source = getattr(self, "_source", "")
            in_body = key_line(source, key)
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

    def term_html(self, slug: str, url: Callable[[str], str]) -> str:
        return self.card(slug) + '<h2 class="mlnotes-backlinks">讨论这篇论文的笔记</h2>'

    def index_html(self, members: dict[str, list], term_url: Callable[[str], str]) -> str | None:
        """Papers grouped by the top-level area of the notes that cite them; each group a table
        that sorts by year, venue or number of notes (mlnotes.js; sorted by year without it)."""
        areas = self.taxonomy.areas
        groups: dict[str, list[str]] = {}
        for key in self.bib.papers:
            tops = {self.taxonomy.ancestors(a)[-1] for post in members.get(key, [])
                    for a in post.facets.get("area", []) if a in areas}
            for top in sorted(tops) or ["其他"]:
                groups.setdefault(top, []).append(key)
        order = [a for a in areas if a in groups] + (["其他"] if "其他" in groups else [])
        parts = [f'<p>共 {len(self.bib.papers)} 篇论文。点击表头可按年份、会议/期刊或笔记数排序。</p>']
        for top in order:
            name = areas[top].name if top in areas else "其他（尚无笔记引用）"
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
