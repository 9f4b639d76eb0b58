"""``{cite:p}`` / ``{cite:t}`` and ``{bibliography}`` in a post become their footnote forms.

sphinxcontrib-bibtex's ``{bibliography}`` is global: two posts that cite the same paper each
get an entry with the same label, and Sphinx warns "duplicate citation"; in the PDF all
bibliographies merge into one chapter with duplicates.  Its footnote citations have neither
problem and give real footnotes on paper.  So in posts (pages with ``blogpost:`` in their front
matter) we read the author's ``{cite:p}`key``` as ``{footcite:p}`key``` and a
``{bibliography}`` block as ``{footbibliography}`` — the references section of each post then
lists exactly what that post cites.  Line numbers are unchanged, so warnings still point at
the right line.  Other pages keep the global forms.

The post page puts its own blocks before the references, whatever their heading says, so
``{footbibliography}`` marks what it leaves in the document (:data:`BIBLIOGRAPHY`): MyST moves
the footnotes themselves to the end of the page, and the container left behind is a plain one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from docutils import nodes
from sphinx.application import Sphinx
from sphinxcontrib.bibtex.foot_directives import FootBibliographyDirective

ROLE = re.compile(r"\{cite(:[a-z]+)?\}`")
DIRECTIVE = re.compile(r"^(\s*(?:```+|~~~+|:::+)\s*)\{bibliography\}[^\n]*$", re.M)
POST = re.compile(r"\A---\n(?:.*\n)*?blogpost\s*:", re.M)


def footnote_forms(text: str) -> str:
    text = ROLE.sub(lambda m: "{footcite" + (m.group(1) or "") + "}`", text)
    return DIRECTIVE.sub(lambda m: m.group(1) + "{footbibliography}", text)


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    if POST.match(source[0]):
        source[0] = footnote_forms(source[0])


#: the attribute that marks the node a ``{footbibliography}`` left in the document (HTML writers
#: ignore it, so the page is unchanged)
BIBLIOGRAPHY = "mlnotes_bibliography"


class MarkedFootBibliography(FootBibliographyDirective):
    """sphinxcontrib-bibtex's ``{footbibliography}``, its container marked :data:`BIBLIOGRAPHY`
    (nothing is left to mark when the document cites nothing)."""

    def run(self) -> Sequence[nodes.Node]:
        out = list(super().run())
        if out and isinstance(out[-1], nodes.Element):  # the footnotes' container, after any header
            out[-1][BIBLIOGRAPHY] = True
        return out


def setup_citeroles(app: Sphinx) -> None:
    app.connect("source-read", _source_read)
    # mlnotes.setup has set up sphinxcontrib.bibtex before this
    app.add_directive("footbibliography", MarkedFootBibliography, override=True)
