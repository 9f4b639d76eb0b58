"""`mlnotes init` makes a site that builds strictly and passes `mlnotes check` out of the box, in
English and in Chinese; an English site's files hold no Chinese; nothing is ever overwritten."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mlnotes.cli.main import main

REPO = Path(__file__).resolve().parents[1]
VNU = REPO / "tests" / "browser" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
#: Han characters: CJK unified ideographs (with extension A) and compatibility ideographs
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
EXPECTED = {"conf.py", "taxonomy.toml", "index.md", "refs.bib", "Makefile", "tests/test_build.py",
            "requirements.txt", ".readthedocs.yaml", ".gitignore"}


def files(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): p.read_text(encoding="utf-8") for p in site.rglob("*") if p.is_file()}


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_init_builds_and_checks(language: str, tmp_path: Path, capsys, monkeypatch) -> None:
    site = tmp_path / "my-notes"
    assert main(["init", str(site), "--language", language]) == 0
    assert "make html" in capsys.readouterr().out
    written = files(site)
    assert set(written) >= EXPECTED
    [post] = [name for name in written if name.startswith("posts/")]
    assert "{footcite:p}`vaswani2017attention`" in written[post] and "$$\n" in written[post]
    assert f'language = "{language}"' in written["conf.py"]
    assert "html:" in written["Makefile"] and "test:" in written["Makefile"]
    if language == "en":
        chinese = {name: HAN.findall(text) for name, text in written.items() if HAN.search(text)}
        assert not chinese, f"Chinese in an English site's files: {chinese}"
    else:
        assert HAN.search(written[post]) and HAN.search(written["taxonomy.toml"])

    # the strict build itself, as the site's Makefile runs it
    out = tmp_path / "html"
    build = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-n", "-W", "--keep-going",
                            "-d", str(tmp_path / "dt"), str(site), str(out)],
                           capture_output=True, text=True, check=False, cwd=site)
    assert build.returncode == 0, build.stderr
    assert "WARNING" not in build.stderr
    page = (out / post).with_suffix(".html").read_text(encoding="utf-8")
    assert "<math" in page and "Vaswani" in page

    # the quality gate on the new site: everything but what needs tools the machine may lack
    skip = []
    if VNU.is_file():
        monkeypatch.setenv("MLNOTES_VNU_JAR", str(VNU))
    else:
        skip += ["--skip", "html"]
    if not any((Path(d) / "jing").is_file() for d in os.environ.get("PATH", "").split(os.pathsep)):
        skip += ["--skip", "feeds"]
    assert main(["check", "--root", str(site), "--builddir", str(tmp_path / "check"), *skip]) == 0
    report = capsys.readouterr().out
    assert "1 published posts audited" in report and report.rstrip().endswith("all checks passed")


def test_init_never_overwrites(tmp_path: Path, capsys) -> None:
    (tmp_path / "conf.py").write_text("# mine\n", encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "already has conf.py" in err and "nothing was written" in err
    assert (tmp_path / "conf.py").read_text(encoding="utf-8") == "# mine\n"
    assert not (tmp_path / "refs.bib").exists()


def test_init_rejects_an_unknown_language(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exc:  # argparse: usage and exit 2
        main(["init", str(tmp_path / "x"), "--language", "fr"])
    assert exc.value.code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_python_m_mlnotes_cli_is_the_command(tmp_path: Path) -> None:
    """`python -m mlnotes.cli` (what the Makefile runs) and `python -m mlnotes.cli.check` work."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    help_text = subprocess.run([sys.executable, "-m", "mlnotes.cli", "--help"], capture_output=True, text=True,
                               check=True, env=env).stdout
    for command in ("init", "new", "add-paper", "check", "linkcheck"):
        assert command in help_text
    gate = subprocess.run([sys.executable, "-m", "mlnotes.cli.check", "--root", str(tmp_path)],
                          capture_output=True, text=True, check=False, env=env)
    assert gate.returncode == 2
    assert "not a Sphinx site (there is no conf.py there)" in gate.stderr and "Traceback" not in gate.stderr
