"""Links between documents, as they are read: each document's links to other documents, with
the sentence around each (the backlinks and link previews are made from them, in
:mod:`mlnotes.site.backlinks`); and documents that link to a document added or removed since
the last build are read again.

MyST decides when it reads a document what a relative link such as ``[YOLO](yolo.md)`` is: a
link to a document when ``yolo.md`` exists, a plain URL (with its own warning) when it does not.
A document that is not read again keeps the old decision, so after ``yolo.md`` is deleted (or
added) the incremental build would differ from a clean one.  So when documents were added or
removed, every document whose source names one of their files is read again.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx import addnodes
from sphinx.util import docname_join

from mlnotes.core.records import Link

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

#: how many characters of the sentence a backlink shows on each side of the link text at most
CONTEXT_SIDE = 60
#: where a sentence ends: Chinese and Latin end marks and semicolons; a Latin full stop only
#: before a space (so that "3.5" or "e.g" stay whole).  Not a line break: a paragraph written
#: over several lines is still one paragraph.
_SENTENCE_END = re.compile(r"[。！？!?；;]|\.(?=\s)")
_SPACE = re.compile(r"\s+")
#: inline nodes whose text is no prose of the sentence: footnote and citation numbers
_SKIP = (nodes.footnote_reference, nodes.citation_reference)


def _target(node: addnodes.pending_xref, docname: str) -> tuple[str, str] | None:
    """(kind, target) of a cross-reference to another document, None for any other."""
    domain, kind = node.get("refdomain"), node.get("reftype")
    if domain == "doc" and node.get("reftarget"):  # MyST: [text](other.md), decided when read
        return "doc", str(node["reftarget"])
    if domain == "std" and kind == "doc":
        return "doc", docname_join(str(node.get("refdoc", docname)), str(node["reftarget"]))
    if domain == "std" and kind == "ref":  # a label: its document is known once all are read
        return "ref", str(node["reftarget"])
    return None


def _flatten(node: nodes.Node, out: list[str], marks: dict[int, tuple[int, int]]) -> None:
    """The plain text of *node* into *out*; for each cross-reference, where its text starts and
    ends in the joined text (by ``id`` of the node)."""
    if isinstance(node, _SKIP):
        return
    if isinstance(node, nodes.Text):
        out.append(str(node))
        return
    start = sum(map(len, out))
    for child in node.children:
        _flatten(child, out, marks)
    if isinstance(node, addnodes.pending_xref):
        marks[id(node)] = (start, sum(map(len, out)))


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text)


def _sentence(text: str, start: int, end: int) -> tuple[str, str, str]:
    """(before, link text, after): the sentence of *text* around ``text[start:end]``, its
    whitespace collapsed, at most :data:`CONTEXT_SIDE` characters on each side (cut with …)."""
    begin = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        begin = m.end()
    stop = next((m.end() for m in _SENTENCE_END.finditer(text, end)), len(text))
    before, anchor, after = (_clean(text[begin:start]).lstrip(), _clean(text[start:end]).strip(),
                             _clean(text[end:stop]).rstrip())
    if len(before) > CONTEXT_SIDE:
        before = "…" + before[-CONTEXT_SIDE:].lstrip()
    if len(after) > CONTEXT_SIDE:
        after = after[:CONTEXT_SIDE].rstrip() + "…"
    return before, anchor, after


def outgoing_links(doctree: nodes.document, docname: str) -> list[Link]:
    """Every link of the document *docname* to another document, in document order, with the
    sentence around it (its paragraph's, or the nearest text element's, plain text: no
    footnote numbers).  Links to the document itself are left out."""
    found: list[Link] = []
    done: dict[int, tuple[str, dict[int, tuple[int, int]]]] = {}  # container → its text, marks
    for node in doctree.findall(addnodes.pending_xref):
        target = _target(node, docname)
        if target is None or target == ("doc", docname):
            continue
        ancestors = _ancestors(node)
        container = next((a for a in ancestors if isinstance(a, nodes.paragraph)), None) or next(
            (a for a in ancestors if isinstance(a, nodes.TextElement)), node)  # a title, a caption
        if id(container) not in done:
            parts: list[str] = []
            marks: dict[int, tuple[int, int]] = {}
            _flatten(container, parts, marks)
            done[id(container)] = ("".join(parts), marks)
        text, marks = done[id(container)]
        start, end = marks.get(id(node), (0, 0))
        found.append((target[0], target[1], *_sentence(text, start, end)))
    return found


def _ancestors(node: nodes.Node) -> list[nodes.Element]:
    """The elements around *node*, the nearest first."""
    out = []
    parent = node.parent
    while parent is not None:
        out.append(parent)
        parent = parent.parent
    return out


def _linking(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
             removed: set[str]) -> list[str]:
    if not (added or removed):
        return []
    names = {Path(d).name for d in added | removed}
    suffixes = tuple(app.config.source_suffix)
    needles = {f"{name}{suffix}" for name in names for suffix in suffixes}
    found = []
    for docname in sorted(env.found_docs - added):
        try:
            text = Path(env.doc2path(docname)).read_text(encoding="utf-8")
        except OSError:
            continue
        if any(needle in text for needle in needles):
            found.append(docname)
    return found


def setup_links(app: Sphinx) -> None:
    app.connect("env-get-outdated", _linking)
