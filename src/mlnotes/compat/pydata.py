"""Keep the built site valid HTML where the fix is not in a template.

pydata-sphinx-theme keeps a Jinja macro file, ``webpack-macros.html``, in its ``static/``
folder; its ``layout.html`` imports it through the template loader.  Sphinx copies a theme's
whole ``static/`` folder into ``_static/``, so every site publishes the raw Jinja source as
``_static/webpack-macros.html``: a file no page links to or loads, and not an HTML document
(the Nu HTML Checker reports it with 9 errors).  We delete that copy once the build has
finished; the theme reads its own file, never the copy.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

#: files under ``_static/`` that are theme sources, not assets
THEME_SOURCES = ("webpack-macros.html",)


def _drop_theme_sources(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.builder.outdir) / "_static"
    for name in THEME_SOURCES:
        copy = static / name
        if copy.is_file() and "{% macro" in copy.read_text(encoding="utf-8", errors="replace"):
            copy.unlink()


def setup_validity(app: Sphinx) -> None:
    app.connect("build-finished", _drop_theme_sources)
