"""ablog's labels in Chinese: our catalog covers every ablog string and its .mo is current."""

from __future__ import annotations

from pathlib import Path

import ablog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from mlnotes.core.i18n import LOCALE_DIR, compile_catalogs

PO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "sphinx.po"


def test_every_ablog_string_is_translated() -> None:
    pot = Path(ablog.__file__).parent / "locales" / "sphinx.pot"
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with PO.open("rb") as f:
        ours = {m.id: m.string for m in read_po(f) if m.id}
    missing = sorted(wanted - ours.keys())
    assert missing == [], f"add these ablog strings to {PO.name}: {missing}"
    assert all(ours[msgid] for msgid in wanted), "empty translations"


def test_compiled_catalog_matches_source(tmp_path: Path) -> None:
    src = tmp_path / "locale" / "zh_CN" / "LC_MESSAGES"
    src.mkdir(parents=True)
    (src / "sphinx.po").write_bytes(PO.read_bytes())
    [fresh] = compile_catalogs(tmp_path / "locale")
    shipped = PO.with_suffix(".mo")
    with fresh.open("rb") as f1, shipped.open("rb") as f2:
        a = {m.id: m.string for m in read_mo(f1) if m.id}
        b = {m.id: m.string for m in read_mo(f2) if m.id}
    assert a == b, "run `python -m mlnotes.core.i18n` and commit the .mo"
