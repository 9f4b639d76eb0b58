"""A .bib file that pybtex cannot parse: each broken entry reported at its line, the rest kept.

The checks of the entries themselves (fields, identifiers, duplicates, uncited entries) are in
:mod:`mlnotes.core.bibcheck`; the paper facet runs them once every post is read.
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

from mlnotes.core.bibliography import bib_cache
from mlnotes.core.events import CONFIG_READY
from mlnotes.core.problems import Problem, report


def split_bib(text: str) -> list[tuple[int, str]]:
    """(first line, text) of each '@' chunk of a .bib file."""
    chunks: list[tuple[int, list[str]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(r"\s*@", line) or not chunks:
            chunks.append((number, [line]))
        else:
            chunks[-1][1].append(line)
    return [(n, "\n".join(lines)) for n, lines in chunks]


def salvage(path: Path) -> tuple[str, list[Problem]]:
    """The parseable entries of *path*, and a located problem for each one that is not."""
    from pybtex.database import parse_string
    from pybtex.scanner import PybtexError

    kept, problems = [], []
    for line, chunk in split_bib(path.read_text(encoding="utf-8")):
        if not chunk.lstrip().startswith("@"):
            kept.append(chunk)  # comments
            continue
        try:
            parse_string(chunk, "bibtex")
        except PybtexError as exc:
            reason = re.sub(r"\s*in line \d+", "", str(exc))
            problems.append(Problem("bib", f"cannot parse the entry starting here: {reason}", file=str(path), line=line,
                                    hint="the entry was left out so the rest of the site builds; fix it"))
            continue
        kept.append(chunk)
    return "\n".join(kept) + "\n", problems


def _sanitise_bibfiles(app: Sphinx, config: Config) -> None:
    """sphinxcontrib-bibtex stops the whole build with a traceback on a .bib it cannot parse.
    Parse each file first; a broken one is replaced, for this build only, by a copy without
    the broken entries, and each broken entry is reported at its line."""
    from pybtex.scanner import PybtexError

    names = list(getattr(config, "bibtex_bibfiles", None) or [])
    changed = False
    for i, name in enumerate(names):
        path = Path(app.confdir) / name
        try:
            bib_cache().parse(path)  # the paper facet's load_bibliography reuses this parse
            continue
        except (PybtexError, OSError):
            pass
        if not path.is_file():
            continue  # sphinxcontrib-bibtex reports a missing file itself
        text, problems = salvage(path)
        report(problems)
        clean = Path(app.doctreedir) / f"mlnotes-salvaged-{i}-{path.name}"
        clean.parent.mkdir(parents=True, exist_ok=True)
        clean.write_text(text, encoding="utf-8")
        names[i] = str(clean)
        changed = True
    if changed:
        config.bibtex_bibfiles = names


def setup_bibcheck(app: Sphinx) -> None:
    # before the paper facet loads refs.bib (mlnotes.core.events)
    app.connect(CONFIG_READY, _sanitise_bibfiles)
