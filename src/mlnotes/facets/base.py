"""The facet interface: one way of classifying posts, and everything the site needs from it.

A facet turns a post's front-matter value into terms of a vocabulary and says which terms
exist.  Everything else the site shows of a facet is asked of the facet through this interface,
so the core never names a particular one (area, tag, series, paper … are plugins like any other):

======================  =====================================================================
capability              what the facet supplies (defaults in brackets)
======================  =====================================================================
vocabulary              :meth:`terms`, :meth:`resolve_post`, :meth:`rollup`, :meth:`display`
post header             :attr:`header_links` (its terms as links in the header [yes]),
                        :meth:`post_card_html` (a card under the header [none]),
                        :meth:`post_nav_html` (navigation under the header [none])
term pages              :meth:`term_html`, or :meth:`term_page_html` with links to other terms
                        and diagrams drawn at build time [none]; :meth:`page_digest`
post sidebar card       :attr:`postcard_links` [yes]
listing cards           :attr:`card_terms` (how many of a post's terms its card on the home
                        and term pages shows [none])
sidebars                :attr:`sidebar` — ``"browse"`` (top-level terms with counts) or
                        ``"cloud"`` (terms sized by their number of posts) [none];
                        :attr:`own_index` (a page listing every term, linked from the sidebar)
meta tags               :meth:`opengraph_meta`, :meth:`citation_meta` [none]
search                  :meth:`search_words`, words the Chinese segmenter must keep whole
                        [every term's name and aliases]
the book                :attr:`book_role` — ``"parts"`` (its top-level terms are the book's
                        parts) or ``"references"`` (its terms are the bibliography) [none]
related notes           :attr:`relates` (notes sharing its terms are related) and
                        :meth:`shared_label`
checks                  :meth:`check` (problems across posts), :meth:`audit_terms` (the term
                        pages and feeds a published post must be on)
incremental builds      :meth:`digest`, :meth:`nav_dependents`
======================  =====================================================================

Built-in facets use exactly this interface and are found like any plugin, through the
``mlnotes.facets`` entry points; a site's ``conf.py`` (or a test) can also add one with
:func:`mlnotes.facets.registry.register_facet`.  A facet keeps no per-post state: what it
needs of a post comes in as a :class:`PostSource` (while reading) or a
:class:`~mlnotes.core.records.PostRecord` (afterwards).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from mlnotes.core.i18n import _, ngettext
from mlnotes.core.problems import Problem
from mlnotes.core.records import PostRecord
from mlnotes.core.taxonomy import Taxonomy, Term

if TYPE_CHECKING:
    from pybtex.database import BibliographyData

#: pagename → URL relative to the page being written
UrlFor = Callable[[str], str]
#: Graphviz DOT source → the drawing as inline SVG markup, drawn at build time by the site (which
#: may import the figures room; facets may not), or "" when it could not be drawn
DrawDiagram = Callable[[str], str]
SidebarKind = Literal["browse", "cloud"]
BookRole = Literal["parts", "references"]


@dataclass
class Resolved:
    """What a facet made of a post's raw value: term slugs, and problems (no location yet)."""

    terms: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class PostSource:
    """A post as a facet sees it while the post is read."""

    docname: str
    #: the whole source text (for facets that look at the body, e.g. citations)
    text: str
    #: front-matter values as text (lists joined with ", ")
    meta: Mapping[str, str]


@dataclass(frozen=True)
class FacetContext:
    """What a facet may use when it is set up for a build."""

    confdir: str
    #: the Sphinx configuration (read only)
    config: Any
    #: one dict per build, so facets that read the same file (refs.bib) read it once
    shared: dict[str, object]
    #: every facet of this build, in ``mlnotes_facets`` order (itself included)
    peers: Sequence[Facet]


@dataclass(frozen=True)
class PageLinks:
    """URLs as seen from the page being written."""

    url: UrlFor
    #: (facet, term slug) → the term's pagename
    term_page: Callable[[Facet, str], str]

    def term(self, facet: Facet, slug: str) -> str:
        return self.url(self.term_page(facet, slug))


def split_values(raw: str) -> list[str]:
    """``"a, b，c"`` → ``["a", "b", "c"]`` (ASCII and full-width commas)."""
    return [v.strip() for v in raw.replace("，", ",").split(",") if v.strip()]


class _TranslatedTitle:
    """A facet's :attr:`Facet.title` as read: the source string through the ``mlnotes`` catalog.

    The site's language is known only once the application is configured, long after a facet
    class is defined, so the title is translated each time it is read, not when it is set."""

    def __init__(self, source: str) -> None:
        self.source = source

    def __get__(self, instance: object, owner: type | None = None) -> str:
        return _(self.source)


class Facet(ABC):
    """One way of classifying posts.

    Subclasses set :attr:`name` (the front-matter key and the URL segment) and :attr:`title`
    (the heading on pages), implement :meth:`terms` and :meth:`resolve`, and switch on the
    capabilities they have (see the module's table).

    :attr:`title` is set as a plain string: an English source string of the ``mlnotes`` catalog
    (built-in facets mark theirs with ``N_``), or any text a plugin likes.  Reading it gives the
    string translated into the site's language (unchanged when the catalogs have no
    translation), and :attr:`title_source` the string as set."""

    name: ClassVar[str]
    title: ClassVar[str]
    #: :attr:`title` as the subclass set it, untranslated
    title_source: ClassVar[str]
    #: the front-matter key; defaults to :attr:`name`
    key: ClassVar[str | None] = None
    #: a post listed under a term is also listed under the terms :meth:`rollup` returns
    hierarchical: ClassVar[bool] = False
    #: its terms are links in the post header, beside the date
    header_links: ClassVar[bool] = True
    #: its terms are links on the post's sidebar card
    postcard_links: ClassVar[bool] = True
    #: how many of a post's terms its card on listing pages (home, term pages) shows, as links:
    #: ``0`` none, ``None`` all.  Cards stay short — title, date, a few terms, the summary —
    #: so only the facets a reader browses by show here.
    card_terms: ClassVar[int | None] = 0
    #: the sidebar block it feeds, if any
    sidebar: ClassVar[SidebarKind | None] = None
    #: it has a page of its own listing every term (:meth:`index_html`)
    own_index: ClassVar[bool] = False
    #: its part in the PDF and EPUB, if any
    book_role: ClassVar[BookRole | None] = None
    #: posts sharing its terms are "related notes"
    relates: ClassVar[bool] = False
    #: front-matter keys whose values the post record keeps for the facet (``PostRecord.extra``)
    record_keys: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        source = cls.__dict__.get("title")
        if isinstance(source, str):
            # a plain class attribute would be read untranslated: keep it as the source string
            # and read it through the catalog (see _TranslatedTitle)
            cls.title_source = source
            setattr(cls, "title", _TranslatedTitle(source))  # noqa: B010  # mypy: title stays a str to readers

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.peers: Sequence[Facet] = ()

    def setup(self, context: FacetContext) -> None:  # noqa: B027  # an optional hook, not abstract: most facets need nothing
        """Called once per build after construction: load what the facet needs (optional)."""

    @property
    def front_matter_key(self) -> str:
        return self.key or self.name

    @property
    def taxonomy_file(self) -> str:
        """The vocabulary file as messages name it: the file ``mlnotes_taxonomy`` points at, so a
        hint never sends an author to a ``taxonomy.toml`` their site does not have."""
        return PurePath(self.taxonomy.path).name or "taxonomy.toml"

    # ------------------------------------------------------------------- vocabulary

    @abstractmethod
    def terms(self) -> dict[str, Term]:
        """Every term of the vocabulary, by slug, in display order."""

    @abstractmethod
    def resolve(self, raw: str) -> Resolved:
        """Map the raw front-matter text to term slugs, reporting unknown values."""

    def extract(self, source: str, meta: Mapping[str, str]) -> str | None:
        """The raw value of this facet for a post: by default its front-matter key.
        *source* is the post's text, for facets that look at the body (citations)."""
        return meta.get(self.front_matter_key)

    def resolve_post(self, raw: str, post: PostSource) -> Resolved:
        """:meth:`resolve` with the post at hand (to locate a problem in its body, say)."""
        return self.resolve(raw)

    def rollup(self, slug: str) -> list[str]:
        """The terms whose pages list a post that has *slug* (itself, and parents for a tree)."""
        return [slug]

    def display(self, slug: str) -> str:
        term = self.terms().get(slug)
        return term.name if term else slug

    def canonical_text(self, slugs: list[str]) -> str | None:
        """What ablog should see for this key after resolution (None: leave the text alone)."""
        return None

    def digest(self) -> str:
        """A fingerprint of the facet's vocabulary beyond taxonomy.toml (refs.bib for papers):
        when it changes, every post is re-read and every listing re-rendered."""
        return ""

    def members(self, posts: Sequence[PostRecord]) -> dict[str, list[PostRecord]]:
        """Term slug → its posts (in the order given); every term present, empty or not."""
        out: dict[str, list[PostRecord]] = {slug: [] for slug in self.terms()}
        for post in posts:
            seen: set[str] = set()
            for slug in post.facets.get(self.name, []):
                for term in self.rollup(slug) if self.hierarchical else [slug]:
                    if term in out and term not in seen:
                        out[term].append(post)
                        seen.add(term)
        return out

    def top_term(self, post: PostRecord) -> str | None:
        """The top-level term a post falls under (its first term, rolled up), if any."""
        slugs = [s for s in post.facets.get(self.name, []) if s in self.terms()]
        if not slugs:
            return None
        return self.rollup(slugs[0])[-1] if self.hierarchical else slugs[0]

    # -------------------------------------------------------------------- pages

    def term_html(self, slug: str, url: UrlFor) -> str:
        """Extra HTML at the top of a term's page (a paper's metadata card, say)."""
        return ""

    def term_page_html(self, slug: str, links: PageLinks, draw: DrawDiagram) -> str:
        """:meth:`term_html` for facets whose term pages link to other terms (*links*) or show a
        diagram drawn at build time (*draw*: DOT source → inline SVG); a paper's lineage, say.
        By default just :meth:`term_html`."""
        return self.term_html(slug, links.url)

    def page_digest(self) -> str:
        """A fingerprint of what the term pages show beyond the vocabulary (:meth:`digest`):
        when it changes the listing pages are rendered again, but no post is re-read."""
        return ""

    def index_html(self, members: dict[str, list[PostRecord]], term_url: UrlFor) -> str:
        """With :attr:`own_index`: the page listing every term. *members* maps each term to its
        published posts; *term_url* maps a term slug to its URL from that page."""
        return ""

    def post_card_html(self, post: PostRecord) -> str:
        """HTML right under a post's header line (a paper's metadata card, say)."""
        return ""

    def post_nav_html(self, post: PostRecord, records: Mapping[str, PostRecord], links: PageLinks) -> str:
        """Navigation under a post's header (a series' previous and next posts, say)."""
        return ""

    def nav_dependents(self, changed: set[str], records: Mapping[str, PostRecord]) -> set[str]:
        """Posts whose :meth:`post_nav_html` shows one of the *changed* posts."""
        return set()

    def reference_data(self) -> BibliographyData | None:
        """With :attr:`book_role` "references": the pybtex ``BibliographyData`` whose entries
        its terms are the keys of (the book's bibliography is formatted from it)."""
        return None

    def shared_label(self, count: int) -> str:
        """With :attr:`relates`: how a related note's list entry says what it shares."""
        return ngettext("({facet}: {count} in common)", "({facet}: {count} in common)", count).format(
            facet=self.title, count=count)

    def opengraph_meta(self, post: PostRecord) -> list[tuple[str, str]]:
        """OpenGraph ``article:*`` properties of a post."""
        return []

    def citation_meta(self, post: PostRecord) -> list[tuple[str, str]]:
        """Google Scholar ``citation_*`` meta tags of a post."""
        return []

    def search_words(self) -> Iterable[str]:
        """Spellings the Chinese word segmenter should keep whole (names and aliases)."""
        for term in self.terms().values():
            yield term.name
            yield from term.aliases

    # ------------------------------------------------------------------- checks

    def check(self, records: Mapping[str, PostRecord]) -> list[Problem]:
        """Problems across posts, once every post is read (a series list and its posts)."""
        return []

    def audit_terms(self, post: PostRecord) -> list[str]:
        """The terms whose page and feed a published *post* must appear on."""
        out: list[str] = []
        terms = self.terms()
        for slug in post.facets.get(self.name, []):
            for term in self.rollup(slug) if self.hierarchical else [slug]:
                if term in terms and term not in out:
                    out.append(term)
        return out
