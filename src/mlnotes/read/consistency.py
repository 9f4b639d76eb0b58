"""Checks across posts once everything is read, on every build: each facet's own (a series list and the posts
that claim it, refs.bib and the papers the posts cite), then colliding slugs and documents in a
posts folder that are not posts."""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from mlnotes.core.problems import Problem, report
from mlnotes.core.records import get_posts
from mlnotes.facets.runtime import get_runtime


def slug_problems(app: Sphinx, env: BuildEnvironment) -> list[Problem]:
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


def _check(app: Sphinx, env: BuildEnvironment) -> list[str]:
    records = get_posts(env)
    problems = [problem for facet in get_runtime(env).facets for problem in facet.check(records)]
    report(problems + slug_problems(app, env))
    return []


def setup_consistency(app: Sphinx) -> None:
    # env-updated, not env-check-consistency: Sphinx checks consistency only when it read
    # something, and these problems (an uncited refs.bib entry, a series list) must be reported by
    # every build until they are fixed, as a clean build reports them
    app.connect("env-updated", _check)
