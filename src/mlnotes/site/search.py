"""Chinese full-text search that works in the browser.

What the site adds to Sphinx's Chinese search:

- jieba only indexes words it knows, and the browser does not segment queries: "注意力机制"
  finds nothing unless that compound is one indexed term.  We give jieba a user dictionary made
  of the taxonomy's names and aliases plus a glossary of ML terms (``data/ml_terms.txt``), via
  ``html_search_options["dict"]``.
- Sphinx 9.0.x writes ``window.Stemmer = ChineseStemmer`` into ``language_data.js`` but never
  defines ``ChineseStemmer``, so the search page throws and finds nothing.  After the build we
  define it in that file (only while the installed Sphinx has the bug).
- jieba's dictionary is loaded the first time a page is indexed, not when the HTML builder
  starts, and the index is pruned with a set (a second per build at a thousand posts).

The patches of Sphinx and jieba this needs (the lazy search language, the prune, the stemmer
shim, loading a user dictionary once per process) are in :mod:`mlnotes.compat.sphinx` and
:mod:`mlnotes.compat.jieba`; this module keeps the site's words and wires them in.
"""

from __future__ import annotations

import re
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config

from mlnotes.compat.sphinx import LazyChinese, chinese_stemmer_missing, define_chinese_stemmer, fast_prune
from mlnotes.core.events import RUNTIME_READY
from mlnotes.facets.runtime import app_runtime
from mlnotes.site.base import write_if_changed
from mlnotes.site.splitindex import setup_split_index

GLOSSARY = Path(__file__).parents[1] / "data" / "ml_terms.txt"
DICT_NAME = "mlnotes-jieba-dict.txt"
HAN = re.compile(r"[\u4e00-\u9fff]")


def dictionary_words(app: Sphinx) -> list[str]:
    """Every facet's search words (the names and aliases of areas, tags, series …) split into
    their Chinese compounds, plus the glossary of ML terms."""
    words: set[str] = set()
    for facet in app_runtime(app).facets:
        for spelling in facet.search_words():
            for part in re.split(r"[\s/·、，,：:（）()]+", spelling):
                if len(HAN.findall(part)) >= 2:
                    words.add(part)
    words.update(w.strip() for w in GLOSSARY.read_text(encoding="utf-8").splitlines() if w.strip())
    return sorted(words)


def _user_dictionary(app: Sphinx, config: Config) -> None:
    if not str(config.language or "").startswith("zh"):
        return
    path = Path(app.doctreedir) / DICT_NAME
    text = "".join(f"{w} 100000 n\n" for w in dictionary_words(app))
    write_if_changed(path, text)
    options = dict(config.html_search_options or {})
    options.setdefault("dict", str(path))
    config.html_search_options = options


def fix_language_data(outdir: Path) -> bool:
    """Define ChineseStemmer in _static/language_data.js if Sphinx left it undefined (the shim is
    :func:`mlnotes.compat.sphinx.define_chinese_stemmer`)."""
    path = outdir / "_static" / "language_data.js"
    if not path.is_file():
        return False
    fixed = define_chinese_stemmer(path.read_text(encoding="utf-8"))
    if fixed is None:
        return False
    write_if_changed(path, fixed)
    return True


def _finished(app: Sphinx, exc: Exception | None) -> None:
    if exc is None and app.builder.format == "html":
        fix_language_data(Path(app.builder.outdir))


def setup_search(app: Sphinx) -> None:
    app.add_search_language(LazyChinese)
    app.connect(RUNTIME_READY, _user_dictionary)  # needs the taxonomy (mlnotes.core.events)
    if chinese_stemmer_missing():  # off by itself once Sphinx defines ChineseStemmer
        app.connect("build-finished", _finished)
    app.connect("html-collect-pages", fast_prune)
    setup_split_index(app)  # the index the search page reads (site/splitindex.py)
