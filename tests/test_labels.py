"""A label defined in two documents: the same one warning in a clean and in an incremental build
(serial or parallel), and the first document's label still resolves once the copy is gone."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sphinx.util.console import strip_colors

PAGE = "---\norphan: true\n---\n\n# {title}\n\n(shared-label)=\n## Method\n\nText of {title}.\n"
LINKER = "---\norphan: true\n---\n\n# Linker\n\nSee {ref}`shared-label`.\n"


def site(rootdir: Path, where: Path) -> Path:
    shutil.copytree(rootdir / "test-minimal", where)
    (where / "a-first.md").write_text(PAGE.format(title="First"), encoding="utf-8")
    (where / "linker.md").write_text(LINKER, encoding="utf-8")
    for n in range(1, 7):  # enough documents for a parallel read in two chunks
        (where / f"c{n}.md").write_text(f"---\norphan: true\n---\n\n# C{n}\n\nText.\n", encoding="utf-8")
    return where


def warnings(app) -> list[str]:
    text = strip_colors(app._warning.getvalue()).replace(str(app.srcdir) + "/", "")
    # a second application in one process re-registers Sphinx's nodes and directives
    # ("while setting up extension"): not ours
    return [line for line in text.splitlines() if "WARNING" in line and "while setting up extension" not in line]


EXPECTED = ["zz-copy.md:8: WARNING: duplicate label shared-label, other instance in a-first "
            "(a label must be unique across the site) [mlnotes.label]"]


@pytest.mark.parametrize("parallel", [1, 2])
def test_duplicate_label_warned_the_same_in_clean_and_incremental(make_app, rootdir, tmp_path, parallel) -> None:
    src = site(rootdir, tmp_path / "src")
    first = make_app("html", srcdir=src, parallel=parallel)
    first.build()
    assert warnings(first) == []
    # the copy, with every document read again: a parallel read puts a-first and zz-copy in
    # chunks that run at the same time (Sphinx itself gave no warning then)
    (src / "zz-copy.md").write_text(PAGE.format(title="Copy"), encoding="utf-8")
    for doc in ["a-first", "linker", *(f"c{n}" for n in range(1, 7))]:
        path = src / f"{doc}.md"
        path.write_text(path.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
    incremental = make_app("html", srcdir=src, parallel=parallel)
    incremental.build()
    clean = make_app("html", srcdir=src, builddir=tmp_path / "clean", parallel=parallel)
    clean.build()
    assert warnings(incremental) == EXPECTED
    assert warnings(clean) == EXPECTED
    # the copy removed: no warning, and the link to the first document's label still resolves
    # (Sphinx kept one owner per label, the copy, and dropped the label with it)
    (src / "zz-copy.md").unlink()
    after = make_app("html", srcdir=src, parallel=parallel)
    after.build()
    assert warnings(after) == []
    html = (after.outdir / "linker.html").read_text(encoding="utf-8")
    assert re.search(r'href="a-first.html#shared-label"', html), "the link to the label is broken"
