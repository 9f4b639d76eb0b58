"""All ``mlnotes_*`` settings as one dataclass, validated once at ``config-inited``."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

PREFIX = "mlnotes_"


@dataclass(frozen=True)
class MlnotesConfig:
    #: accepted ``date:`` formats in post front matter, tried in order (strict ``strptime``)
    date_formats: tuple[str, ...] = ("%Y-%m-%d", "%Y-%m-%d %H:%M")
    #: the time zone post dates are written in (an IANA name); feeds carry this offset
    timezone: str = "UTC"
    #: front-matter keys every post must have
    required_fields: tuple[str, ...] = ("date",)
    #: the vocabulary file, relative to conf.py
    taxonomy: str = "taxonomy.toml"
    #: facets to switch on, by entry-point name (group ``mlnotes.facets``)
    facets: tuple[str, ...] = ("area", "tag", "series")
    #: posts per listing page (home page, term pages)
    page_size: int = 10
    #: refs.bib entries that no post cites are an error (True) or only reported (False)
    strict_bib: bool = False
    #: where listing pages and feeds go in the output
    topics_path: str = "topics"
    feeds_path: str = "feeds"
    #: the repository's web address for "edit this page" (GitHub or GitLab); empty: from
    #: READTHEDOCS_GIT_CLONE_URL or ``git remote get-url origin``, else no link
    repository_url: str = ""
    #: fonts for build-time figures (``{plot}``, ``{diagram}``), first choice first; the default
    #: has Chinese, Japanese and Korean glyphs (Debian's fonts-noto-cjk) and falls back to DejaVu Sans
    figure_fonts: tuple[str, ...] = ("Noto Sans CJK SC",)
    #: what the paper pages show beyond refs.bib (official code, datasets, results, lineage),
    #: relative to conf.py; a missing file is no data
    papers: str = "papers.toml"
    #: the start of each note's BibTeX key ("cite this note", posts.bib): ``<prefix>-<file name>``;
    #: empty: ``project`` as lowercase ASCII words joined by '-' ("note" when nothing is left)
    cite_key_prefix: str = ""

    def cite_prefix(self, project: str) -> str:
        """:attr:`cite_key_prefix`, or the one derived from *project* when that is empty."""
        return self.cite_key_prefix or slug_words(project) or "note"

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def parse_date(self, text: str) -> datetime | None:
        """The date in *text* under one of :attr:`date_formats`, or None."""
        for fmt in self.date_formats:
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
        return None


def slug_words(text: str) -> str:
    """*text* as lowercase ASCII words joined by '-' ("ML Notes 2026" → "ml-notes-2026"); letters
    without an ASCII form (Han) are left out, so the result may be empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


_DEFAULTS = MlnotesConfig()
#: settings that change only the HTML output (no need to re-read documents)
_HTML_ONLY = {"page_size", "topics_path", "feeds_path", "repository_url", "papers", "cite_key_prefix"}


def setup_config(app: Sphinx) -> None:
    for f in fields(MlnotesConfig):
        default = getattr(_DEFAULTS, f.name)
        types = (bool,) if isinstance(default, bool) else (int,) if isinstance(default, int) else (tuple, list, str)
        rebuild: Literal["html", "env"] = "html" if f.name in _HTML_ONLY else "env"
        app.add_config_value(PREFIX + f.name, default, rebuild, types=types)
    # before everything that reads the settings (the runtime loads the taxonomy at 600)
    app.connect("config-inited", _validate, priority=400)


def get_config(config: Config) -> MlnotesConfig:
    """The settings of this build as a :class:`MlnotesConfig` (the one accessor)."""
    values: dict[str, Any] = {}
    for f in fields(MlnotesConfig):
        value = getattr(config, PREFIX + f.name)
        values[f.name] = tuple(value) if isinstance(value, list) else value
    return MlnotesConfig(**values)


def _raw(config: Config, name: str) -> object:
    """The setting as conf.py wrote it: :class:`MlnotesConfig` says what it should be, not what it is."""
    value: object = getattr(config, PREFIX + name)
    return value


def _validate(app: Sphinx, config: Config) -> None:
    if getattr(config, "bibtex_bibfiles", None) is None:
        # sphinxcontrib-bibtex (which mlnotes sets up) would stop later, at builder-inited, with
        # a message that does not say where; say it now, with the line to add
        raise ConfigError(
            'bibtex_bibfiles is not set: add e.g. bibtex_bibfiles = ["refs.bib"] to conf.py '
            "(the BibTeX files posts cite from; [] for a site that cites nothing)"
        )
    cfg = get_config(config)
    if isinstance(_raw(config, "date_formats"), str) or not cfg.date_formats:
        raise ConfigError("mlnotes_date_formats must be a non-empty list of strptime formats")
    for fmt in cfg.date_formats:
        if not all(code in fmt for code in ("%Y", "%m", "%d")):
            raise ConfigError(f"mlnotes_date_formats: {fmt!r} must contain %Y, %m and %d")
        if "%z" in fmt or "%Z" in fmt:
            raise ConfigError(
                f"mlnotes_date_formats: {fmt!r} has a time-zone code; dates are written in "
                "mlnotes_timezone, so formats must not carry one"
            )
    try:
        ZoneInfo(cfg.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"mlnotes_timezone: {cfg.timezone!r} is not an IANA time-zone name (e.g. 'Asia/Shanghai')"
        ) from exc
    if isinstance(_raw(config, "required_fields"), str):
        raise ConfigError("mlnotes_required_fields must be a list of front-matter keys")
    if isinstance(_raw(config, "facets"), str):
        raise ConfigError("mlnotes_facets must be a list of facet names, e.g. [\"area\", \"tag\"]")
    if cfg.cite_key_prefix and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.:-]*", cfg.cite_key_prefix):
        raise ConfigError(
            f"mlnotes_cite_key_prefix: {cfg.cite_key_prefix!r} cannot start a BibTeX key; "
            "use letters, digits and '-', e.g. 'mynotes'"
        )
    if not isinstance(cfg.page_size, int) or cfg.page_size < 1:
        raise ConfigError(f"mlnotes_page_size must be a whole number >= 1, got {cfg.page_size!r}")
