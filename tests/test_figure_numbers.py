"""Figure numbers on pages outside every toctree (:mod:`mlnotes.figures.numbers`): the real
site's posts hang off no toctree, and Sphinx numbers figures only along the toctrees."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = "test-figures"


def test_a_post_outside_every_toctree_gets_figure_numbers(rootdir: Path, tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(rootdir / ROOT, src)
    index = src / "index.md"
    # as on the real site: the index lists no post in a toctree
    index.write_text(re.sub(r"```\{toctree\}.*?```\n", "", index.read_text(encoding="utf-8"), flags=re.S),
                     encoding="utf-8")
    assert "toctree" not in index.read_text(encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-n", "-W", "--keep-going", "-d", str(tmp_path / "dt"),
         str(src), str(tmp_path / "html"), "--no-color"],
        cwd=src, env={**os.environ, "PYTHONHASHSEED": "0"}, capture_output=True, text=True, check=False,
        timeout=600)
    assert done.returncode == 0, done.stderr
    assert "WARNING" not in done.stderr
    page = (tmp_path / "html" / "posts" / "curves.html").read_text(encoding="utf-8")
    # each captioned figure is numbered on its own page, in document order
    assert re.findall(r'<span class="caption-number">(图 \d+) </span>', page) == ["图 1", "图 2", "图 3"]
    # and {numref} in the text says the number
    link = '<a class="reference internal" href="#fig-curves-square"><span class="std std-numref">图 1</span></a>'
    assert link in page
    assert '<span class="std std-numref">图 2</span>' in page
