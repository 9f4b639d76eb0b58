"""The tag facet: a closed vocabulary; every alias resolves to one canonical tag."""

from __future__ import annotations

from mlnotes.core.problems import Problem, did_you_mean
from mlnotes.core.taxonomy import Term, fold
from mlnotes.facets.base import Facet, Resolved, split_values


class TagFacet(Facet):
    name = "tag"
    key = "tags"
    title = "标签"

    def terms(self) -> dict[str, Term]:
        return self.taxonomy.tags

    def resolve(self, raw: str) -> Resolved:
        index = self.taxonomy.tag_index()
        out = Resolved()
        for value in split_values(raw):
            slug = index.get(fold(value))
            if slug is not None:
                if slug not in out.terms:
                    out.terms.append(slug)
                continue
            spellings = [s for t in self.terms().values() for s in (t.name, *t.aliases)]
            out.problems.append(
                Problem("tag", f"unknown tag {value!r}", suggestion=did_you_mean(value, spellings),
                        hint="use a tag or alias from taxonomy.toml, or add it there")
            )
        return out

    def canonical_text(self, slugs: list[str]) -> str:
        # ablog's own tag pages then agree with ours: one page per canonical tag
        return ", ".join(self.display(s) for s in slugs)
