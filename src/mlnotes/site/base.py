"""What every part of the site shares: which builders we write for, the site's clock, its
titles and base URL, URL arithmetic between pages, one cache per write phase, and the one way
files are written (only when their bytes changed, never half-written)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util.osutil import relative_uri

from mlnotes.compat.sphinx import set_in_conf
from mlnotes.facets.runtime import Runtime, get_runtime

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

    from mlnotes.facets.base import Facet

T = TypeVar("T")
#: pagename → URL relative to the page being written
UrlFor = Callable[[str], str]
_WRITE_CACHE = "_mlnotes_write_phase"


def html_builder(app: Sphinx) -> bool:
    """The builders whose pages carry our listings, headers and sidebars (not EPUB, not LaTeX)."""
    return app.builder.format == "html" and app.builder.name in ("html", "dirhtml")


def html_page_builder(app: Sphinx) -> StandaloneHTMLBuilder:
    """The builder as the HTML builder it is when :func:`html_builder` (or EPUB, which is one
    too) holds: the type that has ``get_outfilename``, ``handle_page`` and ``out_suffix``."""
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder):
        raise TypeError(f"mlnotes: {builder.name!r} is no HTML builder")
    return builder


def now_in_site_tz(runtime: Runtime) -> datetime:
    """Now, as a naive date-time in ``mlnotes_timezone`` (what post dates are written in)."""
    return datetime.now(runtime.config.tzinfo).replace(tzinfo=None)


def blog_title(config: Config) -> str:
    """The site's name in feeds, BibTeX entries and citation meta tags: ``blog_title``, else
    ``html_title``, else ``project``; each only when conf.py sets it, so a site that sets neither
    of the first two is not called by ablog's default "Blog" (nor by Sphinx's "<project>
    <release> documentation")."""
    for name in ("blog_title", "html_title"):
        value = getattr(config, name, "")
        if value and set_in_conf(config, name):
            return str(value)
    return str(config.project)


def site_name(config: Config) -> str:
    """The site's name as pages show it (OpenGraph ``og:site_name``)."""
    return str(config.html_title or getattr(config, "blog_title", "") or config.project)


def site_url(app: Sphinx) -> str:
    """``html_baseurl`` ending in ``/`` ('' when unset)."""
    base = str(app.config.html_baseurl or "")
    return base if not base or base.endswith("/") else base + "/"


def write_if_changed(path: Path, data: bytes | str) -> bool:
    """Write *data* to *path* unless the file already holds exactly it; return whether it was
    written.  The new content goes to a temporary file that replaces the old one in one rename,
    so a build killed midway never leaves a half-written file."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if path.is_file() and path.read_bytes() == raw:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".mlnotes-tmp")
    tmp.write_bytes(raw)
    os.replace(tmp, path)
    return True


def write_page_if_changed(app: Sphinx, pagename: str, ctx: dict[str, Any], template: str,
                          transform: Callable[[str], str] | None = None) -> bool:
    """What ``html-collect-pages`` does with a page (render *template* in the theme), but the
    file is only replaced when it differs.  *transform* may rewrite the rendered HTML."""
    builder = html_page_builder(app)
    final = Path(builder.get_outfilename(pagename))
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(final.name + ".mlnotes-render")
    builder.handle_page(pagename, ctx, template, outfilename=tmp)
    text = tmp.read_bytes()
    tmp.unlink()
    if transform is not None:
        text = transform(text.decode("utf-8")).encode("utf-8")
    return write_if_changed(final, text)


class Site:
    """URL arithmetic for one build."""

    def __init__(self, app: Sphinx) -> None:
        self.app = app
        self.runtime = get_runtime(app.env)
        self.cfg = self.runtime.config

    def term_page(self, facet: Facet, slug: str) -> str:
        return f"{self.cfg.topics_path}/{facet.name}/{slug}"

    def facet_index(self, facet: Facet) -> str:
        return f"{self.cfg.topics_path}/{facet.name}/index"

    @property
    def overview(self) -> str:
        return f"{self.cfg.topics_path}/index"

    @property
    def latest_base(self) -> str:
        return f"{self.cfg.topics_path}/latest"

    def feed_path(self, facet: Facet | None = None, slug: str | None = None) -> str:
        if facet is None:
            return f"{self.cfg.feeds_path}/atom.xml"
        return f"{self.cfg.feeds_path}/{facet.name}/{slug}.xml"

    def url_from(self, from_page: str) -> UrlFor:
        builder = self.app.builder
        base = builder.get_target_uri(from_page)

        def url(target: str) -> str:
            to = target if target.endswith(".xml") else builder.get_target_uri(target)
            return relative_uri(base, to)

        return url


def template_digest(app: Sphinx) -> str:
    """A fingerprint of which template files exist (the theme's, ours, the site's): Sphinx
    rewrites pages when a template is newer than them, but not when one is deleted (a site's
    override removed), so a deletion is caught by this set changing."""
    templates = getattr(app.builder, "templates", None)
    # a set: the chain may name a folder twice (pydata-sphinx-theme adds its components again)
    folders = {Path(p) for p in getattr(templates, "pathchain", [])}
    names = sorted({f"{folder}:{f.relative_to(folder).as_posix()}" for folder in folders if folder.is_dir()
                    for f in folder.rglob("*") if f.is_file() and "__pycache__" not in f.parts})
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def once_per_write(app: Sphinx, key: str, compute: Callable[[], T]) -> T:
    """A value derived from all post records (the published posts, the sidebars' data …),
    computed once per write phase (once per worker process in a parallel write) instead of once
    per page; forgotten at env-updated, when the records may have changed."""
    cache: dict[str, Any] = app.__dict__.setdefault(_WRITE_CACHE, {})
    if key not in cache:
        cache[key] = compute()
    return cast(T, cache[key])  # what compute() gave for this key


def _forget_write_phase(app: Sphinx, env: BuildEnvironment) -> list[str]:
    app.__dict__.pop(_WRITE_CACHE, None)
    return []


def setup_base(app: Sphinx) -> None:
    app.connect("env-updated", _forget_write_phase)
