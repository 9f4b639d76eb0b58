"""The area facet: one place in the area tree per post; parents list their children's posts.

Its vocabulary is the ``[areas]`` table of taxonomy.toml, a tree, each area named like every
term (:meth:`mlnotes.core.taxonomy.Taxonomy.term`)::

    [areas.cv]
    name = "Computer Vision"
    names = { zh_CN = "计算机视觉" }
    [areas.cv.children.detection]
    name = "Object Detection"
    names = { zh_CN = "目标检测" }

Its top-level areas are the parts of the book and the "browse" block of the sidebars.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any, ClassVar

from mlnotes.core.i18n import N_
from mlnotes.core.problems import Problem, did_you_mean
from mlnotes.core.records import PostRecord
from mlnotes.core.taxonomy import NAME_KEYS, Taxonomy, Term, fold
from mlnotes.facets.base import BookRole, Facet, Resolved, SidebarKind, split_values

TABLE = "areas"
#: the keys an area's table may have
KEYS = NAME_KEYS | {"description", "children"}


def area_terms(taxonomy: Taxonomy) -> dict[str, Term]:
    """Every area of the ``[areas]`` tree, parents before their children."""
    return {t.slug: t for t in _areas(taxonomy, taxonomy.table(TABLE), None)}


def _areas(taxonomy: Taxonomy, table: Mapping[str, Any], parent: str | None) -> Iterator[Term]:
    for slug, body in table.items():
        full = f"{parent}/{slug}" if parent else slug
        where = f"{TABLE}." + full.replace("/", ".children.")
        taxonomy.check_slug(where, slug)
        if not isinstance(body, dict):
            raise taxonomy.error(where, "must be a table with a name")
        unknown = set(body) - KEYS
        if unknown:
            raise taxonomy.error(where, f"unknown keys {sorted(unknown)}; expected {', '.join(sorted(KEYS))}")
        yield taxonomy.term(
            full, where, body,
            parent=parent,
            description=taxonomy.need_str(where, body, "description", required=False),
        )
        children = body.get("children", {})
        if not isinstance(children, dict):
            raise taxonomy.error(where, "children must be a table of areas")
        yield from _areas(taxonomy, children, full)


class AreaFacet(Facet):
    name = "area"
    title = N_("Area")
    hierarchical = True
    sidebar: ClassVar[SidebarKind | None] = "browse"
    card_terms: ClassVar[int | None] = None
    book_role: ClassVar[BookRole | None] = "parts"

    @cached_property
    def _vocabulary(self) -> dict[str, Term]:
        return area_terms(self.taxonomy)

    def terms(self) -> dict[str, Term]:
        return self._vocabulary

    def resolve(self, raw: str) -> Resolved:
        values = split_values(raw)
        out = Resolved()
        if len(values) != 1:
            out.problems.append(
                Problem("area", f"a post has exactly one area (a slug path such as 'cv/detection'), got {raw!r}")
            )
            values = values[:1]
        terms = self.terms()
        for value in values:
            slug = value.strip("/")
            if slug in terms:
                out.terms.append(slug)
                continue
            by_name = {fold(n): t.slug for t in terms.values() for n in t.spellings}
            if fold(value) in by_name:  # a name (in any language) instead of the slug
                known = by_name[fold(value)]
                out.problems.append(
                    Problem("area", f"area {value!r} must be written as its slug", suggestion=known)
                )
                continue
            choices = list(terms) + [n for t in terms.values() for n in t.spellings]
            guess = did_you_mean(value, choices)
            if guess is not None and guess not in terms:
                guess = by_name.get(fold(guess), guess)
            out.problems.append(
                Problem("area", f"unknown area {value!r}", suggestion=guess,
                        hint=f"areas are listed in {self.taxonomy_file}")
            )
        return out

    def rollup(self, slug: str) -> list[str]:
        """*slug* and every area above it, nearest first."""
        terms = self.terms()
        chain = []
        current: str | None = slug
        while current is not None and current in terms:
            chain.append(current)
            current = terms[current].parent
        return chain

    def opengraph_meta(self, post: PostRecord) -> list[tuple[str, str]]:
        return [("article:section", self.display(s)) for s in post.facets.get(self.name, [])[:1]]
