"""Checks across posts once everything is read: series lists and the posts that claim them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from mlnotes.core.problems import Problem, report
from mlnotes.facets.runtime import get_runtime
from mlnotes.core.records import get_posts


def _line_of(path: Path, needle: str) -> int | None:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if needle in line:
                return number
    except OSError:
        pass
    return None


def series_problems(app: Sphinx, env: Any) -> list[Problem]:
    runtime = get_runtime(env)
    series = runtime.facet("series")
    if series is None:
        return []
    posts = get_posts(env)
    toml = Path(runtime.taxonomy.path)
    problems = []
    for slug, term in series.terms().items():
        for member in term.members:
            if member not in posts:
                problems.append(Problem(
                    "series", f"series {slug!r} lists {member!r}, which is not a post",
                    hint="use the post's docname, e.g. 'posts/2026/s4', or remove it",
                    file=str(toml), line=_line_of(toml, f'"{member}"'),
                ))
        for docname, post in sorted(posts.items()):
            if slug in post.facets.get("series", []) and docname not in term.members:
                problems.append(Problem(
                    "series", f"post says 'series: {slug}' but taxonomy.toml does not list it in that series",
                    docname=docname, hint=f"add {docname!r} to [series.{slug}] posts, in reading order",
                ))
    return problems


def slug_problems(app: Sphinx, env: Any) -> list[Problem]:
    """Two posts whose file names agree collide (ablog labels a post by its file name, and
    posts.bib keys by it); a document in a posts directory that is not a post is lost."""
    problems = []
    by_slug: dict[str, list[str]] = {}
    posts = get_posts(env)
    for docname in sorted(posts):
        by_slug.setdefault(docname.rsplit("/", 1)[-1], []).append(docname)
    for slug, docnames in by_slug.items():
        for other in docnames[1:]:
            problems.append(Problem(
                "slug", f"posts {docnames[0]!r} and {other!r} share the slug {slug!r}",
                docname=other, line=1, hint="rename one file; links, labels and citation keys use the slug",
            ))
    post_dirs = {d.rsplit("/", 1)[0].split("/")[0] for d in posts if "/" in d}
    for docname in sorted(env.found_docs):
        top = docname.split("/")[0]
        if top in post_dirs and docname not in posts and not env.metadata.get(docname, {}).get("mlnotes_reported"):
            problems.append(Problem(
                "post", f"{docname!r} is in {top}/ but is not a post, so no listing or feed shows it",
                docname=docname, line=1, hint="give it front matter with 'blogpost: true', a date and a '# title'",
            ))
    return problems


def _check(app: Sphinx, env: Any) -> None:
    report(series_problems(app, env) + slug_problems(app, env))


def setup_consistency(app: Sphinx) -> None:
    app.connect("env-check-consistency", _check)
