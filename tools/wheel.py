"""Build the sphinx-mlnotes wheel (or any small setuptools project's) the way pip users get it, without
touching the source tree.

pip builds a local project in place: setuptools would leave ``build/`` and an ``.egg-info`` beside the
sources (and a stale ``build/`` can slip old modules into the next wheel).  So the project's packaging
inputs are copied into a scratch folder first and the wheel is built there, with the calling
environment's setuptools (``--no-build-isolation``: nothing is downloaded, and the setuptools the lock
pins is the one that builds).  Used by tests/test_reuse.py and tools/check_floors.py.

    python -m tools.wheel OUTDIR [PROJECT]      # prints the wheel's path
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: what a wheel of this repository is made from (MANIFEST.in and pyproject.toml decide the rest)
PACKAGING_INPUTS = ("pyproject.toml", "MANIFEST.in", "LICENSE", "README-pypi.md", "src")
_JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")


def build_wheel(outdir: Path, project: Path = REPO, python: str = sys.executable) -> Path:
    """Build *project*'s wheel into *outdir* and return its path.  Only the packaging inputs are
    copied (for this repository: :data:`PACKAGING_INPUTS`; for another project: all of it), so the
    wheel holds exactly what a clean checkout would give."""
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mlnotes-wheel-") as scratch:
        copy = Path(scratch) / project.name
        if project.resolve() == REPO:
            copy.mkdir()
            for name in PACKAGING_INPUTS:
                source = project / name
                if source.is_dir():
                    shutil.copytree(source, copy / name, ignore=_JUNK)
                else:
                    shutil.copy2(source, copy / name)
        else:
            shutil.copytree(project, copy, ignore=_JUNK)
        before = set(outdir.glob("*.whl"))
        result = subprocess.run(
            [python, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
             "--disable-pip-version-check", "-w", str(outdir), str(copy)],
            capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"building the wheel of {project} failed:\n{result.stdout}\n{result.stderr}")
    built = sorted(set(outdir.glob("*.whl")) - before) or sorted(outdir.glob("*.whl"), key=lambda p: p.stat().st_mtime)
    return built[-1]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not 1 <= len(args) <= 2:
        print("usage: python -m tools.wheel OUTDIR [PROJECT]", file=sys.stderr)
        return 2
    project = Path(args[1]).resolve() if len(args) == 2 else REPO
    print(build_wheel(Path(args[0]).resolve(), project))
    return 0


if __name__ == "__main__":
    sys.exit(main())
