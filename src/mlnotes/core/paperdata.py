"""What the collection knows of a paper beyond its bibliography entry: the official code, the
datasets, a few reported results, and the papers of refs.bib it builds on.

The data lives in one TOML file beside refs.bib (``mlnotes_papers``, ``papers.toml`` by
default), one table per refs.bib key.  Every value is checked by hand at the paper's own source,
like refs.bib itself, and a comment above each table says where; so nothing here is guessed from
the text, and this module only reads and validates.  A problem names the file and the line of
the offending value (TOML parsers keep no lines, so they are found in the text again), and an
unknown key or field comes with the closest known one.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from mlnotes.core.problems import Problem, did_you_mean

#: the fields of a paper's table
FIELDS = ("code", "datasets", "results", "builds_on", "note")
#: the fields of one reported result
RESULT_FIELDS = ("metric", "value", "setting", "source")
#: the fields of a dataset given as a table
DATASET_FIELDS = ("name", "url")
SUBTYPE = "papers"


@dataclass(frozen=True)
class Dataset:
    name: str
    url: str = ""


@dataclass(frozen=True)
class Result:
    """One number the paper reports: *metric* = *value* in *setting*, printed at *source*
    (a table or section of the paper)."""

    metric: str
    value: str
    setting: str = ""
    source: str = ""


@dataclass(frozen=True)
class PaperData:
    code: str = ""
    datasets: tuple[Dataset, ...] = ()
    results: tuple[Result, ...] = ()
    builds_on: tuple[str, ...] = ()
    #: what the page should say when a field is empty by the paper's nature (a theory paper has
    #: no code, a survey no results of its own), so a reader knows it was checked, not forgotten
    note: str = ""


@dataclass
class PaperDataFile:
    """The file as read: valid data by key, the problems found, and a digest of its bytes."""

    path: str = ""
    papers: dict[str, PaperData] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    digest: str = ""

    def built_on_by(self, key: str) -> list[str]:
        """The keys whose ``builds_on`` names *key* (the lineage inverted), sorted."""
        return sorted(other for other, data in self.papers.items() if key in data.builds_on)


def good_url(text: str) -> bool:
    """An absolute http(s) URL with a host and no spaces (what a link on the page needs)."""
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not re.search(r"\s", text)


class _Report(Protocol):
    """The problem callback: message, line, suggestion, hint."""

    def __call__(self, message: str, line: int | None, suggestion: str | None = None,
                 hint: str | None = None) -> None: ...


class _Lines:
    """Line numbers of tables and ``name =`` assignments in TOML text, found again in the text
    because :mod:`tomllib` keeps none."""

    def __init__(self, text: str) -> None:
        self.tables: dict[str, int] = {}
        #: (table, field) → line of ``field =``
        self.fields: dict[tuple[str, str], int] = {}
        #: (table, field) → lines of the inline tables (``{``) of that array, in order
        self.items: dict[tuple[str, str], list[int]] = {}
        table, current = "", ""
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if stripped.startswith("#"):
                continue
            header = re.match(r"^\[\s*([^\]\s]+)\s*\]\s*(#.*)?$", stripped)
            if header:
                table, current = header.group(1).strip("\"'"), ""
                self.tables.setdefault(table, number)
                continue
            assign = re.match(r"^([A-Za-z0-9_-]+)\s*=", stripped)
            if assign:
                current = assign.group(1)
                self.fields.setdefault((table, current), number)
            if current and "{" in stripped:
                self.items.setdefault((table, current), []).extend([number] * stripped.count("{"))

    def of(self, table: str, name: str | None = None, index: int | None = None) -> int | None:
        if name is None:
            return self.tables.get(table)
        if index is not None:
            found = self.items.get((table, name), [])
            if index < len(found):
                return found[index]
        return self.fields.get((table, name), self.tables.get(table))


def _text(value: object) -> str | None:
    """A TOML string or number as the text shown; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float):
        return str(value)
    return None


def load_paper_data(path: Path, keys: Collection[str]) -> PaperDataFile:
    """Read and check *path*; *keys* are the citation keys of refs.bib.  A missing file is no
    data and no problem (the caller decides whether a file was expected)."""
    out = PaperDataFile(path=str(path))
    try:
        raw = path.read_bytes()
    except OSError:
        return out
    out.digest = hashlib.sha256(raw).hexdigest()
    file = str(path)

    def problem(message: str, line: int | None, suggestion: str | None = None, hint: str | None = None) -> None:
        out.problems.append(Problem(SUBTYPE, message, file=file, line=line, suggestion=suggestion, hint=hint))

    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        problem(f"cannot read: not UTF-8 ({exc.reason})", None)
        return out
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+)", str(exc))
        # "at end of document" has no line: the last one is where the file stops too soon
        problem(f"cannot parse: {exc}", int(found.group(1)) if found else max(1, len(text.splitlines())),
                hint="nothing from this file was read")
        return out
    lines = _Lines(text)
    known = sorted(keys)
    for key, table in data.items():
        if key not in keys:
            problem(f"unknown citation key {key!r}", lines.of(key), did_you_mean(key, known),
                    hint="each table is named by a key of refs.bib")
            continue
        if not isinstance(table, dict):
            problem(f"{key!r} must be a table ([{key}]), not a single value", lines.of(key, key))
            continue
        paper = _paper(key, table, keys, lines, problem)
        if paper is not None:
            out.papers[key] = paper
    return out


def _paper(key: str, table: Mapping[str, object], keys: Collection[str], lines: _Lines,
           problem: _Report) -> PaperData | None:
    """One paper's table checked; bad values are reported and left out, the rest kept."""
    for name in table:
        if name not in FIELDS:
            problem(f"[{key}]: unknown field {name!r}", lines.of(key, name), did_you_mean(name, FIELDS),
                    hint="fields are " + ", ".join(FIELDS))
    code = ""
    if "code" in table:
        value = table["code"]
        if isinstance(value, str) and good_url(value):
            code = value
        else:
            problem(f"[{key}]: code must be the URL of the official repository, got {value!r}",
                    lines.of(key, "code"), hint="e.g. \"https://github.com/owner/repo\"")
    datasets = tuple(_datasets(key, table.get("datasets", []), lines, problem))
    results = tuple(_results(key, table.get("results", []), lines, problem))
    builds_on: list[str] = []
    value = table.get("builds_on", [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problem(f"[{key}]: builds_on must be a list of refs.bib keys", lines.of(key, "builds_on"))
    else:
        for other in value:
            if other == key:
                problem(f"[{key}]: a paper cannot build on itself", lines.of(key, "builds_on"))
            elif other not in keys:
                problem(f"[{key}]: builds_on names unknown citation key {other!r}", lines.of(key, "builds_on"),
                        did_you_mean(other, sorted(keys)))
            elif other not in builds_on:
                builds_on.append(other)
    note = ""
    if "note" in table:
        value = table["note"]
        if isinstance(value, str) and value.strip():
            note = value.strip()
        else:
            problem(f"[{key}]: note must be a non-empty string, got {value!r}", lines.of(key, "note"))
    return PaperData(code=code, datasets=datasets, results=results, builds_on=tuple(builds_on), note=note)


def _datasets(key: str, value: object, lines: _Lines, problem: _Report) -> list[Dataset]:
    if not isinstance(value, list):
        problem(f"[{key}]: datasets must be a list of names or {{ name, url }} tables", lines.of(key, "datasets"))
        return []
    out: list[Dataset] = []
    tables = 0
    for item in value:
        if isinstance(item, str) and item.strip():
            out.append(Dataset(item.strip()))
            continue
        line = lines.of(key, "datasets", tables) if isinstance(item, dict) else lines.of(key, "datasets")
        if not isinstance(item, dict):
            problem(f"[{key}]: a dataset must be a name or a {{ name, url }} table, got {item!r}", line)
            continue
        tables += 1
        for name in item:
            if name not in DATASET_FIELDS:
                problem(f"[{key}]: unknown dataset field {name!r}", line, did_you_mean(name, DATASET_FIELDS))
        name, url = _text(item.get("name")), item.get("url", "")
        if not name:
            problem(f"[{key}]: a dataset needs a name", line)
            continue
        if not isinstance(url, str) or (url and not good_url(url)):
            problem(f"[{key}]: dataset {name!r} has a bad URL {url!r}", line, hint="an absolute https:// URL")
            url = ""
        out.append(Dataset(name, url))
    return out


def _results(key: str, value: object, lines: _Lines, problem: _Report) -> list[Result]:
    if not isinstance(value, list):
        problem(f"[{key}]: results must be a list of {{ metric, value, setting, source }} tables",
                lines.of(key, "results"))
        return []
    out: list[Result] = []
    for index, item in enumerate(value):
        line = lines.of(key, "results", index)
        if not isinstance(item, dict):
            problem(f"[{key}]: a result must be a {{ metric, value, setting, source }} table, got {item!r}", line)
            continue
        for name in item:
            if name not in RESULT_FIELDS:
                problem(f"[{key}]: unknown result field {name!r}", line, did_you_mean(name, RESULT_FIELDS))
        texts = {name: _text(item.get(name, "")) for name in RESULT_FIELDS}
        missing = [name for name in ("metric", "value") if not texts[name]]
        if missing:
            problem(f"[{key}]: a result needs {' and '.join(missing)}", line)
            continue
        out.append(Result(**{name: text or "" for name, text in texts.items()}))
    return out
