"""``mlnotes check`` (``make check``): the quality gate in one command, with a summary and a non-zero exit on failure.

1. strict HTML build (``-n -W --keep-going``: taxonomy, citation and refs.bib lint are warnings)
2. internal links and anchors of every page and feed; every page valid HTML (Nu HTML Checker)
3. every Atom feed against RFC 4287's schema (jing)
4. nothing lost: every published post has its page, its entry in the site feed, its place on
   the term page and in the term feed of every term a facet puts it under (its area and the
   areas above, its tags, series, cited papers …), in the home list, its document in the search
   index and its chapter in the LaTeX output; drafts and future-dated posts are reported apart
   and must appear nowhere public.  What to look for comes from the build itself
   (:mod:`mlnotes.site.audit`), so the audit reads posts exactly as the build does.

A check that cannot run (a missing tool) fails and says how to install it, unless it is skipped
by name (``--skip html``); a check that finds nothing to check fails too.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mlnotes.cli.htmlcheck import find_vnu, validate
from mlnotes.cli.siteconf import EXIT_PROBLEMS, CliError, load_site, run_reporting
from mlnotes.cli.sitelinks import check_site
from mlnotes.site.audit import FILE as AUDIT_FILE

#: RFC 4287's schema, shipped with the package (see data/schemas/README.md)
ATOM_SCHEMA = Path(__file__).resolve().parents[1] / "data" / "schemas" / "atom.rnc"

#: checks that can be skipped by name
SKIPPABLE = ("html", "feeds")

#: a figure with an image, in HTML
FIGURE = re.compile(r"<figure\b[^>]*>\s*(?:<a\b[^>]*>\s*)?<img\b")
#: an image Sphinx placed in the LaTeX output
TEX_IMAGE = re.compile(r"\\sphinxincludegraphics\b")
CARD = re.compile(r'class="mlnotes-card-title"><a href="[^"]*">([^<]*)</a>')


@dataclass
class Step:
    name: str
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _cards(page: Path) -> list[str]:
    """The titles of the cards on a listing page and its later pages (``page/2.html`` …)."""
    titles = []
    pages = [page, *sorted(page.with_suffix("").glob("page/*.html"), key=lambda p: int(p.stem))]
    for p in pages:
        if p.is_file():
            titles += [html.unescape(t) for t in CARD.findall(p.read_text(encoding="utf-8"))]
    return titles


def _read(path: Path) -> str:
    return html.unescape(path.read_text(encoding="utf-8")) if path.is_file() else ""


def audit(out: Path, doctrees: Path, latex: Path | None) -> tuple[Step, Step]:
    """Every published post of the build in *out* where the build says it belongs (the
    expectations it wrote in *doctrees*, see :mod:`mlnotes.site.audit`); drafts nowhere public."""
    lost, drafts = Step("nothing lost"), Step("drafts and future posts")
    try:
        expected = json.loads((doctrees / AUDIT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        lost.failures.append(f"the build left no audit record in {doctrees} ({exc}); "
                             "is mlnotes in conf.py's extensions?")
        return lost, drafts
    site_feed = _read(out / expected["site_feed"])
    index = out / "searchindex.js"
    found = re.search(r'"docnames":(\[[^\]]*\])', index.read_text(encoding="utf-8")) if index.is_file() else None
    docnames = set(json.loads(found.group(1))) if found else set()
    home = _cards(out / expected["home"])
    home += [t for p in sorted((out / expected["latest"]).with_suffix("").glob("page/*.html")) for t in _cards(p)]
    tex = "".join(p.read_text(encoding="utf-8", errors="replace") for p in latex.glob("*.tex")) if latex else ""
    public_text = site_feed + "".join(home)
    book = set(expected["book"]) if expected.get("book") is not None else None
    for draft in expected["drafts"]:
        name = draft["docname"]
        drafts.notes.append(f"{name}: {'dated ' + draft['date'] if draft['date'] else 'undated'}")
        if draft["title"] and draft["title"] in public_text:
            drafts.failures.append(f"{name}: draft appears in the public feed or home list")
    for name in expected["unread"]:
        lost.failures.append(f"{name}: says it is a post but the build did not read it as one (see its warning)")
    book_figures = 0
    for post in expected["published"]:
        name, title = post["docname"], post["title"]
        where = []
        figures = int(post.get("figures", 0))
        if not (out / post["page"]).is_file():
            where.append("its HTML page")
        elif figures and len(FIGURE.findall((out / post["page"]).read_text(encoding="utf-8"))) < figures:
            where.append(f"its HTML page's figures ({figures} expected)")
        if f"<title>{title}</title>" not in site_feed:
            where.append("the site feed")
        if title not in home:
            where.append("the home list")
        for listing in post["listings"]:
            if title not in _cards(out / listing["page"]):
                where.append(listing["name"])
            if f"<title>{title}</title>" not in _read(out / listing["feed"]):
                where.append(listing["feed"])
        if index.is_file() and name not in docnames:
            where.append("the search index")
        if latex is not None and book is not None:
            if name not in book:
                where.append("the book (its {mlnotes-book} toctree does not include it)")
            elif "\\detokenize{" + name + "::doc}" not in tex:  # Sphinx labels each chapter
                where.append("the LaTeX output")
            else:
                book_figures += figures
        if where:
            lost.failures.append(f"{name}: missing from " + ", ".join(where))
    count = len(expected["published"])
    if latex is not None and len(TEX_IMAGE.findall(tex)) < book_figures:
        lost.failures.append(f"the LaTeX output has {len(TEX_IMAGE.findall(tex))} images, "
                             f"fewer than the {book_figures} figures of the book's posts")
    figure_total = sum(int(p.get("figures", 0)) for p in expected["published"])
    lost.notes.append(f"{count} published posts audited ({figure_total} figures)")
    if latex is not None and book is None:
        lost.notes.append("no {mlnotes-book} document: the LaTeX output was not audited")
    if count == 0:
        lost.failures.append("0 published posts audited: the build found no post (check mlnotes' posts and dates)")
    return lost, drafts


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)  # callers read returncode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``mlnotes check`` (shared by ``python -m mlnotes.cli.check``)."""
    parser.add_argument("--root", type=Path, default=Path.cwd(),
                        help="the site's folder, the one with conf.py (default: the current folder)")
    parser.add_argument("--builddir", type=Path, default=Path("_build") / "check",
                        help="where the check builds, relative to the site (default: _build/check)")
    parser.add_argument("--skip", action="append", default=[], choices=SKIPPABLE,
                        help="skip a check by name (repeatable): " + ", ".join(SKIPPABLE))
    parser.add_argument("--schema", type=Path, default=ATOM_SCHEMA,
                        help="atom.rnc (RFC 4287); default: the one shipped with mlnotes")


def main(argv: list[str] | None = None) -> int:
    """``python -m mlnotes.cli.check``: the same as ``mlnotes check``."""
    parser = argparse.ArgumentParser(prog="mlnotes check")
    add_arguments(parser)
    args = parser.parse_args(argv)
    return run_reporting("check", lambda: run_check(args))


def run_check(args: argparse.Namespace) -> int:
    """Every check on the site in ``args.root``; 0 when all passed, 1 otherwise."""
    site = load_site(args.root)
    if not site.posts:
        raise CliError(f"{site.root} has no posts (source files whose front matter says `blogpost: true`): "
                       f"nothing to check; write one with `mlnotes new --title ...`", EXIT_PROBLEMS)
    missing = [b for b in site.bibfiles if not b.is_file()]
    if missing:
        raise CliError(f"{site.rel(missing[0])} does not exist (named in conf.py's bibtex_bibfiles)")
    root = site.root
    build = (root / args.builddir).resolve()
    steps: list[Step] = []
    base = site.base_url

    strict = Step("strict build (-n -W --keep-going)")
    out = build / "html"
    result = run([sys.executable, "-m", "sphinx", "-b", "html", "-n", "-W", "--keep-going", "-q",
                  "-d", str(build / "doctrees"), str(root), str(out), "--no-color"], root)
    strict.failures = [line for line in result.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    if result.returncode and not strict.failures:
        strict.failures.append(result.stderr.strip()[-2000:] or "sphinx-build failed")
    steps.append(strict)
    if not (out / "index.html").is_file():
        return report(steps)

    links = Step("internal links and anchors")
    links.failures = [f"{p.file}:{p.line}: {p.message}" if p.line else f"{p.file}: {p.message}"
                      for p in check_site(out, base)]
    steps.append(links)

    valid = Step("HTML valid (Nu HTML Checker)")
    java, jar = find_vnu(root)
    if "html" in args.skip:
        valid.notes.append("skipped (--skip html)")
    elif jar is None:
        valid.failures.append("vnu.jar is not installed: npm install vnu-jar and set MLNOTES_VNU_JAR "
                              "to its build/dist/vnu.jar (the mlnotes repository: cd tests/browser && "
                              "npm ci --ignore-scripts), or skip this check with --skip html")
    elif java is None:
        valid.failures.append("java is not installed (bash scripts/ensure-system-deps.sh)")
    else:
        pages = sorted(out.rglob("*.html"))
        valid.failures = [e.format(out) for e in validate(pages, java, jar)]
        valid.notes.append(f"{len(pages)} pages")
    steps.append(valid)

    feeds = Step("Atom feeds valid (RFC 4287)")
    schema = args.schema
    files = sorted(str(p) for p in (out / site.feeds_path).rglob("*.xml"))
    if "feeds" in args.skip:
        feeds.notes.append("skipped (--skip feeds)")
    elif not shutil.which("jing"):
        feeds.failures.append("jing is not installed "
                              "(Debian/Ubuntu: apt-get install jing; or bash scripts/ensure-system-deps.sh)")
    elif not schema.is_file():
        feeds.failures.append(f"schema {schema} not found (pass --schema PATH/atom.rnc)")
    elif not files:
        feeds.failures.append("no feed to validate (html_baseurl unset?)")
    else:
        r = run(["jing", "-c", str(schema), *files], root)
        feeds.failures = [line for line in r.stdout.splitlines() if line.strip()]
        feeds.notes.append(f"{len(files)} feeds")
    steps.append(feeds)

    latex = build / "latex"
    r = run([sys.executable, "-m", "sphinx", "-b", "latex", "-q", "-d", str(build / "doctrees-latex"),
             str(root), str(latex), "--no-color"], root)
    lost, drafts = audit(out, build / "doctrees", latex if r.returncode == 0 else None)
    if r.returncode:
        lost.failures.append("LaTeX build failed: " + r.stderr.strip()[-500:])
    steps += [lost, drafts]
    return report(steps)


def report(steps: list[Step]) -> int:
    width = max(len(s.name) for s in steps)
    print("mlnotes check")
    for step in steps:
        status = "ok" if step.ok else f"FAILED ({len(step.failures)})"
        extra = f"  [{'; '.join(step.notes[:1])}{' …' if len(step.notes) > 1 else ''}]" if step.notes else ""
        print(f"  {step.name:<{width}}  {status}{extra}")
    for step in steps:
        for failure in step.failures[:50]:
            print(f"  - {step.name}: {failure}")
        if step.name.startswith("drafts"):
            for note in step.notes:
                print(f"  · draft (not published): {note}")
    ok = all(s.ok for s in steps)
    print("mlnotes check: " + ("all checks passed" if ok else "FAILED"))
    return 0 if ok else EXIT_PROBLEMS


if __name__ == "__main__":
    sys.exit(main())
