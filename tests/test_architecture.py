"""The house's walls, checked: the rooms of ``src/mlnotes`` import only downwards, there is no
import circle, only ``facets/`` names the built-in facets, and only ``compat/`` touches other
packages' private attributes (tests/test_compat.py checks the last one name by name).

docs/architecture.md draws the same layers; a change here is a change there.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "mlnotes"

#: each room's floor: a module may import from a lower floor or from its own room
FLOORS = {
    "core": 0,
    "facets": 1, "compat": 1,
    "read": 2, "math": 2, "figures": 2,
    "site": 3,
    "book": 4,
    "frontend": 5,
    "cli": 6,
    "": 7,  # mlnotes/__init__.py: setup() wires every room
}
#: the built-in facets' names and front-matter keys (pyproject.toml's entry points)
BUILT_IN_FACETS = {"area", "tag", "tags", "series", "paper", "venue", "year"}
#: where a built-in facet may be named: the facets themselves, and the configuration defaults
MAY_NAME_FACETS = {"facets", "core/config.py"}
#: the same words meaning something else, file by file
HOMONYMS = {
    "core/bibliography.py": {"year", "series"},  # BibTeX fields
    "core/bibcheck.py": {"year"},  # a BibTeX field
    "cli/addpaper.py": {"year", "paper"},  # a BibTeX field; the fallback word of a citation key
    "frontend/build.py": {"tag"},  # sphinx-build's -t/--tag option
    "read/frontmatter.py": {"tags"},  # ablog's own list-valued front-matter key
}


def modules() -> dict[str, Path]:
    return {".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): p
            for p in sorted(PACKAGE.rglob("*.py"))}


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (PACKAGE / parts[1]).is_dir()) else ""


def imports(path: Path) -> set[str]:
    """The mlnotes modules *path* imports (at any depth of the file, type-checking imports too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("mlnotes"):
            known = modules()
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                found.add(full if full in known else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("mlnotes")}
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import; the package uses absolute imports"
    return found


def test_every_module_is_in_a_room() -> None:
    assert {room(m) for m in modules()} <= set(FLOORS)


def test_imports_go_down_only() -> None:
    upward = []
    for module, path in modules().items():
        mine = room(module)
        for target in imports(path):
            theirs = room(target)
            if theirs != mine and FLOORS[theirs] >= FLOORS[mine]:
                upward.append(f"{module} ({mine or 'top'}) imports {target} ({theirs or 'top'})")
    assert upward == []


def test_no_import_circle() -> None:
    graph = {m: {t for t in imports(p) if t in modules() and t != m} for m, p in modules().items()}
    # a package's __init__ is imported by its own modules' imports of it: ignore those edges
    graph = {m: {t for t in ts if not m.startswith(t + ".")} for m, ts in graph.items()}
    state: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for t in sorted(graph[m]):
            if state.get(t) == 1:
                circles.append([*stack[stack.index(t):], t])
            elif t not in state:
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)
    assert circles == []


def _strings(path: Path) -> set[str]:
    return {n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def test_only_facets_name_the_built_in_facets() -> None:
    naming = []
    for module, path in modules().items():
        rel = path.relative_to(PACKAGE).as_posix()
        if room(module) in MAY_NAME_FACETS or rel in MAY_NAME_FACETS:
            continue
        allowed = HOMONYMS.get(rel, set())
        if found := (_strings(path) & BUILT_IN_FACETS) - allowed:
            naming.append(f"{rel}: {sorted(found)}")
    assert naming == []


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_each_room_says_what_it_is(name: str) -> None:
    init = PACKAGE / name / "__init__.py" if name else PACKAGE / "__init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    assert doc and len(doc.split()) >= 8, f"{init}: a room's docstring says what lives there and what it may import"


def diagram_floors(text: str) -> dict[str, int]:
    """Room → floor as drawn in docs/architecture.md's diagram (``floor N   room/ …`` lines)."""
    block = text.split("```text", 1)[1].split("```", 1)[0]
    floors: dict[str, int] = {}
    floor = None
    for line in block.splitlines():
        if m := re.match(r"floor (\d+)", line):
            floor = int(m.group(1))
        if floor is not None and (m := re.match(r"(?:floor \d+)?\s+([a-z]+)/\s", line)):
            floors[m.group(1)] = floor
    return floors


def test_the_docs_describe_this_tree() -> None:
    """docs/architecture.md draws every room on its floor and names every module; the README's
    layout names every room."""
    repo = PACKAGE.parent.parent
    arch = (repo / "docs" / "architecture.md").read_text(encoding="utf-8")
    layout = (repo / "README.md").read_text(encoding="utf-8").split("## Layout", 1)[1].split("\n## ", 1)[0]
    assert diagram_floors(arch) == {name: floor for name, floor in FLOORS.items() if name}
    missing = [f"README layout: {name}/" for name in sorted(FLOORS) if name and f"{name}/" not in layout]
    missing += [f"architecture.md: {room(m)}/{p.stem}.py" for m, p in modules().items()
                if room(m) and p.stem not in ("__init__", "__main__") and f"`{p.stem}`" not in arch]
    assert missing == []


def test_the_front_end_knows_the_listing_manifest() -> None:
    """The front end (which imports no Sphinx) forgets the listing pages' manifest when the
    code changed; it names the file itself, so the two names must agree."""
    from mlnotes.frontend.build import BOOKKEEPING
    from mlnotes.site.listings import MANIFEST

    assert MANIFEST in BOOKKEEPING
