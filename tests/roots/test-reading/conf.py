extensions = ["myst_parser", "mlnotes"]
project = "reading"
author = "测试作者"
language = "zh_CN"
html_baseurl = "https://example.org/notes/"
html_theme = "pydata_sphinx_theme"
html_title = "阅读测试站"
html_last_updated_fmt = "%Y-%m-%d"
html_theme_options = {
    "secondary_sidebar_items": ["page-toc"],
    "article_footer_items": ["mlnotes-last-updated", "mlnotes-edit"],
}
blog_path = "blog"
post_show_prev_next = False
fontawesome_included = True
exclude_patterns = ["_build"]
myst_enable_extensions = ["dollarmath"]
mlnotes_required_fields = ["date", "area", "tags"]
mlnotes_timezone = "Asia/Shanghai"  # the dates in these posts are Beijing time
bibtex_bibfiles = []  # no post here cites a paper
