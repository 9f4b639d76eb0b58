"""``python -m mlnotes.frontend [sphinx-build arguments]`` — ``sphinx-build`` that returns at once when
nothing it reads has changed since the last clean build.

An unchanged rebuild with plain ``sphinx-build`` at a thousand posts still costs several seconds:
importing Sphinx and every extension, unpickling the build environment, re-dumping the search index.
This front end does what ``make`` does for a C program: before importing Sphinx it compares a
fingerprint of every input of the last successful, warning-free build with the present state, and
only when something differs does it run ``sphinx-build`` (in this process, with the same arguments).

The fingerprint covers

* the arguments, the working directory and the interpreter;
* the environment variables Sphinx and the site read: names starting with one of
  :data:`ENV_PREFIXES`, plus every name written as a string literal in ``conf.py`` (so
  ``os.environ.get("READTHEDOCS_CANONICAL_URL")`` there is covered);
* every file under the source and configuration directories (path, size, modification time), except
  the output and doctree directories, ``_build``, hidden directories, virtual environments,
  ``node_modules`` and ``__pycache__``;
* the files outside the source directory that the build used, as the ``mlnotes`` extension records
  them at ``build-finished`` (Sphinx's per-document dependencies, template and static directories,
  and the file of every Python module loaded) and the site-packages directories (installing or
  upgrading a package changes them);
* the programs the build runs besides Python: Graphviz's ``dot`` (the ``{diagram}`` figures),
  by the file it resolves to (an upgrade changes its size or time);
* the commit checked out (``git`` HEAD: the "last updated" dates come from git);
* the output directory itself (a deleted or edited output page forces a build);
* the clock: a post dated in the future is published by the first build after its date.

When the code changed — an installed package, or a Python module, template or static file outside
the sources (the extension itself, say) — Sphinx's own bookkeeping would keep every page whose
source did not change, though the new code may write it differently: the front end then reads
everything again (``-E``), so the output is what a clean build of the new code gives.

Anything this front end cannot interpret — ``-M`` make mode, ``-E``, ``-a``, ``-C``, explicit file
names, an unknown option — is passed straight to ``sphinx-build`` and no fingerprint is kept.  A
build that fails or warns leaves no fingerprint either, so the next run builds again and shows the
warnings again.  This module imports only the standard library until it hands over to Sphinx.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: the fingerprint of the last clean build, kept in the doctree directory
STAMP = "mlnotes-uptodate.json"
#: what the extension records at build-finished (see :mod:`mlnotes.buildinfo`)
INFO = "mlnotes-build-info.json"
#: why the last build ran, and whether it was recorded as clean
REASON = "mlnotes-build-log.txt"
REASONS_KEPT = 20
STAMP_VERSION = 1

ENV_PREFIXES = ("SPHINX", "READTHEDOCS", "MLNOTES", "PYTHON", "SOURCE_DATE_EPOCH", "LANG", "LC_", "TZ")
SKIP_DIRS = {"_build", "node_modules", "__pycache__"}

#: options taking a value (long and short spellings)
VALUE_OPTIONS = {"--builder", "-b", "--jobs", "-j", "--doctree-dir", "-d", "--conf-dir", "-c", "--define",
                 "-D", "--html-define", "-A", "--tag", "-t", "--warning-file", "-w"}
QUIET_FLAGS = {"--quiet", "-q", "--silent", "-Q"}
#: flags that only change what is printed, not what is built: left out of the fingerprint
DISPLAY_FLAGS = {"--verbose", "-v", "--color", "--no-color", "-N", "--show-traceback", "-T", "--pdb", "-P",
                 *QUIET_FLAGS}
KNOWN_FLAGS = {"--nitpicky", "-n", "--fail-on-warning", "-W", "--keep-going", "--exception-on-warning",
               *DISPLAY_FLAGS}
#: the long spelling of each short flag that matters to the build
LONG_FLAGS = {"-n": "--nitpicky", "-W": "--fail-on-warning"}
SHORT_VALUE = {o[1] for o in VALUE_OPTIONS if len(o) == 2}
SHORT_FLAGS = {o[1] for o in KNOWN_FLAGS if len(o) == 2}


@dataclass
class Invocation:
    """The parts of a ``sphinx-build`` command line the fingerprint needs."""

    srcdir: Path
    outdir: Path
    doctreedir: Path
    confdir: Path
    warning_file: Path | None = None
    quiet: bool = False
    #: what the build depends on in the command line: options (jobs and warning file aside) and flags
    key: list[object] = field(default_factory=list)


def parse(argv: list[str]) -> Invocation | None:
    """The invocation, or None when it is one this front end leaves to Sphinx alone."""
    positional: list[str] = []
    options: dict[str, list[str]] = {}
    flags: set[str] = set()
    i = 0
    while i < len(argv):
        arg = argv[i]
        i += 1
        if arg == "--":
            positional += argv[i:]
            break
        if not arg.startswith("-") or arg == "-":
            positional.append(arg)
            continue
        if arg.startswith("--"):
            name, eq, value = arg.partition("=")
            if name in VALUE_OPTIONS:
                if not eq:
                    if i >= len(argv):
                        return None
                    value, i = argv[i], i + 1
                options.setdefault(_canonical(name), []).append(value)
            elif name in KNOWN_FLAGS and not eq:
                flags.add(name)
            else:
                return None  # -E/-a/-C, --help, --version, or something new: Sphinx decides
            continue
        # short options, possibly bundled (-nW) or with an attached value (-j2, -bhtml)
        letters = arg[1:]
        while letters:
            letter, letters = letters[0], letters[1:]
            if letter in SHORT_VALUE:
                if not letters:
                    if i >= len(argv):
                        return None
                    letters, i = argv[i], i + 1
                options.setdefault(_canonical("-" + letter), []).append(letters)
                letters = ""
            elif letter in SHORT_FLAGS:
                flags.add("-" + letter)
            else:
                return None  # -M, -E, -a, -C, -h, or unknown
    if len(positional) != 2:  # explicit file names: a partial build, not worth a fingerprint
        return None
    srcdir, outdir = (Path(p).resolve() for p in positional)
    doctreedir = Path(options["doctree-dir"][-1]).resolve() if "doctree-dir" in options else outdir / ".doctrees"
    confdir = Path(options["conf-dir"][-1]).resolve() if "conf-dir" in options else srcdir
    warning_file = Path(options["warning-file"][-1]).resolve() if "warning-file" in options else None
    quiet = bool(flags & QUIET_FLAGS)
    key: list[object] = [str(srcdir), str(outdir), str(doctreedir), str(confdir),
           sorted((k, v) for k, v in options.items() if k not in ("jobs", "warning-file")),
           sorted({LONG_FLAGS.get(f, f) for f in flags - DISPLAY_FLAGS})]
    return Invocation(srcdir, outdir, doctreedir, confdir, warning_file, quiet, key)


def _canonical(name: str) -> str:
    long = {"-b": "builder", "-j": "jobs", "-d": "doctree-dir", "-c": "conf-dir", "-D": "define",
            "-A": "html-define", "-t": "tag", "-w": "warning-file"}
    return long.get(name, name.lstrip("-"))


# ------------------------------------------------------------------------------ fingerprints


def _digest(items: object) -> str:
    return hashlib.sha256(json.dumps(items, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _is_venv(path: str) -> bool:
    return os.path.exists(os.path.join(path, "pyvenv.cfg"))


def walk(root: Path, skip: set[Path]) -> list[tuple[str, int, int]]:
    """(relative path, size, mtime in ns) of every file under *root*, hidden and build directories skipped."""
    found: list[tuple[str, int, int]] = []
    stack = [str(root)]
    skip_str = {str(p) for p in skip}
    base = len(str(root)) + 1
    while stack:
        top = stack.pop()
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if (entry.name.startswith(".") or entry.name in SKIP_DIRS or entry.path in skip_str
                        or _is_venv(entry.path)):
                    continue
                stack.append(entry.path)
            elif entry.is_file():
                try:
                    st = entry.stat()
                except OSError:  # removed while we looked (an editor's temporary file)
                    continue
                found.append((entry.path[base:], st.st_size, st.st_mtime_ns))
    found.sort()
    return found


def stat_files(paths: list[str]) -> list[tuple[str, int, int]]:
    out = []
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:
            out.append((p, -1, -1))
        else:
            out.append((p, st.st_size, st.st_mtime_ns))
    return out


def git_head(start: Path) -> str:
    """The commit checked out in the repository holding *start* ('' outside git)."""
    for folder in (start, *start.parents):
        git = folder / ".git"
        if git.is_file():  # a worktree: "gitdir: <path>"
            text = git.read_text(encoding="utf-8").strip()
            if text.startswith("gitdir:"):
                git = (folder / text[len("gitdir:"):].strip()).resolve()
        if not git.is_dir():
            continue
        try:
            head = (git / "HEAD").read_text(encoding="utf-8").strip()
        except OSError:
            return ""
        if not head.startswith("ref:"):
            return head
        ref = head[4:].strip()
        for gitdir in (git, _common_dir(git)):
            path = gitdir / ref
            if path.is_file():
                return f"{ref} {path.read_text(encoding='utf-8').strip()}"
            packed = gitdir / "packed-refs"
            if packed.is_file():
                for line in packed.read_text(encoding="utf-8").splitlines():
                    if line.endswith(" " + ref):
                        return f"{ref} {line.split()[0]}"
        return head
    return ""


def _common_dir(git: Path) -> Path:
    common = git / "commondir"
    return (git / common.read_text(encoding="utf-8").strip()).resolve() if common.is_file() else git


def env_names(confdir: Path) -> list[str]:
    """Environment variables the build may read: by prefix, or named as a string literal in conf.py."""
    names = {n for n in os.environ if n.startswith(ENV_PREFIXES)}
    conf = confdir / "conf.py"
    try:
        text = conf.read_text(encoding="utf-8")
    except OSError:
        text = ""
    names.update(re.findall(r"""["']([A-Za-z_][A-Za-z0-9_]*)["']""", text))
    return sorted(names)


def package_dirs() -> list[str]:
    """Where installed packages live: installing, upgrading or removing one changes these directories."""
    import site

    dirs = [*site.getsitepackages(), site.getusersitepackages()]
    return sorted({d for d in dirs if os.path.isdir(d)})


#: programs a build may run (mlnotes.figures draws diagrams with Graphviz)
PROGRAMS = ("dot",)


def programs() -> list[str]:
    """The files of :data:`PROGRAMS` as installed (symbolic links followed)."""
    import shutil

    found = (shutil.which(name) for name in PROGRAMS)
    return sorted(os.path.realpath(path) for path in found if path)


def inputs(inv: Invocation) -> dict[str, str]:
    """Fingerprints of everything known before the build starts."""
    skip = {inv.outdir, inv.doctreedir}
    trees = [walk(inv.srcdir, skip)]
    if inv.confdir != inv.srcdir:
        trees.append(walk(inv.confdir, skip))
    return {
        "command": _digest([inv.key, os.getcwd(), sys.executable, sys.version]),
        "environment": _digest({n: os.environ.get(n) for n in env_names(inv.confdir)}),
        "git": git_head(inv.srcdir),
        "packages": _digest(stat_files(package_dirs())),
        "programs": _digest(stat_files(programs())),
        "sources": _digest(trees),
    }


def outputs(inv: Invocation) -> str:
    return _digest(walk(inv.outdir, {inv.doctreedir}))


# ------------------------------------------------------------------------------- the stamp


def load_stamp(inv: Invocation) -> dict[str, Any] | None:
    try:
        stamp = json.loads((inv.doctreedir / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) and stamp.get("version") == STAMP_VERSION else None


def why_stale(inv: Invocation, now: float) -> tuple[str | None, dict[str, str]]:
    """(the first input that differs from the last clean build, or None; the present inputs)."""
    present = inputs(inv)
    stamp = load_stamp(inv)
    if stamp is None:
        return "no record of a clean build", present
    for key, value in present.items():
        if stamp["inputs"].get(key) != value:
            return f"{key} changed", present
    until = stamp.get("valid_until")
    if until is not None and now >= until:
        return "a post dated in the future is now due", present
    if _digest(stat_files(stamp["files"])) != stamp["files_digest"]:
        return "files outside the source directory changed (extensions, templates, dependencies)", present
    if outputs(inv) != stamp["outputs"]:
        return "the output directory changed", present
    return None, present


def write_stamp(inv: Invocation, present: dict[str, str], started: float) -> str | None:
    """Record a clean build.  Returns why it was not recorded (None when it was): the extension
    left no record, or an input changed while the build ran (its new state was perhaps not read)."""
    try:
        info = json.loads((inv.doctreedir / INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "the mlnotes extension left no build record (is it in conf.py's extensions?)"
    files = sorted(set(info.get("files", [])))
    stats = stat_files(files)
    touched = [path for path, _, mtime in stats if mtime >= started * 1e9]
    if touched:
        return f"{len(touched)} file(s) used by the build changed while it ran, e.g. {touched[0]}"
    after = inputs(inv)
    if after != present:
        return "inputs changed while the build ran: " + ", ".join(k for k in present if after.get(k) != present[k])
    stamp = {
        "version": STAMP_VERSION,
        "inputs": present,
        "files": files,
        "files_digest": _digest(stats),
        "valid_until": info.get("valid_until"),
        "outputs": outputs(inv),
    }
    (inv.doctreedir / STAMP).write_text(json.dumps(stamp, ensure_ascii=False), encoding="utf-8")
    return None


def _say(inv: Invocation, message: str) -> None:
    if not inv.quiet:
        print(f"mlnotes: {message}", flush=True)


def run_sphinx(argv: list[str]) -> int:
    from sphinx.cmd.build import main as sphinx_main

    return sphinx_main(argv)


#: the reasons of :func:`why_stale` that mean the code changed, not the sources
CODE_CHANGES = ("packages changed", "files outside the source directory changed")
#: what the extension keeps in the doctree directory to skip unchanged listing pages
#: (:data:`mlnotes.site.listings.MANIFEST`): forgotten with the environment when the code changed
BOOKKEEPING = ("mlnotes-pages.json",)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    inv = parse(argv)
    if inv is None:
        return run_sphinx(argv)
    started = time.time()
    reason, present = why_stale(inv, started)
    if reason is None:
        _say(inv, f"nothing changed since the last clean build ({time.time() - started:.2f} s to check); "
                  f"{inv.outdir} is up to date. Pass -E or -a to build anyway.")
        return 0
    if reason.startswith(CODE_CHANGES) and "-E" not in argv:
        argv = ["-E", *argv]
        for name in BOOKKEEPING:
            (inv.doctreedir / name).unlink(missing_ok=True)
        reason += "; reading every document again"
    _say(inv, f"building: {reason}")
    (inv.doctreedir / STAMP).unlink(missing_ok=True)
    (inv.doctreedir / INFO).unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="mlnotes-build-") as tmp:
        # Sphinx writes warnings to this file as well as to stderr: a clean build leaves it empty
        warning_file = inv.warning_file or Path(tmp) / "warnings.txt"
        code = run_sphinx(argv if inv.warning_file else ["-w", str(warning_file), *argv])
        if code != 0:
            unrecorded: str | None = f"sphinx-build exited with status {code}"
        elif not warning_file.is_file() or warning_file.read_text(encoding="utf-8").strip():
            unrecorded = "the build warned"
        else:
            unrecorded = write_stamp(inv, present, started)
    note_reason(inv, reason, unrecorded)
    return code


def note_reason(inv: Invocation, reason: str, unrecorded: str | None) -> None:
    """Why this build ran and whether the next one may be skipped, for whoever wonders (the
    last :data:`REASONS_KEPT` builds, newest last)."""
    if not inv.doctreedir.is_dir():
        return
    path = inv.doctreedir / REASON
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    clean = "yes" if unrecorded is None else f"no ({unrecorded})"
    lines.append(f"{time.strftime('%Y-%m-%d %H:%M:%S')} built because {reason}; recorded as clean: {clean}")
    path.write_text("\n".join(lines[-REASONS_KEPT:]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
