"""Everything mlnotes does to Sphinx's internals, written for Sphinx 9.0 (the private names each
patch relies on were also checked in the Sphinx 8.2.3 wheel; the locked version is what the tests run).

Each patch below says what Sphinx does, why we patch, and when to remove it:

- :func:`setup_settle` — an unchanged rebuild must not report "The configuration has changed"
  (lists the settings through ``Config.values``);
- :func:`set_in_conf` — whether a setting was given in ``conf.py`` or with ``-D``
  (``Config._raw_config``, ``Config._overrides``);
- :class:`LazyChinese` — Sphinx's Chinese search language without loading jieba at builder
  start (skips ``SearchChinese.__init__``);
- :func:`fast_prune` — the search index pruned with a set (rebinds ``indexer.prune``);
- :func:`define_chinese_stemmer` — defines the ``ChineseStemmer`` that Sphinx 9.0.x's
  ``language_data.js`` uses but never defines; switches itself off when Sphinx defines it;
- :func:`suspend_parallel_read` / :func:`restore_parallel` — a few documents read without forking
  workers (sets ``app.parallel`` during the read);
- :func:`capture_indexed_words` — hands each page's words, as Sphinx's indexer segmented them, to
  the site's split search index (wraps ``index_page`` and ``IndexBuilder._word_collector``).

Outside ``WRITTEN_FOR`` the build stops (:func:`mlnotes.compat.check_versions`): re-check each
patch against the new Sphinx (``tests/test_compat.py`` names what each relies on), then widen
the range.
"""

from __future__ import annotations

import copy
import logging as stdlogging
import os
import pickle
import re
import types
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.config import Config
from sphinx.search.zh import JIEBA_DEFAULT_DICT, SearchChinese
from sphinx.util import logging

from mlnotes.compat import VersionRange
from mlnotes.compat.jieba import load_user_dictionary

if TYPE_CHECKING:
    from docutils import nodes
    from sphinx.search import IndexBuilder, SearchLanguage, WordStore

WRITTEN_FOR = VersionRange("sphinx", ">=8.2.3,<9.1", module=__name__)

#: the private names this module relies on, checked against the installed Sphinx by
#: tests/test_compat.py (instance attributes are checked on an instance there)
PRIVATE = (
    "sphinx.config.Config.values",
    "sphinx.config.Config._raw_config",
    "sphinx.config.Config._overrides",
    "sphinx.search.zh.SearchChinese.__init__",
    "sphinx.search.IndexBuilder.prune",
    "sphinx.search.IndexBuilder._mapping",
    "sphinx.search.IndexBuilder._title_mapping",
    "sphinx.builders.html.StandaloneHTMLBuilder.get_output_path",
    "sphinx.application.Sphinx.parallel",
    "sphinx.builders.html.StandaloneHTMLBuilder.index_page",
    "sphinx.search.IndexBuilder._word_collector",
    "sphinx.search.IndexBuilder.lang",
    "sphinx.search.WordStore",  # its fields (words, titles, title_words): tests/test_search.py
    "sphinx.application.Sphinx._warncount",
    "sphinx.builders.html.StandaloneHTMLBuilder._js_files",
    "sphinx.builders.html.StandaloneHTMLBuilder._css_files",
    "sphinx.builders.html.StandaloneHTMLBuilder.load_indexer",
    "sphinx.search.IndexBuilder._filenames",
    "sphinx.search.IndexBuilder._titles",
    "sphinx.search.IndexBuilder._all_titles",
    "sphinx.environment.BuildEnvironment._builder_cls",
)

logger = logging.getLogger(__name__)

# --- the settled configuration -------------------------------------------------------------
#
# Sphinx compares the configuration pickled with the last build against the new one right after
# ``config-inited``.  Themes and extensions that change settings later — pydata-sphinx-theme adds
# to ``templates_path`` and ``html_theme_options``, sphinx-design to ``html_static_path``, MyST to
# ``mathjax4_config`` — make the pickled values differ from a fresh ``conf.py`` every time, so
# every rebuild starts with "The configuration has changed".
#
# We record, per setting, the value at ``config-inited`` and the value once the builder is set
# up.  On the next build, a setting whose ``config-inited`` value is the same as last time gets
# last time's settled value straight away, so the comparison sees what the build will really
# use.  A setting the author changed in ``conf.py`` no longer matches its record and is left
# alone, so a real change is still reported.  Path lists are de-duplicated afterwards because the
# extensions append to them again.  The settings are listed from ``Config.values``, a public
# property over the private ``Config._options``.  Remove when Sphinx
# compares the configuration after ``builder-inited``, or no extension of the site changes
# settings that late.

RECORD = "mlnotes-settled-config.pickle"
_SNAPSHOT_ATTR = "_mlnotes_config_snapshot"


def _record_path(app: Sphinx) -> Path:
    return Path(app.doctreedir) / RECORD


def _snapshot(config: Config) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in sorted(config.values):  # every registered setting (the public view of Config._options)
        try:
            value = getattr(config, name)
            values[name] = copy.deepcopy(value)
            pickle.dumps(values[name])
        except Exception:  # unpicklable values (functions, modules) are never compared
            values.pop(name, None)
    return values


def _replay(app: Sphinx, config: Config) -> None:
    current = _snapshot(config)
    setattr(app, _SNAPSHOT_ATTR, current)
    try:
        record: dict[str, tuple[Any, Any]] = pickle.loads(_record_path(app).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return
    for name, (before, after) in record.items():
        if name in current and current[name] == before:
            setattr(config, name, copy.deepcopy(after))


def _settle(app: Sphinx) -> None:
    before: dict[str, Any] = getattr(app, _SNAPSHOT_ATTR, {})
    config = app.config
    record: dict[str, tuple[Any, Any]] = {}
    for name, old in before.items():
        value = getattr(config, name)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            deduped = list(dict.fromkeys(value))
            if len(deduped) != len(value):
                value[:] = deduped  # in place: extensions may hold the same list
        if value != old:
            try:
                record[name] = (old, copy.deepcopy(value))
                pickle.dumps(record[name])
            except Exception:
                record.pop(name, None)
    # The HTML builder hashed its settings into .buildinfo before the late changes above;
    # hash the settled values instead, so the next build (which starts from them) agrees.
    builder = app.builder
    if record and hasattr(builder, "create_build_info") and hasattr(builder, "build_info"):
        builder.build_info = builder.create_build_info()
    path = _record_path(app)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(record))
    except OSError as exc:  # a read-only doctree dir only costs the optimisation
        logger.debug("mlnotes: cannot write %s: %s", path, exc)


def setup_settle(app: Sphinx) -> None:
    """Replay last build's settled configuration before Sphinx compares it; record this one's."""
    # last of config-inited: Sphinx compares the configuration right after it, and every other
    # extension has set its values by then
    app.connect("config-inited", _replay, priority=990)
    # last of builder-inited: the theme and extensions change settings up to there
    app.connect("builder-inited", _settle, priority=990)
    app.connect("builder-inited", atomic_page_writes)


# --- where a setting came from -------------------------------------------------------------


def set_in_conf(config: Config, name: str) -> bool:
    """Whether *name* was assigned in ``conf.py`` or on the command line (``-D``), as opposed to
    left at its default.

    Sphinx keeps ``conf.py``'s namespace in the private ``Config._raw_config``, the ``-D`` values
    in ``Config._overrides``, and offers no public way to tell a default from an explicit value.
    Remove when it does."""
    return name in config._raw_config or name in config._overrides


# --- Chinese search: jieba loaded on first use, stems cached ---------------------------------

#: Chinese (Han) text only: never stemmed
ONLY_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


class LazyChinese(SearchChinese):
    """Sphinx's Chinese search language, loading jieba and the user dictionary on first use.

    Sphinx's ``SearchChinese.__init__`` loads jieba's dictionary (about a second) as soon as the
    HTML builder starts, even when no page is written.  We skip it (calling the base
    ``SearchLanguage.__init__`` directly) and set up what it sets up ourselves, loading the
    dictionary the first time a page is split; and each Latin word is stemmed once per build.
    Written for Sphinx 9.0's ``SearchChinese`` (attributes ``latin_terms`` and ``stemmer``,
    ``stem`` depending on ``latin_terms``).  Remove when Sphinx loads jieba lazily."""

    def __init__(self, options: dict[str, str]) -> None:  # as SearchChinese, minus the load
        super(SearchChinese, self).__init__(options)
        self.latin_terms: set[str] = set()
        self._dict: str | None = options.get("dict", JIEBA_DEFAULT_DICT) or None
        self._loaded = False
        import snowballstemmer  # Sphinx's own dependency

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

    def split(self, input: str) -> list[str]:  # Sphinx's signature
        if not self._loaded:
            self._loaded = True
            if self._dict and Path(self._dict).is_file():
                load_user_dictionary(self._dict)
        return super().split(input)


# --- the search index pruned with a set ------------------------------------------------------
#
# Before the index is written, Sphinx prunes it with ``env.all_docs``, a dict: each of the
# index's words (150,000 at a thousand posts) then turns that dict into a new set, about a
# second per build.  We rebind the builder's ``indexer.prune`` (on the instance) to one that
# makes the set once; the index is the same.  Remove when ``IndexBuilder.prune`` builds the set
# itself.


def _prune_with_a_set(indexer: IndexBuilder, docnames: Iterable[str]) -> None:
    """Sphinx's prune with the documents as a set, then without the terms it left with no
    document: Sphinx keeps them (``"c2024": []`` after the only post with that word is deleted),
    so an incremental build's index differs from a clean build's, which never had them."""
    type(indexer).prune(indexer, frozenset(docnames))
    for mapping in (indexer._mapping, indexer._title_mapping):
        for term in [term for term, found in mapping.items() if not found]:
            del mapping[term]


def fast_prune(app: Sphinx, *args: object) -> list[object]:
    """html-collect-pages: the indexer exists by now and is about to be pruned and dumped."""
    indexer = getattr(app.builder, "indexer", None)
    if indexer is not None and "prune" not in vars(indexer):
        indexer.prune = types.MethodType(_prune_with_a_set, indexer)
    return []



# --- pages written whole or not at all -------------------------------------------------------
#
# ``StandaloneHTMLBuilder.handle_page`` writes a page straight into its final file.  A build
# killed while writing leaves it half-written with a new modification time, and the next build
# takes it for up to date (Sphinx compares modification times).  So the builder's
# ``handle_page`` writes into a temporary file beside the page that then replaces it in one rename
# (``outfilename`` is the documented way to choose the file).  Remove once Sphinx writes pages
# atomically itself.


def atomic_page_writes(app: Sphinx) -> None:
    """builder-inited: every page the HTML (or EPUB) builder renders is written atomically."""
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder) or "handle_page" in vars(builder):
        return
    render = builder.handle_page

    def handle_page(pagename: str, addctx: dict[str, Any], templatename: str = "page.html", *,
                    outfilename: Path | None = None, event_arg: object = None) -> None:
        final = Path(outfilename) if outfilename else builder.get_output_path(pagename)
        part = final.with_name(final.name + ".mlnotes-part")
        render(pagename, addctx, templatename, outfilename=part, event_arg=event_arg)
        if part.exists():
            os.replace(part, final)

    builder.handle_page = handle_page  # type: ignore[method-assign]  # this builder only, see above


# --- the ChineseStemmer that Sphinx 9.0.x leaves undefined -----------------------------------
#
# Sphinx 9.0.x writes ``window.Stemmer = ChineseStemmer`` into ``_static/language_data.js``
# (``IndexBuilder.get_js_stemmer_code``: ``{language_name}Stemmer``) but the stemmer code it
# puts there (``english-stemmer.js``) defines only ``EnglishStemmer``, so the search page throws
# and finds nothing.  We define ``ChineseStemmer`` in that file, mirroring the Python side:
# Latin words through the English stemmer (short acronyms kept whole), Chinese words unchanged.
# Not version-guarded: :func:`chinese_stemmer_missing` looks at what the installed Sphinx
# generates, and the shim is only installed while the name is missing; the text check in
# :func:`define_chinese_stemmer` also leaves a correct file alone.  Remove once the oldest
# supported Sphinx defines it.

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

_DEFINES_CHINESE_STEMMER = re.compile(r"(var|function|const|let|class)\s+ChineseStemmer\b")


def define_chinese_stemmer(text: str) -> str | None:
    """*text* (a ``language_data.js``) with ``ChineseStemmer`` defined before its use, or ``None``
    when it does not use it or already defines it."""
    if "ChineseStemmer" not in text or _DEFINES_CHINESE_STEMMER.search(text):
        return None
    use = "window.Stemmer = ChineseStemmer;"
    if use not in text:
        return None
    return text.replace(use, STEMMER_SHIM + use)


def chinese_stemmer_missing() -> bool:
    """Whether the installed Sphinx's JavaScript for Chinese search uses ``ChineseStemmer``
    without defining it (the 9.0.x bug): the stemmer code is what Sphinx itself generates for
    ``SearchChinese``, read from its own files, without building anything."""
    from sphinx.search import IndexBuilder

    try:
        # the method reads nothing of its IndexBuilder but .lang (a class attribute will do), so a
        # stand-in object is enough to call it without building an index
        stand_in = types.SimpleNamespace(lang=SearchChinese)
        code = IndexBuilder.get_js_stemmer_code(stand_in)  # type: ignore[arg-type]  # see above
    except Exception:  # a reworked Sphinx: leave its output alone
        return False
    return define_chinese_stemmer(code) is not None


# --- a few documents read in the main process ------------------------------------------------
#
# ``Sphinx.parallel`` is the ``-j`` of the build; Sphinx reads (and writes) in parallel whenever
# it is above one.  There is no per-phase setting, so to read serially and write in parallel we
# set it to 1 for the read and give the value back afterwards (:mod:`mlnotes.read.readplan`
# decides when).  Remove when Sphinx chooses serial reading for a handful of documents itself.

_SAVED_PARALLEL = "_mlnotes_parallel_for_write"


def suspend_parallel_read(app: Sphinx) -> None:
    """Make this build's read serial; :func:`restore_parallel` gives ``-j`` back."""
    if app.parallel > 1:
        app.__dict__[_SAVED_PARALLEL] = app.parallel
        app.parallel = 1


def restore_parallel(app: Sphinx) -> None:
    """Give the build its ``-j`` back after :func:`suspend_parallel_read` (nothing if it was not called)."""
    saved = app.__dict__.pop(_SAVED_PARALLEL, None)
    if saved is not None:
        app.parallel = saved


# --- the words Sphinx's indexer collected, for the split search index -----------------------
#
# ``StandaloneHTMLBuilder.index_page`` feeds each page it writes to the ``IndexBuilder``, whose
# private ``_word_collector`` walks the doctree and splits its text (jieba for Chinese) into a
# ``WordStore``: the words, the titles (the page's first) and the titles' words.  The site's
# split index (:mod:`mlnotes.site.splitindex`) needs exactly these words per page, with the
# title and heading words told apart; segmenting the page a second time would double the
# indexing cost (jieba is most of it) and could disagree with Sphinx's index.  So the builder's
# ``index_page`` (on the instance) lends the indexer a ``_word_collector`` that keeps what it
# returns, and hands it on.  Remove when Sphinx offers a hook with a page's indexed words.

#: what :func:`capture_indexed_words` hands on: docname, title, the word store (``None`` when
#: Sphinx did not index the page: no title, or ``no-search``), the doctree, the search language
IndexedPage = Callable[[str, str, "WordStore | None", "nodes.document", "SearchLanguage"], None]


def capture_indexed_words(app: Sphinx, on_page: IndexedPage) -> bool:
    """builder-inited: call *on_page* for every page the HTML builder indexes (and for the pages
    it writes without indexing, with ``None``).  Returns whether the builder could be wrapped."""
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder) or "index_page" in vars(builder):
        return False
    index_page = builder.index_page

    def capturing_index_page(pagename: str, doctree: nodes.document, title: str) -> None:
        indexer = builder.indexer
        if indexer is None:
            index_page(pagename, doctree, title)
            return
        kept: list[WordStore] = []
        collect = type(indexer)._word_collector

        def word_collector(tree: nodes.document) -> WordStore:
            store = collect(indexer, tree)
            kept.append(store)
            return store

        indexer._word_collector = word_collector  # type: ignore[method-assign,assignment]  # this call only
        try:
            index_page(pagename, doctree, title)
        finally:
            del indexer._word_collector
        store = kept[0] if kept and kept[0].titles else None  # no-search pages feed an empty tree
        on_page(pagename, title, store, doctree, indexer.lang)

    builder.index_page = capturing_index_page  # type: ignore[method-assign]  # this builder only
    return True


# --- a second build in the same process (the live preview) ------------------------------------
#
# ``Sphinx.build`` can be called again on the same application, and its incremental build then
# re-reads only what changed — what :mod:`mlnotes.frontend.preview` relies on.  Three things of a
# new application are not restored by Sphinx between two calls: the warning count (printed in the
# summary), the script and style sheet lists (``Sphinx.add_js_file`` called for one page, in
# ``html-page-context`` — the copy button's script, MathJax — also enters the registry for good,
# so every page of the next build would load it), and the work of ``builder-inited`` handlers,
# which run once per application.  Remove when Sphinx offers a "begin another build" call.

_ASSET_LISTS = (("registry", "js_files"), ("registry", "css_files"), ("builder", "_js_files"),
                ("builder", "_css_files"))


def asset_lists(app: Sphinx) -> dict[tuple[str, str], list[Any]]:
    """The script and style sheet lists of *app* as they are now (call it on a new application)."""
    return {(owner, name): list(getattr(getattr(app, owner), name)) for owner, name in _ASSET_LISTS
            if isinstance(getattr(getattr(app, owner), name, None), list)}


def begin_another_build(app: Sphinx, assets: dict[tuple[str, str], list[Any]], modules: Iterable[str]) -> None:
    """Before a second ``app.build()``: the warning count and status of a new application, its
    asset lists (*assets*, from :func:`asset_lists`), and the ``builder-inited`` handlers defined
    in *modules* run again, in their priority order (those that set up per-build state)."""
    app.statuscode = 0
    app._warncount = 0
    for (owner, name), value in assets.items():
        getattr(getattr(app, owner), name)[:] = value
    wanted = set(modules)
    for listener in sorted(app.events.listeners.get("builder-inited", []), key=lambda li: li.priority):
        if getattr(listener.handler, "__module__", "") in wanted:
            listener.handler(app)


# --- the search index kept in memory between two builds (the live preview) ---------------------
#
# Before writing, the HTML builder reads the whole ``searchindex.js`` back (``load_indexer``:
# ``IndexBuilder.load`` then ``prune``) to keep the entries of the documents it does not rewrite.
# At a thousand posts that is about a third of the time from a save to the rewritten page.  In a
# process that builds again, the last build's indexer still holds exactly what it dumped, so the
# next indexer takes over the same attributes ``IndexBuilder.load`` sets, and is pruned as usual.
# Remove when Sphinx keeps its indexer between builds itself.

#: what ``IndexBuilder.load`` fills in from the file (nothing else of a loaded index is used)
_LOADED_INDEX = ("_filenames", "_titles", "_all_titles", "_mapping", "_title_mapping")
_HELD_INDEX = "_mlnotes_search_index_held"


def keep_search_index(app: Sphinx) -> None:
    """From the next build of *app* on, start the search index from the last build's in memory."""
    builder = app.builder
    if not isinstance(builder, StandaloneHTMLBuilder) or "load_indexer" in vars(builder):
        return
    load_from_file = builder.load_indexer

    def load_indexer(docnames: AbstractSet[str]) -> None:
        held: dict[str, Any] | None = app.__dict__.pop(_HELD_INDEX, None)
        indexer = builder.indexer
        if held is None or indexer is None:
            load_from_file(docnames)
            return
        for name, value in held.items():
            setattr(indexer, name, value)
        indexer.prune(set(builder.env.all_docs).difference(docnames))

    builder.load_indexer = load_indexer  # type: ignore[method-assign]  # this builder only
    app.connect("build-finished", _hold_search_index)


def _hold_search_index(app: Sphinx, exc: BaseException | None) -> None:
    app.__dict__.pop(_HELD_INDEX, None)
    indexer = getattr(app.builder, "indexer", None)
    if exc is None and indexer is not None and all(hasattr(indexer, name) for name in _LOADED_INDEX):
        app.__dict__[_HELD_INDEX] = {name: getattr(indexer, name) for name in _LOADED_INDEX}


# --- the image types of the builder an environment is read for ----------------------------------
#
# A directive runs while documents are read, before the builder exists as ``env.app.builder``
# (and ``BuildEnvironment.app`` is deprecated); the environment knows the builder's class as the
# private ``_builder_cls`` (set by ``Sphinx._post_init_env``).  mlnotes.figures draws a figure
# only in the format that builder takes (SVG for HTML and EPUB, PDF for LaTeX).  Remove when
# Sphinx tells directives which builder they are read for.


def builder_image_types(env: object) -> list[str] | None:
    """The mimetypes the builder *env* is read for supports, best first; None when unknown."""
    builder_cls = getattr(env, "_builder_cls", None)
    types = getattr(builder_cls, "supported_image_types", None)
    return list(types) if isinstance(types, list) else None


class _DuplicateLabelFilter(stdlogging.Filter):
    """Drops the std domain's "duplicate label" warning from reading a document (the one with a
    location); :mod:`mlnotes.read.labels` gives it instead, whatever the read order."""

    def filter(self, record: stdlogging.LogRecord) -> bool:
        from sphinx.locale import __

        return not (str(record.msg) == str(__("duplicate label %s, other instance in %s"))
                    and getattr(record, "location", None) is not None)


_STD_LOGGER = "sphinx.sphinx.domains.std"


def own_duplicate_labels(app: Sphinx) -> None:
    """Sphinx warns about a label defined twice only when the second document is read while the
    first one's label is in the environment: a serial read of both, or a parallel read whose
    chunk forked after the other's was merged (``StandardDomain.merge_domaindata`` does not
    check: "XXX duplicates?").  So an incremental build that reads both in two parallel chunks
    gave no warning where a clean build gave one.  Until the build ends, that warning is left
    out, and mlnotes.read.labels warns from what every document recorded."""
    logger = stdlogging.getLogger(_STD_LOGGER)
    if not any(isinstance(f, _DuplicateLabelFilter) for f in logger.filters):
        logger.addFilter(_DuplicateLabelFilter())


def std_labels_own_again(app: Sphinx, exc: BaseException | None) -> None:
    """The std domain's duplicate-label warning is Sphinx's again after the build."""
    logger = stdlogging.getLogger(_STD_LOGGER)
    for f in [f for f in logger.filters if isinstance(f, _DuplicateLabelFilter)]:
        logger.removeFilter(f)
