"""What mlnotes does to docutils nodes: cut them loose from the document they were read into.

docutils (0.22) gives every node a private back-reference, ``Node._document``, to the document
it belongs to; that document's settings hold Sphinx's build environment.  Nodes that a parallel
reader ships back to the main process (ablog's post excerpts, see :mod:`mlnotes.compat.ablog`)
would each keep a worker's whole environment alive through it.  docutils has no public way to
detach a node, so :func:`detach_from_document` clears the attribute; a node without a document
behaves like a freshly made one, and is given a document again when it is put into one.

Remove when docutils offers a public way to detach nodes, or when ablog stops keeping nodes
(then :mod:`mlnotes.compat.ablog` no longer needs this).
"""

from __future__ import annotations

from docutils import nodes

from mlnotes.compat import VersionRange

WRITTEN_FOR = VersionRange("docutils", ">=0.21,<0.23", module=__name__)

#: the private names this module relies on, checked against the installed docutils by tests/test_compat.py
PRIVATE = ("docutils.nodes.Node._document",)


def detach_from_document(node: nodes.Node) -> None:
    """Clear *node*'s and every descendant's reference to its document (``Node._document``)."""
    for each in node.findall(include_self=True):
        if getattr(each, "_document", None) is not None:
            # private in docutils and absent from its stubs; the public setter takes no None
            each._document = None  # type: ignore[attr-defined]  # see above
