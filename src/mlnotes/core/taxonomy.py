"""``taxonomy.toml``: the site's vocabularies, one top-level table per facet.

The file is read and parsed once per build into a :class:`Taxonomy` (its path, its digest and
the parsed tables).  Each facet reads its own table (``[areas]`` for the area facet, a plugin's
``[datasets]`` for a plugin) with the helpers here, so errors read the same for every facet:
they are configuration errors naming the file, the table and what was expected.
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


def fold(text: str) -> str:
    """Fold case, width and spacing: 'Large-Language  Model' and 'large language model' match."""
    return re.sub(r"[\s\-_]+", "", unicodedata.normalize("NFKC", text)).casefold()


@dataclass(frozen=True)
class Term:
    """One value of a facet: an area, a tag, a series, ..."""

    slug: str
    name: str
    en: str = ""
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    description: str = ""
    members: tuple[str, ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    """The parsed file; facets read their own tables from :attr:`raw`."""

    path: str
    digest: str
    raw: dict[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> Mapping[str, Any]:
        """The top-level table *name* (empty when the file has none)."""
        value = self.raw.get(name, {})
        if not isinstance(value, dict):
            raise self.error(name, "must be a table")
        return value

    def error(self, where: str, what: str) -> ConfigError:
        """A configuration error about table *where* of this file."""
        return ConfigError(f"{self.path}: [{where}] {what}")

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


def load_taxonomy(path: Path) -> Taxonomy:
    """Read and parse *path*; every top-level value must be a table (one per facet)."""
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
    return Taxonomy(path=str(path), digest=hashlib.sha256(data).hexdigest(), raw=raw)
