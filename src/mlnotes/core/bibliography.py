"""The papers of ``refs.bib`` as plain records: parsed once per build, shared by the paper,
venue and year facets, the paper cards and the citation checks; the sanitiser's check that a
file parses reuses the same parse (:func:`bib_cache`)."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import pybtex.database
from pybtex.database import BibliographyData, Entry, Person
from pybtex.scanner import PybtexError

from mlnotes.core.i18n import _
from mlnotes.core.problems import Problem

#: ``{footcite:p}`a,b```, ``{cite:t}`a``` … — MyST role syntax for sphinxcontrib-bibtex citations
CITE_ROLE = re.compile(r"\{(?:foot)?cite(?::[a-z]+)?\}`([^`]+)`")

#: long venue names → the short name readers know
VENUES = [
    (r"learning representations", "ICLR"),
    (r"neural information processing", "NeurIPS"),
    (r"machine learning research|jmlr", "JMLR"),
    (r"international conference on machine learning|\bicml\b", "ICML"),
    (r"computer vision and pattern recognition|\bcvpr\b", "CVPR"),
    (r"international conference on computer vision|\biccv\b", "ICCV"),
    (r"european conference on computer vision|\beccv\b", "ECCV"),
    (r"pattern analysis and machine intelligence", "TPAMI"),
    (r"empirical methods in natural language|\bemnlp\b", "EMNLP"),
    (r"north american chapter|\bnaacl\b", "NAACL"),
    (r"association for computational linguistics|\bacl\b", "ACL"),
    (r"language modeling|\bcolm\b", "COLM"),
    (r"knowledge discovery|\bkdd\b", "KDD"),
    (r"\bvldb\b|very large data", "VLDB"),
    (r"operating systems design|\bosdi\b", "OSDI"),
    (r"artificial intelligence and statistics|aistats", "AISTATS"),
    (r"acm computing surveys", "ACM Computing Surveys"),
    (r"arxiv", "arXiv"),
]


#: old or variant acronyms → the current name
ALIASES = {"NIPS": "NeurIPS"}


def plain(text: str) -> str:
    """BibTeX text → what a reader sees: braces, escapes and --- dashes resolved."""
    text = re.sub(r"\\[a-zA-Z]+\s*", "", text.replace("\\L", "Ł").replace("\\'e", "é").replace("\\\"o", "ö"))
    text = text.replace("---", "—").replace("--", "–").replace("~", " ")
    return re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip()


def short_venue(entry: Entry) -> str:
    fields = entry.fields
    text = " ".join(fields.get(k, "") for k in ("booktitle", "journal", "series", "publisher", "institution"))
    acronym = re.search(r"\(\{?([A-Z][A-Za-z]+)\}?\)", fields.get("booktitle", ""))
    if acronym:
        return ALIASES.get(acronym.group(1), acronym.group(1))
    low = plain(text).casefold()
    for pattern, name in VENUES:
        if re.search(pattern, low):
            return name
    return plain(fields.get("journal") or fields.get("booktitle") or fields.get("publisher") or "") or _("Other")


@dataclass(frozen=True)
class Paper:
    key: str
    title: str
    authors: tuple[str, ...]
    year: str
    venue: str
    venue_full: str
    arxiv: str = ""
    doi: str = ""
    url: str = ""
    code: str = ""

    @property
    def short_title(self) -> str:
        head = self.title.split(":")[0].strip()
        return head if 2 <= len(head) <= 40 else self.title


@dataclass
class Bibliography:
    papers: dict[str, Paper] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    data: BibliographyData | None = None
    files: tuple[str, ...] = ()
    digest: str = ""


def _person(p: Person) -> str:
    return plain(" ".join(p.first_names + p.middle_names + p.prelast_names + p.last_names + p.lineage_names))


def to_paper(key: str, entry: Entry) -> Paper:
    f = entry.fields
    return Paper(
        key=key,
        title=plain(f.get("title", key)),
        authors=tuple(_person(p) for p in entry.persons.get("author", [])),
        year=f.get("year", ""),
        venue=short_venue(entry),
        venue_full=plain(f.get("booktitle") or f.get("journal") or f.get("publisher") or ""),
        arxiv=f.get("eprint", "") if f.get("archivePrefix", f.get("archiveprefix", "")).lower() == "arxiv" else "",
        doi=f.get("doi", ""),
        url=f.get("url", ""),
        code=f.get("code", ""),
    )


class BibCache:
    """Parsed .bib files of this process, keyed by (path, mtime_ns, size).

    refs.bib is needed at configuration time twice — the sanitiser checks that it parses
    (:mod:`mlnotes.read.bibcheck`) and the paper facet loads it — and again by the next app in
    the same process (tests, autobuild).  The key holds the file's modification time and size,
    so an edited file is parsed again and no app sees another's stale parse; only the last
    :attr:`LIMIT` files are kept.  A parse error is kept like a result and raised again.
    """

    LIMIT = 8

    def __init__(self) -> None:
        self._parsed: OrderedDict[tuple[str, int, int], BibliographyData | PybtexError] = OrderedDict()

    def parse(self, path: Path) -> BibliographyData:
        """*path* parsed by pybtex (BibTeX); raises PybtexError or OSError as pybtex would."""
        stat = path.stat()  # OSError for a missing file, as parsing it would raise
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        found = self._parsed.get(key)
        if found is None:
            try:
                found = pybtex.database.parse_file(str(path), "bibtex")
            except PybtexError as exc:
                found = exc
            self._parsed[key] = found
            while len(self._parsed) > self.LIMIT:
                self._parsed.popitem(last=False)
        if isinstance(found, PybtexError):
            raise found
        return found


@functools.cache
def bib_cache() -> BibCache:
    """The one cache of parsed .bib files in this process (see :class:`BibCache`)."""
    return BibCache()


def load_bibliography(paths: list[Path]) -> Bibliography:
    """The entries of *paths*, merged; a file that does not parse is left out with a problem.
    Each file is parsed at most once while it is unchanged (:func:`bib_cache`)."""
    bib = Bibliography(files=tuple(str(p) for p in paths))
    merged = BibliographyData()
    h = hashlib.sha256()
    for path in paths:
        with contextlib.suppress(OSError):  # the parse below reports the unreadable file
            h.update(path.read_bytes())
        try:
            data = bib_cache().parse(path)
        except (PybtexError, OSError) as exc:
            line = getattr(exc, "lineno", None)
            bib.problems.append(Problem("bib", f"cannot parse: {exc}", file=str(path), line=line,
                                        hint="fix the entry at that line; nothing from this file was read"))
            continue
        for key, entry in data.entries.items():
            merged.entries[key] = entry
    bib.data = merged
    bib.digest = h.hexdigest()
    bib.papers = {key: to_paper(key, entry) for key, entry in merged.entries.items()}
    return bib


def cited_keys(source: str) -> list[str]:
    """Every citation key in a post's text, in order of first use."""
    keys: list[str] = []
    for group in CITE_ROLE.findall(source):
        for part in group.split(","):
            key = part.strip()
            if key and key not in keys:
                keys.append(key)
    return keys


def key_line(source: str, key: str) -> int | None:
    for number, line in enumerate(source.splitlines(), start=1):
        for group in CITE_ROLE.findall(line):
            if key in [k.strip() for k in group.split(",")]:
                return number
    return None
