"""The declared dependency floors work: install the wheel with every direct dependency at its floor
(.ci/constraints-min.txt, from the package index) into a venv of its own and build two small sites
strictly (``-n -W``).

    python -m tools.check_floors [--python python3] [--no-cache] [--constraints FILE]

The venv is made with the Python that runs this (or ``--python``): on this project's Python 3.11 that
is the floor of ``requires-python`` too.  ``--constraints`` tries other pins in a throw-away venv,
e.g. to see that a release below a floor does not install or does not build.

The sites are what a new user starts from, made by the installed ``mlnotes init`` console script: the
Chinese one (jieba search, MathML formulas, a citation, the pydata theme, ablog's posts) with a
sphinx-design card added, and the English one.  What is pinned is checked to be what is installed, so
a floor that pip silently lifted (another requirement asked for more) fails the check instead of
passing unseen.

The venv is kept in .cache/floors/<hash>/ (git-ignored), the hash of the constraints file and of
pyproject.toml's dependencies: the installed dependencies only change when those do, so a later run
installs nothing from the index, only the freshly built wheel (``--no-cache`` installs everything
afresh).  Exit status: 0 all good, 1 a check failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

from tools.wheel import REPO, build_wheel

CONSTRAINTS = REPO / ".ci" / "constraints-min.txt"
CACHE = REPO / ".cache" / "floors"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s#;]+)")
#: added to each site's home page: a sphinx-design component, so the floor of sphinx-design is exercised
#: too, and \\arg\\max, which latex2mathml before 3.80 cannot render (this repository's posts use it)
EXTRA = ("\n```{card} sphinx-design\nA card from sphinx-design.\n```\n"
         "\n$$\n\\hat y = \\arg\\max_{y} p(y \\mid x)\n$$\n")


def pins(constraints: Path) -> dict[str, str]:
    """Normalized name → version of every ``name==version`` line."""
    found: dict[str, str] = {}
    for line in constraints.read_text(encoding="utf-8").splitlines():
        m = PIN.match(line.strip())
        if m:
            found[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(2)
    return found


def clean_env() -> dict[str, str]:
    """The environment for the venv's processes: no PYTHONPATH (the repository's src/ must not be the
    mlnotes that is imported) and no user site."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PYTHONNOUSERSITE"] = "1"
    return env


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    print("$ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, text=True, check=False, env=clean_env(), **kwargs)  # type: ignore[call-overload]


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def prepare_venv(python: str, wheel: Path, constraints: Path, cache: Path) -> Path:
    """The venv with the dependencies pinned by *constraints* and *wheel* installed, kept in *cache*
    under the hash of the constraints and the declared dependencies: reused while neither changes."""
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    key = hashlib.sha256(constraints.read_bytes() + json.dumps(declared).encode()).hexdigest()[:16]
    venv = cache / key
    done = venv / ".floors-installed"
    if not done.is_file():
        shutil.rmtree(cache, ignore_errors=True)  # older keys too: one cached venv at a time
        cache.mkdir(parents=True)
        if run([python, "-m", "venv", str(venv)]).returncode != 0:
            raise SystemExit("check_floors: could not create a venv")
        result = run([str(venv_python(venv)), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                      "-c", str(constraints), str(wheel)], capture_output=True)
        if result.returncode != 0:
            raise SystemExit(f"{result.stdout}{result.stderr}\ncheck_floors: the wheel does not install with its "
                             f"dependencies at the floors of {constraints}")
        done.touch()
    else:
        result = run([str(venv_python(venv)), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                      "--no-deps", "--force-reinstall", str(wheel)], capture_output=True)
        if result.returncode != 0:
            raise SystemExit(f"{result.stdout}{result.stderr}\ncheck_floors: installing the wheel into the cached "
                             "venv failed")
    return venv


def check_installed(venv: Path, constraints: Path) -> list[str]:
    """Problems: pip's own consistency check, and pins that are not what is installed."""
    problems = []
    check = run([str(venv_python(venv)), "-m", "pip", "check", "--disable-pip-version-check"],
                capture_output=True)
    if check.returncode != 0:
        problems.append(f"pip check: {check.stdout.strip()} {check.stderr.strip()}")
    listed = run([str(venv_python(venv)), "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
                 capture_output=True)
    installed = {re.sub(r"[-_.]+", "-", p["name"]).lower(): p["version"] for p in json.loads(listed.stdout)}
    for name, version in pins(constraints).items():
        if installed.get(name) != version:
            problems.append(f"{name}: pinned {version}, installed {installed.get(name, 'nothing')}")
    return problems


def build_sites(venv: Path, work: Path) -> list[str]:
    """Problems of the strict builds of the two sites `mlnotes init` makes."""
    problems = []
    for language in ("zh_CN", "en"):
        site = work / f"site-{language}"
        mlnotes = venv / ("Scripts/mlnotes.exe" if os.name == "nt" else "bin/mlnotes")
        if run([str(mlnotes), "init", str(site), "--language", language], capture_output=True).returncode != 0:
            problems.append(f"mlnotes init --language {language} failed")
            continue
        conf = site / "conf.py"
        conf.write_text(conf.read_text(encoding="utf-8") + '\nextensions.append("sphinx_design")\n', encoding="utf-8")
        index = site / "index.md"
        index.write_text(index.read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
        build = run([str(venv_python(venv)), "-m", "sphinx", "-b", "html", "-n", "-W", "--keep-going", "-q",
                     "-d", str(work / f"doctrees-{language}"), str(site), str(work / f"html-{language}")],
                    capture_output=True, cwd=site)
        if build.returncode != 0 or "WARNING" in build.stderr:
            problems.append(f"the {language} site does not build strictly at the floors:\n{build.stderr}")
        else:
            home = (work / f"html-{language}" / "index.html").read_text(encoding="utf-8")
            if 'class="sd-card' not in home or "<math" not in home:
                problems.append(f"the {language} site's sphinx-design card or formula is missing")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.check_floors", description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable, help="the Python the venv is made with")
    parser.add_argument("--no-cache", action="store_true", help="install the dependencies afresh")
    parser.add_argument("--constraints", type=Path, default=CONSTRAINTS,
                        help="the pins (default: .ci/constraints-min.txt); a trial file shows what lower pins break")
    args = parser.parse_args(argv)
    start = time.monotonic()
    constraints = args.constraints.resolve()
    with tempfile.TemporaryDirectory(prefix="mlnotes-floors-") as scratch:
        work = Path(scratch)
        wheel = build_wheel(work / "dist")
        # only the real floors are worth keeping; a trial file gets a venv of its own, thrown away
        cache = CACHE if constraints == CONSTRAINTS and not args.no_cache else work / "venv"
        venv = prepare_venv(args.python, wheel, constraints, cache)
        problems = check_installed(venv, constraints) + build_sites(venv, work)
    for problem in problems:
        print(f"check_floors: {problem}", file=sys.stderr)
    verdict = "FAILED" if problems else "ok"
    shown = constraints.relative_to(REPO) if constraints.is_relative_to(REPO) else constraints
    print(f"check_floors: {verdict} — {len(pins(constraints))} pins from {shown}, "
          f"{time.monotonic() - start:.0f} s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
