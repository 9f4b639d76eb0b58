"""Warn again about a document until it is fixed.

Sphinx keeps what it read in the saved environment and re-reads only changed files.  So when a
strict build (``-W --keep-going``) fails on a warning, running it again without touching the
file passes silently: the document is not read again, and its warning is not repeated.  An
author who simply re-runs ``make html`` would publish the broken page.

This module notes every document that a warning points to during a build (in the doctree
directory, so it survives to the next build, whatever phase warned) and marks those documents
outdated in the next build (``env-get-outdated``): they are read and written again and warn
again, until they are fixed.  Warnings that point to no document (``refs.bib``, ``conf.py``)
are repeated by the checks that raise them on every build anyway.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sphinx.util.logging import NAMESPACE

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

FILE = "mlnotes-warned-docs.json"
_HANDLER = "_mlnotes_warning_recorder"


class WarnedDocs(logging.Handler):
    """Collects the documents that warnings of one build point to."""

    def __init__(self, app: Sphinx) -> None:
        super().__init__(level=logging.WARNING)
        self.app = app
        self.docnames: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        docname = self.docname_of(getattr(record, "location", None))
        if docname:
            self.docnames.add(docname)

    def docname_of(self, location: object) -> str | None:
        env = self.app.env
        if isinstance(location, tuple) and location:
            location = location[0]
        if not isinstance(location, str) or not location:
            return None
        if location in env.all_docs:
            return location
        path, sep, line = location.rpartition(":")
        if sep and line.isdigit():
            location = path
        try:
            return env.path2doc(location)
        except (ValueError, OSError):
            return None


def _record(app: Sphinx) -> None:
    handler = WarnedDocs(app)
    app.__dict__[_HANDLER] = handler
    logging.getLogger(NAMESPACE).addHandler(handler)


def _outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
              removed: set[str]) -> list[str]:
    try:
        warned = json.loads((Path(app.doctreedir) / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return sorted(d for d in warned if isinstance(d, str) and d in env.found_docs)


def _save(app: Sphinx, exc: BaseException | None) -> None:
    handler: WarnedDocs | None = app.__dict__.pop(_HANDLER, None)
    if handler is None:
        return
    logging.getLogger(NAMESPACE).removeHandler(handler)
    path = Path(app.doctreedir) / FILE
    if handler.docnames:
        path.write_text(json.dumps(sorted(handler.docnames), ensure_ascii=False), encoding="utf-8")
    else:
        path.unlink(missing_ok=True)


def setup_rewarn(app: Sphinx) -> None:
    app.connect("builder-inited", _record)
    app.connect("env-get-outdated", _outdated)
    # last: warnings raised by other build-finished handlers are still recorded
    app.connect("build-finished", _save, priority=1000)
