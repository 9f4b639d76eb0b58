"""Front matter of posts: lists come out as text, dates are strict, errors are located."""

from __future__ import annotations

import re

import pytest
from sphinx.util.console import strip_colors

from mlnotes.core.config import MlnotesConfig
from mlnotes.read.frontmatter import as_text_list, front_matter_lines, yaml_problem

EXPECT = ("expected one of '2024-03-01', '2024-03-01 09:30' "
          "(a real calendar date, written in Asia/Shanghai, no time zone)")


def warnings(app) -> list[str]:
    text = strip_colors(app._warning.getvalue()).replace(str(app.srcdir) + "/", "")
    return [line for line in text.splitlines() if "WARNING" in line]


@pytest.mark.sphinx("html", testroot="frontmatter")
def test_located_warnings_for_bad_front_matter(app) -> None:
    app.build()
    assert sorted(warnings(app)) == sorted(
        [
            f"bad_chinese.md:3: WARNING: invalid post date '2024年3月1日': {EXPECT} [mlnotes.date]",
            "bad_month.md:1: WARNING: Malformed YAML [myst.topmatter]",
            f"bad_month.md:4: WARNING: invalid post date '2024-13-45': {EXPECT} (month must be in 1..12) "
            "[mlnotes.date]",
            f"bad_timezone.md:3: WARNING: invalid post date '2024-03-01 10:00:00+08:00': {EXPECT} [mlnotes.date]",
            "no_date.md:1: WARNING: post has no 'date' in its front matter (add e.g. 'date: 2024-03-01') "
            "[mlnotes.frontmatter]",
            "no_title.md:5: WARNING: post has no top-level '# title' heading; ablog would silently drop it from every "
            "listing [mlnotes.title]",
        ]
    )


@pytest.mark.sphinx("html", testroot="frontmatter")
def test_the_rest_of_the_site_still_builds(app) -> None:
    app.build()
    posts = app.env.ablog_posts
    # good posts are posts; a bad date leaves the post as an undated draft, never a crash
    assert posts["good"][0]["date"].isoformat() == "2024-03-01T00:00:00"
    assert posts["flags"][0]["date"].isoformat() == "2024-02-01T08:30:00"
    assert posts["bad_chinese"][0]["date"] is None
    assert (app.outdir / "good.html").is_file()
    assert (app.outdir / "bad_month.html").is_file()


@pytest.mark.sphinx("html", testroot="frontmatter")
def test_chinese_list_values_stay_chinese(app) -> None:
    app.build()
    assert [str(t) for t in app.env.ablog_posts["good"][0]["tags"]] == ["残差连接", "ResNet"]
    page = (app.outdir / "good.html").read_text(encoding="utf-8")
    # no JSON escapes of the Chinese (the cite block's \url is not one)
    assert not re.search(r"\\u[0-9a-fA-F]{4}", page) and "[&quot;" not in page and '["' not in page
    # ablog's own tag and archive pages are not written: mlnotes' topics/ pages replace them
    assert not (app.outdir / "blog").exists() and not (app.outdir / "blog.html").exists()


@pytest.mark.sphinx("html", testroot="frontmatter")
def test_yaml_booleans_become_ablog_flags(app) -> None:
    app.build()
    info = app.env.ablog_posts["flags"][0]
    assert info["exclude"] is True
    assert info["nocomments"] is False


@pytest.mark.sphinx("html", testroot="frontmatter")
def test_summary_is_the_excerpt(app) -> None:
    app.build()
    excerpt = "".join(node.astext() for node in app.env.ablog_posts["good"][0]["excerpt"])
    assert excerpt == "这是一段摘要。"
    home = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert "这是一段摘要。" in home and "正文第一段" not in home


def test_front_matter_lines() -> None:
    text = "---\nblogpost: true\ndate: 2024-01-01\ntags:\n  - a\n---\n# T\n"
    assert front_matter_lines(text) == {"blogpost": 2, "date": 3, "tags": 4}
    assert front_matter_lines("# no front matter\n") == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [('["\\u6b8b\\u5dee", "ResNet"]', "残差, ResNet"), ("CLIP, 对比学习", None), ("[not json", None), ("[]", "")],
)
def test_as_text_list(value: str, expected: str | None) -> None:
    assert as_text_list(value) == expected


def test_yaml_syntax_error_is_located() -> None:
    problem = yaml_problem("blogpost: true\ntitle: [unclosed\ndate: 2024-01-01", "p", MlnotesConfig())
    assert problem.subtype == "frontmatter"
    assert problem.line == 4
    assert problem.message.startswith("front matter is not valid YAML:")


@pytest.mark.sphinx("html", testroot="frontmatter", freshenv=True)
def test_old_ablog_pages_are_removed(app) -> None:
    """An output directory from before the replacement loses ablog's pages, nothing else."""
    (app.outdir / "blog" / "tag").mkdir(parents=True, exist_ok=True)
    (app.outdir / "blog" / "tag" / "resnet.html").write_text("<ul><div>old</div></ul>", encoding="utf-8")
    (app.outdir / "blog.html").write_text("old", encoding="utf-8")
    (app.outdir / "keep.txt").write_text("mine", encoding="utf-8")
    app.build()
    assert not (app.outdir / "blog").exists() and not (app.outdir / "blog.html").exists()
    assert (app.outdir / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert (app.outdir / "good.html").is_file()
    # ablog still knows the posts (dates, excerpts): its records are untouched
    assert app.env.ablog_posts["good"][0]["date"].isoformat() == "2024-03-01T00:00:00"
