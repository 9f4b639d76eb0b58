"""Pages that load nothing from other hosts, and nothing they do not need.

Math is MathML made at build time (mathml.py), so no page loads MathJax from a CDN.  This
module adds the extension's template directory, whose ``layout.html`` overrides one block of
pydata-sphinx-theme's layout: the theme puts ``searchtools.js``, ``language_data.js`` and the
site's whole ``searchindex.js`` in the head of every page for its search-as-you-type modal.
With ``search_as_you_type`` off (the theme's default and ours) the modal only submits to
``search.html``, which loads those scripts itself; every other page now skips them.  Turn
``search_as_you_type`` on in ``html_theme_options`` and every page loads them again.

tests/test_offline.py checks every built page for external scripts, styles, fonts, images and
frames, and measures the result with Lighthouse.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

TEMPLATES = Path(__file__).parent / "templates"


def _templates(app: Sphinx, config: Config) -> None:
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path.append(str(TEMPLATES))


def setup_offline(app: Sphinx) -> None:
    app.connect("config-inited", _templates)
