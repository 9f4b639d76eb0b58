"""The split search index (mlnotes.site.splitindex) and the search page that reads it
(static/mlnotes-search.js): the pieces in Python, then the real site in Debian's chromium —
unspaced queries segmented by the index's vocabulary, recall and precision over a query set
built from the site (tests/search_queries.py), filters, snippets, bytes per query, Lighthouse."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from docutils.core import publish_doctree
from lxml import html as lxml_html

from conftest import REPO, SiteBuild
from localsite import BROWSER_DIR, browser_tools, serve
from mlnotes.site.splitindex import (
    BLOCK_CHARS,
    HEADING_BIT,
    SEARCH_DIR,
    TITLE_BIT,
    PageWords,
    bigram_bucket,
    bigram_buckets,
    code_text,
    normalise,
    page_bigrams,
    page_words,
    remove_stale,
    shard_key,
    shards,
    text_blocks,
)
from tools.search_queries import ISSUE, measure, note_texts, query_set

# -- the pieces --------------------------------------------------------------------------------


def test_terms_and_shards() -> None:
    assert normalise("扩散模型") == "扩散模型"
    assert normalise("Transformer") == "transformer"
    assert normalise("的") is None and normalise("，") is None and normalise(" ") is None and normalise("x") is None
    assert normalise("GPT-4") is None  # jieba's mixed tokens; the Latin splitter gives gpt and 4
    assert shard_key("扩散模型") == f"h/{ord('扩'):x}" and shard_key("transformer") == "l/tr"


def test_weights_and_blocks() -> None:
    doctree = publish_doctree("标题\n====\n\n" + "扩散模型的采样很慢。" * 80 + "\n\n第二段讲显存。\n")
    blocks = text_blocks(doctree)
    assert blocks[0].startswith("标题") and all(len(b) <= BLOCK_CHARS + 1 for b in blocks)
    assert len(blocks) >= 2 and "显存" in blocks[-1]
    entry = page_words("扩散模型", ["扩散模型", "采样", "采样", "显存", "Models"], ["扩散模型"], blocks,
                       lambda text: [text])
    weight, first = entry.terms["扩散模型"]
    assert weight & TITLE_BIT and weight & HEADING_BIT and weight & 0xFF == 1
    assert blocks[0] == "标题" and first == 1  # a paragraph too long for the rest of a block starts a new one
    assert entry.terms["采样"][0] == 2 and entry.terms["models"][0] == 1
    assert entry.terms["显存"][1] == len(blocks) - 1  # the block the snippet of 显存 loads


def test_postings_are_delta_coded_per_shard() -> None:
    pages = {"a": PageWords("A", {"扩散": (3, 0)}, []), "b": PageWords("B", {"扩散": (1, 2), "扩展": (513, 0)}, [])}
    out = shards(pages)
    assert out == {f"h/{ord('扩'):x}": {"扩散": [0, 3, 0, 1, 1, 2], "扩展": [1, 513, 0]}}


def test_bigrams_of_the_text_in_buckets() -> None:
    """The fallback for what no term covers: every bigram of the Chinese text (across a block cut
    inside a paragraph too), its pages delta-coded, bucketed by a hash of both characters."""
    assert page_bigrams(["数据集上", "训练。Loss 下降"]) == {"数据", "据集", "集上", "上训", "训练", "下降"}
    assert page_bigrams(["数据"], "机器学习 论文") == {"数据", "机器", "器学", "学习", "论文"}  # and the code's
    doctree = publish_doctree("正文。\n\n::\n\n    note = {机器学习 论文笔记}\n")
    assert code_text(doctree) == "机器学习 论文笔记" and "机器" not in "".join(text_blocks(doctree))
    raw = publish_doctree(".. raw:: html\n\n   <p title=\"标题属性\">引用本文</p><script>var 脚本 = 1;</script>\n")
    assert code_text(raw) == "引用本文"  # raw HTML as Sphinx's indexer reads it: text, not tags or scripts
    pages = {d: PageWords(d, {}, [text]) for d, text in (("a", "数据集"), ("b", "数据"), ("c", "据集和数据"))}
    buckets = bigram_buckets(pages)
    assert len(buckets) == 1 and buckets[0] == {"数据": [0, 1, 1], "据集": [0, 2], "集和": [2], "和数": [2]}
    many = {f"p{n}": PageWords("", {}, ["".join(chr(0x4E00 + (n * 7 + i) % 3000) for i in range(400))])
            for n in range(200)}
    buckets = bigram_buckets(many)
    assert len(buckets) > 1 and all(bigram_bucket(g, len(buckets)) == n for n, b in enumerate(buckets) for g in b)
    assert bigram_bucket("据集", 1000) == (ord("据") * 65536 + ord("集")) % 1000  # as mlnotes-search.js computes it


def test_stale_files_are_removed(tmp_path: Path) -> None:
    keep = tmp_path / "h" / "1.json"
    gone = tmp_path / "t" / "posts" / "old" / "0.txt"
    for path in (keep, gone):
        path.parent.mkdir(parents=True)
        path.write_text("x", encoding="utf-8")
    remove_stale(tmp_path, {keep})
    assert keep.is_file() and not gone.exists() and not (tmp_path / "t").exists()


def test_sphinx_word_store_has_the_fields_we_read() -> None:
    from dataclasses import fields

    from sphinx.search import WordStore

    assert {"words", "titles", "title_words"} <= {f.name for f in fields(WordStore)}


# -- the built site ----------------------------------------------------------------------------


def test_split_index_of_the_site(site: SiteBuild) -> None:
    assert site.first.returncode == 0, site.first.stderr[-3000:]
    root = site.out / SEARCH_DIR
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    docnames = [d[2] for d in manifest["docs"]]
    assert docnames == sorted(docnames) and "posts/2026/clip" in docnames
    # the search page says which shards exist (it fetches a query's shards before the manifest)
    page = (site.out / "search.html").read_text(encoding="utf-8")
    box = lxml_html.fromstring(page).xpath("//*[@data-mlnotes-index]")[0]
    assert box.get("data-mlnotes-index") == f"_search/manifest.json?v={manifest['stamp']}"
    assert box.get("data-mlnotes-stamp") == manifest["stamp"]
    han, latin = box.get("data-mlnotes-han"), box.get("data-mlnotes-latin").split(" ")
    assert {p.stem for p in (root / "h").glob("*.json")} == {f"{ord(c):x}" for c in han}
    assert {p.stem for p in (root / "l").glob("*.json")} == set(latin)
    assert len(list((root / "b").glob("*.json"))) == int(box.get("data-mlnotes-bigrams")) >= 1
    assert "扩" in han and "cl" in latin
    shard = json.loads((root / f"h/{ord('扩'):x}.json").read_text(encoding="utf-8"))
    assert "扩散模型" in shard and all(t.startswith("扩") for t in shard)
    clip = docnames.index("posts/2026/clip")
    doc, flat = 0, json.loads((root / "l/cl.json").read_text(encoding="utf-8"))["clip"]
    postings = {}
    for i in range(0, len(flat), 3):
        doc += flat[i]
        postings[doc] = flat[i + 1]
    assert postings[clip] & TITLE_BIT  # CLIP is in the note's title
    row = manifest["docs"][clip]
    assert row[4] == 2026 and (root / "t" / "posts/2026/clip" / f"{row[3] - 1}.txt").is_file()
    # the search page loads our script and none of Sphinx's search files, nor its helpers, nor
    # the theme's script for custom icons; it preloads the manifest
    assert "mlnotes-search.js" in page and "searchindex.js" not in page and "searchtools.js" not in page
    assert not re.search(r"doctools|sphinx_highlight|translations\.js|fontawesome\.js", page)
    preload = f'href="_search/manifest.json?v={manifest["stamp"]}"'
    assert f'<link rel="preload" as="fetch" crossorigin="anonymous" {preload}' in page
    assert re.search(r'<select[^>]*name="area"', page) and re.search(r'<select[^>]*name="date"', page)


def _node(site: SiteBuild, queries: list[dict], fresh: bool = False) -> dict:
    chromium, node = browser_tools()
    spec = site.out.parent / f"queries-{os.getpid()}-{int(fresh)}.json"
    spec.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    with serve(site.out) as base:
        result = subprocess.run([node, str(BROWSER_DIR / "searchquality.mjs"), base, str(spec),
                                 *(["--fresh"] if fresh else [])], check=False, capture_output=True, text=True,
                                timeout=600, env={**os.environ, "CHROMIUM": chromium})
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["errors"] == []
    return out


def _title(slug: str) -> str:
    text = (REPO / "posts" / "2026" / f"{slug}.md").read_text(encoding="utf-8")
    return re.search(r"^# (.+)$", text, re.M).group(1).strip()


def test_recall_and_precision_of_unspaced_queries(site: SiteBuild) -> None:
    """The goal of issue 17: recall ≥ 0.95 at precision ≥ 0.9 over notes (figures in docs/quality.md)."""
    queries = query_set(site.out, site.doctrees)
    assert len(queries) >= 40 and {len(q.words) for q in queries} == {1, 2, 3, 4}
    assert all(q.truth for q in queries)
    out = _node(site, [{"q": q.q} for q in queries])
    found = {r["q"]: r["docs"] for r in out["results"]}
    words = {r["q"]: r["words"] for r in out["results"]}
    figures = measure(queries, found)
    record = REPO / "_build" / "search-quality.json"
    record.parent.mkdir(exist_ok=True)
    record.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    print(figures)
    assert figures["recall"] >= 0.95 and figures["precision"] >= 0.9, figures
    # the issue's unspaced queries are segmented into their words and find what the words find
    for issue_words in ISSUE:
        assert words["".join(issue_words)] == list(issue_words)
    assert found["扩散模型采样"][:1] and found["扩散模型采样"][0].startswith("posts/")


def test_unknown_runs_are_searched_by_bigrams(site: SiteBuild) -> None:
    """Issue 17's fallback: what the index's terms do not cover is searched by character bigrams
    (数据集 is 数据 + 集 in jieba's cut); a particle alone is left out."""
    texts = note_texts(site.out)
    out = _node(site, [{"q": "数据集"}, {"q": "扩散模型的采样"}, {"q": "扩散模型采样"}])
    found = {r["q"]: {d for d in r["docs"] if d.startswith("posts/")} for r in out["results"]}
    words = {r["q"]: r["words"] for r in out["results"]}
    assert words["数据集"] == ["数据集"]
    # before, 数据集 found every note with 数据 (17 too many)
    assert found["数据集"] and found["数据集"] == {d for d, text in texts.items() if "数据集" in text}
    assert words["扩散模型的采样"] == ["扩散模型", "采样"] and found["扩散模型的采样"] == found["扩散模型采样"]


def test_ranking_titles_first_and_filters(site: SiteBuild) -> None:
    out = _node(site, [{"q": "注意力机制"}, {"q": "clip"}, {"q": "扩散模型"},
                       {"q": "注意力", "filters": {"area": "generative"}},
                       {"q": "注意力", "filters": {"date": "1999"}}])
    by_query = [r["docs"] for r in out["results"]]
    attention = {"posts/2026/" + s for s in ("transformer", "attention-scaling", "linear-attention", "performer",
                                             "flash-gau", "efficient-transformers", "flashattention")}
    assert set(by_query[0][:3]) <= attention and "posts/2026/transformer" in by_query[0][:3]
    assert by_query[1][0] == "posts/2026/clip"
    unfiltered = set(_node(site, [{"q": "注意力"}])["results"][0]["docs"])
    assert by_query[3] and set(by_query[3]) < unfiltered
    for docname in by_query[3]:
        text = (REPO / f"{docname}.md").read_text(encoding="utf-8")
        assert re.search(r"^area: generative", text, re.M), docname
    assert by_query[4] == []  # no note from 1999


def test_search_page_shows_snippets_and_stays_small(site: SiteBuild) -> None:
    """A reader's search (fresh cache): results with highlighted words, the split index's bytes."""
    out = _node(site, [{"q": "扩散模型采样"}, {"q": "梯度检查点显存", "filters": {"date": "2026"}}], fresh=True)
    words = {"扩散模型采样": {"扩散模型", "采样"}, "梯度检查点显存": {"梯度检查点", "显存"}}
    print(out["pages"])
    for page in out["pages"]:
        # the results on the screen (and a little below) have their snippet, with the words marked
        assert page["shown"] >= 1 and page["snippets"] >= min(page["shown"], 3), page
        assert set(page["marked"]) <= words[page["q"]] and page["marked"], page
        assert "找到" in page["summary"], page
        assert page["searchBytes"] <= 100 * 1024 and page["bytes"] <= 300 * 1024, page
        assert page["ms"] <= 1000, page


@pytest.mark.parametrize("query", ["扩散模型采样"])
def test_lighthouse_search_page(site: SiteBuild, tmp_path: Path, query: str) -> None:
    """Lighthouse (mobile) on the search page with a query: performance ≥ 0.90 (best of three runs,
    as tests/test_offline.py does), ≤ 300 KiB, accessibility, best practices and SEO 1.0."""
    chromium, node = browser_tools("lighthouse")
    cli = BROWSER_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
    best: dict = {}
    with serve(site.out) as base:
        for attempt in range(3):
            report = tmp_path / f"lh-{attempt}.json"
            result = subprocess.run(
                [node, str(cli), f"{base}/search.html?q={query}", "--output=json", f"--output-path={report}",
                 "--only-categories=performance,accessibility,best-practices,seo",
                 "--chrome-flags=--headless=new --no-sandbox --disable-gpu", "--quiet"],
                check=False, capture_output=True, text=True, timeout=300, env={**os.environ, "CHROME_PATH": chromium})
            assert result.returncode == 0, result.stderr[-3000:]
            data = json.loads(report.read_text(encoding="utf-8"))
            scores = {k: v["score"] for k, v in data["categories"].items()}
            scores["kib"] = data["audits"]["total-byte-weight"]["numericValue"] / 1024
            failing = sorted(k for k, a in data["audits"].items()
                             if a.get("score") is not None and a["score"] < 1 and a.get("scoreDisplayMode") == "binary")
            if not best or scores["performance"] > best["performance"]:
                best = {**scores, "failing": failing}
            if scores["performance"] >= 0.90:
                break
    print(best)
    assert best["performance"] >= 0.90 and best["kib"] <= 300, best
    assert best["accessibility"] == 1 and best["best-practices"] == 1 and best["seo"] == 1, best
