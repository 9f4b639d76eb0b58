"""What mlnotes relies on in pydata-sphinx-theme's layout, written for 0.24.

Three patches, each keyed to how the theme's package is laid out:

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
- ``default_mode`` — the theme reads ``html_context["default_mode"]``, empty unless set, and its inline
  script sets ``data-mode`` from it when the reader has chosen nothing, so the theme's own script
  logs "Got invalid theme mode" on every first visit (a console error Lighthouse counts).
  :func:`default_mode` sets it to ``"auto"`` (what the theme then falls back to anyway) unless
  the site chose one.  Remove when the theme's default is a valid mode.

Outside ``WRITTEN_FOR`` the build stops (:func:`mlnotes.compat.check_versions`).
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

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


def default_mode(app: Sphinx, config: Config) -> None:
    if config.html_theme == THEME_PACKAGE and not (config.html_context or {}).get("default_mode"):
        config.html_context = {**(config.html_context or {}), "default_mode": "auto"}


def setup_validity(app: Sphinx) -> None:
    """Delete the theme's Jinja sources from the built ``_static/`` when the build has finished,
    and give the theme a valid default colour mode."""
    app.connect("build-finished", _drop_theme_sources)
    app.connect("config-inited", default_mode)


def templates_before_components(paths: list[str], folder: str) -> list[str]:
    """*paths* (a ``templates_path``) with *folder* placed just before the theme's
    ``components/`` folder (at the end when the theme has not added it); any earlier occurrence
    of *folder* is dropped."""
    rest = [p for p in paths if str(p) != folder]
    theme = next((i for i, p in enumerate(rest) if Path(str(p)).name == COMPONENTS and THEME_PACKAGE in str(p)),
                 len(rest))
    return [*rest[:theme], folder, *rest[theme:]]
