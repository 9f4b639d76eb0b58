# A site laid out unlike the mlnotes repository: posts in notes/, the taxonomy in meta/, the
# bibliography in bib/papers.bib.  The commands must find all three through this file.
extensions = ["myst_parser", "sphinxcontrib.bibtex", "mlnotes"]
project = "layout"
author = "Test Author"
language = "en"
html_baseurl = "https://example.org/layout/"
exclude_patterns = ["_build"]
bibtex_bibfiles = ["bib/papers.bib"]
blog_path = "blog"
fontawesome_included = True
mlnotes_taxonomy = "meta/vocab.toml"
mlnotes_facets = ["area", "tag", "paper"]
mlnotes_required_fields = ["date", "area", "tags"]
mlnotes_timezone = "UTC"
