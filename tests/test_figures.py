"""Build-time figures (``{plot}``, ``{diagram}``; :mod:`mlnotes.figures`): drawn once and cached by
the hash of their inputs, byte-identical between clean builds, in every output, located warnings
for figure code that fails, and incremental builds that equal clean ones when a figure changes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from incremental_site import compare, output_files, run_frontend

ROOT = "test-figures"


def site_copy(rootdir: Path, tmp_path: Path, name: str = ROOT) -> Path:
    src = tmp_path / "src"
    shutil.copytree(rootdir / name, src)
    return src


def sphinx(src: Path, builder: str, out: Path, doctrees: Path, log: Path | None = None,
           strict: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    if log is not None:
        env["MLNOTES_TEST_PLOT_LOG"] = str(log)
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", builder, *(["-n", "-W", "--keep-going"] if strict else []),
         "-d", str(doctrees), str(src), str(out), "--no-color"],
        cwd=src, env=env, capture_output=True, text=True, check=False, timeout=600)


def runs(log: Path) -> list[str]:
    """The figure-code runs the plot in the test root wrote down."""
    return log.read_text(encoding="utf-8").split() if log.exists() else []


def test_figures_are_numbered_images_with_alt_text_and_captions(rootdir: Path, tmp_path: Path) -> None:
    src = site_copy(rootdir, tmp_path)
    done = sphinx(src, "html", tmp_path / "html", tmp_path / "dt")
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "html" / "posts" / "curves.html").read_text(encoding="utf-8")
    figures = re.findall(r"<figure\b.*?</figure>", page, re.S)
    assert len(figures) == 3
    square, flow, data = figures
    assert 'id="fig-curves-square"' in square and 'class="mlnotes-figure mlnotes-plot' in square
    assert re.search(r'<img alt="折线图：横轴 n 从 0 到 10[^"]*" src="\.\./_images/plot-[0-9a-f]{20}\.svg" />', square)
    assert '<span class="caption-number">图 1 </span>' in square
    assert '<span class="caption-number">图 2 </span>' in flow and "编码器—解码器。" in flow
    assert 'src="../_images/diagram-' in flow
    assert '<span class="caption-number">图 3 </span>' in data
    # {numref} in the text points at the figure and says its number
    numref = '<a class="reference internal" href="#fig-curves-square"><span class="std std-numref">图 1</span></a>'
    assert numref in page
    images = sorted(p.name for p in (tmp_path / "html" / "_images").iterdir())
    assert [n.split("-")[0] for n in images] == ["diagram", "plot", "plot"] and all(n.endswith(".svg") for n in images)
    # the SVG is text: Chinese labels stay characters the reader's font draws, no date inside
    svg = next((tmp_path / "html" / "_images").glob("plot-*.svg")).read_text(encoding="utf-8")
    assert "线性 n" in svg and "<dc:date>" not in svg
    # no DOCTYPE naming the SVG 1.1 DTD by URL (EPUB 3 forbids external identifiers)
    assert all("<!DOCTYPE" not in p.read_text(encoding="utf-8") for p in (tmp_path / "html" / "_images").iterdir())
    # the bar chart read its data file: three bars
    bars = next(p for p in (tmp_path / "html" / "_images").glob("plot-*.svg")
                if "线性" not in p.read_text(encoding="utf-8"))
    assert bars.read_text(encoding="utf-8").count('id="patch_') >= 3 + 2


def test_posts_outside_the_toctree_number_their_own_figures(rootdir: Path, tmp_path: Path) -> None:
    """On the real site no toctree lists the posts; Sphinx alone would give their figures no
    number (no "图 N", every {numref} a warning).  Each post numbers its figures from 1."""
    src = site_copy(rootdir, tmp_path)
    (src / "index.md").write_text("# 图测试站\n\n文章不在任何 toctree 里，由博客列表链接。\n", encoding="utf-8")
    (src / "posts" / "flow.md").write_text(
        "---\nblogpost: true\ndate: 2024-01-02\narea: cv\ntags: attention\nsummary: 一张图。\n---\n\n"
        "# 数据流\n\n见 {numref}`fig-flow-one`。\n\n"
        "```{diagram}\n:alt: 结构图：a 指向 b。\n:caption: 一条边。\n:name: fig-flow-one\n\n"
        "digraph G { a -> b; }\n```\n", encoding="utf-8")
    done = sphinx(src, "html", tmp_path / "html", tmp_path / "dt")
    assert done.returncode == 0, done.stderr
    curves = (tmp_path / "html" / "posts" / "curves.html").read_text(encoding="utf-8")
    assert re.findall(r'<span class="caption-number">(图 \d+) </span>', curves) == ["图 1", "图 2", "图 3"]
    assert '<span class="std std-numref">图 1</span>' in curves
    flow = (tmp_path / "html" / "posts" / "flow.html").read_text(encoding="utf-8")
    assert re.findall(r'<span class="caption-number">(图 \d+) </span>', flow) == ["图 1"]
    assert '<span class="std std-numref">图 1</span>' in flow


def test_unchanged_figures_are_never_drawn_again(rootdir: Path, tmp_path: Path) -> None:
    src = site_copy(rootdir, tmp_path)
    log = tmp_path / "runs.log"
    out, dt = tmp_path / "html", tmp_path / "dt"
    assert sphinx(src, "html", out, dt, log).returncode == 0
    assert runs(log) == ["square"]
    # no change: nothing read, nothing drawn
    assert sphinx(src, "html", out, dt, log).returncode == 0
    assert runs(log) == ["square"]
    # an edit elsewhere in the post re-reads it but draws nothing
    post = src / "posts" / "curves.md"
    text = post.read_text(encoding="utf-8")
    post.write_text(text.replace("平方增长得更快。", "平方增长得快得多。"), encoding="utf-8")
    assert sphinx(src, "html", out, dt, log).returncode == 0
    assert runs(log) == ["square"]
    assert "平方增长得快得多。" in (out / "posts" / "curves.html").read_text(encoding="utf-8")
    # the figure's own code changed: drawn once more
    post.write_text(post.read_text(encoding="utf-8").replace('n ** 2, "--"', 'n ** 2, "-."'), encoding="utf-8")
    assert sphinx(src, "html", out, dt, log).returncode == 0
    assert runs(log) == ["square", "square"]
    # a data file the figure reads changed: its figure is drawn again (the others are not)
    before = {p.name for p in (out / "_images").iterdir()}
    (src / "posts" / "values.txt").write_text("1 3 2 5\n", encoding="utf-8")
    assert sphinx(src, "html", out, dt, log).returncode == 0
    after = {p.name for p in (out / "_images").iterdir()}
    assert runs(log) == ["square", "square"]
    assert len(before - after) == 1 and len(after - before) == 1


def test_two_clean_builds_give_byte_identical_figures(rootdir: Path, tmp_path: Path) -> None:
    src = site_copy(rootdir, tmp_path)
    drawn = []
    for n in (1, 2):
        assert sphinx(src, "html", tmp_path / f"html{n}", tmp_path / f"dt{n}").returncode == 0
        drawn.append({p.name: p.read_bytes() for p in (tmp_path / f"dt{n}" / "mlnotes-figures").iterdir()})
    assert sorted(name.rsplit(".", 1)[1] for name in drawn[0]) == ["svg"] * 3  # only what HTML takes
    assert drawn[0] == drawn[1]


def test_a_changed_figure_gives_a_clean_builds_output(rootdir: Path, tmp_path: Path) -> None:
    """The old drawing leaves ``_images`` when its code changes, like in a clean build."""
    src = site_copy(rootdir, tmp_path)
    incremental = run_frontend(src, tmp_path / "inc", tmp_path / "inc-dt", "1")
    assert incremental.returncode == 0, incremental.log
    post = src / "posts" / "curves.md"
    post.write_text(post.read_text(encoding="utf-8").replace('n ** 2, "--"', 'n ** 3, "--"'), encoding="utf-8")
    (src / "posts" / "values.txt").write_text("4 4\n", encoding="utf-8")
    incremental = run_frontend(src, tmp_path / "inc", tmp_path / "inc-dt", "1")
    clean = run_frontend(src, tmp_path / "clean", tmp_path / "clean-dt", "1")
    assert compare(incremental, clean) == ""
    assert len([n for n in output_files(tmp_path / "inc") if n.startswith("_images/")]) == 3


def test_figures_reach_the_pdf_and_the_epub(rootdir: Path, tmp_path: Path) -> None:
    src = site_copy(rootdir, tmp_path)
    done = sphinx(src, "latex", tmp_path / "latex", tmp_path / "dt-latex", strict=False)
    assert done.returncode == 0, done.stderr
    tex = next((tmp_path / "latex").glob("*.tex")).read_text(encoding="utf-8")
    included = re.findall(r"\\sphinxincludegraphics\{\{((?:plot|diagram)-[0-9a-f]{20})\}\.pdf\}", tex)
    assert len(included) == 3
    for name in included:
        assert (tmp_path / "latex" / f"{name}.pdf").read_bytes().startswith(b"%PDF-")
    assert "\\label{\\detokenize{posts/curves:fig-curves-square}}" in tex
    done = sphinx(src, "epub", tmp_path / "epub", tmp_path / "dt-epub", strict=False)
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "epub" / "posts" / "curves.xhtml").read_text(encoding="utf-8")
    assert len(re.findall(r'<img alt="[^"]+" src="\.\./_images/(?:plot|diagram)-[0-9a-f]{20}\.svg" />', page)) == 3
    opf = (tmp_path / "epub" / "content.opf").read_text(encoding="utf-8")
    assert len(re.findall(r'href="_images/(?:plot|diagram)-[0-9a-f]{20}\.svg" media-type="image/svg\+xml"', opf)) == 3


def test_broken_figures_are_located_warnings_not_tracebacks(rootdir: Path, tmp_path: Path) -> None:
    src = site_copy(rootdir, tmp_path, "test-figures-bad")
    done = sphinx(src, "html", tmp_path / "html", tmp_path / "dt", strict=False)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    warnings = [line.replace(str(src), "SRC") for line in done.stderr.splitlines() if "[mlnotes.figure]" in line]
    assert warnings == [
        "SRC/posts/bad.md:17: WARNING: {plot} could not be drawn: ZeroDivisionError: division by zero [mlnotes.figure]",
        "SRC/posts/bad.md:20: WARNING: {plot} has no :alt: text; say in a sentence what the figure shows "
        "(readers of screen readers and of the EPUB get only this) [mlnotes.figure]",
        "SRC/posts/bad.md:28: WARNING: {plot} has no :caption:; every figure needs one "
        "(it carries the figure's number) [mlnotes.figure]",
        "SRC/posts/bad.md:35: WARNING: {plot} could not be drawn: the code made no figure "
        "(call plt.subplots() or plt.figure()) [mlnotes.figure]",
        "SRC/posts/bad.md:46: WARNING: {diagram} could not be drawn: Error: <stdin>: syntax error in line 1 "
        "near ';' [mlnotes.figure]",
        "SRC/posts/bad.md:49: WARNING: image posts/missing-alt.svg has no alt text; add one that says what "
        "it shows [mlnotes.figure]",
    ]
    # the figures that could be drawn are on the page; the broken ones are not half-made
    page = (tmp_path / "html" / "posts" / "bad.html").read_text(encoding="utf-8")
    assert page.count('class="mlnotes-figure') == 2


@pytest.mark.parametrize("broken", ["plot", "diagram"])
def test_a_broken_figure_is_warned_about_on_every_build(rootdir: Path, tmp_path: Path, broken: str) -> None:
    """A figure that failed is not cached as a success: the next build tries again and warns again."""
    src = site_copy(rootdir, tmp_path)
    post = src / "posts" / "curves.md"
    text = post.read_text(encoding="utf-8")
    post.write_text(text.replace("ax.legend()", "ax.legend(1 / 0)") if broken == "plot"
                    else text.replace("x -> e -> d;", "x -> ;"), encoding="utf-8")
    for _ in range(2):
        done = sphinx(src, "html", tmp_path / "html", tmp_path / "dt", strict=False)
        assert len([w for w in done.stderr.splitlines() if "could not be drawn" in w]) == 1


def test_posts_outside_any_toctree_number_their_own_figures(rootdir: Path, tmp_path: Path) -> None:
    """On the real site no toctree from the root reaches the posts: each post still numbers its
    figures from 图 1, its {numref} works, and a post that leaves a toctree (where its figures
    were 图 4 to 图 6) is written again with its own numbers, as a clean build has them."""
    src = site_copy(rootdir, tmp_path)
    curves = (src / "posts" / "curves.md").read_text(encoding="utf-8")
    (src / "posts" / "more.md").write_text(
        curves.replace("date: 2024-01-01", "date: 2024-02-01").replace("# 曲线与结构", "# 又一篇")
        .replace("fig-curves-", "fig-more-"), encoding="utf-8")
    index = (src / "index.md").read_text(encoding="utf-8")
    (src / "index.md").write_text(index.replace(":glob:\nposts/*", "posts/more\nposts/curves"), encoding="utf-8")
    out, dt = tmp_path / "html", tmp_path / "dt"

    def numbers(root: Path, name: str) -> list[str]:
        page = (root / "posts" / f"{name}.html").read_text(encoding="utf-8")
        return re.findall(r'<span class="(?:caption-number|std std-numref)">(图 \d+)', page)

    done = sphinx(src, "html", out, dt)
    assert done.returncode == 0, done.stderr
    assert numbers(out, "more") == ["图 1", "图 1", "图 2", "图 2", "图 3"]  # numref, caption, …
    assert numbers(out, "curves") == ["图 4", "图 4", "图 5", "图 5", "图 6"]
    (src / "index.md").write_text(index.replace(":glob:\nposts/*", "posts/more"), encoding="utf-8")
    done = sphinx(src, "html", out, dt)
    assert done.returncode == 0, done.stderr
    assert sphinx(src, "html", tmp_path / "clean", tmp_path / "dt-clean").returncode == 0
    assert numbers(out, "curves") == numbers(tmp_path / "clean", "curves") == numbers(out, "more")


def test_latex_after_html_in_shared_doctrees_gets_pdf_figures(rootdir: Path, tmp_path: Path) -> None:
    """``sphinx-build -M html`` then ``-M latex`` share one doctree directory, and LaTeX reads no
    document again: the figures read for HTML (drawn as SVG only) are drawn as PDF when LaTeX
    writes them, and only then."""
    src = site_copy(rootdir, tmp_path)
    log = tmp_path / "runs.log"
    doctrees = tmp_path / "doctrees"
    assert sphinx(src, "html", tmp_path / "html", doctrees, log).returncode == 0
    assert sorted(p.suffix for p in (doctrees / "mlnotes-figures").iterdir()) == [".svg"] * 3
    assert runs(log) == ["square"]
    done = sphinx(src, "latex", tmp_path / "latex", doctrees, log, strict=False)
    assert done.returncode == 0 and "WARNING" not in done.stderr, done.stderr
    assert "0 changed" in done.stdout or "0 added, 0 changed, 0 removed" in done.stdout  # nothing read again
    tex = next((tmp_path / "latex").glob("*.tex")).read_text(encoding="utf-8")
    included = re.findall(r"\\sphinxincludegraphics\{\{((?:plot|diagram)-[0-9a-f]{20})\}\.pdf\}", tex)
    assert len(included) == 3
    assert all((tmp_path / "latex" / f"{name}.pdf").read_bytes().startswith(b"%PDF-") for name in included)
    assert runs(log) == ["square", "square"]  # the plot ran once more, for its PDF
