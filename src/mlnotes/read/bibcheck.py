"""Checks of refs.bib: parse errors, missing fields, malformed identifiers, duplicates, uncited
entries.  Each problem names the file and the line of the entry.

Two entries with the same normalised title are one paper twice — unless both carry a DOI and
the DOIs differ (a conference paper and its journal extension are two publications of record).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from sphinx.application import Sphinx

from mlnotes.core.bibliography import Bibliography, bib_cache
from mlnotes.core.events import CONFIG_READY
from mlnotes.core.problems import Problem, report
from mlnotes.facets.runtime import get_runtime
from mlnotes.core.records import get_posts

REQUIRED = {
    "article": ("author", "title", "journal", "year"),
    "inproceedings": ("author", "title", "booktitle", "year"),
    "incollection": ("author", "title", "booktitle", "year"),
    "book": ("title", "publisher", "year"),
    "techreport": ("author", "title", "institution", "year"),
    "misc": ("title", "year"),
    "online": ("title", "year", "url"),
}
ARXIV_NEW = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?$")
ARXIV_OLD = re.compile(r"^[a-z-]+(\.[A-Z]{2})?/\d{7}(v\d+)?$")
DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def entry_lines(paths: Iterable[str]) -> dict[str, tuple[str, int]]:
    """key → (file, line of its '@type{key,')."""
    where: dict[str, tuple[str, int]] = {}
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            m = re.match(r"\s*@\w+\s*\{\s*([^,\s]+)\s*,", line)
            if m:
                where.setdefault(m.group(1), (path, number))
    return where


def norm_title(title: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", title.casefold())


def check_bibliography(bib: Bibliography, cited: set[str], strict: bool) -> list[Problem]:
    problems = list(bib.problems)  # parse errors
    if bib.data is None:
        return problems
    where = entry_lines(bib.files)

    def at(key: str, subtype: str, message: str, hint: str | None = None) -> Problem:
        file, line = where.get(key, (bib.files[0] if bib.files else None, None))
        return Problem(subtype, message, file=file, line=line, hint=hint)

    seen: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for key, entry in bib.data.entries.items():
        fields = {k.lower(): v for k, v in entry.fields.items()}
        have = set(fields) | ({"author"} if entry.persons.get("author") else set())
        needed = REQUIRED.get(entry.type.lower(), ("title", "year"))
        missing = [f for f in needed if f not in have]
        if missing:
            problems.append(at(key, "bib", f"entry {key!r} (@{entry.type}) has no {', '.join(missing)}",
                               hint="check the paper's arXiv or proceedings page and add it"))
        if "url" not in have and not fields.get("doi") and not fields.get("eprint"):
            problems.append(at(key, "bib", f"entry {key!r} has no url, doi or eprint: readers cannot find it"))
        if fields.get("archiveprefix", "").lower() == "arxiv" or "eprint" in fields:
            eprint = fields.get("eprint", "")
            if not (ARXIV_NEW.match(eprint) or ARXIV_OLD.match(eprint)):
                problems.append(at(key, "bib", f"entry {key!r}: malformed arXiv id {eprint!r}",
                                   hint="expected e.g. 2103.00020 or cs/0112017, without 'arXiv:'"))
            else:
                seen["arXiv id"][re.sub(r"v\d+$", "", eprint)].append(key)
        if "doi" in fields:
            doi = fields["doi"]
            if not DOI.match(doi):
                problems.append(at(key, "bib", f"entry {key!r}: malformed DOI {doi!r}",
                                   hint="expected e.g. 10.1109/CVPR.2016.90, without 'https://doi.org/'"))
            else:
                seen["DOI"][doi.casefold()].append(key)
        if "title" in fields:
            seen["title"][norm_title(fields["title"])].append(key)

    dois = {k: {k2.lower(): v for k2, v in e.fields.items()}.get("doi", "").casefold() for k, e in bib.data.entries.items()}
    for what, groups in seen.items():
        for keys in groups.values():
            if len(keys) < 2:
                continue
            if what == "title" and all(dois[k] for k in keys) and len({dois[k] for k in keys}) == len(keys):
                continue  # e.g. a conference paper and its journal version
            first, *others = keys
            for other in others:
                problems.append(at(other, "bib", f"entries {first!r} and {other!r} are the same paper (same {what})",
                                   hint=f"keep one key and cite it everywhere"))
    for key in bib.data.entries:
        if key not in cited:
            message = f"entry {key!r} is cited by no post"
            if strict:
                problems.append(at(key, "bib", message, hint="cite it or remove it (mlnotes_strict_bib = True)"))
    return problems


def _check(app: Sphinx, env: object) -> None:
    runtime = get_runtime(env)  # type: ignore[arg-type]
    paper = runtime.facet("paper")
    if paper is None:
        return
    cited = {key for post in get_posts(env).values() for key in post.facets.get("paper", [])}  # type: ignore[arg-type]
    problems = check_bibliography(paper.bib, cited, strict=runtime.config.strict_bib)  # type: ignore[attr-defined]
    report(problems)
    if not runtime.config.strict_bib:
        from sphinx.util import logging

        uncited = sorted(set(paper.bib.papers) - cited)  # type: ignore[attr-defined]
        if uncited:
            logging.getLogger(__name__).info("mlnotes: refs.bib entries no post cites: %s", ", ".join(uncited))


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


def _sanitise_bibfiles(app: Sphinx, config: object) -> None:
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
        config.bibtex_bibfiles = names  # type: ignore[attr-defined]


def setup_bibcheck(app: Sphinx) -> None:
    # before the paper facet loads refs.bib (mlnotes.core.events)
    app.connect(CONFIG_READY, _sanitise_bibfiles)
    app.connect("env-check-consistency", _check)
