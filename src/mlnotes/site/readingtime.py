"""Reading time of a post: Han text counted by characters, Latin text by words.

A reader takes in about :data:`HAN_PER_MINUTE` Han characters or :data:`WORDS_PER_MINUTE` Latin
words (English terms, names, numbers) a minute.  Code blocks, math, raw HTML, comments and the
reference list are not counted.  The header shows, in the site's language, ``N min read (X
words)`` (a Chinese site: ``约 N 分钟读完（X 字）``), where X is Han characters plus Latin
words and N is rounded up (at least 1).

The counts are measured while a post is read (:mod:`mlnotes.read.measures`, called by
:class:`mlnotes.read.collector.DocCollector`) and kept in the environment's
:class:`~mlnotes.core.records.DocStore`; this module only renders them.
"""

from __future__ import annotations

from sphinx.environment import BuildEnvironment

from mlnotes.core.records import doc_store
from mlnotes.read.measures import HAN_PER_MINUTE, WORDS_PER_MINUTE, Reading, measure, readable_text

__all__ = ["HAN_PER_MINUTE", "WORDS_PER_MINUTE", "Reading", "measure", "readable_text", "reading_html", "reading_of"]


def reading_of(env: BuildEnvironment, docname: str) -> Reading | None:
    """The reading time the collector measured for post *docname* (None for other pages)."""
    counts = doc_store(env).reading.get(docname)
    return Reading(*counts) if counts else None


def reading_html(env: BuildEnvironment, docname: str) -> str:
    r = reading_of(env, docname)
    return f'<span class="mlnotes-reading-time">{r.text()}</span>' if r else ""
