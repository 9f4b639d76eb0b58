"""``mlnotes`` — the one command: ``init``, ``new``, ``add-paper``, ``check``, ``linkcheck``,
``check-links``.  ``python -m mlnotes.cli`` is the same command (the console script is installed
by the ``sphinx-mlnotes`` distribution).

Every subcommand but ``init`` reads the site's conf.py the way Sphinx does
(:mod:`mlnotes.cli.siteconf`) and takes its paths from there.  Exit codes: 0 done, 1 a check
found problems, 2 bad input or a site that cannot be read — always with a one-line message that
names the file and what was expected, never a traceback.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path

from mlnotes.cli.siteconf import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, CliError, Site, load_site, run_reporting

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

#: the skeleton of a new post, per site language; ``{{`` is a literal brace
TEMPLATES = {
    "en": """\
---
blogpost: true
date: {date}
{fields}summary: One or two sentences on what this note is about (shown on its card on the home page).
---

# {title}

Start with the intuition: which problem does the paper solve, and why does it matter?

## Method

To cite a paper, write ``{{footcite:p}}`` followed by its key in backquotes; the key must be in {bib}
(`mlnotes add-paper ID` adds it).

## References

```{{footbibliography}}
```
""",
    "zh": """\
---
blogpost: true
date: {date}
{fields}summary: 用一两句话写清这篇笔记讲什么（显示在首页卡片上）。
---

# {title}

先写直觉：这篇论文要解决什么问题，为什么重要。

## 方法

引用论文时写 ``{{footcite:p}}``，后面紧跟用反引号括起的 key；key 必须在 {bib} 里（`mlnotes add-paper ID` 可以添加）。

## 参考文献

```{{footbibliography}}
```
""",
}


def slugify(title: str) -> str:
    """An ASCII slug from the Latin words of *title* ('' when it has none)."""
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "-".join(w.lower() for w in words)


def new_post(root: Path, title: str, slug: str | None, fields: dict[str, str], today: date,
             site: Site | None = None) -> Path:
    """A new post in the site's posts folder, ``<posts>/<year>/<slug>.md``, in the site's language:
    front matter with *fields* (key → value; the site's other required keys get ``TODO``), the
    date, a title heading and a skeleton."""
    site = site or load_site(root)
    title = title.strip()
    if not title:
        raise CliError("mlnotes new: give the post a title, e.g. --title 'CLIP: contrastive pre-training' "
                       "(make post TITLE='...')")
    slug = slug or slugify(title)
    if not slug:
        raise CliError(f"mlnotes new: the title {title!r} has no Latin letters to make a file name from; "
                       "add --slug some-ascii-name (make post: SLUG=some-ascii-name)")
    if not SLUG_RE.match(slug):
        raise CliError(f"mlnotes new: the slug {slug!r} must be lowercase ASCII words joined by '-', "
                       "e.g. 'flash-attention'")
    clashes = sorted(p for p in site.posts if p.stem == slug)
    clashes += sorted(site.posts_dir.glob(f"*/{slug}.md"))
    if clashes:
        raise CliError(f"mlnotes new: a post with slug {slug!r} already exists: {site.rel(clashes[0])}")
    path = site.posts_dir / f"{today.year:04d}" / f"{slug}.md"
    values = {key: "TODO" for key in site.required_fields if key not in ("date", "blogpost", "author", "summary")}
    values.update(fields)
    lines = "".join(f"{key}: {value}\n" for key, value in values.items())
    bib = site.rel(site.bibfiles[0]) if site.bibfiles else "bibtex_bibfiles"
    template = TEMPLATES["zh" if site.chinese else "en"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(template.format(date=today.isoformat(), title=title, fields=lines, bib=bib), encoding="utf-8")
    return path


def _root_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=Path.cwd(),
                        help="the site's folder, the one with conf.py (default: the current folder)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mlnotes", description="Create and check a site of notes built with the mlnotes Sphinx extension.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    init = sub.add_parser("init", help="create a new site that builds strictly out of the box")
    init.add_argument("directory", type=Path, help="the new site's folder (created; must not hold its files yet)")
    init.add_argument("--language", default="en", choices=("en", "zh_CN"), help="the site's language (default: en)")
    init.add_argument("--title", help="the site's title")
    init.add_argument("--author", help="the site's author")

    new = sub.add_parser("new", help="create a new post with the front matter the site requires")
    new.add_argument("--title", required=True)
    new.add_argument("--slug", help="the file name, lowercase ASCII words joined by '-' (default: from the title)")
    new.add_argument("--field", action="append", default=[], metavar="KEY=VALUE",
                     help="a front-matter value (repeatable), e.g. --field area=cv/detection")
    _root_option(new)

    add = sub.add_parser("add-paper", help="add a paper to the site's bibliography from its arXiv id or DOI")
    add.add_argument("identifier", help="an arXiv id (2103.00020) or a DOI (10.1109/CVPR.2016.90)")
    add.add_argument("--bib", type=Path,
                     help="the .bib file (default: the first of bibtex_bibfiles; with --bib, conf.py is not read)")
    add.add_argument("--cache-dir", type=Path, help="default: .cache/mlnotes/add-paper in the site")
    _root_option(add)

    check = sub.add_parser("check", help="the quality gate: strict build, links, HTML, feeds, nothing lost")
    from mlnotes.cli.check import add_arguments

    add_arguments(check)

    ext = sub.add_parser("linkcheck", help="check external links in the posts and bibliographies (needs a network)")
    _root_option(ext)
    ext.add_argument("--bib", type=Path, action="append", help="a .bib file (default: conf.py's bibtex_bibfiles)")
    ext.add_argument("--cache", type=Path, help="default: .cache/mlnotes/linkcheck.json in the site")
    ext.add_argument("--timeout", type=float, default=10)

    serve = sub.add_parser("serve", help="live preview: rebuild on save and reload the browser "
                                         "(the resident preview of `make livehtml`)")
    _root_option(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--builddir", type=Path, default=Path("_build"),
                       help="where the preview writes (relative to the site; default _build)")

    links = sub.add_parser("check-links", help="check internal links and anchors of a built site")
    links.add_argument("outdir", type=Path)
    links.add_argument("--base-url", default="", help="the site's html_baseurl, to check feed links")
    return parser


def _linkcheck(args: argparse.Namespace) -> int:
    from mlnotes.cli.extlinks import BadBibliography, Checker, NoNetwork, check_all, collect_urls

    site = load_site(args.root)
    bibs = [b if b.is_absolute() else Path.cwd() / b for b in args.bib] if args.bib else list(site.bibfiles)
    missing = [b for b in bibs if not b.is_file()]
    if missing:
        raise CliError(f"mlnotes linkcheck: {missing[0]} does not exist (named in "
                       f"{'--bib' if args.bib else site.rel(site.conf_py) + ' bibtex_bibfiles'})")
    if not site.posts and not bibs:
        raise CliError(f"mlnotes linkcheck: {site.root} has no posts and no bibliography: nothing to check",
                       EXIT_PROBLEMS)
    try:
        urls = collect_urls(site.root, bibs, site.posts)
    except BadBibliography as exc:
        raise CliError(str(exc)) from exc
    cache = args.cache or site.root / ".cache" / "mlnotes" / "linkcheck.json"
    try:
        results = check_all(urls, Checker(cache, timeout=args.timeout))
    except NoNetwork:
        print("mlnotes linkcheck: no network — no host could be resolved, so external links cannot be "
              "checked here. Run it where the internet is reachable.", file=sys.stderr)
        return EXIT_USAGE
    broken = [r for r in results if not r.ok]
    for r in broken:
        print(f"{r.status:>14}  {r.url}  (used in {', '.join(urls[r.url][:3])})")
    print(f"mlnotes linkcheck: {len(results)} links, {len(broken)} broken")
    return EXIT_PROBLEMS if broken else EXIT_OK


def _add_paper(args: argparse.Namespace) -> int:
    from mlnotes.cli.addpaper import AddPaperError, add_paper
    from mlnotes.cli.siteconf import require_bibfile

    if args.bib is not None:  # an explicit file needs no site (a bibliography kept elsewhere)
        bib, shown, base = args.bib.resolve(), str(args.bib), Path.cwd()
    else:
        site = load_site(args.root, with_posts=False)
        bib = require_bibfile(site)
        shown, base = site.rel(bib), site.root
    if not bib.parent.is_dir():
        raise CliError(f"mlnotes add-paper: the folder of {shown} does not exist")
    cache = args.cache_dir or base / ".cache" / "mlnotes" / "add-paper"
    try:
        key, changed = add_paper(args.identifier, bib, cache)
    except AddPaperError as exc:
        print(f"mlnotes add-paper: {exc}; {shown} is unchanged", file=sys.stderr)
        return EXIT_USAGE
    if changed:
        print(f"mlnotes: added {key} to {shown} — cite it as {{footcite:p}}`{key}`")
    else:
        print(f"mlnotes: already in {shown} as {key}; nothing added")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    if args.command == "init":
        from mlnotes.cli.scaffold import init_site

        written = init_site(args.directory, args.language, date.today(), args.title, args.author)
        print(f"mlnotes: created a site ({args.language}) in {args.directory} ({len(written)} files). Next:\n"
              f"  cd {args.directory}\n  make html    # the site, strictly, in _build/html\n"
              "  make test    # its test\n  mlnotes new --title 'My first note'")
        return EXIT_OK
    if args.command == "new":
        fields = {}
        for item in args.field:
            key, sep, value = item.partition("=")
            if not sep or not key.strip():
                raise CliError(f"mlnotes new: --field {item!r} must be KEY=VALUE, e.g. --field area=cv")
            fields[key.strip()] = value.strip()
        site = load_site(args.root)
        path = new_post(site.root, args.title, args.slug, fields, date.today(), site)
        print(f"mlnotes: created {site.rel(path)} — edit it, then build the site to preview it")
        return EXIT_OK
    if args.command == "add-paper":
        return _add_paper(args)
    if args.command == "serve":
        from mlnotes.frontend.preview import main as preview

        site = load_site(args.root)
        build = args.builddir if args.builddir.is_absolute() else site.root / args.builddir
        return preview(["--host", args.host, "--port", str(args.port), "-b", "html", "-n", "--keep-going",
                        "-d", str(build / "doctrees" / "livehtml"), str(site.root), str(build / "livehtml")])
    if args.command == "check":
        from mlnotes.cli.check import run_check

        return run_check(args)
    if args.command == "linkcheck":
        return _linkcheck(args)
    if args.command == "check-links":
        from mlnotes.cli.sitelinks import check_site

        if not args.outdir.is_dir():
            raise CliError(f"mlnotes check-links: {args.outdir} is not a folder; build the site first")
        problems = check_site(args.outdir, args.base_url)
        for problem in problems:
            where = f"{problem.file}:{problem.line}" if problem.line else str(problem.file)
            print(f"{where}: {problem.text()}")
        print(f"mlnotes: {len(problems)} broken internal links in {args.outdir}")
        return EXIT_PROBLEMS if problems else EXIT_OK
    raise AssertionError(args.command)  # argparse allows only the commands above


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit code (see the module docstring)."""
    args = build_parser().parse_args(argv)
    return run_reporting(args.command, lambda: _run(args))


if __name__ == "__main__":
    sys.exit(main())
