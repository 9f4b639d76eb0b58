"""Figure numbers for documents that no toctree reaches — the posts.

Sphinx numbers figures (``numfig``) only while it walks the toctrees down from the root
document (:meth:`sphinx.environment.collectors.toctree.TocTreeCollector.assign_figure_numbers`).
The posts hang off no toctree there (the index lists them through ablog; ``book.md``, which
does list them, is an orphan), so a post's figures got no number: the caption had no "图 N"
and every ``{numref}`` to it was a "no number is assigned" warning.

:class:`FigureNumberCollector` notes each document's numbered nodes in document order while it
is read, and once Sphinx has assigned the toctree numbers it numbers the documents left out,
each on its own (图 1, 图 2, … per page, as a reader of a single post expects).  A document's
numbers depend only on that document, so they change only when it is read again, and then it
is written anyway: nothing else has to be re-written.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, cast

from docutils import nodes
from sphinx.environment.collectors import EnvironmentCollector

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

__all__ = ["FigureNumberCollector", "setup_numbering"]

#: where the notes live on the environment (pickled with it)
ATTR = "mlnotes_enumerables"


@dataclass
class Enumerables:
    """Per document: its numbered nodes as (figure type, first id), in document order."""

    docs: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def enumerables(env: BuildEnvironment) -> Enumerables:
    """The one accessor (made on first use, e.g. in an environment pickled before this existed)."""
    store = env.__dict__.get(ATTR)
    if store is None:
        store = env.__dict__[ATTR] = Enumerables()
    return cast("Enumerables", store)


class FigureNumberCollector(EnvironmentCollector):
    """Numbers the figures (tables, code blocks) of the documents outside every toctree."""

    def clear_doc(self, app: Sphinx, env: BuildEnvironment, docname: str) -> None:
        enumerables(env).docs.pop(docname, None)

    def merge_other(self, app: Sphinx, env: BuildEnvironment, docnames: AbstractSet[str],
                    other: BuildEnvironment) -> None:
        ours, theirs = enumerables(env).docs, enumerables(other).docs
        for docname in docnames:
            if docname in theirs:
                ours[docname] = theirs[docname]

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        """The nodes Sphinx's own numbering would count, in the same order: enumerable, with an
        id and a caption (uncaptioned ones get no number; sections are the toctree's business)."""
        std = app.env.domains.standard_domain
        found = [
            (figtype, node["ids"][0])
            for node in doctree.findall(nodes.Element)
            if node["ids"]
            and (figtype := std.get_enumerable_node_type(node))
            and figtype != "section"
            and std.get_numfig_title(node)
        ]
        if found:
            enumerables(app.env).docs[app.env.docname] = found

    def get_updated_docs(self, app: Sphinx, env: BuildEnvironment) -> list[str]:
        """Runs after the toctree collector (registered before us, same event and priority),
        which has just rebuilt ``env.toc_fignumbers`` for the documents it reached."""
        if not app.config.numfig:
            return []
        for docname, found in enumerables(env).docs.items():
            if docname in env.toc_fignumbers or docname not in env.all_docs:
                continue
            counters: dict[str, int] = {}
            numbers: dict[str, dict[str, tuple[int, ...]]] = {}
            for figtype, node_id in found:
                counters[figtype] = counters.get(figtype, 0) + 1
                numbers.setdefault(figtype, {})[node_id] = (counters[figtype],)
            env.toc_fignumbers[docname] = numbers
        return []


def setup_numbering(app: Sphinx) -> None:
    app.add_env_collector(FigureNumberCollector)
