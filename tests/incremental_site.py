"""A small mlnotes site as a Python model, written to disk and built twice: incrementally and clean.

Used by ``tests/test_incremental_clean.py``.  The model (:class:`SiteModel`) holds everything a
change can touch — posts with their front matter and citations, the taxonomy, refs.bib, papers.toml, a few
``conf.py`` values, a template override and a static file — and :meth:`SiteModel.write` renders it
into a directory, rewriting only the files whose text changed (so that an unchanged file keeps its
modification time, as it would in an editor, and the incremental build has something to skip).

:class:`Builds` runs ``python -m mlnotes.frontend`` as ``make html`` does: once into a persistent
output and doctree directory (the incremental build) and once into fresh ones (the clean build),
both as subprocesses with ``PYTHONHASHSEED=0`` and the site as working directory, and
:func:`compare` says how the two outputs and their warnings differ.
"""

from __future__ import annotations

import copy
import difflib
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent / "roots" / "test-incremental"

#: Output files left out of the comparison, each with the reason it may differ between two builds
#: of the same tree.  Nothing else is excluded: a difference anywhere else is a bug.
VOLATILE = {
    # Sphinx's record of the configuration hash a build used; documented by Sphinx as build
    # bookkeeping ("When it is not found, a full rebuild will be done"), not part of the site.
    ".buildinfo": "Sphinx's build bookkeeping, not published content",
    # Sphinx (builders/html/__init__.py, get_outdated_docs) copies the old .buildinfo here when the
    # configuration changed since the last build: it exists only when there was a last build.
    ".buildinfo.bak": "Sphinx's backup of the previous .buildinfo, written only by a rebuild",
}

#: Output files compared after a normalisation, with the reason.  mlnotes puts the search
#: dictionary's path (inside the doctree directory) into ``html_search_options``, so Sphinx's
#: config hash — and every hash derived from it — differs between two clean builds of the same tree
#: into different directories.  The listing manifest (documented as bookkeeping that has yet to move
#: out of the output, docs/architecture.md "State") is made of such hashes; its path-independent
#: parts (the files it lists, the pages and feeds it keys) are compared, its hash values are not.
MANIFEST = ".mlnotes-pages.json"


def normalise(rel: str, data: bytes) -> bytes:
    if rel != MANIFEST:
        return data
    try:
        manifest = json.loads(data)
    except ValueError:
        return data
    kept = {"files": manifest.get("files"), "pages": sorted(manifest.get("pages", {})),
            "feeds": sorted(manifest.get("feeds", {}))}
    return json.dumps(kept, ensure_ascii=False, indent=0).encode()

SIDEBAR_BLOCK = re.compile(rb'<nav class="mlnotes-sidebar mlnotes-(?:recent|browse|tagcloud)".*?</nav>', re.S)
WARNING_RE = re.compile(r"\b(WARNING|ERROR|CRITICAL)\b")

# -- the model ----------------------------------------------------------------------------------------


@dataclass
class Post:
    """One post: where it lives and what its front matter and body say."""

    path: str  # docname, e.g. "posts/a" or "posts/old/a"
    title: str
    date: str | None  # "YYYY-MM-DD"; None: no date (a draft)
    area: str  # an area key; its slug path comes from the taxonomy
    tags: list[str]  # as written: a key, a name or an alias
    summary: str | None = None
    author: str | None = None
    paper: str | None = None  # the main paper (a refs.bib key)
    cites: list[str] = field(default_factory=list)
    body: str = "正文。"
    links: list[str] = field(default_factory=list)  # ids of the posts it links to (MyST .md links)
    link_words: str = "另见"  # the words before each link (its backlink's context)


@dataclass
class Area:
    zh: str
    en: str
    parent: str | None = None


@dataclass
class Tag:
    name: str
    aliases: list[str] = field(default_factory=list)


@dataclass
class BibEntry:
    kind: str
    title: str
    author: str
    year: int
    venue: str


CONF_TEMPLATE = (ROOT / "conf.py").read_text(encoding="utf-8")
TAGCLOUD_OVERRIDE = """{#- a site override of the tag cloud (tests/test_incremental_clean.py) -#}
<div class="site-tagcloud">NOTE</div>
"""


@dataclass
class SiteModel:
    """Everything the fuzzer changes; :meth:`write` turns it into files."""

    posts: dict[str, Post]  # key: a stable id (the original slug)
    areas: dict[str, Area]  # key order is taxonomy order
    tags: dict[str, Tag]
    series: dict[str, tuple[str, list[str]]]  # key -> (name, [post ids in order])
    bib: dict[str, BibEntry]
    page_size: int = 2
    html_title: str = "增量测试"
    strict_bib: bool = False
    template: str | None = None  # the text of the tag-cloud override, None: no override
    static: str = "body { color: black; }"
    #: papers.toml: refs.bib key -> the keys it builds on (no file while empty); a key that is no
    #: longer in refs.bib stays, as an author's stale table would (a located warning)
    builds_on: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def initial(cls) -> SiteModel:
        """The model of ``tests/roots/test-incremental`` (checked by a test: it writes the same files)."""
        posts = {
            "a": Post("posts/a", "文章 A", "2024-01-01", "detection", ["LLM", "attention"], summary="A 的摘要",
                      cites=["alpha2020"], body="正文 A"),
            "b": Post("posts/b", "文章 B", "2024-01-05", "cv", ["vision"], author="bob", body="正文 B。"),
            "c": Post("posts/c", "文章 C", "2024-02-01", "llm", ["大语言模型"], paper="beta2019",
                      cites=["beta2019"], body="正文 C"),
            "d": Post("posts/d", "文章 D", "2024-03-01", "nlp", ["attention"], summary="D 的摘要", body="正文 D。"),
            "e": Post("posts/e", "文章 E", "2024-03-15", "detection", ["vision", "LLM"], body="正文 E。"),
        }
        areas = {
            "cv": Area("计算机视觉", "Computer Vision"),
            "detection": Area("目标检测", "Object Detection", "cv"),
            "nlp": Area("自然语言处理", "NLP"),
            "llm": Area("大模型", "LLMs", "nlp"),
        }
        tags = {
            "llm": Tag("大语言模型", ["LLM"]),
            "attention": Tag("注意力机制", ["attention"]),
            "vision": Tag("视觉"),
        }
        bib = {
            "alpha2020": BibEntry("inproceedings", "Alpha: A Test Paper", "Zhang, San and Li, Si", 2020,
                                  "International Conference on Learning Representations"),
            "beta2019": BibEntry("article", "Beta Networks", "Wang, Wu", 2019,
                                 "Transactions on Pattern Analysis and Machine Intelligence"),
            "gamma2021": BibEntry("inproceedings", "Gamma", "Zhao, Liu", 2021,
                                  "Advances in Neural Information Processing Systems"),
        }
        return cls(posts=posts, areas=areas, tags=tags, series={"s1": ("系列一", ["a", "b"])}, bib=bib)

    def clone(self) -> SiteModel:
        return copy.deepcopy(self)

    # -- rendering ------------------------------------------------------------------------------------

    def area_slug(self, key: str) -> str:
        parts = [key]
        while (parent := self.areas[parts[-1]].parent) is not None:
            parts.append(parent)
        return "/".join(reversed(parts))

    def series_of(self, pid: str) -> str | None:
        return next((s for s, (_, members) in self.series.items() if pid in members), None)

    def post_text(self, pid: str) -> str:
        post = self.posts[pid]
        lines = ["---", "blogpost: true"]
        if post.date is not None:
            lines.append(f"date: {post.date}")
        if post.author is not None:
            lines.append(f"author: {post.author}")
        lines.append(f"area: {self.area_slug(post.area)}")
        if post.tags:
            lines.append("tags: " + ", ".join(post.tags))
        if (series := self.series_of(pid)) is not None:
            lines.append(f"series: {series}")
        if post.paper is not None:
            lines.append(f"paper: {post.paper}")
        if post.summary is not None:
            lines.append(f"summary: {post.summary}")
        lines += ["---", "", f"# {post.title}", ""]
        body = post.body
        if post.cites:
            body += "，引用 {footcite:p}`" + ",".join(post.cites) + "`。"
        lines += [body, ""]
        # a link to a deleted post goes with it (a dangling link: test_incremental_scenario.py)
        for target in (t for t in post.links if t in self.posts):
            rel = posixpath.relpath(self.posts[target].path, posixpath.dirname(post.path))
            lines += [f"{post.link_words}[笔记 {target}]({rel}.md)，值得一读。", ""]
        if post.cites:
            lines += ["## 参考文献", "", "```{footbibliography}", "```", ""]
        return "\n".join(lines)

    def taxonomy_text(self) -> str:
        out: list[str] = []
        for key, area in self.areas.items():
            table = ".children.".join(self.area_slug(key).split("/"))
            out += [f"[areas.{table}]", f'zh = "{area.zh}"', f'en = "{area.en}"']
        out.append("")
        for key, tag in self.tags.items():
            out += [f"[tags.{key}]", f'name = "{tag.name}"']
            if tag.aliases:
                out.append("aliases = [" + ", ".join(f'"{a}"' for a in tag.aliases) + "]")
        out.append("")
        for key, (name, members) in self.series.items():
            docs = ", ".join(f'"{self.posts[m].path}"' for m in members)
            out += [f"[series.{key}]", f'name = "{name}"', f"posts = [{docs}]"]
        return "\n".join(out) + "\n"

    def bib_text(self) -> str:
        out = []
        for key, e in self.bib.items():
            venue = "journal" if e.kind == "article" else "booktitle"
            out.append(
                f"@{e.kind}{{{key},\n  url = {{https://example.org/{key}}},\n  title = {{{e.title}}},\n"
                f"  author = {{{e.author}}},\n  {venue} = {{{e.venue}}},\n  year = {{{e.year}}}\n}}\n"
            )
        return "\n".join(out)

    def papers_text(self) -> str:
        out = []
        for key, others in self.builds_on.items():
            out += [f"[{key}]", f'code = "https://example.org/code/{key}"',
                    "builds_on = [" + ", ".join(f'"{o}"' for o in others) + "]", ""]
        return "\n".join(out)

    def conf_text(self) -> str:
        text = CONF_TEMPLATE.replace("mlnotes_page_size = 2", f"mlnotes_page_size = {self.page_size}")
        text = text.replace('html_title = "增量测试"', f'html_title = "{self.html_title}"')
        text = text.replace("mlnotes_strict_bib = False", f"mlnotes_strict_bib = {self.strict_bib}")
        assert text.count(f"mlnotes_page_size = {self.page_size}") == 1
        return text

    def files(self) -> dict[str, str]:
        """Every file of the site (relative path → text)."""
        files = {
            "conf.py": self.conf_text(),
            "index.md": (ROOT / "index.md").read_text(encoding="utf-8"),
            "taxonomy.toml": self.taxonomy_text(),
            "refs.bib": self.bib_text(),
            "_static/extra.css": f"/* a static file the test edits */\n{self.static}\n",
            "_templates/README.txt": (ROOT / "_templates" / "README.txt").read_text(encoding="utf-8"),
        }
        if self.builds_on:
            files["papers.toml"] = self.papers_text()
        if self.template is not None:
            files["_templates/mlnotes/tagcloud.html"] = TAGCLOUD_OVERRIDE.replace("NOTE", self.template)
        for pid, post in self.posts.items():
            files[post.path + ".md"] = self.post_text(pid)
        return files

    def write(self, site: Path) -> list[str]:
        """Make *site* hold exactly :meth:`files`; rewrite only what changed.  Returns what changed."""
        want = self.files()
        changed = []
        for rel, text in want.items():
            path = site / rel
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                changed.append(rel)
        for path in sorted(site.rglob("*")):
            rel = path.relative_to(site).as_posix()
            if path.is_file() and rel not in want:
                path.unlink()
                changed.append(rel)
        for path in sorted(site.rglob("*"), reverse=True):  # folders a move left empty
            if path.is_dir() and not any(path.iterdir()):
                path.rmdir()
        return changed


# -- building and comparing ---------------------------------------------------------------------------


@dataclass
class Result:
    out: Path
    returncode: int
    warnings: list[str]
    log: str


def run_frontend(site: Path, out: Path, doctrees: Path, jobs: str) -> Result:
    """``make html`` on *site*: the front end, strict, as a subprocess with a fixed hash seed."""
    cmd = [sys.executable, "-m", "mlnotes.frontend", "-b", "html", "-n", "-W", "--keep-going", "-j", jobs,
           "-d", str(doctrees), ".", str(out)]
    env = dict(os.environ, PYTHONHASHSEED="0")
    env.pop("READTHEDOCS_CANONICAL_URL", None)
    proc = subprocess.run(cmd, cwd=site, env=env, capture_output=True, text=True, check=False, timeout=600)
    log = proc.stdout + proc.stderr
    places = {str(site): "<site>", str(out): "<out>", str(doctrees): "<doctrees>"}
    lines = []
    for line in log.splitlines():
        if WARNING_RE.search(line):
            text = line
            for real, name in places.items():
                text = text.replace(real, name)
            lines.append(text)
    if "Traceback" in log:
        lines.append("<traceback in the build log>")
    return Result(out=out, returncode=proc.returncode, warnings=sorted(lines), log=log)


def ignored() -> set[str]:
    """``MLNOTES_FUZZ_IGNORE`` (comma-separated output paths, or ``sidebars`` for the site-wide
    sidebar blocks of every page): a diagnostic knob to look for further
    bugs behind a known one while hunting; never set by ``make test`` or ``make fuzz-incremental``."""
    return {p.strip() for p in os.environ.get("MLNOTES_FUZZ_IGNORE", "").split(",") if p.strip()}


def output_files(out: Path) -> dict[str, bytes]:
    skip = VOLATILE.keys() | ignored()
    files = {
        p.relative_to(out).as_posix(): normalise(p.relative_to(out).as_posix(), p.read_bytes())
        for p in out.rglob("*")
        if p.is_file() and p.relative_to(out).as_posix() not in skip
    }
    if "sidebars" in skip:  # the site-wide sidebar blocks (recent posts, areas, tag cloud)
        for rel, data in files.items():
            if rel.endswith(".html"):
                files[rel] = SIDEBAR_BLOCK.sub(b"", data)
    return files


def compare(incremental: Result, clean: Result, diff_lines: int = 30, only: set[str] | None = None) -> str:
    """A description of every difference between the two builds, or "" when they agree.

    *only*: compare just these output paths (and the warnings); for a reproduction that names
    the files of one bug, so that it does not also fail for another."""
    report: list[str] = []
    if not clean.out.is_dir():
        # The clean build stopped before writing anything (a fatal configuration or taxonomy
        # error): there is no output to compare, only the error and the exit status.
        a = b = {}
    else:
        a, b = output_files(incremental.out), output_files(clean.out)
    if only is not None:
        a, b = {k: v for k, v in a.items() if k in only}, {k: v for k, v in b.items() if k in only}
    only_inc, only_clean = sorted(a.keys() - b.keys()), sorted(b.keys() - a.keys())
    if only_inc:
        report.append("only in the incremental build: " + ", ".join(only_inc))
    if only_clean:
        report.append("only in the clean build: " + ", ".join(only_clean))
    for rel in sorted(a.keys() & b.keys()):
        if a[rel] == b[rel]:
            continue
        try:
            ta, tb = a[rel].decode("utf-8"), b[rel].decode("utf-8")
        except UnicodeDecodeError:
            report.append(f"differs (binary): {rel}")
            continue
        diff = list(difflib.unified_diff(tb.splitlines(), ta.splitlines(), f"clean/{rel}", f"incremental/{rel}",
                                         n=1, lineterm=""))
        at = next((i for i, (x, y) in enumerate(zip(ta, tb, strict=False)) if x != y), min(len(ta), len(tb)))
        where = f"first difference at character {at}: clean {tb[max(0, at - 80):at + 120]!r}\n" \
                f"  incremental {ta[max(0, at - 80):at + 120]!r}"
        report.append(f"differs: {rel}\n  {where}\n" + "\n".join(line[:300] for line in diff[:diff_lines]))
    if incremental.warnings != clean.warnings:
        wa, wb = set(incremental.warnings), set(clean.warnings)
        report.append(
            "warnings differ:\n"
            + "".join(f"  only incremental: {w}\n" for w in sorted(wa - wb))
            + "".join(f"  only clean: {w}\n" for w in sorted(wb - wa))
            + (f"  (counts: {len(incremental.warnings)} vs {len(clean.warnings)})" if wa == wb else "")
        )
    if (incremental.returncode == 0) != (clean.returncode == 0):
        report.append(f"exit status differs: incremental {incremental.returncode}, clean {clean.returncode}")
    return "\n".join(report)


class Builds:
    """A working copy of the site plus the persistent output of its incremental builds."""

    def __init__(self, base: Path, jobs: str = "1", model: SiteModel | None = None) -> None:
        self.base = base
        self.jobs = jobs
        self.site = base / "site"
        self.out = base / "out"
        self.doctrees = base / "doctrees"
        self.model = model or SiteModel.initial()
        self.site.mkdir(parents=True, exist_ok=True)
        self.model.write(self.site)
        self.history: list[str] = []

    def step(self, what: str, only: set[str] | None = None) -> tuple[list[str], str]:
        """Write the model, build both ways (at the same time: two processes), compare.

        Returns the files the change touched and the comparison ("" when equal)."""
        changed = self.model.write(self.site)
        self.history.append(f"{what}: {', '.join(changed) or 'nothing changed'}")
        fresh = Path(tempfile.mkdtemp(prefix="clean-", dir=self.base))
        try:
            with ThreadPoolExecutor(max_workers=2) as pool:
                inc = pool.submit(run_frontend, self.site, self.out, self.doctrees, self.jobs)
                clean = pool.submit(run_frontend, self.site, fresh / "out", fresh / "doctrees", self.jobs)
                incremental, clean_result = inc.result(), clean.result()
            return changed, compare(incremental, clean_result, only=only)
        finally:
            shutil.rmtree(fresh, ignore_errors=True)
