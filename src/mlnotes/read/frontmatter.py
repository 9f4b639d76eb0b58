"""Front matter of posts: normalised and checked before ablog sees it.

ablog reads a post's front matter from the ``docinfo`` that MyST builds.  Left alone it
(a) shows YAML lists such as ``tags: [残差连接, ResNet]`` as JSON text full of ``\\uXXXX``,
(b) accepts any date dateutil can guess and crashes the build with a bare ``ValueError`` on
one it cannot, and (c) crashes on ``exclude: true``.  This transform runs just before ablog's
own (priority 800): it rewrites list values as plain comma-separated text, checks dates
strictly against ``mlnotes_date_formats``, turns YAML booleans into the flags ablog wants, and
reports every problem with the file and the line of the offending key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import cast

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

from mlnotes.core.config import MlnotesConfig, get_config
from mlnotes.core.problems import Problem, report
from mlnotes.core.records import doc_store
from mlnotes.facets.base import PostSource
from mlnotes.facets.runtime import get_runtime

#: ablog keys that are flags (present = on) and integers
FLAG_KEYS = ("exclude", "nocomments")
INT_KEYS = ("excerpt", "image")
#: ablog keys whose value is a comma-separated list
LIST_KEYS = ("tags", "author", "category", "location", "language", "redirect")

_TRUE = {"true", "yes", "on", "1", ""}
_FALSE = {"false", "no", "off", "0", "null", "none"}
_KEY_RE = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def front_matter_lines(text: str) -> dict[str, int]:
    """Map each top-level key of the YAML front matter in *text* to its 1-based line."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}
    found: dict[str, int] = {}
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() in ("---", "..."):
            break
        match = _KEY_RE.match(line)
        if match:
            found.setdefault(match.group(1), number)
    return found


def front_matter_block(text: str) -> str | None:
    """The YAML between the opening and closing ``---`` (None without front matter)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for number, line in enumerate(lines[1:], start=1):
        if line.strip() in ("---", "..."):
            return "\n".join(lines[1:number])
    return None


def yaml_problem(block: str, docname: str, cfg: MlnotesConfig) -> Problem:
    """Explain why *block* (front matter that MyST could not load) is wrong, with its line."""
    import yaml

    try:
        yaml.safe_load(block)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark else 1  # +1 for 1-based, +1 for the opening '---'
        what = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        return Problem(
            "frontmatter",
            f"front matter is not valid YAML: {what}; check quoting, colons and indentation",
            docname,
            line,
        )
    except yaml.YAMLError as exc:  # e.g. ReaderError: a control character YAML does not allow
        position = getattr(exc, "position", None)
        line = block[:position].count("\n") + 2 if isinstance(position, int) else 1
        return Problem("frontmatter", f"front matter is not valid YAML: {exc}", docname, line,
                       hint="remove control characters or quote the value")
    except (ValueError, TypeError) as exc:
        # a value YAML took for a date or time but that is no real one, e.g. 2024-13-45
        for line in front_matter_lines("---\n" + block).values():
            value = _raw_value(block, line - 1)
            if re.match(r"^\d{4}-\d{1,2}-\d{1,2}", value) and cfg.parse_date(value) is None:
                return Problem("date", _date_message(value, cfg) + f" ({exc})", docname, line)
        return Problem("frontmatter", f"front matter could not be read: {exc}", docname, 1)
    return Problem("frontmatter", "front matter could not be read", docname, 1)


def _raw_value(block: str, line: int) -> str:
    text = block.splitlines()[line - 1]
    return text.split(":", 1)[1].strip().strip("'\"") if ":" in text else ""


def _date_message(value: str, cfg: MlnotesConfig) -> str:
    return (
        f"invalid post date {value!r}: expected one of "
        + ", ".join(_example(f) for f in cfg.date_formats)
        + f" (a real calendar date, written in {cfg.timezone}, no time zone)"
    )


def title_line(text: str) -> int:
    """The 1-based line where the body starts (just after the front matter)."""
    lines = text.splitlines()
    if lines and lines[0].strip() == "---":
        for number, line in enumerate(lines[1:], start=2):
            if line.strip() in ("---", "..."):
                return number + 1
    return 1


def as_text_list(value: str) -> str | None:
    """If *value* is a JSON list as MyST renders YAML lists, return it as ``a, b``; else None."""
    stripped = value.strip()
    if not (stripped.startswith("[") and stripped.endswith("]")):
        return None
    try:
        items = json.loads(stripped)
    except ValueError:
        return None
    if not isinstance(items, list):
        return None
    return ", ".join(str(item).strip() for item in items)


def _fields(docinfo: nodes.docinfo) -> Iterator[tuple[str, nodes.Element]]:
    """(key, node) for each entry of *docinfo*; generic fields and docutils' special ones."""
    for child in docinfo.children:
        if isinstance(child, nodes.field):
            yield child[0].astext(), child
        elif isinstance(child, nodes.Element):
            yield child.tagname, child  # nodes.date -> "date", nodes.author -> "author"


def _set_value(node: nodes.Element, value: str) -> None:
    if isinstance(node, nodes.field):
        body = cast(nodes.field_body, node[1])  # a field is (field_name, field_body)
        body.children = []
        body += nodes.paragraph(value, value)
    else:
        node.children = []
        node += nodes.Text(value)


def _value(node: nodes.Element) -> str:
    return node[1].astext() if isinstance(node, nodes.field) else node.astext()


class PostFrontMatter(SphinxTransform):
    """Normalise and check a post's front matter; runs right before ablog's CheckFrontMatter."""

    default_priority = 790

    def apply(self, **kwargs: object) -> None:
        docinfos = list(self.document.findall(nodes.docinfo))
        if not docinfos:
            report(self._diagnose_unparsed())
            return
        docinfo = docinfos[0]
        entries = list(_fields(docinfo))
        keys = {key for key, _ in entries}
        docname = self.env.docname
        if "blogpost" not in keys and docname not in getattr(self.config, "matched_blog_posts", ()):
            return
        problems = list(self._check(docinfo, entries, docname))
        if any(p.subtype == "title" for p in problems):
            self._orphan(docname)  # our warning says why it is not listed; no toctree noise
        report(problems)

    def _orphan(self, docname: str) -> None:
        # we said why it is not listed: no toctree warning, no "in posts/ but not a post" either
        self.env.metadata[docname]["orphan"] = True
        self.env.metadata[docname]["mlnotes_reported"] = True

    def _source_text(self) -> str:
        """The post's text, read once per document (lines for problems, citations for facets)."""
        cached = getattr(self, "_text", None)
        if cached is None:
            source = self.document.get("source") or str(self.env.doc2path(self.env.docname))
            try:
                cached = Path(source).read_text(encoding="utf-8")
            except OSError:
                cached = ""
            self._text = cached
        return cached

    def _diagnose_unparsed(self) -> list[Problem]:
        """MyST drops front matter it cannot parse (its warning says only 'Malformed YAML').
        When the text looks like a post's, say which line is wrong and why."""
        text = self._source_text()
        block = front_matter_block(text)
        if block is None or not re.search(r"^blogpost\s*:", block, re.M):
            return []
        docname = self.env.docname
        self._orphan(docname)
        return [yaml_problem(block, docname, get_config(self.config))]

    def _check(self, docinfo: nodes.docinfo, entries: list[tuple[str, nodes.Element]],
               docname: str) -> Iterator[Problem]:
        cfg = get_config(self.config)
        text = self._source_text()
        lines = front_matter_lines(text)
        present = set()

        for key, node in entries:
            present.add(key)
            value = _value(node)
            line = lines.get(key)
            if key in LIST_KEYS or key not in FLAG_KEYS + INT_KEYS + ("date", "blogpost"):
                plain = as_text_list(value)
                if plain is not None:
                    _set_value(node, plain)
                    value = plain
            if key == "date":
                if cfg.parse_date(value.strip()) is None:
                    docinfo.remove(node)  # ablog then keeps the post as an undated draft
                    yield Problem("date", _date_message(value, cfg), docname, line)
            elif key in FLAG_KEYS:
                folded = value.strip().casefold()
                if folded in _TRUE:
                    _set_value(node, "")
                elif folded in _FALSE:
                    docinfo.remove(node)
                else:
                    docinfo.remove(node)
                    yield Problem("frontmatter", f"{key!r} must be true or false, got {value!r}", docname, line)
            elif key in INT_KEYS and not value.strip().isdigit():
                docinfo.remove(node)
                yield Problem(
                    "frontmatter", f"{key!r} must be a whole number (0, 1, 2, ...), got {value!r}", docname, line
                )

        yield from self._resolve_facets(docinfo, dict(entries), docname, lines)

        for key in cfg.required_fields:
            if key not in present:
                yield Problem(
                    "frontmatter",
                    f"post has no {key!r} in its front matter (add e.g. '{key}: {_placeholder(key, cfg)}')",
                    docname,
                    1,
                )
        if not any(isinstance(n, nodes.section) for n in self.document.children):
            yield Problem(
                "title",
                "post has no top-level '# title' heading; ablog would silently drop it from every listing",
                docname,
                title_line(text),
            )


    def _resolve_facets(
        self, docinfo: nodes.docinfo, entries: dict[str, nodes.Element], docname: str, lines: dict[str, int]
    ) -> Iterator[Problem]:
        """Resolve each facet's value to terms; keep them for the post record.

        The terms wait in the store's ``pending_facets`` entry for this docname until the
        collector's ``process_doc`` turns them into the record (and pops the entry).  That is safe
        with parallel reads: a document's transforms and its ``doctree-read`` run in the same
        process, on the same environment, one document after the other, and the entry is keyed
        by docname — so no worker sees another document's terms, and an entry is gone before the
        worker's environment is sent back (``clear_doc`` drops a leftover one too)."""
        runtime = get_runtime(self.env)
        meta = {key: _value(node) for key, node in entries.items()}
        source = self._source_text()
        post = PostSource(docname=docname, text=source, meta=meta)
        resolved: dict[str, list[str]] = {}
        for facet in runtime.facets:
            raw = facet.extract(source, meta)
            if raw is None:
                continue
            result = facet.resolve_post(raw, post)
            resolved[facet.name] = result.terms
            key = facet.front_matter_key
            for problem in result.problems:
                yield replace(problem, docname=docname, line=problem.line or lines.get(key))
            node = entries.get(key)
            canonical = facet.canonical_text(result.terms) if node is not None else None
            if node is not None and canonical is not None:
                if canonical:
                    _set_value(node, canonical)
                else:
                    docinfo.remove(node)
        doc_store(self.env).pending_facets[docname] = resolved


def _example(fmt: str) -> str:
    return "'" + datetime(2024, 3, 1, 9, 30).strftime(fmt) + "'"


def _placeholder(key: str, cfg: object) -> str:
    return "2024-03-01" if key == "date" else "..."


def setup_frontmatter(app: Sphinx) -> None:
    app.add_transform(PostFrontMatter)
