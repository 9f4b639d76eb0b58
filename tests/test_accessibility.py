"""axe-core in headless Chromium (Debian's, driven by playwright-core) on the built site served
from 127.0.0.1: no serious or critical violation on the home page, a post, an area page, a
paper page and the search page with real results, in light and dark mode, on a desktop and a
phone viewport.  A page with known violations proves the harness reports them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import SiteBuild
from localsite import BROWSER_DIR, browser_tools, serve

PAGES = [
    "index.html",
    "posts/2026/deepseek-v3.html",  # display math, code, tables, many citations, a paper card
    "topics/area/multimodal.html",
    "topics/paper/radford2021clip.html",
    "search.html?q=注意力机制",
]
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def tools() -> tuple[str, str]:
    chromium, node = browser_tools("axe-core")
    return node, chromium


def run_axe(tools: tuple[str, str], base: str, pages: list[str], **env: str) -> dict:
    node, chromium = tools
    result = subprocess.run([node, str(BROWSER_DIR / "axe.mjs"), base, *pages], check=False, capture_output=True,
                            text=True, timeout=900, env={**os.environ, "CHROMIUM": chromium, **env})
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def blocking(out: dict) -> list[str]:
    """One line per serious/critical violation: page, mode, viewport, rule, impact, targets."""
    lines = []
    for run in out["runs"]:
        for v in run["violations"]:
            if v["impact"] in BLOCKING:
                targets = "; ".join(n["target"] for n in v["nodes"][:5])
                where = f"{run['page']} [{run['mode']}, {run['viewport']}]"
                lines.append(f"{where} {v['id']} ({v['impact']}): {v['help']} — {targets}")
    return lines


def test_no_serious_or_critical_violations(site: SiteBuild, tools: tuple[str, str]) -> None:
    assert site.first.returncode == 0, site.first.stderr[-3000:]
    with serve(site.out) as base:
        out = run_axe(tools, base, PAGES)
    assert out["errors"] == [], out["errors"]  # script errors, or search results that never rendered
    runs = {(r["page"], r["mode"], r["viewport"]) for r in out["runs"]}
    assert runs == {(p, m, v) for p in PAGES for m in ("light", "dark") for v in ("desktop", "phone")}
    for run in out["runs"]:  # the theme really switched: pydata sets data-theme on <html>
        assert run["theme"] == run["mode"], run
    problems = blocking(out)
    assert problems == [], "axe-core found serious/critical violations:\n" + "\n".join(problems)


def test_the_harness_reports_violations(tmp_path: Path, tools: tuple[str, str]) -> None:
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>坏页面</title></head><body><main>'
        '<img src="x.png"><button></button>'
        '<p style="color:#777;background:#888">对比度太低的文字</p>'
        "</main></body></html>\n", encoding="utf-8")
    with serve(tmp_path) as base:
        out = run_axe(tools, base, ["bad.html"], AXE_VIEWPORTS="desktop")
    found = {(r["mode"], v["id"]) for r in out["runs"] for v in r["violations"] if v["impact"] in BLOCKING}
    for mode in ("light", "dark"):
        assert {(mode, "image-alt"), (mode, "button-name"), (mode, "color-contrast")} <= found, blocking(out)
    assert any("bad.html [dark, desktop] image-alt (critical)" in line and "img" in line for line in blocking(out))
