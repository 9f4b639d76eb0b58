"""Message catalogs: the extension's own labels, and ablog's in Chinese.

Two catalogs ship under ``mlnotes/locale/<language>/LC_MESSAGES/``:

``mlnotes``
    every string the extension writes into a site (Python-built HTML, templates, feeds, the 404
    page, JS labels, reading time).  The source strings are English; ``zh_CN/mlnotes.po`` is the
    Chinese translation.  Python code uses :func:`_` and :func:`ngettext`; templates use
    ``_m(...)``, put in every page's context.  Sentences are whole messages with ``{named}``
    placeholders, formatted after translation, so a translator can reorder them.
``sphinx``
    ablog marks its labels for translation in the ``sphinx`` catalog but ships no compiled
    ``.mo`` for zh_CN.  We register ours as a fallback of Sphinx's own ``sphinx`` catalog:
    Sphinx's translations win, ours fill in ablog's strings.

Adding a language is adding ``locale/<language>/LC_MESSAGES/mlnotes.po`` (and compiling it:
``python -m mlnotes.core.i18n``).  The site's ``language`` picks the catalog; a language without
one gets the English source strings.
"""

from __future__ import annotations

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


def _load_domain(app: Sphinx, config: Config) -> None:
    # Sphinx merges every catalog it is given for a name into one translator that lives for the
    # process; a second application (tests, the resident preview) with another language must
    # not inherit the first one's Chinese
    locale.translators.pop(("general", DOMAIN), None)
    locale.init([str(LOCALE_DIR)], config.language, DOMAIN)


def _template_gettext(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                      doctree: nodes.document | None) -> None:
    context["_m"] = _


def setup_i18n(app: Sphinx) -> None:
    app.add_message_catalog(CATALOG, str(LOCALE_DIR))
    _load_domain(app, app.config)
    app.connect("config-inited", _load_domain, priority=10)
    app.connect("html-page-context", _template_gettext)


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    for path in compile_catalogs():
        print(path)
