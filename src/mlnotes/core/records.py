"""Per-build state: one plain record per post, kept on the environment.

Records are filled while documents are read (also in parallel worker processes), merged back
by ``env-merge-info`` and dropped by ``env-purge-doc``.  Everything that lists posts — term
pages, the home page, feeds — reads these records; nothing re-parses a post.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

ATTR = "mlnotes_posts"


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

    def listing_key(self) -> tuple[Any, ...]:
        """Everything a listing page or feed shows of this post."""
        # the fields are plain data (str, lists, dicts of lists), so their repr is the same as
        # asdict()'s deep copy would give, without copying (asdict was 0.7 s per rebuild at N = 1,000)
        return repr(tuple(sorted(vars(self).items(), key=lambda kv: kv[0])))


def get_posts(env: BuildEnvironment) -> dict[str, PostRecord]:
    """The one accessor for post records."""
    if not hasattr(env, ATTR):
        setattr(env, ATTR, {})
    return getattr(env, ATTR)


def _purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    get_posts(env).pop(docname, None)


def _merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    mine, theirs = get_posts(env), get_posts(other)
    for docname in docnames:
        if docname in theirs:
            mine[docname] = theirs[docname]


def setup_state(app: Sphinx) -> None:
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
