"""Sidebar templates that link to our pages (``mlnotes/*.html``), in place of ablog's.

ablog's ``postcard``, ``recentposts``, ``archives`` and ``tagcloud`` sidebars link to its
``blog/…`` collection pages, which mlnotes no longer writes (see :mod:`mlnotes.compat.ablog`),
and produce invalid HTML (``div`` in ``ul``, duplicate ids with spaces).  Ours, for
``html_sidebars``:

``mlnotes/postcard.html``
    the post's date, authors and its terms (of every facet with ``postcard_links``) as links to
    their ``topics/…`` pages;
``mlnotes/recentposts.html``
    the five newest published posts (not the page itself), headed by a link to the home list;
``mlnotes/topics.html``
    the top-level terms, with their number of posts, of the first facet whose ``sidebar`` is
    ``"browse"`` (the areas), the topics overview, each facet's own index page (all papers), the
    feed;
``mlnotes/tagcloud.html``
    for each facet whose ``sidebar`` is ``"cloud"`` (the tags), every term in use, sized by its
    number of posts.

The templates only lay out plain data that :func:`_page_context` puts in the context
(``mlnotes_sidebar`` and, on a post, ``mlnotes_post``); every text is escaped in the template.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment

from mlnotes.compat.pydata import templates_before_components
from mlnotes.core.listing import published
from mlnotes.core.records import PostRecord, get_posts
from mlnotes.site.base import Site, html_builder, html_page_builder, now_in_site_tz, once_per_write

TEMPLATES = Path(__file__).parents[1] / "templates"
PREFIX = "mlnotes/"
RECENT = 5
#: the environment keeps the last build's sidebar fingerprints under this name
SIDEBAR_DIGEST = "mlnotes_sidebar_digests"
#: the site-wide sidebar templates and the keys of :func:`sidebar_data` each shows
BLOCKS = {
    f"{PREFIX}recentposts.html": ("recent", "home"),
    f"{PREFIX}topics.html": ("browse", "indexes", "overview", "feed"),
    f"{PREFIX}tagcloud.html": ("clouds",),
}


def _add_templates(app: Sphinx, config: Config) -> None:
    """Our templates come after the site's own ``templates_path`` and before the theme's
    components (pydata-sphinx-theme appends its ``components/`` folder), so an override of a
    theme component in ``src/mlnotes/templates`` wins and a site's own template wins over ours."""
    config.templates_path = templates_before_components(list(config.templates_path), str(TEMPLATES))


def _link(page: str, label: str, count: int | None = None) -> dict[str, Any]:
    return {"page": page, "label": label, "count": count}


def sidebar_data(app: Sphinx) -> dict[str, Any]:
    """What the sidebars show, independent of the page (pagenames, not URLs): computed once per
    write phase (per worker process in a parallel write)."""
    return once_per_write(app, "sidebars", lambda: _sidebar_data(app))


def _sidebar_data(app: Sphinx) -> dict[str, Any]:
    site = Site(app)
    posts = published(get_posts(app.env).values(), now_in_site_tz(site.runtime))
    data: dict[str, Any] = {
        "home": app.config.root_doc,
        "overview": site.overview,
        "feed": site.feed_path(),
        "recent": [
            {"docname": p.docname, "title": p.title, "date": p.when.strftime("%m-%d") if p.when else "",
             "datetime": p.date or ""}
            for p in posts[: RECENT + 1]  # one spare: a post does not list itself
        ],
        "browse": [],
        "clouds": [],
        "indexes": [],
    }
    for facet in site.runtime.facets:
        if facet.sidebar == "browse":
            members = facet.members(posts)
            data["browse"].append({
                "title": facet.title,
                "terms": [_link(site.term_page(facet, slug), term.name, len(members[slug]))
                          for slug, term in facet.terms().items() if not term.parent and members[slug]],
            })
        elif facet.sidebar == "cloud":
            counts = {slug: len(ps) for slug, ps in facet.members(posts).items() if ps}
            most = max(counts.values(), default=1)
            data["clouds"].append({
                "name": facet.name,
                "title": facet.title,
                "terms": [{**_link(site.term_page(facet, slug), facet.display(slug), n),
                           "size": 1 + round(4 * (n - 1) / max(most - 1, 1))}
                          for slug, n in sorted(counts.items(), key=lambda kv: facet.display(kv[0]).casefold())],
            })
        if facet.own_index:
            data["indexes"].append(_link(site.facet_index(facet), facet.title))
    return data


def sidebar_digest(app: Sphinx) -> str:
    """A fingerprint of what the sidebars show on every page (recent posts, counts, clouds), from
    the write phase's one computation of the sidebar data."""
    return hashlib.sha256(repr(sidebar_data(app)).encode()).hexdigest()


def block_digests(app: Sphinx) -> dict[str, str]:
    """Each site-wide sidebar template → a fingerprint of the data it shows."""
    data = _sidebar_data(app)
    return {template: hashlib.sha256(repr([data[key] for key in keys]).encode()).hexdigest()
            for template, keys in BLOCKS.items()}


def our_sidebars(app: Sphinx, docname: str) -> set[str]:
    """The templates of ours among *docname*'s sidebars (``html_sidebars``)."""
    ctx: dict[str, Any] = {}
    html_page_builder(app).add_sidebars(docname, ctx)
    return {str(name) for name in ctx.get("sidebars") or [] if str(name).startswith(PREFIX)}


def _outdated_by_sidebars(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """The pages showing a site-wide sidebar block whose data changed since the last build (a
    post added, removed, re-dated or re-titled: recent posts; a count; the tag cloud): an
    incremental build writes them again, as a clean build would, and leaves the pages whose
    sidebars show none of it alone (a tag edit does not rewrite every post page)."""
    if not html_builder(app):
        return []
    digests = block_digests(app)
    old: dict[str, str] | None = env.__dict__.get(SIDEBAR_DIGEST)
    env.__dict__[SIDEBAR_DIGEST] = digests
    if not isinstance(old, dict):
        return []
    changed = {template for template, digest in digests.items() if old.get(template) != digest}
    if not changed:
        return []
    # a template of ours that is not a site-wide block (the post card) shows only its own post
    return sorted(d for d in env.found_docs if our_sidebars(app, d) & changed)


def post_card(app: Sphinx, post: PostRecord) -> dict[str, Any]:
    site = Site(app)
    groups = []
    for facet in site.runtime.facets:
        slugs = [s for s in post.facets.get(facet.name, []) if s in facet.terms()]
        if not facet.postcard_links or not slugs:
            continue
        links = [_link(site.term_page(facet, s), facet.display(s)) for s in slugs]
        groups.append({"title": facet.title, "links": links})
    return {
        "date": post.when.strftime("%Y-%m-%d") if post.when else "",
        "datetime": post.date or "",
        "authors": list(post.authors),
        "groups": groups,
    }


def _page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    if not html_builder(app):
        return
    sidebars = context.get("sidebars") or []
    if not any(str(name).startswith(PREFIX) for name in sidebars):
        return
    context["mlnotes_sidebar"] = sidebar_data(app)
    post = get_posts(app.env).get(pagename)
    if post is not None:
        context["mlnotes_post"] = post_card(app, post)


def setup_sidebars(app: Sphinx) -> None:
    app.connect("config-inited", _add_templates)
    app.connect("html-page-context", _page_context)
    app.connect("env-updated", _outdated_by_sidebars)
