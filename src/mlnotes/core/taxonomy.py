"""``taxonomy.toml`` → :class:`Taxonomy`: the area tree, the tag vocabulary with aliases, series.

The file is parsed once per build (cached on the environment by content hash); every facet
reads the same object.  Errors in the file are configuration errors that name the file, the
table and what was expected.
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
    path: str
    digest: str
    areas: dict[str, Term] = field(default_factory=dict)
    tags: dict[str, Term] = field(default_factory=dict)
    series: dict[str, Term] = field(default_factory=dict)
    #: the whole parsed file, for third-party facets with tables of their own
    raw: dict[str, Any] = field(default_factory=dict)

    def tag_index(self) -> dict[str, str]:
        """Folded name or alias → tag slug (built once per taxonomy, not once per post)."""
        index: dict[str, str] | None = self.__dict__.get("_tag_index")
        if index is None:
            index = {}
            for term in self.tags.values():
                for spelling in (term.slug, term.name, *term.aliases):
                    index.setdefault(fold(spelling), term.slug)
            object.__setattr__(self, "_tag_index", index)  # frozen: a cache, not a field
        return dict(index)

    def ancestors(self, area: str) -> list[str]:
        """*area* and every area above it, nearest first."""
        chain = []
        current: str | None = area
        while current is not None and current in self.areas:
            chain.append(current)
            current = self.areas[current].parent
        return chain


def _err(path: Path, where: str, what: str) -> ConfigError:
    return ConfigError(f"{path}: [{where}] {what}")


def _need_str(path: Path, where: str, table: Mapping[str, Any], key: str, required: bool = True) -> str:
    value = table.get(key, None)
    if value is None:
        if required:
            raise _err(path, where, f"needs {key} = \"...\"")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _err(path, where, f"{key} must be a non-empty string, got {value!r}")
    return value.strip()


def _check_slug(path: Path, where: str, slug: str) -> None:
    if not SLUG_RE.match(slug):
        raise _err(path, where, f"slug {slug!r} must be lowercase ASCII words joined by '-'")
    if slug in RESERVED_SLUGS:
        raise _err(path, where, f"slug {slug!r} is reserved for pagination")


def _areas(path: Path, table: Mapping[str, Any], parent: str | None) -> Iterator[Term]:
    for slug, body in table.items():
        full = f"{parent}/{slug}" if parent else slug
        where = "areas." + full.replace("/", ".children.")
        _check_slug(path, where, slug)
        if not isinstance(body, dict):
            raise _err(path, where, "must be a table with zh and en names")
        unknown = set(body) - {"zh", "en", "description", "children"}
        if unknown:
            raise _err(path, where, f"unknown keys {sorted(unknown)}; expected zh, en, description, children")
        yield Term(
            slug=full,
            name=_need_str(path, where, body, "zh"),
            en=_need_str(path, where, body, "en"),
            parent=parent,
            description=_need_str(path, where, body, "description", required=False),
        )
        yield from _areas(path, body.get("children", {}), full)


def load_taxonomy(path: Path) -> Taxonomy:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"mlnotes_taxonomy: cannot read {path}: {exc.strerror}") from exc
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    unknown = set(raw) - {"areas", "tags", "series"}
    extra_ok = {k for k in unknown if isinstance(raw[k], dict)}  # plugins' own tables
    if unknown - extra_ok:
        raise ConfigError(f"{path}: unknown top-level keys {sorted(unknown - extra_ok)}")

    areas = {t.slug: t for t in _areas(path, raw.get("areas", {}), None)}

    tags: dict[str, Term] = {}
    seen: dict[str, str] = {}
    for slug, body in raw.get("tags", {}).items():
        where = f"tags.{slug}"
        _check_slug(path, where, slug)
        if not isinstance(body, dict):
            raise _err(path, where, "must be a table with name and optional aliases")
        aliases = body.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise _err(path, where, "aliases must be a list of non-empty strings")
        term = Term(slug=slug, name=_need_str(path, where, body, "name"), aliases=tuple(a.strip() for a in aliases))
        for spelling in {term.slug, term.name, *term.aliases}:
            key = fold(spelling)
            if key in seen and seen[key] != slug:
                raise _err(path, where, f"{spelling!r} is already a name or alias of tags.{seen[key]}")
            seen[key] = slug
        tags[slug] = term

    series: dict[str, Term] = {}
    for slug, body in raw.get("series", {}).items():
        where = f"series.{slug}"
        _check_slug(path, where, slug)
        if not isinstance(body, dict):
            raise _err(path, where, "must be a table with name and posts")
        posts = body.get("posts", [])
        if not isinstance(posts, list) or not all(isinstance(p, str) for p in posts):
            raise _err(path, where, "posts must be a list of docnames, e.g. [\"posts/2026/s4\"]")
        if len(set(posts)) != len(posts):
            raise _err(path, where, "lists a post twice")
        series[slug] = Term(
            slug=slug,
            name=_need_str(path, where, body, "name"),
            description=_need_str(path, where, body, "description", required=False),
            members=tuple(posts),
        )
    return Taxonomy(
        path=str(path), digest=hashlib.sha256(data).hexdigest(), areas=areas, tags=tags, series=series, raw=raw
    )
