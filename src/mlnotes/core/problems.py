"""Problems are values; one place turns them into Sphinx warnings.

Facets and checks return :class:`Problem` objects instead of logging themselves, so the same
problem reads the same whether it surfaces in ``sphinx-build -W`` or in ``make check``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sphinx.util import logging

logger = logging.getLogger(__name__)

#: every warning of ours carries this type, so ``suppress_warnings = ["mlnotes.<subtype>"]`` works
WARNING_TYPE = "mlnotes"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    subtype: str
    message: str
    docname: str | None = None
    line: int | None = None
    suggestion: str | None = None
    #: how to fix it, when that is more than the suggestion
    hint: str | None = None
    #: a file that is not a document (taxonomy.toml, refs.bib), when docname is None
    file: str | None = None
    #: "warning" (fails a strict build) or "info" (a note in the build log only)
    level: str = "warning"

    def text(self) -> str:
        text = self.message
        if self.suggestion:
            text += f"; did you mean {self.suggestion!r}?"
        if self.hint:
            text += f" ({self.hint})"
        return text


def report(problems: Iterable[Problem]) -> int:
    """Log every problem as a Sphinx warning with type ``mlnotes`` (notes at info level);
    return how many warnings."""
    count = 0
    for problem in problems:
        if problem.docname:
            location: str | tuple[str, int | None] | None = (problem.docname, problem.line)
        elif problem.file:
            location = f"{problem.file}:{problem.line}" if problem.line else problem.file
        else:
            location = None
        if problem.level == "info":
            logger.info("mlnotes: %s", problem.text(), location=location)
            continue
        logger.warning(problem.text(), type=WARNING_TYPE, subtype=problem.subtype, location=location)
        count += 1
    return count


def did_you_mean(value: str, choices: Sequence[str], cutoff: float | None = None) -> str | None:
    """The closest choice to *value*, compared case-insensitively, or None."""
    if cutoff is None:
        cutoff = 0.5 if len(value) <= 3 else 0.6  # one wrong letter in a short slug is still close
    folded = {c.casefold(): c for c in choices}
    match = difflib.get_close_matches(value.casefold(), list(folded), n=1, cutoff=cutoff)
    return folded[match[0]] if match else None
