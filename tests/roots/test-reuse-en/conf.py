# An English site laid out unlike this repository, built by tests/test_reuse.py with mlnotes and the
# mlnotes-dataset plugin installed from their wheels: posts in articles/, the bibliography in
# library.bib, the vocabulary in meta/vocab.toml, and the plugin's facet switched on by name.
extensions = ["myst_parser", "sphinxcontrib.bibtex", "mlnotes"]
project = "Reading notes"
author = "A. Reader"
copyright = "2026, A. Reader"
language = "en"
html_baseurl = "https://example.org/reading/"
exclude_patterns = ["_build"]
myst_enable_extensions = ["dollarmath", "amsmath"]
bibtex_bibfiles = ["library.bib"]
blog_path = "blog"
blog_title = project
post_date_format = "%Y-%m-%d"
mlnotes_taxonomy = "meta/vocab.toml"
mlnotes_posts_dir = "articles"
mlnotes_facets = ["area", "tag", "paper", "dataset"]
mlnotes_required_fields = ["date", "area", "tags", "dataset"]
mlnotes_timezone = "UTC"
html_theme = "pydata_sphinx_theme"
html_title = project
html_search_language = "en"
html_sidebars = {"articles/**": ["mlnotes/postcard.html", "mlnotes/tagcloud.html"]}
fontawesome_included = True
