"""Internal link integrity of a built site: every ``href``/``src`` that stays on the site must
reach a file, and every ``#anchor`` an element id — in HTML pages and in the Atom feeds
(whose absolute links are mapped back through the site's base URL)."""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

from mlnotes.core.problems import Problem

LINK_ATTRS = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src", "iframe": "src"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name"):
            name = values.get(key)
            if name:
                self.ids.add(name)
        attr = LINK_ATTRS.get(tag)
        link = values.get(attr) if attr else None
        if link:
            self.links.append((link, self.getpos()[0]))


@dataclass
class _Page:
    ids: set[str]
    links: list[tuple[str, int]]


def _parse(path: Path) -> _Page:
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8", errors="replace"))
    return _Page(collector.ids, collector.links)


def _local(link: str, base_url: str) -> str | None:
    """The link as a site-relative target, or None when it leaves the site."""
    if base_url and link.startswith(base_url):
        return "/" + link[len(base_url):]
    # a root-relative link under the base URL's path (404.html has only those): site-relative
    base_path = urlsplit(base_url).path if base_url else ""
    if base_path.endswith("/") and base_path != "/" and link.startswith(base_path):
        return "/" + link[len(base_path):]
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:", "data:")):
        return None
    return link


def check_site(outdir: Path, base_url: str = "") -> list[Problem]:
    outdir = outdir.resolve()
    pages: dict[Path, _Page] = {}

    def page(path: Path) -> _Page:
        if path not in pages:
            pages[path] = _parse(path)
        return pages[path]

    problems: list[Problem] = []
    sources: list[tuple[Path, list[tuple[str, int]]]] = []
    for html in sorted(outdir.rglob("*.html")):
        if "_static" in html.relative_to(outdir).parts:
            continue
        sources.append((html, page(html).links))
    for feed in sorted(outdir.rglob("*.xml")):
        try:
            root = ET.parse(feed).getroot()
        except ET.ParseError as exc:
            problems.append(Problem("links", f"not well-formed XML: {exc}", file=str(feed)))
            continue
        links = [(el.get("href") or "", 0) for el in root.iter() if el.tag.endswith("}link") and el.get("href")]
        links += [((el.text or "").strip(), 0) for el in root.iter() if el.tag.endswith("}id")]
        sources.append((feed, [(link, n) for link, n in links if link]))

    for source, links in sources:
        rel_source = source.relative_to(outdir).as_posix()
        for link, line in links:
            target = _local(link, base_url)
            if target is None:
                continue
            url, fragment = urldefrag(target)
            url = unquote(urlsplit(url).path)
            if not url:
                file = source
            elif url.startswith("/"):
                file = outdir / url.lstrip("/")
            else:
                file = outdir / posixpath.normpath(posixpath.join(posixpath.dirname(rel_source), url))
            if file.is_dir():
                file = file / "index.html"
            try:
                file.resolve().relative_to(outdir)
            except ValueError:
                problems.append(Problem("links", f"link {link!r} leaves the site", file=str(source), line=line or None))
                continue
            if not file.is_file():
                problems.append(Problem("links", f"link {link!r}: {file.relative_to(outdir)} does not exist",
                                        file=str(source), line=line or None))
                continue
            if fragment and file.suffix == ".html" and unquote(fragment) not in page(file).ids:
                problems.append(Problem("links", f"link {link!r}: no element with id {unquote(fragment)!r} in "
                                        f"{file.relative_to(outdir)}", file=str(source), line=line or None))
    return problems
