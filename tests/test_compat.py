"""The patches of other packages (src/mlnotes/compat/): guarded by versions, and nowhere else.

- the versions pinned in requirements.lock are inside every compat module's ``WRITTEN_FOR``, so a
  ``make lock`` that moves a patched package outside fails here, not in a confusing build;
- an installed version outside a range stops the build with a message naming the package, the
  version, the range and what to do (no traceback);
- every private name a patch relies on still exists in the installed package, each in a named
  test, so an upgrade that removes one says which;
- no module outside compat/ touches those names, and compat/ imports only core/.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path
from typing import Any

import pytest

from mlnotes import compat

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "src" / "mlnotes"
LOCK = REPO / "requirements.lock"


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pinned() -> dict[str, str]:
    """``name==version`` lines of requirements.lock (hashes and comments ignored)."""
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", line)
        if match:
            pins[_normalise(match.group(1))] = match.group(2)
    return pins


def _modules() -> list[Any]:
    return [importlib.import_module(f"mlnotes.compat.{name}") for name in compat.MODULES]


# -- (a) the locked versions are the ones the patches were written for ------------------------

def test_every_compat_module_declares_its_range_and_is_listed() -> None:
    on_disk = {p.stem for p in (PACKAGE / "compat").glob("*.py") if p.stem != "__init__"}
    assert on_disk == set(compat.MODULES)
    for module in _modules():
        assert isinstance(module.WRITTEN_FOR, compat.VersionRange), module.__name__
        assert module.WRITTEN_FOR.module == module.__name__
        doc = module.__doc__ or ""
        assert "Remove" in doc or "remove" in doc, f"{module.__name__}: say when the patch can go"


@pytest.mark.parametrize("name", compat.MODULES)
def test_locked_version_is_inside_the_range(name: str) -> None:
    wanted = importlib.import_module(f"mlnotes.compat.{name}").WRITTEN_FOR
    pins = _pinned()
    assert _normalise(wanted.distribution) in pins, f"{wanted.distribution} is not pinned in requirements.lock"
    version = pins[_normalise(wanted.distribution)]
    assert wanted.contains(version), (
        f"requirements.lock pins {wanted.distribution}=={version}, outside {wanted.specifier} that "
        f"{wanted.module} was written for: check its patches against {version}, then widen WRITTEN_FOR")


@pytest.mark.parametrize("name", compat.MODULES)
def test_declared_dependency_is_the_written_for_range(name: str) -> None:
    """pip installs what the build accepts: pyproject's requirement for a patched package is its
    WRITTEN_FOR range (a looser one lets pip pick a release at which the build stops)."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet

    wanted = importlib.import_module(f"mlnotes.compat.{name}").WRITTEN_FOR
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_normalise(r.name): r.specifier for r in map(Requirement, project["dependencies"])}
    assert _normalise(wanted.distribution) in declared, f"pyproject.toml does not declare {wanted.distribution}"
    assert declared[_normalise(wanted.distribution)] == SpecifierSet(wanted.specifier), (
        f"pyproject.toml declares {wanted.distribution}{declared[_normalise(wanted.distribution)]}, "
        f"{wanted.module} is written for {wanted.specifier}")


def test_installed_versions_pass_the_check() -> None:
    assert compat.version_problems() == []
    compat.check_versions()


# -- (b) outside the range: a clear failure ---------------------------------------------------

def _fake_versions(monkeypatch: pytest.MonkeyPatch, **versions: str) -> None:
    real = compat.installed_version
    fake = {_normalise(k): v for k, v in versions.items()}
    monkeypatch.setattr(compat, "installed_version", lambda dist: fake.get(_normalise(dist)) or real(dist))


def test_out_of_range_version_fails_with_a_clear_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from sphinx.errors import ExtensionError

    _fake_versions(monkeypatch, ablog="0.12.0")
    with pytest.raises(ExtensionError) as caught:
        compat.check_versions()
    message = str(caught.value)
    for part in ("ablog", "0.12.0", ">=0.11.12,<0.12", "pip install 'ablog>=0.11.12,<0.12'",
                 "mlnotes.compat.ablog", "WRITTEN_FOR"):
        assert part in message, part
    assert "sphinx" not in message.replace("mlnotes", "")  # only the package that is out of range


def test_every_range_rejects_a_version_beyond_it(monkeypatch: pytest.MonkeyPatch) -> None:
    for wanted in compat.written_for():
        assert wanted.problem("999.0") is not None
        assert wanted.problem(None) is None  # not installed: nothing is patched


def test_a_build_with_an_out_of_range_package_stops_without_a_traceback(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sphinx.cmd.build import build_main

    _fake_versions(monkeypatch, sphinx="9.1.0")
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["mlnotes"]\nlanguage = "zh_CN"\n', encoding="utf-8")
    (src / "index.rst").write_text("Home\n====\n", encoding="utf-8")
    status = build_main(["-q", "-b", "html", str(src), str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status != 0
    assert "Extension error (mlnotes)!" in err
    # Sphinx 9 shows every error with the last frame only (the raise in check_versions), not
    # the stack of Sphinx's extension loading
    assert "registry.py" not in err and "application.py" not in err
    assert "sphinx 9.1.0 is installed" in err and "sphinx>=8.2.3,<9.1" in err and "mlnotes.compat.sphinx" in err


def test_stemmer_shim_switches_itself_off_once_sphinx_defines_the_stemmer(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The ChineseStemmer shim is not version-guarded: it looks at what Sphinx generates."""
    from sphinx.search import IndexBuilder

    from mlnotes.compat import sphinx as compat_sphinx
    from mlnotes.site import search

    assert compat_sphinx.chinese_stemmer_missing()  # Sphinx 9.0.x: the bug is there
    fixed = "var ChineseStemmer = function () {};\nwindow.Stemmer = ChineseStemmer;"
    monkeypatch.setattr(IndexBuilder, "get_js_stemmer_code", lambda self: fixed)
    assert not compat_sphinx.chinese_stemmer_missing()

    class App:
        def __init__(self) -> None:
            self.connected: list[str] = []

        def add_search_language(self, cls: type) -> None:
            pass

        def connect(self, event: str, handler: object, priority: int = 500) -> None:
            self.connected.append(event)

    app = App()
    search.setup_search(app)  # type: ignore[arg-type]  # a stand-in that records connect() calls
    assert "build-finished" not in app.connected and "html-collect-pages" in app.connected


# -- (c) what the patches rely on still exists ------------------------------------------------

def _resolve(dotted: str) -> Any:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for i, attr in enumerate(parts[cut:]):
            if hasattr(obj, attr):
                obj = getattr(obj, attr)
                continue
            # an instance attribute: declared in the class body, or set in the class's __init__
            if i == len(parts[cut:]) - 1 and inspect.isclass(obj):
                if any(attr in vars(klass).get("__annotations__", {}) for klass in obj.__mro__):
                    return attr
                init = inspect.getsource(obj.__init__)
                if re.search(rf"self\.{re.escape(attr)}\b[^=\n]*=", init):
                    return attr
            raise AttributeError(f"{dotted}: {'.'.join(parts[:cut + i])} has no {attr}")
        return obj
    raise ImportError(dotted)


PRIVATE = [(module.__name__, name) for module in _modules() for name in getattr(module, "PRIVATE", ())]


@pytest.mark.parametrize(("module", "name"), PRIVATE, ids=[name for _, name in PRIVATE])
def test_patched_name_still_exists(module: str, name: str) -> None:
    _resolve(name)


def test_ablog_blog_dict_is_a_dict_and_archive_pages_is_its_page_handler() -> None:
    import ablog
    from ablog.blog import Blog
    from ablog.post import generate_archive_pages

    assert isinstance(Blog._dict, dict)
    assert "generate_archive_pages" in inspect.getsource(ablog.setup)
    assert callable(generate_archive_pages)


def test_sphinx_event_listeners_have_id_handler_priority() -> None:
    from sphinx.events import EventListener, EventManager

    assert {"id", "handler", "priority"} <= set(EventListener._fields)
    assert re.search(r"self\.listeners\b[^=\n]*=", inspect.getsource(EventManager.__init__))


def test_sphinx_config_keeps_options_and_raw_config() -> None:
    from sphinx.config import Config

    config = Config({"project": "x"}, {"html_title": "y"})
    assert config.values is config._options and "project" in config.values
    assert config._raw_config == {"project": "x"}
    assert config._overrides == {"html_title": "y"}  # -D values (set_in_conf counts them)


def test_search_chinese_init_sets_only_what_lazy_chinese_sets() -> None:
    """LazyChinese skips SearchChinese.__init__: it must set up everything that did."""
    from sphinx.search import SearchLanguage
    from sphinx.search.zh import SearchChinese

    from mlnotes.compat.sphinx import LazyChinese

    assert list(inspect.signature(SearchChinese.__init__).parameters) == ["self", "options"]
    assert SearchChinese.__mro__[1] is SearchLanguage
    theirs = set(re.findall(r"self\.(\w+)\s*(?::[^=\n]*)?=", inspect.getsource(SearchChinese.__init__)))
    ours = set(re.findall(r"self\.(\w+)\s*(?::[^=\n]*)?=", inspect.getsource(LazyChinese.__init__)))
    assert theirs <= ours, f"SearchChinese.__init__ now also sets {theirs - ours}"
    assert "latin_terms" in inspect.getsource(SearchChinese.stem)


def test_index_builder_prune_takes_docnames() -> None:
    from sphinx.search import IndexBuilder

    assert list(inspect.signature(IndexBuilder.prune).parameters) == ["self", "docnames"]


def test_epub_build_content_writes_the_opf_before_the_book_is_zipped() -> None:
    """BookEpubBuilder overrides build_content to add to content.opf (mlnotes.math.mathml)."""
    from sphinx.builders.epub3 import Epub3Builder

    assert list(inspect.signature(Epub3Builder.build_content).parameters) == ["self"]
    finish = inspect.getsource(Epub3Builder.handle_finish)
    assert finish.index("build_content") < finish.index("build_epub")


def test_pydata_theme_appends_its_components_and_ships_webpack_macros() -> None:
    import pydata_sphinx_theme

    from mlnotes.compat.pydata import COMPONENTS, THEME_SOURCES

    theme = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
    assert (theme / COMPONENTS).is_dir()
    assert f'"{COMPONENTS}"' in Path(pydata_sphinx_theme.__file__).read_text(encoding="utf-8")
    for name in THEME_SOURCES:
        assert (theme / "static" / name).is_file()


def test_jieba_tokenizer_takes_our_bookkeeping() -> None:
    import jieba

    assert isinstance(vars(jieba.dt), dict)


# -- (d) nobody else touches them --------------------------------------------------------------

#: what only compat/ may write: private names of other packages and the patches' own markers
FORBIDDEN = [
    r"\bBlog\._dict\b",
    r"\._raw_config\b",
    r"\bconfig\._overrides\b",
    r"\bconfig\._options\b",
    r"\b_RUNTIME_PLUGINS\b",
    r"\b_DEFAULT_PLUGINS\b",
    r"super\(SearchChinese\b",
    r"\bindexer\.prune\s*=",
    r"\._(?:title_)?mapping\b",
    r"\.build_content\s*=",
    r"\._document\b",
    r"\.parallel_read_safe\s*=",
    r"\bevents\.listeners\b",
    r"\bjieba\.dt\b",
    r"\bapp\.parallel\s*=",
    r"webpack-macros",
    r"[\"']components[\"']",
    r"var ChineseStemmer",
]


#: forbidden outside compat/, and no longer needed inside it either (a public API replaced it)
NOT_USED = {r"\bconfig\._options\b", r"\.build_content\s*="}


def _outside_compat() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "compat" not in p.relative_to(PACKAGE).parts)


@pytest.mark.parametrize("pattern", FORBIDDEN)
def test_no_module_outside_compat_touches(pattern: str) -> None:
    hits = [f"{p.relative_to(PACKAGE)}:{n}: {line.strip()}"
            for p in _outside_compat()
            for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if re.search(pattern, line)]
    assert hits == [], "move this into src/mlnotes/compat/:\n" + "\n".join(hits)


def test_the_patterns_do_find_the_patches_in_compat() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (PACKAGE / "compat").glob("*.py"))
    missing = [pattern for pattern in FORBIDDEN if pattern not in NOT_USED and not re.search(pattern, text)]
    assert missing == [], "a pattern that matches nothing in compat/ checks nothing"


def test_compat_imports_only_core_and_compat() -> None:
    for path in sorted((PACKAGE / "compat").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                if name == "mlnotes" or name.startswith("mlnotes."):
                    assert name.startswith(("mlnotes.core", "mlnotes.compat")), f"{path.name} imports {name}"
