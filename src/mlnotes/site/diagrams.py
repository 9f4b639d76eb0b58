"""Diagrams on generated pages (a paper's lineage, say): Graphviz DOT drawn at build time into
SVG markup put inline in the page.

Inline, not a separate file: the drawing is part of the page body, so the listing machinery's
"write only what changed" and its page keys cover it with nothing more to track, and the page
makes no further request.  The drawing goes through :func:`mlnotes.figures.render.draw_diagram`
(deterministic output) and is kept in the figures' cache under the hash of its source, fonts and
Graphviz version, so an unchanged diagram is not drawn again.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sphinx.util import logging

from mlnotes.core.config import get_config
from mlnotes.figures.directives import cache_dir
from mlnotes.figures.render import FigureError, draw_diagram, figure_key

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)


def inline_diagram(app: Sphinx, dot: str) -> str:
    """*dot* drawn as SVG markup fit for an HTML page, or "" (with a warning) when it cannot be
    drawn.  The links inside (Graphviz ``URL``) are for the mouse only: the caller gives the same
    content as text with real links, so the drawing is hidden from assistive technology and its
    links are taken out of the tab order."""
    fonts = get_config(app.config).figure_fonts
    key = figure_key("diagram", dot, {}, fonts)
    folder = cache_dir(app.doctreedir)
    path = folder / f"inline-{key}.svg"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        try:
            draw_diagram(dot, {"svg": path}, fonts)
        except FigureError as exc:
            logger.warning("cannot draw a diagram: %s", exc.message, type="mlnotes", subtype="figure")
            return ""
    return html_svg(Path(path).read_text(encoding="utf-8"))


def html_svg(svg: str) -> str:
    """Graphviz's SVG file as markup inside an HTML page: no XML prolog, doctype or comments
    (they carry Graphviz's version), no ids (they could collide with the page's), hidden from
    assistive technology, its links out of the tab order."""
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else svg
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)
    svg = re.sub(r'\s(?:id|class)="[^"]*"', "", svg)
    svg = re.sub(r"<title>[^<]*</title>\s*", "", svg)
    svg = svg.replace("<a ", '<a tabindex="-1" ')
    svg = svg.replace("<svg ", '<svg aria-hidden="true" class="mlnotes-diagram" ', 1)
    return svg.strip()
