"""Internal links of a built site: files, anchors, feeds."""

from __future__ import annotations

from pathlib import Path

from mlnotes.cli.sitelinks import check_site

BASE = "https://example.org/site/"


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_finds_missing_files_and_anchors(tmp_path: Path) -> None:
    write(tmp_path, "index.html", '<a href="posts/a.html#sec">a</a>\n<a href="posts/gone.html">x</a>\n'
          '<a href="https://elsewhere.org/x">ok</a>\n<img src="_static/pic.png">\n<a href="#top">t</a>\n')
    write(tmp_path, "posts/a.html", '<h2 id="other">x</h2><a href="../index.html#top">back</a>')
    write(tmp_path, "feeds/atom.xml", '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
          f'<id>{BASE}feeds/atom.xml</id><link href="{BASE}posts/a.html"/><link href="{BASE}posts/b.html"/></feed>')
    problems = sorted(f"{Path(p.file).relative_to(tmp_path)}:{p.line}: {p.message}" for p in check_site(tmp_path, BASE))
    assert problems == [
        "feeds/atom.xml:None: link 'https://example.org/site/posts/b.html': posts/b.html does not exist",
        "index.html:1: link 'posts/a.html#sec': no element with id 'sec' in posts/a.html",
        "index.html:2: link 'posts/gone.html': posts/gone.html does not exist",
        "index.html:4: link '_static/pic.png': _static/pic.png does not exist",
        "index.html:5: link '#top': no element with id 'top' in index.html",
        "posts/a.html:1: link '../index.html#top': no element with id 'top' in index.html",
    ]


def test_clean_site(tmp_path: Path) -> None:
    write(tmp_path, "index.html", '<p id="top"></p><a href="posts/">p</a><a href="posts/a.html#x">a</a>')
    write(tmp_path, "posts/index.html", "<p>list</p>")
    write(tmp_path, "posts/a.html", '<h2 id="x">x</h2>')
    assert check_site(tmp_path, BASE) == []


def test_root_relative_links_under_the_base_path(tmp_path: Path) -> None:
    # 404.html links by absolute path so that it works at any depth
    write(tmp_path, "404.html", '<a href="/site/index.html">home</a><link href="/site/_static/gone.css">')
    write(tmp_path, "index.html", "<p>home</p>")
    problems = [p.message for p in check_site(tmp_path, BASE)]
    assert problems == ["link '/site/_static/gone.css': _static/gone.css does not exist"]
