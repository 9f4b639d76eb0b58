"""`make post` (mlnotes.cli new) writes a post whose front matter the build accepts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from mlnotes.cli.main import main, new_post, slugify


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def test_new_post_has_valid_front_matter(tmp_path: Path) -> None:
    path = new_post(tmp_path, "FlashAttention：IO 感知的精确注意力", None,
                    {"area": "engineering/attention", "tags": "FlashAttention"}, date(2026, 11, 22))
    assert path == tmp_path / "posts" / "2026" / "flashattention-io.md"
    meta = front_matter(path)
    assert meta["blogpost"] is True
    assert meta["date"] == date(2026, 11, 22)
    assert meta["area"] == "engineering/attention"
    assert "# FlashAttention：IO 感知的精确注意力\n" in path.read_text(encoding="utf-8")
    assert "{footbibliography}" in path.read_text(encoding="utf-8")


def test_chinese_title_needs_a_slug(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="add SLUG="):
        new_post(tmp_path, "注意力机制", None, {"area": "x", "tags": "y"}, date(2026, 1, 1))
    created = new_post(tmp_path, "注意力机制", "attention", {"area": "x", "tags": "y"}, date(2026, 1, 1))
    assert created.name == "attention.md"


def test_slug_clash_and_bad_slug(tmp_path: Path) -> None:
    new_post(tmp_path, "CLIP", "clip", {"area": "x", "tags": "y"}, date(2025, 1, 1))
    with pytest.raises(SystemExit, match="already exists"):
        new_post(tmp_path, "CLIP again", "clip", {"area": "x", "tags": "y"}, date(2026, 1, 1))
    with pytest.raises(SystemExit, match="lowercase ASCII"):
        new_post(tmp_path, "X", "Bad_Slug", {"area": "x", "tags": "y"}, date(2026, 1, 1))


def test_cli_entry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "--title", "S4 notes", "--root", str(tmp_path)]) == 0
    assert "created posts/" in capsys.readouterr().out
    assert slugify("Mamba: Linear-Time") == "mamba-linear-time"


def test_new_post_asks_for_the_sites_required_fields(tmp_path: Path) -> None:
    conf = 'mlnotes_required_fields = ["date", "area", "tags", "dataset"]\n'
    (tmp_path / "conf.py").write_text(conf, encoding="utf-8")
    assert main(["new", "--title", "ViT notes", "--root", str(tmp_path), "--field", "area=cv"]) == 0
    meta = front_matter(tmp_path / "posts" / str(date.today().year) / "vit-notes.md")
    assert (meta["area"], meta["tags"], meta["dataset"]) == ("cv", "TODO", "TODO")
