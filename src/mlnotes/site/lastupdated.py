""""Last updated" from git: one ``git log`` per build maps every source file to the date of the
last commit that touched it.  The date is shown at the foot of every page (the
``mlnotes-last-updated`` template) and goes into ``sitemap.xml``'s ``lastmod``.

No git, a file git does not know (new, uncommitted), or a file whose only commit is the cut-off
of a shallow clone (where git cannot say when it last changed): no date, and no warning.

A document whose date changed since the last build (it was committed) is re-read, so its page
shows the new date; nothing else is made outdated.
"""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parents[1] / "templates"
_APP_ATTR = "_mlnotes_git_dates"
#: docname → ISO date shown by the last build (on the environment, so it survives)
ENV_ATTR = "mlnotes_git_dates_shown"


def git(args: list[str], cwd: str | Path) -> str | None:
    """Output of ``git <args>`` in *cwd*, or None when git is missing or fails."""
    try:
        done = subprocess.run(["git", "-c", "core.quotepath=false", *args], cwd=cwd, capture_output=True,
                              text=True, encoding="utf-8", timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def parse_log(text: str, boundaries: set[str]) -> dict[str, str]:
    """``git log --format=%x01%H %cI --name-only`` output → path → ISO date of its newest commit.

    Paths seen first in a shallow clone's boundary commit are left out: git lists every file
    there as added, so that commit says nothing about when they last changed."""
    dates: dict[str, str] = {}
    seen: set[str] = set()
    commit, date = "", ""
    for line in text.splitlines():
        if line.startswith("\x01"):
            commit, _, date = line[1:].partition(" ")
            continue
        path = line.strip()
        if not path or path in seen:
            continue
        seen.add(path)
        if commit not in boundaries:
            dates[path] = date
    return dates


def source_dates(srcdir: str | Path) -> dict[str, str]:
    """Path relative to *srcdir* → ISO date (with offset) of the last commit changing it."""
    inside = git(["rev-parse", "--is-inside-work-tree"], srcdir)
    if inside is None or inside.strip() != "true":
        return {}
    boundaries: set[str] = set()
    if (git(["rev-parse", "--is-shallow-repository"], srcdir) or "").strip() == "true":
        shallow = (git(["rev-parse", "--git-path", "shallow"], srcdir) or "").strip()
        try:
            boundaries = set((Path(srcdir) / shallow).read_text(encoding="utf-8").split())
        except OSError:
            return {}  # shallow but no boundary list: trust nothing
    log = git(["log", "--format=%x01%H %cI", "--name-only", "--no-renames", "--relative", "--", "."], srcdir)
    return parse_log(log, boundaries) if log else {}


def _load(app: Sphinx) -> None:
    setattr(app, _APP_ATTR, source_dates(app.srcdir))


def dates_by_path(app: Sphinx) -> dict[str, str]:
    return getattr(app, _APP_ATTR, None) or {}


def doc_date(app: Sphinx, docname: str) -> str | None:
    """ISO date-time of the last commit of *docname*'s source, or None."""
    try:
        path = Path(app.env.doc2path(docname)).relative_to(app.srcdir).as_posix()
    except ValueError:
        return None
    return dates_by_path(app).get(path)


def _outdated(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    shown: dict[str, str | None] = env.__dict__.get(ENV_ATTR, {})
    now = {d: doc_date(app, d) for d in env.found_docs}
    env.__dict__[ENV_ATTR] = now
    return sorted(d for d in now if d in shown and shown[d] != now[d] and d not in added | changed)


def display(iso: str, fmt: str | None) -> str:
    return datetime.fromisoformat(iso).strftime(fmt or "%Y-%m-%d")


def _page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    if app.builder.format != "html":
        return
    iso = doc_date(app, pagename) if pagename in app.env.found_docs else None
    fmt = app.config.html_last_updated_fmt
    # the theme's own "last updated" (meta docbuild:last-update) would otherwise be the build time
    context["last_updated"] = display(iso, fmt) if iso else None
    context["mlnotes_last_updated"] = {"iso": iso, "text": display(iso, fmt)} if iso else None


def _templates(app: Sphinx, config: Config) -> None:
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path.append(str(TEMPLATES))


def setup_lastupdated(app: Sphinx) -> None:
    app.connect("config-inited", _templates)
    app.connect("builder-inited", _load)
    app.connect("env-get-outdated", _outdated)
    # before pydata-sphinx-theme (500) drops footer templates that render empty
    app.connect("html-page-context", _page_context, priority=400)
