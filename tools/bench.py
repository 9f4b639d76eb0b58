"""``make bench``: build the same synthetic corpus with plain ablog and with mlnotes.

a = plain Sphinx + ablog + pydata-sphinx-theme, configured as ablog's own quick-start
    template recommends (its sidebars, ``blog_baseurl`` set so the site feed is written,
    ``blog_feed_archives = True`` for a feed per tag, category, year and author, a
    ``postlist`` with excerpts on the home page), built with plain ``sphinx-build``.
b = the mlnotes site: this repository's ``conf.py`` (only ``include_patterns`` narrowed to the
    corpus), built exactly as ``make html`` builds it: ``python -m mlnotes.frontend`` (the front end
    that skips ``sphinx-build`` when no input changed) with ``-n -W --keep-going -j auto``.

Both build the same posts.  For every size, each repetition runs the scenarios (cold build,
no-change rebuild, edit one post's body, edit one post's tags, add a post dated after every
other, delete that post, move a post's date to the newest) alternating a and b (and which of
the two goes first alternates between repetitions); the table shows medians.  In the first
repetition, after each change b's output is compared with a clean build of the same tree: the
table says how many pages and feeds a clean build changes and whether the incremental output
equals it (skip with ``--no-verify``).  One more
scenario runs plain ``sphinx-build`` on b's unchanged output, to show what the front end saves
(a's figure in that row is its ordinary no-change rebuild).  Peak memory
is the largest sum of the proportional set size (PSS) of the sphinx-build process and its worker
processes, sampled every 20 ms (shared pages counted once); the largest resident set of any one
process (what ``/usr/bin/time`` reports) is shown too.  CPU seconds (user + system, workers
included) are shown beside wall time because they are less disturbed by other load.  "Pages
written" counts HTML and XML files in the output that are new or whose modification time
changed; "content changed" counts those whose bytes changed.
After b's first cold build the nothing-lost audit of ``make check`` runs on its output.

Usage::

    python -m tools.bench [--sizes 100 1000] [--repeat 3] [--workdir DIR] [--keep] [--no-verify]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

#: frequent characters to fill synthetic notes (not meaningful text; realistic input for jieba)
HAN = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说"
    "产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使"
    "点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明"
    "看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料"
)
NUMERALS = "零一二三四五六七八九"
VENUES = [
    "Advances in Neural Information Processing Systems",
    "International Conference on Learning Representations",
    "International Conference on Machine Learning",
    "Conference on Computer Vision and Pattern Recognition",
    "Annual Meeting of the Association for Computational Linguistics",
]
N_TOP_AREAS, N_CHILD_AREAS, N_TAGS = 6, 3, 40
#: the markers the edit scenarios change (end of the first and of the third paragraph)
EXCERPT_MARK, BODY_MARK = "首段完。", "本段完。"
FIRST_DAY = date(2022, 1, 1)
#: "no-change, sphinx-build" calls sphinx-build directly on b's unchanged output, without the front end
#: `make html` uses (mlnotes.frontend); a's figure for it is its ordinary no-change rebuild
DIRECT = "no-change (plain sphinx-build)"
SCENARIOS = ("cold", "no-change", DIRECT, "edit body", "edit tags", "add post", "delete post", "change date")
#: the scenarios that change the sources: after each, the mlnotes output is compared with a clean build
CHANGES = ("edit body", "edit tags", "add post", "delete post", "change date")
STRICT = ["-n", "-W", "--keep-going", "-j", "auto"]  # what `make html` passes
#: from this size on the bench runs mlnotes alone (cold build, body edit, preview; no ablog, no autobuild)
MLNOTES_ONLY_FROM = 5000


def _han_number(i: int) -> str:
    return "".join(NUMERALS[int(d)] for d in str(i))


def area_slugs() -> list[str]:
    """Every leaf area of the synthetic taxonomy, as ``top/child`` paths."""
    return [f"a{t}/c{c}" for t in range(N_TOP_AREAS) for c in range(N_CHILD_AREAS)]


def tag_name(i: int) -> str:
    return f"主题标签{_han_number(i)}"


def taxonomy_toml() -> str:
    parts = ["# synthetic vocabulary of the mlnotes benchmark corpus\n"]
    for t in range(N_TOP_AREAS):
        parts.append(f'[areas.a{t}]\nzh = "合成领域{_han_number(t)}"\nen = "Area {t}"\n')
        for c in range(N_CHILD_AREAS):
            parts.append(f'[areas.a{t}.children.c{c}]\n'
                         f'zh = "合成领域{_han_number(t)}之{_han_number(c)}"\nen = "Area {t}.{c}"\n')
    for i in range(N_TAGS):
        parts.append(f'[tags.t{i}]\nname = "{tag_name(i)}"\naliases = ["tag {i}"]\n')
    return "\n".join(parts)


def area_name(slug: str) -> str:
    top, child = (int(s[1:]) for s in slug.split("/"))
    return f"合成领域{_han_number(top)}之{_han_number(child)}"


def bib_keys(n: int) -> list[str]:
    return [f"paper{i:04d}" for i in range(max(10, n // 5))]


def refs_bib(n: int) -> str:
    entries = []
    for i, key in enumerate(bib_keys(n)):
        entries.append(
            f"@inproceedings{{{key},\n  title = {{Synthetic Study Number {i} of Representation Learning}},\n"
            f"  author = {{Doe, Jane and Roe, Richard}},\n  booktitle = {{{VENUES[i % len(VENUES)]}}},\n"
            f"  year = {{{2015 + i % 10}}},\n  eprint = {{{2101 + i % 12}.{i:05d}}},\n"
            f"  archiveprefix = {{arXiv}}\n}}\n"
        )
    return "\n".join(entries)


def post_path(root: Path, i: int) -> Path:
    day = FIRST_DAY + timedelta(days=i)
    return root / "posts" / str(day.year) / f"post{i:05d}.md"


def post_text(i: int, n: int, rng: random.Random) -> str:
    """About 800 Han characters: a title, a section heading, inline and display math, a code
    block, two citations (every refs.bib key is cited by some post), one area, three tags."""
    keys = bib_keys(n)
    area = area_slugs()[i % len(area_slugs())]
    tags = [tag_name(t) for t in rng.sample(range(N_TAGS), 3)]
    cites = [keys[i % len(keys)], keys[(i * 7 + 3) % len(keys)]]
    if cites[0] == cites[1]:
        cites[1] = keys[(i + 1) % len(keys)]
    paras = ["".join(rng.choice(HAN) for _ in range(196)) for _ in range(4)]
    day = FIRST_DAY + timedelta(days=i)
    return f"""---
blogpost: true
date: {day.isoformat()}
category: {area_name(area)}
area: {area}
tags: {", ".join(tags)}
---

# 合成笔记{_han_number(i)}

{paras[0]}，其中 $a_{{{i % 9}}} = b^2 + c$ {{footcite:p}}`{cites[0]}`。{EXCERPT_MARK}

## 方法

{paras[1]}：

$$
\\mathcal{{L}} = -\\sum_{{j=1}}^{{{i % 50 + 2}}} y_j \\log p_j
$$

{paras[2]}，见 {{footcite:t}}`{cites[1]}`。{BODY_MARK}

```python
def step(x):
    return x * {i} + 1
```

{paras[3]}。

## 参考文献

```{{footbibliography}}
```
"""


def write_corpus(root: Path, n: int, seed: int = 0) -> None:
    """The posts, refs.bib and taxonomy.toml of an *n*-post corpus (deterministic for a seed)."""
    rng = random.Random(seed)
    (root / "refs.bib").parent.mkdir(parents=True, exist_ok=True)
    (root / "refs.bib").write_text(refs_bib(n), encoding="utf-8")
    (root / "taxonomy.toml").write_text(taxonomy_toml(), encoding="utf-8")
    for i in range(n):
        path = post_path(root, i)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(post_text(i, n, rng), encoding="utf-8")


# ----------------------------------------------------------------------- the two sites

ABLOG_CONF = '''
# plain Sphinx + ablog, configured after ablog's quick-start template (ablog/start.py)
extensions = ["myst_parser", "sphinx_design", "sphinxcontrib.bibtex", "ablog"]
project = "bench"
author = "bench"
language = "zh_CN"
exclude_patterns = ["_build"]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "attrs_inline"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "unsrt"
bibtex_reference_style = "author_year"
html_theme = "pydata_sphinx_theme"
html_search_language = "zh"
blog_title = "bench"
blog_path = "blog"
blog_baseurl = "https://example.org/bench/"
blog_feed_archives = True  # a feed per tag, category, year and author
blog_authors = {"bench": ("bench", None)}
blog_default_author = "bench"
post_date_format = "%Y-%m-%d"
post_auto_excerpt = 1
fontawesome_included = True  # else pydata-sphinx-theme makes every rebuild a full one
html_sidebars = {
    "**": ["ablog/postcard.html", "ablog/recentposts.html", "ablog/tagcloud.html",
           "ablog/categories.html", "ablog/archives.html"],
}
'''

ABLOG_INDEX = """# 基准

## 最新更新

```{postlist} 10
:excerpts:
```
"""

MLNOTES_OVERRIDES = """

# -- mlnotes bench: the site's configuration, with only the corpus as source ----------------
include_patterns = ["index.md", "posts/**"]
"""

MLNOTES_INDEX = """# 基准

## 最新更新

```{mlnotes-latest}
```
"""


def site_conf(site: Path) -> str:
    """This site's conf.py, narrowed to the corpus."""
    conf = site / "conf.py"
    text = conf.read_text(encoding="utf-8") if conf.is_file() else ""
    if '"mlnotes"' not in text:
        raise SystemExit(f"mlnotes bench: {conf} is not the mlnotes site's conf.py (pass --site)")
    return text + MLNOTES_OVERRIDES


@dataclass(frozen=True)
class Flavour:
    name: str
    conf: str
    index: str
    options: tuple[str, ...]
    #: the module run with ``python -m``: plain ``sphinx``, or the front end ``make html`` uses
    module: str = "sphinx"


def flavours(site: Path) -> tuple[Flavour, Flavour]:
    return (
        Flavour("ablog", ABLOG_CONF, ABLOG_INDEX, ()),
        Flavour("mlnotes", site_conf(site), MLNOTES_INDEX, tuple(STRICT), "mlnotes.frontend"),
    )


def prepare(corpus: Path, src: Path, flavour: Flavour) -> None:
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(corpus, src)
    (src / "conf.py").write_text(flavour.conf, encoding="utf-8")
    (src / "index.md").write_text(flavour.index, encoding="utf-8")


def mlnotes_corpus(root: Path, n: int, site: Path) -> Path:
    """A corpus of *n* posts under *root*, prepared with *site*'s configuration (b); returns its
    source directory.  For tests that need the bench's corpus without the bench."""
    write_corpus(root / "corpus", n)
    _, mlnotes = flavours(site)
    prepare(root / "corpus", root / "src", mlnotes)
    return root / "src"


# --------------------------------------------------------------------------- one build


@dataclass
class Run:
    seconds: float
    peak_mib: float
    written: int
    changed: int
    warnings: list[str] = field(default_factory=list)
    #: user + system CPU seconds of the build and its workers (less sensitive to a busy machine)
    cpu: float = 0.0
    #: largest resident set of any one process of the build (what /usr/bin/time reports)
    maxrss_mib: float = 0.0
    #: after a change (mlnotes, first round): pages and feeds a clean build changes, and whether
    #: the incremental output equals the clean build's
    clean_changed: int | None = None
    equals_clean: bool | None = None


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _tree(pid: int) -> Iterator[int]:
    yield pid
    for child in _children(pid):
        yield from _tree(child)


def _pss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    match = re.search(r"^Pss:\s+(\d+) kB", text, re.M)
    return int(match.group(1)) if match else 0


class PeakMemory(threading.Thread):
    """Largest PSS sum of a process and its descendants, sampled every *interval* seconds."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kib = pid, interval, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak_kib = max(self.peak_kib, sum(_pss_kib(p) for p in _tree(self.pid)))
            self.done.wait(self.interval)


def snapshot(out: Path) -> dict[str, tuple[int, str]]:
    """Output page or feed → (mtime, content hash)."""
    if not out.exists():
        return {}
    found = {}
    for path in out.rglob("*"):
        if path.suffix in (".html", ".xml") and path.is_file():
            found[path.relative_to(out).as_posix()] = (path.stat().st_mtime_ns,
                                                      hashlib.sha1(path.read_bytes()).hexdigest())
    return found


def build_command(src: Path, out: Path, options: tuple[str, ...], module: str = "sphinx") -> list[str]:
    return [sys.executable, "-m", module, "-b", "html", "-q", *options, "-d", str(out / ".doctrees"),
            str(src), str(out), "--no-color"]


def one_build(src: Path, out: Path, options: tuple[str, ...], module: str = "sphinx") -> Run:
    src, out = src.resolve(), out.resolve()
    before = snapshot(out)
    log = out.parent / f"{out.name}.log"
    with log.open("w", encoding="utf-8") as stream:
        start = time.perf_counter()
        proc = subprocess.Popen(build_command(src, out, options, module), stdout=stream, stderr=subprocess.STDOUT,
                                cwd=src, env={**os.environ, "PYTHONHASHSEED": "0"})
        memory = PeakMemory(proc.pid)
        memory.start()
        # wait4: the rusage covers the build and the worker processes it waited for
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        code = proc.returncode = os.waitstatus_to_exitcode(status)
        memory.done.set()
        memory.join()
    output = log.read_text(encoding="utf-8")
    if code != 0:
        raise SystemExit(f"mlnotes bench: the build of {src} failed:\n{output[-3000:]}")
    after = snapshot(out)
    written = sum(1 for p, (mtime, _) in after.items() if before.get(p, (None,))[0] != mtime)
    changed = sum(1 for p, (_, digest) in after.items() if before.get(p, (None, None))[1] != digest)
    warnings = [line for line in output.splitlines() if "WARNING" in line or "ERROR" in line]
    return Run(seconds, memory.peak_kib / 1024, written, changed, warnings,
               cpu=usage.ru_utime + usage.ru_stime, maxrss_mib=usage.ru_maxrss / 1024)


# ------------------------------------------------------------------------------- edits


def newest_post(src: Path) -> Path:
    return max((src / "posts").rglob("*.md"), key=lambda p: p.name)


def edit_body(post: Path, revision: int) -> None:
    """Change a sentence in the middle of the body (not the excerpt, not the front matter)."""
    text = post.read_text(encoding="utf-8")
    new = re.sub(re.escape(BODY_MARK) + r"(修订第\S+次。)?", f"{BODY_MARK}修订第{_han_number(revision)}次。",
                 text, count=1)
    post.write_text(new, encoding="utf-8")


def edit_excerpt(post: Path, revision: int) -> None:
    """Change a sentence of the first paragraph, which listings and feeds show as the excerpt."""
    text = post.read_text(encoding="utf-8")
    new = re.sub(re.escape(EXCERPT_MARK) + r"(修订第\S+次。)?", f"{EXCERPT_MARK}修订第{_han_number(revision)}次。",
                 text, count=1)
    post.write_text(new, encoding="utf-8")


def edit_tags(post: Path, revision: int) -> None:
    """Replace the post's last tag by another one (a different one each revision)."""
    text = post.read_text(encoding="utf-8")
    line = re.search(r"^tags: (.*)$", text, re.M)
    assert line is not None
    tags = [t.strip() for t in line.group(1).split(",")]
    choices = [tag_name(i) for i in range(N_TAGS) if tag_name(i) not in tags]
    tags[-1] = choices[revision % len(choices)]
    post.write_text(text[: line.start()] + "tags: " + ", ".join(tags) + text[line.end():], encoding="utf-8")


def add_post(src: Path, n: int, revision: int) -> Path:
    """A new post, dated after every other (it heads the home list and every recent-posts list)."""
    i = n + revision
    path = post_path(src, i)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(post_text(i, n, random.Random(i)).replace(f"# 合成笔记{_han_number(i)}",
                                                             f"# 新增的合成笔记{_han_number(i)}"), encoding="utf-8")
    return path


def delete_post(src: Path, n: int, revision: int) -> None:
    """Delete the post :func:`add_post` added in this round (the newest: every sidebar shows it)."""
    post_path(src, n + revision).unlink()


def change_date(src: Path, n: int, revision: int) -> None:
    """Move a post from the middle of the corpus to the newest date."""
    post = post_path(src, n // 2)
    day = FIRST_DAY + timedelta(days=n + 10 * revision)
    text = post.read_text(encoding="utf-8")
    post.write_text(re.sub(r"^date: .*$", f"date: {day.isoformat()}", text, count=1, flags=re.M), encoding="utf-8")


def clean_comparison(src: Path, out: Path, options: tuple[str, ...], module: str,
                     before: dict[str, tuple[int, str]]) -> tuple[int, bool]:
    """Build *src* from scratch next to *out*: (pages and feeds whose content a clean build
    changes against *before*, whether the incremental *out* equals it file for file)."""
    clean = out.parent / f"{out.name}-clean"
    shutil.rmtree(clean, ignore_errors=True)
    one_build(src, clean, options, module)
    fresh, incremental = snapshot(clean), snapshot(out)
    changed = sum(1 for p, (_, digest) in fresh.items() if before.get(p, (None, None))[1] != digest)
    same = {p: d for p, (_, d) in fresh.items()} == {p: d for p, (_, d) in incremental.items()}
    shutil.rmtree(clean, ignore_errors=True)
    return changed, same


# ------------------------------------------------------------------------------- preview

#: the two live previews compared: the resident mlnotes preview (``make livehtml``) and
#: sphinx-autobuild (a new sphinx-build per save), both on the mlnotes corpus with the same options
PREVIEWS = ("mlnotes preview", "sphinx-autobuild")
PREVIEW_EDITS = ("edit body", "edit tags")


@dataclass
class PreviewRun:
    """Save-to-served latencies (s) of one preview server, and its peak memory."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    #: the mlnotes preview alone: save to the end of the build, when the page is told to reload
    reloads: dict[str, list[float]] = field(default_factory=dict)
    #: CPU seconds (user + system, waited-for children included) of the server from the save until
    #: it is idle again: what the rebuild cost, less disturbed by other load than wall time
    cpu: dict[str, list[float]] = field(default_factory=dict)
    startup: float = 0.0
    peak_mib: float = 0.0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> bytes | None:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return bytes(response.read())
    except (urllib.error.URLError, OSError):
        return None


def _preview_command(kind: str, src: Path, out: Path, port: int) -> list[str]:
    sphinx_args = ["-b", "html", "-q", *STRICT, "-d", str(out / ".doctrees"), str(src), str(out)]
    if kind == "mlnotes preview":
        return [sys.executable, "-m", "mlnotes.frontend.preview", *sphinx_args, "--port", str(port)]
    return [sys.executable, "-m", "sphinx_autobuild", "--host", "127.0.0.1", "--port", str(port), *sphinx_args]


def _wait_idle(kind: str, proc: subprocess.Popen[bytes], base: str, timeout: float = 1800) -> None:
    """Until the server has no build running: the mlnotes preview says so on /_mlnotes/state;
    sphinx-autobuild builds in a child process (its sphinx-build), so until it has none for 0.3 s."""
    deadline = time.monotonic() + timeout
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"mlnotes bench: {kind} stopped")
        if kind == "mlnotes preview":
            state = _get(base + "/_mlnotes/state")
            import json

            if state is not None and json.loads(state)["build"] >= 1 and not json.loads(state)["building"]:
                return
        else:
            busy = bool(_children(proc.pid)) or _get(base + "/index.html") is None
            now = time.monotonic()
            if busy:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since >= 0.3:
                return
        time.sleep(0.05)
    raise SystemExit(f"mlnotes bench: {kind} did not finish its build in {timeout:.0f} s")


def _cpu(pid: int) -> float:
    """User + system CPU seconds of *pid* and of the children it waited for (``/proc/PID/stat``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _builds(base: str) -> int:
    """How many builds the mlnotes preview has finished (-1 while it is building)."""
    import json

    state = _get(base + "/_mlnotes/state")
    if state is None:
        return -1
    data = json.loads(state)
    return -1 if data["building"] else int(data["build"])


def bench_preview(kind: str, src: Path, out: Path, edits: int, log: Path, first_revision: int = 100) -> PreviewRun:
    """Start *kind* on *src* (output *out*), then for each of :data:`PREVIEW_EDITS`, *edits* times:
    change the newest post and time from the file's write until an HTTP GET of its page returns
    new bytes (polling every 20 ms); between two edits the server is let finish its build."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    post = newest_post(src)
    page = base + "/" + post.relative_to(src).with_suffix(".html").as_posix()
    run = PreviewRun()
    with log.open("w", encoding="utf-8") as stream:
        start = time.perf_counter()
        proc = subprocess.Popen(_preview_command(kind, src, out, port), stdout=stream, stderr=subprocess.STDOUT,
                                cwd=src, env={**os.environ, "PYTHONHASHSEED": "0"})
        memory = PeakMemory(proc.pid)
        memory.start()
        try:
            _wait_idle(kind, proc, base)
            run.startup = time.perf_counter() - start
            for scenario in PREVIEW_EDITS:
                run.latencies[scenario], run.reloads[scenario], run.cpu[scenario] = [], [], []
                for i in range(edits):
                    builds = _builds(base) if kind == "mlnotes preview" else 0
                    before, text, cpu = _get(page), post.read_text(encoding="utf-8"), _cpu(proc.pid)
                    revision = first_revision + 10 * i + (0 if scenario == "edit body" else 5)
                    while post.read_text(encoding="utf-8") == text:  # an edit that changes the file
                        (edit_body if scenario == "edit body" else edit_tags)(post, revision)
                        revision += 1
                    written = time.perf_counter()
                    while (now := _get(page)) is None or now == before:
                        if time.perf_counter() - written > 600:
                            raise SystemExit(f"mlnotes bench: {kind} never served the {scenario} of {post}")
                        time.sleep(0.02)
                    run.latencies[scenario].append(time.perf_counter() - written)
                    _wait_idle(kind, proc, base)
                    if kind == "mlnotes preview":
                        while _builds(base) <= builds:
                            time.sleep(0.02)
                        run.reloads[scenario].append(time.perf_counter() - written)
                    run.cpu[scenario].append(_cpu(proc.pid) - cpu)
                    reload = f", reload sent at {run.reloads[scenario][-1]:6.2f} s" if run.reloads[scenario] else ""
                    print(f"    {kind:<16} {scenario:<10} #{i + 1}: served at {run.latencies[scenario][-1]:6.2f} s"
                          f"{reload}, CPU {run.cpu[scenario][-1]:6.2f} s", flush=True)
        finally:
            memory.done.set()
            memory.join()
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    run.peak_mib = memory.peak_kib / 1024
    return run


def bench_previews(work: Path, n: int, site: Path, edits: int, autobuild: bool = True) -> dict[str, PreviewRun]:
    """Both live previews on the mlnotes corpus of size *n*, one after the other, in the output
    the build scenarios left (a warm start, as an author's); built first when there is none."""
    src, out = work / f"mlnotes-{n}", work / f"out-mlnotes-{n}"
    if not src.is_dir():
        corpus = work / f"corpus-{n}"
        write_corpus(corpus, n)
        prepare(corpus, src, flavours(site)[1])
    if not (out / ".doctrees").is_dir():
        one_build(src, out, tuple(STRICT), "mlnotes.frontend")
    runs = {}
    for i, kind in enumerate(PREVIEWS if autobuild else PREVIEWS[:1]):
        runs[kind] = bench_preview(kind, src, out, edits, work / f"{kind.replace(' ', '-')}-{n}.log",
                                   first_revision=100 * (i + 1))
    return runs


def preview_rows(runs: dict[str, PreviewRun], n: int) -> list[str]:
    """The table rows of the preview comparison (medians), with the goals of the preview issue."""
    head = f"{'live preview (mlnotes corpus, same options)':<52}{'autobuild':>10}{'preview':>12}{'b/a':>7}"
    rows = [head]
    a, b = runs.get("sphinx-autobuild"), runs["mlnotes preview"]

    def row(label: str, va: float | None, vb: float, fmt: str) -> None:
        left = f"{va:>10{fmt}}" if va is not None else f"{'-':>10}"
        ratio = f"{vb / va:7.2f}" if va else f"{'-':>7}"
        rows.append(f"{label:<52}{left}{vb:>12{fmt}}{ratio}")

    for scenario in PREVIEW_EDITS:
        count = len(b.latencies[scenario])
        row(f"save to served, {scenario} (median of {count}), s",
            statistics.median(a.latencies[scenario]) if a else None, statistics.median(b.latencies[scenario]), ".2f")
    for scenario in PREVIEW_EDITS:
        row(f"server CPU per save, {scenario}, s", statistics.median(a.cpu[scenario]) if a else None,
            statistics.median(b.cpu[scenario]), ".2f")
    for scenario in PREVIEW_EDITS:
        row(f"save to reload sent, {scenario} (build finished), s", None,
            statistics.median(b.reloads[scenario]), ".2f")
    row("server start to first page, s", a.startup if a else None, b.startup, ".1f")
    row("peak memory of the server, MiB (PSS sum)", a.peak_mib if a else None, b.peak_mib, ".0f")
    body, tags = (statistics.median(b.latencies[s]) for s in PREVIEW_EDITS)
    rows.append(f"preview goals at N = {n} (N = 1000 counts): body edit ≤ 1 s: "
                f"{'met' if body <= 1 else f'NOT met (+{body - 1:.2f} s)'}; tag edit ≤ 2 s: "
                f"{'met' if tags <= 2 else f'NOT met (+{tags - 2:.2f} s)'}")
    return rows


# ------------------------------------------------------------------------------- bench


def audit_corpus(src: Path, out: Path) -> list[str]:
    """The nothing-lost audit of ``make check`` on a built corpus; returns the failures."""
    from mlnotes.cli.check import audit

    lost, drafts = audit(out, out / ".doctrees", None)
    return lost.failures + drafts.failures


def bench_size(work: Path, n: int, repeat: int, site: Path, verify: bool = True,
               mlnotes_only: bool = False) -> tuple[dict[str, dict[str, list[Run]]], list[str]]:
    """The build scenarios at *n* posts; *mlnotes_only*: b alone, cold build and body edit only
    (the scale run: ablog's cold build of ten thousand posts alone takes most of an hour)."""
    corpus = work / f"corpus-{n}"
    shutil.rmtree(corpus, ignore_errors=True)
    write_corpus(corpus, n)
    runs: dict[str, dict[str, list[Run]]] = {}
    audit_failures: list[str] = []
    pair = flavours(site)[1:] if mlnotes_only else flavours(site)
    scenarios = ("cold", "edit body") if mlnotes_only else SCENARIOS
    srcs = {f.name: work / f"{f.name}-{n}" for f in pair}
    outs = {f.name: work / f"out-{f.name}-{n}" for f in pair}
    for f in pair:
        prepare(corpus, srcs[f.name], f)
        runs[f.name] = {s: [] for s in scenarios}
    for r in range(repeat):
        order = pair if r % 2 == 0 else pair[::-1]
        for f in pair:
            shutil.rmtree(outs[f.name], ignore_errors=True)
        for scenario in scenarios:
            for f in order:
                src, out = srcs[f.name], outs[f.name]
                if scenario == DIRECT and f.module == "sphinx":
                    continue  # the same as its no-change run
                if scenario == "edit body":
                    edit_body(newest_post(src), r + 1)
                elif scenario == "edit tags":
                    edit_tags(newest_post(src), r + 1)
                elif scenario == "add post":
                    add_post(src, n, r + 1)
                elif scenario == "delete post":
                    delete_post(src, n, r + 1)
                elif scenario == "change date":
                    change_date(src, n, r + 1)
                before = snapshot(out)
                run = one_build(src, out, f.options, "sphinx" if scenario == DIRECT else f.module)
                if f.name == "mlnotes" and scenario in CHANGES and r == 0 and verify:
                    run.clean_changed, run.equals_clean = clean_comparison(src, out, f.options, f.module, before)
                runs[f.name][scenario].append(run)
                print(f"  N={n} run {r + 1}/{repeat} {f.name:<8} {scenario:<10} {run.seconds:7.2f} s "
                      f"(CPU {run.cpu:6.2f} s) {run.peak_mib:6.0f} MiB  {run.written:5d} written", flush=True)
                if f.name == "mlnotes" and scenario == "cold" and r == 0:
                    audit_failures = audit_corpus(src, out)
    return runs, audit_failures


def table(n: int, repeat: int, runs: dict[str, dict[str, list[Run]]], audit_failures: list[str]) -> str:
    a, b = dict(runs["ablog"]), runs["mlnotes"]
    a[DIRECT] = a["no-change"]

    def med(rs: list[Run], attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in rs)

    head = f"{'':<52}{'a: ablog':>10}{'b: mlnotes':>12}{'b/a':>7}"
    rows = [f"N = {n} posts, {repeat} alternating run(s) each, medians", head, "-" * len(head)]

    def row(label: str, va: float, vb: float, fmt: str) -> None:
        ratio = f"{vb / va:7.2f}" if va else f"{'-':>7}"
        rows.append(f"{label:<52}{va:>10{fmt}}{vb:>12{fmt}}{ratio}")

    for scenario in SCENARIOS:
        row(f"{scenario} build, s", med(a[scenario], "seconds"), med(b[scenario], "seconds"), ".2f")
    for scenario in SCENARIOS:
        row(f"{scenario} build, CPU s", med(a[scenario], "cpu"), med(b[scenario], "cpu"), ".2f")
    peak_a = max(r.peak_mib for rs in a.values() for r in rs)
    peak_b = max(r.peak_mib for rs in b.values() for r in rs)
    row("peak memory, MiB (PSS sum)", peak_a, peak_b, ".0f")
    row("peak RSS of one process, MiB", max(r.maxrss_mib for rs in a.values() for r in rs),
        max(r.maxrss_mib for rs in b.values() for r in rs), ".0f")
    for scenario in SCENARIOS:
        row(f"pages written, {scenario}", med(a[scenario], "written"), med(b[scenario], "written"), ".0f")
    for scenario in SCENARIOS[1:]:
        row(f"content changed, {scenario}", med(a[scenario], "changed"), med(b[scenario], "changed"), ".0f")
    for scenario in CHANGES:
        checked = [r for r in b[scenario] if r.equals_clean is not None]
        if checked:
            rows.append(f"{'b after ' + scenario + ': a clean build changes':<52}{checked[0].clean_changed:>22}"
                        f"   incremental equals clean: {'yes' if all(r.equals_clean for r in checked) else 'NO'}")
    rows.append("-" * len(head))
    sec = {s: (med(a[s], "seconds"), med(b[s], "seconds")) for s in SCENARIOS}
    verdicts = [f"cold ≤ 0.6×a: {'met' if sec['cold'][1] <= 0.6 * sec['cold'][0] else 'NOT met'}",
                f"body edit ≤ 0.2×a: {'met' if sec['edit body'][1] <= 0.2 * sec['edit body'][0] else 'NOT met'}",
                *(f"{s} ≤ 0.3×a: {'met' if sec[s][1] <= 0.3 * sec[s][0] else 'NOT met'}"
                  for s in ("edit tags", "add post", "delete post", "change date")),
                f"no-change ≤ 1 s: {'met' if sec['no-change'][1] <= 1.0 else 'NOT met'}",
                f"memory ≤ 1.2×a: {'met' if peak_b <= 1.2 * peak_a else 'NOT met'}"]
    rows.append("goals (N = 1000 is the one that counts): " + "; ".join(verdicts))
    warned = sorted({w for rs in b.values() for r in rs for w in r.warnings})
    rows.append(f"mlnotes build warnings: {len(warned)}" + "".join(f"\n  {w}" for w in warned[:10]))
    rows.append("nothing-lost audit on the bench corpus: "
                + ("passed" if not audit_failures else f"FAILED ({len(audit_failures)})")
                + "".join(f"\n  - {f}" for f in audit_failures[:10]))
    return "\n".join(rows)


def table_mlnotes(n: int, repeat: int, runs: dict[str, dict[str, list[Run]]], audit_failures: list[str]) -> str:
    """The table of an mlnotes-only run (``--mlnotes-only``, and every size from
    :data:`MLNOTES_ONLY_FROM` on)."""
    b = runs["mlnotes"]
    rows = [f"N = {n} posts, mlnotes only, {repeat} run(s), medians", "-" * 71]
    for scenario, rs in b.items():
        rows.append(f"{scenario + ' build, s':<52}{statistics.median(r.seconds for r in rs):>19.2f}")
        rows.append(f"{scenario + ' build, CPU s':<52}{statistics.median(r.cpu for r in rs):>19.2f}")
    rows.append(f"{'peak memory, MiB (PSS sum)':<52}{max(r.peak_mib for rs in b.values() for r in rs):>19.0f}")
    rows.append(f"{'peak RSS of one process, MiB':<52}{max(r.maxrss_mib for rs in b.values() for r in rs):>19.0f}")
    checked = [r for r in b.get("edit body", []) if r.equals_clean is not None]
    if checked:
        same = "yes" if all(r.equals_clean for r in checked) else "NO"
        rows.append(f"b after edit body: incremental equals clean: {same}")
    rows.append("nothing-lost audit on the bench corpus: "
                + ("passed" if not audit_failures else f"FAILED ({len(audit_failures)})"))
    return "\n".join(rows)


def machine() -> str:
    import platform

    import sphinx

    try:
        # no /proc/meminfo (OSError) or no MemTotal line in it (None has no .group: AttributeError)
        mem = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)  # type: ignore[union-attr]  # see above
        mem_gib = f"{int(mem) / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        mem_gib = "?"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{os.cpu_count()} CPUs, {mem_gib} RAM, load {load:.1f}, Python {platform.python_version()}, "
            f"Sphinx {sphinx.__version__}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mlnotes.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000], help="corpus sizes (default 100 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="alternating runs per scenario (default 3)")
    parser.add_argument("--workdir", type=Path, help="where corpora and outputs go (default: a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory afterwards")
    parser.add_argument("--no-verify", action="store_true",
                        help="skip the clean build after each change (it checks incremental == clean)")
    parser.add_argument("--site", type=Path, default=Path.cwd(), help="the site whose conf.py is b (default: .)")
    parser.add_argument("--preview-edits", type=int, default=5,
                        help="edits per live-preview scenario, 0 to skip the previews (default 5)")
    parser.add_argument("--no-autobuild", action="store_true", help="time the mlnotes preview alone")
    parser.add_argument("--mlnotes-only", action="store_true",
                        help=f"b alone, cold build and body edit (implied from N = {MLNOTES_ONLY_FROM})")
    parser.add_argument("--preview-only", action="store_true",
                        help="only the live previews (they build the corpus themselves)")
    args = parser.parse_args(argv)
    work = (args.workdir or Path(tempfile.mkdtemp(prefix="mlnotes-bench-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    print(f"mlnotes bench in {work}\nmachine: {machine()}", flush=True)
    tables = []
    failed = False
    try:
        cold: dict[int, float] = {}
        for n in args.sizes:
            t = time.perf_counter()
            only = args.mlnotes_only or n >= MLNOTES_ONLY_FROM
            runs, audit_failures = ({}, []) if args.preview_only else bench_size(
                work, n, args.repeat, args.site.resolve(), verify=not args.no_verify, mlnotes_only=only)
            failed |= bool(audit_failures)
            if runs:
                cold[n] = statistics.median(r.seconds for r in runs["mlnotes"]["cold"])
                text = (table_mlnotes if only else table)(n, args.repeat, runs, audit_failures)
            else:
                text = f"N = {n} posts: live previews only (--preview-only)"
            if args.preview_edits:
                previews = bench_previews(work, n, args.site.resolve(), args.preview_edits,
                                          autobuild=not args.no_autobuild and not (only and n >= MLNOTES_ONLY_FROM))
                text += "\n" + "\n".join(preview_rows(previews, n))
            took = f"\n(N = {n} took {time.perf_counter() - t:.0f} s)"
            tables.append(text + took)
            print("\n" + tables[-1] + "\n", flush=True)
        for small, large in ((a, b) for a in cold for b in cold if b >= 10 * a):
            ratio = cold[large] / cold[small]
            tables.append(f"scale: cold build t({large})/t({small}) = {ratio:.1f} "
                          f"(goal ≤ {1.1 * large / small:.0f}: {'met' if ratio <= 1.1 * large / small else 'NOT met'})")
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print("\n\n".join(tables))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
