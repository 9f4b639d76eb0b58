"""Figure numbers for documents no toctree reaches — the posts.

Sphinx numbers figures (and captioned tables and code blocks) only while it walks the toctree
from the root document (``TocTreeCollector.assign_figure_numbers``).  Posts are not in any
toctree (ablog lists them; the front matter marks them ``orphan``), so without this a post's
figures had no number: the caption lacked "图 N" and every ``{numref}`` to it was a warning.

Each such document numbers its own figures from 1, in document order — what a reader of one
note expects.  Only figures: captioned tables and code blocks in posts were never numbered, and
numbering them now would change pages that have no figure.  The numbers are noted in the
:class:`~mlnotes.core.records.DocStore` while the document is read (so a parallel read and an
incremental build keep them like any per-document data) and handed to Sphinx after its own
assignment, for the documents it left out.  Documents in the toctree keep Sphinx's numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docutils import nodes

from mlnotes.core.records import doc_store

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


def _note_numbers(app: Sphinx, doctree: nodes.document) -> None:
    """Number the document's figures the way Sphinx would: those with a caption and an id."""
    if not app.config.numfig:
        return
    std = app.env.domains.standard_domain
    figures: dict[str, tuple[int, ...]] = {}
    for node in doctree.findall(nodes.figure):
        if node["ids"] and std.get_numfig_title(node):
            figures[node["ids"][0]] = (len(figures) + 1,)
    if figures:
        doc_store(app.env).fignumbers[app.env.docname] = {"figure": figures}


class _Numbering:
    """The two ``env-get-updated`` steps around Sphinx's own numbering, and what the first saw.

    A document's own numbers change only when it is read again — but a document can also leave
    the toctree (its figures were 图 4 … there, now 图 1 …) or join it without being read, and a
    clean build would number it differently: such documents are written again."""

    def __init__(self) -> None:
        self.previous: dict[str, dict[str, dict[str, tuple[int, ...]]]] = {}

    def note_previous(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        """Before Sphinx rebuilds ``env.toc_fignumbers``: the numbers the last build wrote."""
        self.previous = {doc: {kind: dict(ids) for kind, ids in numbers.items()}
                         for doc, numbers in env.toc_fignumbers.items()}
        return []

    def assign(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        """Give Sphinx the numbers of the documents its toctree walk did not reach; the
        documents whose numbers are not those the last build wrote."""
        if not app.config.numfig:
            return []
        for docname, numbers in doc_store(env).fignumbers.items():
            if docname not in env.toc_fignumbers and docname in env.all_docs:
                env.toc_fignumbers[docname] = {kind: dict(ids) for kind, ids in numbers.items()}
        changed = {doc for doc in set(self.previous) | set(env.toc_fignumbers)
                   if self.previous.get(doc) != env.toc_fignumbers.get(doc) and doc in env.all_docs}
        self.previous = {}
        return sorted(changed)


def setup_numbers(app: Sphinx) -> None:
    numbering = _Numbering()
    app.connect("doctree-read", _note_numbers)
    # around Sphinx's TocTreeCollector, which renumbers the toctree's documents at priority 500
    app.connect("env-get-updated", numbering.note_previous, priority=400)
    app.connect("env-get-updated", numbering.assign, priority=900)
