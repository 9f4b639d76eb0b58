"""The PDF and the EPUB as a book: parts by area (the facet whose book role is "parts"),
chapters by date, one bibliography (of the facet whose book role is "references").

``{mlnotes-book}`` in the book's root document (``book.md``) is a toctree (``:glob:`` and all)
that includes the posts.  At read time it is nothing more: the environment records which
documents the book includes, a new or deleted post re-reads ``book.md`` as with any glob
toctree, and editing a post's body touches nothing but that post.

The grouping is computed when the output is written, from the post records of *this* build
(the taxonomy's top-level areas in file order, each post's date), so it is right after any
change of a date or an area without any dependency between the posts and ``book.md``:

* LaTeX: the builder inlines the posts into one tree; on ``doctree-resolved`` we rebuild that
  tree as front matter (the root document's own text, then the table of contents), one
  ``\\part`` per area with one ``\\chapter`` per post, and back matter with one bibliography of
  every cited paper.  The LaTeX builder writes its whole file on every run, so this is always
  current.
* EPUB: the root document's page gets one section per area listing its posts, the spine and
  the navigation follow the same order (:class:`BookEpubBuilder`), and a generated page holds
  the bibliography.  The EPUB builder rewrites the root page on every run.
* HTML: ``book.html`` is the plain toctree (titles only), rewritten when ``book.md`` or a
  post's title changed, not on every post edit (:func:`_book_dependencies`).

Drafts (undated or future-dated posts) are left out of the book, as they are of every other
public output.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.epub3 import Epub3Builder
from sphinx.directives.other import TocTree
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx.util.texescape import escape as tex_escape

from mlnotes.core.bibliography import cited_keys, load_bibliography
from mlnotes.core.i18n import _
from mlnotes.core.listing import published
from mlnotes.core.records import PostRecord, doc_store, get_posts
from mlnotes.facets.base import Facet
from mlnotes.facets.runtime import get_runtime
from mlnotes.math.mathml import epub_content_written
from mlnotes.site.base import now_in_site_tz

if TYPE_CHECKING:
    from pybtex.database import BibliographyData
    from pybtex.style import FormattedEntry

logger = logging.getLogger(__name__)

BOOK_CLASS = "mlnotes-book"
#: book docname → {included docname: title} as last written
BOOK_TITLES = "mlnotes_book_titles"
#: the generated EPUB page with the bibliography
BIBLIOGRAPHY_PAGE = "mlnotes-bibliography"


# ------------------------------------------------------------------------------ the order


@dataclass
class Part:
    slug: str
    title: str
    posts: list[PostRecord] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return "mlnotes-part-" + (self.slug.replace("/", "-") or "other")

    @property
    def page(self) -> str:
        """The part's title page in the EPUB."""
        return self.anchor


DIGITS = "零一二三四五六七八九"


def bibliography_title() -> str:
    """The heading of the book's bibliography, in the site's language."""
    return _("References")


def part_number(number: int, language: str | None) -> str:
    """"Part 3" in the site's language: the words come from the catalog, the numeral from the
    language (a Chinese book counts its parts in Chinese numerals, 第三部分)."""
    is_chinese = str(language or "").lower().startswith("zh")
    return _("Part {number}").format(number=chinese_number(number) if is_chinese else str(number))


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (parts are few)."""
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return (DIGITS[tens] if tens > 1 else "") + "十" + (DIGITS[ones] if ones else "") if n < 100 else str(n)


def book_parts(posts: Iterable[PostRecord], by: Facet | None) -> list[Part]:
    """One part per top-level term of facet *by* (the facet whose book role is "parts": the
    areas) that has posts, in vocabulary order; posts oldest first.

    A post with no term of that facet (a build that already warned, or no such facet) goes to a
    last part, so nothing is lost."""
    terms = by.terms() if by is not None else {}
    parts = {slug: Part(slug, term.name) for slug, term in terms.items() if term.parent is None}
    other = Part("", _("Other"))
    for post in posts:
        top = by.top_term(post) if by is not None else None
        (parts.get(top, other) if top is not None else other).posts.append(post)
    result = [p for p in [*parts.values(), other] if p.posts]
    for part in result:
        part.posts.sort(key=lambda r: (r.when, r.docname))
    return result


def book_posts(env: BuildEnvironment, included: Iterable[str]) -> list[PostRecord]:
    """The published posts among *included* documents."""
    records = get_posts(env)
    now = now_in_site_tz(get_runtime(env))
    return published((records[d] for d in included if d in records), now)


def parts_for(env: BuildEnvironment, included: Iterable[str]) -> list[Part]:
    return book_parts(book_posts(env, included), get_runtime(env).with_role("parts"))


def book_docname(env: BuildEnvironment) -> str | None:
    docs = sorted(doc_store(env).book_docs)
    return docs[0] if docs else None


def included_posts(env: BuildEnvironment, docname: str) -> list[str]:
    """Every document the book's toctrees include (what the directive's glob matched)."""
    return [d for d in doc_store(env).book_docs.get(docname, []) if d in get_posts(env)]


# ------------------------------------------------------------------------- the bibliography


def cited_papers(env: BuildEnvironment, posts: Sequence[PostRecord]) -> list[str]:
    """refs.bib keys the posts cite, each once: the references facet's terms of each post (the
    cited papers and the main paper), or without such a facet the keys cited in the text."""
    references = get_runtime(env).with_role("references")
    keys: list[str] = []
    for post in posts:
        if references is not None:
            found = post.facets.get(references.name, [])
        else:
            found = cited_keys(Path(env.doc2path(post.docname)).read_text(encoding="utf-8"))
        keys += [k for k in found if k not in keys]
    return keys


def _bib_data(app: Sphinx) -> BibliographyData | None:
    """The pybtex data the references are keys of: the references facet's, else the .bib files."""
    references = get_runtime(app.env).with_role("references")
    if references is not None:
        return references.reference_data()
    names = getattr(app.config, "bibtex_bibfiles", None) or []
    return load_bibliography([Path(app.confdir) / name for name in names]).data


def formatted_bibliography(app: Sphinx, keys: Sequence[str]) -> list[FormattedEntry]:
    """pybtex entries in the 'plain' style: sorted by author, year and title."""
    from pybtex.plugin import find_plugin

    data = _bib_data(app)
    known = [k for k in keys if data is not None and k in data.entries]
    if not known:
        return []
    style = find_plugin("pybtex.style.formatting", "plain")()
    return list(style.format_bibliography(data, known))


def bibliography_nodes(app: Sphinx, keys: Sequence[str]) -> nodes.enumerated_list:
    from pybtex_docutils import Backend  # sphinxcontrib-bibtex's own renderer

    backend = Backend()
    listing = nodes.enumerated_list(enumtype="arabic", prefix="[", suffix="]", classes=["mlnotes-bibliography"])
    for entry in formatted_bibliography(app, keys):
        item = nodes.list_item(ids=[f"mlnotes-bib-{nodes.make_id(entry.key)}"])
        item += backend.paragraph(entry)
        listing += item
    return listing


def bibliography_html(app: Sphinx, keys: Sequence[str]) -> str:
    items = "".join(
        # pybtex writes HTML's &nbsp;, which XHTML (EPUB) does not declare
        f'<li id="mlnotes-bib-{html.escape(nodes.make_id(entry.key))}">'
        f'{entry.text.render_as("html").replace("&nbsp;", "&#160;")}</li>'
        for entry in formatted_bibliography(app, keys)
    )
    return f'<h1>{html.escape(bibliography_title())}</h1><ol class="mlnotes-bibliography">{items}</ol>'


# ----------------------------------------------------------------------------- directive


class BookDirective(TocTree):
    """``{mlnotes-book}``: a toctree of the book's posts (usually ``:glob:`` ``posts/*/*``),
    regrouped by area and date in the PDF and the EPUB."""

    def run(self) -> list[nodes.Node]:
        result = super().run()
        # dropped and merged by the collector (mlnotes.read.collector)
        included = doc_store(self.env).book_docs.setdefault(self.env.docname, [])
        for wrapper in result:
            if isinstance(wrapper, nodes.Element):
                wrapper["classes"].append(BOOK_CLASS)
                for toctree in wrapper.findall(addnodes.toctree):
                    included += [str(d) for d in toctree["includefiles"] if d not in included]
        return result


# ---------------------------------------------------------------------------------- LaTeX


def _raw_latex(text: str) -> nodes.raw:
    return nodes.raw("", text + "\n", format="latex")


def _unnumbered_chapter(title: str) -> nodes.raw:
    """A chapter of the front or back matter: in the contents and the running head, no number."""
    text = tex_escape(title)
    return _raw_latex(rf"\chapter*{{{text}}}\addcontentsline{{toc}}{{chapter}}{{{text}}}\markboth{{{text}}}{{}}")


def _empty(section: nodes.section) -> bool:
    """A section with a title and nothing to read or see (a footnote bibliography in LaTeX)."""
    body = [child for child in section.children if not isinstance(child, nodes.title)]
    return not any(child.astext().strip() or any(child.findall(nodes.image)) for child in body)


def _latex_book(app: Sphinx, doctree: nodes.document) -> None:
    for wrapper in list(doctree.findall(lambda n: isinstance(n, nodes.compound) and BOOK_CLASS in n["classes"])):
        root = wrapper.parent  # the root document's top section, whose title LaTeX swallows
        while root is not None and not (isinstance(root, nodes.section) and isinstance(root.parent, nodes.document)):
            root = root.parent
        if root is None:
            continue
        files = {sof["docname"]: sof for sof in wrapper.findall(addnodes.start_of_file) if sof.parent is wrapper}
        parts = parts_for(app.env, list(files))
        wrapper.parent.remove(wrapper)

        # front matter: the root document's own text, each of its sections an unnumbered chapter
        front: list[nodes.Node] = []
        for child in list(root.children):
            if isinstance(child, nodes.title):
                continue
            root.remove(child)
            if isinstance(child, nodes.section):
                if _empty(child):  # e.g. a "contents" heading that only held the book's toctree
                    continue
                title = child.next_node(nodes.title)
                front.append(_unnumbered_chapter(title.astext() if title else ""))
                front.extend(c for c in child.children if not isinstance(c, nodes.title))
            else:
                front.append(child)
        root += front
        root += _raw_latex(r"\sphinxtableofcontents" "\n" r"\mainmatter")

        for part in parts:
            section = nodes.section(ids=[part.anchor])
            section += nodes.title(part.title, part.title)
            for post in part.posts:
                sof = files[post.docname]
                for sub in list(sof.findall(nodes.section)):
                    if sub.parent is not sof and _empty(sub):
                        sub.parent.remove(sub)
                section += sof
            root += section

        keys = cited_papers(app.env, [p for part in parts for p in part.posts])
        if keys:
            root += _raw_latex(r"\backmatter")
            root += _unnumbered_chapter(bibliography_title())
            root += bibliography_nodes(app, keys)


# ----------------------------------------------------------------------------------- EPUB


def _epub_book_page(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """The book's first page: its own text, then one section per area listing its posts."""
    for wrapper in list(doctree.findall(lambda n: isinstance(n, nodes.compound) and BOOK_CLASS in n["classes"])):
        sections: list[nodes.Node] = []
        for part in parts_for(app.env, included_posts(app.env, docname)):
            section = nodes.section(ids=[part.anchor])
            section += nodes.title(part.title, part.title)
            items = nodes.bullet_list()
            for post in part.posts:
                ref = nodes.reference(post.title, post.title, internal=True,
                                      refuri=app.builder.get_relative_uri(docname, post.docname))
                items += nodes.list_item("", nodes.paragraph("", "", ref))
            section += items
            sections.append(section)
        wrapper.parent.replace(wrapper, sections)  # not replace_self: it would copy the wrapper's classes


class BookEpubBuilder(Epub3Builder):
    """Sphinx's EPUB 3 builder with the book as its table of contents and reading order.

    Sphinx takes both from the toctree of ``root_doc`` (the site's home page here, which
    lists no post, so every post ended up ``linear="no"``).  With an ``{mlnotes-book}``
    document in the project, the navigation is: the book's first page, then each area (a
    generated part title page) with its posts in date order, then the bibliography; the
    spine follows the same order, as epubcheck wants."""

    def get_toc(self) -> None:
        book = book_docname(self.env)
        if book is None:
            super().get_toc()
            return
        parts = parts_for(self.env, included_posts(self.env, book))
        book_uri = self.get_target_uri(book)
        refnodes: list[dict[str, Any]] = [
            {"level": 1, "refuri": html.escape(book_uri), "text": html.escape(self.env.titles[book].astext())}
        ]
        for part in parts:
            refnodes.append({"level": 1, "refuri": html.escape(self.get_target_uri(part.page)),
                             "text": html.escape(part.title)})
            refnodes += [
                {"level": 2, "refuri": html.escape(self.get_target_uri(p.docname)), "text": html.escape(p.title)}
                for p in part.posts
            ]
        if cited_papers(self.env, [p for part in parts for p in part.posts]):
            refnodes.append({"level": 1, "refuri": html.escape(self.get_target_uri(BIBLIOGRAPHY_PAGE)),
                             "text": html.escape(bibliography_title())})
        for file, text in reversed(self.config.epub_pre_files):
            refnodes.insert(0, {"level": 1, "refuri": html.escape(file), "text": html.escape(text)})
        for file, text in self.config.epub_post_files:
            refnodes.append({"level": 1, "refuri": html.escape(file), "text": html.escape(text)})
        self.refnodes = refnodes

    def build_content(self) -> None:
        """Sphinx's ``content.opf``, then what mlnotes adds to it before the book is zipped
        (``properties="mathml"``, :func:`mlnotes.math.mathml.epub_content_written`)."""
        super().build_content()
        epub_content_written(self)

    def prepare_writing(self, docnames: AbstractSet[str]) -> None:
        super().prepare_writing(docnames)
        # Sphinx's XHTML pages carry no language; say it on every page, as nav.xhtml does
        lang = str(self.config.epub_language or self.config.language or "").replace("_", "-")
        lang = html.escape(lang, quote=True)
        if lang:
            html_tag = self.html_tag.replace("<html ", f'<html lang="{lang}" xml:lang="{lang}" ', 1)
            self.globalcontext["html_tag"] = html_tag

    # With epub_tocscope "default", Sphinx builds nav.xhtml and toc.ncx from root_doc's toctree
    # again rather than from self.refnodes; "includehidden" uses self.refnodes, which is ours.
    def build_navigation_doc(self) -> None:
        self._from_refnodes(super().build_navigation_doc)

    def build_toc(self) -> None:
        self._from_refnodes(super().build_toc)

    def _from_refnodes(self, build: Callable[[], None]) -> None:
        if book_docname(self.env) is None:
            build()
            return
        scope = self.config.epub_tocscope
        self.config.epub_tocscope = "includehidden"
        try:
            build()
        finally:
            self.config.epub_tocscope = scope


def _epub_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """``html-collect-pages`` handler: the book's part pages and its bibliography (EPUB only)."""
    builder = app.builder
    if not isinstance(builder, BookEpubBuilder):
        return
    book = book_docname(app.env)
    if book is None:
        return
    parts = parts_for(app.env, included_posts(app.env, book))
    for number, part in enumerate(parts, start=1):
        items = "".join(
            f'<li><a href="{html.escape(builder.get_relative_uri(part.page, p.docname))}">'
            f"{html.escape(p.title)}</a></li>"
            for p in part.posts
        )
        body = (f'<section class="mlnotes-part"><h1><span class="mlnotes-part-number">'
                f"{html.escape(part_number(number, app.config.language))}</span> {html.escape(part.title)}</h1>"
                f"<ol>{items}</ol></section>")
        yield part.page, {"title": part.title, "body": body}, "page.html"
    keys = cited_papers(app.env, [p for part in parts for p in part.posts])
    if keys:
        yield BIBLIOGRAPHY_PAGE, {"title": bibliography_title(), "body": bibliography_html(app, keys)}, "page.html"


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                  doctree: nodes.document | None) -> None:
    """No ablog prev/next (by date, across the whole blog, with a non-XHTML entity) in the book."""
    if isinstance(app.builder, BookEpubBuilder):
        context["ablog"] = {}


def _book_dependencies(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Which book pages to write, instead of Sphinx's "rewrite every toctree parent".

    Sphinx rewrites a document whose toctree includes any document it writes, so an edit of
    one post's body would rewrite ``book.html`` too.  The book's toctree is ``:titlesonly:``
    (in HTML it shows the posts' titles and nothing else), so we drop that blanket dependency
    and rewrite the book page when a title, or the set of posts, changed.  The EPUB's first
    page shows the order by date and area as well: it is written on every EPUB build."""
    out: list[str] = []
    known: dict[str, dict[str, str]] = env.__dict__.setdefault(BOOK_TITLES, {})
    for book, included in doc_store(env).book_docs.items():
        for docname in included:
            env.files_to_rebuild.get(docname, set()).discard(book)
        titles = {d: env.titles[d].astext() for d in included if d in env.titles}
        if known.get(book, titles) != titles or isinstance(app.builder, BookEpubBuilder):
            out.append(book)
        known[book] = titles
    return out


# --------------------------------------------------------------------------------- wiring


def _resolved(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if app.builder.format == "latex":
        _latex_book(app, doctree)
    elif isinstance(app.builder, BookEpubBuilder):
        _epub_book_page(app, doctree, docname)


def setup_book(app: Sphinx) -> None:
    app.add_directive("mlnotes-book", BookDirective)
    app.add_builder(BookEpubBuilder, override=True)
    app.connect("doctree-resolved", _resolved)
    app.connect("html-collect-pages", _epub_pages)
    # after ablog's html-page-context handler (default priority), whose prev/next it removes
    app.connect("html-page-context", _page_context, priority=900)
    app.connect("env-updated", _book_dependencies)
