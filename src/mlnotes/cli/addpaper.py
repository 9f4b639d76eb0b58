"""``mlnotes add-paper <arXiv id | DOI>``: fetch a paper's metadata and add a normalised entry
to refs.bib.

- arXiv ids ask the arXiv API, DOIs ask Crossref; answers are cached under ``.cache/`` so a
  rerun needs no network.
- Keys follow the site's scheme: first author's surname + year + first significant title word
  (``radford2021learning``); a clash with a different paper gets a letter (``…b``).
- A paper already in refs.bib (same arXiv id, DOI or title) is reported, not added twice.
- refs.bib stays sorted by key, with the comments above each entry kept; it is written only
  when everything succeeded, so a failed look-up leaves it untouched.

The services' addresses come from MLNOTES_ARXIV_API / MLNOTES_CROSSREF_API when set (the tests
point them at a server on 127.0.0.1).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ARXIV_API = "https://export.arxiv.org/api/query"
CROSSREF_API = "https://api.crossref.org/works/"
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_NS = "{http://arxiv.org/schemas/atom}"
ARXIV_ID = re.compile(r"^(?:arxiv:)?(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?$", re.I)
DOI_RE = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(10\.\d{4,9}/\S+)$", re.I)
STOPWORDS = {"a", "an", "the", "on", "of", "for", "and", "to", "in", "with", "via", "is", "are", "from", "by", "at"}


class AddPaperError(Exception):
    """A clear, user-facing failure; refs.bib has not been touched."""


@dataclass
class Metadata:
    title: str
    authors: list[tuple[str, str]]  # (family, given)
    year: str
    entry_type: str = "article"
    venue_field: str = "journal"
    venue: str = "arXiv preprint"
    arxiv: str = ""
    primary_class: str = ""
    doi: str = ""
    url: str = ""
    pages: str = ""
    volume: str = ""
    source: str = ""


def parse_identifier(text: str) -> tuple[str, str]:
    """('arxiv', '2103.00020') or ('doi', '10.1109/...'); raises AddPaperError otherwise."""
    text = text.strip()
    m = ARXIV_ID.match(text)
    if m:
        return "arxiv", m.group(1)
    m = DOI_RE.match(text)
    if m:
        return "doi", m.group(1)
    raise AddPaperError(
        f"{text!r} is neither an arXiv id (e.g. 2103.00020, cs/0112017) nor a DOI (e.g. 10.1109/CVPR.2016.90)"
    )


def _fetch(url: str, cache_dir: Path, what: str, identifier: str) -> bytes:
    """GET *url*, or the cached answer for *identifier* (keyed by service and id, not URL,
    so a rerun works offline whichever mirror answered first)."""
    cache = cache_dir / (hashlib.sha256(f"{what}|{identifier}".encode()).hexdigest()[:24] + ".cache")
    if cache.is_file():
        return cache.read_bytes()
    request = urllib.request.Request(url, headers={"User-Agent": "mlnotes-add-paper (mailto:dev@mlnotes.invalid)"})
    host = urllib.parse.urlsplit(url).netloc
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            data: bytes = response.read()
    except urllib.error.HTTPError as exc:
        raise AddPaperError(f"{what} answered HTTP {exc.code} for {url}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise AddPaperError(
            f"cannot reach {host} ({reason}); add-paper needs a network the first time "
            "(answers are cached afterwards)"
        ) from exc
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(data)
    return data


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def from_arxiv(identifier: str, cache_dir: Path) -> Metadata:
    base = os.environ.get("MLNOTES_ARXIV_API", ARXIV_API)
    url = f"{base}?{urllib.parse.urlencode({'id_list': identifier, 'max_results': 1})}"
    data = _fetch(url, cache_dir, "the arXiv API", identifier)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise AddPaperError(f"the arXiv API sent something that is not XML ({exc}); nothing was added") from exc
    entry = root.find(f"{ATOM}entry")
    title = _clean(entry.findtext(f"{ATOM}title", "")) if entry is not None else ""
    if entry is None or not title or title.lower() == "error":
        raise AddPaperError(f"the arXiv API has no paper {identifier!r}; nothing was added")
    authors = []
    for author in entry.findall(f"{ATOM}author"):
        name = _clean(author.findtext(f"{ATOM}name", ""))
        if name:
            given, _, family = name.rpartition(" ")
            authors.append((family, given))
    published = entry.findtext(f"{ATOM}published", "")
    if not authors or not re.match(r"^\d{4}", published):
        raise AddPaperError(f"the arXiv API's answer for {identifier!r} lacks authors or a date; nothing was added")
    primary = entry.find(f"{ARXIV_NS}primary_category")
    return Metadata(
        title=title, authors=authors, year=published[:4], arxiv=identifier,
        primary_class=primary.get("term", "") if primary is not None else "",
        doi=_clean(entry.findtext(f"{ARXIV_NS}doi", "")), url=f"https://arxiv.org/abs/{identifier}", source="arXiv API",
    )


def from_crossref(doi: str, cache_dir: Path) -> Metadata:
    base = os.environ.get("MLNOTES_CROSSREF_API", CROSSREF_API)
    data = _fetch(base + urllib.parse.quote(doi, safe="/"), cache_dir, "Crossref", doi.casefold())
    try:
        message = json.loads(data)["message"]
        title = _clean(message["title"][0])
        authors = [(_clean(a["family"]), _clean(a.get("given", "")))
                   for a in message.get("author", []) if a.get("family")]
        year = str(message["issued"]["date-parts"][0][0])
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise AddPaperError(
            f"Crossref's answer for {doi!r} is not the expected JSON ({exc!r}); nothing was added"
        ) from exc
    if not authors:
        raise AddPaperError(f"Crossref lists no authors for {doi!r}; nothing was added")
    kind = message.get("type", "")
    container = _clean((message.get("container-title") or [""])[0])
    is_proc = kind in ("proceedings-article", "book-chapter")
    return Metadata(
        title=title, authors=authors, year=year,
        entry_type="inproceedings" if is_proc else "article",
        venue_field="booktitle" if is_proc else "journal", venue=container or "Unknown venue",
        doi=message.get("DOI", doi), url=message.get("URL", f"https://doi.org/{doi}"),
        pages=_clean(message.get("page", "")).replace("-", "--"), volume=_clean(message.get("volume", "")),
        source="Crossref",
    )


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def make_key(meta: Metadata, taken: set[str]) -> str:
    surname = re.sub(r"[^a-z]", "", _ascii(meta.authors[0][0])) or "anon"
    words = [re.sub(r"[^a-z0-9]", "", _ascii(w)) for w in meta.title.split()]
    word = next((w for w in words if w and w not in STOPWORDS), "paper")
    key = f"{surname}{meta.year}{word}"
    suffix = "b"
    candidate = key
    while candidate in taken:
        candidate = key + suffix
        suffix = chr(ord(suffix) + 1)
    return candidate


def _protect(title: str) -> str:
    """Brace words whose capitals must survive a lower-casing bibliography style."""
    return " ".join(f"{{{w}}}" if re.search(r"[A-Z].*[A-Z]|^[a-z]+[A-Z]", w) else w for w in title.split())


def _bib_escape(text: str) -> str:
    return text.replace("&", r"\&").replace("%", r"\%")


def to_bibtex(key: str, meta: Metadata, today: date) -> str:
    authors = " and ".join(f"{_bib_escape(f)}, {_bib_escape(g)}" if g else _bib_escape(f) for f, g in meta.authors)
    fields = [("title", _protect(_bib_escape(meta.title))), ("author", authors),
              (meta.venue_field, _bib_escape(meta.venue))]
    if meta.volume:
        fields.append(("volume", meta.volume))
    if meta.pages:
        fields.append(("pages", meta.pages))
    fields.append(("year", meta.year))
    if meta.arxiv:
        fields += [("eprint", meta.arxiv), ("archivePrefix", "arXiv")]
        if meta.primary_class:
            fields.append(("primaryClass", meta.primary_class))
    if meta.doi:
        fields.append(("doi", meta.doi))
    fields.append(("url", meta.url))
    body = ",\n".join(f"  {name:<13} = {{{value}}}" for name, value in fields)
    return (
        f"% Added by `mlnotes add-paper` from the {meta.source} on {today.isoformat()}.\n"
        "% Check title, authors and venue against the paper before citing it.\n"
        f"@{meta.entry_type}{{{key},\n{body}\n}}"
    )


def split_entries(text: str) -> tuple[str, dict[str, str]]:
    """(header comment, key → entry text with the comment lines right above it)."""
    blocks = re.split(r"\n\s*\n", text.strip())
    header_parts, entries = [], {}
    for block in blocks:
        m = re.search(r"^@\w+\s*\{\s*([^,\s]+)\s*,", block, re.M)
        if m:
            entries[m.group(1)] = block
        elif not entries:
            header_parts.append(block)
        else:  # a loose comment between entries: keep it with the entry before
            last = next(reversed(entries))
            entries[last] += "\n\n" + block
    return "\n\n".join(header_parts), entries


def already_there(meta: Metadata, bib_text: str) -> str | None:
    from pybtex.database import parse_string

    data = parse_string(bib_text, "bibtex") if bib_text.strip() else None
    if data is None:
        return None

    def norm(text: str) -> str:
        return re.sub(r"[^0-9a-z]+", "", text.replace("{", "").replace("}", "").casefold())

    for key, entry in data.entries.items():
        f = {k.lower(): v for k, v in entry.fields.items()}
        if meta.arxiv and re.sub(r"v\d+$", "", f.get("eprint", "")) == meta.arxiv:
            return str(key)
        if meta.doi and f.get("doi", "").casefold() == meta.doi.casefold():
            return str(key)
        if norm(f.get("title", "")) == norm(meta.title):
            return str(key)
    return None


def add_paper(identifier: str, bib_path: Path, cache_dir: Path, today: date | None = None) -> tuple[str, bool]:
    """Add the paper; return (its key, whether refs.bib changed)."""
    kind, ident = parse_identifier(identifier)
    meta = from_arxiv(ident, cache_dir) if kind == "arxiv" else from_crossref(ident, cache_dir)
    text = bib_path.read_text(encoding="utf-8") if bib_path.exists() else ""
    existing = already_there(meta, text)
    if existing:
        return existing, False
    header, entries = split_entries(text)
    key = make_key(meta, set(entries))
    entries[key] = to_bibtex(key, meta, today or date.today())
    out = ((header + "\n\n") if header else "") + "\n\n".join(entries[k] for k in sorted(entries)) + "\n"
    tmp = bib_path.with_name(bib_path.name + ".tmp")
    tmp.write_text(out, encoding="utf-8")
    os.replace(tmp, bib_path)
    return key, True
