"""Chinese full-text search that works in the browser.

Two fixes on top of Sphinx's Chinese search:

- Sphinx 9.0.x writes ``window.Stemmer = ChineseStemmer`` into ``language_data.js`` but never
  defines ``ChineseStemmer``, so the search page throws and finds nothing.  After the build we
  define it in that file, mirroring the Python side: Latin words go through the English
  stemmer (short acronyms kept whole), Chinese words stay as they are.
- Sphinx's Chinese indexer loads jieba's dictionary (about a second) as soon as the HTML
  builder starts, even when no page is written.  Ours loads it the first time a page is
  indexed, so a rebuild with nothing to write does not pay for it; and it hands only Latin words
  to the English stemmer.
- jieba only indexes words it knows, and the browser does not segment queries: "注意力机制"
  finds nothing unless that compound is one indexed term.  We give jieba a user dictionary made
  of the taxonomy's names and aliases plus a glossary of ML terms (``data/ml_terms.txt``), via
  ``html_search_options["dict"]``.
- Before the index is written, Sphinx prunes it with ``env.all_docs``, a dict: each of the
  index's words (150,000 at a thousand posts) then turns that dict into a new set, about a
  second per build.  We give the builder's indexer a prune that makes the set once; the index
  is the same.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterable
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.search.zh import JIEBA_DEFAULT_DICT, SearchChinese, jieba_load_userdict

from mlnotes.core.events import RUNTIME_READY
from mlnotes.site.base import write_if_changed


GLOSSARY = Path(__file__).parents[1] / "data" / "ml_terms.txt"
DICT_NAME = "mlnotes-jieba-dict.txt"
HAN = re.compile(r"[\u4e00-\u9fff]")
ONLY_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")

STEMMER_SHIM = """
// mlnotes: Sphinx 9.0.x refers to ChineseStemmer without defining it; define it like the
// Python indexer stems: Latin words with the English stemmer, Chinese words unchanged.
var ChineseStemmer = function () {
  var english = null;
  this.stemWord = function (word) {
    if (!/^[\\x00-\\x7f]+$/.test(word)) { return word; }
    english = english || new EnglishStemmer();
    var stemmed = english.stemWord(word.toLowerCase());
    return (word.length >= 3 && stemmed.length < 3) ? word.toLowerCase() : stemmed;
  };
};
"""


class LazyChinese(SearchChinese):
    """Sphinx's Chinese search language, loading jieba and the user dictionary on first use."""

    def __init__(self, options: dict[str, str]) -> None:  # noqa: D107 - as SearchChinese, minus the load
        super(SearchChinese, self).__init__(options)
        self.latin_terms: set[str] = set()
        self._dict: str | None = options.get("dict", JIEBA_DEFAULT_DICT) or None
        self._loaded = False
        import snowballstemmer  # noqa: PLC0415 - Sphinx's own dependency

        self.stemmer = snowballstemmer.stemmer("english")
        #: (Latin word, whether it is a known Latin term) → its stem: the same words (attention,
        #: transformer …) recur on every page
        self._stems: dict[tuple[str, bool], str] = {}

    def stem(self, word: str) -> str:
        """Chinese words are never stemmed (the English stemmer leaves them as they are, at the
        cost of a call for each of the half-million words of a 1,000-post site); each Latin word
        is stemmed once per build."""
        if ONLY_HAN.fullmatch(word):
            return word
        key = (word, word in self.latin_terms)  # SearchChinese.stem depends on both
        stemmed = self._stems.get(key)
        if stemmed is None:
            stemmed = self._stems[key] = super().stem(word)
        return stemmed

    def split(self, input: str) -> list[str]:  # noqa: A002 - Sphinx's signature
        if not self._loaded:
            self._loaded = True
            if self._dict and Path(self._dict).is_file():
                load_user_dictionary(self._dict)
        return super().split(input)


def load_user_dictionary(path: str) -> None:
    """Add a user dictionary to jieba's process-wide tokenizer, once per content.

    jieba's ``add_word`` adds each word's frequency to the tokenizer's total every time, and the
    default frequency it suggests depends on that total: loading the same dictionary a second
    time (a second build in one process: tests, a live preview) segments text differently, so
    the search index of the same site would differ from build to build."""
    import hashlib  # noqa: PLC0415

    import jieba  # noqa: PLC0415 - present whenever Sphinx's Chinese search is

    key = hashlib.sha256(Path(path).read_bytes()).hexdigest()  # the same words from another path too
    loaded: set[str] = jieba.dt.__dict__.setdefault("_mlnotes_user_dictionaries", set())
    if key not in loaded:
        jieba_load_userdict(path)
        loaded.add(key)


def dictionary_words(app: Sphinx) -> list[str]:
    runtime = getattr(app, "_mlnotes_runtime")
    words: set[str] = set()
    for term in [*runtime.taxonomy.areas.values(), *runtime.taxonomy.tags.values(), *runtime.taxonomy.series.values()]:
        for spelling in (term.name, *term.aliases):
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
    """Define ChineseStemmer in _static/language_data.js if Sphinx left it undefined."""
    path = outdir / "_static" / "language_data.js"
    if not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    if "ChineseStemmer" not in text or re.search(r"(var|function|const|let)\s+ChineseStemmer\b", text):
        return False
    write_if_changed(path, text.replace("window.Stemmer = ChineseStemmer;",
                                        STEMMER_SHIM + "window.Stemmer = ChineseStemmer;"))
    return True


def _prune_with_a_set(indexer: object, docnames: Iterable[str]) -> None:
    type(indexer).prune(indexer, frozenset(docnames))  # type: ignore[attr-defined]


def _fast_prune(app: Sphinx, *args: object) -> list[object]:
    """html-collect-pages: the indexer exists by now and is about to be pruned and dumped."""
    indexer = getattr(app.builder, "indexer", None)
    if indexer is not None and "prune" not in vars(indexer):
        indexer.prune = types.MethodType(_prune_with_a_set, indexer)
    return []


def _finished(app: Sphinx, exc: Exception | None) -> None:
    if exc is None and app.builder.format == "html":
        fix_language_data(Path(app.builder.outdir))


def setup_search(app: Sphinx) -> None:
    app.add_search_language(LazyChinese)
    app.connect(RUNTIME_READY, _user_dictionary)  # needs the taxonomy (mlnotes.core.events)
    app.connect("build-finished", _finished)
    app.connect("html-collect-pages", _fast_prune)
