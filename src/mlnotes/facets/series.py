"""The series facet: ordered reading paths declared in taxonomy.toml.

``[series.ssm] name = "状态空间模型" posts = ["posts/2026/s4", "posts/2026/mamba"]``: a post in a
series shows its place in it and links to the previous and next post of the series.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from html import escape

from mlnotes.core.i18n import N_, _
from mlnotes.core.problems import Problem, did_you_mean
from mlnotes.core.records import PostRecord
from mlnotes.core.taxonomy import Taxonomy, Term
from mlnotes.facets.base import Facet, PageLinks, Resolved, split_values

TABLE = "series"


def series_terms(taxonomy: Taxonomy) -> dict[str, Term]:
    """Every series of the ``[series]`` table, its posts in reading order as members."""
    series: dict[str, Term] = {}
    for slug, where, body in taxonomy.entries(TABLE, "name and posts"):
        posts = body.get("posts", [])
        if not isinstance(posts, list) or not all(isinstance(p, str) for p in posts):
            raise taxonomy.error(where, "posts must be a list of docnames, e.g. [\"posts/2026/s4\"]")
        if len(set(posts)) != len(posts):
            raise taxonomy.error(where, "lists a post twice")
        series[slug] = taxonomy.term(
            slug, where, body,
            description=taxonomy.need_str(where, body, "description", required=False),
            members=tuple(posts),
        )
    return series


class SeriesFacet(Facet):
    name = "series"
    title = N_("Series")
    header_links = False  # the series navigation says it better

    @cached_property
    def _vocabulary(self) -> dict[str, Term]:
        return series_terms(self.taxonomy)

    def terms(self) -> dict[str, Term]:
        return self._vocabulary

    def resolve(self, raw: str) -> Resolved:
        out = Resolved()
        for value in split_values(raw):
            if value in self.terms():
                out.terms.append(value)
            else:
                out.problems.append(
                    Problem("series", f"unknown series {value!r}", suggestion=did_you_mean(value, list(self.terms())),
                            hint=f"series are listed in {self.taxonomy_file}")
                )
        return out

    def neighbours(self, slug: str, docname: str) -> tuple[str | None, str | None]:
        """The previous and next post of *docname* in series *slug*."""
        members = self.terms()[slug].members
        if docname not in members:
            return None, None
        i = members.index(docname)
        return (members[i - 1] if i > 0 else None, members[i + 1] if i + 1 < len(members) else None)

    def post_nav_html(self, post: PostRecord, records: Mapping[str, PostRecord], links: PageLinks) -> str:
        """For each series of the post: its place in the series, the previous and next post."""
        blocks = []
        for slug in post.facets.get(self.name, []):
            term = self.terms().get(slug)
            if term is None:
                continue
            prev, nxt = self.neighbours(slug, post.docname)
            position = term.members.index(post.docname) + 1 if post.docname in term.members else None
            where = (_("post {position} of {total}").format(position=position, total=len(term.members))
                     if position else _("not in order"))
            series = _("Series “{name}”").format(name=escape(term.name))
            parts = [f'<a href="{escape(links.term(self, slug))}">{series}</a> {where}']
            if prev and prev in records:
                prev_title = escape(records[prev].title)
                parts.append(f'<a rel="prev" href="{escape(links.url(prev))}">'
                             + _("← Previous: {title}").format(title=prev_title) + "</a>")
            if nxt and nxt in records:
                next_title = escape(records[nxt].title)
                parts.append(f'<a rel="next" href="{escape(links.url(nxt))}">'
                             + _("Next: {title} →").format(title=next_title) + "</a>")
            label = escape(_("Series navigation"))
            blocks.append(f'<nav class="mlnotes-series-nav" aria-label="{label}">{" · ".join(parts)}</nav>')
        return "".join(blocks)

    def nav_dependents(self, changed: set[str], records: Mapping[str, PostRecord]) -> set[str]:
        """Every post of a series that one of the *changed* posts is in (they show its title)."""
        out: set[str] = set()
        for term in self.terms().values():
            if changed & set(term.members):
                out |= set(term.members) & set(records)
        return out

    def check(self, records: Mapping[str, PostRecord]) -> list[Problem]:
        """A series lists only posts, and every post that claims a series is listed in it."""
        problems = []
        for slug, term in self.terms().items():
            for member in term.members:
                if member not in records:
                    problems.append(Problem(
                        "series", f"series {slug!r} lists {member!r}, which is not a post",
                        hint="use the post's docname, e.g. 'posts/2026/s4', or remove it",
                        file=self.taxonomy.path, line=self.taxonomy.line_of(f'"{member}"'),
                    ))
            for docname, post in sorted(records.items()):
                if slug in post.facets.get(self.name, []) and docname not in term.members:
                    problems.append(Problem(
                        "series",
                        f"post says 'series: {slug}' but {self.taxonomy_file} does not list it in that series",
                        docname=docname, hint=f"add {docname!r} to [series.{slug}] posts, in reading order",
                    ))
        return problems
