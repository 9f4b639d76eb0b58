"""``python -m mlnotes.cli`` — author tools.  ``make post TITLE=... SLUG=...`` calls ``new``."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

TEMPLATE = """\
---
blogpost: true
date: {date}
author: mlnotes
{fields}summary: 用一两句话写清这篇笔记讲什么（显示在首页卡片上）。
---

# {title}

先写直觉：这篇论文要解决什么问题，为什么重要。

## 方法

引用论文时写 {{footcite:p}}`论文的-bibtex-key`，key 必须在 refs.bib 里。

## 参考文献

```{{footbibliography}}
```
"""


def slugify(title: str) -> str:
    """An ASCII slug from the Latin words of *title* ('' when it has none)."""
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "-".join(w.lower() for w in words)


def required_fields(root: Path) -> list[str]:
    """The front-matter keys the site requires (``mlnotes_required_fields`` in its conf.py)."""
    conf: dict[str, object] = {"__file__": str(root / "conf.py")}
    try:
        # the site's own conf.py, as Sphinx runs it
        exec(compile((root / "conf.py").read_text(encoding="utf-8"), "conf.py", "exec"), conf)
    except OSError:
        return []
    value = conf.get("mlnotes_required_fields", ())
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else []


def new_post(root: Path, title: str, slug: str | None, fields: dict[str, str], today: date) -> Path:
    """A new post under ``posts/<year>/<slug>.md`` with front matter: *fields* (key → value; the
    site's other required keys get ``TODO``), the date, a title heading and a skeleton."""
    title = title.strip()
    if not title:
        raise SystemExit("mlnotes post: give the post a title, e.g. make post TITLE='CLIP：对比学习' SLUG=clip")
    slug = slug or slugify(title)
    if not slug:
        raise SystemExit(
            f"mlnotes post: the title {title!r} has no Latin letters to make a file name from; "
            "add SLUG=some-ascii-name"
        )
    if not SLUG_RE.match(slug):
        raise SystemExit(f"mlnotes post: SLUG {slug!r} must be lowercase ASCII words joined by '-', "
                         "e.g. 'flash-attention'")
    clashes = sorted(p for p in (root / "posts").glob(f"*/{slug}.md"))
    if clashes:
        raise SystemExit(f"mlnotes post: a post with slug {slug!r} already exists: {clashes[0]}")
    path = root / "posts" / f"{today.year:04d}" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    values = {key: "TODO" for key in required_fields(root) if key not in ("date", "blogpost", "author", "summary")}
    values.update(fields)
    lines = "".join(f"{key}: {value}\n" for key, value in values.items())
    path.write_text(TEMPLATE.format(date=today.isoformat(), title=title, fields=lines), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mlnotes")
    sub = parser.add_subparsers(dest="command", required=True)
    new = sub.add_parser("new", help="create a new post with correct front matter")
    new.add_argument("--title", required=True)
    new.add_argument("--slug")
    new.add_argument("--field", action="append", default=[], metavar="KEY=VALUE",
                     help="a front-matter value (repeatable), e.g. --field area=cv/detection")
    new.add_argument("--root", type=Path, default=Path.cwd())
    add = sub.add_parser("add-paper", help="add a paper to refs.bib from its arXiv id or DOI")
    add.add_argument("identifier", help="an arXiv id (2103.00020) or a DOI (10.1109/CVPR.2016.90)")
    add.add_argument("--bib", type=Path, default=Path("refs.bib"))
    add.add_argument("--cache-dir", type=Path, default=Path(".cache") / "mlnotes" / "add-paper")
    links = sub.add_parser("check-links", help="check internal links and anchors of a built site")
    links.add_argument("outdir", type=Path)
    links.add_argument("--base-url", default="", help="the site's html_baseurl, to check feed links")
    ext = sub.add_parser("linkcheck", help="check external links in posts and refs.bib (needs a network)")
    ext.add_argument("--root", type=Path, default=Path.cwd())
    ext.add_argument("--bib", type=Path, action="append")
    ext.add_argument("--cache", type=Path, default=Path(".cache") / "mlnotes" / "linkcheck.json")
    ext.add_argument("--timeout", type=float, default=10)
    args = parser.parse_args(argv)
    if args.command == "linkcheck":
        from mlnotes.cli.extlinks import Checker, NoNetwork, check_all, collect_urls

        urls = collect_urls(args.root, args.bib or [args.root / "refs.bib"])
        try:
            results = check_all(urls, Checker(args.cache, timeout=args.timeout))
        except NoNetwork:
            print("mlnotes linkcheck: no network — no host could be resolved, so external links cannot be "
                  "checked here. Run it where the internet is reachable.", file=sys.stderr)
            return 2
        broken = [r for r in results if not r.ok]
        for r in broken:
            print(f"{r.status:>14}  {r.url}  (used in {', '.join(urls[r.url][:3])})")
        print(f"mlnotes linkcheck: {len(results)} links, {len(broken)} broken")
        return 1 if broken else 0
    if args.command == "check-links":
        from mlnotes.cli.sitelinks import check_site

        problems = check_site(args.outdir, args.base_url)
        for problem in problems:
            where = f"{problem.file}:{problem.line}" if problem.line else str(problem.file)
            print(f"{where}: {problem.text()}")
        print(f"mlnotes: {len(problems)} broken internal links in {args.outdir}")
        return 1 if problems else 0
    if args.command == "add-paper":
        from mlnotes.cli.addpaper import AddPaperError, add_paper

        try:
            key, changed = add_paper(args.identifier, args.bib, args.cache_dir)
        except AddPaperError as exc:
            print(f"mlnotes add-paper: {exc}; {args.bib} is unchanged", file=sys.stderr)
            return 2
        if changed:
            print(f"mlnotes: added {key} to {args.bib} — cite it as {{footcite:p}}`{key}`")
        else:
            print(f"mlnotes: already in {args.bib} as {key}; nothing added")
        return 0
    if args.command == "new":
        fields = dict(item.split("=", 1) for item in args.field if "=" in item)
        path = new_post(args.root, args.title, args.slug, fields, date.today())
        print(f"mlnotes: created {path.relative_to(args.root)} — edit it, then `make livehtml` to preview")
    return 0


if __name__ == "__main__":
    sys.exit(main())
