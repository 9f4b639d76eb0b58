"""A label defined in two documents is one warning, whatever order the documents are read in.

Sphinx's std domain warns "duplicate label" only when it reads the second document while the
first one's label is in the environment.  A parallel read purges every document it will read
and forks its workers; two documents in chunks that run at the same time never see each other's
labels, and merging does not check.  So adding a copy of a post gave the warning in a clean
build and none in an incremental one — a strict incremental build passed where CI failed.
Sphinx also keeps one owner per label: removing the second document removed the first one's
label too, and references to it pointed to the removed page until a clean build.

Here every document records its explicit labels (:attr:`DocStore.labels`); after reading, a
label found in several documents is warned about at each one after the first (in docname
order), on every build until fixed; Sphinx's own warning is left out meanwhile
(:func:`mlnotes.compat.sphinx.own_duplicate_labels`).  When a document that shares a label is
changed or removed, the others that have it, and the documents that refer to it, are read again,
so the label's owner and the links to it are right.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

from docutils import nodes

from mlnotes.core.problems import Problem, report
from mlnotes.core.records import doc_store

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

SUBTYPE = "label"


def explicit_labels(document: nodes.document) -> list[tuple[str, int | None]]:
    """The labels of *document* Sphinx's std domain registers, with their lines."""
    found = []
    for name, explicit in document.nametypes.items():
        labelid = document.nameids.get(name)
        if not explicit or labelid is None:
            continue
        node = document.ids.get(labelid)
        if isinstance(node, nodes.target) and "refid" in node:  # an indirect target
            node = document.ids.get(node["refid"])
        if node is None or node.tagname == "footnote" or "refuri" in node or node.tagname.startswith("desc_"):
            continue
        found.append((name, node.line))
    return sorted(found, key=lambda item: (item[1] or 0, item[0]))


def _read(app: Sphinx, doctree: nodes.document) -> None:
    labels = explicit_labels(doctree)
    if labels:
        doc_store(app.env).labels[app.env.docname] = labels


def _sharing(app: Sphinx, env: BuildEnvironment, added: AbstractSet[str], changed: AbstractSet[str],
             removed: AbstractSet[str]) -> list[str]:
    """Documents that share a label with a changed or removed one, and those that refer to such a
    label: read (and write) them again, so the label's owner and the links to it are a clean
    build's."""
    store = doc_store(env)
    going = set(changed) | set(removed)
    names = {name for doc in going for name, _line in store.labels.get(doc, [])}
    owners: dict[str, int] = {}
    for labels in store.labels.values():
        for name, _line in labels:
            if name in names:
                owners[name] = owners.get(name, 0) + 1
    shared = {name for name, count in owners.items() if count > 1}
    if not shared:
        return []
    again = {doc for doc, labels in store.labels.items() if any(name in shared for name, _line in labels)}
    again |= {doc for doc, links in store.links.items()
              if any(kind == "ref" and target in shared for kind, target, *_rest in links)}
    return sorted(again - going - set(added))


def duplicates(labels: dict[str, list[tuple[str, int | None]]]) -> list[Problem]:
    """One problem per later definition of a label several documents have."""
    where: dict[str, list[tuple[str, int | None]]] = defaultdict(list)
    for doc in sorted(labels):
        for name, line in labels[doc]:
            where[name].append((doc, line))
    problems = []
    for name, places in sorted(where.items()):
        first = places[0][0]
        for doc, line in places[1:]:
            if doc == first:
                continue
            problems.append(Problem(SUBTYPE, f"duplicate label {name}, other instance in {first}",
                                    docname=doc, line=line, hint="a label must be unique across the site"))
    return problems


def _check(app: Sphinx, env: BuildEnvironment) -> None:
    report(sorted(duplicates(doc_store(env).labels), key=lambda p: (p.docname or "", p.line or 0, p.message)))


def setup_labels(app: Sphinx) -> None:
    from mlnotes.compat.sphinx import own_duplicate_labels, std_labels_own_again

    app.connect("builder-inited", own_duplicate_labels)
    app.connect("build-finished", std_labels_own_again)
    app.connect("doctree-read", _read)
    app.connect("env-get-outdated", _sharing)
    app.connect("env-check-consistency", _check)
