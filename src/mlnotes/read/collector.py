"""All of mlnotes' per-document data, kept through Sphinx's own environment-collector lifecycle.

:class:`DocCollector` owns the environment's :class:`~mlnotes.core.records.DocStore` (reached
through :func:`~mlnotes.core.records.doc_store`; post records through
:func:`~mlnotes.core.records.get_posts`): Sphinx calls :meth:`~DocCollector.clear_doc` before a
document is re-read and when it is removed, :meth:`~DocCollector.merge_other` for the documents
a parallel reader read, and :meth:`~DocCollector.process_doc` once a document is read.  Our
directives (``{mlnotes-latest}``, ``{mlnotes-book}``) write their entries into the same store
while the document is read; the collector drops and merges those too.

Why the store is defined in :mod:`mlnotes.core.records` and not here: the site and book rooms
read it, and core must not import the read room.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.environment.collectors import EnvironmentCollector

from mlnotes.compat.ablog import drop_post_documents
from mlnotes.core.records import DocStore, doc_store, get_posts
from mlnotes.read.excerpts import use_summary
from mlnotes.read.links import outgoing_links
from mlnotes.read.measures import first_paragraph, measure, readable_text
from mlnotes.read.posts import make_record

__all__ = ["DocCollector", "DocStore", "doc_store", "get_posts", "setup_collector"]


class DocCollector(EnvironmentCollector):
    """Keeps :class:`~mlnotes.core.records.DocStore` in step with the documents Sphinx reads."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        doc_store(env).drop(docname)

    def merge_other(self, app: Sphinx, env: BuildEnvironment, docnames: AbstractSet[str],
                    other: BuildEnvironment) -> None:
        doc_store(env).take(doc_store(other), docnames)

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        """Everything we note about a read document, in this order:

        1. a post's ``summary:`` replaces ablog's excerpt (the record's summary falls back on it);
        2. the post record, with the facet terms the front-matter transform left for it;
        3. ablog's reference to the post's whole document is dropped (unless its full-text feeds
           need it) — after 1 and 2, which read ablog's entry;
        4. a post's reading time;
        5. every page's first paragraph (its OpenGraph description);
        6. how many figures with an image the document has;
        7. its links to other documents, with the sentence around each (backlinks, previews).

        Steps 1-3 need ablog's entry in ``env.ablog_posts``, which ablog's own ``doctree-read``
        handler fills.  That handler runs first: an EnvironmentCollector connects
        ``doctree-read`` at the default priority (500) like ablog, Sphinx's EventManager.emit
        calls the listeners of one priority in the order they were connected (a stable sort by
        priority), and :func:`mlnotes.setup` sets ablog up before it registers this collector.
        """
        env = app.env
        docname = env.docname
        store = doc_store(env)
        facets = store.pending_facets.pop(docname, {})
        use_summary(env, docname)
        record = make_record(app, docname, facets)
        if record is not None:
            store.records[docname] = record
        drop_post_documents(app, docname)
        if record is not None:
            reading = measure(readable_text(doctree))
            store.reading[docname] = (reading.han, reading.words)
        description = first_paragraph(doctree)
        if description is not None:
            store.descriptions[docname] = description
        figures = sum(1 for figure in doctree.findall(nodes.figure) if next(figure.findall(nodes.image), None))
        if figures:
            store.figures[docname] = figures
        if links := outgoing_links(doctree, docname):
            store.links[docname] = links


def setup_collector(app: Sphinx) -> None:
    # after app.setup_extension("ablog") (see DocCollector.process_doc)
    app.add_env_collector(DocCollector)
