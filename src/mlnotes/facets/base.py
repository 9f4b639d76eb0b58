"""The facet interface, and loading facets by name from the ``mlnotes.facets`` entry-point group.

A facet turns a post's front-matter value into terms of a vocabulary, and says which terms
exist.  The core builds the term pages, the feeds and the overview from that alone; it never
names a particular facet.  A third-party facet is a class like the built-in ones, registered as::

    [project.entry-points."mlnotes.facets"]
    dataset = "my_package.facets:DatasetFacet"

and switched on with ``mlnotes_facets = ["area", "tag", "dataset"]`` in ``conf.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import ClassVar

from sphinx.errors import ConfigError

from mlnotes.core.problems import Problem
from mlnotes.core.taxonomy import Taxonomy, Term

ENTRY_POINT_GROUP = "mlnotes.facets"


@dataclass
class Resolved:
    """What a facet made of a post's raw value: term slugs, and problems (no location yet)."""

    terms: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def split_values(raw: str) -> list[str]:
    """``"a, b，c"`` → ``["a", "b", "c"]`` (ASCII and full-width commas)."""
    return [v.strip() for v in raw.replace("，", ",").split(",") if v.strip()]


class Facet(ABC):
    """One way of classifying posts.

    Subclasses set :attr:`name` (the front-matter key and the URL segment), :attr:`title`
    (the Chinese heading on pages) and implement :meth:`resolve` and :meth:`terms`.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    #: the front-matter key; defaults to :attr:`name`
    key: ClassVar[str | None] = None
    #: a post listed under a term is also listed under the terms :meth:`rollup` returns
    hierarchical: ClassVar[bool] = False

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy

    def setup(self, confdir: str, config: object, shared: dict[str, object]) -> None:
        """Called once per build after construction: load what the facet needs (optional).
        *shared* is one dict per build, so facets that read the same file read it once."""

    @property
    def front_matter_key(self) -> str:
        return self.key or self.name

    def extract(self, source: str, meta: dict[str, str]) -> str | None:
        """The raw value of this facet for a post: by default its front-matter key.
        *source* is the post's text, for facets that look at the body (citations)."""
        return meta.get(self.front_matter_key)

    def digest(self) -> str:
        """A fingerprint of the facet's vocabulary beyond taxonomy.toml (refs.bib for papers):
        when it changes, every post is re-read and every listing re-rendered."""
        return ""

    def term_html(self, slug: str, url: "Callable[[str], str]") -> str:
        """Extra HTML at the top of a term's page (a paper's metadata card, say)."""
        return ""

    def index_html(self, members: dict[str, list], term_url: "Callable[[str], str]") -> str | None:
        """A page of its own listing every term (the papers index); None: list terms in the overview.
        *members* maps each term to its published posts."""
        return None

    @abstractmethod
    def resolve(self, raw: str) -> Resolved:
        """Map the raw front-matter text to term slugs, reporting unknown values."""

    @abstractmethod
    def terms(self) -> dict[str, Term]:
        """Every term of the vocabulary, by slug, in display order."""

    def rollup(self, slug: str) -> list[str]:
        """The terms whose pages list a post that has *slug* (itself, and parents for a tree)."""
        return [slug]

    def display(self, slug: str) -> str:
        term = self.terms().get(slug)
        return term.name if term else slug

    def canonical_text(self, slugs: list[str]) -> str | None:
        """What ablog should see for this key after resolution (None: leave the text alone)."""
        return None


def installed_facets() -> dict[str, object]:
    """Entry points of the group, by name."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load_facets(names: list[str] | tuple[str, ...], taxonomy: Taxonomy) -> list[Facet]:
    available = installed_facets()
    facets: list[Facet] = []
    for name in names:
        if name not in available:
            raise ConfigError(
                f"mlnotes_facets: unknown facet {name!r}; installed facets: "
                + ", ".join(sorted(available))
                + f" (a facet is an entry point in the {ENTRY_POINT_GROUP!r} group)"
            )
        cls = available[name].load()  # type: ignore[attr-defined]
        if not (isinstance(cls, type) and issubclass(cls, Facet)):
            raise ConfigError(f"mlnotes_facets: entry point {name!r} is {cls!r}, not a mlnotes Facet subclass")
        facets.append(cls(taxonomy))
    return facets
