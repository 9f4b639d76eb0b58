"""The search index split into small files, so that a search loads only what its query needs.

Sphinx writes one ``searchindex.js`` that the search page loads whole: 139 KB gzipped for this
site's 45 notes, 375 KB for a thousand short ones.  Worse, the browser does not segment the
query at all, so ``扩散模型采样`` finds nothing although ``扩散模型 采样`` finds many notes.

So next to it we write ``_search/`` (read by ``static/mlnotes-search.js`` on the search page):

- ``manifest.json``: every indexed page (title, URL, year, its terms of the facets that have a
  sidebar, for the filters) and which shards exist;
- one shard per first character of a Chinese term (``h/<code point>.json``) and per first two
  letters of a Latin word (``l/<letters>.json``): every indexed term that starts there, with its
  postings (page, weight, the block of text where the term first occurs).  The browser segments
  a query's Chinese runs by the longest terms of the index itself (fewest words), so it needs
  only the shards of the query's characters, and gets the postings with them;
- the character bigrams of the pages' Chinese text (``b/<n>.json``: bigram → the pages whose
  text has it, in buckets by a hash of the bigram): the fallback for the part of
  a query that no indexed term covers (``数据集`` where jieba wrote 数据 + 集, a word jieba cut
  differently in some page), which must then occur as bigrams.  Only such a query loads them;
- the pages' text in blocks of a few hundred characters (``t/<docname>/<n>.txt``): a result's
  snippet loads one block.

The terms are the words Sphinx's own indexer segmented with jieba (captured as it feeds each
page, :func:`mlnotes.compat.sphinx.capture_indexed_words`), so the two indexes cannot disagree
and nothing is segmented twice.  Like Sphinx's index, pages not written in an incremental build
keep their last entry: the entries live in a record next to the doctrees, and every output file
is derived from the whole record, so an incremental build writes the files a clean build writes.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import pickle
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util import logging

from mlnotes.compat.sphinx import capture_indexed_words
from mlnotes.core.i18n import _
from mlnotes.core.records import get_posts
from mlnotes.facets.runtime import app_runtime
from mlnotes.site.base import write_if_changed

logger = logging.getLogger(__name__)

#: the index's folder in the output (beside _static, _sources, _images)
SEARCH_DIR = "_search"
#: the record of every page's entry, next to the doctrees
RECORD = "mlnotes-search.pickle"
#: this build's state on the app
STATE_ATTR = "_mlnotes_split_index"
#: what the search page needs before the manifest (this build's stamp, which shards exist)
PAGE_FACTS_ATTR = "_mlnotes_split_index_page_facts"
#: set once the HTML builder's indexing is wrapped (once per application)
WRAPPED_ATTR = "_mlnotes_split_index_wrapped"
#: roughly how many characters a text block holds (one block is loaded per snippet)
BLOCK_CHARS = 500
#: about how many bytes a bucket of bigrams holds (a query's unknown part loads one per character)
BIGRAM_BUCKET_BYTES = 16_384
#: builders whose pages the search page links to
BUILDERS = ("html", "dirhtml")

HAN_TERM = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")
LATIN_TERM = re.compile(r"[a-z0-9_]{2,}")
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>")
TEXT_NODES = (nodes.paragraph, nodes.title, nodes.term, nodes.caption, nodes.rubric, nodes.line)

#: weight bits of a posting: term frequency below, heading and title flags above
TITLE_BIT, HEADING_BIT, TF_MAX = 512, 256, 255


class IndexedWords(Protocol):
    """What we read of Sphinx's ``WordStore`` of a page."""

    words: list[str]
    title_words: list[str]


class Splitter(Protocol):
    """What we use of Sphinx's search language: its word splitter (jieba for Chinese)."""

    def split(self, input: str) -> list[str]: ...  # Sphinx's parameter name


@dataclass
class PageWords:
    """What the index keeps of one page (plain data: pickled between builds)."""

    title: str
    #: term → (weight, index of the first block whose text contains it)
    terms: dict[str, tuple[int, int]]
    blocks: list[str]
    #: the Chinese text of the page's code blocks: Sphinx indexes it (so its terms are in
    #: ``terms``), the snippets' blocks leave it out; the bigrams take both
    code: str = ""


def normalise(word: str) -> str | None:
    """The index term for one of Sphinx's words: Chinese terms of two characters or more as they
    are, Latin words lowercased (not stemmed: the browser matches them as prefixes), else None."""
    if HAN_TERM.fullmatch(word):
        return word
    lower = word.lower()
    return lower if LATIN_TERM.fullmatch(lower) else None


def shard_key(term: str) -> str:
    """The shard a term lives in: ``h/<hex code point of its first character>`` or ``l/<first two letters>``."""
    return f"h/{ord(term[0]):x}" if HAN_TERM.match(term) else f"l/{term[:2]}"


def _searchable(node: nodes.Element) -> bool:
    """Whether Sphinx's indexer reads the text of *node* (not in a comment, raw or ``no-search`` node)."""
    current: nodes.Element | None = node
    while current is not None:
        if isinstance(current, nodes.comment | nodes.raw) or "no-search" in current["classes"]:
            return False
        current = current.parent
    return True


def code_text(doctree: nodes.document) -> str:
    """The Chinese runs of what Sphinx indexes beyond the blocks' prose, for the bigrams: code
    blocks (comments in code, strings) and raw HTML (its text without tags, scripts and styles,
    as Sphinx's indexer reads it: the "cite this note" box, for one)."""
    runs: list[str] = []
    for node in doctree.findall(lambda n: isinstance(n, nodes.literal_block | nodes.doctest_block | nodes.raw)):
        if not isinstance(node, nodes.Element):
            continue
        text = node.astext()
        if isinstance(node, nodes.raw):
            if "html" not in node.get("format", "").split() or not (node.parent is None or _searchable(node.parent)):
                continue
            text = _TAG.sub(" ", _SCRIPT.sub(" ", text))
        elif not _searchable(node):
            continue
        runs += HAN_TERM.findall(text)
    return " ".join(runs)


def text_blocks(doctree: nodes.document) -> list[str]:
    """The page's text (paragraphs, titles, terms, captions) in blocks of about
    :data:`BLOCK_CHARS` characters, cut between paragraphs where possible."""
    blocks: list[str] = []
    current = ""
    for node in doctree.findall(lambda n: isinstance(n, TEXT_NODES)):
        if not isinstance(node, nodes.Element) or not _searchable(node):
            continue
        text = " ".join(node.astext().split())
        while text:
            room = BLOCK_CHARS - len(current)
            if current and len(text) > room:
                blocks.append(current)
                current = ""
                continue
            piece, text = text[:BLOCK_CHARS], text[BLOCK_CHARS:]
            current = f"{current} {piece}" if current else piece
    if current:
        blocks.append(current)
    return blocks


def page_words(title: str, words: list[str], title_words: list[str], blocks: list[str],
               split: Callable[[str], list[str]]) -> PageWords:
    """One page's entry: each term's weight (frequency, and whether it is in the page title or a
    heading) and the first block that contains it."""
    counts = Counter(t for w in words if (t := normalise(w)))
    titled = {t for w in split(title) if (t := normalise(w))}
    headed = {t for w in title_words if (t := normalise(w))}
    # one lowered text with the blocks' start offsets: a term's first block is one find() away
    text = "\n".join(blocks).lower()
    starts = list(itertools.accumulate((len(b) + 1 for b in blocks[:-1]), initial=0))
    terms: dict[str, tuple[int, int]] = {}
    for term in sorted(set(counts) | titled | headed):
        weight = (min(counts[term], TF_MAX) | (HEADING_BIT if term in headed else 0)
                  | (TITLE_BIT if term in titled else 0))
        at = text.find(term)
        terms[term] = (weight, bisect.bisect_right(starts, at) - 1 if at >= 0 else 0)
    return PageWords(title=title, terms=terms, blocks=blocks)


class SplitIndex:
    """This build's entries: last build's record, and the pages indexed (or dropped) in this one."""

    def __init__(self, record: Path) -> None:
        self.record = record
        try:
            self.old: dict[str, PageWords] = pickle.loads(record.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            self.old = {}
        self.fed: dict[str, PageWords | None] = {}

    def on_page(self, docname: str, title: str, store: IndexedWords | None, doctree: nodes.document,
                lang: Splitter) -> None:
        if store is None:
            self.fed[docname] = None
            return
        entry = page_words(title, list(store.words), list(store.title_words), text_blocks(doctree), lang.split)
        entry.code = code_text(doctree)
        self.fed[docname] = entry

    def pages(self, docnames: set[str]) -> dict[str, PageWords]:
        """Every page of the site that is indexed, in docname order."""
        out: dict[str, PageWords] = {}
        for docname in sorted(docnames):
            entry = self.fed[docname] if docname in self.fed else self.old.get(docname)
            if entry is not None:
                out[docname] = entry
        return out


def _dump(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def shards(pages: dict[str, PageWords]) -> dict[str, dict[str, list[int]]]:
    """shard key → term → postings ``[page id delta, weight, first block, …]`` (page ids are the
    positions in *pages*)."""
    postings: dict[str, list[tuple[int, int, int]]] = {}
    for doc_id, entry in enumerate(pages.values()):
        for term, (weight, block) in entry.terms.items():
            postings.setdefault(term, []).append((doc_id, weight, block))
    out: dict[str, dict[str, list[int]]] = {}
    for term in sorted(postings):
        flat: list[int] = []
        previous = 0
        for doc_id, weight, block in postings[term]:
            flat += [doc_id - previous, weight, block]
            previous = doc_id
        out.setdefault(shard_key(term), {})[term] = flat
    return out


def page_bigrams(blocks: list[str], code: str = "") -> set[str]:
    """The character bigrams of a page's Chinese text (its blocks and its code).  The blocks are
    joined without a gap: a block cut inside a paragraph keeps the bigram across the cut (one
    between two paragraphs that meet at a block's end costs no more than a rare false match)."""
    return {run[i:i + 2] for run in HAN_TERM.findall("".join(blocks) + " " + code) for i in range(len(run) - 1)}


def bigram_bucket(gram: str, count: int) -> int:
    """The bucket of a bigram, by both of its characters: by the first alone, the bigrams of a
    frequent character (的, 数) would crowd one bucket (the browser computes the same)."""
    return (ord(gram[0]) * 65536 + ord(gram[1])) % count


def bigram_buckets(pages: dict[str, PageWords]) -> list[dict[str, list[int]]]:
    """The bigrams of every page in buckets (:func:`bigram_bucket`), each bigram with the
    delta-coded ids of the pages whose text has it.  The count of buckets makes them about
    :data:`BIGRAM_BUCKET_BYTES` each, so the browser needs no list of which exist."""
    postings: dict[str, list[int]] = {}
    for doc_id, entry in enumerate(pages.values()):
        for gram in page_bigrams(entry.blocks, entry.code):
            postings.setdefault(gram, []).append(doc_id)
    # about 6 bytes a bigram and 3 a page id in JSON
    size = sum(6 + 3 * len(ids) for ids in postings.values())
    buckets: list[dict[str, list[int]]] = [{} for _ in range(max(1, -(-size // BIGRAM_BUCKET_BYTES)))]
    for gram in sorted(postings):
        ids = postings[gram]
        buckets[bigram_bucket(gram, len(buckets))][gram] = [ids[0], *(b - a for a, b in itertools.pairwise(ids))]
    return buckets


def _facets(app: Sphinx, pages: dict[str, PageWords]) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    """The filters (each facet with a sidebar: its terms in use) and each page's
    ``[year, [term ids of each filter]]`` (posts only; other pages have 0 and no terms)."""
    records = get_posts(app.env)
    facets = [f for f in app_runtime(app).facets if f.sidebar]
    used: list[set[str]] = [set() for _ in facets]
    per_page: list[list[list[str]]] = []
    for docname in pages:
        record = records.get(docname)
        terms: list[list[str]] = []
        for i, facet in enumerate(facets):
            slugs = record.facets.get(facet.name, []) if record else []
            rolled = sorted({s for slug in slugs for s in facet.rollup(slug)})
            used[i].update(rolled)
            terms.append(rolled)
        per_page.append(terms)
    filters: list[dict[str, Any]] = []
    ids: list[dict[str, int]] = []
    for i, facet in enumerate(facets):
        vocabulary = facet.terms()
        ordered = [slug for slug in vocabulary if slug in used[i]] + sorted(used[i] - set(vocabulary))
        filters.append({"name": facet.name, "terms": ordered, "labels": [facet.display(s) for s in ordered]})
        ids.append({slug: n for n, slug in enumerate(ordered)})
    docs: list[list[Any]] = []
    for docname, terms in zip(pages, per_page, strict=True):
        record = records.get(docname)
        year = int(record.date[:4]) if record and record.date else 0
        docs.append([year, [[ids[i][slug] for slug in slugs] for i, slugs in enumerate(terms)]])
    return filters, docs


def write_index(app: Sphinx, pages: dict[str, PageWords]) -> tuple[set[Path], dict[str, str]]:
    """Write the manifest, the shards, the bigrams and the text blocks; return every path written
    (or kept) and what the search page itself carries: the stamp (the version every URL of the
    index has, so a browser may cache them), the first characters and Latin pairs that have a
    shard, and the count of bigram buckets.  With these the page fetches a query's shards
    without waiting for the manifest."""
    builder = app.builder
    root = Path(builder.outdir) / SEARCH_DIR
    files: dict[Path, str] = {}
    by_shard = shards(pages)
    for key, terms in by_shard.items():
        files[root / f"{key}.json"] = _dump(terms)
    grams = bigram_buckets(pages)
    for n, bucket in enumerate(grams):
        files[root / "b" / f"{n}.json"] = _dump(bucket)
    for docname, entry in pages.items():
        for n, block in enumerate(entry.blocks):
            files[root / "t" / docname / f"{n}.txt"] = block
    stamp = hashlib.sha256("".join(files[p] for p in sorted(files)).encode("utf-8")).hexdigest()[:12]
    filters, facets = _facets(app, pages)
    # the URL only where it is not the docname + ".html" (dirhtml, the home page …): a fifth of
    # the manifest less at a thousand notes
    docs = [[entry.title, "" if (uri := builder.get_target_uri(docname)) == f"{docname}.html" else uri,
             docname, len(entry.blocks), *facet_data]
            for (docname, entry), facet_data in zip(pages.items(), facets, strict=True)]
    manifest = {"stamp": stamp, "docs": docs, "filters": filters}
    files[root / "manifest.json"] = _dump(manifest)
    for path, text in files.items():
        write_if_changed(path, text)
    facts = {
        "stamp": stamp,
        "han": "".join(sorted(chr(int(k[2:], 16)) for k in by_shard if k.startswith("h/"))),
        "latin": " ".join(sorted(k[2:] for k in by_shard if k.startswith("l/"))),
        "bigrams": str(len(grams)),
    }
    return set(files), facts


def remove_stale(root: Path, keep: set[Path]) -> None:
    """Delete what an earlier build wrote under *root* and this one did not (a removed page's
    blocks, a shard no term needs any more), so the folder is what a clean build writes."""
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*"), reverse=True):
        if path.is_file() and path not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _builder_inited(app: Sphinx) -> None:
    builder = app.builder
    if builder.name not in BUILDERS or not isinstance(builder, StandaloneHTMLBuilder) or not builder.search:
        return
    # a new state for every build: the resident preview (mlnotes.frontend.preview) runs this
    # handler again before each rebuild of the same application, whose builder is wrapped once
    app.__dict__[STATE_ATTR] = SplitIndex(Path(app.doctreedir) / RECORD)
    app.__dict__.pop(PAGE_FACTS_ATTR, None)
    if not app.__dict__.get(WRAPPED_ATTR):
        if capture_indexed_words(app, lambda docname, title, store, doctree, lang:
                                 _on_page(app, docname, title, store, doctree, lang)):
            app.__dict__[WRAPPED_ATTR] = True
        else:
            del app.__dict__[STATE_ATTR]


def _on_page(app: Sphinx, docname: str, title: str, store: IndexedWords | None, doctree: nodes.document,
             lang: Splitter) -> None:
    """The indexed words of one page, for this build's state."""
    state: SplitIndex | None = app.__dict__.get(STATE_ATTR)
    if state is not None:
        state.on_page(docname, title, store, doctree, lang)


def _collect_pages(app: Sphinx) -> list[tuple[str, dict[str, Any], str]]:
    """html-collect-pages: every page has been written (and indexed) by now."""
    state: SplitIndex | None = app.__dict__.pop(STATE_ATTR, None)
    if state is None:
        return []
    pages = state.pages(set(app.env.all_docs))
    keep, facts = write_index(app, pages)
    # search.html is written after this event (gen_additional_pages), with these
    app.__dict__[PAGE_FACTS_ATTR] = facts
    remove_stale(Path(app.builder.outdir) / SEARCH_DIR, keep)
    record = pickle.dumps(pages, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        write_if_changed(state.record, record)
    except OSError as err:  # a read-only doctree dir only costs the next incremental build
        logger.debug("mlnotes: cannot write %s: %s", state.record, err)
    return []


def search_filters(app: Sphinx) -> list[dict[str, Any]]:
    """The search page's filters: each facet with a sidebar (its terms that posts use, children
    indented under their parents) and the years of the posts."""
    records = [r for d, r in get_posts(app.env).items() if d in app.env.all_docs]
    out: list[dict[str, Any]] = []
    # a child term is indented by one ideographic space in a CJK site, by non-breaking spaces in
    # others (the ideographic space is a full-width character out of place in Latin text)
    cjk = str(app.config.language or "").lower().startswith(("zh", "ja", "ko"))
    indent = "\u3000" if cjk else "\u00a0" * 3
    for facet in app_runtime(app).facets:
        if not facet.sidebar:
            continue
        used = {s for r in records for slug in r.facets.get(facet.name, []) for s in facet.rollup(slug)}
        vocabulary = facet.terms()
        options = []
        for slug in [s for s in vocabulary if s in used] + sorted(used - set(vocabulary)):
            depth, term = 0, vocabulary.get(slug)
            while term is not None and term.parent:
                depth, term = depth + 1, vocabulary.get(term.parent)
            options.append((slug, indent * depth + facet.display(slug)))
        out.append({"name": facet.name, "label": facet.title, "options": options})
    years = sorted({r.date[:4] for r in records if r.date}, reverse=True)
    # the year the note was published ("date": the year facet, where there is one, is the paper's)
    out.append({"name": "date", "label": _("Year published"), "options": [(y, y) for y in years]})
    return out


def _page_context(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                  doctree: object) -> None:
    if pagename == "search":
        context["mlnotes_search_filters"] = search_filters(app)
        facts: dict[str, str] = app.__dict__.get(PAGE_FACTS_ATTR, {})
        context["mlnotes_search_index"] = facts
        # the manifest's URL with this build's stamp: the page preloads it, the script fetches it
        manifest = context["pathto"](f"{SEARCH_DIR}/manifest.json", 1)
        context["mlnotes_search_manifest"] = f"{manifest}?v={facts['stamp']}" if facts else manifest


def setup_split_index(app: Sphinx) -> None:
    app.connect("builder-inited", _builder_inited)
    app.connect("html-page-context", _page_context)
    app.connect("html-collect-pages", _collect_pages)
