"""Chinese labels for ablog.

ablog marks its labels for translation in the ``sphinx`` catalog but ships no compiled
``.mo`` for zh_CN, so a Chinese site shows "Posts tagged", "Recent Posts" and so on.  We ship
the catalog ourselves and register it as a fallback of Sphinx's own ``sphinx`` catalog: Sphinx's
translations win, ours fill in ablog's strings.

``python -m mlnotes.i18n`` recompiles the ``.mo`` files from the ``.po`` sources.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

LOCALE_DIR = Path(__file__).parents[1] / "locale"
CATALOG = "sphinx"


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


def setup_i18n(app: Sphinx) -> None:
    app.add_message_catalog(CATALOG, str(LOCALE_DIR))


if __name__ == "__main__":  # pragma: no cover - maintenance entry point
    for path in compile_catalogs():
        print(path)
