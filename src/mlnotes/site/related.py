"""Related posts: the notes that share the most cited papers with this one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from mlnotes.core.records import PostRecord


def paper_counts(records: Mapping[str, PostRecord]) -> Counter[str]:
    """Paper key → number of notes citing it."""
    return Counter(key for r in records.values() for key in set(r.facets.get("paper", [])))


def citing_posts(records: Mapping[str, PostRecord]) -> dict[str, list[str]]:
    """Paper key → docnames of the notes citing it (an index built once per build)."""
    index: dict[str, list[str]] = {}
    for docname, record in records.items():
        for key in set(record.facets.get("paper", [])):
            index.setdefault(key, []).append(docname)
    return index


def related_posts(
    post: PostRecord,
    records: Mapping[str, PostRecord],
    limit: int = 5,
    df: Counter[str] | None = None,
    citing: Mapping[str, list[str]] | None = None,
) -> list[tuple[PostRecord, int]]:
    """The *limit* records sharing the most cited papers with *post*, as (record, shared count).

    A paper that many notes cite (the Transformer paper, say) says less about two notes being
    related than one only they cite, so each shared paper weighs 1 / (number of notes citing it).
    Ties go to the newer note, then the docname.  *df* and *citing* (from :func:`paper_counts`
    and :func:`citing_posts`) can be computed once and passed in for every post of a build."""
    mine = set(post.facets.get("paper", []))
    if not mine:
        return []
    df = df if df is not None else paper_counts(records)
    if citing is not None:  # only the notes that share a paper, not every note
        candidates = [records[d] for d in sorted({d for key in mine for d in citing.get(key, [])}) if d in records]
    else:
        candidates = list(records.values())
    scored = []
    for other in candidates:
        if other.docname == post.docname:
            continue
        shared = mine & set(other.facets.get("paper", []))
        if shared:
            weight = sum(1 / df[key] for key in shared)
            scored.append((weight, other, len(shared)))
    scored.sort(key=lambda item: (-item[0], -(item[1].when.timestamp() if item[1].when else 0), item[1].docname))
    return [(other, n) for _, other, n in scored[:limit]]
