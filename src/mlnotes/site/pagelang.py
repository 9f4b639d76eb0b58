"""A page written in another language than the site: front matter ``language: en``.

The site's ``language`` sets ``<html lang>`` on every page, so an English page of a Chinese site
(the extension guide here) was announced as Chinese: screen readers read it with a Chinese voice
and browsers offer to translate it from Chinese.  A page whose front matter has ``language``
gets that language tag instead (a BCP 47 tag; ``en_GB`` is written ``en-GB``).  Only the tag
changes: the labels around the page stay in the site's language.

A value that is no language tag is a located ``frontmatter`` warning when the page is read, and
the page keeps the site's language.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from mlnotes.core.problems import Problem, report
from mlnotes.read.frontmatter import front_matter_lines

KEY = "language"
#: a BCP 47 language tag as sites use them: a 2–3 letter language, an optional script and region
_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z]{4})?(?:[-_](?:[A-Za-z]{2}|[0-9]{3}))?$")


def page_language(value: object) -> str | None:
    """*value* as the ``lang`` attribute (``zh_CN`` → ``zh-CN``), or None when it is no tag."""
    if not isinstance(value, str) or not _TAG.match(value.strip()):
        return None
    return value.strip().replace("_", "-")


def _check(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    value = app.env.metadata.get(docname, {}).get(KEY)
    if value is None or page_language(value) is not None:
        return
    line = None
    with contextlib.suppress(OSError):
        line = front_matter_lines(Path(app.env.doc2path(docname)).read_text(encoding="utf-8")).get(KEY)
    report([Problem("frontmatter", f"language: {value!r} is not a language tag", docname=docname, line=line,
                     hint="write a BCP 47 tag such as 'en', 'zh-CN' or 'pt-BR'; the page keeps the site's "
                          "language")])


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                  doctree: nodes.document | None) -> None:
    tag = page_language(app.env.metadata.get(pagename, {}).get(KEY))
    if tag is not None:
        context["language"] = tag


def setup_pagelang(app: Sphinx) -> None:
    app.connect("doctree-read", _check)
    app.connect("html-page-context", _page_context)
