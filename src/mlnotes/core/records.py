"""Per-document state: one plain record per post and the rest of what we keep per document,
in one :class:`DocStore` on the environment.

The store is filled while documents are read (also in parallel worker processes); the
environment collector :class:`mlnotes.read.collector.DocCollector` merges it back and drops a
document's entries — Sphinx's own lifecycle, no hand-rolled purge/merge pairs.  Everything
that lists posts — term pages, the home page, feeds — reads these records; nothing re-parses a
post.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime

from sphinx.environment import BuildEnvironment

#: where the :class:`DocStore` lives on the environment
ATTR = "mlnotes_docs"


@dataclass
class PostRecord:
    docname: str
    title: str
    #: ISO date-time, naive, in ``mlnotes_timezone``; None for an undated draft
    date: str | None
    summary: str
    authors: list[str] = field(default_factory=list)
    #: facet name → term slugs, as the post declared them (parents not rolled in)
    facets: dict[str, list[str]] = field(default_factory=dict)
    #: front-matter values a facet asked to keep (:attr:`Facet.record_keys`), e.g. the main
    #: paper's key under ``paper``
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def when(self) -> datetime | None:
        return datetime.fromisoformat(self.date) if self.date else None

    def listing_key(self) -> str:
        """Everything a listing page or feed shows of this post."""
        # the fields are plain data (str, lists, dicts of lists), so their repr is the same as
        # asdict()'s deep copy would give, without copying (asdict was 0.7 s per rebuild at N = 1,000)
        return repr(tuple(sorted(vars(self).items(), key=lambda kv: kv[0])))


#: one link of a document to another, as it was read: (kind, target, text before, link text,
#: text after).  *kind* "doc" names the target document (a MyST ``.md`` link, ``{doc}``); kind
#: "ref" a label (``{ref}``), resolved to its document only once every document is read.  The
#: three texts are the plain sentence around the link, trimmed (the backlink's context).
Link = tuple[str, str, str, str, str]


@dataclass
class DocStore:
    """All of mlnotes' per-document data, kept on the environment as one plain, picklable value.

    Filled while documents are read — by :class:`mlnotes.read.collector.DocCollector` and by our
    directives — and, like the rest of the environment, pickled between builds and shipped back
    from parallel readers.  :class:`~mlnotes.read.collector.DocCollector` drops a document's
    entries when it is re-read or removed and merges them back from the worker processes, so
    no other module keeps per-document data of its own.  Plain data only (str, int, tuples,
    lists, dicts, sets): nothing here may keep a document node, an app or an environment alive.
    """

    #: docname → its post record (posts only)
    records: dict[str, PostRecord] = field(default_factory=dict)
    #: documents that contain ``{mlnotes-latest}`` (the home list)
    latest_docs: set[str] = field(default_factory=set)
    #: docname → plain first paragraph (the OpenGraph description of a page that is no post)
    descriptions: dict[str, str] = field(default_factory=dict)
    #: docname → (Han characters, Latin words) of a post's prose (its reading time)
    reading: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: book docname → the documents its ``{mlnotes-book}`` toctrees include, in order
    book_docs: dict[str, list[str]] = field(default_factory=dict)
    #: docname → facet terms the front-matter transform resolved, until the document's
    #: ``doctree-read`` turns them into its record (empty between reads; see
    #: :meth:`mlnotes.read.frontmatter.PostFrontMatter._resolve_facets`)
    pending_facets: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: docname → the number of figures with an image in it (the nothing-lost audit counts them
    #: in every output)
    figures: dict[str, int] = field(default_factory=dict)
    #: docname → figure kind → node id → its number within the document, used for documents no
    #: toctree reaches (:mod:`mlnotes.figures.numbers`)
    fignumbers: dict[str, dict[str, dict[str, tuple[int, ...]]]] = field(default_factory=dict)
    #: docname → its links to other documents, in document order, as
    #: :data:`~mlnotes.core.records.Link` tuples (the backlinks and link previews are made from
    #: them once every document is read; :mod:`mlnotes.read.links` collects them)
    links: dict[str, list[Link]] = field(default_factory=dict)
    #: docname → its explicit labels as (name, line), the ones Sphinx's std domain registers
    #: (:mod:`mlnotes.read.labels` finds the same label in two documents, whatever the read order)
    labels: dict[str, list[tuple[str, int | None]]] = field(default_factory=dict)

    def drop(self, docname: str) -> None:
        """Forget everything about *docname* (it is about to be re-read, or it was removed)."""
        self.records.pop(docname, None)
        self.latest_docs.discard(docname)
        self.descriptions.pop(docname, None)
        self.reading.pop(docname, None)
        self.book_docs.pop(docname, None)
        self.pending_facets.pop(docname, None)
        self.figures.pop(docname, None)
        self.fignumbers.pop(docname, None)
        self.links.pop(docname, None)
        self.labels.pop(docname, None)

    def take(self, other: DocStore, docnames: AbstractSet[str]) -> None:
        """Copy the entries of *docnames* from *other* (a parallel reader's store) into this one."""
        self.records.update({d: v for d, v in other.records.items() if d in docnames})
        self.descriptions.update({d: v for d, v in other.descriptions.items() if d in docnames})
        self.reading.update({d: v for d, v in other.reading.items() if d in docnames})
        self.book_docs.update({d: v for d, v in other.book_docs.items() if d in docnames})
        self.figures.update({d: v for d, v in other.figures.items() if d in docnames})
        self.fignumbers.update({d: v for d, v in other.fignumbers.items() if d in docnames})
        self.links.update({d: v for d, v in other.links.items() if d in docnames})
        self.labels.update({d: v for d, v in other.labels.items() if d in docnames})
        self.latest_docs |= other.latest_docs & set(docnames)


def doc_store(env: BuildEnvironment) -> DocStore:
    """The one accessor for per-document data (made on first use, e.g. in a fresh environment)."""
    store = env.__dict__.get(ATTR)
    if store is None:
        store = env.__dict__[ATTR] = DocStore()
    return store


def get_posts(env: BuildEnvironment) -> dict[str, PostRecord]:
    """The one accessor for post records."""
    return doc_store(env).records
