"""Property-based tests: arbitrary Unicode never crashes front-matter handling or taxonomy
matching; every value either resolves or comes back as a located problem."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlnotes.core.config import MlnotesConfig
from mlnotes.core.taxonomy import fold, load_taxonomy
from mlnotes.facets.area import AreaFacet
from mlnotes.facets.tag import TagFacet
from mlnotes.read.frontmatter import as_text_list, front_matter_lines, yaml_problem

ROOT = Path(__file__).resolve().parent / "roots" / "test-taxonomy"
TAXONOMY = load_taxonomy(ROOT / "taxonomy.toml")
TAGS = TagFacet(TAXONOMY)
text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)


@given(text)
def test_tags_resolve_or_report(value: str) -> None:
    result = TAGS.resolve(value)
    assert all(slug in TAGS.terms() for slug in result.terms)
    for problem in result.problems:
        assert problem.subtype == "tag" and "unknown tag" in problem.message
    mentioned = [v for v in value.replace("，", ",").split(",") if v.strip()]
    assert len(result.terms) + len(result.problems) >= min(1, len(mentioned))


@given(text)
def test_alias_matching_ignores_case_spacing_and_width(noise: str) -> None:
    index = TAGS.index()
    assert index[fold("Large-Language  Model")] == "llm"
    assert fold(noise) == fold(noise.upper().replace(" ", "")) or not noise.isascii()


@given(text)
def test_area_resolution_never_crashes(value: str) -> None:
    result = AreaFacet(TAXONOMY).resolve(value)
    assert len(result.terms) <= 1
    assert result.terms or result.problems


@given(st.lists(text, max_size=5))
def test_yaml_lists_come_back_as_plain_text(items: list[str]) -> None:
    rendered = json.dumps(items)  # what MyST writes for a YAML list
    plain = as_text_list(rendered)
    assert plain == ", ".join(str(i).strip() for i in items)
    assert "\\u" not in plain or any("\\u" in i for i in items)


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=150)
@given(st.dictionaries(st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True), text, max_size=6))
def test_front_matter_lines_and_yaml_errors(fields: dict[str, str]) -> None:
    block = "\n".join(f"{k}: {v}" for k, v in fields.items())
    doc = f"---\n{block}\n---\n# t\n"
    lines = front_matter_lines(doc)
    for key in lines:
        assert doc.splitlines()[lines[key] - 1].startswith(key)
    problem = yaml_problem("blogpost: true\n" + block, "posts/x", MlnotesConfig())
    assert problem.docname == "posts/x" and problem.line is not None and problem.line >= 1
    assert problem.message


@given(text)
def test_date_parsing_is_total(value: str) -> None:
    cfg = MlnotesConfig()
    parsed = cfg.parse_date(value)
    assert parsed is None or parsed.year >= 1
