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
    path = new_post(tmp_path, "FlashAttention：IO 感知的精确注意力", None, "engineering/attention", "FlashAttention",
                    date(2026, 11, 22))
    assert path == tmp_path / "posts" / "2026" / "flashattention-io.md"
    meta = front_matter(path)
    assert meta["blogpost"] is True
    assert meta["date"] == date(2026, 11, 22)
    assert meta["area"] == "engineering/attention"
    assert "# FlashAttention：IO 感知的精确注意力\n" in path.read_text(encoding="utf-8")
    assert "{footbibliography}" in path.read_text(encoding="utf-8")


def test_chinese_title_needs_a_slug(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="add SLUG="):
        new_post(tmp_path, "注意力机制", None, "x", "y", date(2026, 1, 1))
    assert new_post(tmp_path, "注意力机制", "attention", "x", "y", date(2026, 1, 1)).name == "attention.md"


def test_slug_clash_and_bad_slug(tmp_path: Path) -> None:
    new_post(tmp_path, "CLIP", "clip", "x", "y", date(2025, 1, 1))
    with pytest.raises(SystemExit, match="already exists"):
        new_post(tmp_path, "CLIP again", "clip", "x", "y", date(2026, 1, 1))
    with pytest.raises(SystemExit, match="lowercase ASCII"):
        new_post(tmp_path, "X", "Bad_Slug", "x", "y", date(2026, 1, 1))


def test_cli_entry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "--title", "S4 notes", "--root", str(tmp_path)]) == 0
    assert "created posts/" in capsys.readouterr().out
    assert slugify("Mamba: Linear-Time") == "mamba-linear-time"
