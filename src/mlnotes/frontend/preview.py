"""``python -m mlnotes.frontend.preview [sphinx-build arguments] [--host H] [--port P]`` — the
resident live preview that ``make livehtml`` runs.

``sphinx-autobuild`` starts a new ``sphinx-build`` on every save: importing Python, Sphinx and
every extension and unpickling the environment cost more than re-reading the one changed post.
This preview keeps one :class:`sphinx.application.Sphinx` object — and so its environment — in
memory and calls its incremental build again whenever a source changes:

* a watcher polls the modification times of the source tree every :data:`POLL` seconds and waits
  until they have been still for one more poll (an editor's save is several writes);
* a changed post, page, bibliography or static file → ``app.build()`` again in this process:
  Sphinx re-reads only the changed documents and the extension rewrites only the pages whose
  content depends on them (the same incremental build as ``make html``, so the written pages are
  a clean build's — ``tests/test_preview.py`` checks it);
* a changed ``conf.py`` or other Python file of the site, TOML file (the taxonomy), template, or
  file of the ``mlnotes`` package itself → the process re-executes itself, so that no module or
  setting of the old configuration survives (a restart costs what one ``make html`` does);
* an HTTP server (stdlib, :data:`HOST` by default) serves the output directory and adds, to HTML
  responses only and never to the files, one ``<script>`` tag for :file:`preview.js`; that client
  listens to the server's event stream (Server-Sent Events on ``/_mlnotes/events``) and reloads
  the page after a build, or after a restart, and shows the build's warnings in an overlay;
* warnings are printed in the terminal as usual and sent to the page (``-W`` is accepted, so that
  ``make livehtml`` can pass ``make html``'s options, but a warning never stops the preview); a
  build that raises (a post broken mid-edit in a way the extension does not catch) is reported
  the same way, and the next change starts again from a fresh application, so the server keeps
  running.

Sphinx runs some extension code once per application (``builder-inited``) that the mlnotes
extension needs once per build: the pages-seen set of the sitemap, the warned-documents recorder
and the interrupted-build marker.  Before every build after the first,
:func:`mlnotes.compat.sphinx.begin_another_build` runs exactly those handlers again and gives
Sphinx's own per-application lists (scripts, style sheets) their first state back.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import io
import json
import os
import re
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, cast

from mlnotes.compat.sphinx import asset_lists, begin_another_build, keep_search_index
from mlnotes.frontend.build import git_head, walk

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from sphinx.application import Sphinx

HOST = "127.0.0.1"
PORT = 8000
#: seconds between two looks at the sources
POLL = 0.05
#: seconds without a change after which the preview tidies its memory (a full collection)
IDLE = 3.0
#: where the client script and the event stream are served (no page of the site lives there)
PREFIX = "/_mlnotes/"
CLIENT = Path(__file__).with_name("preview.js")
#: modules whose ``builder-inited`` handlers set up per-build state (run again before each rebuild)
PER_BUILD_MODULES = ("mlnotes.site.sitemap", "mlnotes.site.splitindex", "mlnotes.frontend.rewarn",
                     "mlnotes.frontend.record")
#: the mlnotes package: a change to its code, templates or static files restarts the preview
PACKAGE = Path(__file__).resolve().parents[1]
#: files a build itself may write beside the sources (compiled catalogues, bytecode): not watched
GENERATED = (".mo", ".pyc")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


# ------------------------------------------------------------------------------ arguments


@dataclass
class Options:
    """The command line: Sphinx's part as ``sphinx-build`` reads it, plus the server's."""

    sphinx_argv: list[str]
    host: str
    port: int
    srcdir: Path
    confdir: Path
    outdir: Path
    doctreedir: Path
    builder: str
    overrides: dict[str, Any]
    tags: list[str]
    jobs: int
    verbosity: int
    quiet: bool


def parse_args(argv: list[str]) -> Options:
    """``--host``/``--port`` for the server; the rest are ``sphinx-build``'s own arguments."""
    from sphinx.cmd.build import get_parser

    ours = argparse.ArgumentParser(add_help=False)
    ours.add_argument("--host", default=HOST)
    ours.add_argument("--port", type=int, default=PORT)
    known, rest = ours.parse_known_args(argv)
    args = get_parser().parse_args(rest)
    if args.filenames or args.force_all or args.freshenv:
        raise SystemExit("mlnotes preview: file names, -a and -E do not apply to a preview")
    srcdir = Path(args.sourcedir).resolve()
    outdir = Path(args.outputdir).resolve()
    overrides: dict[str, Any] = {}
    for entry in args.define or []:
        key, _, value = entry.partition("=")
        overrides[key] = value
    for entry in args.htmldefine or []:
        key, _, value = entry.partition("=")
        overrides[f"html_context.{key}"] = int(value) if value.isdigit() else value
    if args.nitpicky:
        overrides["nitpicky"] = True
    return Options(
        sphinx_argv=rest, host=known.host, port=known.port, srcdir=srcdir,
        confdir=Path(args.confdir).resolve() if args.confdir else srcdir, outdir=outdir,
        doctreedir=Path(args.doctreedir).resolve() if args.doctreedir else outdir / ".doctrees",
        builder=args.builder, overrides=overrides, tags=list(args.tags or []), jobs=int(args.jobs or 1),
        verbosity=int(args.verbosity or 0), quiet=bool(args.quiet or args.really_quiet),
    )


# ------------------------------------------------------------------------------ watching


def scan(opts: Options) -> dict[str, int]:
    """Path → modification time (ns) of every file the preview watches: the source and
    configuration trees (output, doctrees, hidden and build directories left out) and the
    mlnotes package."""
    skip = {opts.outdir, opts.doctreedir}
    found: dict[str, int] = {}
    for root in sorted({str(opts.srcdir), str(opts.confdir), str(PACKAGE)}):
        # the same walk as the front end's fingerprint (mlnotes.frontend.build.walk)
        for relative, _size, mtime in walk(Path(root), skip):
            if not relative.endswith(GENERATED):
                found[os.path.join(root, relative)] = mtime
    return found


def changed_paths(before: dict[str, int], after: dict[str, int]) -> list[str]:
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def needs_restart(opts: Options, paths: list[str], templates: list[Path]) -> str | None:
    """The first path whose change a rebuild in this process cannot take in, or None."""
    for path in paths:
        p = Path(path)
        if p.is_relative_to(PACKAGE):
            return path  # the extension's code, templates or static files
        if p.suffix in (".py", ".toml"):
            return path  # conf.py, a local extension, the taxonomy
        if any(p.is_relative_to(t) for t in templates):
            return path
    return None


# ------------------------------------------------------------------------------ the state


@dataclass
class State:
    """What the server tells the pages: the build count and the last build's warnings."""

    server: str = field(default_factory=lambda: uuid.uuid4().hex)
    build: int = 0
    building: bool = False
    warnings: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, building: bool, warnings: list[str] | None = None) -> None:
        """A build starts (*building*), or ends with *warnings*: wake every event stream."""
        with self.changed:
            self.building = building
            if warnings is not None:
                self.build += 1
                self.warnings = warnings
            self.changed.notify_all()

    def moved(self, seen: int) -> bool:
        """A build started, or one ended since build *seen* (call with :attr:`changed` held)."""
        return self.build != seen or self.building

    def snapshot(self) -> dict[str, Any]:
        return {"server": self.server, "build": self.build, "building": self.building,
                "warnings": list(self.warnings)}


class WarningStream(io.TextIOBase):
    """Sphinx's warning stream: to the terminal as usual, and kept for the page's overlay."""

    def __init__(self, terminal: TextIO) -> None:
        super().__init__()
        self.terminal = terminal
        self.lines: list[str] = []
        self._partial = ""

    def write(self, text: str) -> int:
        self.terminal.write(text)
        self._partial += text
        *complete, self._partial = self._partial.split("\n")
        self.lines.extend(ANSI.sub("", line) for line in complete if line.strip())
        return len(text)

    def flush(self) -> None:
        self.terminal.flush()

    def take(self) -> list[str]:
        lines, self.lines = self.lines, []
        if self._partial.strip():
            lines.append(ANSI.sub("", self._partial))
        self._partial = ""
        return lines


# ------------------------------------------------------------------------------ building


class Builder:
    """One Sphinx application kept across builds; a fresh one after a build that raised."""

    def __init__(self, opts: Options, state: State) -> None:
        self.opts = opts
        self.state = state
        self.warnings = WarningStream(sys.stderr)
        self.app: Sphinx | None = None
        self.builds = 0
        self._context = contextlib.ExitStack()
        self.templates: list[Path] = []
        self.assets: dict[tuple[str, str], list[Any]] = {}
        self.untidy = False

    def _make_app(self) -> Sphinx:
        from sphinx.application import Sphinx
        from sphinx.util.docutils import docutils_namespace, patch_docutils

        self._context.close()
        self._context = contextlib.ExitStack()
        # Sphinx registers its directives and roles in docutils for as long as the application lives
        self._context.enter_context(patch_docutils(self.opts.confdir))
        self._context.enter_context(docutils_namespace())
        app = Sphinx(
            srcdir=self.opts.srcdir, confdir=self.opts.confdir, outdir=self.opts.outdir,
            doctreedir=self.opts.doctreedir, buildername=self.opts.builder, confoverrides=self.opts.overrides,
            status=None if self.opts.quiet else sys.stdout, warning=cast("TextIO", self.warnings), tags=self.opts.tags,
            verbosity=self.opts.verbosity, parallel=self.opts.jobs,
        )
        self.templates = [(self.opts.confdir / t).resolve() for t in app.config.templates_path]
        self.assets = asset_lists(app)
        keep_search_index(app)
        return app

    def build(self) -> bool:
        """One build; True when it finished (with or without warnings)."""
        self.state.publish(building=True)
        started = time.perf_counter()
        ok = True
        try:
            if self.app is None:
                self.app = self._make_app()
            else:
                begin_another_build(self.app, self.assets, PER_BUILD_MODULES)
            self.app.build()
        except Exception as exc:  # a broken source must not stop the preview
            ok = False
            self.warnings.write("".join(traceback.format_exception_only(exc)))
            if self.opts.verbosity:
                traceback.print_exc()
            self.app = None  # its environment may be half-updated: start afresh next time
            self._context.close()
        self.builds += 1
        warnings = self.warnings.take()
        seconds = time.perf_counter() - started
        status = "failed" if not ok else f"{len(warnings)} warning(s)" if warnings else "no warnings"
        print(f"mlnotes preview: build {self.builds} in {seconds:.2f} s, {status}", file=sys.stderr, flush=True)
        self.state.publish(building=False, warnings=warnings)
        if self.builds == 1:
            warm_up()
        # What the build left in memory (the environment above all) will outlive many builds: kept
        # out of the collector's sight, the next build's full collection (read/gcfreeze.py, after
        # reading) walks only what is new.  Garbage among it is collected when the author pauses.
        gc.freeze()
        self.untidy = True
        return ok

    def tidy(self) -> None:
        """A full collection, between two saves (the preview is idle): what earlier builds
        left frozen and has since become garbage is freed."""
        if self.untidy:
            gc.unfreeze()
            gc.collect()
            gc.freeze()
            self.untidy = False

    def close(self) -> None:
        self._context.close()


def warm_up() -> None:
    """Load now, before the author's first save, what the first rebuild would load lazily: the
    Chinese word segmenter's dictionary (seconds), needed as soon as a page is indexed for search."""
    jieba = sys.modules.get("jieba")
    if jieba is not None:
        jieba.initialize()


# ------------------------------------------------------------------------------ serving


def inject(page: bytes) -> bytes:
    """*page* with the preview client's script tag before ``</body>`` (at the end without one)."""
    tag = f'<script src="{PREFIX}preview.js" defer></script>'.encode()
    at = page.rfind(b"</body>")
    return page[:at] + tag + page[at:] if at >= 0 else page + tag


class Handler(SimpleHTTPRequestHandler):
    """Serves the output directory; HTML with the client injected, never cached."""

    state: State
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would drown the build's output

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == PREFIX + "events":
            self.events()
        elif path == PREFIX + "preview.js":
            self.send_bytes(CLIENT.read_bytes(), "text/javascript; charset=utf-8")
        elif path == PREFIX + "state":
            self.send_bytes(json.dumps(self.state.snapshot()).encode(), "application/json")
        else:
            self.page()

    def send_bytes(self, body: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def page(self) -> None:
        fs_path = Path(self.translate_path(self.path))
        if fs_path.is_dir() and self.path.split("?", 1)[0].endswith("/"):
            fs_path = fs_path / "index.html"
        if fs_path.suffix != ".html" or not fs_path.is_file():
            super().do_GET()
            return
        try:
            body = fs_path.read_bytes()
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND)
            return
        self.send_bytes(inject(body), "text/html; charset=utf-8")

    def events(self) -> None:
        """Server-Sent Events: ``hello`` with the state at once, then ``warnings`` and ``reload``
        after every build; a comment every 15 s keeps the connection open."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        state = self.state
        try:
            with state.changed:
                seen = state.build
                snap = state.snapshot()
            self.sse("hello", snap, retry=300)
            while True:
                with state.changed:
                    state.changed.wait_for(functools.partial(state.moved, seen), timeout=15)
                    snap = state.snapshot()
                if snap["build"] != seen:
                    seen = snap["build"]
                    self.sse("warnings", snap)
                    self.sse("reload", snap)
                elif snap["building"]:
                    self.sse("building", snap)
                    with state.changed:
                        state.changed.wait_for(lambda: not state.building, timeout=600)
                else:
                    self.wfile.write(b": still here\n\n")
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            return

    def sse(self, event: str, data: dict[str, Any], retry: int | None = None) -> None:
        head = f"retry: {retry}\n" if retry is not None else ""
        self.wfile.write(f"{head}event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode())
        self.wfile.flush()


def serve(opts: Options, state: State) -> ThreadingHTTPServer:
    handler = type("PreviewHandler", (Handler,), {"state": state})
    server = ThreadingHTTPServer((opts.host, opts.port), functools.partial(handler, directory=str(opts.outdir)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="mlnotes-preview-http", daemon=True).start()
    return server


# ------------------------------------------------------------------------------ the loop


def settled_changes(opts: Options, known: dict[str, int], stop: threading.Event,
                    idle: Callable[[], None] | None = None) -> Iterator[tuple[list[str], dict[str, int]]]:
    """Each time the sources changed and then stayed still for one poll: (changed paths, new state).
    *idle* is called once when nothing changed for :data:`IDLE` seconds after that."""
    still = 0
    while not stop.wait(POLL):
        now = scan(opts)
        if now == known:
            still += 1
            if idle is not None and still == int(IDLE / POLL):
                idle()
            continue
        still = 0
        while not stop.wait(POLL):  # debounce: an editor's save may be several writes
            later = scan(opts)
            if later == now:
                break
            now = later
        yield changed_paths(known, now), now
        known = now


def restart(opts: Options, reason: str, server: ThreadingHTTPServer) -> None:
    """Start this preview again in a fresh interpreter (same arguments, same port: the one bound,
    when ``--port 0`` asked for any)."""
    print(f"mlnotes preview: {reason} changed; restarting", file=sys.stderr, flush=True)
    port = server.server_address[1]
    server.shutdown()
    server.server_close()
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "mlnotes.frontend.preview", *opts.sphinx_argv,
                              "--host", opts.host, "--port", str(port)])


def main(argv: list[str] | None = None, stop: threading.Event | None = None) -> int:
    """Run the preview until interrupted (or until *stop* is set, for tests)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    opts = parse_args(argv)
    stop = stop or threading.Event()
    state = State()
    builder = Builder(opts, state)
    opts.outdir.mkdir(parents=True, exist_ok=True)
    server = serve(opts, state)
    host, port = server.server_address[:2]
    print(f"mlnotes preview: serving {opts.outdir} on http://{host!s}:{port}/",
          file=sys.stderr, flush=True)
    known = scan(opts)
    head = git_head(opts.srcdir)
    builder.build()
    try:
        for paths, _now in settled_changes(opts, known, stop, idle=builder.tidy):
            reason = needs_restart(opts, paths, builder.templates)
            if reason is None and git_head(opts.srcdir) != head:
                reason = "the commit checked out"  # the "last updated" dates come from git
            if reason is not None:
                builder.close()
                restart(opts, reason, server)
            shown = ", ".join(os.path.relpath(p, opts.srcdir) for p in paths[:3])
            print(f"mlnotes preview: changed: {shown}{' …' if len(paths) > 3 else ''}", file=sys.stderr, flush=True)
            builder.build()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
        builder.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
