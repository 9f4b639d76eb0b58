"""The worked example of docs/extension.md is real: docs/examples/dataset-facet is a plugin
package; built into a wheel from its own pyproject.toml, its entry point installs the facet, and
its example site builds strictly in English and in Chinese; an unknown dataset is a located
warning with a suggestion; a site's conf.py can register the class instead (the page's snippet).
The page shows these files through literalinclude, so what it shows is what runs here."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from sphinx.util.console import strip_colors

from mlnotes.facets import installed_facets

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "dataset-facet"
DOC = EXAMPLE.parent.parent / "extension.md"
#: what the page shows for a misspelt dataset (the build's warning line, word for word)
TYPO_WARNING = ("posts/2026/detr.md:5: WARNING: unknown dataset 'Imagenet-1kk'; did you mean 'ImageNet-1k'? "
                "(use a dataset of [datasets] in taxonomy.toml, or add it there) [mlnotes.dataset]")


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example package built into a wheel from its pyproject.toml (offline, no build
    isolation) and unpacked: exactly the files `pip install` would put in site-packages."""
    pytest.importorskip("setuptools")
    base = tmp_path_factory.mktemp("dataset-facet")
    shutil.copytree(EXAMPLE, base / "src", ignore=shutil.ignore_patterns("site", "__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "--no-cache-dir", "--quiet", "-w", str(base / "dist"), str(base / "src")], check=True, timeout=300)
    (built,) = (base / "dist").glob("mlnotes_dataset-*.whl")
    with zipfile.ZipFile(built) as archive:
        archive.extractall(base / "site-packages")
    return base / "site-packages"


@pytest.fixture
def installed(wheel: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The unpacked wheel on sys.path: its module importable, its entry points visible."""
    for name in [m for m in sys.modules if m.split(".")[0] == "mlnotes_dataset"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.syspath_prepend(str(wheel))
    return wheel


def _build(make_app, tmp_path: Path, language: str, edit: tuple[str, str] | None = None):
    src = tmp_path / f"site-{language}"
    shutil.copytree(EXAMPLE / "site", src)
    if edit:
        post = src / "posts" / "2026" / "detr.md"
        post.write_text(post.read_text(encoding="utf-8").replace(*edit), encoding="utf-8")
    app = make_app("html", srcdir=src, confoverrides={"language": language})
    app.build()
    text = strip_colors(app._warning.getvalue()).replace(str(src) + "/", "")
    return app, [line for line in text.splitlines() if "WARNING" in line]


def _page(app, name: str) -> str:
    return (Path(app.outdir) / name).read_text(encoding="utf-8")


def test_the_entry_point_loads_the_facet(installed: Path) -> None:
    from mlnotes_dataset import DatasetFacet
    from mlnotes_dataset.facet import DOMAIN, LOCALE_DIR

    assert installed_facets()["dataset"].load() is DatasetFacet
    assert Path(sys.modules["mlnotes_dataset"].__file__ or "").is_relative_to(installed)
    assert (LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file()  # the catalog is in the wheel


def test_english_site(installed, make_app, tmp_path: Path) -> None:
    app, warnings = _build(make_app, tmp_path, "en")
    assert warnings == []
    # aliases and spellings: "ms-coco" is COCO, "ILSVRC 2012" is ImageNet-1k
    coco = _page(app, "topics/dataset/coco.html")
    assert re.findall(r'class="mlnotes-card-title"><a href="[^"]*">([^<]*)</a>', coco) == [
        "DETR: detection as set prediction", "ViT: an image is worth 16x16 words"]
    assert (Path(app.outdir) / "feeds" / "dataset" / "imagenet.xml").is_file()
    post = _page(app, "posts/2026/vit.html")
    header = post.split('class="mlnotes-post-meta"')[1].split("</p>")[0]
    assert '<span class="mlnotes-facet-label">Dataset</span>' in header
    assert 'href="../../topics/dataset/imagenet.html">ImageNet-1k</a>' in header
    cloud = post.split('class="mlnotes-sidebar mlnotes-datasetcloud"')[1].split("</nav>")[0]
    assert ">Dataset</h2>" in cloud


def test_chinese_site_translates_the_title_and_names(installed, make_app, tmp_path: Path) -> None:
    app, warnings = _build(make_app, tmp_path, "zh_CN")
    assert warnings == []
    header = _page(app, "posts/2026/vit.html").split('class="mlnotes-post-meta"')[1].split("</p>")[0]
    assert '<span class="mlnotes-facet-label">数据集</span>' in header
    assert ">ImageNet-1k 图像分类</a>" in header and ">COCO</a>" in header  # names = { zh_CN = ... }, else name


def test_an_unknown_dataset_is_a_located_warning(installed, make_app, tmp_path: Path) -> None:
    _, warnings = _build(make_app, tmp_path, "en", edit=("datasets: ms-coco", "datasets: Imagenet-1kk"))
    assert warnings == [TYPO_WARNING]


def test_a_site_can_register_the_class_itself(make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's "Without a package" snippet, appended to the example site's conf.py: the class
    importable (here from the example's folder) but no entry point installed."""
    for name in [m for m in sys.modules if m.split(".")[0] == "mlnotes_dataset"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.syspath_prepend(str(EXAMPLE))
    assert "dataset" not in installed_facets()
    section = DOC.read_text(encoding="utf-8").split("### Without a package", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    src = tmp_path / "site"
    shutil.copytree(EXAMPLE / "site", src)
    with (src / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write("\n" + snippet)
    app = make_app("html", srcdir=src)
    app.build()
    assert "WARNING" not in strip_colors(app._warning.getvalue())
    assert '<span class="mlnotes-facet-label">Dataset</span>' in _page(app, "posts/2026/vit.html")
    assert (Path(app.outdir) / "feeds" / "dataset" / "imagenet.xml").is_file()


def test_the_catalog_is_compiled() -> None:
    po = next(EXAMPLE.glob("mlnotes_dataset/locale/*/LC_MESSAGES/*.po"))
    with po.open("rb") as f1, po.with_suffix(".mo").open("rb") as f2:
        source = {m.id: m.string for m in read_po(f1) if m.id}
        compiled = {m.id: m.string for m in read_mo(f2) if m.id}
    assert source == compiled, "compile it: mlnotes.core.i18n.compile_catalogs(<the package's locale folder>)"


def test_the_page_shows_the_tested_files() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for path in ("pyproject.toml", "mlnotes_dataset/facet.py", "site/taxonomy.toml", "site/conf.py",
                 "site/posts/2026/vit.md", "mlnotes_dataset/locale/zh_CN/LC_MESSAGES/mlnotes_dataset.po"):
        assert f"{{literalinclude}} examples/dataset-facet/{path}" in doc, path
    assert TYPO_WARNING in doc
