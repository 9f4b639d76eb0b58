"""What every command knows about a site: its ``conf.py`` read the way Sphinx reads it.

The commands never assume this repository's layout.  The taxonomy file is ``mlnotes_taxonomy``,
the bibliographies are ``bibtex_bibfiles``, the facets are ``mlnotes_facets``, and the posts are
the source files Sphinx would read whose front matter says ``blogpost: true`` (or that match
ablog's ``blog_post_pattern``).  Where a new post goes is ``mlnotes_posts_dir`` when conf.py sets
it (only the commands read it), else the folder the existing posts live in, else ``posts``.

Anything wrong with the site is a :class:`CliError` naming the file and what was expected, so a
command prints one line and exits with a meaningful code instead of a traceback.
"""

from __future__ import annotations

import fnmatch
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path

import yaml
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.project import Project
from sphinx.util.tags import Tags

from mlnotes.core.config import PREFIX, MlnotesConfig
from mlnotes.read.frontmatter import front_matter_block

#: exit codes shared by every command: 0 ok, 1 the check found problems, 2 bad input or set-up
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

#: where posts go when conf.py does not say and the site has none yet
DEFAULT_POSTS_DIR = "posts"

#: never source, whatever conf.py says: build output, virtualenvs, caches, hidden folders
_ALWAYS_EXCLUDED = ("_build", ".*", "**/.*", "node_modules", "**/node_modules", "__pycache__", "**/__pycache__")


def run_reporting(command: str, run: Callable[[], int]) -> int:
    """*run*'s exit code; a :class:`CliError`, or a file that cannot be read or written, becomes
    one line on standard error (``mlnotes <command>: …``) and exit code 2 (or the error's)."""
    try:
        return run()
    except CliError as exc:
        message = str(exc)
        print(message if message.startswith("mlnotes") else f"mlnotes {command}: {message}", file=sys.stderr)
        return exc.code
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"mlnotes {command}: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE


class CliError(Exception):
    """A user-facing failure: the message says which file and what was expected."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Site:
    """A site's settings as the commands need them; paths are absolute."""

    root: Path
    config: Config
    language: str
    taxonomy: Path
    bibfiles: tuple[Path, ...]
    facets: tuple[str, ...]
    required_fields: tuple[str, ...]
    topics_path: str
    feeds_path: str
    base_url: str
    posts: tuple[Path, ...]
    posts_dir: Path

    @property
    def conf_py(self) -> Path:
        return self.root / "conf.py"

    @property
    def chinese(self) -> bool:
        """Whether new files for this site are written in Chinese (``language = "zh…"``)."""
        return self.language.lower().replace("-", "_").startswith("zh")

    def rel(self, path: Path) -> str:
        """*path* relative to the site, for messages."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


def read_config(root: Path) -> Config:
    """conf.py in *root*, executed as sphinx-build executes it, with mlnotes' settings (and the
    few of other extensions the commands read) registered so their defaults apply."""
    conf = root / "conf.py"
    if not conf.is_file():
        where = "it does not exist" if not root.exists() else "there is no conf.py there"
        raise CliError(f"{root}: not a Sphinx site ({where}); run the command in the folder that holds the "
                       "site's conf.py, pass --root DIR, or create a site with `mlnotes init DIR`")
    try:
        config = Config.read(root, overrides={}, tags=Tags())
    except ConfigError as exc:
        raise CliError(f"{conf}: Sphinx cannot read it: {exc}") from exc
    defaults = MlnotesConfig()
    for f in fields(MlnotesConfig):
        config.add(PREFIX + f.name, getattr(defaults, f.name), "env", ())
    config.add(PREFIX + "posts_dir", "", "env", ())
    # settings of Sphinx's HTML builder, sphinxcontrib-bibtex and ablog, which their setup() registers
    for name, default in (("bibtex_bibfiles", ()), ("blog_post_pattern", ()), ("html_baseurl", "")):
        if name not in config:
            config.add(name, default, "env", ())
    return config


def _str_list(config: Config, name: str) -> tuple[str, ...]:
    value = getattr(config, name)
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise CliError(f"conf.py: {name} must be a list of strings, got {value!r}")


def _str(config: Config, name: str) -> str:
    value = getattr(config, name)
    if not isinstance(value, str):
        raise CliError(f"conf.py: {name} must be a string, got {value!r}")
    return value


def is_post(path: Path) -> bool:
    """Whether the front matter of *path* says ``blogpost: true`` (what ablog and mlnotes read)."""
    try:
        block = front_matter_block(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return False
    if block is None:
        return False
    try:
        data = yaml.safe_load(block)
    except (yaml.YAMLError, ValueError):  # (an impossible date) the build reports it with its line;
        # it is still meant as a post, and the check must build it to say so
        return re.search(r"^blogpost:\s*(?:true|yes)\s*$", block, re.M | re.I) is not None
    return isinstance(data, dict) and data.get("blogpost") in (True, "true", "yes")


def find_posts(root: Path, config: Config) -> tuple[Path, ...]:
    """The posts of the site: source files Sphinx would read that ablog counts as posts."""
    suffixes = [".md", ".rst"]
    source_suffix = config.source_suffix
    if isinstance(source_suffix, dict):
        suffixes += [s for s in source_suffix if isinstance(s, str)]
    project = Project(root, dict.fromkeys(suffixes, "any"))
    include = _str_list(config, "include_patterns") or ("**",)
    exclude = (*_str_list(config, "exclude_patterns"), *_ALWAYS_EXCLUDED)
    patterns = _str_list(config, "blog_post_pattern")
    posts = []
    for docname in sorted(project.discover(exclude, include)):
        path = Path(project.doc2path(docname, absolute=True))
        if any(fnmatch.fnmatch(docname, p) for p in patterns) or is_post(path):
            posts.append(path)
    return tuple(posts)


def posts_folder(root: Path, posts: tuple[Path, ...], configured: str) -> Path:
    """Where new posts go: the setting, else the folder most posts are in (the one above their
    year folders, ``posts/2026/x.md`` → ``posts``), else :data:`DEFAULT_POSTS_DIR`."""
    if configured:
        return (root / configured).resolve()
    homes: Counter[Path] = Counter()
    for post in posts:
        parent = post.parent
        homes[parent.parent if parent.name.isdigit() and len(parent.name) == 4 else parent] += 1
    if homes:
        return homes.most_common(1)[0][0]
    return root / DEFAULT_POSTS_DIR


def load_site(root: Path, *, with_posts: bool = True) -> Site:
    """The site whose conf.py is in *root* (a :class:`CliError` when there is none or it is broken)."""
    root = root.resolve()
    config = read_config(root)
    posts = find_posts(root, config) if with_posts else ()
    language = getattr(config, "language", None) or "en"
    base_url = getattr(config, "html_baseurl", "") or ""
    return Site(
        root=root,
        config=config,
        language=str(language),
        taxonomy=root / _str(config, PREFIX + "taxonomy"),
        bibfiles=tuple(root / name for name in _str_list(config, "bibtex_bibfiles")),
        facets=_str_list(config, PREFIX + "facets"),
        required_fields=_str_list(config, PREFIX + "required_fields"),
        topics_path=_str(config, PREFIX + "topics_path"),
        feeds_path=_str(config, PREFIX + "feeds_path"),
        base_url=str(base_url),
        posts=posts,
        posts_dir=posts_folder(root, posts, _str(config, PREFIX + "posts_dir")),
    )


def require_bibfile(site: Site) -> Path:
    """The bibliography a command writes to: the site's first ``bibtex_bibfiles`` entry; a clear
    error when conf.py names none."""
    if not site.bibfiles:
        raise CliError(f"{site.conf_py}: bibtex_bibfiles is not set, so there is no bibliography to use; "
                       "add e.g. bibtex_bibfiles = [\"refs.bib\"] (and \"sphinxcontrib.bibtex\" to extensions), "
                       "or pass --bib FILE")
    return site.bibfiles[0]
