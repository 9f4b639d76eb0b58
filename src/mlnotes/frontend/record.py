"""What ``python -m mlnotes.frontend`` needs to know about a finished build, written next to the doctrees.

The front end (:mod:`mlnotes.frontend`) fingerprints the source directory itself; what it cannot
know without importing Sphinx is recorded here at ``build-finished``:

* ``files``: the files outside the source tree the build used — Sphinx's per-document
  dependencies, the template, static and extra directories of the configuration, this package's
  own files (templates, static files, translations, code) and the file of every Python module
  loaded in the main process;
* ``valid_until``: the moment (seconds since the epoch) the earliest future-dated post becomes
  due, when the listings must be built again although no file changed.

It also guards against a build that was killed (``kill -9``, a power cut): a marker file is
written when a build starts and removed when it finishes.  A build that finds the marker knows
the last one stopped half-way — its environment may already say "written" for pages it never
wrote — and reads and writes every document again, and renders every generated page, so its
result is a clean build's.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sphinx.util import logging

from mlnotes.core.records import get_posts
from mlnotes.facets.runtime import get_runtime
from mlnotes.frontend.build import INFO
from mlnotes.site.base import now_in_site_tz
from mlnotes.site.listings import forget_rendered

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

PACKAGE = Path(__file__).parents[1]


def _files_under(folder: Path) -> list[str]:
    return [os.path.join(top, name) for top, _dirs, names in os.walk(folder) for name in names
            if "__pycache__" not in top]


def used_files(app: Sphinx) -> list[str]:
    srcdir, confdir = Path(app.srcdir), Path(app.confdir)
    found: set[str] = set()
    for deps in app.env.dependencies.values():
        found.update(str((srcdir / d).resolve()) for d in deps)
    config = app.config
    for name in ("templates_path", "html_static_path", "html_extra_path", "locale_dirs"):
        for entry in getattr(config, name, None) or []:
            path = (confdir / entry).resolve()
            if path.is_dir():
                found.update(_files_under(path))
            elif path.is_file():
                found.add(str(path))
    found.update(_files_under(PACKAGE))
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if isinstance(file, str) and os.path.isfile(file):
            found.add(os.path.abspath(file))
    return sorted(found)


def valid_until(app: Sphinx) -> float | None:
    """When the earliest post dated in the future becomes due (None when there is none)."""
    runtime = get_runtime(app.env)
    now = now_in_site_tz(runtime)
    due = [r.when for r in get_posts(app.env).values() if r.when is not None and r.when > now]
    if not due:
        return None
    first: datetime = min(due)
    return first.replace(tzinfo=runtime.config.tzinfo).timestamp()


#: present while a build runs; found at the start of a build, it says the last one was killed
RUNNING = "mlnotes-build-running"
_INTERRUPTED = "_mlnotes_last_build_interrupted"


def _started(app: Sphinx) -> None:
    marker = Path(app.doctreedir) / RUNNING
    if marker.exists():
        app.__dict__[_INTERRUPTED] = True
        forget_rendered(app)  # every listing page and feed rendered again
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(str(os.getpid()), encoding="utf-8")


def _after_interruption(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                        removed: set[str]) -> list[str]:
    """After a killed build: every document again."""
    if not app.__dict__.get(_INTERRUPTED):
        return []
    logger.info("mlnotes: the last build was interrupted; reading and writing every document again")
    return sorted(env.found_docs)


def _finished(app: Sphinx, exc: BaseException | None) -> None:
    if exc is not None:
        return
    (Path(app.doctreedir) / RUNNING).unlink(missing_ok=True)
    info = {"files": used_files(app), "valid_until": valid_until(app)}
    Path(app.doctreedir).mkdir(parents=True, exist_ok=True)
    (Path(app.doctreedir) / INFO).write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")


def setup_buildinfo(app: Sphinx) -> None:
    app.connect("builder-inited", _started)
    app.connect("env-get-outdated", _after_interruption)
    # last, so that every other build-finished handler (sitemap, search fixes) has run
    app.connect("build-finished", _finished, priority=900)
