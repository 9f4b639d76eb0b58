"""Message catalogs: the extension's own labels, and ablog's in Chinese.

Two catalogs ship under ``mlnotes/locale/<language>/LC_MESSAGES/``:

``mlnotes``
    every string the extension writes into a site (Python-built HTML, templates, feeds, the 404
    page, JS labels, reading time).  The source strings are English; ``zh_CN/mlnotes.po`` is the
    Chinese translation.  Python code uses :func:`_` and :func:`ngettext` (and :func:`N_` to mark
    a string defined at import time, translated where it is used); templates use ``_m(...)`` and
    ``_mn(singular, plural, n)``, put in every page's context; the scripts in ``static/`` read
    theirs from a JSON object in the page (:func:`js_labels`, only on pages whose scripts need
    them).  ``tools/extract_messages.py`` collects the source strings into ``mlnotes.pot``.
    Sentences are whole messages with ``{named}`` placeholders, formatted after translation, so
    a translator can reorder them.  A facet's ``title`` is a source string too, translated each
    time it is read (:class:`mlnotes.facets.base.Facet`).
``sphinx``
    ablog marks its labels for translation in the ``sphinx`` catalog but ships no compiled
    ``.mo`` for zh_CN.  We register ours as a fallback of Sphinx's own ``sphinx`` catalog:
    Sphinx's translations win, ours fill in ablog's strings.

Adding a language is adding ``locale/<language>/LC_MESSAGES/mlnotes.po`` (and compiling it:
``python -m mlnotes.core.i18n``).  The site's ``language`` picks the catalog; a language without
one gets the English source strings.
"""

from __future__ import annotations

import json
from gettext import NullTranslations
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx import locale
from sphinx.application import Sphinx
from sphinx.config import Config

LOCALE_DIR = Path(__file__).parents[1] / "locale"
CATALOG = "sphinx"
#: the extension's own catalog (``mlnotes.po``)
DOMAIN = "mlnotes"


def _translator() -> NullTranslations | None:
    return locale.translators.get(("general", DOMAIN))


def _(message: str) -> str:
    """*message* (an English source string) in the site's language."""
    translator = _translator()
    return translator.gettext(message) if translator is not None else message


def N_(message: str) -> str:
    """Mark *message* as a source string of the catalog without translating it now: for strings
    defined at import time (a facet's ``title``), translated with :func:`_` where they are used."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for count *n*, in the site's language."""
    translator = _translator()
    if translator is None:
        return singular if n == 1 else plural
    return str(translator.ngettext(singular, plural, n))


def compile_catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Compile every ``.po`` below *locale_dir* into the ``.mo`` beside it; return the .mo paths."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as f:
            catalog = read_po(f)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as f:
            write_mo(f, catalog, use_fuzzy=False)
        written.append(mo)
    return written


def use_language(language: str | None) -> None:
    """Make :func:`_` and :func:`ngettext` speak *language* (None: the English source strings).

    Every application does this when it is configured; code that formats labels without one
    (a unit test, say) calls it itself."""
    # Sphinx merges every catalog it is given for a name into one translator that lives for the
    # process; a second application (tests, the resident preview) with another language must
    # not inherit the first one's Chinese
    locale.translators.pop(("general", DOMAIN), None)
    locale.init([str(LOCALE_DIR)], language, DOMAIN)


def _load_domain(app: Sphinx, config: Config) -> None:
    use_language(config.language)


#: the id of the page's JSON object of script labels (read by the scripts in ``static/``)
JS_LABELS_ID = "mlnotes-labels"


def js_labels(math: bool = False, code: bool = False, search: bool = False) -> dict[str, str]:
    """The labels mlnotes' scripts show, in the site's language, for a page with display *math*
    (``mlnotes.js``), *code* (``mlnotes-copy.js``) or the *search* form (``mlnotes-search.js``).

    Only the groups a page needs are put in it, so a page carries a few dozen bytes, not every
    label.  ``{named}`` placeholders are left for the script to fill.  A count's plural form is
    chosen here for 1 (``*1`` keys, left out where they equal the other form) and for any other
    number: enough for the languages the catalogs have (English, Chinese)."""
    out: dict[str, str] = {}
    if math:
        out["formula"] = _("Formula (scrolls sideways)")
    if code:
        out.update(copy=_("Copy"), copied=_("Copied"), press=_("Press Ctrl+C to copy"), copyCode=_("Copy code"),
                   copiedCode=_("Code copied"), copiedNote=_("Code copied to the clipboard"),
                   failedNote=_("Could not copy automatically: the code is selected, press Ctrl+C to copy"))
    if search:
        out.update(
            more1=ngettext("Show more results ({count} more)", "Show more results ({count} more)", 1),
            more=ngettext("Show more results ({count} more)", "Show more results ({count} more)", 2),
            found1=ngettext("Found {count} page containing {words}.", "Found {count} pages containing {words}.", 1),
            found=ngettext("Found {count} page containing {words}.", "Found {count} pages containing {words}.", 2),
            none=_("No page contains all of {words}. Check the spelling, or use fewer search terms or filters."),
            words=_("“{words}”"), wordSep=_("”, “"),
            failed=_("The search index could not be loaded: {error}"),
        )
        for key in ("more", "found"):
            if out[key + "1"] == out[key]:
                del out[key + "1"]
    return out


def _page_js_labels(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                    doctree: nodes.document | None) -> None:
    """Put the labels the page's scripts need into it, as one JSON object (no request, and
    nothing at all on a page without code, display math or the search form)."""
    if app.builder.format != "html":
        return
    body = str(context.get("body", ""))
    labels = js_labels(math='<div class="math' in body, code='class="highlight"' in body, search=pagename == "search")
    if labels:
        # every "<" as \u003c: no label can end the script element
        data = json.dumps(labels, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
        app.add_js_file(None, body=data, type="application/json", id=JS_LABELS_ID)  # this page only


def _template_gettext(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                      doctree: nodes.document | None) -> None:
    context["_m"] = _
    context["_mn"] = ngettext


def setup_i18n(app: Sphinx) -> None:
    app.add_message_catalog(CATALOG, str(LOCALE_DIR))
    _load_domain(app, app.config)
    app.connect("config-inited", _load_domain, priority=10)
    app.connect("html-page-context", _template_gettext)
    app.connect("html-page-context", _page_js_labels)


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    for path in compile_catalogs():
        print(path)
