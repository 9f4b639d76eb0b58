"""A strict build that failed on a warning fails again when re-run unchanged (mlnotes.rewarn).

Without it, Sphinx re-reads only changed files, so the second run of ``make html`` after a
failure passes silently and the broken page would be published.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, STRICT, warnings_of
from mlnotes.frontend.rewarn import FILE
from tools import bench


def strict_build(src: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", *STRICT, "-j", "auto",
                           "-d", str(out / ".doctrees"), str(src), str(out), "--no-color"],
                          cwd=src, check=False, capture_output=True, text=True, timeout=900)


def test_warnings_repeat_until_the_document_is_fixed(tmp_path: Path) -> None:
    src = bench.mlnotes_corpus(tmp_path, 10, REPO)
    out = tmp_path / "out"
    post = bench.newest_post(src)
    text = post.read_text(encoding="utf-8")
    post.write_text(text.replace("{footcite:p}`", "{footcite:p}`no-such-key-2026,", 1), encoding="utf-8")
    runs = [strict_build(src, out) for _ in range(2)]
    for run in runs:
        assert run.returncode != 0
        problems = warnings_of(run.stderr)
        assert problems and all("no-such-key-2026" in p and post.name in p for p in problems), problems
    assert warnings_of(runs[1].stderr) == warnings_of(runs[0].stderr)  # the same, not fewer
    docname = post.relative_to(src).with_suffix("").as_posix()
    assert (out / ".doctrees" / FILE).read_text(encoding="utf-8") == f'["{docname}"]'
    # fixed: the build passes, and the next one has nothing left to repeat
    post.write_text(text, encoding="utf-8")
    fixed = strict_build(src, out)
    assert fixed.returncode == 0 and warnings_of(fixed.stderr) == [], fixed.stderr[-2000:]
    assert not (out / ".doctrees" / FILE).exists()
    again = strict_build(src, out)
    assert again.returncode == 0 and "0 changed" in again.stdout


def test_a_clean_site_marks_nothing_outdated(tmp_path: Path) -> None:
    src = bench.mlnotes_corpus(tmp_path, 10, REPO)
    out = tmp_path / "out"
    assert strict_build(src, out).returncode == 0
    second = strict_build(src, out)
    assert second.returncode == 0 and "0 added, 0 changed, 0 removed" in second.stdout
    shutil.rmtree(out)
