"""HTML validity of a built site with the Nu HTML Checker (vnu.jar, the W3C validator's engine).

vnu comes from npm (``vnu-jar``, pinned in ``tests/browser/package-lock.json``) and runs on the
machine's Java; one invocation checks the whole output directory in seconds.  Errors (and
document-level failures) count; vnu's warnings and notes are advice and do not.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

#: where ``npm ci`` in tests/browser puts the jar, relative to the repository
VNU_JAR = Path("tests") / "browser" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@dataclass(frozen=True)
class HtmlError:
    file: Path
    line: int | None
    message: str
    extract: str = ""

    def format(self, root: Path | None = None) -> str:
        name = self.file
        if root is not None:
            with contextlib.suppress(ValueError):  # outside root: keep the path as it is
                name = self.file.relative_to(root)
        where = f"{name}:{self.line}" if self.line else str(name)
        extract = " ".join(self.extract.split())
        return f"{where}: {self.message}" + (f"  [{extract}]" if extract else "")


def find_vnu(root: Path) -> tuple[str | None, Path | None]:
    """(java, vnu.jar) if both are there; either may be None.  The jar is ``MLNOTES_VNU_JAR`` when
    set (a site made by ``mlnotes init`` has no tests/browser), else the one npm put in *root*."""
    jar = Path(os.environ["MLNOTES_VNU_JAR"]) if os.environ.get("MLNOTES_VNU_JAR") else root / VNU_JAR
    return shutil.which("java"), (jar if jar.is_file() else None)


def validate(targets: list[Path], java: str, jar: Path, timeout: float = 600) -> list[HtmlError]:
    """Every vnu error in *targets* (HTML files, or directories checked recursively)."""
    cmd = [java, "-Xss4m", "-jar", str(jar), "--format", "json", "--skip-non-html", *map(str, targets)]
    result = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=timeout)
    try:
        messages = json.loads(result.stderr)["messages"]
    except (ValueError, KeyError) as exc:
        raise RuntimeError(f"vnu gave no JSON report (exit {result.returncode}): {result.stderr[-2000:]}") from exc
    errors = []
    for m in messages:
        if m.get("type") not in ("error", "non-document-error") and m.get("subType") != "fatal":
            continue
        url = m.get("url", "")
        file = Path(unquote(urlparse(url).path)) if url.startswith("file:") else Path(url)
        errors.append(HtmlError(file=file, line=m.get("lastLine"), message=m.get("message", ""),
                                extract=m.get("extract", "")))
    return errors
