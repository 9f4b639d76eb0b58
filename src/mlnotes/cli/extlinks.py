"""``make linkcheck``: every external URL in the posts and in refs.bib (arXiv, DOI, code).

- HEAD first, GET when a server refuses HEAD; a few retries with back-off on timeouts and 5xx.
- At most one request per host per ``min_interval`` seconds (a 429's Retry-After is honoured).
- Results are cached in ``.cache/mlnotes/linkcheck.json``: a rerun within a day re-checks only
  the links that failed.
- With no network at all it says so plainly instead of reporting every link as broken.
"""

from __future__ import annotations

import json
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pybtex.database import parse_file
from pybtex.exceptions import PybtexError

MD_LINK = re.compile(r"\]\((https?://[^)\s]+)\)|<(https?://[^>\s]+)>")
DAY = 24 * 3600


@dataclass
class Result:
    url: str
    ok: bool
    status: str
    checked_at: float


class BadBibliography(Exception):
    """A .bib file that cannot be parsed: the message names it."""


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


class NoNetwork(Exception):
    """No host could be resolved: external links cannot be checked here."""


def collect_urls(root: Path, bib_files: list[Path], posts: Iterable[Path] | None = None) -> dict[str, list[str]]:
    """URL → where it is used ("posts/2026/clip.md:12", "refs.bib:radford2021clip").  *posts* are
    the site's posts (:func:`mlnotes.cli.siteconf.find_posts`); without them, ``root/posts/**.md``."""
    found: dict[str, list[str]] = {}
    for post in sorted(posts if posts is not None else (root / "posts").rglob("*.md")):
        in_code = False
        for number, line in enumerate(post.read_text(encoding="utf-8").splitlines(), start=1):
            if line.startswith(("```", "~~~")):
                in_code = not in_code
            if in_code:
                continue
            for m in MD_LINK.finditer(line):
                found.setdefault(m.group(1) or m.group(2), []).append(f"{_rel(post, root)}:{number}")
    for bib in bib_files:
        try:
            entries = parse_file(str(bib)).entries
        except PybtexError as exc:
            raise BadBibliography(f"{bib}: not a BibTeX file pybtex can read ({exc})") from exc
        for key, entry in entries.items():
            f = {k.lower(): v for k, v in entry.fields.items()}
            urls = [f["url"]] if f.get("url") else []
            if f.get("doi"):
                urls.append("https://doi.org/" + f["doi"])
            if f.get("eprint") and f.get("archiveprefix", "").lower() == "arxiv":
                urls.append("https://arxiv.org/abs/" + f["eprint"])
            if f.get("code"):
                urls.append(f["code"])
            for url in urls:
                found.setdefault(url, []).append(f"{bib.name}:{key}")
    return found


class Checker:
    def __init__(self, cache: Path, timeout: float = 10, retries: int = 2, min_interval: float = 1.0,
                 max_age: float = DAY, now: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.cache_path = cache
        self.timeout, self.retries, self.min_interval, self.max_age = timeout, retries, min_interval, max_age
        self.now, self.sleep = now, sleep
        self.last_hit: dict[str, float] = {}
        try:
            self.cache: dict[str, dict[str, Any]] = json.loads(cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.cache = {}

    def _wait_for_host(self, host: str) -> None:
        wait = self.last_hit.get(host, -1e9) + self.min_interval - self.now()
        if wait > 0:
            self.sleep(wait)
        self.last_hit[host] = self.now()

    def _request(self, url: str, method: str) -> tuple[bool, str]:
        request = urllib.request.Request(url, method=method, headers={"User-Agent": "mlnotes-linkcheck"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return True, str(response.status)
        except urllib.error.HTTPError as exc:
            if exc.code in (301, 302, 303, 307, 308):  # urllib gave up following them
                return False, "redirect loop"
            if exc.code == 429:
                retry = exc.headers.get("Retry-After", "")
                return False, f"429 retry-after {retry if retry.isdigit() else 5}"
            return False, str(exc.code)
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, socket.gaierror):
                return False, "dns"
            if isinstance(reason, (TimeoutError, socket.timeout)):
                return False, "timeout"
            return False, f"error: {reason}"
        except TimeoutError:
            return False, "timeout"
        except OSError as exc:
            return False, f"error: {exc}"

    def check(self, url: str) -> Result:
        cached = self.cache.get(url)
        if cached and cached["ok"] and self.now() - cached["checked_at"] < self.max_age:
            return Result(url, True, cached["status"] + " (cached)", cached["checked_at"])
        host = urllib.parse.urlsplit(url).netloc
        ok, status = False, ""
        for attempt in range(self.retries + 1):
            self._wait_for_host(host)
            ok, status = self._request(url, "HEAD")
            if not ok and status in ("405", "403", "501"):  # some servers refuse HEAD
                self._wait_for_host(host)
                ok, status = self._request(url, "GET")
            if ok or status in ("404", "410", "redirect loop", "dns"):
                break
            if status.startswith("429"):
                self.sleep(float(status.rsplit(" ", 1)[-1]))
            elif attempt < self.retries:
                self.sleep(min(2 ** attempt, 8))
        result = Result(url, ok, status, self.now())
        self.cache[url] = {"ok": ok, "status": status, "checked_at": result.checked_at}
        return result

    def save(self) -> None:
        self.cache_path.parent.mkdir(parents=True, exist_ok=True)
        self.cache_path.write_text(json.dumps(self.cache, indent=1, sort_keys=True), encoding="utf-8")


def network_available(urls: list[str], probes: int = 3) -> bool:
    """True when at least one of the first few distinct hosts resolves."""
    hosts = list(dict.fromkeys(urllib.parse.urlsplit(u).hostname for u in urls if urllib.parse.urlsplit(u).hostname))
    for host in hosts[:probes]:
        try:
            socket.getaddrinfo(host, 443)
            return True
        except OSError:
            continue
    return not hosts


def check_all(urls: dict[str, list[str]], checker: Checker) -> list[Result]:
    if not network_available(sorted(urls)):
        raise NoNetwork("no host could be resolved")
    results = []
    for url in sorted(urls):
        result = checker.check(url)
        results.append(result)
        checker.save()
    if results and all(r.status == "dns" for r in results):
        raise NoNetwork("no host could be resolved")
    return results
