"""refs.bib checks: each kind of problem, with its exact message, file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlnotes.core.bibcheck import check_bibliography
from mlnotes.core.bibliography import load_bibliography

GOOD = """@inproceedings{good2020,
  title = {A Good Paper},
  author = {Doe, Jane},
  booktitle = {ICLR},
  year = {2020},
  eprint = {2001.00001},
  archivePrefix = {arXiv}
}
"""


def problems(tmp_path: Path, text: str, cited: set[str] | None = None, strict: bool = False) -> list[str]:
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    bib = load_bibliography([path])
    found = check_bibliography(bib, cited if cited is not None else set(bib.papers), strict)
    return [f"{Path(p.file).name}:{p.line}: {p.text()}" for p in found]


def test_clean_file_has_no_problems(tmp_path: Path) -> None:
    assert problems(tmp_path, GOOD) == []


def test_missing_required_field(tmp_path: Path) -> None:
    text = GOOD + "\n@article{nojournal2021,\n  title = {T},\n  author = {A, B},\n  year = {2021},\n  url = {https://x.org}\n}\n"
    assert problems(tmp_path, text) == [
        "refs.bib:10: entry 'nojournal2021' (@article) has no journal "
        "(check the paper's arXiv or proceedings page and add it)"
    ]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("eprint = {arXiv:2001.00002},\n  archivePrefix = {arXiv}",
         "entry 'bad2021': malformed arXiv id 'arXiv:2001.00002' "
         "(expected e.g. 2103.00020 or cs/0112017, without 'arXiv:')"),
        ("doi = {https://doi.org/10.1/x}",
         "entry 'bad2021': malformed DOI 'https://doi.org/10.1/x' (expected e.g. 10.1109/CVPR.2016.90, without 'https://doi.org/')"),
    ],
)
def test_malformed_identifiers(tmp_path: Path, field: str, message: str) -> None:
    text = GOOD + f"\n@misc{{bad2021,\n  title = {{Other}},\n  year = {{2021}},\n  {field}\n}}\n"
    assert problems(tmp_path, text) == [f"refs.bib:10: {message}"]


@pytest.mark.parametrize(
    ("extra", "what"),
    [
        ("title = {Another}, year = {2020}, eprint = {2001.00001v2}, archivePrefix = {arXiv}", "arXiv id"),
        ("title = {A  good paper!}, year = {2021}, url = {https://x.org}", "title"),
    ],
)
def test_two_keys_for_one_paper(tmp_path: Path, extra: str, what: str) -> None:
    text = GOOD + f"\n@misc{{again2020, {extra}}}\n"
    assert problems(tmp_path, text) == [
        f"refs.bib:10: entries 'good2020' and 'again2020' are the same paper (same {what}) "
        "(keep one key and cite it everywhere)"
    ]


def test_conference_and_journal_versions_are_two_papers(tmp_path: Path) -> None:
    text = (
        "@inproceedings{conf2014, title={Same Title}, author={A, B}, booktitle={ECCV}, year={2014}, doi={10.1007/1}}\n"
        "@article{journal2015, title={Same Title}, author={A, B}, journal={TPAMI}, year={2015}, doi={10.1109/2}}\n"
    )
    assert problems(tmp_path, text) == []


def test_uncited_entries_fail_only_in_strict_mode(tmp_path: Path) -> None:
    assert problems(tmp_path, GOOD, cited=set(), strict=False) == []
    assert problems(tmp_path, GOOD, cited=set(), strict=True) == [
        "refs.bib:1: entry 'good2020' is cited by no post (cite it or remove it (mlnotes_strict_bib = True))"
    ]


def test_parse_error_names_the_line_not_a_traceback(tmp_path: Path) -> None:
    text = (GOOD + "\n@article{broken,\n  title = {Unclosed,\n  year = {2020}\n\n"
            "@misc{after, title={X}, year={2020}, url={u}}\n")
    found = problems(tmp_path, text)
    assert len(found) == 1
    assert found[0].startswith("refs.bib:")
    assert "cannot parse" in found[0] and "nothing from this file was read" in found[0]
    line = int(found[0].split(":")[1])
    assert 10 <= line <= 16


def test_broken_refs_bib_in_a_build_is_located_and_the_site_still_builds(make_app, rootdir, tmp_path: Path) -> None:
    import shutil

    from sphinx.util.console import strip_colors

    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-papers", src)
    bib = src / "refs.bib"
    lines = bib.read_text(encoding="utf-8").splitlines()
    bib.write_text("\n".join(lines) + "\n\n@article{broken,\n  title = {Unclosed,\n  year = {2020}\n", encoding="utf-8")
    app = make_app("html", srcdir=src)
    app.build()  # no traceback: sphinxcontrib-bibtex gets the entries that parse
    warnings = strip_colors(app._warning.getvalue()).replace(str(src) + "/", "")
    assert (f"refs.bib:{len(lines) + 2}: WARNING: cannot parse the entry starting here: syntax error: premature end "
            "of file (the entry was left out so the rest of the site builds; fix it) [mlnotes.bib]") in warnings
    page = (app.outdir / "posts" / "one.html").read_text(encoding="utf-8")
    assert "Beta Networks".casefold() in page.casefold()  # the good entries still resolve
    assert bib.read_text(encoding="utf-8").endswith("year = {2020}\n")  # the author's file is untouched
