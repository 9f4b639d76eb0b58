"""Real searches in headless Chromium (Debian's, driven by playwright-core) on the built site
served from 127.0.0.1: Chinese compounds and English names find the right posts first."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, SiteBuild, posts
from localsite import BROWSER_DIR, browser_tools, serve


def _titles(area_prefix: str) -> set[str]:
    found = set()
    for post in posts():
        text = post.read_text(encoding="utf-8")
        if re.search(rf"^area: {re.escape(area_prefix)}", text, re.M):
            found.add(re.search(r"^# (.+)$", text, re.M).group(1).strip())
    return found


def _title(slug: str) -> str:
    text = (REPO / "posts" / "2026" / f"{slug}.md").read_text(encoding="utf-8")
    return re.search(r"^# (.+)$", text, re.M).group(1).strip()


@pytest.fixture(scope="module")
def search(site: SiteBuild):
    chromium, node = browser_tools()
    with serve(site.out) as base:

        def run(*queries: str) -> dict:
            result = subprocess.run([node, str(BROWSER_DIR / "search.mjs"), base, *queries], check=False,
                                    capture_output=True, text=True, timeout=180,
                                    env={**os.environ, "CHROMIUM": chromium})
            assert result.returncode == 0, result.stderr[-3000:]
            return json.loads(result.stdout.strip().splitlines()[-1])

        yield run


def test_chinese_and_english_queries_find_the_right_posts(search) -> None:
    out = search("注意力机制", "扩散模型", "对比学习", "CLIP", "状态空间模型")
    assert out["errors"] == []  # e.g. "ChineseStemmer is not defined" would land here
    results = out["results"]
    attention = {_title(s) for s in ("transformer", "attention-scaling", "linear-attention", "performer",
                                     "flash-gau", "efficient-transformers", "flashattention", "deepseek-v3")}
    assert results["注意力机制"][:3] and set(results["注意力机制"][:3]) <= attention
    diffusion = _titles("generative/diffusion")
    assert results["扩散模型"][0] in diffusion
    assert diffusion <= set(results["扩散模型"][:5])
    assert {_title("clip"), _title("siglip")} <= set(results["对比学习"][:3])
    assert results["CLIP"][0] == _title("clip")
    assert {_title("s4"), _title("mamba")} <= set(results["状态空间模型"][:3])


def test_compounds_are_single_index_terms(site: SiteBuild) -> None:
    index = (site.out / "searchindex.js").read_text(encoding="utf-8")
    for term in ("注意力机制", "扩散模型", "对比学习", "状态空间模型"):
        assert json.dumps(term) in index, f"{term} is not an index term (jieba user dictionary)"
    assert "var ChineseStemmer" in (site.out / "_static" / "language_data.js").read_text(encoding="utf-8")


def test_stemmer_shim_only_when_missing(tmp_path: Path) -> None:
    from mlnotes.site.search import fix_language_data

    static = tmp_path / "_static"
    static.mkdir()
    broken = "var EnglishStemmer=function(){};\nwindow.Stemmer = ChineseStemmer;\n"
    (static / "language_data.js").write_text(broken, encoding="utf-8")
    assert fix_language_data(tmp_path) is True
    fixed = (static / "language_data.js").read_text(encoding="utf-8")
    assert fixed.index("var ChineseStemmer") < fixed.index("window.Stemmer = ChineseStemmer")
    assert fix_language_data(tmp_path) is False  # a fixed (or a future, correct Sphinx) file is left alone
    node = shutil.which("node")
    if node:  # the shim really stems like the indexer: English words stemmed, Chinese kept
        script = fixed.replace("var EnglishStemmer=function(){};",
                               "var EnglishStemmer=function(){this.stemWord=w=>w.replace(/s$/,'')};")
        script += ("\nconst s = new window.Stemmer(); "
                   "console.log([s.stemWord('Models'), s.stemWord('注意力机制'), s.stemWord('SSMs')].join('|'));")
        out = subprocess.run([node, "-e", "var window = globalThis;\n" + script],
                             capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "model|注意力机制|ssm"
