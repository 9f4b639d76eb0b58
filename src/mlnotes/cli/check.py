"""``make check``: the quality gate in one command, with a summary and a non-zero exit on failure.

1. strict HTML build (``-n -W --keep-going``: taxonomy, citation and refs.bib lint are warnings)
2. internal links and anchors of every page and feed; every page valid HTML (Nu HTML Checker)
3. every Atom feed against RFC 4287's schema (jing)
4. nothing lost: every published post has its page, its entry in the site feed and in the feeds
   of its area (and parents), tags and cited papers, its place on those listing pages and in the
   home list, its document in the search index and its chapter in the LaTeX output; drafts and
   future-dated posts are reported apart and must appear nowhere public.
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
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from mlnotes.cli.htmlcheck import find_vnu, validate
from mlnotes.cli.sitelinks import check_site
from mlnotes.core.bibliography import cited_keys
from mlnotes.core.taxonomy import fold, load_taxonomy

CARD = re.compile(r'class="mlnotes-card-title"><a href="[^"]*">([^<]*)</a>')


@dataclass
class Step:
    name: str
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


@dataclass
class SourcePost:
    docname: str
    title: str
    date: datetime | None
    area: str
    tags: list[str]
    papers: list[str]


def read_posts(root: Path, taxonomy_path: Path,
               date_formats: tuple[str, ...] = ("%Y-%m-%d", "%Y-%m-%d %H:%M")) -> list[SourcePost]:
    taxonomy = load_taxonomy(taxonomy_path)
    tag_index = taxonomy.tag_index()
    found = []
    for path in sorted((root / "posts").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---\n"):
            continue
        try:
            meta = yaml.safe_load(text.split("---\n", 2)[1]) or {}
        except yaml.YAMLError:
            meta = {}
        if not isinstance(meta, dict) or "blogpost" not in meta:
            continue
        title = re.search(r"^# (.+)$", text, re.M)
        raw_date = meta.get("date")
        when = None
        if isinstance(raw_date, datetime):
            when = raw_date.replace(tzinfo=None)
        elif raw_date is not None and hasattr(raw_date, "year"):
            when = datetime(raw_date.year, raw_date.month, raw_date.day)
        elif isinstance(raw_date, str):  # e.g. "2024-01-03 09:30", which YAML leaves a string
            for fmt in date_formats:
                try:
                    when = datetime.strptime(raw_date.strip(), fmt)
                    break
                except ValueError:
                    continue
        tags = meta.get("tags") or []
        tags = tags if isinstance(tags, list) else str(tags).split(",")
        found.append(SourcePost(
            docname=path.relative_to(root).with_suffix("").as_posix(),
            title=title.group(1).strip() if title else "",
            date=when,
            area=str(meta.get("area", "")).strip(),
            tags=[tag_index[fold(str(t))] for t in tags if fold(str(t)) in tag_index],
            papers=cited_keys(text),
        ))
    return found


def _cards(page: Path) -> list[str]:
    titles = []
    pages = [page, *sorted(page.with_suffix("").glob("page/*.html"), key=lambda p: int(p.stem))]
    for p in pages:
        if p.is_file():
            titles += [html.unescape(t) for t in CARD.findall(p.read_text(encoding="utf-8"))]
    return titles


def audit(root: Path, out: Path, latex: Path | None, base_url: str, tz: str) -> tuple[Step, Step]:
    lost, drafts = Step("nothing lost"), Step("drafts and future posts")
    posts = read_posts(root, root / "taxonomy.toml")
    now = datetime.now(ZoneInfo(tz)).replace(tzinfo=None)
    site_feed = html.unescape((out / "feeds" / "atom.xml").read_text(encoding="utf-8"))
    index = (out / "searchindex.js").read_text(encoding="utf-8")
    found = re.search(r'"docnames":(\[[^\]]*\])', index)
    if found is None:
        raise ValueError(f"{out / 'searchindex.js'} has no docnames list; is {out} a Sphinx HTML build?")
    docnames = set(json.loads(found.group(1)))
    home = [html.unescape(t) for t in CARD.findall((out / "index.html").read_text(encoding="utf-8"))]
    home += [t for p in sorted((out / "topics" / "latest" / "page").glob("*.html")) for t in _cards(p)]
    tex = "".join(p.read_text(encoding="utf-8", errors="replace") for p in latex.glob("*.tex")) if latex else ""
    public_text = site_feed + "".join(home)
    for post in posts:
        public = post.date is not None and post.date <= now
        name = post.docname
        if not public:
            when = "undated" if post.date is None else "dated " + post.date.date().isoformat()
            drafts.notes.append(f"{name}: {when}")
            if post.title and (post.title in public_text):
                drafts.failures.append(f"{name}: draft appears in the public feed or home list")
            continue
        where = []
        page = out / f"{name}.html"
        if not page.is_file():
            where.append("its HTML page")
        if f"<title>{post.title}</title>" not in site_feed:
            where.append("the site feed")
        if post.title not in home:
            where.append("the home list")
        parts = post.area.split("/") if post.area else []
        listings = [("area", "/".join(parts[:i])) for i in range(1, len(parts) + 1)]
        listings += [("tag", t) for t in post.tags] + [("paper", k) for k in post.papers]
        for facet, slug in listings:
            if post.title not in _cards(out / "topics" / facet / f"{slug}.html"):
                where.append(f"topics/{facet}/{slug}")
            feed = out / "feeds" / facet / f"{slug}.xml"
            if (not feed.is_file()
                    or f"<title>{post.title}</title>" not in html.unescape(feed.read_text(encoding="utf-8"))):
                where.append(f"feeds/{facet}/{slug}.xml")
        if name not in docnames:
            where.append("the search index")
        if latex is not None and "\\detokenize{" + name + "::doc}" not in tex:  # Sphinx labels each chapter
            where.append("the LaTeX output")
        if where:
            lost.failures.append(f"{name}: missing from " + ", ".join(where))
    lost.notes.append(f"{len(posts) - len(drafts.notes)} published posts audited")
    return lost, drafts


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, check=False, capture_output=True, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mlnotes check")
    parser.add_argument("--root", type=Path, default=Path.cwd())
    parser.add_argument("--builddir", type=Path, default=Path("_build") / "check")
    parser.add_argument("--schema", type=Path, help="atom.rnc (RFC 4287); default ../shared/schemas/atom.rnc")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    build = (root / args.builddir).resolve()
    steps: list[Step] = []

    conf = {"__file__": str(root / "conf.py")}
    exec(compile((root / "conf.py").read_text(encoding="utf-8"), "conf.py", "exec"), conf)
    base = str(conf.get("html_baseurl", ""))
    tz = str(conf.get("mlnotes_timezone", "Asia/Shanghai"))

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
    if jar is None:
        valid.notes.append("skipped: vnu.jar not installed (cd tests/browser && npm ci --ignore-scripts)")
    elif java is None:
        valid.failures.append("java is not installed (bash scripts/ensure-system-deps.sh)")
    else:
        pages = sorted(out.rglob("*.html"))
        valid.failures = [e.format(out) for e in validate(pages, java, jar)]
        valid.notes.append(f"{len(pages)} pages")
    steps.append(valid)

    feeds = Step("Atom feeds valid (RFC 4287)")
    schema = args.schema or root.parent / "shared" / "schemas" / "atom.rnc"
    files = sorted(str(p) for p in (out / "feeds").rglob("*.xml"))
    if not shutil.which("jing"):
        feeds.failures.append("jing is not installed (bash scripts/ensure-system-deps.sh)")
    elif not schema.is_file():
        feeds.notes.append(f"skipped: schema {schema} not found (pass --schema PATH/atom.rnc)")
    else:
        r = run(["jing", "-c", str(schema), *files], root)
        feeds.failures = [line for line in r.stdout.splitlines() if line.strip()]
        feeds.notes.append(f"{len(files)} feeds")
    steps.append(feeds)

    latex = build / "latex"
    r = run([sys.executable, "-m", "sphinx", "-b", "latex", "-q", "-d", str(build / "doctrees-latex"),
             str(root), str(latex), "--no-color"], root)
    lost, drafts = audit(root, out, latex if r.returncode == 0 else None, base, tz)
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
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
