"""What mlnotes relies on in pydata-sphinx-theme's layout, written for 0.24.

Two patches, each keyed to how the theme's package is laid out:

- ``webpack-macros.html`` — the theme keeps a Jinja macro file, ``webpack-macros.html``, in its
  ``static/`` folder; its ``layout.html`` imports it through the template loader.  Sphinx copies
  a theme's whole ``static/`` folder into ``_static/``, so every site publishes the raw Jinja
  source as ``_static/webpack-macros.html``: a file no page links to or loads, and not an HTML
  document (the Nu HTML Checker reports it with 9 errors).  :func:`setup_validity` deletes that
  copy once the build has finished; the theme reads its own file, never the copy.  Remove when
  the theme moves the file out of ``static/``.
- ``components/`` — the theme appends its ``components/`` template folder to the site's
  ``templates_path`` (in its ``config-inited`` handler) so its sidebar and navbar components are
  found.  A folder that must override one of those components has to come before it;
  :func:`templates_before_components` puts one there.  Remove when the theme registers its
  components some other way (then the order no longer matters).

Outside ``WRITTEN_FOR`` the build stops (:func:`mlnotes.compat.check_versions`).
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

from mlnotes.compat import VersionRange

WRITTEN_FOR = VersionRange("pydata-sphinx-theme", ">=0.16,<0.25", module=__name__)

#: files under ``_static/`` that are theme sources, not assets
THEME_SOURCES = ("webpack-macros.html",)
#: the theme's template folder it appends to ``templates_path``, and the package it lives in
COMPONENTS = "components"
THEME_PACKAGE = "pydata_sphinx_theme"


def _drop_theme_sources(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.builder.outdir) / "_static"
    for name in THEME_SOURCES:
        copy = static / name
        if copy.is_file() and "{% macro" in copy.read_text(encoding="utf-8", errors="replace"):
            copy.unlink()


def setup_validity(app: Sphinx) -> None:
    """Delete the theme's Jinja sources from the built ``_static/`` when the build has finished."""
    app.connect("build-finished", _drop_theme_sources)


def templates_before_components(paths: list[str], folder: str) -> list[str]:
    """*paths* (a ``templates_path``) with *folder* placed just before the theme's
    ``components/`` folder (at the end when the theme has not added it); any earlier occurrence
    of *folder* is dropped."""
    rest = [p for p in paths if str(p) != folder]
    theme = next((i for i, p in enumerate(rest) if Path(str(p)).name == COMPONENTS and THEME_PACKAGE in str(p)),
                 len(rest))
    return [*rest[:theme], folder, *rest[theme:]]
