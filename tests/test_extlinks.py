"""External link checking against a local server on 127.0.0.1: 404, timeout, redirect loop,
HEAD refused, 429, the one-day cache, per-host rate limiting, and no network."""

from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path
from typing import ClassVar

import pytest

from mlnotes.cli.extlinks import Checker, NoNetwork, check_all, collect_urls


class Handler(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[tuple[str, str]]] = []
    rate_limited_once: ClassVar[set[str]] = set()

    def _route(self, method: str) -> None:
        self.hits.append((method, self.path))
        if self.path == "/ok":
            self.send_response(200)
        elif self.path == "/missing":
            self.send_response(404)
        elif self.path == "/slow":
            time.sleep(1.5)
            self.send_response(200)
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
        elif self.path == "/nohead":
            self.send_response(405 if method == "HEAD" else 200)
        elif self.path == "/rate":
            if self.path not in self.rate_limited_once:
                self.rate_limited_once.add(self.path)
                self.send_response(429)
                self.send_header("Retry-After", "0")
            else:
                self.send_response(200)
        else:
            self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:
        self._route("HEAD")

    def do_GET(self) -> None:
        self._route("GET")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def base():
    Handler.hits, Handler.rate_limited_once = [], set()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def checker(tmp_path: Path, **kw) -> Checker:
    kw.setdefault("timeout", 0.5)
    kw.setdefault("retries", 1)
    kw.setdefault("min_interval", 0)
    kw.setdefault("sleep", lambda s: None)
    return Checker(tmp_path / "cache.json", **kw)


def test_flags_404_timeout_and_redirect_loop(base: str, tmp_path: Path) -> None:
    urls = {f"{base}/{p}": ["posts/x.md:1"] for p in ("ok", "missing", "slow", "loop", "nohead", "rate")}
    results = {r.url.rsplit("/", 1)[1]: r for r in check_all(urls, checker(tmp_path))}
    assert results["ok"].ok and results["nohead"].ok and results["rate"].ok
    assert (results["missing"].ok, results["missing"].status) == (False, "404")
    assert (results["slow"].ok, results["slow"].status) == (False, "timeout")
    assert (results["loop"].ok, results["loop"].status) == (False, "redirect loop")
    assert ("GET", "/nohead") in Handler.hits  # HEAD refused, GET tried
    assert Handler.hits.count(("HEAD", "/slow")) == 2  # retried once


def test_rerun_within_a_day_rechecks_only_failures(base: str, tmp_path: Path) -> None:
    clock = [1000.0]
    urls = {f"{base}/ok": ["a"], f"{base}/missing": ["b"]}
    check_all(urls, checker(tmp_path, now=lambda: clock[0]))
    Handler.hits.clear()
    clock[0] += 3600  # an hour later
    results = check_all(urls, checker(tmp_path, now=lambda: clock[0]))
    assert [p for _, p in Handler.hits] == ["/missing"]
    assert [r.status for r in results if r.url.endswith("/ok")] == ["200 (cached)"]
    Handler.hits.clear()
    clock[0] += 2 * 24 * 3600  # two days later everything is checked again
    check_all(urls, checker(tmp_path, now=lambda: clock[0]))
    assert sorted(p for _, p in Handler.hits) == ["/missing", "/ok"]


def test_requests_to_one_host_are_spaced(base: str, tmp_path: Path) -> None:
    clock, waits = [0.0], []
    c = checker(tmp_path, min_interval=1.0, now=lambda: clock[0], sleep=waits.append)
    check_all({f"{base}/ok": ["a"], f"{base}/nohead": ["b"]}, c)
    assert waits and all(w == pytest.approx(1.0) for w in waits)  # the clock never advanced, so each wait is 1 s


def test_no_network_is_said_plainly(tmp_path: Path) -> None:
    with pytest.raises(NoNetwork):
        check_all({"https://nonexistent.invalid/x": ["a"], "https://also.invalid/y": ["b"]}, checker(tmp_path))


def test_collects_urls_from_posts_and_refs(tmp_path: Path) -> None:
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "a.md").write_text(
        "see [x](https://example.org/x) and <https://example.org/y>\n```\n[no](https://in.code/z)\n```\n",
        encoding="utf-8")
    bib = tmp_path / "refs.bib"
    bib.write_text("@misc{k, title={T}, year={2020}, url={https://u.org}, doi={10.1/x}, eprint={2001.00001}, "
                   "archivePrefix={arXiv}, code={https://github.com/a/b}}", encoding="utf-8")
    urls = collect_urls(tmp_path, [bib])
    assert urls == {
        "https://example.org/x": ["posts/a.md:1"], "https://example.org/y": ["posts/a.md:1"],
        "https://u.org": ["refs.bib:k"], "https://doi.org/10.1/x": ["refs.bib:k"],
        "https://arxiv.org/abs/2001.00001": ["refs.bib:k"], "https://github.com/a/b": ["refs.bib:k"],
    }
