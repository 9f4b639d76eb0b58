"""A query set for the search page, built from the site itself, with its ground truth
(tests/test_search.py measures the site with it; tools/bench_search.py the bench corpus).

A query is 1–4 words typed without spaces (``扩散模型采样``), the way readers type.  Its ground
truth is every note whose text (the article of its built page, as a reader sees it) contains
every word, case-insensitively: nothing about it comes from the search index.

The words come from the site's own vocabulary of technical terms: the jieba user dictionary the
build writes (the taxonomy's names and aliases plus the glossary ``data/ml_terms.txt``) and a few
dozen everyday technical words of the notes.  The queries of the issue are always in the set;
the rest are drawn with a fixed seed: a note, then 1–4 words that note contains, none inside
another, so every query has at least one right answer.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import html as lxml_html

#: the queries of the issue, as words (the query is their concatenation)
ISSUE = [("扩散模型", "采样"), ("注意力", "复杂度"), ("混合专家", "负载均衡"), ("梯度检查点", "显存"),
         ("注意力机制",), ("扩散模型",), ("对比学习",), ("状态空间模型",)]

#: everyday words of ML notes that are in no dictionary of ours (jieba knows them)
COMMON = ["采样", "复杂度", "显存", "训练", "推理", "损失", "梯度", "参数", "精度", "速度", "内存", "数据集",
          "编码器", "解码器", "向量", "矩阵", "概率", "分布", "噪声", "优化器", "学习率", "批量", "标签", "特征",
          "卷积", "池化", "归一化", "残差", "激活函数", "位置编码", "权重", "梯度下降", "过拟合", "正则化",
          "预训练", "微调", "文本", "图像", "序列", "长度", "并行", "通信", "吞吐", "延迟", "精确", "近似",
          "误差", "实验", "基线", "指标", "准确率", "召回", "检测", "分类", "回归", "聚类", "决策树", "集成"]

SEED = 17


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...]
    #: docnames of the notes whose text contains every word
    truth: frozenset[str]

    @property
    def q(self) -> str:
        return "".join(self.words)


def note_texts(out: Path) -> dict[str, str]:
    """docname → the lowercased text of the note's article, for every note (``posts/``) of a built site."""
    texts = {}
    for page in sorted((out / "posts").rglob("*.html")):
        article = lxml_html.parse(str(page)).getroot().xpath("//article")
        if article:
            # what a reader sees: not the data of scripts (the link previews' JSON names other notes)
            for hidden in article[0].xpath(".//script | .//style | .//template"):
                hidden.drop_tree()
            docname = str(page.relative_to(out).with_suffix(""))
            texts[docname] = " ".join(article[0].text_content().split()).lower()
    return texts


def vocabulary(doctrees: Path) -> list[str]:
    """The words queries are made of: the build's jieba user dictionary and :data:`COMMON`."""
    words = [line.split()[0] for line in (doctrees / "mlnotes-jieba-dict.txt").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    return sorted({w.lower() for w in words + COMMON if len(w) >= 2})


def truth(texts: dict[str, str], words: tuple[str, ...]) -> frozenset[str]:
    lowered = [w.lower() for w in words]
    return frozenset(d for d, t in texts.items() if all(w in t for w in lowered))


def query_set(out: Path, doctrees: Path, n: int = 60) -> list[Query]:
    """The issue's queries and *n* drawn ones (sizes 1–4 in turn), each with its ground truth."""
    texts = note_texts(out)
    vocab = vocabulary(doctrees)
    rng = random.Random(SEED)
    queries = [Query(words, truth(texts, words)) for words in ISSUE]
    seen = {q.q for q in queries}
    docnames = sorted(texts)
    tries = 0
    while len(queries) < len(ISSUE) + n and tries < 100_000:
        tries += 1
        size = 1 + (len(queries) - len(ISSUE)) % 4
        doc = rng.choice(docnames)
        present = [w for w in vocab if w in texts[doc]]
        if len(present) < size:
            continue
        words = tuple(rng.sample(present, size))
        if any(a != b and a in b for a in words for b in words):  # one word inside another
            continue
        if any(re.fullmatch(r"[a-z0-9_]+", a) and re.fullmatch(r"[a-z0-9_]+", b)
               for a, b in itertools.pairwise(words)):
            continue  # two Latin words typed together are one word
        query = Query(words, truth(texts, words))
        if query.q not in seen:
            seen.add(query.q)
            queries.append(query)
    return queries


def measure(queries: list[Query], found: dict[str, list[str]]) -> dict[str, float]:
    """Recall and precision over notes, pooled over every (query, note) pair and averaged per query."""
    hits = returned = relevant = 0
    per_recall, per_precision = [], []
    for query in queries:
        got = {d for d in found[query.q] if d.startswith("posts/")}
        right = len(got & query.truth)
        hits, returned, relevant = hits + right, returned + len(got), relevant + len(query.truth)
        per_recall.append(right / len(query.truth) if query.truth else 1.0)
        per_precision.append(right / len(got) if got else (1.0 if not query.truth else 0.0))
    return {
        "queries": len(queries),
        "recall": hits / relevant if relevant else 1.0,
        "precision": hits / returned if returned else 1.0,
        "mean_recall": sum(per_recall) / len(queries),
        "mean_precision": sum(per_precision) / len(queries),
    }


def drawn_queries(out: Path, terms_of: dict[str, list[str]], n: int, seed: int = SEED) -> list[Query]:
    """*n* queries of 1–4 words drawn from the indexed terms of random notes (for a corpus with
    no vocabulary of its own, like the bench's random text), with their ground truth by text."""
    texts = note_texts(out)
    rng = random.Random(seed)
    docnames = sorted(d for d in texts if terms_of.get(d))
    queries: list[Query] = []
    seen: set[str] = set()
    while len(queries) < n:
        size = 1 + len(queries) % 4
        doc = rng.choice(docnames)
        words = tuple(rng.sample(terms_of[doc], min(size, len(terms_of[doc]))))
        if any(a != b and a in b for a in words for b in words):
            continue
        query = Query(words, truth(texts, words))
        if query.q not in seen and query.truth:
            seen.add(query.q)
            queries.append(query)
    return queries
