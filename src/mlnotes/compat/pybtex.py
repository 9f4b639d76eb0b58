"""Look pybtex's plugins up once per process instead of once per citation.

sphinxcontrib-bibtex asks pybtex for the formatting style on every ``{footcite}`` role, and the
style asks for its label, name and sorting styles.  pybtex answers each request by scanning the
entry points of every installed distribution (``importlib.metadata.entry_points``), which is
not cached: with two citations per post that was over a third of a 1,000-post build.

pybtex has a public registry that it consults before the entry points
(``pybtex.plugin.register_plugin``).  Before documents are read we put in it the few classes a
citation needs (the configured style, and the default label, name, sorting and backend plugins),
looked up once through the entry points, so every later lookup is a dictionary access.  The
classes are the ones pybtex would have loaded; nothing about the output changes.  The names of
the default plugins and what is registered already come from pybtex's private
``pybtex.plugin._DEFAULT_PLUGINS`` and ``_RUNTIME_PLUGINS``.

Written for pybtex 0.25–0.26 (0.24 lacks ``_RUNTIME_PLUGINS``); outside that range the build stops
(:func:`mlnotes.compat.check_versions`).  Remove when pybtex caches its entry-point lookups.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.util import logging

from mlnotes.compat import VersionRange

WRITTEN_FOR = VersionRange("pybtex", ">=0.25,<0.27", module=__name__)

#: the private names this module relies on, checked against the installed pybtex by tests/test_compat.py
PRIVATE = ("pybtex.plugin._DEFAULT_PLUGINS", "pybtex.plugin._RUNTIME_PLUGINS", "pybtex.plugin.find_plugin",
           "pybtex.plugin.register_plugin", "pybtex.plugin.PluginNotFound")

logger = logging.getLogger(__name__)


#: the groups a citation's style is assembled from (formatting style, then its label, name and
#: sorting styles), and the backend the bibliography is rendered with
GROUPS = ("pybtex.style.formatting", "pybtex.style.labels", "pybtex.style.names", "pybtex.style.sorting",
          "pybtex.backends")


def register_citation_plugins(style: str | None) -> list[tuple[str, str]]:
    """Look up, once, the plugins every citation needs (*style* and each group's default) and
    register them with pybtex's runtime registry; return what was registered.  Idempotent."""
    try:
        from pybtex import plugin  # optional until sphinxcontrib-bibtex is used
    except ImportError:
        return []
    wanted = [(group, plugin._DEFAULT_PLUGINS[group]) for group in GROUPS]
    wanted.append(("pybtex.backends", "plaintext"))  # sphinxcontrib-bibtex's plain-text labels
    if style:
        wanted.append(("pybtex.style.formatting", style))
    done = []
    for group, name in wanted:
        if name in plugin._RUNTIME_PLUGINS.get(group, {}):
            continue
        try:
            klass = plugin.find_plugin(group, name)
        except plugin.PluginNotFound:  # sphinxcontrib-bibtex reports a bad style itself
            continue
        plugin.register_plugin(group, name, klass, force=True)
        done.append((group, name))
    return done


def _register(app: Sphinx, env: object, docnames: list[str]) -> None:
    # only when documents are read: a rebuild that reads nothing needs no citation style
    if docnames:
        register_citation_plugins(getattr(app.config, "bibtex_default_style", None))


def setup_bibplugins(app: Sphinx) -> None:
    """Register the citation plugins before documents are read."""
    app.connect("env-before-read-docs", _register)
