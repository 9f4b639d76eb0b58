"""Drawing a figure: running plot code under fixed settings, or Graphviz on DOT source.

Nothing here knows Sphinx: the directives (:mod:`mlnotes.figures.directives`) decide where the
drawings go and report a :class:`FigureError` as a located warning.  Output is deterministic:
random generators seeded, ``svg.hashsalt`` fixed, no dates in SVG or PDF metadata, so two clean
builds give byte-identical files.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import traceback
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

#: bumped when the way figures are drawn changes, so every cached drawing is made again
RENDERER_VERSION = "2"
#: the formats every figure is drawn in: SVG for HTML and EPUB, PDF (vector) for LaTeX
FORMATS = ("svg", "pdf")
#: a fixed modification time for cached drawings: Sphinx re-reads a document whose image is
#: newer than the document's last read, and a drawing is written *during* that read
CACHE_MTIME = 946684800  # 2000-01-01T00:00:00Z


class FigureError(Exception):
    """Figure source that could not be drawn; *line* is 1-based within the source, if known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def rc_settings(fonts: Iterable[str]) -> dict[str, Any]:
    """The matplotlib settings every plot is drawn under."""
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [*fonts, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "svg.fonttype": "none",  # text stays text: small, searchable, drawn by the reader's CJK font
        "svg.hashsalt": "mlnotes",  # stable element ids
        "pdf.fonttype": 42,
        "figure.figsize": (6.4, 4.0),
        "savefig.bbox": "tight",
        "savefig.facecolor": "white",
    }


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


@lru_cache(maxsize=1)
def dot_version() -> str:
    """``dot -V`` (Graphviz prints it on stderr), or "" when Graphviz is not installed."""
    dot = shutil.which("dot")
    if dot is None:
        return ""
    done = subprocess.run([dot, "-V"], capture_output=True, text=True, check=False)
    return (done.stderr or done.stdout).strip()


def figure_key(kind: str, source: str, data: Mapping[str, bytes], fonts: Iterable[str]) -> str:
    """The cache key of a figure: its source, the bytes of the files it reads, the font list and
    the versions of what draws it."""
    tools = (f"{_package_version('matplotlib')} {_package_version('numpy')}" if kind == "plot"
             else dot_version())
    digest = hashlib.sha256()
    for part in (RENDERER_VERSION, kind, tools, "\0".join(fonts), source):
        digest.update(part.encode("utf-8") + b"\0\0")
    for name in sorted(data):
        digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data[name]).digest())
    return digest.hexdigest()[:20]


#: the document type declaration matplotlib and Graphviz put in an SVG: it names the SVG 1.1 DTD by
#: URL, which EPUB 3 forbids (epubcheck OPF-073, one error per module of the DTD) and no browser reads
_DOCTYPE = re.compile(rb"<!DOCTYPE svg[^>\[]*>\s*")


def _store(path: Path, payload: bytes) -> None:
    """Write *payload* atomically (parallel readers may draw the same figure) with the fixed mtime."""
    if path.suffix == ".svg":
        payload = _DOCTYPE.sub(b"", payload, count=1)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(payload)
    os.utime(tmp, (CACHE_MTIME, CACHE_MTIME))
    os.replace(tmp, path)


def draw_plot(code: str, cwd: Path, targets: Mapping[str, Path], fonts: Iterable[str]) -> None:
    """Run matplotlib *code* in *cwd* and save the figure it makes in every format of *targets*."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    try:
        import numpy
    except ImportError:  # numpy comes with matplotlib; seeding it is a courtesy
        numpy = None  # type: ignore[assignment]  # the module or nothing

    # fontTools, subsetting the fonts into the PDF, logs "'created' timestamp seems very low" for
    # the Noto CJK fonts (their head table says 1970): harmless, and not ours to print
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    filename = "<plot>"
    plt.close("all")
    random.seed(0)
    if numpy is not None:
        numpy.random.seed(0)
    here = Path.cwd()
    out = io.StringIO()
    settings: Any = rc_settings(fonts)  # matplotlib types the keys as a closed set of literals
    try:
        with matplotlib.rc_context(settings), contextlib.redirect_stdout(out):
            try:
                compiled = compile(code, filename, "exec")
            except SyntaxError as exc:
                raise FigureError(f"SyntaxError: {exc.msg}", exc.lineno) from None
            os.chdir(cwd)
            try:
                exec(compiled, {"__name__": "__plot__", "__file__": filename})  # the author's own figure code
            except Exception as exc:  # any error in the author's code becomes a located warning
                line = None
                for frame in traceback.extract_tb(sys.exc_info()[2]):
                    if frame.filename == filename:
                        line = frame.lineno
                raise FigureError(f"{type(exc).__name__}: {exc}", line) from None
            finally:
                os.chdir(here)
            if not plt.get_fignums():
                raise FigureError("the code made no figure (call plt.subplots() or plt.figure())")
            figure = plt.gcf()
            for fmt, path in targets.items():
                buffer = io.BytesIO()
                metadata: dict[str, str | None] = (
                    {"Date": None} if fmt == "svg" else {"CreationDate": None, "ModDate": None})
                figure.savefig(buffer, format=fmt, metadata=metadata)
                _store(path, buffer.getvalue())
    finally:
        plt.close("all")


def draw_diagram(source: str, targets: Mapping[str, Path], fonts: Iterable[str]) -> None:
    """Draw Graphviz DOT *source* in every format of *targets*."""
    dot = shutil.which("dot")
    if dot is None:
        raise FigureError("Graphviz is not installed (the `dot` command); on Debian/Ubuntu: "
                          "apt-get install graphviz")
    font = next(iter(fonts), "sans-serif")
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(CACHE_MTIME)}
    for fmt, path in targets.items():
        done = subprocess.run(
            [dot, f"-T{fmt}", f"-Gfontname={font}", f"-Nfontname={font}", f"-Efontname={font}"],
            input=source.encode("utf-8"), capture_output=True, check=False, env=env)
        if done.returncode != 0:
            message = done.stderr.decode("utf-8", "replace").strip()
            line = None
            marker = " in line "
            if marker in message:
                digits = message.split(marker, 1)[1].split()[0].rstrip(".,:")
                line = int(digits) if digits.isdigit() else None
            raise FigureError(message.splitlines()[0] if message else f"dot exited with {done.returncode}", line)
        _store(path, _fixed_pdf_date(done.stdout) if fmt == "pdf" else done.stdout)


def _fixed_pdf_date(pdf: bytes) -> bytes:
    """Graphviz's cairo stamps the PDF with the time of drawing (it ignores SOURCE_DATE_EPOCH):
    put a fixed date of the same length in its place, so the byte offsets stay right."""
    start = pdf.find(b"/CreationDate (D:")
    if start < 0:
        return pdf
    start += len(b"/CreationDate (D:")
    end = pdf.find(b")", start)
    stamp = pdf[start:end]
    fixed = (b"20000101000000" + b"Z" * len(stamp))[: len(stamp)] if len(stamp) >= 14 else stamp
    return pdf[:start] + fixed + pdf[end:]
