"""mlnotes as another project gets it: the sphinx-mlnotes wheel and a third-party facet distribution
(tests/plugins/mlnotes-dataset, found through the ``mlnotes.facets`` entry points) installed into a
fresh venv, nothing of this repository on the path.  Then, with that venv's Python only:

- an English site laid out unlike this repository (tests/roots/test-reuse-en: posts in articles/,
  library.bib, meta/vocab.toml, the pydata theme, the plugin's ``dataset`` facet) builds with
  ``-n -W`` and no warning; the facet has its pages, feeds and header links; and no page, feed or
  sitemap holds a Han character (an English site must not show the extension's Chinese labels);
- ``mlnotes init --language en`` (the venv's console script) makes a site that builds the same way
  with no Han character in its output, and ``--language zh_CN`` one whose pages are Chinese.

The venv is quick to make: ``venv --without-pip``, the test environment's third-party packages
reached through a ``.pth`` file (a folder of links to them that leaves out every copy of mlnotes),
and the two wheels installed by this environment's pip with ``--python``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import site
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from tools.wheel import REPO, build_wheel

PLUGIN = REPO / "tests" / "plugins" / "mlnotes-dataset"
ROOT = REPO / "tests" / "roots" / "test-reuse-en"
#: Han characters: CJK unified ideographs (with extension A) and compatibility ideographs
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
HAN_RUN = re.compile(HAN.pattern + "+")
#: what a reader or a feed reader gets: pages, feeds, the sitemap, robots.txt, the search index
WHOLE_TEXT = {".html", ".xml", ".txt", ".json", ".svg"}
#: scripts and style sheets: only their string literals (the labels a script shows, CSS ``content``);
#: their comments are for developers, not readers
STRINGS_ONLY = {".js", ".css"}
#: a comment or a string literal of a script, whichever starts first: a quote inside a comment is
#: not a string, ``//`` inside a string is not a comment
TOKEN = re.compile(r'//[^\n]*|/\*.*?\*/|(?P<string>"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`(?:[^`\\]|\\.)*`)',
                   re.DOTALL)


@dataclass(frozen=True)
class Venv:
    root: Path
    python: Path
    site_packages: Path

    @property
    def mlnotes(self) -> Path:
        return self.root / "bin" / "mlnotes"


def venv_env() -> dict[str, str]:
    """The environment for the venv's processes: the test run's PYTHONPATH (the worktree's src/)
    must not reach them."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PYTHONNOUSERSITE"] = "1"
    return env


def run(cmd: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=venv_env(), capture_output=True, text=True,
                          check=False)


def _left_out(entry: Path, owners: set[str]) -> bool:
    """Whether a site-packages entry is (part of) an installed copy of mlnotes or the plugin: the
    package itself, a distribution that provides it (an editable install's metadata and finder
    included); ``.pth`` files too (the folder is no site directory, they would not run anyway)."""
    name = entry.name.lower()
    stem = re.sub(r"[-_.]+", "_", name.split("-")[0])
    return (name in {"mlnotes", "mlnotes_dataset"} or name.endswith(".pth")
            or any(stem == owner or f"__editable__.{owner}" in name or f"__editable___{owner}" in name
                   for owner in owners))


def link_dependencies(target: Path) -> Path:
    """A folder of links to the test environment's third-party packages, every copy of mlnotes left
    out, so the venv gets Sphinx and the rest without a download and mlnotes only from its wheel."""
    owners = {re.sub(r"[-_.]+", "_", d).lower() for d in packages_distributions().get("mlnotes", [])}
    owners |= {"mlnotes", "sphinx_mlnotes", "mlnotes_dataset"}
    target.mkdir()
    for packages in site.getsitepackages():
        for entry in sorted(Path(packages).iterdir()):
            if not _left_out(entry, owners) and not (target / entry.name).exists():
                (target / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    return target


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    root = tmp_path_factory.mktemp("reuse")
    wheels = [build_wheel(root / "dist"), build_wheel(root / "dist", PLUGIN)]
    target = root / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(target)], capture_output=True,
                          text=True, check=False)
    assert made.returncode == 0, made.stderr
    python = target / "bin" / "python"
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root)
    site_packages = Path(purelib.stdout.strip())
    deps = link_dependencies(root / "deps")
    (site_packages / "test_environment_dependencies.pth").write_text(f"{deps}\n", encoding="utf-8")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q",
         "--disable-pip-version-check", *map(str, wheels)],
        capture_output=True, text=True, check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    # what the two wheels declare is there (the plugin's sphinx-mlnotes, mlnotes' Sphinx and the rest)
    check = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "check"], env=venv_env(),
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    return Venv(target, python, site_packages)


def sphinx_build(venv: Venv, site_dir: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """The strict build (what a site's ``make html`` runs), with the venv's Python."""
    return run([venv.python, "-m", "sphinx", "-b", "html", "-n", "-W", "--keep-going", "-q",
                "-d", out.parent / f"{out.name}-doctrees", site_dir, out], site_dir)


def han_in_output(out: Path) -> list[str]:
    """``file (n): …snippet… | …`` for every written file a reader gets that holds Han characters
    (the first three places of each)."""
    found = []
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.suffix in WHOLE_TEXT | STRINGS_ONLY):
        text = path.read_text(encoding="utf-8", errors="replace")
        parts = ([m["string"] for m in TOKEN.finditer(text) if m["string"]] if path.suffix in STRINGS_ONLY
                 else [text])
        hits = [part[max(0, m.start() - 40):m.end() + 40].replace("\n", " ")
                for part in parts for m in HAN_RUN.finditer(part)]
        if hits:
            found.append(f"{path.relative_to(out).as_posix()} ({len(hits)}): " + " | ".join(hits[:3]))
    return found


def test_mlnotes_comes_from_the_wheel(venv: Venv, tmp_path: Path) -> None:
    probe = run([venv.python, "-c", (
        "import json, sys, mlnotes, mlnotes_dataset\n"
        "from importlib.metadata import distribution, entry_points\n"
        "print(json.dumps({'mlnotes': mlnotes.__file__, 'plugin': mlnotes_dataset.__file__,"
        " 'version': distribution('sphinx-mlnotes').version, 'path': sys.path,"
        " 'dataset': [ep.value for ep in entry_points(group='mlnotes.facets') if ep.name == 'dataset']}))"
    )], tmp_path)
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout)
    print(f"mlnotes imported from {found['mlnotes']}")  # shown with pytest -s
    assert Path(found["mlnotes"]).is_relative_to(venv.site_packages), found["mlnotes"]
    assert Path(found["plugin"]).is_relative_to(venv.site_packages), found["plugin"]
    assert not any(p and Path(p).resolve().is_relative_to(REPO) for p in found["path"]), found["path"]
    assert found["dataset"] == ["mlnotes_dataset:DatasetFacet"]
    script = venv.mlnotes.read_text(encoding="utf-8").splitlines()[0]
    assert script == f"#!{venv.python}", script


@pytest.fixture(scope="module")
def english_site(venv: Venv, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    work = tmp_path_factory.mktemp("english")
    site_dir = work / "site"
    shutil.copytree(ROOT, site_dir)
    out = work / "html"
    build = sphinx_build(venv, site_dir, out)
    assert build.returncode == 0, build.stderr
    return out, build.stderr


def test_english_site_builds_without_a_warning(english_site: tuple[Path, str]) -> None:
    out, stderr = english_site
    assert "WARNING" not in stderr, stderr
    assert (out / "articles" / "2025" / "resnet.html").is_file()


def test_plugin_facet_pages_feeds_and_links(english_site: tuple[Path, str]) -> None:
    out, _ = english_site
    imagenet = (out / "topics" / "dataset" / "imagenet.html").read_text(encoding="utf-8")
    titles = re.findall(r'class="mlnotes-card-title"><a href="[^"]*">([^<]*)</a>', imagenet)
    assert titles == ["Vision Transformer", "Residual networks"], titles  # newest first
    coco = (out / "topics" / "dataset" / "coco.html").read_text(encoding="utf-8")
    assert re.findall(r'class="mlnotes-card-title"><a href="[^"]*">([^<]*)</a>', coco) == ["Residual networks"]
    feed = (out / "feeds" / "dataset" / "imagenet.xml").read_text(encoding="utf-8")
    assert "<title>Vision Transformer</title>" in feed and "<title>Residual networks</title>" in feed
    feed = (out / "feeds" / "dataset" / "coco.xml").read_text(encoding="utf-8")
    assert "<title>Residual networks</title>" in feed and "Vision Transformer" not in feed
    page = (out / "articles" / "2025" / "resnet.html").read_text(encoding="utf-8")
    header = page.split('class="mlnotes-post-meta"')[1].split("</p>")[0]
    assert '<span class="mlnotes-facet-label">Dataset</span>' in header, header
    for slug, name in (("imagenet", "ImageNet"), ("coco", "COCO")):
        assert (f'<a class="mlnotes-term mlnotes-dataset" href="../../topics/dataset/{slug}.html">{name}</a>'
                in header), header
    card = page.split('class="mlnotes-sidebar mlnotes-postcard"')[1].split("</section>")[0]
    assert ('<dt>Dataset</dt>\n    <dd><a href="../../topics/dataset/imagenet.html">ImageNet</a> '
            '<a href="../../topics/dataset/coco.html">COCO</a></dd>') in card, card
    cloud = page.split('class="mlnotes-sidebar mlnotes-datasetcloud"')[1].split("</nav>")[0]
    assert re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', cloud) == [
        ("../../topics/dataset/coco.html", "COCO"), ("../../topics/dataset/imagenet.html", "ImageNet")], cloud
    assert "<math" in page and "Deep Residual Learning" in page
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://example.org/reading/topics/dataset/imagenet.html" in sitemap


def test_english_site_output_has_no_han(english_site: tuple[Path, str]) -> None:
    out, _ = english_site
    found = han_in_output(out)
    assert not found, f"{len(found)} files of the English site hold Han characters:\n" + "\n".join(found)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_init_site_builds_in_its_language(venv: Venv, tmp_path: Path, language: str) -> None:
    made = run([venv.mlnotes, "init", "my-notes", "--language", language], tmp_path)
    assert made.returncode == 0, made.stderr
    site_dir, out = tmp_path / "my-notes", tmp_path / "html"
    build = sphinx_build(venv, site_dir, out)
    assert build.returncode == 0, build.stderr
    assert "WARNING" not in build.stderr, build.stderr
    [post] = out.glob("posts/*/attention.html")
    if language == "en":
        found = han_in_output(out)
        assert not found, f"{len(found)} files of the English init site hold Han characters:\n" + "\n".join(found)
    else:
        for page in (out / "index.html", post):
            assert len(HAN.findall(page.read_text(encoding="utf-8"))) > 20, page
        assert HAN.search((out / "feeds" / "area" / "ml.xml").read_text(encoding="utf-8"))
    # the site's own `make test`, with the venv's Python: its test is plain unittest, so a user's
    # venv needs no pytest (before, `make test` of a new site failed with "No module named pytest")
    tested = run(["make", "--no-print-directory", "test", f"PYTHON={venv.python}"], site_dir)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "Ran 1 test" in tested.stderr and "OK" in tested.stderr, tested.stderr
