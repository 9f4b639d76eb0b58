"""A post's ``summary:`` front matter becomes its excerpt on listing pages and in feeds.

ablog's own excerpt is the first paragraph of the body, which for a paper note is usually an
opening sentence rather than a summary.  When a post sets ``summary:``, that text replaces it.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx

SUMMARY_KEY = "summary"


def _use_summary(app: Sphinx, doctree: nodes.document) -> None:
    env = app.env
    docname = env.docname
    summary = str(env.metadata.get(docname, {}).get(SUMMARY_KEY, "")).strip()
    posts = getattr(env, "ablog_posts", {}).get(docname)
    if not summary or not posts:
        return
    for info in posts:
        info["excerpt"] = [nodes.paragraph(summary, summary)]


def setup_excerpts(app: Sphinx) -> None:
    # after ablog's process_posts (priority 500) has recorded the post
    app.connect("doctree-read", _use_summary, priority=600)
