"""Every post meets the site's writing standard (docs/authoring.md), checked on the source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pybtex.database import parse_file

from conftest import REPO, posts

MIN_HAN = 2000
HAN = re.compile(r"[\u4e00-\u9fff]")
FOOTCITE = re.compile(r"\{footcite:[a-z]+\}`([^`]+)`")
POST_LINK = re.compile(r"\]\(([a-z0-9-]+)\.md(?:#[^)]*)?\)")


def split(post: Path) -> tuple[dict, str]:
    text = post.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def without_code(body: str) -> str:
    return re.sub(r"^(```|~~~).*?^\1", "", body, flags=re.S | re.M)


def prose(body: str) -> str:
    """The explanation only: no code, math, citation roles, inline code or references."""
    body = without_code(body.split("## 参考文献", maxsplit=1)[0])
    body = re.sub(r"\$\$.*?\$\$", "", body, flags=re.S)
    body = re.sub(r"\$[^$\n]+\$", "", body)
    body = re.sub(r"\{[a-z:]+\}`[^`]*`", "", body)
    body = re.sub(r"`[^`]*`", "", body)
    return body


def test_prose_counter_ignores_code_math_and_references() -> None:
    body = "中文两字\n```python\n# 注释里的中文\n```\n$$\\text{公式}$$ $中$\n`代码` {footcite:p}`k`\n## 参考文献\n参考"
    assert len(HAN.findall(prose(body))) == 4


@pytest.mark.parametrize("post", posts(), ids=lambda p: p.stem)
def test_post_meets_the_standard(post: Path) -> None:
    meta, body = split(post)
    han = len(HAN.findall(prose(body)))
    assert han >= MIN_HAN, f"{post.name}: {han} Han characters of prose, needs {MIN_HAN}"
    assert meta.get("area"), "no area"
    tags = meta.get("tags")
    assert tags and (len(tags) if isinstance(tags, list) else len(str(tags).split(","))) >= 2, "fewer than 2 tags"
    summary = str(meta.get("summary", ""))
    assert 10 <= len(summary) <= 160, "summary missing or too long for a home-page card"
    assert len(re.findall(r"^# ", without_code(body), re.M)) == 1, "exactly one title heading"
    assert re.search(r"^## ", without_code(body), re.M), "no section headings"
    keys = {k.strip() for group in FOOTCITE.findall(body) for k in group.split(",")}
    assert keys, "cites no paper"
    bib = parse_file(REPO / "refs.bib")
    assert keys <= set(bib.entries), f"unknown keys {keys - set(bib.entries)}"
    if meta.get("paper"):
        assert meta["paper"] in keys, "front-matter paper is not cited in the body"
    assert "```{footbibliography}" in body.split("## 参考文献")[-1], "no references section"
    linked = set(POST_LINK.findall(body)) - {post.stem}
    assert linked, "links to no other post"
    missing = {slug for slug in linked if not (post.parent / f"{slug}.md").exists()}
    assert not missing, f"links to posts that do not exist: {missing}"
    assert re.search(r"^```", body, re.M), "no code block"


@pytest.mark.parametrize("post", posts(), ids=lambda p: p.stem)
def test_python_blocks_run(post: Path, tmp_path: Path) -> None:
    """Code in a post is meant to be run by readers: every ```python block runs as shown."""
    import subprocess
    import sys

    pytest.importorskip("numpy")  # the posts' code uses NumPy
    _, body = split(post)
    blocks = re.findall(r"^```python\n(.*?)^```", body, flags=re.S | re.M)
    for i, code in enumerate(blocks):
        script = tmp_path / f"block{i}.py"
        script.write_text(code, encoding="utf-8")
        result = subprocess.run([sys.executable, str(script)], check=False, capture_output=True, text=True,
                                timeout=120, cwd=tmp_path)
        assert result.returncode == 0, f"{post.name} block {i} failed:\n{result.stderr[-2000:]}"
