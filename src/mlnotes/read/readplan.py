"""Read a handful of changed documents in the main process, not in forked workers.

Sphinx 9 reads in parallel whenever ``-j`` is above one, however few documents changed (earlier
versions needed more than five).  A parallel read forks a worker per chunk, and each worker sends
its *whole* build environment back pickled, which the main process unpickles and merges: at a
thousand posts that round trip costs two to three seconds, against a few hundredths of a second
to read the one post an author just edited.

So when the documents to read are few — at most :data:`SMALL` of them, or fewer than a tenth of
the documents the environment already knows — this reads them serially, and gives Sphinx its
``-j`` back as soon as reading is over, so writing stays parallel.  A cold build, a config change
or a taxonomy change (everything outdated) still reads in parallel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

#: read serially when there are at most this many documents to read
SMALL = 5
#: ... or when they are fewer than this share of the documents already known
SHARE = 10


def read_serially(to_read: int, known: int) -> bool:
    return to_read <= SMALL or to_read * SHARE < known


def _before_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    if app.parallel > 1 and read_serially(len(docnames), len(env.all_docs)):
        from mlnotes.compat.sphinx import suspend_parallel_read  # Sphinx only when building

        suspend_parallel_read(app)  # Sphinx has no per-phase -j: the patch is in mlnotes.compat.sphinx


def _after_read(app: Sphinx, env: BuildEnvironment) -> None:
    from mlnotes.compat.sphinx import restore_parallel

    restore_parallel(app)


def setup_readplan(app: Sphinx) -> None:
    # last before the read, so every other handler has settled the list of documents (ours:
    # mlnotes.compat.pybtex._register, default priority)
    app.connect("env-before-read-docs", _before_read, priority=900)
    # first after it, before every other env-updated handler (sphinxcontrib.bibtex's env_updated,
    # ours in site/listings, site/prevnext, site/base, book/book, compat/ablog at the default
    # priority): whatever they or the write phase run in parallel sees the real -j again
    app.connect("env-updated", _after_read, priority=1)
