"""Reading time of a post, counted the way Chinese text is read: by characters.

A reader takes in about :data:`HAN_PER_MINUTE` Han characters or :data:`WORDS_PER_MINUTE` Latin
words (English terms, names, numbers) a minute.  Code blocks, math, raw HTML, comments and the
reference list are not counted.  The header shows ``约 N 分钟读完（X 字）``, where X is Han
characters plus Latin words and N is rounded up (at least 1).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from mlnotes.core.records import get_posts

HAN_PER_MINUTE = 400
WORDS_PER_MINUTE = 200
ATTR = "mlnotes_reading"

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.\-][A-Za-z0-9]+)*")


@dataclass(frozen=True)
class Reading:
    han: int
    words: int

    @property
    def count(self) -> int:
        return self.han + self.words

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.han / HAN_PER_MINUTE + self.words / WORDS_PER_MINUTE))

    def text(self) -> str:
        return f"约 {self.minutes} 分钟读完（{self.count:,} 字）"


def measure(text: str) -> Reading:
    """Han characters and Latin words in *text*."""
    han = len(_HAN.findall(text))
    return Reading(han=han, words=len(_WORD.findall(_HAN.sub(" ", text))))


_SKIP = (nodes.literal_block, nodes.math, nodes.math_block, nodes.raw, nodes.comment, nodes.footnote,
         nodes.citation, nodes.footnote_reference, nodes.citation_reference, nodes.system_message, nodes.substitution_definition, nodes.target)


def readable_text(doctree: nodes.Node) -> str:
    """The prose of *doctree*: every Text node outside code, math and references."""
    parts: list[str] = []

    def walk(node: nodes.Node) -> None:
        if isinstance(node, _SKIP) or "bibliography" in type(node).__name__:
            return
        if isinstance(node, nodes.Text):
            parts.append(node.astext())
            return
        for child in node.children:
            walk(child)

    walk(doctree)
    return " ".join(parts)


def _store(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    if docname in get_posts(app.env):
        r = measure(readable_text(doctree))
        app.env.__dict__.setdefault(ATTR, {})[docname] = (r.han, r.words)


def reading_of(env: Any, docname: str) -> Reading | None:
    counts = env.__dict__.get(ATTR, {}).get(docname)
    return Reading(*counts) if counts else None


def reading_html(env: Any, docname: str) -> str:
    r = reading_of(env, docname)
    return f'<span class="mlnotes-reading-time">{r.text()}</span>' if r else ""


def _purge(app: Sphinx, env: Any, docname: str) -> None:
    env.__dict__.get(ATTR, {}).pop(docname, None)


def _merge(app: Sphinx, env: Any, docnames: set[str], other: Any) -> None:
    theirs = other.__dict__.get(ATTR, {})
    mine = env.__dict__.setdefault(ATTR, {})
    mine.update({d: theirs[d] for d in docnames if d in theirs})


def setup_readingtime(app: Sphinx) -> None:
    # after the post record is made (posts.py, 700)
    app.connect("doctree-read", _store, priority=750)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
