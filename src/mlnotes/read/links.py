"""Documents that link to a document added or removed since the last build are read again.

MyST decides when it reads a document what a relative link such as ``[YOLO](yolo.md)`` is: a
link to a document when ``yolo.md`` exists, a plain URL (with its own warning) when it does not.
A document that is not read again keeps the old decision, so after ``yolo.md`` is deleted (or
added) the incremental build would differ from a clean one.  So when documents were added or
removed, every document whose source names one of their files is read again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


def _linking(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
             removed: set[str]) -> list[str]:
    if not (added or removed):
        return []
    names = {Path(d).name for d in added | removed}
    suffixes = tuple(app.config.source_suffix)
    needles = {f"{name}{suffix}" for name in names for suffix in suffixes}
    found = []
    for docname in sorted(env.found_docs - added):
        try:
            text = Path(env.doc2path(docname)).read_text(encoding="utf-8")
        except OSError:
            continue
        if any(needle in text for needle in needles):
            found.append(docname)
    return found


def setup_links(app: Sphinx) -> None:
    app.connect("env-get-outdated", _linking)
