"""The outputs of documents that no longer exist are removed from the output directory.

Sphinx forgets a deleted (or renamed) document but leaves its page and its ``_sources`` copy in
the output, so a host that deploys the build directory (GitHub Pages, rsync, a cached CI build)
keeps serving a post its author deleted, and an incremental build differs from a clean one.
When Sphinx reports documents removed since the last build (``env-get-outdated``), their page
and source copy are deleted.  Generated listing pages and feeds of terms that no longer exist
are removed by :mod:`mlnotes.site.listings` (its manifest).

Images go the same way: Sphinx copies the images documents use into ``_images/`` but never
removes one no document uses any more (a figure whose code changed gets a new name, see
:mod:`mlnotes.figures`).  The names Sphinx copied are kept in the doctree directory, and those
no longer in use are deleted at the end of the build.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from mlnotes.site.base import html_builder, html_page_builder, write_if_changed

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment


def removed_outputs(app: Sphinx, docname: str) -> list[Path]:
    """The files the HTML builder wrote for *docname*: its page and its ``_sources`` copy."""
    builder = html_page_builder(app)
    outdir = Path(builder.outdir)
    found = [Path(builder.get_outfilename(docname))]
    sources = outdir / "_sources"
    name = Path(docname).name
    found += [p for p in (sources / docname).parent.glob(f"{name}.*.txt") if p.name.split(".", 1)[0] == name]
    return found


def _remove(app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str],
            removed: set[str]) -> list[str]:
    if not html_builder(app):
        return []
    for docname in sorted(removed - added):
        for path in removed_outputs(app, docname):
            path.unlink(missing_ok=True)
            _prune_empty_dirs(path.parent, Path(app.builder.outdir))
    return []


def _prune_empty_dirs(folder: Path, top: Path) -> None:
    """Remove *folder* and its parents up to *top* while they are empty."""
    while folder != top and top in folder.parents and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


#: the image names of the last build, in the doctree directory
IMAGES = "mlnotes-images.json"


def _stale_images(app: Sphinx, exc: BaseException | None) -> None:
    if exc is not None or not html_builder(app):
        return
    current = sorted({unique for _docs, unique in app.env.images.values()})
    record = Path(app.doctreedir) / IMAGES
    try:
        previous = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else []
    except ValueError:  # a damaged record: nothing known to remove
        previous = []
    images = Path(app.builder.outdir) / "_images"
    for name in sorted(set(previous) - set(current)):
        (images / name).unlink(missing_ok=True)
    write_if_changed(record, json.dumps(current, ensure_ascii=False))


def setup_cleanup(app: Sphinx) -> None:
    app.connect("env-get-outdated", _remove)
    app.connect("build-finished", _stale_images)
