"""Checks of a bibliography: missing fields, malformed identifiers, duplicates, uncited
entries.  Each problem names the file and the line of the entry.

Two entries with the same normalised title are one paper twice — unless both carry a DOI and
the DOIs differ (a conference paper and its journal extension are two publications of record).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from mlnotes.core.bibliography import Bibliography
from mlnotes.core.problems import Problem

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

    dois = {k: {k2.lower(): v for k2, v in e.fields.items()}.get("doi", "").casefold()
            for k, e in bib.data.entries.items()}
    for what, groups in seen.items():
        for keys in groups.values():
            if len(keys) < 2:
                continue
            if what == "title" and all(dois[k] for k in keys) and len({dois[k] for k in keys}) == len(keys):
                continue  # e.g. a conference paper and its journal version
            first, *others = keys
            for other in others:
                problems.append(at(other, "bib", f"entries {first!r} and {other!r} are the same paper (same {what})",
                                   hint="keep one key and cite it everywhere"))
    for key in bib.data.entries:
        if key not in cited:
            message = f"entry {key!r} is cited by no post"
            if strict:
                problems.append(at(key, "bib", message, hint="cite it or remove it (mlnotes_strict_bib = True)"))
    return problems
