"""What the browser and validator tests share: the system tools they need (found, or a skip
under ``MLNOTES_NO_SYSTEM_DEPS``, or a failure naming how to install them) and a small threaded
static server on 127.0.0.1 that compresses like a real host.

ReadTheDocs serves text with gzip/brotli; http.server sends it raw, which would make page
weights and load times several times worse than what readers get.  ``GzipHandler`` gzips text
responses (HTML, CSS, JS, JSON, SVG, XML) when the request says ``Accept-Encoding: gzip``.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

BROWSER_DIR = Path(__file__).resolve().parent / "browser"

COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def send_head(self):  # type: ignore[override]  # returns a gzip stream or the base class's file object
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "")
        ctype = self.guess_type(str(path))
        if not wants_gzip or not path.is_file() or not ctype.startswith(COMPRESSIBLE):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", ctype if "charset" in ctype or not ctype.startswith("text/")
                         else f"{ctype}; charset=utf-8")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=3600")
        self.end_headers()
        return io.BytesIO(body)


def require(missing: list[str], how: str) -> None:
    """Skip when tools are knowingly absent (``MLNOTES_NO_SYSTEM_DEPS``), else fail saying how to get them."""
    if not missing:
        return
    if os.environ.get("MLNOTES_NO_SYSTEM_DEPS"):
        pytest.skip(f"MLNOTES_NO_SYSTEM_DEPS is set and {', '.join(missing)} missing")
    pytest.fail(f"missing {', '.join(missing)}: `make test` installs them ({how})")


def browser_tools(npm_package: str = "playwright-core") -> tuple[str, str]:
    """(chromium, node) for the scripts in tests/browser, which need *npm_package* installed there."""
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    node = shutil.which("node")
    package = BROWSER_DIR / "node_modules" / npm_package
    require([name for name, ok in (("chromium", chromium), ("node", node),
                                   (f"tests/browser/node_modules/{npm_package}", package.is_dir())) if not ok],
            f"Debian chromium via scripts/ensure-system-deps.sh, {npm_package} via npm ci in tests/browser")
    return str(chromium), str(node)


@contextmanager
def serve(directory: Path, handler_class: type[http.server.SimpleHTTPRequestHandler] = GzipHandler) -> Iterator[str]:
    """Serve *directory* on 127.0.0.1 (a free port) while the block runs; yield the base URL."""
    handler = functools.partial(handler_class, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
