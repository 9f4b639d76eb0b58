"""The series facet: ordered reading paths declared in taxonomy.toml."""

from __future__ import annotations

from mlnotes.core.problems import Problem, did_you_mean
from mlnotes.core.taxonomy import Term
from mlnotes.facets.base import Facet, Resolved, split_values


class SeriesFacet(Facet):
    name = "series"
    title = "系列"

    def terms(self) -> dict[str, Term]:
        return self.taxonomy.series

    def resolve(self, raw: str) -> Resolved:
        out = Resolved()
        for value in split_values(raw):
            if value in self.terms():
                out.terms.append(value)
            else:
                out.problems.append(
                    Problem("series", f"unknown series {value!r}", suggestion=did_you_mean(value, list(self.terms())),
                            hint="series are listed in taxonomy.toml")
                )
        return out

    def neighbours(self, slug: str, docname: str) -> tuple[str | None, str | None]:
        """The previous and next post of *docname* in series *slug*."""
        members = self.terms()[slug].members
        if docname not in members:
            return None, None
        i = members.index(docname)
        return (members[i - 1] if i > 0 else None, members[i + 1] if i + 1 < len(members) else None)
