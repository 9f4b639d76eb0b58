"""Keep Python's cyclic garbage collector off the build environment while pages are written.

After reading, the environment of a large site is hundreds of thousands of long-lived objects
(post records, toctrees, domain data, ablog's excerpts).  Every full collection during the write
phase walks all of them again, although none of them can become garbage before the build ends.
(At a thousand posts the main process spends about 8 s of a cold build in the collector, most
of it while merging what the parallel readers send back; that part this does not change.)

So once reading is over and everything it left behind has been collected, the surviving objects
are moved to the collector's permanent generation (``gc.freeze``); the pages' own short-lived
objects are still collected as usual.  Worker processes forked for the parallel write inherit the
frozen state, so their collector does not touch (and copy) the pages they share with the main
process either.  At ``build-finished`` the objects are handed back (``gc.unfreeze``), so a second
build in the same process (tests, a live preview) starts as before.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

_FROZEN = "_mlnotes_gc_frozen"


def _freeze(app: Sphinx, env: BuildEnvironment) -> list[str]:
    if not app.__dict__.get(_FROZEN):
        gc.collect()  # what the read left behind (merged worker environments) goes first
        gc.freeze()
        app.__dict__[_FROZEN] = True
    return []


def _unfreeze(app: Sphinx, exc: BaseException | None) -> None:
    if app.__dict__.pop(_FROZEN, False):
        gc.unfreeze()


def setup_gcfreeze(app: Sphinx) -> None:
    # last of the env-updated handlers (sphinxcontrib.bibtex's env_updated and ours in site/listings,
    # site/prevnext, site/base, book/book, compat/ablog, all at the default priority): whatever
    # they computed for the write phase is frozen too
    app.connect("env-updated", _freeze, priority=999)
    # after the other build-finished handlers (mlnotes.frontend.record._finished at 900 among them),
    # so they too run without collections of the frozen heap; only speed, not correctness, rides on it
    app.connect("build-finished", _unfreeze, priority=999)
