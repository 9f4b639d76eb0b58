"""The tag facet: a closed vocabulary; every alias resolves to one canonical tag.

Its vocabulary is the ``[tags]`` table of taxonomy.toml (``[tags.llm] name = "大语言模型"
aliases = ["LLM"]``, names in other languages as for every term: ``names = { en = "LLM" }``);
names in every language and aliases are matched ignoring case, width, spaces and hyphens.
"""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar

from mlnotes.core.i18n import N_
from mlnotes.core.problems import Problem, did_you_mean
from mlnotes.core.records import PostRecord
from mlnotes.core.taxonomy import Taxonomy, Term, fold
from mlnotes.facets.base import Facet, Resolved, SidebarKind, split_values

TABLE = "tags"


def tag_terms(taxonomy: Taxonomy) -> dict[str, Term]:
    """Every tag of the ``[tags]`` table; no spelling may name two tags."""
    tags: dict[str, Term] = {}
    seen: dict[str, str] = {}
    for slug, where, body in taxonomy.entries(TABLE, "name and optional aliases"):
        aliases = body.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise taxonomy.error(where, "aliases must be a list of non-empty strings")
        term = taxonomy.term(slug, where, body, aliases=tuple(a.strip() for a in aliases))
        for spelling in {term.slug, *term.spellings}:
            key = fold(spelling)
            if key in seen and seen[key] != slug:
                raise taxonomy.error(where, f"{spelling!r} is already a name or alias of {TABLE}.{seen[key]}")
            seen[key] = slug
        tags[slug] = term
    return tags


class TagFacet(Facet):
    name = "tag"
    key = "tags"
    title = N_("Tag")
    sidebar: ClassVar[SidebarKind | None] = "cloud"
    card_terms: ClassVar[int | None] = 3

    def __init__(self, taxonomy: Taxonomy) -> None:
        super().__init__(taxonomy)
        self._index: dict[str, str] | None = None

    @cached_property
    def _vocabulary(self) -> dict[str, Term]:
        return tag_terms(self.taxonomy)

    def terms(self) -> dict[str, Term]:
        return self._vocabulary

    def index(self) -> dict[str, str]:
        """Folded name or alias → tag slug (built once per build, not once per post)."""
        if self._index is None:
            self._index = {}
            for term in self.terms().values():
                for spelling in (term.slug, *term.spellings):
                    self._index.setdefault(fold(spelling), term.slug)
        return self._index

    def resolve(self, raw: str) -> Resolved:
        index = self.index()
        out = Resolved()
        for value in split_values(raw):
            slug = index.get(fold(value))
            if slug is not None:
                if slug not in out.terms:
                    out.terms.append(slug)
                continue
            spellings = [s for t in self.terms().values() for s in t.spellings]
            out.problems.append(
                Problem("tag", f"unknown tag {value!r}", suggestion=did_you_mean(value, spellings),
                        hint=f"use a tag or alias from {self.taxonomy_file}, or add it there")
            )
        return out

    def canonical_text(self, slugs: list[str]) -> str:
        # ablog's own tag pages then agree with ours: one page per canonical tag
        return ", ".join(self.display(s) for s in slugs)

    def opengraph_meta(self, post: PostRecord) -> list[tuple[str, str]]:
        return [("article:tag", self.display(s)) for s in post.facets.get(self.name, [])]
