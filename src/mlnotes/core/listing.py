"""Pure listing logic: which posts are public, which term lists which post, how pages split."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from mlnotes.core.records import PostRecord

T = TypeVar("T")


def published(records: Iterable[PostRecord], now: datetime) -> list[PostRecord]:
    """Dated posts not in the future, newest first (ties by docname, for a stable order)."""
    public = [r for r in records if r.when is not None and r.when <= now]
    return sorted(public, key=lambda r: (r.when, r.docname), reverse=True)


def drafts(records: Iterable[PostRecord], now: datetime) -> list[PostRecord]:
    """Undated or future-dated posts: reported, never listed."""
    return sorted((r for r in records if r.when is None or r.when > now), key=lambda r: r.docname)


def paginate(items: Sequence[T], size: int) -> list[list[T]]:
    """Split into pages of *size*; always at least one (possibly empty) page."""
    pages = [list(items[i : i + size]) for i in range(0, len(items), size)]
    return pages or [[]]


def page_name(base: str, number: int) -> str:
    """Page 1 is *base* itself; page n is ``base/page/n``."""
    return base if number == 1 else f"{base}/page/{number}"
