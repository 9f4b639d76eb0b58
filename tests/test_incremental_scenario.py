"""The issue's scenario, as an author would do it: on a built site, retag one post, move another
post's date to the newest, delete a post nothing links to and add a new one, then `make html`
(the front end, incrementally). The result must equal a clean build of the same tree: the same
files, the same bytes, the same warnings — sidebars (recent posts, counts, tag cloud), the search
index and the removed post's page and source copy included."""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

#: rewritten by Sphinx on every build with the build's own hash; documented as volatile
VOLATILE = {".buildinfo"}
SIDEBARS = ('\nhtml_sidebars = {"posts/**": ["mlnotes/postcard.html", "mlnotes/recentposts.html", '
            '"mlnotes/topics.html"], "topics/**": ["mlnotes/recentposts.html", "mlnotes/topics.html", '
            '"mlnotes/tagcloud.html"]}\n')


def build(src: Path, out: Path, doctrees: Path) -> list[str]:
    """`make html`'s command (the front end); the warning lines, with the tree's path removed."""
    result = subprocess.run(
        [sys.executable, "-m", "mlnotes.frontend", "-b", "html", "-n", "--keep-going", "-j", "auto",
         "-d", str(doctrees), str(src), str(out), "--no-color"],
        capture_output=True, text=True, cwd=src, env={**os.environ, "PYTHONHASHSEED": "0"}, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return sorted(line.replace(str(src), "SRC") for line in result.stderr.splitlines() if "WARNING" in line)


def files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and p.name not in VOLATILE}


def taxonomy_site(rootdir: Path, tmp_path: Path, conf: str = "") -> Path:
    """The test-taxonomy site without its two broken posts, with the real site's sidebars and
    *conf* added to its conf.py."""
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-taxonomy", src)
    for bad in ("bad.md", "missing.md"):
        (src / "posts" / bad).unlink()
    (src / "conf.py").write_text((src / "conf.py").read_text(encoding="utf-8") + SIDEBARS + conf, encoding="utf-8")
    return src


def test_retag_redate_delete_add_equals_a_clean_build(rootdir: Path, tmp_path: Path) -> None:
    src = taxonomy_site(rootdir, tmp_path)
    out, doctrees = tmp_path / "out", tmp_path / "doctrees"
    assert build(src, out, doctrees) == []

    a, b, c = (src / "posts" / f"{n}.md" for n in "abc")
    text_a = a.read_text(encoding="utf-8")
    a.write_text(re.sub(r"^tags: .*$", "tags: 大语言模型", text_a, count=1, flags=re.M), encoding="utf-8")
    b.write_text(re.sub(r"^date: .*$", "date: 2024-02-01", b.read_text(encoding="utf-8"), count=1, flags=re.M),
                 encoding="utf-8")
    c.unlink()
    (src / "posts" / "new.md").write_text(
        text_a.replace("# 文章 A", "# 新文章").replace("series: s1\n", ""), encoding="utf-8")
    incremental = build(src, out, doctrees)

    clean_out = tmp_path / "clean"
    clean = build(src, clean_out, tmp_path / "clean-doctrees")
    assert incremental == clean
    assert files(out) == files(clean_out)
    differing = [f for f in sorted(files(out)) if not filecmp.cmp(out / f, clean_out / f, shallow=False)]
    assert differing == []
    # and the changes are there: the deleted post is gone, the new one is listed
    assert not (out / "posts" / "c.html").exists() and not (out / "_sources" / "posts" / "c.md.txt").exists()
    assert "新文章" in (out / "posts" / "b.html").read_text(encoding="utf-8")  # its recent-posts sidebar


#: appended to the site's conf.py: with CRASH_AFTER_PAGES=n the build dies (as under kill -9: no
#: cleanup, no handler runs) just before it renders its n-th page
CRASH = '''
import os as _os


def setup(app):
    limit = int(_os.environ.get("CRASH_AFTER_PAGES", "0"))
    if limit:
        seen = []

        def _page(app, pagename, templatename, context, doctree):
            seen.append(pagename)
            if len(seen) >= limit:
                _os._exit(137)

        app.connect("html-page-context", _page)
'''


def test_a_killed_build_then_make_html_equals_a_clean_build(rootdir: Path, tmp_path: Path) -> None:
    src = taxonomy_site(rootdir, tmp_path, CRASH)
    out, doctrees = tmp_path / "out", tmp_path / "doctrees"
    assert build(src, out, doctrees) == []
    a = src / "posts" / "a.md"
    a.write_text(a.read_text(encoding="utf-8").replace("# 文章 A", "# 改过标题的文章 A"), encoding="utf-8")
    (src / "posts" / "c.md").unlink()

    # the build that changes every post page (a new title in every recent-posts sidebar) dies half-way
    killed = subprocess.run(
        [sys.executable, "-m", "mlnotes.frontend", "-b", "html", "-n", "--keep-going", "-j", "1",
         "-d", str(doctrees), str(src), str(out)],
        capture_output=True, text=True, cwd=src, check=False,
        env={**os.environ, "PYTHONHASHSEED": "0", "CRASH_AFTER_PAGES": "3"},
    )
    assert killed.returncode == 137
    assert (doctrees / "mlnotes-build-running").exists()

    after = build(src, out, doctrees)
    clean_out = tmp_path / "clean"
    assert after == build(src, clean_out, tmp_path / "clean-doctrees")
    assert files(out) == files(clean_out)
    assert [f for f in sorted(files(out)) if not filecmp.cmp(out / f, clean_out / f, shallow=False)] == []
    assert not list(out.rglob("*.mlnotes-part")) and not (doctrees / "mlnotes-build-running").exists()


def test_a_problem_outside_any_document_warns_on_every_build_until_fixed(rootdir: Path, tmp_path: Path) -> None:
    """An uncited refs.bib entry (mlnotes_strict_bib) is no document's warning, so rewarn cannot
    read a document again to repeat it; the rebuild must still warn as a clean build does (found
    by the property test: an unchanged rebuild after a warned build passed)."""
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-incremental", src)
    with (src / "refs.bib").open("a", encoding="utf-8") as bib:
        bib.write("\n@misc{uncited2020,\n  title = {Nobody Cites Me},\n  year = {2020},\n"
                  "  url = {https://example.org/uncited}\n}\n")
    (src / "conf.py").write_text((src / "conf.py").read_text(encoding="utf-8") + "\nmlnotes_strict_bib = True\n",
                                 encoding="utf-8")
    out, doctrees = tmp_path / "out", tmp_path / "doctrees"
    first = build(src, out, doctrees)
    assert any("'uncited2020' is cited by no post" in w for w in first)
    assert build(src, out, doctrees) == first  # nothing changed: the same warning again
    assert build(src, tmp_path / "clean", tmp_path / "clean-doctrees") == first


def test_a_tag_edit_leaves_pages_whose_sidebars_do_not_show_tags_alone(rootdir: Path, tmp_path: Path) -> None:
    """The tag cloud changed, so the pages that show it (topics/**) are written again; the other
    posts' pages show recent posts and area counts only, which did not change: left alone."""
    src = taxonomy_site(rootdir, tmp_path)
    out, doctrees = tmp_path / "out", tmp_path / "doctrees"
    build(src, out, doctrees)
    before = {p: (out / p).stat().st_mtime_ns for p in ("posts/b.html", "topics/area/cv.html")}
    def cloud() -> str:
        page = (out / "topics" / "area" / "cv.html").read_text(encoding="utf-8")
        return page.split('class="mlnotes-sidebar mlnotes-tagcloud"')[1].split("</nav>")[0]

    cloud_before = cloud()
    a = src / "posts" / "a.md"
    a.write_text(re.sub(r"^tags: .*$", "tags: 大语言模型", a.read_text(encoding="utf-8"), count=1, flags=re.M),
                 encoding="utf-8")
    build(src, out, doctrees)
    assert (out / "posts" / "b.html").stat().st_mtime_ns == before["posts/b.html"]
    assert (out / "topics" / "area" / "cv.html").stat().st_mtime_ns != before["topics/area/cv.html"]
    assert cloud() != cloud_before


def test_deleting_a_post_another_links_to_equals_a_clean_build(rootdir: Path, tmp_path: Path) -> None:
    """MyST decides at read time whether `[B](b.md)` is a link to a document: the post that links
    to a deleted post is read again, so its page and warning are a clean build's."""
    src = taxonomy_site(rootdir, tmp_path)
    a = src / "posts" / "a.md"
    a.write_text(a.read_text(encoding="utf-8") + "\n另见 [文章 B](b.md)。\n", encoding="utf-8")
    out, doctrees = tmp_path / "out", tmp_path / "doctrees"
    assert build(src, out, doctrees) == []
    (src / "posts" / "b.md").unlink()
    incremental = build(src, out, doctrees)
    clean_out = tmp_path / "clean"
    assert incremental == build(src, clean_out, tmp_path / "clean-doctrees") != []
    assert files(out) == files(clean_out)
    assert [f for f in sorted(files(out)) if not filecmp.cmp(out / f, clean_out / f, shallow=False)] == []
