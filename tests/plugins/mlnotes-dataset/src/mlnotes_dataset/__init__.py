"""The ``dataset`` facet: a post says ``dataset: imagenet, coco`` in its front matter and is listed on
each dataset's page and feed; the vocabulary is the site taxonomy's ``[datasets.<slug>]`` tables.

It uses only mlnotes' public facet interface (:mod:`mlnotes.facets`), as any plugin must."""

from __future__ import annotations

from mlnotes.core.problems import Problem
from mlnotes.core.taxonomy import Term
from mlnotes.facets import Facet, Resolved, split_values


class DatasetFacet(Facet):
    """Datasets, with a cloud in the sidebar and the book's parts ordered by them."""

    name = "dataset"
    title = "Dataset"
    sidebar = "cloud"
    card_terms = None

    def terms(self) -> dict[str, Term]:
        table = self.taxonomy.table("datasets")
        return {slug: Term(slug=slug, name=str(body["name"])) for slug, body in table.items()}

    def resolve(self, raw: str) -> Resolved:
        out = Resolved()
        known = self.terms()
        for value in split_values(raw):
            if value in known:
                out.terms.append(value)
            else:
                out.problems.append(Problem("dataset", f"unknown dataset {value!r}; the datasets are "
                                                       f"the [datasets.*] tables of {self.taxonomy_file}"))
        return out
