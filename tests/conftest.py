"""Shared fixtures: Sphinx test roots (sphinx.testing) and one strict build of the real site."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest_plugins = ("sphinx.testing.fixtures",)

REPO = Path(__file__).resolve().parent.parent
ROOTS = Path(__file__).resolve().parent / "roots"
STRICT = ["-n", "-W", "--keep-going"]


@pytest.fixture(scope="session")
def rootdir() -> Path:
    """Where sphinx.testing finds the ``test-*`` roots."""
    return ROOTS


def sphinx_build(*args: str | os.PathLike[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real ``sphinx-build`` CLI (what `make html` runs) on the repository."""
    cmd = [sys.executable, "-m", "sphinx", *map(str, args), "--no-color"]  # -M must come first
    run_env = dict(os.environ)
    run_env.pop("READTHEDOCS_CANONICAL_URL", None)
    run_env.update(env or {})
    return subprocess.run(cmd, cwd=REPO, check=False, capture_output=True, text=True, env=run_env, timeout=1800)


@dataclass
class SiteBuild:
    out: Path
    doctrees: Path
    first: subprocess.CompletedProcess[str]


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> SiteBuild:
    """The real site, built once per session exactly as `make html` does (strict)."""
    base = tmp_path_factory.mktemp("site")
    out, doctrees = base / "html", base / "doctrees"
    result = sphinx_build("-b", "html", *STRICT, "-d", doctrees, REPO, out)
    return SiteBuild(out=out, doctrees=doctrees, first=result)


def warnings_of(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.search(r"\b(WARNING|ERROR|CRITICAL)\b", line)]


def posts() -> list[Path]:
    return sorted((REPO / "posts").glob("*/*.md"))
