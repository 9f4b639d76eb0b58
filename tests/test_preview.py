"""The resident live preview (``python -m mlnotes.frontend.preview``, ``make livehtml``).

Each test starts the preview as a subprocess on the small site of ``tests/roots/test-incremental``
(written by :class:`tests.incremental_site.SiteModel`), on a free port, and talks to it over HTTP
as a browser would: pages, and the Server-Sent Events stream the injected client listens to.
Nothing sleeps blindly: every wait polls with a deadline.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.incremental_site import Post, Result, SiteModel, compare, run_frontend

REPO = Path(__file__).resolve().parents[1]
TIMEOUT = 120.0


class Preview:
    """A running preview: its process, its terminal output and its address."""

    def __init__(self, base: Path, model: SiteModel, through_cli: bool = False) -> None:
        self.site, self.out, self.doctrees = base / "site", base / "out", base / "doctrees"
        self.site.mkdir(parents=True)
        self.model = model
        model.write(self.site)
        env = dict(os.environ, PYTHONHASHSEED="0", PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]))
        env.pop("READTHEDOCS_CANONICAL_URL", None)
        cmd = [sys.executable, "-m", "mlnotes.frontend.preview", "-b", "html", "-n", "-W", "--keep-going", "-q",
               "-d", str(self.doctrees), ".", str(self.out), "--port", "0"]
        if through_cli:  # `mlnotes serve`: the same preview, its paths from the site's folder
            self.out = base / "cli-build" / "livehtml"
            cmd = [sys.executable, "-m", "mlnotes.cli", "serve", "--root", ".", "--port", "0",
                   "--builddir", str(base / "cli-build")]
        self.proc = subprocess.Popen(cmd, cwd=self.site, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, encoding="utf-8")
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        line = self.wait_for(lambda: next((x for x in self.lines if "serving" in x), None), "the server to start")
        match = re.search(r"http://([\d.]+):(\d+)/", line)
        assert match, line
        self.url = f"http://{match.group(1)}:{match.group(2)}"
        self.wait_for(lambda: (self.state()["build"] >= 1 and not self.state()["building"]) or None, "the first build")

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def log(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, probe: Callable[[], Any], what: str, timeout: float = TIMEOUT) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"the preview stopped while waiting for {what}:\n{self.log}"
            try:
                value = probe()
            except OSError:  # the server restarting (a taxonomy or conf.py change): ask again
                value = None
            if value:
                return value
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}; preview output:\n{self.log}")

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=30) as response:
            return str(response.read().decode("utf-8"))

    def state(self) -> dict[str, Any]:
        return dict(json.loads(self.get("/_mlnotes/state")))

    def change(self, edit: Callable[[SiteModel], None]) -> dict[str, Any]:
        """Apply *edit* to the model, write it, and wait for the build it causes; its state."""
        before = self.state()
        edit(self.model)
        assert self.model.write(self.site), "the edit changed no file"

        def built() -> dict[str, Any] | None:
            state = self.state()
            newer = state["server"] != before["server"] or state["build"] > before["build"]
            return state if newer and not state["building"] else None

        state: dict[str, Any] = self.wait_for(built, "the rebuild")
        return state

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Events:
    """The page's event stream, read in a thread: (event name, data) in a queue."""

    def __init__(self, url: str) -> None:
        self.queue: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self.response = urllib.request.urlopen(url + "/_mlnotes/events", timeout=TIMEOUT)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        event = ""
        try:
            for raw in self.response:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    event = line[len("event: "):]
                elif line.startswith("data: "):
                    self.queue.put((event, json.loads(line[len("data: "):])))
        except (OSError, ValueError):
            return

    def next(self, name: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        """The data of the next event called *name* (others are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {name!r} event within {timeout} s")
            event, data = self.queue.get(timeout=left)
            if event == name:
                return data


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    running = Preview(tmp_path, SiteModel.initial())
    try:
        yield running
    finally:
        running.stop()


def test_an_edit_is_served_and_the_page_told_to_reload(preview: Preview) -> None:
    page = preview.get("/posts/a.html")
    assert "正文 A" in page and "/_mlnotes/preview.js" in page
    # the client is added when served, never written into the built page
    assert "/_mlnotes/preview.js" not in (preview.out / "posts" / "a.html").read_text(encoding="utf-8")
    events = Events(preview.url)
    hello = events.next("hello")
    preview.model.posts["a"].body = "正文 A 的新句子"
    preview.model.write(preview.site)
    preview.wait_for(lambda: "正文 A 的新句子" in preview.get("/posts/a.html"), "the new text served")
    reload = events.next("reload")
    assert reload["build"] > hello["build"] and reload["warnings"] == []
    client = preview.get("/_mlnotes/preview.js")
    assert "EventSource" in client and "location.reload" in client


def test_a_broken_post_warns_and_the_server_keeps_running(preview: Preview) -> None:
    events = Events(preview.url)
    events.next("hello")
    good = preview.model.posts["b"].date

    def break_date(m: SiteModel) -> None:
        m.posts["b"].date = "2024-13-45"

    state = preview.change(break_date)
    assert any("2024-13-45" in w and "posts/b.md" in w for w in state["warnings"]), state
    warned = events.next("warnings")
    assert any("2024-13-45" in w for w in warned["warnings"])  # what the overlay shows
    assert "2024-13-45" in preview.log  # and the terminal
    assert preview.proc.poll() is None
    assert "文章 A" in preview.get("/posts/a.html")  # still serving

    def fix(m: SiteModel) -> None:
        m.posts["b"].date = good

    state = preview.change(fix)
    assert state["warnings"] == []
    cleared = events.next("warnings")
    while cleared["warnings"]:  # the broken build's event may still be queued
        cleared = events.next("warnings")
    assert preview.proc.poll() is None


def test_after_several_edits_the_output_equals_a_clean_build(preview: Preview, tmp_path: Path) -> None:
    def body(m: SiteModel) -> None:
        m.posts["d"].body = "正文 D 改写 zebra。"

    def unsaid(m: SiteModel) -> None:  # the search index, kept in memory, loses the word too
        m.posts["d"].body = "正文 D 改写。"

    def tags(m: SiteModel) -> None:
        m.posts["e"].tags = ["attention"]

    def date(m: SiteModel) -> None:
        m.posts["b"].date = "2024-04-01"

    def summary(m: SiteModel) -> None:
        m.posts["c"].summary = "新的摘要"

    def delete(m: SiteModel) -> None:
        del m.posts["d"]

    def add(m: SiteModel) -> None:
        m.posts["f"] = Post("posts/f", "文章 F", "2024-05-01", "llm", ["vision"], body="正文 F。")

    def cite(m: SiteModel) -> None:
        m.posts["e"].cites = ["gamma2021"]

    server = preview.state()["server"]
    for edit in (body, tags, unsaid, date, summary, delete, add, cite):
        state = preview.change(edit)
        assert state["warnings"] == [], f"after {edit.__name__}: {state['warnings']}"
    assert state["server"] == server and state["build"] == 9, "every edit was built in the one process"
    clean = run_frontend(preview.site, tmp_path / "clean-out", tmp_path / "clean-doctrees", "1")
    assert clean.returncode == 0 and clean.warnings == [], clean.log[-3000:]
    served = Result(out=preview.out, returncode=0, warnings=[], log=preview.log)
    problems = compare(served, clean)
    assert not problems, problems


def test_a_taxonomy_change_restarts_the_preview(preview: Preview) -> None:
    """The taxonomy (like conf.py and templates) is read once per application: the preview starts
    again in a fresh interpreter, on the same port, and the page's client sees a new server."""
    events = Events(preview.url)
    first = events.next("hello")

    def rename(m: SiteModel) -> None:
        m.tags["vision"].name = "计算机视觉标签"

    state = preview.change(rename)
    assert state["server"] != first["server"]
    assert "restarting" in preview.log
    preview.wait_for(lambda: "计算机视觉标签" in preview.get("/posts/b.html"), "the renamed tag served")


def test_mlnotes_serve_runs_the_same_preview(tmp_path: Path) -> None:
    running = Preview(tmp_path, SiteModel.initial(), through_cli=True)
    try:
        page = running.get("/index.html")
        assert "/_mlnotes/preview.js" in page  # the live-reload client, added when served
        assert "/_mlnotes/preview.js" not in (running.out / "index.html").read_text(encoding="utf-8")
        post = next(iter(running.model.posts.values()))
        state = running.change(lambda model: setattr(post, "body", post.body + "\n\n由 mlnotes serve 提供。\n"))
        assert state["warnings"] == []
        assert "由 mlnotes serve 提供。" in running.get("/" + post.path + ".html")
    finally:
        running.stop()
