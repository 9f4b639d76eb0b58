r"""Citing our own posts: a BibTeX block on each post, ``citation_*`` meta tags for Google
Scholar (the facets add theirs: one ``citation_reference`` per cited paper), and ``posts.bib``
with every post.

The entries are ``@misc`` with the fields every BibTeX style knows (``howpublished`` holding the
``\url``, ``note``, ``year``, ``month`` as the standard macro): most ML papers are written with
BibTeX and natbib (the NeurIPS, ICML and ACL templates), where biblatex's ``@online`` is an
unknown type and its entries are dropped.  biblatex reads ``@misc`` too, and finds its own
``date`` and ``langid`` there; BibTeX ignores those two fields.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from docutils import nodes
from sphinx.application import Sphinx

from mlnotes.core.config import get_config
from mlnotes.core.i18n import _
from mlnotes.core.listing import published
from mlnotes.core.records import PostRecord, get_posts
from mlnotes.facets.runtime import get_runtime
from mlnotes.site.base import blog_title, html_builder, now_in_site_tz, site_url, write_if_changed

#: LaTeX's special characters in plain text, as BibTeX must pass them on (a title "tf_export"
#: would otherwise start math mode in the document that cites it)
_LATEX_SPECIALS = {"\\": "\\textbackslash{}", "{": "\\{", "}": "\\}", "%": "\\%", "&": "\\&", "#": "\\#",
                   "$": "\\$", "_": "\\_", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}"}


def _bibtex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIALS.get(c, c) for c in text)


def post_key(post: PostRecord, prefix: str) -> str:
    """The note's BibTeX key: ``<prefix>-<file name>`` (``mlnotes_cite_key_prefix``)."""
    return f"{prefix}-" + post.docname.rsplit("/", 1)[-1]


def cite_prefix(app: Sphinx) -> str:
    """This site's key prefix: ``mlnotes_cite_key_prefix``, else derived from ``project``."""
    return get_config(app.config).cite_prefix(str(app.config.project))


#: BibTeX's month macros, defined by every standard style
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
#: biblatex's ``langid`` (babel/polyglossia names) by the site's language code
LANGIDS = {"zh": "chinese", "en": "english", "ja": "japanese", "ko": "korean", "de": "german", "fr": "french",
           "es": "spanish", "it": "italian", "pt": "portuguese", "ru": "russian", "nl": "dutch"}


def langid(language: str | None) -> str | None:
    """biblatex's name for the site's *language* (``zh_CN`` → ``chinese``), or None when unknown."""
    return LANGIDS.get(str(language or "").replace("-", "_").split("_")[0].lower())


def post_bibtex(post: PostRecord, url: str, site_title: str, language: str | None = None,
                key_prefix: str = "note") -> str:
    when = post.when
    authors = " and ".join("{" + _bibtex_escape(a) + "}" for a in post.authors)
    lines = [
        f"@misc{{{post_key(post, key_prefix)},",
        # double braces: styles that change a title's case (plainnat) leave it as written
        f"  title        = {{{{{_bibtex_escape(post.title)}}}}},",
        f"  author       = {{{authors}}},",
        f"  howpublished = {{\\url{{{url}}}}},",
        f"  note         = {{{_bibtex_escape(site_title)}}},",
    ]
    if when:
        lines += [f"  year         = {{{when.year}}},", f"  month        = {MONTHS[when.month - 1]},",
                  f"  date         = {{{when.date().isoformat()}}},"]
    if langid(language):
        lines.append(f"  langid       = {{{langid(language)}}},")
    return "\n".join([*lines, "}"])


def post_url(app: Sphinx, docname: str) -> str:
    return urljoin(site_url(app), app.builder.get_target_uri(docname))


def cite_block(app: Sphinx, post: PostRecord) -> str:
    title = blog_title(app.config)
    bibtex = post_bibtex(post, post_url(app, post.docname), title, app.config.language, cite_prefix(app))
    return (
        '<section class="mlnotes-cite" aria-labelledby="mlnotes-cite-heading">'
        f'<h2 id="mlnotes-cite-heading">{escape(_("Cite this note"))}</h2>'
        '<div class="highlight-bibtex notranslate"><div class="highlight"><pre>'
        f"{escape(bibtex)}</pre></div></div></section>"
    )


def meta_tags(app: Sphinx, post: PostRecord) -> str:
    tags: list[tuple[str, str]] = [("citation_title", post.title)]
    tags += [("citation_author", a) for a in post.authors]
    if post.when:
        tags.append(("citation_publication_date", post.when.strftime("%Y/%m/%d")))
    tags.append(("citation_journal_title", blog_title(app.config)))
    tags.append(("citation_language", str(app.config.language or "").replace("_", "-")))
    if site_url(app):
        tags.append(("citation_public_url", post_url(app, post.docname)))
    for facet in get_runtime(app.env).facets:
        tags += facet.citation_meta(post)
    return "\n".join(f'<meta name="{name}" content="{escape(value, quote=True)}" />' for name, value in tags) + "\n"


def _page_context(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: nodes.document | None
) -> None:
    if not html_builder(app):
        return
    # feed autodiscovery on every page (ablog's page.html renders it from feed_path)
    context["feed_path"] = get_runtime(app.env).config.feeds_path
    context.setdefault("feed_title", blog_title(app.config))
    post = get_posts(app.env).get(pagename)
    if post is not None:
        context["metatags"] = context.get("metatags", "") + meta_tags(app, post)


def write_posts_bib(app: Sphinx) -> Path | None:
    """``posts.bib`` at the top of the output: every published post as an ``@misc`` entry."""
    runtime = get_runtime(app.env)
    posts = published(get_posts(app.env).values(), now_in_site_tz(runtime))
    title = blog_title(app.config)
    prefix = cite_prefix(app)
    text = "% Every note of this site, for citing it. Generated by mlnotes.\n\n" + "\n\n".join(
        post_bibtex(p, post_url(app, p.docname), title, app.config.language, prefix)
        for p in sorted(posts, key=lambda p: p.docname)
    ) + "\n"
    path = Path(app.builder.outdir) / "posts.bib"
    write_if_changed(path, text)
    return path


def setup_citing(app: Sphinx) -> None:
    app.connect("html-page-context", _page_context)
