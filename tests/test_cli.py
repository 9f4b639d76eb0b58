"""`mlnotes new` (make post) writes a post whose front matter the build accepts, in the site's
folder for posts and in the site's language; the command's errors are one clear line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from mlnotes.cli.main import main, new_post, slugify
from mlnotes.cli.siteconf import CliError

ZH_CONF = 'language = "zh_CN"\nmlnotes_required_fields = ["date", "area", "tags"]\n'


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "conf.py").write_text(ZH_CONF, encoding="utf-8")
    return tmp_path


def test_new_post_has_valid_front_matter(site: Path) -> None:
    path = new_post(site, "FlashAttention：IO 感知的精确注意力", None,
                    {"area": "engineering/attention", "tags": "FlashAttention"}, date(2026, 11, 22))
    assert path == site / "posts" / "2026" / "flashattention-io.md"
    meta = front_matter(path)
    assert meta["blogpost"] is True
    assert meta["date"] == date(2026, 11, 22)
    assert meta["area"] == "engineering/attention"
    text = path.read_text(encoding="utf-8")
    assert "# FlashAttention：IO 感知的精确注意力\n" in text
    assert "{footbibliography}" in text
    assert "## 方法" in text  # a Chinese site gets a Chinese skeleton


def test_chinese_title_needs_a_slug(site: Path) -> None:
    with pytest.raises(CliError, match="add --slug"):
        new_post(site, "注意力机制", None, {"area": "x", "tags": "y"}, date(2026, 1, 1))
    created = new_post(site, "注意力机制", "attention", {"area": "x", "tags": "y"}, date(2026, 1, 1))
    assert created.name == "attention.md"


def test_slug_clash_and_bad_slug(site: Path) -> None:
    new_post(site, "CLIP", "clip", {"area": "x", "tags": "y"}, date(2025, 1, 1))
    with pytest.raises(CliError, match=r"already exists: posts/2025/clip\.md"):
        new_post(site, "CLIP again", "clip", {"area": "x", "tags": "y"}, date(2026, 1, 1))
    with pytest.raises(CliError, match="lowercase ASCII"):
        new_post(site, "X", "Bad_Slug", {"area": "x", "tags": "y"}, date(2026, 1, 1))


def test_cli_entry(site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "--title", "S4 notes", "--root", str(site)]) == 0
    assert "created posts/" in capsys.readouterr().out
    assert slugify("Mamba: Linear-Time") == "mamba-linear-time"


def test_new_post_asks_for_the_sites_required_fields(tmp_path: Path) -> None:
    conf = 'mlnotes_required_fields = ["date", "area", "tags", "dataset"]\n'
    (tmp_path / "conf.py").write_text(conf, encoding="utf-8")
    assert main(["new", "--title", "ViT notes", "--root", str(tmp_path), "--field", "area=cv"]) == 0
    meta = front_matter(tmp_path / "posts" / str(date.today().year) / "vit-notes.md")
    assert (meta["area"], meta["tags"], meta["dataset"]) == ("cv", "TODO", "TODO")


def test_an_english_site_gets_an_english_post(tmp_path: Path) -> None:
    """No language (Sphinx's default, English) or ``language = "en"``: no Chinese in the post."""
    (tmp_path / "conf.py").write_text('bibtex_bibfiles = ["papers.bib"]\n', encoding="utf-8")
    path = new_post(tmp_path, "Adam", None, {}, date(2026, 1, 1))
    text = path.read_text(encoding="utf-8")
    assert "## Method" in text and "papers.bib" in text
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_new_goes_where_the_posts_are(tmp_path: Path) -> None:
    """Posts in notes/<year>/ (no setting): a new one goes there too, not to posts/."""
    (tmp_path / "conf.py").write_text('language = "en"\n', encoding="utf-8")
    old = tmp_path / "notes" / "2024" / "old.md"
    old.parent.mkdir(parents=True)
    old.write_text("---\nblogpost: true\ndate: 2024-01-01\n---\n\n# Old\n", encoding="utf-8")
    assert new_post(tmp_path, "Fresh", None, {}, date(2026, 2, 3)) == tmp_path / "notes" / "2026" / "fresh.md"
    with pytest.raises(CliError, match=r"already exists: notes/2024/old\.md"):
        new_post(tmp_path, "Old", None, {}, date(2026, 2, 3))


def test_posts_dir_setting_wins(tmp_path: Path) -> None:
    (tmp_path / "conf.py").write_text('mlnotes_posts_dir = "blog/entries"\n', encoding="utf-8")
    path = new_post(tmp_path, "Fresh", None, {}, date(2026, 2, 3))
    assert path == tmp_path / "blog" / "entries" / "2026" / "fresh.md"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["new", "--title", "x", "--field", "novalue"], "--field 'novalue' must be KEY=VALUE"),
        (["new", "--title", "   "], "give the post a title"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(site: Path, argv: list[str], message: str, capsys) -> None:
    assert main([*argv, "--root", str(site)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1


def test_a_broken_conf_py_is_named(tmp_path: Path, capsys) -> None:
    (tmp_path / "conf.py").write_text("extensions = [\n", encoding="utf-8")
    assert main(["new", "--title", "x", "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'conf.py'}: Sphinx cannot read it" in err and "syntax error" in err
