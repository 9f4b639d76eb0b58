"""``taxonomy.toml``: the site's vocabularies, one top-level table per facet.

The file is read and parsed once per build into a :class:`Taxonomy` (its path, its digest and
the parsed tables).  Each facet reads its own table (``[areas]`` for the area facet, a plugin's
``[datasets]`` for a plugin) with the helpers here, so errors read the same for every facet:
they are configuration errors naming the file, the table and what was expected.

A term is named the same way in every table (:meth:`Taxonomy.term`)::

    [areas.cv]
    name = "Computer vision"                 # required: the name when no other one fits
    names = { zh_CN = "计算机视觉" }           # optional: the name in other languages

(``[areas.cv.names]`` as a table of its own works as well.)  The site shows the name of its
``language``: ``zh_CN`` is looked up as ``zh_CN``, then ``zh``, then ``name`` is taken; so a
vocabulary in one language only needs ``name``.  The older spelling ``zh = "..."`` and
``en = "..."`` still works: it means ``names.zh`` and ``names.en``, and without ``name`` the
``zh`` name (else the ``en`` one) stands in for it.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sphinx.errors import ConfigError

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: path segments that pagination uses, so no term may be called this
RESERVED_SLUGS = frozenset({"page"})
#: the older per-language keys: ``zh = "..."`` is ``names.zh``; without ``name``, the first
#: present stands in for it (a file that only has ``zh`` names stays valid)
LEGACY_NAME_KEYS = ("zh", "en")
#: the keys :meth:`Taxonomy.term` reads from a term's table
NAME_KEYS = frozenset({"name", "names", *LEGACY_NAME_KEYS})
#: a language tag as ``language`` and ``names`` write it: ``en``, ``zh_CN``, ``zh-Hant``, ``pt_BR``
LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*$")


def fold(text: str) -> str:
    """Fold case, width and spacing: 'Large-Language  Model' and 'large language model' match."""
    return re.sub(r"[\s\-_]+", "", unicodedata.normalize("NFKC", text)).casefold()


def _language_key(code: str) -> str:
    """``zh-CN``, ``zh_CN`` and ``zh_cn`` are one language."""
    return code.replace("-", "_").casefold()


def pick_name(names: Mapping[str, str], language: str | None, default: str) -> str:
    """The name in *language* from *names* (language → name): the exact language (``zh_CN``),
    then its primary language (``zh``), else *default*."""
    if language:
        by_key = {_language_key(k): v for k, v in names.items()}
        wanted = _language_key(language)
        for key in (wanted, wanted.split("_", 1)[0]):
            if key in by_key:
                return by_key[key]
    return default


@dataclass(frozen=True)
class Term:
    """One value of a facet: an area, a tag, a series, ..."""

    slug: str
    #: the name the site shows, in its ``language`` where the vocabulary has one
    name: str
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    description: str = ""
    members: tuple[str, ...] = ()
    #: the term's names other than :attr:`name` (other languages), each once, in file order
    other_names: tuple[str, ...] = ()

    @property
    def subtitle(self) -> str:
        """What a term page shows beside the name: the term's names in other languages."""
        return " / ".join(self.other_names)

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every name and alias a post may write instead of the slug (for matching, did-you-mean)."""
        return (self.name, *self.other_names, *self.aliases)


@dataclass(frozen=True)
class Taxonomy:
    """The parsed file; facets read their own tables from :attr:`raw`."""

    path: str
    digest: str
    raw: dict[str, Any] = field(default_factory=dict)
    #: the site's ``language``: which of a term's names it shows (:meth:`term`)
    language: str | None = None

    def table(self, name: str) -> Mapping[str, Any]:
        """The top-level table *name* (empty when the file has none)."""
        value = self.raw.get(name, {})
        if not isinstance(value, dict):
            raise self.error(name, "must be a table")
        return value

    def error(self, where: str, what: str, line: int | None = None) -> ConfigError:
        """A configuration error about table *where* of this file (at *line* when known)."""
        at = f"{self.path}:{line}" if line else self.path
        return ConfigError(f"{at}: [{where}] {what}")

    def entries(self, name: str, expected: str) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
        """(slug, where, body) of each entry of the flat table *name*: the slug checked, the body a
        table (*expected* says what it should hold, for the error)."""
        for slug, body in self.table(name).items():
            where = f"{name}.{slug}"
            self.check_slug(where, slug)
            if not isinstance(body, dict):
                raise self.error(where, f"must be a table with {expected}")
            yield slug, where, body

    def need_str(self, where: str, table: Mapping[str, Any], key: str, required: bool = True) -> str:
        """The string *key* of *table* (stripped); '' when optional and absent."""
        value = table.get(key, None)
        if value is None:
            if required:
                raise self.error(where, f"needs {key} = \"...\"")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.error(where, f"{key} must be a non-empty string, got {value!r}")
        return value.strip()

    def names(self, where: str, body: Mapping[str, Any]) -> dict[str, str]:
        """Language → name of the term *body*: its ``names`` table and the older ``zh``/``en`` keys."""

        def bad(what: str) -> ConfigError:
            # located at the names table, or at the term's own table (looked up only on error)
            return self.error(where, what, self.line_of(f"[{where}.names]") or self.line_of(f"[{where}]"))

        raw = body.get("names", {})
        if not isinstance(raw, dict):
            example = 'names = { zh_CN = "...", en = "..." }'
            raise bad(f"names must be a table of language = \"name\", e.g. {example}; got {raw!r}")
        names: dict[str, str] = {}
        for language, value in raw.items():
            if not LANGUAGE_RE.match(language):
                raise bad(f"names: {language!r} is not a language code such as 'en', 'zh' or 'zh_CN'")
            if not isinstance(value, str) or not value.strip():
                raise bad(f"names.{language} must be a non-empty string, got {value!r}")
            names[language] = value.strip()
        for key in LEGACY_NAME_KEYS:
            value = self.need_str(where, body, key, required=False)
            if not value:
                continue
            if names.get(key, value) != value:
                raise bad(f"{key} = {value!r} and names.{key} = {names[key]!r} disagree; keep one")
            names[key] = value
        return names

    def term(
        self, slug: str, where: str, body: Mapping[str, Any], *, parent: str | None = None,
        aliases: tuple[str, ...] = (), description: str = "", members: tuple[str, ...] = (),
    ) -> Term:
        """The term *slug* named by its table *body* (``name``, ``names``, or the older ``zh`` and
        ``en``), showing the name of the site's language; the other arguments are the Term's."""
        names = self.names(where, body)
        base = self.need_str(where, body, "name", required=False)
        base = base or next((names[k] for k in LEGACY_NAME_KEYS if k in names), "")
        if not base:
            raise self.error(where, 'needs name = "..." (and optionally names = { zh_CN = "..." })')
        shown = pick_name(names, self.language, base)
        others = tuple(dict.fromkeys(n for n in (*names.values(), base) if n != shown))
        return Term(slug=slug, name=shown, other_names=others, parent=parent, aliases=aliases,
                    description=description, members=members)

    def check_slug(self, where: str, slug: str) -> None:
        """Term slugs are URL segments: lowercase ASCII words joined by '-', not reserved."""
        if not SLUG_RE.match(slug):
            raise self.error(where, f"slug {slug!r} must be lowercase ASCII words joined by '-'")
        if slug in RESERVED_SLUGS:
            raise self.error(where, f"slug {slug!r} is reserved for pagination")

    def line_of(self, needle: str) -> int | None:
        """The first line of the file that contains *needle* (to locate a problem)."""
        try:
            for number, line in enumerate(Path(self.path).read_text(encoding="utf-8").splitlines(), start=1):
                if needle in line:
                    return number
        except OSError:
            pass
        return None


def load_taxonomy(path: Path, language: str | None = None) -> Taxonomy:
    """Read and parse *path*; every top-level value must be a table (one per facet).  Terms are
    named in *language* (the site's) where the file has a name in it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"mlnotes_taxonomy: cannot read {path}: {exc.strerror}") from exc
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    not_tables = sorted(k for k, v in raw.items() if not isinstance(v, dict))
    if not_tables:
        raise ConfigError(f"{path}: unknown top-level keys {not_tables}")
    return Taxonomy(path=str(path), digest=hashlib.sha256(data).hexdigest(), raw=raw, language=language)
