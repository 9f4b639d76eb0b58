# The smallest site: mlnotes alone sets up MyST, sphinxcontrib-bibtex and ablog; an English site
# with an English-only taxonomy, every other setting left at its default.
extensions = ["mlnotes"]
project = "Vision Notes"
author = "Test Author"
language = "en"
html_baseurl = "https://example.org/vn/"
bibtex_bibfiles = ["refs.bib"]
exclude_patterns = ["_build"]
fontawesome_included = True
