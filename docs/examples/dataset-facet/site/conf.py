"""A small site whose notes are listed by dataset, with mlnotes-dataset installed."""

project = "Vision notes"
author = "A. Author"
copyright = "2026, A. Author"
language = "en"
html_baseurl = "https://example.org/notes/"

# mlnotes sets up myst_parser, sphinxcontrib.bibtex and ablog itself
extensions = ["mlnotes"]
bibtex_bibfiles: list[str] = []  # these notes cite nothing
exclude_patterns = ["_build"]

# the built-in area facet, then the plugin, switched on by its entry point's name
mlnotes_facets = ["area", "dataset"]
mlnotes_required_fields = ["date", "area", "datasets"]
mlnotes_timezone = "Europe/London"

html_sidebars = {
    "posts/**": ["mlnotes/postcard.html", "mlnotes/recentposts.html", "mlnotes/tagcloud.html"],
}
