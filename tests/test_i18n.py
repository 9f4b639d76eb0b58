"""The catalogs: ablog's labels in Chinese (our ``sphinx`` catalog covers them); the ``mlnotes``
catalog lists every message of the package (``tools/extract_messages.py``) and translates each
into Chinese; labels follow the language of the build; an English site shows no Chinese."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import ablog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from mlnotes.book.book import part_number
from mlnotes.core.i18n import LOCALE_DIR, compile_catalogs, use_language
from mlnotes.core.taxonomy import Term
from mlnotes.facets.base import Facet, Resolved
from mlnotes.read.measures import measure
from tools.extract_messages import POT, messages, pot_text

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


# ------------------------------------------------------------------ the mlnotes catalog

MLNOTES_PO = LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "mlnotes.po"
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def test_pot_lists_every_message_of_the_package() -> None:
    assert POT.read_text(encoding="utf-8") == pot_text(), "run `python tools/extract_messages.py` and commit the .pot"


def test_every_message_has_a_chinese_translation() -> None:
    with POT.open("rb") as f:
        wanted = {m.id if isinstance(m.id, str) else m.id[0]: m.id for m in read_po(f) if m.id}
    with MLNOTES_PO.open("rb") as f:
        ours = {m.id if isinstance(m.id, str) else m.id[0]: m for m in read_po(f) if m.id}
    missing = sorted(wanted.keys() - ours.keys())
    assert missing == [], f"translate these in {MLNOTES_PO.name}: {missing}"
    empty = sorted(k for k in wanted if not all(ours[k].string if isinstance(ours[k].string, tuple)
                                                else [ours[k].string]))
    assert empty == [], f"empty translations in {MLNOTES_PO.name}: {empty}"
    plural = sorted(k for k in wanted if isinstance(wanted[k], tuple) != isinstance(ours[k].id, tuple))
    assert plural == [], f"singular/plural mismatch with the .pot: {plural}"
    stale = sorted(ours.keys() - wanted.keys())
    assert stale == [], f"{MLNOTES_PO.name} translates messages the package no longer has: {stale}"
    # the placeholders of each translation are the source's (a renamed one would raise KeyError)
    fields = re.compile(r"\{(\w*)\}")
    for key, message in ours.items():
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert {f for s in strings for f in fields.findall(s)} <= {f for s in sources for f in fields.findall(s)}, key


def test_compiled_mlnotes_catalog_matches_source(tmp_path: Path) -> None:
    src = tmp_path / "locale" / "zh_CN" / "LC_MESSAGES"
    src.mkdir(parents=True)
    (src / "mlnotes.po").write_bytes(MLNOTES_PO.read_bytes())
    [fresh] = compile_catalogs(tmp_path / "locale")
    with fresh.open("rb") as f1, MLNOTES_PO.with_suffix(".mo").open("rb") as f2:
        a = {str(m.id): str(m.string) for m in read_mo(f1) if m.id}
        b = {str(m.id): str(m.string) for m in read_mo(f2) if m.id}
    assert a == b, "run `python -m mlnotes.core.i18n` and commit the .mo"


def test_extractor_takes_only_our_catalogs_calls(tmp_path: Path) -> None:
    pkg = tmp_path / "mlnotes"
    (pkg / "templates").mkdir(parents=True)
    (pkg / "mod.py").write_text('from mlnotes.core.i18n import _, ngettext\n'
                                'x = _("Ours") + ngettext("{n} one", "{n} many", 2)\n', encoding="utf-8")
    (pkg / "other.py").write_text('from sphinx.locale import _\ny = _("Sphinx\'s")\n', encoding="utf-8")
    (pkg / "templates" / "t.html").write_text(
        "{{ _m(\"Label\") }} {{ _('Search') }} {% trans %}Error{% endtrans %} "
        "{{ _mn('{count} post', '{count} posts', n) }}", encoding="utf-8")
    assert sorted(str(m) for m, _where in messages(pkg)) == [
        "('{count} post', '{count} posts')", "('{n} one', '{n} many')", "Label", "Ours"]


# ----------------------------------------------------------- translated at use time


class _PluginFacet(Facet):
    name = "plugin"
    title = "Dataset"

    def terms(self) -> dict[str, Term]:
        return {}

    def resolve(self, raw: str) -> Resolved:
        return Resolved()


def test_facet_titles_follow_the_language_of_the_build(tmp_path: Path) -> None:
    from mlnotes.facets.area import AreaFacet

    try:
        use_language("zh_CN")
        assert AreaFacet.title == "领域" and AreaFacet.title_source == "Area"
        assert _PluginFacet.title == "Dataset"  # a plugin's own string: no translation, shown as set
        assert measure("字" * 1000 + " word" * 300).text() == "约 4 分钟读完（1,300 字）"
        assert part_number(3, "zh_CN") == "第三部分"
        use_language("en")
        assert AreaFacet.title == "Area" and _PluginFacet.title == "Dataset"
        assert measure("word " * 450).text() == "3 min read (450 words)"
        assert measure("word").text() == "1 min read (1 word)"
        assert part_number(3, "en") == "Part 3"
    finally:
        use_language(None)


# ----------------------------------------------------------------- an English site


def test_an_english_site_shows_no_chinese(make_app: Any, rootdir: Path, tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-i18n-en", src)
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "notes"]):  # the "last updated" line
        subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args], cwd=src, check=True,
                       env={**os.environ, "GIT_AUTHOR_DATE": "2026-03-01T12:00:00Z",
                            "GIT_COMMITTER_DATE": "2026-03-01T12:00:00Z"})
    app = make_app("html", srcdir=src)
    app.build()
    warnings = [line for line in app._warning.getvalue().splitlines() if "WARNING" in line]
    assert warnings == []
    out = Path(app.outdir)
    found = []
    for path in sorted(out.rglob("*")):
        if path.suffix not in {".html", ".xml", ".js", ".json", ".bib"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in HAN.finditer(text):
            found.append(f"{path.relative_to(out)}: …{text[max(0, match.start() - 60):match.end() + 30]}…")
            break
    assert found == [], "Chinese in the English site:\n" + "\n".join(found)
    # and the labels are there, in English
    post = (out / "posts" / "first.html").read_text(encoding="utf-8")
    for label in ("min read (", "Related notes", "About this note", "Last updated: <time", "Edit this page on GitHub",
                  "Browse by Area", "Recent posts", "Cite this note", "Series “Vision basics”", "post 1 of 2",
                  "Next: Second note →", "langid       = {english}", '"copy":"Copy"', '"formula":"Formula'):
        assert label in post, label
    paper = (out / "topics" / "paper" / "alpha2020.html").read_text(encoding="utf-8")
    for label in ("Code, data and results", "Official code: <a", "Datasets: COCO", "et al. (9 authors)"):
        assert label in paper, label
    search = (out / "search.html").read_text(encoding="utf-8")
    assert '"found":"Found {count} pages containing {words}."' in search
    assert '<option value="">All</option>' in search
    assert 'og:locale" content="en"' in post
