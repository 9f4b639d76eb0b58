"""Venue and year facets: posts classified by their main paper (``paper:`` in front matter)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from mlnotes.core.bibliography import Bibliography, Paper
from mlnotes.core.i18n import N_
from mlnotes.core.taxonomy import Term
from mlnotes.facets.base import Facet, FacetContext, Resolved
from mlnotes.facets.paper import shared_bibliography


class _ByMainPaper(Facet):
    """Shared by venue and year: the value comes from the main paper's bib entry."""

    bib: Bibliography

    def setup(self, context: FacetContext) -> None:
        self.bib = shared_bibliography(context)
        values = sorted({self.value(p) for p in self.bib.papers.values() if self.value(p)}, key=self.order)
        self._terms = {self.slugify(v): Term(slug=self.slugify(v), name=v) for v in values}

    def value(self, paper: Paper) -> str:
        raise NotImplementedError

    def order(self, value: str) -> tuple[int, str]:
        return (0, value)

    @staticmethod
    def slugify(value: str) -> str:
        return re.sub(r"[^0-9a-z]+", "-", value.casefold()).strip("-") or "other"

    def terms(self) -> dict[str, Term]:
        return self._terms

    def extract(self, source: str, meta: Mapping[str, str]) -> str | None:
        key = meta.get("paper", "").strip()
        return key or None

    def resolve(self, raw: str) -> Resolved:
        paper = self.bib.papers.get(raw.strip())
        if paper is None:  # the paper facet reports the unknown key
            return Resolved()
        value = self.value(paper)
        return Resolved(terms=[self.slugify(value)] if value else [])

    def search_words(self) -> list[str]:
        return []  # venue acronyms and years are Latin words and numbers


class VenueFacet(_ByMainPaper):
    name = "venue"
    title = N_("Venue")

    def value(self, paper: Paper) -> str:
        return paper.venue


class YearFacet(_ByMainPaper):
    name = "year"
    title = N_("Year")

    def value(self, paper: Paper) -> str:
        return paper.year

    def order(self, value: str) -> tuple[int, str]:
        return (-int(value), "") if value.isdigit() else (0, value)
