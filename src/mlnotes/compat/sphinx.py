"""Keep an unchanged rebuild from reporting a configuration change.

Sphinx compares the configuration pickled with the last build against the new one right after
``config-inited``.  Themes and extensions that change settings later — pydata-sphinx-theme adds
to ``templates_path`` and ``html_theme_options``, sphinx-design to ``html_static_path``, MyST to
``mathjax4_config`` — make the pickled values differ from a fresh ``conf.py`` every time, so
every rebuild starts with "The configuration has changed".

We record, per setting, the value at ``config-inited`` and the value once the builder is set up.
On the next build, a setting whose ``config-inited`` value is the same as last time gets last
time's settled value straight away, so the comparison sees what the build will really use.  A
setting the author changed in ``conf.py`` no longer matches its record and is left alone, so a
real change is still reported.  Path lists are de-duplicated afterwards because the extensions
append to them again.
"""

from __future__ import annotations

import copy
import pickle
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

RECORD = "mlnotes-settled-config.pickle"
_SNAPSHOT_ATTR = "_mlnotes_config_snapshot"


def _record_path(app: Sphinx) -> Path:
    return Path(app.doctreedir) / RECORD


def _snapshot(config: Config) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in sorted(config._options):  # every registered setting
        try:
            value = getattr(config, name)
            values[name] = copy.deepcopy(value)
            pickle.dumps(values[name])
        except Exception:  # unpicklable values (functions, modules) are never compared
            values.pop(name, None)
    return values


def _replay(app: Sphinx, config: Config) -> None:
    current = _snapshot(config)
    setattr(app, _SNAPSHOT_ATTR, current)
    try:
        record: dict[str, tuple[Any, Any]] = pickle.loads(_record_path(app).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return
    for name, (before, after) in record.items():
        if name in current and current[name] == before:
            setattr(config, name, copy.deepcopy(after))


def _settle(app: Sphinx) -> None:
    before: dict[str, Any] = getattr(app, _SNAPSHOT_ATTR, {})
    config = app.config
    record: dict[str, tuple[Any, Any]] = {}
    for name, old in before.items():
        value = getattr(config, name)
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            deduped = list(dict.fromkeys(value))
            if len(deduped) != len(value):
                value[:] = deduped  # in place: extensions may hold the same list
        if value != old:
            try:
                record[name] = (old, copy.deepcopy(value))
                pickle.dumps(record[name])
            except Exception:
                record.pop(name, None)
    # The HTML builder hashed its settings into .buildinfo before the late changes above;
    # hash the settled values instead, so the next build (which starts from them) agrees.
    builder = app.builder
    if record and hasattr(builder, "create_build_info") and hasattr(builder, "build_info"):
        builder.build_info = builder.create_build_info()
    path = _record_path(app)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(record))
    except OSError as exc:  # a read-only doctree dir only costs the optimisation
        logger.debug("mlnotes: cannot write %s: %s", path, exc)


def setup_settle(app: Sphinx) -> None:
    app.connect("config-inited", _replay, priority=990)
    app.connect("builder-inited", _settle, priority=990)
