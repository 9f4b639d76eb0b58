"""Pages that load nothing from other hosts, and nothing they do not need.

Math is MathML made at build time (mathml.py), so no page loads MathJax from a CDN.  This
module adds the extension's template directory, whose ``layout.html`` overrides one block of
pydata-sphinx-theme's layout: the theme puts ``searchtools.js``, ``language_data.js`` and the
site's whole ``searchindex.js`` in the head of every page for its search-as-you-type modal.
With ``search_as_you_type`` off (the theme's default and ours) the modal only submits to
``search.html``, which loads those scripts itself; every other page now skips them.  Turn
``search_as_you_type`` on in ``html_theme_options`` and every page loads them again.

The same module trims what blocks the first paint of a page (Lighthouse counted ~1.2 s of
render-blocking requests on a slow mobile link): Sphinx's ``doctools.js``,
``sphinx_highlight.js``, ``translations.js`` and sphinx-design's ``design-tabs.js`` load with
``defer`` (they only act once the document is parsed; ``documentation_options.js`` stays
synchronous because the theme's inline scripts use it at once); search.html, whose reader is
our own script (site/splitindex.py) and which has nothing for them to act on, does not load the
three at all; and a page whose body uses no sphinx-design component (``sd-*`` classes) does not
load sphinx-design's CSS and tab script at all.

A site without ``html_favicon`` gets an empty inline icon (``data:,``): otherwise every browser
asks the host for ``/favicon.ico``, and a 404 in the console of every page costs Lighthouse's
best-practices score.

tests/test_offline.py checks every built page for external scripts, styles, fonts, images and
frames, and measures the result with Lighthouse.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config

TEMPLATES = Path(__file__).parents[1] / "templates"


def _templates(app: Sphinx, config: Config) -> None:
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path.append(str(TEMPLATES))


#: scripts that only act once the document is parsed (Sphinx core and sphinx-design)
DEFERRABLE = ("doctools.js", "sphinx_highlight.js", "translations.js", "design-tabs.js")
#: Sphinx's helpers (its translations, keyboard navigation to the previous and next page, the
#: highlighting of the words a search led to): the search page has none of these to act on, and
#: neither the theme's script nor ours uses them
NOT_ON_SEARCH_PAGE = ("doctools.js", "sphinx_highlight.js", "translations.js")
DESIGN_ASSETS = ("sphinx-design.min.css", "design-tabs.js")
_USES_DESIGN = re.compile(r"""class="[^"]*\bsd-""")


def _name(asset: object) -> str:
    """The file name of a script or style sheet (a Sphinx asset object or a plain path)."""
    return str(getattr(asset, "filename", asset) or "").rsplit("/", 1)[-1].split("?", 1)[0]


def _lean_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    if app.builder.format != "html" or app.builder.name not in ("html", "dirhtml"):
        return
    uses_design = bool(_USES_DESIGN.search(str(context.get("body", ""))))
    scripts = []
    for script in context.get("script_files", []):
        name = _name(script)
        if (name in DESIGN_ASSETS and not uses_design) or (pagename == "search" and name in NOT_ON_SEARCH_PAGE):
            continue
        attributes = getattr(script, "attributes", None)
        if name in DEFERRABLE and attributes is not None \
                and not {"defer", "async"} & set(attributes):
            # the same asset class, so Sphinx renders it as before, with defer
            scripts.append(type(script)(script.filename, priority=script.priority, **attributes, defer="defer"))
        else:
            scripts.append(script)
    # new lists: the builder's own are shared between pages
    context["script_files"] = scripts
    context["css_files"] = [css for css in context.get("css_files", [])
                            if uses_design or _name(css) not in DESIGN_ASSETS]
    if not app.config.html_favicon and 'rel="icon"' not in str(context.get("metatags", "")):
        context["metatags"] = str(context.get("metatags", "")) + '<link rel="icon" href="data:," />\n'


def setup_offline(app: Sphinx) -> None:
    app.connect("config-inited", _templates)
    # after pydata-sphinx-theme's and sphinx-design's handlers (default priority), which add the
    # assets this trims
    app.connect("html-page-context", _lean_assets, priority=900)
