"""The extension as other sites get it: setup() metadata, typed package, config validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from sphinx.errors import ConfigError

import mlnotes
from conftest import REPO


def test_package_is_typed() -> None:
    assert (Path(mlnotes.__file__).parent / "py.typed").is_file()


@pytest.mark.sphinx("html", testroot="frontmatter")
def test_setup_declares_version_and_parallel_safety(app) -> None:
    meta = app.extensions["mlnotes"]
    assert meta.version == mlnotes.__version__
    assert meta.parallel_read_safe is True and meta.parallel_write_safe is True
    assert app.registry.get_envversion(app)["mlnotes"] == mlnotes.ENV_VERSION


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"mlnotes_timezone": "Mars/Olympus"}, "is not an IANA time-zone name"),
        ({"mlnotes_date_formats": ["%d.%m"]}, "must contain %Y, %m and %d"),
        ({"mlnotes_date_formats": ["%Y-%m-%d %z"]}, "has a time-zone code"),
    ],
)
def test_bad_settings_are_config_errors(make_app, rootdir, tmp_path, override, message) -> None:
    import shutil

    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-frontmatter", src)
    with pytest.raises(ConfigError, match=message):
        make_app("html", srcdir=src, confoverrides=override)


def test_readthedocs_config_is_valid() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import json

    import yaml

    schema_path = REPO / "tests" / "schemas" / "readthedocs-v2.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    config = yaml.safe_load((REPO / ".readthedocs.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(config, schema)
    assert config["build"]["tools"]["python"] == "3.11"  # a string: unquoted 3.10 would be 3.1
    assert {"pdf", "epub"} <= set(config["formats"])
    assert config["sphinx"]["fail_on_warning"] is True
