"""The area facet: one place in the area tree per post; parents list their children's posts."""

from __future__ import annotations

from mlnotes.core.problems import Problem, did_you_mean
from mlnotes.core.taxonomy import Term, fold
from mlnotes.facets.base import Facet, Resolved, split_values


class AreaFacet(Facet):
    name = "area"
    title = "领域"
    hierarchical = True

    def terms(self) -> dict[str, Term]:
        return self.taxonomy.areas

    def resolve(self, raw: str) -> Resolved:
        values = split_values(raw)
        out = Resolved()
        if len(values) != 1:
            out.problems.append(
                Problem("area", f"a post has exactly one area (a slug path such as 'cv/detection'), got {raw!r}")
            )
            values = values[:1]
        for value in values:
            slug = value.strip("/")
            if slug in self.terms():
                out.terms.append(slug)
                continue
            by_name = {fold(t.name): t.slug for t in self.terms().values()} | {
                fold(t.en): t.slug for t in self.terms().values()
            }
            if fold(value) in by_name:  # a Chinese or English name instead of the slug
                known = by_name[fold(value)]
                out.problems.append(
                    Problem("area", f"area {value!r} must be written as its slug", suggestion=known)
                )
                continue
            choices = list(self.terms()) + [t.name for t in self.terms().values()]
            guess = did_you_mean(value, choices)
            if guess is not None and guess not in self.terms():
                guess = by_name.get(fold(guess), guess)
            out.problems.append(
                Problem("area", f"unknown area {value!r}", suggestion=guess, hint="areas are listed in taxonomy.toml")
            )
        return out

    def rollup(self, slug: str) -> list[str]:
        return self.taxonomy.ancestors(slug)
