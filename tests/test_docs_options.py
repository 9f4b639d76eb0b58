"""docs/extension.md lists every ``mlnotes_*`` setting with its default: the dataclass
``MlnotesConfig`` is the source of truth, and this test keeps the page's table in step with it
(a new setting, a changed default or a removed one fails here, naming the row to write)."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path

from mlnotes.core.config import PREFIX, MlnotesConfig

DOC = Path(__file__).resolve().parent.parent / "docs" / "extension.md"
#: settings only the commands read (mlnotes.cli.siteconf), never the build
CLI_ONLY = {"mlnotes_posts_dir": '""'}
ROW = re.compile(r"^\| `(mlnotes_\w+)` \| `([^`]*)` \| (.+) \|$", re.MULTILINE)


def as_conf(value: object) -> str:
    """A default as conf.py would write it: lists for tuples, double-quoted strings."""
    if isinstance(value, tuple):
        return "[" + ", ".join(as_conf(v) for v in value) + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


def documented() -> dict[str, tuple[str, str]]:
    return {name: (default, text) for name, default, text in ROW.findall(DOC.read_text(encoding="utf-8"))}


def test_every_setting_is_documented_with_its_default() -> None:
    rows = documented()
    defaults = MlnotesConfig()
    for f in fields(MlnotesConfig):
        name, default = PREFIX + f.name, as_conf(getattr(defaults, f.name))
        assert name in rows, f"docs/extension.md: add the row | `{name}` | `{default}` | what it does |"
        assert rows[name][0] == default, f"docs/extension.md: the default of {name} is `{default}`"
        assert len(rows[name][1].split()) >= 4, f"docs/extension.md: say what {name} does"


def test_no_setting_is_documented_that_does_not_exist() -> None:
    known = {PREFIX + f.name for f in fields(MlnotesConfig)} | set(CLI_ONLY)
    assert set(documented()) - known == set()
    for name, default in CLI_ONLY.items():
        assert documented()[name][0] == default
