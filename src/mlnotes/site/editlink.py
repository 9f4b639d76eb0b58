"""An "edit this page" link to the page's source on GitHub or GitLab.

The repository is, in order: ``mlnotes_repository_url``, ``READTHEDOCS_GIT_CLONE_URL`` (set by
Read the Docs), ``git remote get-url origin``.  Only GitHub and GitLab addresses are understood
(their edit URLs differ); anything else, or nothing, means no link rather than a guessed one.
The branch is ``READTHEDOCS_GIT_IDENTIFIER``, else the checked-out branch, else ``main``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from docutils import nodes
from sphinx.application import Sphinx

from mlnotes.core.config import get_config
from mlnotes.site.lastupdated import git

_APP_ATTR = "_mlnotes_repository"


@dataclass(frozen=True)
class Repository:
    host: str  # "GitHub" or "GitLab"
    web: str  # https://github.com/owner/name, no trailing slash
    branch: str
    #: the Sphinx source directory inside the repository ("" at its top)
    subdir: str

    def edit_url(self, path: str) -> str:
        where = "/".join(p for p in (self.subdir, path) if p)
        middle = "/edit/" if self.host == "GitHub" else "/-/edit/"
        return f"{self.web}{middle}{quote(self.branch, safe='')}/{quote(where)}"


def web_address(url: str) -> tuple[str, str] | None:
    """(host name, https address) of a GitHub/GitLab clone or web URL, without credentials."""
    url = url.strip()
    scp = re.fullmatch(r"(?:[\w.-]+@)?([\w.-]+):(?!//)([^\s]+)", url)  # git@github.com:o/r.git
    if scp:
        host, path = scp.group(1), scp.group(2)
    else:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http", "ssh", "git") or not parts.hostname:
            return None
        host, path = parts.hostname, parts.path
    path = re.sub(r"\.git/?$", "", path.strip("/")).strip("/")
    if path.count("/") < 1 or not re.fullmatch(r"[\w.~/-]+", path):
        return None
    host = host.lower()
    if host == "github.com":
        return "GitHub", f"https://github.com/{path}"
    if host == "gitlab.com" or host.startswith("gitlab."):
        return "GitLab", f"https://{host}/{path}"
    return None


def find_repository(app: Sphinx) -> Repository | None:
    srcdir = Path(app.srcdir)
    candidates = [
        get_config(app.config).repository_url,
        os.environ.get("READTHEDOCS_GIT_CLONE_URL", ""),
    ]
    found = next((w for w in (web_address(c) for c in candidates if c) if w), None)
    if found is None:
        remote = git(["remote", "get-url", "origin"], srcdir)
        found = web_address(remote) if remote else None
    if found is None:
        return None
    branch = os.environ.get("READTHEDOCS_GIT_IDENTIFIER", "").strip()
    if not branch:
        head = (git(["rev-parse", "--abbrev-ref", "HEAD"], srcdir) or "").strip()
        branch = head if head and head != "HEAD" else "main"
    top = (git(["rev-parse", "--show-toplevel"], srcdir) or "").strip()
    try:
        subdir = srcdir.resolve().relative_to(Path(top).resolve()).as_posix() if top else ""
    except ValueError:
        subdir = ""
    return Repository(found[0], found[1], branch, "" if subdir == "." else subdir)


def _load(app: Sphinx) -> None:
    setattr(app, _APP_ATTR, find_repository(app))


def edit_url(app: Sphinx, docname: str) -> str | None:
    repo: Repository | None = getattr(app, _APP_ATTR, None)
    if repo is None or docname not in app.env.found_docs:
        return None
    try:
        path = Path(app.env.doc2path(docname)).relative_to(app.srcdir).as_posix()
    except ValueError:
        return None
    return repo.edit_url(path)


def _page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    if app.builder.format != "html":
        return
    repo: Repository | None = getattr(app, _APP_ATTR, None)
    url = edit_url(app, pagename)
    context["mlnotes_edit_url"] = url
    context["mlnotes_edit_host"] = repo.host if repo and url else None


def setup_editlink(app: Sphinx) -> None:
    app.connect("builder-inited", _load)
    # before pydata-sphinx-theme (500) drops footer templates that render empty
    app.connect("html-page-context", _page_context, priority=400)
