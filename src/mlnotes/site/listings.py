"""Generated pages: the topics overview, one paginated page per term, the paginated home list.

Pages are rendered with the theme's ``page.html`` and written only when their HTML changed,
so an edit that no listing shows rewrites no listing page.  A manifest of what we wrote lets
the next build delete pages of terms that no longer exist.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from functools import partial
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import OptionSpec

from mlnotes.core.i18n import _
from mlnotes.core.listing import page_name, paginate, published
from mlnotes.core.records import PostRecord, doc_store, get_posts
from mlnotes.core.version import __version__
from mlnotes.facets import Facet
from mlnotes.facets.base import PageLinks
from mlnotes.facets.runtime import get_runtime
from mlnotes.site import render
from mlnotes.site.base import (
    Site,
    UrlFor,
    blog_title,
    html_builder,
    html_page_builder,
    now_in_site_tz,
    once_per_write,
    template_digest,
    write_if_changed,
    write_page_if_changed,
)
from mlnotes.site.citing import write_posts_bib
from mlnotes.site.diagrams import inline_diagram
from mlnotes.site.feeds import write_feeds
from mlnotes.site.sidebars import sidebar_digest

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

#: what the last build generated (files, page keys, feed keys), kept next to the doctrees: it is
#: bookkeeping, not part of the published site
MANIFEST = "mlnotes-pages.json"
#: where older versions kept it, in the output directory (removed when found)
OLD_MANIFEST = ".mlnotes-pages.json"


# ------------------------------------------------------------------------- home page list


class latest_node(nodes.General, nodes.Element):
    """Placeholder for the newest posts; filled in when the page is written."""


class LatestDirective(SphinxDirective):
    """``{mlnotes-latest}``: page 1 of the newest posts as cards; later pages are generated."""

    has_content = False
    option_spec: ClassVar[OptionSpec] = {"class": directives.class_option}

    def run(self) -> list[nodes.Node]:
        doc_store(self.env).latest_docs.add(self.env.docname)  # dropped and merged by the collector
        return [latest_node()]


def _fill_latest(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for node in list(doctree.findall(latest_node)):
        if not html_builder(app):
            node.parent.remove(node)
            continue
        site = Site(app)
        posts = published(get_posts(app.env).values(), now_in_site_tz(site.runtime))
        pages = paginate(posts, site.cfg.page_size)
        url = site.url_from(docname)
        html = render.cards(pages[0], site.runtime.facets, site.term_page, url, level=3)
        html += render.pagination(site.latest_base, 1, len(pages), url, first_page=docname)
        browse, subscribe = _("Browse all notes by area, tag and series"), _("Subscribe to the Atom feed")
        html += (f'<p class="mlnotes-more"><a href="{escape(url(site.overview))}">{escape(browse)}</a> · '
                 f'<a href="{escape(url(site.feed_path()))}">{escape(subscribe)}</a></p>')
        node.replace_self(nodes.raw("", html, format="html"))


# ------------------------------------------------------------------- generated pages


def write_page(app: Sphinx, pagename: str, title: str, body: str) -> bool:
    """Render *body* in the theme as *pagename*; replace the file only if it changed."""
    ctx: dict[str, Any] = {
        "title": title, "body": body, "parents": [], "display_toc": False, "metatags": ""
    }
    return write_page_if_changed(app, pagename, ctx, "page.html")


def _term_body(site: Site, facet: Facet, slug: str, posts: list[PostRecord], number: int, total: int,
               pagename: str) -> str:
    term = facet.terms()[slug]
    url = site.url_from(pagename)
    parts = [f'<h1>{escape(term.name)}{f" <small>{escape(term.subtitle)}</small>" if term.subtitle else ""}</h1>']
    crumbs = [site.overview]
    if facet.hierarchical:
        chain = list(reversed(facet.rollup(slug)))[:-1]
        trail = [f'<a href="{escape(url(site.overview))}">{escape(_("All topics"))}</a>'] + [
            f'<a href="{escape(url(site.term_page(facet, s)))}">{escape(facet.display(s))}</a>' for s in chain
        ]
        where = escape(_("Location"))
        parts.append(f'<nav class="mlnotes-breadcrumbs" aria-label="{where}">{" › ".join(trail)}</nav>')
        children = [t for t in facet.terms().values() if t.parent == slug]
        if children:
            parts.append(
                '<ul class="mlnotes-children">'
                + "".join(f'<li><a href="{escape(url(site.term_page(facet, c.slug)))}">{escape(c.name)}</a></li>'
                          for c in children)
                + "</ul>"
            )
    else:
        every = escape(_("All topics"))
        parts.append(f'<p class="mlnotes-breadcrumbs"><a href="{escape(url(crumbs[0]))}">{every}</a> › '
                     f'{escape(facet.title)}</p>')
    if term.description:
        parts.append(f"<p>{escape(term.description)}</p>")
    parts.append(facet.term_page_html(slug, PageLinks(url, site.term_page), partial(inline_diagram, site.app)))
    if posts or number > 1:
        feed = escape(url(site.feed_path(facet, slug)))
        subscribe = _("Subscribe to the Atom feed of this {facet}").format(facet=facet.title)
        parts.append(f'<p class="mlnotes-feed"><a href="{feed}">{escape(subscribe)}</a></p>')
    parts.append(render.cards(posts, site.runtime.facets, site.term_page, url))
    parts.append(render.pagination(site.term_page(facet, slug), number, total, url))
    return "".join(parts)


def _overview_body(site: Site, counts: dict[str, dict[str, int]], own_index: set[str]) -> str:
    url = site.url_from(site.overview)
    parts = ["<h1>" + escape(_("Topics")) + "</h1>"]
    for facet in site.runtime.facets:
        parts.append(f"<h2>{escape(facet.title)}</h2>")
        if facet.name in own_index:
            label = _("Every {facet} ({count})").format(facet=facet.title, count=len(facet.terms()))
            parts.append(f'<p><a href="{escape(url(site.facet_index(facet)))}">{escape(label)}</a></p>')
            continue
        terms = facet.terms()
        roots = [s for s, t in terms.items() if not (facet.hierarchical and t.parent)]
        items = "".join(_overview_item(site, url, facet, counts[facet.name], s) for s in roots)
        parts.append('<ul class="mlnotes-tree">' + items + "</ul>")
    return "".join(parts)


def _overview_item(site: Site, url: UrlFor, facet: Facet, counts: dict[str, int], slug: str) -> str:
    """One term of the overview's tree with its post count, and (in a hierarchical facet) its
    children below it."""
    terms = facet.terms()
    link = f'<a href="{escape(url(site.term_page(facet, slug)))}">{escape(terms[slug].name)}</a>'
    sub = [s for s, t in terms.items() if t.parent == slug] if facet.hierarchical else []
    inner = "<ul>" + "".join(_overview_item(site, url, facet, counts, s) for s in sub) + "</ul>" if sub else ""
    return f'<li>{link} <span class="mlnotes-count">({counts[slug]})</span>{inner}</li>'


def frame_digest(app: Sphinx) -> str:
    """What the theme puts around a generated page's body: the HTML configuration, the templates,
    the "last updated" date and the site navigation (titles and toctrees of the pages that are
    not posts).  When it changes every generated page is rendered again."""
    builder, env = app.builder, app.env
    posts = get_posts(env)
    info = getattr(builder, "build_info", None)
    templates = getattr(builder, "templates", None)
    h = hashlib.sha256()
    h.update(repr((__version__, getattr(info, "config_hash", ""), getattr(info, "tags_hash", ""),
                   templates.newest_template_mtime() if templates is not None else 0,
                   getattr(builder, "globalcontext", {}).get("last_updated"))).encode())
    h.update(repr(sorted((d, t.astext()) for d, t in env.titles.items() if d not in posts)).encode())
    h.update(repr(sorted((d, list(i)) for d, i in env.toctree_includes.items() if d not in posts)).encode())
    # the sidebars of every generated page: recent posts, counts, the tag cloud; and which
    # template files exist (a deleted override changes no modification time)
    h.update(sidebar_digest(app).encode())
    h.update(once_per_write(app, "templates", lambda: template_digest(app)).encode())
    return h.hexdigest()


def _digest(site: Site, posts: list[PostRecord], frame: str) -> str:
    h = hashlib.sha256()
    h.update(frame.encode())
    h.update(site.runtime.digest.encode())
    h.update("|".join(f.page_digest() for f in site.runtime.facets).encode())
    h.update(repr((site.cfg, [f.name for f in site.runtime.facets], str(site.app.config.html_baseurl))).encode())
    # the feeds' title and subtitle (ablog's settings) and posts.bib's key prefix (from project
    # by default): not in the HTML configuration's hash
    config = site.app.config
    h.update(repr((blog_title(config), getattr(config, "blog_feed_subtitle", None),
                   site.cfg.cite_prefix(str(config.project)))).encode())
    # what else shapes every page: the html_* settings (sidebars, theme options) and the templates
    builder = site.app.builder
    h.update(repr((getattr(getattr(builder, "build_info", None), "config_hash", ""),
                   builder.templates.newest_template_mtime() if getattr(builder, "templates", None) else 0)).encode())
    for post in posts:
        h.update(repr(post.listing_key()).encode())
    return h.hexdigest()


def page_key(frame: str, pagename: str, title: str, body: str) -> str:
    return hashlib.sha256("\0".join((frame, pagename, title, body)).encode()).hexdigest()


def _term_url(site: Site, url: UrlFor, facet: Facet, slug: str) -> str:
    """The URL of *facet*'s term *slug* as *url* (the URLs from one page) gives it."""
    return url(site.term_page(facet, slug))


def _render_chunk(app: Sphinx, chunk: list[tuple[str, str, str]]) -> int:
    return sum(write_page(app, pagename, title, body) for pagename, title, body in chunk)


def render_pages(app: Sphinx, todo: list[tuple[str, str, str]]) -> int:
    """Render and write (pagename, title, body) pages; in worker processes when the build runs
    with ``-j`` and there are enough of them.  Returns how many files changed."""
    from sphinx.util.parallel import ParallelTasks, make_chunks, parallel_available

    nproc = getattr(app, "parallel", 0) or 0
    if nproc <= 1 or not parallel_available or len(todo) < 4 * nproc:
        return _render_chunk(app, todo)
    written = 0

    def done(_chunk: object, count: int) -> None:
        nonlocal written
        written += count

    tasks = ParallelTasks(nproc)
    # Sphinx annotates make_chunks for docnames (Sequence[str]); it only slices the sequence
    for chunk in make_chunks(todo, nproc, maxbatch=20):  # type: ignore[arg-type]  # see above
        tasks.add_task(lambda c: _render_chunk(app, c), chunk, done)
    tasks.join()
    return written


def manifest_file(app: Sphinx) -> Path:
    """The listing manifest of the build *app* writes (next to its doctrees)."""
    return Path(app.doctreedir) / MANIFEST


def forget_rendered(app: Sphinx) -> None:
    """Make the next build render every generated page and feed again (after a killed build,
    whose files may not match the manifest), keeping the list of files it wrote so that those
    of terms that no longer exist are still removed."""
    path = manifest_file(app)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    write_if_changed(path, json.dumps({"files": manifest.get("files", [])}, ensure_ascii=False, indent=0))


def collect_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """``html-collect-pages`` handler: writes the pages itself (only those that changed) and
    yields none for Sphinx to write."""
    if not html_builder(app):
        return
    site = Site(app)
    builder = html_page_builder(app)
    outdir = Path(builder.outdir)
    manifest_path = manifest_file(app)
    (outdir / OLD_MANIFEST).unlink(missing_ok=True)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    posts = published(get_posts(app.env).values(), now_in_site_tz(site.runtime))
    frame = frame_digest(app)
    digest = _digest(site, posts, frame)
    previous = set(manifest.get("files", []))
    if manifest.get("digest") == digest and all((outdir / f).is_file() for f in previous):
        logger.info("mlnotes: listing pages and feeds unchanged")
        return
    files: set[str] = set()
    known: dict[str, str] = manifest.get("pages", {}) if isinstance(manifest.get("pages"), dict) else {}
    keys: dict[str, str] = {}
    todo: list[tuple[str, str, str]] = []

    def out(pagename: str, title: str, body: str) -> None:
        """Queue the page unless the same body in the same frame is already on disk."""
        rel = Path(builder.get_outfilename(pagename)).relative_to(outdir).as_posix()
        files.add(rel)
        keys[pagename] = page_key(frame, pagename, title, body)
        if known.get(pagename) != keys[pagename] or not (outdir / rel).is_file():
            todo.append((pagename, title, body))

    counts: dict[str, dict[str, int]] = {}
    own_index: set[str] = set()
    for facet in site.runtime.facets:
        by_term = facet.members(posts)
        counts[facet.name] = {slug: len(ps) for slug, ps in by_term.items()}
        index_page = site.facet_index(facet)
        index_url = site.url_from(index_page)
        if facet.own_index:
            index_body = facet.index_html(by_term, partial(_term_url, site, index_url, facet))
            own_index.add(facet.name)
            every = _("Every {facet}").format(facet=facet.title)
            out(index_page, every, f"<h1>{escape(every)}</h1>" + index_body)
        for slug, term_posts in by_term.items():
            pages = paginate(term_posts, site.cfg.page_size)
            for number, page_posts in enumerate(pages, start=1):
                pagename = page_name(site.term_page(facet, slug), number)
                name = facet.terms()[slug].name
                title = _("{title} (page {number})").format(title=name, number=number) if number > 1 else name
                out(pagename, title, _term_body(site, facet, slug, page_posts, number, len(pages), pagename))
    out(site.overview, _("Topics"), _overview_body(site, counts, own_index))
    latest = paginate(posts, site.cfg.page_size)
    home = app.config.root_doc
    for number in range(2, len(latest) + 1):
        pagename = page_name(site.latest_base, number)
        url = site.url_from(pagename)
        title = _("Latest updates (page {number})").format(number=number)
        body = (f"<h1>{escape(title)}</h1>"
                + render.cards(latest[number - 1], site.runtime.facets, site.term_page, url))
        body += render.pagination(site.latest_base, number, len(latest), url, first_page=home)
        out(pagename, title, body)
    rendered = len(todo)
    written = render_pages(app, todo)
    posts_bib = write_posts_bib(app)
    if posts_bib is not None:
        files.add(posts_bib.relative_to(outdir).as_posix())
    known_feeds = manifest.get("feeds", {}) if isinstance(manifest.get("feeds"), dict) else {}
    feed_files, feeds_written, feed_keys = write_feeds(site, posts, known_feeds)
    files |= feed_files
    written += feeds_written
    for stale in sorted(previous - files):
        (outdir / stale).unlink(missing_ok=True)
    write_if_changed(manifest_path, json.dumps(
        {"digest": digest, "files": sorted(files), "pages": keys, "feeds": feed_keys}, ensure_ascii=False, indent=0))
    logger.info("mlnotes: %d listing pages and feeds, %d pages rendered, %d files rewritten, %d removed",
                len(files), rendered, written, len(previous - files))
    yield from ()


# ------------------------------------------------------------------ incremental rebuilds

_SNAPSHOT = "_mlnotes_listing_snapshot"
#: the environment keeps the last build's template fingerprint under this name
TEMPLATES_DIGEST = "mlnotes_templates_digest"


#: (what the home list shows of a post, what other pages' links show of it, its shared terms)
Shown = tuple[str | None, tuple[str, str | None, frozenset[tuple[str, str]]] | None, frozenset[tuple[str, str]]]


def _shown_elsewhere(record: PostRecord, relating: list[Facet]) -> Shown:
    """(what the home list shows of a post, what other posts' related-notes and navigation
    links show of it, the terms that relate it to other notes — its cited papers, say)."""
    shared = frozenset((f.name, slug) for f in relating for slug in record.facets.get(f.name, []))
    return record.listing_key(), (record.title, record.date, shared), shared


def _snapshot(env: BuildEnvironment) -> dict[str, Shown]:
    relating = get_runtime(env).relating()
    return {d: _shown_elsewhere(r, relating) for d, r in get_posts(env).items()}


def _before_read(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                 removed: set[str]) -> list[str]:
    """What the other posts' pages show of each post, before anything is read or purged: taken at
    env-get-outdated, since Sphinx forgets removed documents before env-before-read-docs."""
    setattr(app, _SNAPSHOT, _snapshot(env))
    return []


def _outdated_by_taxonomy(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
                          removed: set[str]) -> list[str]:
    digest = get_runtime(env).digest
    old = env.__dict__.get("mlnotes_taxonomy_digest")
    env.__dict__["mlnotes_taxonomy_digest"] = digest
    if old is None or old == digest:
        return []
    return sorted(set(get_posts(env)) | set(doc_store(env).latest_docs))


def _outdated_by_templates(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Every document, when a template file was deleted or added since the last build (Sphinx
    notices only templates newer than the pages)."""
    if not html_builder(app):
        return []
    digest = template_digest(app)
    old = env.__dict__.get(TEMPLATES_DIGEST)
    env.__dict__[TEMPLATES_DIGEST] = digest
    return sorted(env.found_docs) if old is not None and old != digest else []


def _dependents(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Documents whose output shows other posts: rewrite them when those posts changed."""
    before: dict[str, Shown] = getattr(app, _SNAPSHOT, {})
    after = _snapshot(env)
    none: Shown = (None, None, frozenset())
    listed = {d for d in before.keys() | after.keys() if before.get(d, none)[0] != after.get(d, none)[0]}
    if not listed:
        return []
    # the home list shows the whole card (summary included)
    out = set(doc_store(env).latest_docs)
    # related-notes lists and navigation links show only title, date and shared terms: a change
    # of summary or tags alone leaves the other posts' pages as they are
    linked = {d for d in listed if before.get(d, none)[1] != after.get(d, none)[1]}
    touched = set().union(*(before.get(d, none)[2] | after.get(d, none)[2] for d in linked))
    out |= {d for d, (_, _, shared) in after.items() if shared & touched}
    records = get_posts(env)
    for facet in get_runtime(env).facets:
        out |= facet.nav_dependents(linked, records)
    return sorted(out - listed)


def setup_pages(app: Sphinx) -> None:
    app.add_node(latest_node)
    app.add_directive("mlnotes-latest", LatestDirective)
    app.connect("doctree-resolved", _fill_latest)
    app.connect("html-collect-pages", collect_pages)
    app.connect("env-get-outdated", _before_read)
    app.connect("env-updated", _outdated_by_templates)
    app.connect("env-get-outdated", _outdated_by_taxonomy)
    app.connect("env-updated", _dependents)
