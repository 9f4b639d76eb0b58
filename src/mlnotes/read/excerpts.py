"""A post's ``summary:`` front matter becomes its excerpt on listing pages and in feeds.

ablog's own excerpt is the first paragraph of the body, which for a paper note is usually an
opening sentence rather than a summary.  When a post sets ``summary:``, that text replaces it.
Called by :class:`mlnotes.read.collector.DocCollector` once ablog has recorded the post.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.environment import BuildEnvironment

SUMMARY_KEY = "summary"


def use_summary(env: BuildEnvironment, docname: str) -> None:
    """Replace ablog's excerpt of post *docname* by its ``summary:`` (when it has one)."""
    summary = str(env.metadata.get(docname, {}).get(SUMMARY_KEY, "")).strip()
    posts = getattr(env, "ablog_posts", {}).get(docname)
    if not summary or not posts:
        return
    for info in posts:
        info["excerpt"] = [nodes.paragraph(summary, summary)]
