"""``404.html`` at the top of the HTML output, for the host to serve on any missing URL.

Read the Docs (and most static hosts) serve this one file for a miss at any depth, e.g. for
``/zh-cn/latest/a/b/c/missing.html``, so relative links would point nowhere.  After the theme
renders the page, every relative ``href``/``src``/``action`` and the theme's ``data-content_root``
are made absolute paths under ``html_baseurl``'s path (``/`` without one); in-page ``#`` links
stay as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import escape
from typing import Any
from urllib.parse import urljoin, urlsplit

from docutils import nodes
from sphinx.application import Sphinx

from mlnotes.core.i18n import _
from mlnotes.site.base import Site, html_builder, write_page_if_changed

PAGENAME = "404"
_ATTR = re.compile(r'(\s(?:href|src|action|data-content_root)=")([^"]*)(")')
_ABSOLUTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|/|#)")


def base_path(app: Sphinx) -> str:
    """The path part of ``html_baseurl``, ending in ``/``."""
    path = urlsplit(str(app.config.html_baseurl or "")).path or "/"
    return path if path.endswith("/") else path + "/"


def absolutize(html: str, base: str) -> str:
    """Relative URLs in attributes of *html* (a page at the site's top) → absolute paths."""

    def fix(m: re.Match[str]) -> str:
        value = m.group(2)
        if _ABSOLUTE.match(value):
            return m.group(0)
        return f"{m.group(1)}{urljoin(base, value)}{m.group(3)}"

    return _ATTR.sub(fix, html)


def body(app: Sphinx) -> str:
    url = Site(app).url_from(PAGENAME)
    home, search = url(str(app.config.root_doc)), url("search")
    overview = url(Site(app).overview)
    t = {key: escape(text) for key, text in {
        "heading": _("Page not found (404)"),
        "why": _("The page you are looking for is not here: it may have been renamed or removed, "
                 "or the link is wrong."),
        "label": _("Search all notes:"),
        "button": _("Search"),
        "home": _("Back to the home page"),
        "search": _("Open the search page"),
        "browse": _("Browse all notes by area, tag and series"),
    }.items()}
    return (
        '<section class="mlnotes-404">'
        f"<h1>{t['heading']}</h1>"
        f"<p>{t['why']}</p>"
        f'<form class="mlnotes-404-search" action="{escape(search)}" method="get" role="search">'
        f'<label for="mlnotes-404-q">{t["label"]}</label> '
        f'<input id="mlnotes-404-q" type="search" name="q" /> <button type="submit">{t["button"]}</button></form>'
        "<ul>"
        f'<li><a href="{escape(home)}">{t["home"]}</a></li>'
        f'<li><a href="{escape(search)}">{t["search"]}</a></li>'
        f'<li><a href="{escape(overview)}">{t["browse"]}</a></li>'
        "</ul></section>"
    )


def _collect(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """``html-collect-pages`` handler: writes the page itself (only when it changed) and yields
    none for Sphinx to write."""
    if not html_builder(app) or app.builder.name != "html" or PAGENAME in app.env.found_docs:
        return
    ctx: dict[str, Any] = {"title": _("Page not found"), "body": body(app), "parents": [], "display_toc": False,
                           "metatags": '<meta name="robots" content="noindex" />\n'}
    base = base_path(app)
    write_page_if_changed(app, PAGENAME, ctx, "page.html", transform=lambda html: absolutize(html, base))
    yield from ()


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                  doctree: nodes.document | None) -> None:
    if pagename == PAGENAME and doctree is None:
        context["pageurl"] = None  # no canonical link: the page stands for every missing URL


def setup_notfound(app: Sphinx) -> None:
    app.connect("html-collect-pages", _collect)
    app.connect("html-page-context", _page_context)
