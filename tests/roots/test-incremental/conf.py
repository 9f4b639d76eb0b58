# The site tests/test_incremental_clean.py changes step by step: an incremental build of it must
# equal a clean build.  Small on purpose (every step builds it twice), but with every kind of
# page that shows other posts: the home list with pagination, term pages, feeds, sidebars.
extensions = ["myst_parser", "sphinxcontrib.bibtex", "mlnotes"]
project = "incremental"
author = "测试作者"
copyright = "2026, 测试作者"
language = "zh_CN"
html_baseurl = "https://example.org/inc/"
html_title = "增量测试"
blog_path = "blog"
blog_authors = {"ann": ("Ann", None), "bob": ("Bob", None)}
blog_default_author = "ann"
post_date_format = "%Y-%m-%d"
fontawesome_included = True
exclude_patterns = ["_build"]
templates_path = ["_templates"]
bibtex_bibfiles = ["refs.bib"]
mlnotes_facets = ["area", "tag", "series", "paper"]
mlnotes_required_fields = ["date", "area"]
mlnotes_strict_bib = False
mlnotes_page_size = 2
html_static_path = ["_static"]
html_sidebars = {
    "posts/**": ["mlnotes/postcard.html", "mlnotes/recentposts.html", "mlnotes/topics.html",
                 "mlnotes/tagcloud.html"],
    "topics/**": ["mlnotes/recentposts.html", "mlnotes/topics.html", "mlnotes/tagcloud.html"],
    "index": [],
}
mlnotes_timezone = "Asia/Shanghai"  # the dates in these posts are Beijing time
