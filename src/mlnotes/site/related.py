"""Related notes: the notes that share the most terms of a relating facet (the cited papers)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from mlnotes.core.records import PostRecord


def term_counts(records: Mapping[str, PostRecord], by: str) -> Counter[str]:
    """Term of facet *by* → number of notes that have it."""
    return Counter(key for r in records.values() for key in set(r.facets.get(by, [])))


def notes_by_term(records: Mapping[str, PostRecord], by: str) -> dict[str, list[str]]:
    """Term of facet *by* → docnames of the notes that have it (an index built once per build)."""
    index: dict[str, list[str]] = {}
    for docname, record in records.items():
        for key in set(record.facets.get(by, [])):
            index.setdefault(key, []).append(docname)
    return index


def related_posts(
    post: PostRecord,
    records: Mapping[str, PostRecord],
    by: str,
    limit: int = 5,
    df: Counter[str] | None = None,
    index: Mapping[str, list[str]] | None = None,
) -> list[tuple[PostRecord, int]]:
    """The *limit* records sharing the most terms of facet *by* with *post*, as (record, shared
    count).

    A term that many notes have (the Transformer paper, say) says less about two notes being
    related than one only they have, so each shared term weighs 1 / (number of notes with it).
    Ties go to the newer note, then the docname.  *df* and *index* (from :func:`term_counts`
    and :func:`notes_by_term`) can be computed once and passed in for every post of a build."""
    mine = set(post.facets.get(by, []))
    if not mine:
        return []
    df = df if df is not None else term_counts(records, by)
    if index is not None:  # only the notes that share a term, not every note
        candidates = [records[d] for d in sorted({d for key in mine for d in index.get(key, [])}) if d in records]
    else:
        candidates = list(records.values())
    scored = []
    for other in candidates:
        if other.docname == post.docname:
            continue
        shared = mine & set(other.facets.get(by, []))
        if shared:
            weight = sum(1 / df[key] for key in shared)
            scored.append((weight, other, len(shared)))
    scored.sort(key=lambda item: (-item[0], -(item[1].when.timestamp() if item[1].when else 0), item[1].docname))
    return [(other, n) for _, other, n in scored[:limit]]
