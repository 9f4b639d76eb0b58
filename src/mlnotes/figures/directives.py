"""The ``{plot}`` and ``{diagram}`` directives, the alt-text check, and the drawing cache's upkeep.

Both directives make an ordinary numbered ``figure`` (image, caption, label): the drawing is
looked up in ``<doctreedir>/mlnotes-figures/`` under the hash of its inputs
(:func:`mlnotes.figures.render.figure_key`) and drawn only when it is not there.  The image
node points at the cached files with a ``.*`` extension, so Sphinx picks the SVG for HTML and
EPUB and the PDF for LaTeX, copies it into the output, and re-reads the document when a file
it lists under ``:data:`` changes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from mlnotes.compat.sphinx import builder_image_types
from mlnotes.core.config import get_config
from mlnotes.figures.numbers import setup_numbers
from mlnotes.figures.render import FORMATS, FigureError, draw_diagram, draw_plot, figure_key

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import OptionSpec

logger = logging.getLogger(__name__)

#: the cache folder, inside the builder's doctree directory
CACHE = "mlnotes-figures"
#: the formats figures are drawn in, by the mimetype a builder asks for
MIMETYPES = {"image/svg+xml": "svg", "application/pdf": "pdf"}


def wanted_formats(types: list[str] | None) -> tuple[str, ...]:
    """The one format a builder supporting *types* (best first) takes; both when unknown."""
    if types is None:
        return FORMATS
    return next(((MIMETYPES[t],) for t in types if t in MIMETYPES), ())


def cache_dir(doctreedir: str | os.PathLike[str]) -> Path:
    return Path(doctreedir) / CACHE


class FigureDirective(SphinxDirective):
    """What ``{plot}`` and ``{diagram}`` share: options, the cache, the figure node."""

    has_content = True
    option_spec: ClassVar[OptionSpec] = {
        "alt": directives.unchanged,
        "caption": directives.unchanged,
        "name": directives.unchanged,
        "width": directives.length_or_percentage_or_unitless,
        "class": directives.class_option,
    }
    kind: ClassVar[str] = ""

    def _warn(self, message: str, line: int | None = None) -> None:
        logger.warning(message, location=(self.env.docname, line or self.lineno),
                       type="mlnotes", subtype="figure")

    def data_files(self) -> dict[str, bytes]:
        """The files the figure reads (``:data:``), by their name as written."""
        return {}

    def _content_line(self, line: int) -> int:
        """The line in the source file of line *line* (1-based) of the directive's content.

        docutils gives the content's offset in the file; MyST gives it from the directive's
        first line (it counts the option lines)."""
        if type(self.state_machine).__module__.startswith("myst_parser"):
            return self.lineno + self.content_offset + line
        return self.content_offset + line

    def draw(self, targets: dict[str, Path]) -> None:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        source = "\n".join(self.content).strip("\n") + "\n"
        fonts = get_config(self.config).figure_fonts
        if not source.strip():
            self._warn(f"{{{self.kind}}} has no content: write the figure's source in the block")
            return []
        data = self.data_files()
        key = figure_key(self.kind, source, data, fonts)
        folder = cache_dir(self.env.doctreedir)
        # only the format this builder takes (PDF is the slow one: it embeds a CJK font); another
        # builder sharing these doctrees gets its format when it writes (_other_builders)
        targets = {fmt: folder / f"{self.kind}-{key}.{fmt}" for fmt in wanted_formats(builder_image_types(self.env))}
        if not all(path.is_file() for path in targets.values()):
            folder.mkdir(parents=True, exist_ok=True)
            try:
                self.draw(targets)
            except FigureError as err:
                line = self._content_line(err.line) if err.line else self.lineno
                self._warn(f"{{{self.kind}}} could not be drawn: {err.message}", line)
                return []
        figure = self.figure(folder / f"{self.kind}-{key}.*")
        image = next(figure.findall(nodes.image))
        # what drawing it again in another format needs (plain data: the doctree is pickled)
        image["mlnotes_figure"] = [self.kind, key, source, self.env.docname]
        return [figure]

    def figure(self, path: Path) -> nodes.figure:
        alt = self.options.get("alt", "").strip()
        caption_text = self.options.get("caption", "").strip()
        if not alt:
            self._warn(f"{{{self.kind}}} has no :alt: text; say in a sentence what the figure shows "
                       "(readers of screen readers and of the EPUB get only this)")
        if not caption_text:
            self._warn(f"{{{self.kind}}} has no :caption:; every figure needs one (it carries the figure's number)")
        figure = nodes.figure("", classes=["mlnotes-figure", f"mlnotes-{self.kind}", *self.options.get("class", [])])
        self.set_source_info(figure)
        image = nodes.image(uri=self._uri(path), alt=alt or caption_text)
        if "width" in self.options:
            image["width"] = self.options["width"]
        figure += image
        if caption_text:
            inline, messages = self.parse_inline(caption_text, lineno=self.lineno)
            caption = nodes.caption(caption_text, "", *inline)
            self.set_source_info(caption)
            figure += caption
            figure += messages
        self.add_name(figure)
        return figure

    def _uri(self, path: Path) -> str:
        """*path* as an image URI Sphinx resolves: from the source root when it is inside it."""
        srcdir = Path(self.env.srcdir).resolve()
        resolved = path.resolve()
        if srcdir in resolved.parents:
            return "/" + resolved.relative_to(srcdir).as_posix()
        docdir = (srcdir / self.env.doc2path(self.env.docname, False)).parent
        return Path(os.path.relpath(resolved, docdir)).as_posix()


class PlotDirective(FigureDirective):
    """``{plot}``: matplotlib code run at build time; ``:data:`` lists the files it reads."""

    option_spec: ClassVar[OptionSpec] = {**FigureDirective.option_spec, "data": directives.unchanged}
    kind = "plot"

    def _docdir(self) -> Path:
        return (Path(self.env.srcdir) / self.env.doc2path(self.env.docname, False)).parent

    def data_files(self) -> dict[str, bytes]:
        found: dict[str, bytes] = {}
        for name in self.options.get("data", "").split():
            path = self._docdir() / name
            if not path.is_file():
                self._warn(f"{{plot}} :data: file {name!r} not found (paths are relative to the post: {path})")
                continue
            self.env.note_dependency(str(path))
            found[name] = path.read_bytes()
        return found

    def draw(self, targets: dict[str, Path]) -> None:
        draw_plot("\n".join(self.content) + "\n", self._docdir(), targets, get_config(self.config).figure_fonts)


class DiagramDirective(FigureDirective):
    """``{diagram}``: Graphviz DOT source drawn with ``dot``."""

    kind = "diagram"

    def draw(self, targets: dict[str, Path]) -> None:
        draw_diagram("\n".join(self.content) + "\n", targets, get_config(self.config).figure_fonts)


def _other_builders(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Before a document is written: a figure read for another builder (``sphinx-build -M``
    shares the doctrees between HTML and LaTeX, and LaTeX does not read them again) is drawn in
    the format this builder takes, and offered to it as a candidate."""
    supported = list(app.builder.supported_image_types)
    for image in doctree.findall(nodes.image):
        spec = image.get("mlnotes_figure")
        if not spec or any(t in image.get("candidates", {}) for t in supported):
            continue
        formats = wanted_formats(supported)
        if not formats:
            continue  # a builder without SVG or PDF: Sphinx says the image has no candidate
        kind, key, source, home = spec
        fmt = formats[0]
        path = cache_dir(app.doctreedir) / f"{kind}-{key}.{fmt}"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            fonts = get_config(app.config).figure_fonts
            try:
                if kind == "plot":
                    docdir = (Path(app.srcdir) / app.env.doc2path(home, False)).parent
                    draw_plot(source, docdir, {fmt: path}, fonts)
                else:
                    draw_diagram(source, {fmt: path}, fonts)
            except FigureError as err:
                logger.warning("{%s} could not be drawn as %s: %s", kind, fmt, err.message, location=image,
                               type="mlnotes", subtype="figure")
                continue
        relative = Path(os.path.relpath(path.resolve(), Path(app.srcdir).resolve())).as_posix()
        mimetype = next(t for t, f in MIMETYPES.items() if f == fmt)
        image["candidates"][mimetype] = relative
        app.env.images.add_file(docname, relative)


def _check_alt(app: Sphinx, doctree: nodes.document) -> None:
    """Every image needs alt text; the figure directives warn for their own already."""
    for image in doctree.findall(nodes.image):
        parent = image.parent
        classes: list[str] = parent.get("classes", []) if isinstance(parent, nodes.figure) else []
        if image.get("alt") or any(c.startswith("mlnotes-") for c in classes):
            continue
        located: nodes.Node | None = image
        while located is not None and not located.line:  # MyST leaves 0 on an inline image
            located = located.parent
        logger.warning("image %s has no alt text; add one that says what it shows", image.get("uri", ""),
                       location=located or image, type="mlnotes", subtype="figure")


def _prune_cache(app: Sphinx, exc: BaseException | None) -> None:
    """Drop cached drawings no document uses any more (after a full, successful read)."""
    folder = cache_dir(app.doctreedir)
    if exc is not None or not folder.is_dir():
        return
    used = {Path(app.srcdir, name).resolve().name for name in app.env.images}
    used_stems = {name.rsplit(".", 1)[0] for name in used}
    for path in folder.iterdir():
        if path.name.rsplit(".", 1)[0] not in used_stems and not path.name.startswith("."):
            path.unlink(missing_ok=True)


def setup_figures(app: Sphinx) -> None:
    app.add_directive("plot", PlotDirective)
    app.add_directive("diagram", DiagramDirective)
    app.connect("doctree-read", _check_alt)
    app.connect("doctree-resolved", _other_builders)
    app.connect("build-finished", _prune_cache)
    setup_numbers(app)
