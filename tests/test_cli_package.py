"""What pip users get: the distribution sphinx-mlnotes with the console script mlnotes, its own
README, Project-URLs and LICENSE; no tests in the sdist (they need this repository's site); and
the scaffold's Read the Docs file is valid."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from pathlib import Path

import pytest

from mlnotes.cli.scaffold import site_files

REPO = Path(__file__).resolve().parents[1]


def test_distribution_metadata() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == "sphinx-mlnotes"
    assert project["scripts"] == {"mlnotes": "mlnotes.cli.main:main"}
    assert project["readme"] == "README-pypi.md"
    assert project["license-files"] == ["LICENSE"]
    assert project["urls"]["Documentation"] == "https://mlnotes.readthedocs.io/zh-cn/latest/"
    assert set(project["entry-points"]["mlnotes.facets"]) >= {"area", "tag", "series", "paper"}
    readme = (REPO / "README-pypi.md").read_text(encoding="utf-8")
    assert "pip install sphinx-mlnotes" in readme and "mlnotes init" in readme
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in readme), "the pip README is English"
    manifest = (REPO / "MANIFEST.in").read_text(encoding="utf-8").split("\n")
    assert "prune tests" in manifest


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_scaffold_readthedocs_config_is_valid(language: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    files = site_files(language, date(2026, 1, 1))
    schema = json.loads((REPO / "tests" / "schemas" / "readthedocs-v2.schema.json").read_text(encoding="utf-8"))
    config = yaml.safe_load(files[".readthedocs.yaml"])
    jsonschema.validate(config, schema)
    assert config["sphinx"]["fail_on_warning"] is True
    assert files["requirements.txt"].startswith("sphinx-mlnotes>=")
