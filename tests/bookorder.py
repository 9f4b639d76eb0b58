"""What the book must look like, computed independently of mlnotes from the posts' front matter
and taxonomy.toml: the top-level areas in file order, each with its posts oldest first."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import REPO, posts

FIELD = re.compile(r"^(\w+):\s*(.*?)\s*$", re.M)


@dataclass(frozen=True)
class Chapter:
    docname: str
    title: str
    date: datetime
    area: str


def chapter(path: Path) -> Chapter | None:
    text = path.read_text(encoding="utf-8")
    front = text.split("---", 2)[1]
    fields = dict(FIELD.findall(front))
    title = re.search(r"^# (.+)$", text, re.M).group(1).strip()
    if not fields.get("date"):
        return None
    date = datetime.fromisoformat(fields["date"])
    if date > datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None):
        return None  # a future post is a draft: not in the book
    docname = path.relative_to(REPO).with_suffix("").as_posix()
    return Chapter(docname, title, date, fields["area"].strip("/").split("/")[0])


def expected_book(root: Path = REPO) -> list[tuple[str, list[Chapter]]]:
    """[(part title, [chapters in date order])] in taxonomy order, parts without posts left out."""
    areas = tomllib.loads((root / "taxonomy.toml").read_text(encoding="utf-8"))["areas"]
    chapters = [c for c in map(chapter, posts()) if c is not None]
    book = []
    for slug, body in areas.items():
        mine = sorted((c for c in chapters if c.area == slug), key=lambda c: (c.date, c.docname))
        if mine:
            book.append((body["zh"], mine))
    assert sum(len(cs) for _, cs in book) == len(chapters), "a post's area has no top-level area"
    return book
