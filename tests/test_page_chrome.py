"""What every page of the real site carries around its content: compact listing cards (title,
date, area, at most three tags, summary — papers belong on the note and paper pages), a
description for search engines, an icon that is no request, the theme's labels in Chinese
(更多, the © line) and a valid colour mode for the theme's script."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import SiteBuild

CARD = re.compile(r'<article class="mlnotes-card">.*?</article>', re.S)
TERM = re.compile(r'class="mlnotes-term mlnotes-([\w-]+)"')


def pages(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.html") if not {"_static", "_sources", "_images"} & set(p.parts))


def test_cards_show_the_area_and_at_most_three_tags(site: SiteBuild) -> None:
    listings = [site.out / "index.html", *sorted((site.out / "topics").rglob("*.html"))]
    cards = [card for page in listings for card in CARD.findall(page.read_text(encoding="utf-8"))]
    assert len(cards) > 45  # every post on the home pages, and again on its term pages
    kinds = [TERM.findall(card) for card in cards]
    assert all(set(k) <= {"area", "tag"} for k in kinds), {tuple(k) for k in kinds if set(k) - {"area", "tag"}}
    assert all(k.count("area") == 1 and k.count("tag") <= 3 for k in kinds)
    # some posts have more than three tags: the cards really cut them
    assert max(k.count("tag") for k in kinds) == 3
    assert all('class="mlnotes-card-summary"' in card for card in cards)


def test_every_page_has_one_description_and_an_icon_that_is_no_request(site: SiteBuild) -> None:
    bad = []
    for page in pages(site.out):
        html = page.read_text(encoding="utf-8")
        descriptions = re.findall(r'<meta name="description" content="([^"]*)"', html)
        if len(descriptions) != 1 or not descriptions[0].strip():
            bad.append(f"{page.relative_to(site.out)}: descriptions {descriptions!r}")
        if len(re.findall(r'<link rel="icon" href="data:," />', html)) != 1:
            bad.append(f"{page.relative_to(site.out)}: no inline icon")
    assert bad == []


def test_the_theme_speaks_chinese_and_has_a_valid_colour_mode(site: SiteBuild) -> None:
    for page in pages(site.out):
        html = page.read_text(encoding="utf-8")
        name = page.relative_to(site.out)
        assert 'data-default-mode="auto"' in html, name
        assert 'localStorage.getItem("mode") || "auto"' in html, name
        footer = re.search(r'<p class="copyright">(.*?)</p>', html, re.S)
        assert footer is not None and footer.group(1).strip() == "© 2026, mlnotes 编辑部 版权所有", name
        more = re.search(r'aria-controls="pst-nav-more-links">\s*(.*?)\s*</button>', html)
        assert more is None or more.group(1) == "更多", name
    assert "Copyright" not in (site.out / "index.html").read_text(encoding="utf-8")
    clip = (site.out / "posts" / "2026" / "clip.html").read_text(encoding="utf-8")
    assert 'aria-controls="pst-nav-more-links">' in clip
