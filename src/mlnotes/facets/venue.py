"""Venue and year facets: posts classified by their main paper (``paper:`` in front matter)."""

from __future__ import annotations

import re

from mlnotes.core.problems import Problem
from mlnotes.core.taxonomy import Term
from mlnotes.facets.base import Facet, Resolved
from mlnotes.facets.paper import PaperFacet, shared_bibliography


class _ByMainPaper(Facet):
    """Shared by venue and year: the value comes from the main paper's bib entry."""

    def setup(self, confdir: str, config: object, shared: dict[str, object]) -> None:
        self.bib = shared_bibliography(confdir, config, shared)
        values = sorted({self.value(p) for p in self.bib.papers.values() if self.value(p)}, key=self.order)
        self._terms = {self.slugify(v): Term(slug=self.slugify(v), name=v) for v in values}

    def value(self, paper) -> str:  # noqa: ANN001
        raise NotImplementedError

    def order(self, value: str) -> object:
        return value

    @staticmethod
    def slugify(value: str) -> str:
        return re.sub(r"[^0-9a-z]+", "-", value.casefold()).strip("-") or "other"

    def terms(self) -> dict[str, Term]:
        return self._terms

    def extract(self, source: str, meta: dict[str, str]) -> str | None:
        key = meta.get("paper", "").strip()
        return key or None

    def resolve(self, raw: str) -> Resolved:
        paper = self.bib.papers.get(raw.strip())
        if paper is None:  # the paper facet reports the unknown key
            return Resolved()
        value = self.value(paper)
        return Resolved(terms=[self.slugify(value)] if value else [])


class VenueFacet(_ByMainPaper):
    name = "venue"
    title = "会议/期刊"

    def value(self, paper) -> str:  # noqa: ANN001
        return paper.venue


class YearFacet(_ByMainPaper):
    name = "year"
    title = "年份"

    def value(self, paper) -> str:  # noqa: ANN001
        return paper.year

    def order(self, value: str) -> object:
        return -int(value) if value.isdigit() else 0


__all__ = ["VenueFacet", "YearFacet", "PaperFacet", "Problem"]
