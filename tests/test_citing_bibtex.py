"""Cite-this-note in any toolchain: the entries of ``posts.bib`` (and of every note's cite block)
are ``@misc`` entries plain BibTeX understands.  Checked with BibTeX itself and natbib's
``plainnat`` (the style of the NeurIPS/ICML-type templates) — no warning — and with pybtex."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from pybtex.database import parse_file

from conftest import SiteBuild, posts
from localsite import require


def test_posts_bib_parses_with_pybtex_as_misc_entries(site: SiteBuild) -> None:
    data = parse_file(str(site.out / "posts.bib"), "bibtex")
    assert len(data.entries) == len(posts())
    for key, entry in data.entries.items():
        assert entry.type == "misc", key
        assert re.fullmatch(r"\\url\{https?://\S+\.html\}", entry.fields["howpublished"]), key
        assert re.fullmatch(r"20\d\d", entry.fields["year"]) and entry.fields["month"] in {
            "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
            "November", "December"}, key  # pybtex expands the month macro
        assert entry.fields["note"] == "mlnotes 机器学习论文笔记"
        assert entry.fields["title"].startswith("{") and entry.fields["title"].endswith("}")


def _run(cwd: Path, *cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, timeout=300)


def _bibtex(tmp_path: Path, site: SiteBuild, style: str, cite: str, packages: str) -> tuple[str, str]:
    """xelatex, bibtex, xelatex ×2 on a document with *cite*; (the .blg, the last LaTeX log)."""
    require([t for t in ("xelatex", "bibtex") if shutil.which(t) is None], "apt-get install texlive-xetex")
    shutil.copy(site.out / "posts.bib", tmp_path / "posts.bib")
    (tmp_path / "paper.tex").write_text(
        "\\documentclass{article}\n\\usepackage{xeCJK}\n\\setCJKmainfont{Noto Serif CJK SC}\n"
        f"{packages}\\usepackage{{url}}\n\\begin{{document}}\n{cite}\n"
        f"\\bibliographystyle{{{style}}}\n\\bibliography{{posts}}\n\\end{{document}}\n", encoding="utf-8")
    assert _run(tmp_path, "xelatex", "-interaction=nonstopmode", "paper.tex").returncode == 0
    bibtex = _run(tmp_path, "bibtex", "paper")
    blg = (tmp_path / "paper.blg").read_text(encoding="utf-8", errors="replace")
    assert bibtex.returncode == 0, blg
    for _ in range(2):
        done = _run(tmp_path, "xelatex", "-interaction=nonstopmode", "paper.tex")
    assert done.returncode == 0, done.stdout[-2000:]
    return blg, (tmp_path / "paper.log").read_text(encoding="utf-8", errors="replace")


def test_plain_bibtex_reads_every_entry_without_a_warning(site: SiteBuild, tmp_path: Path) -> None:
    blg, _ = _bibtex(tmp_path, site, "plain", "\\nocite{*}", "")
    assert "Warning--" not in blg and "error message" not in blg, blg
    assert (tmp_path / "paper.bbl").read_text(encoding="utf-8").count("\\bibitem{") == len(posts())


def test_a_natbib_document_cites_notes_without_a_bibtex_warning(site: SiteBuild, tmp_path: Path) -> None:
    keys = re.findall(r"^@misc\{([^,]+),", (site.out / "posts.bib").read_text(encoding="utf-8"), re.M)[:3]
    cite = f"As \\citet{{{keys[0]}}} explains (see also \\citep{{{keys[1]},{keys[2]}}})."
    blg, log = _bibtex(tmp_path, site, "plainnat", cite, "\\usepackage[numbers]{natbib}\n")
    assert "Warning--" not in blg and "error message" not in blg, blg
    bbl = (tmp_path / "paper.bbl").read_text(encoding="utf-8")
    assert bbl.count("\\bibitem[") == 3 and "\\url{https://" in bbl and "2026" in bbl
    assert not re.search(r"Citation .* undefined|There were undefined citations", log), log[-2000:]
