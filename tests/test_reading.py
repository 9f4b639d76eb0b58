"""Reading features, checked on the built output: copy-button script, reading time, previous/next
by date (also after incremental builds), OpenGraph, sitemap and robots.txt, the 404 page,
"last updated" from git and "edit this page" from the remote."""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
from lxml import etree
from sphinx.util.console import strip_colors

from conftest import REPO, SiteBuild, posts
from localsite import BROWSER_DIR, browser_tools, serve
from mlnotes.core.i18n import use_language
from mlnotes.site.editlink import Repository, web_address
from mlnotes.site.lastupdated import parse_log
from mlnotes.site.notfound import absolutize
from mlnotes.site.readingtime import HAN_PER_MINUTE, WORDS_PER_MINUTE, measure

BASE = "https://example.org/notes/"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The structure of sitemaps.org's sitemap.xsd (0.9), written out here because the schema cannot
# be fetched offline: <urlset> of 1..50000 <url>, each a <loc> (an absolute URL of at most 2048
# characters), then optional <lastmod> (W3C date-time), <changefreq> and <priority>.
SITEMAP_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="{SITEMAP_NS}"
            xmlns="{SITEMAP_NS}" elementFormDefault="qualified">
  <xsd:element name="urlset">
    <xsd:complexType><xsd:sequence>
      <xsd:element ref="url" minOccurs="1" maxOccurs="50000"/>
    </xsd:sequence></xsd:complexType>
  </xsd:element>
  <xsd:element name="url">
    <xsd:complexType><xsd:sequence>
      <xsd:element name="loc" type="tLoc"/>
      <xsd:element name="lastmod" type="tLastmod" minOccurs="0"/>
      <xsd:element name="changefreq" type="xsd:string" minOccurs="0"/>
      <xsd:element name="priority" type="xsd:decimal" minOccurs="0"/>
    </xsd:sequence></xsd:complexType>
  </xsd:element>
  <xsd:simpleType name="tLoc">
    <xsd:restriction base="xsd:anyURI">
      <xsd:minLength value="12"/><xsd:maxLength value="2048"/><xsd:pattern value="https?://.+"/>
    </xsd:restriction>
  </xsd:simpleType>
  <xsd:simpleType name="tLastmod">
    <xsd:union>
      <xsd:simpleType><xsd:restriction base="xsd:date"/></xsd:simpleType>
      <xsd:simpleType><xsd:restriction base="xsd:dateTime">
        <xsd:pattern value=".*(Z|[+\\-]\\d\\d:\\d\\d)"/>
      </xsd:restriction></xsd:simpleType>
    </xsd:union>
  </xsd:simpleType>
</xsd:schema>
"""

GIT_ENV = {"GIT_AUTHOR_NAME": "测试", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "测试",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
FIRST, SECOND = "2024-05-01T10:00:00+08:00", "2024-06-02T12:00:00+00:00"


def git(cwd: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, **GIT_ENV}
    if date:
        env |= {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def warnings(app) -> list[str]:
    # a second app in one process re-registers Sphinx's own nodes: not ours, not the site's
    return [line for line in strip_colors(app._warning.getvalue()).splitlines()
            if "WARNING" in line and "is already registered" not in line]


def page(app, name: str) -> str:
    return (Path(app.outdir) / f"{name}.html").read_text(encoding="utf-8")


def meta(html: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in re.findall(r'<meta (?:property|name)="((?:og|article|twitter):[^"]+)" content="([^"]*)"', html):
        out.setdefault(key, []).append(unescape(value))
    return out


def post_nav(html: str) -> dict[str, tuple[str, str]]:
    """{"prev"/"next": (href, title)} of the date navigation at the foot of a post."""
    nav = re.search(r'<nav class="mlnotes-post-nav"[^>]*>(.*?)</nav>', html, re.S)
    found = {}
    links = (r'class="mlnotes-post-nav-(prev|next)" href="([^"]+)">'
             r'<span class="mlnotes-post-nav-label">[^<]*</span> ([^<]*)</a>')
    for kind, href, title in re.findall(links, nav.group(1) if nav else ""):
        found[kind] = (href, unescape(title))
    return found


def sitemap_entries(outdir: Path) -> list[tuple[str, str | None]]:
    tree = etree.parse(str(outdir / "sitemap.xml"))
    schema = etree.XMLSchema(etree.fromstring(SITEMAP_XSD.encode()))
    assert schema.validate(tree), schema.error_log
    ns = {"s": SITEMAP_NS}
    return [(u.findtext("s:loc", namespaces=ns), u.findtext("s:lastmod", namespaces=ns))
            for u in tree.getroot().findall("s:url", ns)]


def copy_root(rootdir: Path, tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-reading", src)
    return src


def commit_all(src: Path, remote: str | None = "https://user:s3cret@github.com/example/notes.git") -> None:
    git(src, "init", "-q", "-b", "main")
    git(src, "add", ".")
    git(src, "commit", "-q", "-m", "first", date=FIRST)
    path = src / "posts" / "b.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n再补一句。\n", encoding="utf-8")
    git(src, "commit", "-q", "-am", "second", date=SECOND)
    if remote:
        git(src, "remote", "add", "origin", remote)


@pytest.fixture
def reading(make_app, rootdir, tmp_path, monkeypatch):
    """The test-reading root in a git repository with two commits and a GitHub remote."""
    for name in ("READTHEDOCS_GIT_CLONE_URL", "READTHEDOCS_GIT_IDENTIFIER"):
        monkeypatch.delenv(name, raising=False)
    src = copy_root(rootdir, tmp_path)
    commit_all(src)
    app = make_app("html", srcdir=src)
    app.build()
    return app


# ------------------------------------------------------------------------------ reading time


def test_reading_time_formula() -> None:
    use_language("zh_CN")  # the words are the site's language: this one's
    text = "字" * 1000 + " word" * 300 + " 3.5 GPT-4 it's"
    r = measure(text)
    assert (r.han, r.words) == (1000, 303)
    assert r.minutes == -(-(1000 / HAN_PER_MINUTE + 303 / WORDS_PER_MINUTE) // 1) == 5
    assert r.text() == "约 5 分钟读完（1,303 字）"
    assert measure("").text() == "约 1 分钟读完（0 字）"


def test_reading_time_in_post_header_skips_code_and_math(reading) -> None:
    # posts/a.md: 第一篇注意力 (6) 这一段有十个汉字吗对的 (11) 小节 (2) 再写一句 (4) + 4 English words
    assert '<span class="mlnotes-reading-time">约 1 分钟读完（27 字）</span>' in page(reading, "posts/a")
    # posts/b.md: title 5, 下面是代码 5, 公式不计入阅读时间 9, 再补一句 4; code and math not counted
    assert '<span class="mlnotes-reading-time">约 1 分钟读完（23 字）</span>' in page(reading, "posts/b")
    assert "mlnotes-reading-time" not in page(reading, "docs/about")


def test_reading_time_of_real_posts(site: SiteBuild) -> None:
    from test_posts import prose, split

    for post in posts()[:5]:
        _meta, body = split(post)
        html = (site.out / "posts" / post.parent.name / f"{post.stem}.html").read_text(encoding="utf-8")
        shown = re.search(r'mlnotes-reading-time">约 (\d+) 分钟读完（([\d,]+) 字）', html)
        assert shown, post
        minutes, count = int(shown.group(1)), int(shown.group(2).replace(",", ""))
        expected = measure(prose(body))  # the source's prose, counted independently of the doctree
        assert abs(count - expected.count) <= 0.05 * expected.count, (post, count, expected)
        assert abs(minutes - expected.minutes) <= 1


# ------------------------------------------------------------------------- previous / next


def test_prev_next_follow_dates_and_skip_drafts(reading) -> None:
    a, b, c = (post_nav(page(reading, f"posts/{n}")) for n in "abc")
    assert a == {"next": ("b.html", "第二篇：代码")}
    assert b == {"prev": ("a.html", "第一篇：注意力"), "next": ("c.html", "第三篇：最新")}
    assert c == {"prev": ("b.html", "第二篇：代码")}  # the future-dated draft is nobody's neighbour
    assert post_nav(page(reading, "posts/draft")) == {}
    assert "ablog__prev-next" not in page(reading, "posts/b")  # ablog's own links are off
    # the series navigation is still there, next to the date navigation
    assert 'class="mlnotes-series-nav"' in page(reading, "posts/b")


def test_prev_next_on_the_real_site_match_front_matter_dates(site: SiteBuild) -> None:
    dated = []
    for post in posts():
        text = post.read_text(encoding="utf-8")
        date = re.search(r"^date: (\S+)", text, re.M).group(1)
        title = re.search(r"^# (.+)$", text, re.M).group(1).strip()
        dated.append((date, post.stem, title))
    dated.sort()
    for i, (_, stem, _) in enumerate(dated):
        nav = post_nav((site.out / "posts" / "2026" / f"{stem}.html").read_text(encoding="utf-8"))
        expected = {}
        if i > 0:
            expected["prev"] = (f"{dated[i - 1][1]}.html", dated[i - 1][2])
        if i + 1 < len(dated):
            expected["next"] = (f"{dated[i + 1][1]}.html", dated[i + 1][2])
        assert nav == expected, stem


def test_incremental_build_updates_neighbours(make_app, rootdir, tmp_path) -> None:
    src = copy_root(rootdir, tmp_path)
    make_app("html", srcdir=src).build()
    new = src / "posts" / "d.md"
    new.write_text("---\nblogpost: true\ndate: 2024-02-15\narea: nlp\ntags: LLM\n---\n\n# 第四篇：插入\n\n新来的。\n",
                   encoding="utf-8")
    app = make_app("html", srcdir=src)
    app.build()
    assert post_nav(page(app, "posts/b"))["next"] == ("d.html", "第四篇：插入")
    assert post_nav(page(app, "posts/c"))["prev"] == ("d.html", "第四篇：插入")
    assert post_nav(page(app, "posts/a"))["next"] == ("b.html", "第二篇：代码")
    # re-dated to before b: a, b and c change neighbours
    new.write_text(new.read_text(encoding="utf-8").replace("2024-02-15", "2024-01-15"), encoding="utf-8")
    app = make_app("html", srcdir=src)
    app.build()
    assert post_nav(page(app, "posts/a"))["next"] == ("d.html", "第四篇：插入")
    assert post_nav(page(app, "posts/b"))["prev"] == ("d.html", "第四篇：插入")
    assert post_nav(page(app, "posts/c"))["prev"] == ("b.html", "第二篇：代码")
    # removed: its old neighbours link each other again
    new.unlink()
    app = make_app("html", srcdir=src)
    app.build()
    assert post_nav(page(app, "posts/a"))["next"] == ("b.html", "第二篇：代码")
    assert post_nav(page(app, "posts/b"))["prev"] == ("a.html", "第一篇：注意力")
    assert warnings(app) == []


def test_a_post_that_becomes_due_joins_the_navigation(make_app, rootdir, tmp_path, monkeypatch) -> None:
    from datetime import datetime

    import mlnotes.site.prevnext

    src = copy_root(rootdir, tmp_path)
    make_app("html", srcdir=src).build()
    monkeypatch.setattr(mlnotes.site.prevnext, "now_in_site_tz", lambda runtime: datetime(3000, 1, 1))
    app = make_app("html", srcdir=src)
    app.build()  # no source changed; only the clock moved past the draft's date
    assert post_nav(page(app, "posts/c"))["next"] == ("draft.html", "未来的草稿")
    assert post_nav(page(app, "posts/draft"))["prev"] == ("c.html", "第三篇：最新")


# ------------------------------------------------------------------------------- OpenGraph


def test_opengraph_of_a_post(reading) -> None:
    tags = meta(page(reading, "posts/a"))
    assert tags["og:title"] == ["第一篇：注意力"]
    assert tags["og:description"] == ['第一篇的摘要 & "引号"。']
    assert tags["og:url"] == [BASE + "posts/a.html"]
    assert tags["og:type"] == ["article"]
    assert tags["og:site_name"] == ["阅读测试站"]
    assert tags["og:locale"] == ["zh_CN"]
    assert tags["article:published_time"] == ["2024-01-01T00:00:00+08:00"]
    assert tags["article:modified_time"] == [FIRST]
    assert tags["article:section"] == ["计算机视觉"]
    assert tags["article:tag"] == ["注意力机制"]
    assert tags["twitter:card"] == ["summary"]
    assert "og:image" not in tags  # the site ships no image to point at
    assert f'<link rel="canonical" href="{BASE}posts/a.html" />' in page(reading, "posts/a")


def test_opengraph_escapes_front_matter(reading) -> None:
    html = page(reading, "posts/c")
    assert meta(html)["og:description"] == ["第三篇 <script>alert(1)</script> 结束。"]  # kept as written
    assert "<script>alert(1)" not in html  # and escaped


def test_opengraph_of_other_pages(reading) -> None:
    about = meta(page(reading, "docs/about"))
    assert about["og:type"] == ["website"] and about["og:title"] == ["关于"]
    assert about["og:description"] == ["这是一页没有代码的说明页面。"]
    assert about["og:url"] == [BASE + "docs/about.html"]
    topics = meta(page(reading, "topics/index"))
    assert topics["og:type"] == ["website"] and topics["og:url"] == [BASE + "topics/index.html"]
    assert topics["og:title"] == ["主题目录"]
    assert "og:url" not in meta(page(reading, "404"))


def test_opengraph_of_a_real_post(site: SiteBuild) -> None:
    import yaml

    text = (REPO / "posts" / "2026" / "clip.md").read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n", 2)[1])
    title = re.search(r"^# (.+)$", text, re.M).group(1).strip()
    tags = meta((site.out / "posts" / "2026" / "clip.html").read_text(encoding="utf-8"))
    assert tags["og:title"] == [title]
    assert tags["og:description"] == [front["summary"].strip()]
    assert tags["og:url"] == ["https://mlnotes.readthedocs.io/zh-cn/latest/posts/2026/clip.html"]
    assert tags["article:published_time"] == [f"{front['date']}T00:00:00+08:00"]
    assert len(tags["article:tag"]) == len([t for t in re.split(r"[,，]", str(front["tags"]).strip("[]")) if t.strip()])


# --------------------------------------------------------------------------------- sitemap


def test_sitemap_lists_every_public_page_once(reading) -> None:
    out = Path(reading.outdir)
    entries = sitemap_entries(out)
    locs = [loc for loc, _ in entries]
    assert len(locs) == len(set(locs))
    assert all(loc.startswith(BASE) for loc in locs)
    for name in ("index", "docs/about", "posts/a", "posts/b", "posts/c", "topics/index", "topics/tag/llm",
                 "topics/area/nlp", "topics/series/s1"):
        assert BASE + name + ".html" in locs, name
    hidden = {"posts/draft.html", "search.html", "genindex.html", "404.html"}
    written = {p.relative_to(out).as_posix() for p in out.rglob("*.html")
               if not p.relative_to(out).as_posix().startswith(("_static/", "_sources/"))}
    assert hidden <= written  # they exist, and are left out on purpose
    # exactly the pages the build wrote, minus the hidden ones: nothing missing, nothing stale
    assert set(locs) == {BASE + w for w in written - hidden}
    lastmod = dict(entries)
    assert lastmod[BASE + "posts/a.html"] == FIRST
    assert lastmod[BASE + "posts/b.html"] == SECOND
    robots = (out / "robots.txt").read_text(encoding="utf-8")
    assert robots == f"User-agent: *\nAllow: /\n\nSitemap: {BASE}sitemap.xml\n"


def test_real_sitemap_lists_every_post_and_topics_page_once(site: SiteBuild) -> None:
    base = "https://mlnotes.readthedocs.io/zh-cn/latest/"
    locs = [loc for loc, _ in sitemap_entries(site.out)]
    assert len(locs) == len(set(locs))
    for post in posts():
        assert locs.count(f"{base}posts/{post.parent.name}/{post.stem}.html") == 1, post
    from urllib.parse import quote

    for html in (site.out / "topics").rglob("*.html"):
        assert locs.count(base + quote(html.relative_to(site.out).as_posix())) == 1, html
    assert f"{base}search.html" not in locs and f"{base}404.html" not in locs


# -------------------------------------------------------------------------------- 404 page


def test_404_page_links_are_absolute(reading) -> None:
    html = page(reading, "404")
    assert "<h1>页面不存在（404）</h1>" in html
    assert 'href="/notes/index.html">返回首页</a>' in html
    assert 'action="/notes/search.html"' in html
    assert 'data-content_root="/notes/"' in html
    for attr, value in re.findall(r'\s(href|src|action)="([^"]*)"', html):
        assert value.startswith(("/notes/", "#", "https://", "http://", "data:")), (attr, value)
    assert 'rel="canonical"' not in html
    assert '<meta name="robots" content="noindex" />' in html


def test_absolutize() -> None:
    html = '<a href="a/b.html#x"></a><a href="#top"></a><img src="_static/i.png"><a href="https://x.org/">'
    assert absolutize(html, "/zh-cn/latest/") == (
        '<a href="/zh-cn/latest/a/b.html#x"></a><a href="#top"></a><img src="/zh-cn/latest/_static/i.png">'
        '<a href="https://x.org/">')


# ----------------------------------------------------------------------------- last updated


def last_updated(html: str) -> str | None:
    m = re.search(r'<p class="mlnotes-last-updated">最后更新：<time datetime="([^"]+)">([^<]+)</time></p>', html)
    return m.group(1) if m else None


def test_last_updated_matches_git_log(reading) -> None:
    src = Path(reading.srcdir)
    for name in ("posts/a", "posts/b", "docs/about", "index"):
        logged = git(src, "log", "-1", "--format=%cI", "--", f"{name}.md").strip()
        assert last_updated(page(reading, name)) == logged, name
    assert last_updated(page(reading, "posts/b")) == SECOND
    assert '<time datetime="2024-06-02T12:00:00+00:00">2024-06-02</time>' in page(reading, "posts/b")
    assert last_updated(page(reading, "topics/index")) is None  # generated: no source file
    assert warnings(reading) == []


def test_last_updated_follows_a_new_commit(reading, make_app) -> None:
    src = Path(reading.srcdir)
    about = src / "docs" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n补充。\n", encoding="utf-8")
    app = make_app("html", srcdir=src)
    app.build()
    assert last_updated(page(app, "docs/about")) == FIRST  # not committed yet: the last commit's date
    git(src, "commit", "-q", "-am", "about", date="2024-07-03T09:00:00+08:00")
    app = make_app("html", srcdir=src)
    app.build()  # the source did not change, its commit date did
    assert last_updated(page(app, "docs/about")) == "2024-07-03T09:00:00+08:00"
    assert last_updated(page(app, "posts/a")) == FIRST
    app = make_app("html", srcdir=src)
    app.build()
    assert "no targets are out of date" in strip_colors(app._status.getvalue())


def test_last_updated_real_site(site: SiteBuild) -> None:
    logged = git(REPO, "log", "-1", "--format=%cI", "--", "posts/2026/clip.md").strip()
    html = (site.out / "posts" / "2026" / "clip.html").read_text(encoding="utf-8")
    assert logged and last_updated(html) == logged


def test_without_git_no_dates_no_edit_link_no_warning(make_app, rootdir, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("READTHEDOCS_GIT_CLONE_URL", raising=False)
    src = copy_root(rootdir, tmp_path)
    app = make_app("html", srcdir=src)
    app.build()
    assert warnings(app) == []
    html = page(app, "posts/a")
    assert last_updated(html) is None and "mlnotes-edit-page" not in html
    assert "docbuild:last-update" not in html  # not the build time passed off as an edit date
    assert all(lastmod is None for _, lastmod in sitemap_entries(Path(app.outdir)))


def test_shallow_clone_dates_only_what_it_knows(make_app, rootdir, tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("READTHEDOCS_GIT_CLONE_URL", raising=False)
    origin = copy_root(rootdir, tmp_path)
    commit_all(origin, remote=None)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", origin.as_uri(), str(clone))
    app = make_app("html", srcdir=clone)
    app.build()
    assert warnings(app) == []
    # the single commit of a depth-1 clone lists every file as added: it dates none of them
    assert last_updated(page(app, "posts/a")) is None
    assert last_updated(page(app, "posts/b")) is None
    git(clone, "fetch", "-q", "--deepen", "1")
    app = make_app("html", srcdir=clone)
    app.build()
    assert last_updated(page(app, "posts/b")) == SECOND  # changed in the newest commit: known
    assert last_updated(page(app, "posts/a")) is None  # only in the cut-off commit: unknown


def test_parse_log_skips_boundary_commits() -> None:
    log = ("\x01aaa 2024-06-02T12:00:00+00:00\n\nposts/b.md\n"
           "\x01bbb 2024-05-01T10:00:00+08:00\n\nposts/a.md\nposts/b.md\n")
    assert parse_log(log, set()) == {"posts/b.md": "2024-06-02T12:00:00+00:00",
                                     "posts/a.md": "2024-05-01T10:00:00+08:00"}
    assert parse_log(log, {"bbb"}) == {"posts/b.md": "2024-06-02T12:00:00+00:00"}


# ------------------------------------------------------------------------------ edit link


def edit_href(html: str) -> str | None:
    m = re.search(r'<p class="mlnotes-edit-page"><a href="([^"]+)">在 (GitHub|GitLab) 上编辑此页</a></p>', html)
    return unescape(m.group(1)) if m else None


def test_edit_link_matches_the_remote(reading) -> None:
    remote = git(Path(reading.srcdir), "remote", "get-url", "origin").strip()
    assert remote == "https://user:s3cret@github.com/example/notes.git"
    assert edit_href(page(reading, "posts/a")) == "https://github.com/example/notes/edit/main/posts/a.md"
    assert edit_href(page(reading, "docs/about")) == "https://github.com/example/notes/edit/main/docs/about.md"
    assert edit_href(page(reading, "topics/index")) is None
    for path in Path(reading.outdir).rglob("*.html"):
        assert "s3cret" not in path.read_text(encoding="utf-8"), path


def test_edit_link_from_readthedocs_and_config(make_app, rootdir, tmp_path, monkeypatch) -> None:
    src = copy_root(rootdir, tmp_path)
    monkeypatch.setenv("READTHEDOCS_GIT_CLONE_URL", "https://gitlab.com/group/notes.git")
    monkeypatch.setenv("READTHEDOCS_GIT_IDENTIFIER", "stable")
    app = make_app("html", srcdir=src)
    app.build()
    assert edit_href(page(app, "posts/a")) == "https://gitlab.com/group/notes/-/edit/stable/posts/a.md"
    app = make_app("html", srcdir=src, freshenv=True,
                   confoverrides={"mlnotes_repository_url": "https://github.com/own/site"})
    app.build()
    assert edit_href(page(app, "posts/c")) == "https://github.com/own/site/edit/stable/posts/c.md"
    monkeypatch.setenv("READTHEDOCS_GIT_CLONE_URL", "https://example.com/some/repo.git")
    app = make_app("html", srcdir=src, freshenv=True)
    app.build()
    assert edit_href(page(app, "posts/a")) is None  # an unknown host: no guessed URL
    assert warnings(app) == []


def test_web_address_and_edit_url() -> None:
    assert web_address("git@github.com:o/r.git") == ("GitHub", "https://github.com/o/r")
    assert web_address("https://tok@github.com/o/r") == ("GitHub", "https://github.com/o/r")
    assert web_address("ssh://git@gitlab.com/g/sub/r.git") == ("GitLab", "https://gitlab.com/g/sub/r")
    assert web_address("https://bitbucket.org/o/r.git") is None
    assert web_address("/srv/git/r.git") is None
    repo = Repository("GitHub", "https://github.com/o/r", "main", "site")
    assert repo.edit_url("posts/2026/注意.md") == "https://github.com/o/r/edit/main/site/posts/2026/%E6%B3%A8%E6%84%8F.md"


# ----------------------------------------------------------------------------- copy buttons


def test_copy_script_only_on_pages_with_code(reading) -> None:
    assert "_static/mlnotes-copy.js" in page(reading, "posts/b")
    assert "mlnotes-copy.js" not in page(reading, "docs/about")
    assert "mlnotes-copy.js" not in page(reading, "topics/index")
    assert (Path(reading.outdir) / "_static" / "mlnotes-copy.js").is_file()


# ------------------------------------------------------------------ in a real browser (Chromium)



class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a built site under a path prefix, and its 404.html (status 404) for any miss,
    as Read the Docs does."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0]
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "mlnotes-outside-the-site")
        return super().translate_path("/" + path[len(self.prefix):])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404:
            return super().send_error(code, message, explain)
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def run_browser(outdir: Path, prefix: str, code_page: str, plain_page: str) -> dict:
    chromium, node = browser_tools()
    handler = type("Handler", (_SiteHandler,), {"prefix": prefix})
    with serve(outdir, handler) as base:
        done = subprocess.run([node, str(BROWSER_DIR / "reading.mjs"), base + prefix, code_page, plain_page],
                              check=False, capture_output=True, text=True, timeout=300,
                              env={**os.environ, "CHROMIUM": chromium})
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def first_python_block(source: Path) -> str:
    """The first Python code of a post as written: a ```python fence or a code-block directive
    (its :option: lines and the blank line after them are not code)."""
    m = re.search(r"^```(?:python|\{code-block\} python)\n(.*?)^```", source.read_text(encoding="utf-8"), re.S | re.M)
    return re.sub(r"\A(?::[\w-]+:.*\n)+\n", "", m.group(1)).rstrip("\n")


@pytest.fixture(scope="module")
def browser_site(site: SiteBuild) -> dict:
    return run_browser(site.out, "/zh-cn/latest/", "posts/2026/autograd.html", "docs/about.html")


def test_browser_copy_button_copies_the_exact_code(browser_site) -> None:
    out = browser_site
    assert out["errors"] == []
    copy = out["copy"]
    assert copy["buttons"] == copy["blocks"] >= 2  # every block, the cite-this-post BibTeX included
    assert (copy["tag"], copy["label"], copy["ariaLabel"]) == ("BUTTON:button", "复制", "复制代码")
    code = first_python_block(REPO / "posts" / "2026" / "autograd.md")
    assert copy["clicked"] == code
    assert (copy["after"], copy["status"]) == ("已复制", "代码已复制到剪贴板")
    # keyboard: Tab reaches the button, the focus ring shows, Enter copies
    assert copy["focused"] == "mlnotes-copy" and copy["focusOutline"] == "solid 3px"
    assert copy["keyboard"] == code
    # no Clipboard API: execCommand copies; nothing at all: the code is selected for Ctrl+C
    assert (copy["fallbackLabel"], copy["fallback"]) == ("已复制", code)
    assert (copy["noneLabel"], copy["noneSelection"].rstrip("\n")) == ("请按 Ctrl+C 复制", code)
    assert copy["buttonsOnPlain"] == 0


def test_browser_dark_mode_keeps_our_css_readable(browser_site) -> None:
    light, dark = browser_site["modes"]["light"], browser_site["modes"]["dark"]
    assert (light["theme"], dark["theme"]) == ("light", "dark")
    assert light["background"] != dark["background"]
    for mode in (light, dark):
        for element in ("copyButton", "postMeta", "readingTime", "navLabel", "navLink", "lastUpdated", "card"):
            assert mode[element] is not None and mode[element] >= 4.5, (mode["theme"], element, mode[element])
        # the per-page table of contents lists the post's sections
        assert mode["tocLinks"] >= mode["headings"] > 0


def test_browser_404_at_a_nested_url_is_styled(browser_site) -> None:
    found = browser_site["notfound"]
    assert found["status"] == 404 and found["title"] == "页面不存在（404）"
    assert browser_site["failed"] == []  # every stylesheet and script of every page loaded
    names = [s["href"].split("?")[0].rsplit("/", 1)[-1] for s in found["sheets"]]
    assert {"pydata-sphinx-theme.css", "mlnotes.css"} <= set(names)
    assert all(s["rules"] > 0 for s in found["sheets"]), found["sheets"]
    assert found["headerPosition"] == "sticky" and found["articleDisplay"] == "flex"  # the theme's layout
    assert found["inputRadius"] == "4.8px"  # our own CSS (.3rem)
    assert found["themeJs"] == "object"  # documentation_options.js ran
    assert found["home"].endswith("/zh-cn/latest/index.html")
    assert found["searchedTo"].endswith("/zh-cn/latest/search.html?q=%E6%B3%A8%E6%84%8F%E5%8A%9B")
    # nothing from other hosts (MathJax's CDN script is the math pages' own, replaced elsewhere)
    assert [u for u in browser_site["foreign"] if "mathjax" not in u] == []


def test_browser_copy_console_and_numbered_blocks(reading) -> None:
    out = run_browser(Path(reading.outdir), "/notes/", "posts/b.html", "docs/about.html")
    assert out["errors"] == [] and out["failed"] == []
    assert [u for u in out["foreign"] if "mathjax" not in u] == []
    assert out["copy"]["clicked"] == "def add(a, b):\n    return a + b"
    assert out["copy"]["console"] == 'add(1, 2)\nprint("好")'  # prompts and output left out
    assert out["copy"]["numbered"] == "x = 1\ny = x + 1"  # no line numbers
    assert out["notfound"]["status"] == 404 and out["notfound"]["home"].endswith("/notes/index.html")
    assert out["notfound"]["inputRadius"] == "4.8px"
