"""What the collector measures in a read document: a post's reading time and a page's first
paragraph.

Pure functions of a doctree, kept in the read room so that
:class:`mlnotes.read.collector.DocCollector` can compute them while documents are read without
importing the site modules that render them (:mod:`mlnotes.site.readingtime`,
:mod:`mlnotes.site.opengraph`).

Reading time counts Chinese (and other Han) text by characters and Latin text by words, since
that is how each is read: a reader takes in about :data:`HAN_PER_MINUTE` Han characters or
:data:`WORDS_PER_MINUTE` Latin words (English terms, names, numbers) a minute, so a post mixing
both is timed fairly in any site language.  Code blocks, math, raw HTML, comments and the
reference list are not counted.  :meth:`Reading.text` words the result in the site's language.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from docutils import nodes

from mlnotes.core.i18n import ngettext

HAN_PER_MINUTE = 400
WORDS_PER_MINUTE = 200
#: longest OpenGraph description, in characters
MAX_DESCRIPTION = 160

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
        """"5 min read (1,303 words)" in the site's language; the count is Han characters plus
        Latin words (a Chinese site says 字, characters)."""
        return ngettext("{minutes} min read ({count} word)", "{minutes} min read ({count} words)",
                        self.count).format(minutes=self.minutes, count=f"{self.count:,}")


def measure(text: str) -> Reading:
    """Han characters and Latin words in *text*."""
    han = len(_HAN.findall(text))
    return Reading(han=han, words=len(_WORD.findall(_HAN.sub(" ", text))))


_SKIP = (nodes.literal_block, nodes.math, nodes.math_block, nodes.raw, nodes.comment, nodes.footnote,
         nodes.citation, nodes.footnote_reference, nodes.citation_reference, nodes.system_message,
         nodes.substitution_definition, nodes.target)


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


def plain(text: str, limit: int = MAX_DESCRIPTION) -> str:
    """One line of plain text, at most *limit* characters (an ellipsis marks a cut)."""
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def first_paragraph(doctree: nodes.document) -> str | None:
    """The first paragraph of the body with text (not in a footnote, citation, admonition or
    field list), as one plain line: a page's description when it is no post."""
    para = next((p for p in doctree.findall(nodes.paragraph)
                 if not isinstance(p.parent, (nodes.footnote, nodes.citation, nodes.admonition, nodes.field_body))
                 and p.astext().strip()), None)
    return plain(para.astext()) if para is not None else None
