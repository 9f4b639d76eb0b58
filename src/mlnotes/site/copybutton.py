"""A copy button on every code block (``static/mlnotes-copy.js``), loaded only on pages that
have code.  The script is ours and ships with the site: nothing is fetched from another host."""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from mlnotes.site.base import html_builder

SCRIPT = "mlnotes-copy.js"


def has_code(body: str) -> bool:
    return 'class="highlight"' in body


def _page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    if html_builder(app) and has_code(str(context.get("body", ""))):
        app.add_js_file(SCRIPT, loading_method="defer")  # this page only (called in html-page-context)


def setup_copybutton(app: Sphinx) -> None:
    app.connect("html-page-context", _page_context)
