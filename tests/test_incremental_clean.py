"""Incremental builds equal clean builds, always (property-based).

The promise of ``make html``: after any sequence of source changes, the incremental build
(``python -m mlnotes.frontend -b html -n -W --keep-going -j … -d DOCTREES SRC OUT`` into the same
OUT and DOCTREES as before) leaves exactly the files, bytes and warnings that a clean build of the
same tree leaves.

Design. :class:`IncrementalEqualsClean` is a hypothesis state machine whose state is a working copy
of ``tests/roots/test-incremental`` (a model of it, :class:`incremental_site.SiteModel`, written to
a temp dir). Each rule makes one change an author makes — add, delete, move a post; edit its body,
tags, area, series, summary, author, title, date (older, newer, into the future = draft, back), remove
its date; add or remove a link to another post or change the words around it (backlinks, previews);
add or remove a citation or the main paper; add, edit, remove a refs.bib entry; rename a tag,
add an alias, move an area under another parent, reorder a series; change ``mlnotes_page_size``,
``mlnotes_strict_bib`` or ``html_title``; add, edit, remove a template override; edit a static file
— and then builds the site twice at once (two subprocesses, ``PYTHONHASHSEED=0``, cwd at the site):
incrementally into the persistent output, and clean into fresh directories. It compares every
output file (the set of paths and the bytes) and the warning lines (site and output paths replaced
by placeholders; sorted, because the order in which parallel workers' warnings are printed is not
part of the promise), and the exit status (0 or not). When the clean build stops before writing
anything (a fatal error, such as two tags with one name), only the warnings and the exit status are
compared: there is no clean output to compare the incremental one with. A failure prints the change
history, the files that differ with the first lines of a unified diff, and the warnings that
differ.

Excluded from the comparison (``incremental_site.VOLATILE``): ``.buildinfo`` — Sphinx's own
bookkeeping of the configuration hash, not published content — and ``.buildinfo.bak``, Sphinx's copy
of the previous ``.buildinfo`` when the configuration changed, which only a rebuild can have.
Compared after normalisation (``incremental_site.normalise``): ``.mlnotes-pages.json``, the listing
manifest, by the files, pages and feeds it lists, not its hash values: those hash Sphinx's config
hash, which covers ``html_search_options["dict"]``, a path inside the doctree directory, so they
differ between two clean builds of the same tree into different directories.  Nothing else is
excluded or normalised.

Bounds.  In the normal suite the machine runs ``MLNOTES_FUZZ_EXAMPLES`` (default 3) sequences of
up to ``MLNOTES_FUZZ_STEPS`` (default 10) steps, derandomized (the same sequences every run), with
no shrinking; the first sequence hypothesis tries is its simplest (one change, repeated).  Every
step builds twice at once, about 4 s.  ``make fuzz-incremental`` runs a long random search
(``MLNOTES_FUZZ_STEPS=200``, ``MLNOTES_FUZZ_EXAMPLES=3``, shrinking on).
``MLNOTES_FUZZ_LOG=FILE`` appends one line per compared step;
``MLNOTES_FUZZ_SHRINK=0/1`` switches shrinking; ``MLNOTES_FUZZ_JOBS`` forces ``-j 1`` or ``-j auto``
(by default each sequence draws one); ``MLNOTES_FUZZ_IGNORE`` leaves out known-bad output while
hunting for further bugs (see ``incremental_site.ignored``) and ``MLNOTES_FUZZ_OFF`` leaves out rules, by name.

Regressions.  The tests at the end of the file are deterministic, minimal sequences for each
difference the machine found (a word left in the search index, a deleted post's page, the home
list, sidebars of post and listing pages, a deleted template override); each was fixed and must
stay so.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from incremental_site import ROOT, BibEntry, Builds, Post, SiteModel

STEPS = int(os.environ.get("MLNOTES_FUZZ_STEPS", "10"))
EXAMPLES = int(os.environ.get("MLNOTES_FUZZ_EXAMPLES", "3"))
LONG = "MLNOTES_FUZZ_STEPS" in os.environ
SHRINK = os.environ.get("MLNOTES_FUZZ_SHRINK", "1" if LONG else "0") == "1"
JOBS = os.environ.get("MLNOTES_FUZZ_JOBS")  # "1", "auto" or unset (drawn)

DATES = ["2023-12-01", "2024-01-01", "2024-01-05", "2024-02-01", "2024-02-20", "2024-03-01", "2024-03-15",
         "2024-05-01", "2099-01-01"]  # the last one is in the future: a draft
BODIES = ["正文。", "另一段正文。", "第三版正文，长一些：" + "内容" * 40]
SUMMARIES = [None, "一句摘要", "另一句摘要"]
AUTHORS = [None, "ann", "bob"]
LINK_WORDS = ["另见", "对比一下"]
TITLES = ["新标题", "又一个标题"]
NEW_BIB = {
    "delta2022": BibEntry("article", "Delta", "Qian, Qi", 2022, "Journal of Tests"),
    "eps2018": BibEntry("inproceedings", "Epsilon Nets", "Sun, Ba", 2018, "Conference on Tests"),
}


class IncrementalEqualsClean(RuleBasedStateMachine):
    """Changes to the site, each followed by an incremental and a clean build that must agree."""

    def __init__(self) -> None:
        super().__init__()
        self.builds: Builds | None = None
        self.counter = 0

    @initialize(jobs=st.sampled_from(["1", "auto"]) if JOBS is None else st.just(JOBS))
    def start(self, jobs: str) -> None:
        import tempfile

        self.builds = Builds(Path(tempfile.mkdtemp(prefix="mlnotes-inc-")), jobs=jobs)
        self.check("first build")

    def teardown(self) -> None:
        import shutil

        if self.builds is not None:
            shutil.rmtree(self.builds.base, ignore_errors=True)

    @property
    def m(self) -> SiteModel:
        assert self.builds is not None
        return self.builds.model

    def check(self, what: str) -> None:
        assert self.builds is not None
        _, problems = self.builds.step(what)
        if log := os.environ.get("MLNOTES_FUZZ_LOG"):  # one line per compared step, for the report
            with open(log, "a", encoding="utf-8") as f:
                f.write(f"-j {self.builds.jobs}\t{'differs' if problems else 'equal'}\t{what}\n")
        assert not problems, (
            f"incremental build (-j {self.builds.jobs}) differs from a clean build after:\n  "
            + "\n  ".join(self.builds.history) + "\n\n" + problems
        )

    def pick(self, data: st.DataObject, label: str = "post") -> str:
        return data.draw(st.sampled_from(sorted(self.m.posts)), label=label)

    def has_posts(self) -> bool:
        return self.builds is not None and len(self.m.posts) > 1

    # -- posts ----------------------------------------------------------------------------------------

    @rule(date=st.sampled_from(DATES), area=st.sampled_from(["cv", "detection", "nlp", "llm"]),
          tags=st.lists(st.sampled_from(["LLM", "attention", "视觉", "llm"]), max_size=2, unique=True),
          sub=st.booleans())
    def add_post(self, date: str, area: str, tags: list[str], sub: bool) -> None:
        self.counter += 1
        pid = f"n{self.counter}"
        area = area if area in self.m.areas else next(iter(self.m.areas))
        self.m.posts[pid] = Post(f"posts/{'sub/' if sub else ''}{pid}", f"新文章 {pid}", date, area, tags)
        self.check(f"add {pid}")

    @precondition(has_posts)
    @rule(data=st.data())
    def delete_post(self, data: st.DataObject) -> None:
        pid = self.pick(data)
        del self.m.posts[pid]
        for _, members in self.m.series.values():
            if pid in members:
                members.remove(pid)
        self.check(f"delete {pid}")

    @precondition(has_posts)
    @rule(data=st.data(), where=st.sampled_from(["posts", "posts/sub", "posts/old"]))
    def move_post(self, data: st.DataObject, where: str) -> None:
        pid = self.pick(data)
        self.counter += 1
        new = f"{where}/m{self.counter}"
        self.m.posts[pid].path = new
        self.check(f"move {pid} to {new}")

    @precondition(has_posts)
    @rule(data=st.data(), body=st.sampled_from(BODIES))
    def edit_body(self, data: st.DataObject, body: str) -> None:
        pid = self.pick(data)
        self.m.posts[pid].body = body
        self.check(f"edit body of {pid}")

    @precondition(has_posts)
    @rule(data=st.data(), tags=st.lists(st.sampled_from(["LLM", "attention", "视觉", "llm", "vision"]), max_size=3,
                                        unique=True))
    def change_tags(self, data: st.DataObject, tags: list[str]) -> None:
        pid = self.pick(data)
        self.m.posts[pid].tags = tags
        self.check(f"tags of {pid} = {tags}")

    @precondition(has_posts)
    @rule(data=st.data())
    def change_area(self, data: st.DataObject) -> None:
        pid = self.pick(data)
        area = data.draw(st.sampled_from(sorted(self.m.areas)), label="area")
        self.m.posts[pid].area = area
        self.check(f"area of {pid} = {area}")

    @precondition(has_posts)
    @rule(data=st.data(), join=st.booleans())
    def change_series(self, data: st.DataObject, join: bool) -> None:
        pid = self.pick(data)
        members = self.m.series["s1"][1]
        if pid in members:
            members.remove(pid)
            self.check(f"{pid} leaves s1")
        else:
            members.append(pid)
            self.check(f"{pid} joins s1")

    @precondition(has_posts)
    @rule(data=st.data(), summary=st.sampled_from(SUMMARIES))
    def change_summary(self, data: st.DataObject, summary: str | None) -> None:
        pid = self.pick(data)
        self.m.posts[pid].summary = summary
        self.check(f"summary of {pid} = {summary}")

    @precondition(has_posts)
    @rule(data=st.data(), author=st.sampled_from(AUTHORS))
    def change_author(self, data: st.DataObject, author: str | None) -> None:
        pid = self.pick(data)
        self.m.posts[pid].author = author
        self.check(f"author of {pid} = {author}")

    @precondition(has_posts)
    @rule(data=st.data(), date=st.sampled_from([*DATES, None]))
    def change_date(self, data: st.DataObject, date: str | None) -> None:
        pid = self.pick(data)
        self.m.posts[pid].date = date
        self.check(f"date of {pid} = {date}")

    @precondition(has_posts)
    @rule(data=st.data())
    def toggle_link(self, data: st.DataObject) -> None:
        pid = self.pick(data)
        # from the other posts (two draws from all posts would mostly give the same one)
        target = data.draw(st.sampled_from(sorted(p for p in self.m.posts if p != pid)), label="target")
        links = self.m.posts[pid].links
        if target in links:
            links.remove(target)
            self.check(f"{pid} no longer links to {target}")
        else:
            links.append(target)
            self.check(f"{pid} links to {target}")

    @precondition(has_posts)
    @rule(data=st.data(), words=st.sampled_from(LINK_WORDS))
    def change_link_words(self, data: st.DataObject, words: str) -> None:
        pid = self.pick(data)
        self.m.posts[pid].link_words = words
        self.check(f"{pid}'s links are introduced by {words}")

    @precondition(has_posts)
    @rule(data=st.data(), title=st.sampled_from(TITLES))
    def change_title(self, data: st.DataObject, title: str) -> None:
        pid = self.pick(data)
        self.m.posts[pid].title = f"{title} {pid}"
        self.check(f"title of {pid} = {title} {pid}")

    @precondition(has_posts)
    @rule(data=st.data())
    def toggle_citation(self, data: st.DataObject) -> None:
        pid = self.pick(data)
        key = data.draw(st.sampled_from(sorted(self.m.bib)), label="key") if self.m.bib else None
        cites = self.m.posts[pid].cites
        if key is None:
            return
        if key in cites:
            cites.remove(key)
            self.check(f"{pid} no longer cites {key}")
        else:
            cites.append(key)
            self.check(f"{pid} cites {key}")

    @precondition(has_posts)
    @rule(data=st.data())
    def change_paper(self, data: st.DataObject) -> None:
        pid = self.pick(data)
        key = data.draw(st.sampled_from([None, *sorted(self.m.bib)]), label="paper")
        self.m.posts[pid].paper = key
        self.check(f"paper of {pid} = {key}")

    # -- refs.bib -------------------------------------------------------------------------------------

    @rule(key=st.sampled_from(sorted(NEW_BIB)))
    def add_bib(self, key: str) -> None:
        if key in self.m.bib:
            return
        self.m.bib[key] = NEW_BIB[key]
        self.check(f"add {key} to refs.bib")

    @rule(data=st.data(), title=st.sampled_from(["A New Title", "Yet Another Title"]))
    def edit_bib(self, data: st.DataObject, title: str) -> None:
        if not self.m.bib:
            return
        key = data.draw(st.sampled_from(sorted(self.m.bib)), label="key")
        self.m.bib[key].title = title
        self.check(f"title of {key} = {title}")

    @rule(data=st.data())
    def remove_bib(self, data: st.DataObject) -> None:
        if len(self.m.bib) < 2:
            return
        key = data.draw(st.sampled_from(sorted(self.m.bib)), label="key")
        del self.m.bib[key]
        self.check(f"remove {key} from refs.bib")

    # -- papers.toml ----------------------------------------------------------------------------------

    @rule(data=st.data())
    def change_builds_on(self, data: st.DataObject) -> None:
        keys = sorted(self.m.bib)
        key = data.draw(st.sampled_from(keys), label="paper")
        others = data.draw(st.lists(st.sampled_from([k for k in keys if k != key] or keys), max_size=2,
                                    unique=True), label="builds_on")
        if others:
            self.m.builds_on[key] = others
        else:
            self.m.builds_on.pop(key, None)
        self.check(f"papers.toml: {key} builds on {others}")

    # -- taxonomy.toml --------------------------------------------------------------------------------

    @rule(tag=st.sampled_from(["llm", "attention", "vision"]), name=st.sampled_from(["新名字", "另一个名字"]),
          clash=st.booleans())
    def rename_tag(self, tag: str, name: str, clash: bool) -> None:
        # only "另一个名字" may be given to two tags (a fatal taxonomy error): now and then, not often
        name = name if clash and name == "另一个名字" else f"{name}{tag}"
        self.m.tags[tag].name = name
        self.check(f"tag {tag} renamed {name}")

    @rule(tag=st.sampled_from(["llm", "attention", "vision"]), alias=st.sampled_from(["别名", "alias"]))
    def add_alias(self, tag: str, alias: str) -> None:
        if any(alias in t.aliases for t in self.m.tags.values()):
            return
        self.m.tags[tag].aliases.append(alias)
        self.check(f"tag {tag} gets alias {alias}")

    @rule(child=st.sampled_from(["detection", "llm"]), parent=st.sampled_from([None, "cv", "nlp"]))
    def move_area(self, child: str, parent: str | None) -> None:
        self.m.areas[child].parent = parent
        self.check(f"area {child} moved under {parent}")

    @rule(data=st.data())
    def reorder_series(self, data: st.DataObject) -> None:
        members = self.m.series["s1"][1]
        members[:] = data.draw(st.permutations(members), label="order")
        self.check(f"s1 order = {members}")

    # -- conf.py, templates, static files -------------------------------------------------------------

    @rule(size=st.integers(1, 3))
    def change_page_size(self, size: int) -> None:
        self.m.page_size = size
        self.check(f"mlnotes_page_size = {size}")

    @rule(strict=st.booleans())
    def change_strict_bib(self, strict: bool) -> None:
        self.m.strict_bib = strict
        self.check(f"mlnotes_strict_bib = {strict}")

    @rule(title=st.sampled_from(["增量测试", "另一个标题"]))
    def change_html_title(self, title: str) -> None:
        self.m.html_title = title
        self.check(f"html_title = {title}")

    @rule(note=st.sampled_from([None, "覆盖一", "覆盖二"]))
    def change_template(self, note: str | None) -> None:
        self.m.template = note
        self.check(f"tag-cloud override = {note}")

    @rule(css=st.sampled_from(["body { color: black; }", "body { color: navy; }"]))
    def change_static(self, css: str) -> None:
        self.m.static = css
        self.check(f"extra.css = {css}")

    @invariant()
    def nothing(self) -> None:
        """Each rule checks after its own build; nothing to check between rules."""


# MLNOTES_FUZZ_OFF (comma-separated rule names): rules left out while hunting behind a known bug
for _name in filter(None, os.environ.get("MLNOTES_FUZZ_OFF", "").split(",")):
    delattr(IncrementalEqualsClean, _name.strip())

IncrementalEqualsClean.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    derandomize=not LONG,
    database=None,
    phases=[Phase.explicit, Phase.generate, *([Phase.shrink] if SHRINK else [])],
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)

test_incremental_equals_clean = IncrementalEqualsClean.TestCase


# -- the model is the test root ---------------------------------------------------------------------


def test_model_writes_the_test_root(tmp_path: Path) -> None:
    """The state machine starts from exactly ``tests/roots/test-incremental``."""
    want = SiteModel.initial().files()
    have = {p.relative_to(ROOT).as_posix(): p.read_text(encoding="utf-8") for p in ROOT.rglob("*") if p.is_file()}
    assert have == want


def test_unchanged_site_builds_equal(tmp_path: Path) -> None:
    """Sanity: the first build of the root and a rebuild with no change equal a clean build."""
    builds = Builds(tmp_path)
    for what in ("first build", "no change"):
        _, problems = builds.step(what)
        assert not problems, problems


# -- reproductions of the differences the state machine found -----------------------------------------


def replay(base: Path, changes: list[tuple[str, Callable[[SiteModel], None]]], only: set[str] | None = None,
           jobs: str = "1", start: Callable[[SiteModel], None] | None = None) -> None:
    """Build the root (after *start*), then make each change and build; every build must equal a
    clean one (in the files of *only*, when given, and the warnings)."""
    model = SiteModel.initial()
    if start is not None:
        start(model)
    builds = Builds(base, jobs=jobs, model=model)
    _, problems = builds.step("first build", only=only)
    assert not problems, "the first build already differs:\n" + problems
    for what, change in changes:
        change(builds.model)
        _, problems = builds.step(what, only=only)
        assert not problems, f"after {what}:\n{problems}"


def test_a_changed_papers_file_rewrites_the_paper_pages(tmp_path: Path) -> None:
    """Change: papers.toml appears, then gamma2021's builds_on changes, then the file goes.  The
    paper pages (and only they) show it; the listing digest covers the file
    (``Facet.page_digest``), so an incremental build rewrites them as a clean one does."""

    def add(m: SiteModel) -> None:
        m.builds_on = {"gamma2021": ["alpha2020"], "alpha2020": ["beta2019"]}

    def edit(m: SiteModel) -> None:
        m.builds_on["gamma2021"] = ["beta2019"]

    def remove(m: SiteModel) -> None:
        m.builds_on = {}

    replay(tmp_path, [("add papers.toml", add), ("edit papers.toml", edit), ("remove papers.toml", remove)])


def test_a_word_removed_from_a_post_leaves_the_search_index(tmp_path: Path) -> None:
    """Change: post d says "zebra", then no longer.  Differs: searchindex.js — the incremental one
    keeps ``"zebra":[]``.  Cause (upstream Sphinx, reached through mlnotes/compat/sphinx.py
    ``fast_prune``): the HTML builder loads last build's index and prunes it to the documents not
    being rewritten (``IndexBuilder.prune`` → ``intersection_update`` on every word's set), which
    empties the sets of words only those documents had but never drops the keys; ``get_terms``
    then writes them as ``[]``.  A clean build never has them."""

    def start(m: SiteModel) -> None:
        m.posts["d"].body = "正文 zebra。"

    def edit(m: SiteModel) -> None:
        m.posts["d"].body = "正文。"

    replay(tmp_path, [("edit the body of d", edit)], only={"searchindex.js"}, start=start)


def test_a_word_removed_from_a_post_leaves_the_split_search_index(tmp_path: Path) -> None:
    """Change: post d says "zebra", then no longer.  The split index (``_search/``, written from a
    record of every page's words next to the doctrees) must drop the shard ``l/ze.json`` and
    d's entry in the others, as a clean build never had them; every output file is compared."""

    def start(m: SiteModel) -> None:
        m.posts["d"].body = "正文 zebra。"

    def edit(m: SiteModel) -> None:
        m.posts["d"].body = "正文。"

    replay(tmp_path, [("edit the body of d", edit)], start=start)


def test_a_deleted_post_leaves_no_page(tmp_path: Path) -> None:
    """Change: delete posts/d.md.  Differs: posts/d.html and _sources/posts/d.md.txt stay in the
    incremental output.  Cause: Sphinx purges a removed document from the environment
    (``Builder.read`` → ``env.clear_doc``) but never deletes what it wrote for it, and mlnotes has no
    handler that does (site/listings.py ``collect_pages`` removes only its own stale listing files,
    by the manifest)."""

    def delete(m: SiteModel) -> None:
        del m.posts["d"]

    replay(tmp_path, [("delete d", delete)], only={"posts/d.html", "_sources/posts/d.md.txt"})


def test_a_deleted_post_leaves_the_home_list(tmp_path: Path) -> None:
    """Change: delete posts/d.md.  Differs: index.html still lists 文章 D in its ``mlnotes-latest``
    list.  Cause: site/listings.py ``_before_read`` takes its snapshot of the posts at
    ``env-before-read-docs``, but Sphinx's ``Builder.read`` has purged removed documents
    (``env-purge-doc`` → ``DocCollector.clear_doc``) before that event, so the removed post is in
    neither snapshot, ``_dependents`` sees no listed post change and the home page (a
    ``latest_docs`` document) is not rewritten."""

    def delete(m: SiteModel) -> None:
        del m.posts["d"]

    replay(tmp_path, [("delete d", delete)], only={"index.html"})


def test_a_changed_date_updates_the_sidebars_of_other_posts(tmp_path: Path) -> None:
    """Change: post b's date becomes the newest.  Differs: every other post page (posts/d.html
    shown here) still lists the recent posts in the old order.  Cause: the post pages' sidebars
    (site/sidebars.py ``_sidebar_data``: recent posts, area counts, tag cloud) are made from every
    post, but ``_dependents`` in site/listings.py adds only ``latest_docs``, related posts and facet
    ``nav_dependents`` to the documents to rewrite, so Sphinx rewrites only b's page."""

    def newer(m: SiteModel) -> None:
        m.posts["b"].date = "2024-05-01"

    replay(tmp_path, [("b becomes the newest post", newer)], only={"posts/d.html"})


def test_a_changed_date_updates_the_sidebars_of_term_pages(tmp_path: Path) -> None:
    """Change: post b's date becomes the newest.  Differs: topics/area/cv/detection.html (a term
    page b is not on) keeps the old recent posts in its sidebar.  Cause: site/listings.py
    ``collect_pages`` skips a page whose ``page_key(frame, pagename, title, body)`` is unchanged, and
    that key covers the body and the frame but not the sidebar data the page is rendered with."""

    def newer(m: SiteModel) -> None:
        m.posts["b"].date = "2024-05-01"

    replay(tmp_path, [("b becomes the newest post", newer)], only={"topics/area/cv/detection.html"})


def test_removing_a_template_override_rewrites_the_pages(tmp_path: Path) -> None:
    """Change: add ``_templates/mlnotes/tagcloud.html`` (build), then delete it again.  Differs:
    every post page keeps the override's markup.  Cause: Sphinx decides that pages are outdated by
    templates with ``StandaloneHTMLBuilder.get_outdated_docs``: the newest template's mtime against
    each output file's mtime.  Deleting a template makes nothing newer, so no page is rewritten;
    nothing in mlnotes compensates (site/listings.py ``frame_digest`` hashes the same newest mtime,
    which does change, so the listing pages are right; frontend/record.py only makes the front end
    call Sphinx)."""

    def add(m: SiteModel) -> None:
        m.template = "覆盖一"

    def remove(m: SiteModel) -> None:
        m.template = None

    replay(tmp_path, [("add a tag-cloud override", add), ("remove it", remove)], only={"posts/a.html"})
