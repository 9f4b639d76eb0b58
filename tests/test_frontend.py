"""``python -m mlnotes.frontend`` (what ``make html`` runs): it skips ``sphinx-build`` only when no input
changed since the last clean build, and builds for every kind of change it claims to notice.

The corpus is the benchmark's (``tools.bench.write_corpus``) with the site's own ``conf.py``,
plus an ``html_extra_path`` directory outside the source tree (a dependency only the extension's
build record can name).  No timing: only whether Sphinx ran and what it wrote.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import REPO, STRICT, warnings_of
from mlnotes.frontend import build as frontend
from tools import bench

N = 10  # the smallest corpus in which every refs.bib entry is cited (strict bib)
SKIPPED = "nothing changed since the last clean build"
EXTRA_CONF = '\nhtml_extra_path = ["../extra"]  # outside the source tree, on purpose\n'


@dataclass
class Site:
    src: Path
    out: Path
    extra: Path

    @property
    def doctrees(self) -> Path:
        return self.out / ".doctrees"

    def argv(self, *options: str) -> list[str]:
        return ["-b", "html", *STRICT, *options, "-d", str(self.doctrees), str(self.src), str(self.out)]

    def run(self, *options: str, env: dict[str, str] | None = None, python: tuple[str, ...] = ()
            ) -> subprocess.CompletedProcess[str]:
        run_env = {k: v for k, v in os.environ.items() if not k.startswith("READTHEDOCS")}
        run_env.update(env or {})
        return subprocess.run([sys.executable, *python, "-m", "mlnotes.frontend", *self.argv(*options), "--no-color"],
                              cwd=self.src, check=False, capture_output=True, text=True, env=run_env, timeout=900)

    def build(self, *options: str, env: dict[str, str] | None = None) -> bool:
        """Run the front end; True when it skipped Sphinx.  Fails on an unclean build."""
        result = self.run(*options, env=env)
        assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
        assert warnings_of(result.stderr) == []
        return SKIPPED in result.stdout

    def mtimes(self) -> dict[str, int]:
        return {p.relative_to(self.out).as_posix(): p.stat().st_mtime_ns
                for p in self.out.rglob("*") if p.is_file() and self.doctrees not in p.parents}

    def last_reason(self) -> str:
        """The front end's note on the last build it ran."""
        return (self.doctrees / frontend.REASON).read_text(encoding="utf-8").splitlines()[-1]

    def stamp(self) -> dict | None:
        path = self.doctrees / frontend.STAMP
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    root = tmp_path_factory.mktemp("frontend")
    bench.mlnotes_corpus(root, N, REPO)
    with (root / "src" / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(EXTRA_CONF)
    (root / "extra").mkdir()
    (root / "extra" / "humans.txt").write_text("第一版\n", encoding="utf-8")
    site = Site(root / "src", root / "out", root / "extra")
    assert not site.build()
    return site


def up_to_date(site: Site) -> None:
    """Build if needed, then check that the next run skips."""
    site.build()
    assert site.build(), "an unchanged rebuild should skip sphinx-build"


# ------------------------------------------------------------------------- the command line


@pytest.mark.parametrize("argv", [
    ["-M", "html", "src", "out"],                   # make mode
    ["-b", "html", "-E", "src", "out"],             # fresh environment asked for
    ["-b", "html", "-nWa", "src", "out"],           # write all, bundled with other flags
    ["-b", "html", "src", "out", "posts/a.md"],     # explicit file names
    ["-b", "html", "--frobnicate", "src", "out"],   # an option this front end does not know
    ["--version"],
])
def test_invocations_left_to_sphinx(argv: list[str]) -> None:
    assert frontend.parse(argv) is None


def test_parse_reads_bundled_and_attached_options(tmp_path: Path) -> None:
    inv = frontend.parse(["-bhtml", "-nW", "--keep-going", "-j2", "-d", str(tmp_path / "dt"),
                          "-Dlanguage=zh_CN", "-q", str(tmp_path / "s"), str(tmp_path / "o")])
    assert inv is not None
    assert (inv.srcdir, inv.outdir, inv.doctreedir, inv.confdir) == (
        tmp_path / "s", tmp_path / "o", tmp_path / "dt", tmp_path / "s")
    assert inv.quiet
    # the same build spelt differently, with other jobs and verbosity, has the same key
    same = frontend.parse(["--builder", "html", "--nitpicky", "--fail-on-warning", "--keep-going", "-j", "auto",
                           "--doctree-dir", str(tmp_path / "dt"), "--define", "language=zh_CN", "-v",
                           str(tmp_path / "s"), str(tmp_path / "o")])
    assert same is not None and same.key == inv.key
    other = frontend.parse(["-bhtml", "-nW", "-d", str(tmp_path / "dt"), "-Dlanguage=en",
                            str(tmp_path / "s"), str(tmp_path / "o")])
    assert other is not None and other.key != inv.key


# ------------------------------------------------------------------------------- skipping


def test_unchanged_rebuild_skips_without_importing_sphinx(site: Site) -> None:
    up_to_date(site)
    before = site.mtimes()
    result = site.run(python=("-X", "importtime"))
    assert result.returncode == 0 and SKIPPED in result.stdout
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if "|" in line]
    assert "mlnotes" in imported  # the package; the front end itself runs as __main__
    assert not [m for m in imported if m == "sphinx" or m.startswith(("sphinx.", "docutils", "ablog"))]
    assert site.mtimes() == before


def test_body_edit_builds_and_shows_the_edit(site: Site) -> None:
    up_to_date(site)
    post = bench.newest_post(site.src)
    bench.edit_body(post, 1)
    assert not site.build()
    page = site.out / post.relative_to(site.src).with_suffix(".html")
    assert "修订第一次" in page.read_text(encoding="utf-8")
    assert site.build()


def _touch(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def test_a_dependency_outside_the_source_tree_forces_a_build(site: Site) -> None:
    up_to_date(site)
    stamp = site.stamp()
    assert stamp is not None
    files = set(stamp["files"])
    assert str(site.extra / "humans.txt") in files
    package = Path(frontend.__file__).parents[1]  # src/mlnotes
    assert str(package / "site" / "listings.py") in files  # the extension's own code
    assert str(package / "templates" / "layout.html") in files
    (site.extra / "humans.txt").write_text("第二版\n", encoding="utf-8")
    assert not site.build()
    # the code may write unchanged pages differently now: everything is read again (-E)
    assert site.last_reason().endswith("built because files outside the source directory changed "
                                       "(extensions, templates, dependencies); reading every document "
                                       "again; recorded as clean: yes")
    assert (site.out / "humans.txt").read_text(encoding="utf-8") == "第二版\n"
    assert site.build()


@pytest.mark.parametrize("change", ["conf.py", "refs.bib", "taxonomy.toml", "a deleted output page",
                                    "an edited output page", "a new define"])
def test_each_kind_of_change_forces_a_build(site: Site, change: str) -> None:
    up_to_date(site)
    options: tuple[str, ...] = ()
    if change.endswith((".py", ".bib", ".toml")):
        _touch(site.src / change)
    elif change == "a deleted output page":
        (site.out / "index.html").unlink()
    elif change == "an edited output page":
        page = site.out / "index.html"
        page.write_text(page.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    else:
        options = ("-D", "html_title=另一个标题")
    assert not site.build(*options)
    expected = {"a deleted output page": "the output directory changed",
                "an edited output page": "the output directory changed",
                "a new define": "command changed"}.get(change, "sources changed")
    assert site.last_reason().endswith(f"built because {expected}; recorded as clean: yes")
    # Sphinx rewrites a missing page; an edited one it leaves alone (its sources are older), as
    # plain sphinx-build would: the front end's job is only not to skip Sphinx
    assert (site.out / "index.html").is_file()
    assert site.build(*options)
    if change == "an edited output page":
        (site.out / "index.html").unlink()
        assert not site.build()
        assert "<!-- edited -->" not in (site.out / "index.html").read_text(encoding="utf-8")
    if options:
        assert "另一个标题" in (site.out / "index.html").read_text(encoding="utf-8")
        assert not site.build()  # back to the usual title: the page must be written again
        assert "另一个标题" not in (site.out / "index.html").read_text(encoding="utf-8")


def test_an_environment_variable_named_in_conf_py_forces_a_build(site: Site) -> None:
    up_to_date(site)
    url = "https://notes.example.org/zh/"
    env = {"READTHEDOCS_CANONICAL_URL": url}
    assert not site.build(env=env)
    assert site.last_reason().endswith("built because environment changed; recorded as clean: yes")
    assert url in (site.out / "index.html").read_text(encoding="utf-8")
    assert site.build(env=env)
    assert not site.build()
    assert url not in (site.out / "index.html").read_text(encoding="utf-8")


def test_a_failed_build_leaves_no_record(site: Site) -> None:
    up_to_date(site)
    post = bench.newest_post(site.src)
    text = post.read_text(encoding="utf-8")
    date_line = next(line for line in text.splitlines() if line.startswith("date: "))
    post.write_text(text.replace(date_line, "date: 2026-13-45"), encoding="utf-8")
    try:
        first = site.run()
        assert first.returncode != 0 and "2026-13-45" in first.stderr
        assert site.stamp() is None
        assert site.last_reason().endswith(
            "built because sources changed; recorded as clean: no "
            f"(sphinx-build exited with status {first.returncode})")
        # nothing changed since, but the last build was not clean: Sphinx runs again, and the post
        # that warned is read again (mlnotes.rewarn), so the build fails again with the same warning
        second = site.run()
        assert second.returncode != 0 and SKIPPED not in second.stdout and "2026-13-45" in second.stderr
    finally:
        post.write_text(text, encoding="utf-8")
    assert not site.build()
    assert site.build()


def test_a_build_with_warnings_is_not_recorded(site: Site, tmp_path: Path) -> None:
    """Without -W a warning does not fail the build, but the next run must show it again."""
    other = Site(site.src, tmp_path / "out", site.extra)
    post = bench.newest_post(site.src)
    text = post.read_text(encoding="utf-8")
    post.write_text(text.replace("{footcite:p}`", "{footcite:p}`no-such-key-2026,", 1), encoding="utf-8")
    try:
        for run in range(2):
            result = subprocess.run(
                [sys.executable, "-m", "mlnotes.frontend", "-b", "html", "-d", str(other.doctrees),
                 str(other.src), str(other.out), "--no-color"],
                cwd=site.src, check=False, capture_output=True, text=True, timeout=900)
            assert result.returncode == 0, result.stderr[-3000:]
            assert SKIPPED not in result.stdout
            if run == 0:
                assert "no-such-key-2026" in result.stderr
                assert other.stamp() is None
                assert other.last_reason().endswith(
                    "built because no record of a clean build; recorded as clean: no (the build warned)")
    finally:
        post.write_text(text, encoding="utf-8")


def test_a_future_post_is_published_by_the_first_build_after_its_date(site: Site,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    up_to_date(site)
    monkeypatch.chdir(site.src)  # why_stale runs in this process: the same directory as the builds
    post = bench.newest_post(site.src)
    text = post.read_text(encoding="utf-8")
    date_line = next(line for line in text.splitlines() if line.startswith("date: "))
    title = next(line for line in text.splitlines() if line.startswith("# "))[2:]
    post.write_text(text.replace(date_line, "date: 2999-01-01 08:00"), encoding="utf-8")
    try:
        assert not site.build()
        assert title not in (site.out / "index.html").read_text(encoding="utf-8")
        stamp = site.stamp()
        assert stamp is not None
        due = datetime(2999, 1, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
        assert stamp["valid_until"] == due
        inv = frontend.parse(site.argv())
        assert inv is not None
        assert frontend.why_stale(inv, due - 1)[0] is None
        assert frontend.why_stale(inv, due)[0] == "a post dated in the future is now due"
    finally:
        post.write_text(text, encoding="utf-8")
    assert not site.build()
    assert title in (site.out / "index.html").read_text(encoding="utf-8")
    assert site.stamp()["valid_until"] is None  # type: ignore[index]  # stamp() is None only before a clean build


def test_options_sphinx_must_handle_always_build(site: Site) -> None:
    up_to_date(site)
    result = site.run("-E")
    assert result.returncode == 0 and SKIPPED not in result.stdout and "build succeeded" in result.stdout
