# An English site that uses every facet, a series, citations, papers.toml, code and display
# math: tests/test_i18n.py checks that nothing the extension writes into it is Chinese.
extensions = ["myst_parser", "sphinxcontrib.bibtex", "mlnotes"]
project = "English notes"
author = "Test Author"
copyright = "2026, Test Author"
version = release = "1.0"
language = "en"
html_baseurl = "https://example.org/en/"
bibtex_bibfiles = ["refs.bib"]
fontawesome_included = True
exclude_patterns = ["_build"]
myst_enable_extensions = ["dollarmath"]
mlnotes_facets = ["area", "tag", "series", "paper", "venue", "year"]
mlnotes_required_fields = ["area"]
mlnotes_timezone = "UTC"
mlnotes_page_size = 1
mlnotes_repository_url = "https://github.com/example/notes"
html_theme = "pydata_sphinx_theme"
html_last_updated_fmt = "%Y-%m-%d"
html_theme_options = {
    "footer_start": ["mlnotes-copyright"],
    "footer_end": [],
    "secondary_sidebar_items": ["page-toc"],
    "article_footer_items": ["mlnotes-last-updated", "mlnotes-edit"],
}
html_sidebars = {
    "posts/**": ["mlnotes/postcard.html", "mlnotes/recentposts.html", "mlnotes/topics.html"],
    "topics/**": ["mlnotes/recentposts.html", "mlnotes/topics.html", "mlnotes/tagcloud.html"],
    "index": [],
}
