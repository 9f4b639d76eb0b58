"""Figures made at build time: ``{plot}`` (matplotlib code) and ``{diagram}`` (Graphviz DOT).

A figure's source is hashed together with the files it reads and the versions of the tools
that draw it; the drawing is kept under that hash in the doctree directory, so an unchanged
figure is never drawn again (a body edit elsewhere in the post runs no figure code).  The
directives then hand Sphinx ordinary ``figure``/``image`` nodes with an SVG and a PDF candidate,
so the HTML and EPUB builders copy the SVG and LaTeX includes the vector PDF like any image.
"""
