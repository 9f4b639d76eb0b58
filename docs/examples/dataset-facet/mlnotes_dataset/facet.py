"""The dataset facet: ``datasets: COCO, ImageNet-1k`` in a post's front matter lists the post on
each dataset's page (``topics/dataset/<slug>.html``), in its feed and in a sidebar cloud.

The vocabulary is the ``[datasets]`` table of the site's taxonomy file; a post may name a dataset
by its slug, by its name in any language or by an alias, and case, width, spaces, hyphens and
underscores do not matter.  Pages show the name in the site's ``language``.
"""

from __future__ import annotations

import gettext
from functools import cached_property
from pathlib import Path
from typing import ClassVar

from mlnotes.core.problems import Problem, did_you_mean
from mlnotes.core.taxonomy import Term, fold
from mlnotes.facets import Facet, FacetContext, Resolved, split_values
from mlnotes.facets.base import SidebarKind

#: this package's own message catalog: locale/<language>/LC_MESSAGES/mlnotes_dataset.mo
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "mlnotes_dataset"
#: the facet's table in taxonomy.toml
TABLE = "datasets"


class DatasetFacet(Facet):
    # the name in mlnotes_facets, in URLs (topics/dataset/coco.html, feeds/dataset/coco.xml)
    # and in warnings
    name = "dataset"
    # the front-matter key, when it is not the name: a post lists several datasets
    key = "datasets"
    # a cloud of the datasets in use, for html_sidebars' mlnotes/tagcloud.html
    sidebar: ClassVar[SidebarKind | None] = "cloud"
    # a post's card on the home page and on term pages shows up to two of its datasets
    card_terms: ClassVar[int | None] = 2

    def setup(self, context: FacetContext) -> None:
        # once per build, before anything asks for terms or the title: one process may build
        # two sites in two languages, so nothing language-dependent is decided at import time
        self.language: str = context.config.language or "en"
        self.catalog = gettext.translation(DOMAIN, LOCALE_DIR, languages=[self.language], fallback=True)

    @property
    def title(self) -> str:  # type: ignore[override]  # Facet declares a class attribute
        # a noun that labels the post's datasets, heads the sidebar cloud and the dataset's
        # section of the topics page: English source, translated by the package's catalog
        return self.catalog.gettext("Dataset")

    def _name_in(self, where: str, body: dict[str, object]) -> tuple[str, list[str]]:
        """The dataset's name in this site's language, and all its names (every language)."""
        name = self.taxonomy.need_str(where, body, "name")
        names = body.get("names", {})
        if not isinstance(names, dict) or not all(isinstance(v, str) and v.strip() for v in names.values()):
            raise self.taxonomy.error(where, 'names must map languages to names, e.g. names = { zh_CN = "..." }')
        shown = names.get(self.language) or names.get(self.language.partition("_")[0]) or name
        return shown.strip(), [name, *(v.strip() for v in names.values())]

    @cached_property
    def _vocabulary(self) -> tuple[dict[str, Term], dict[str, str]]:
        """The terms by slug (file order), and every folded spelling → its slug."""
        terms: dict[str, Term] = {}
        spellings: dict[str, str] = {}
        for slug, where, body in self.taxonomy.entries(TABLE, "name, and optional names and aliases"):
            shown, names = self._name_in(where, dict(body))
            aliases = body.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
                raise self.taxonomy.error(where, "aliases must be a list of non-empty strings")
            terms[slug] = Term(slug=slug, name=shown, aliases=tuple(a.strip() for a in aliases))
            for spelling in (slug, *names, *aliases):
                other = spellings.setdefault(fold(spelling), slug)
                if other != slug:  # a spelling must say one thing: a configuration error
                    raise self.taxonomy.error(where, f"{spelling!r} already names {TABLE}.{other}")
        return terms, spellings

    def terms(self) -> dict[str, Term]:
        return self._vocabulary[0]

    def resolve(self, raw: str) -> Resolved:
        # no logging here: problems go back to mlnotes, which locates them (the post, the
        # line of its datasets key) and reports them as warnings of type mlnotes.dataset
        spellings = self._vocabulary[1]
        out = Resolved()
        for value in split_values(raw):
            slug = spellings.get(fold(value))
            if slug is None:
                known = [spelling for term in self.terms().values() for spelling in (term.name, *term.aliases)]
                out.problems.append(Problem(
                    "dataset", f"unknown dataset {value!r}", suggestion=did_you_mean(value, known),
                    hint=f"use a dataset of [{TABLE}] in {self.taxonomy_file}, or add it there",
                ))
            elif slug not in out.terms:
                out.terms.append(slug)
        return out
