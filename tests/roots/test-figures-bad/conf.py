# Figures that cannot be drawn or lack a caption or alt text: each gives one located warning.
extensions = ["myst_parser", "mlnotes"]
project = "figures"
author = "测试作者"
language = "zh_CN"
html_baseurl = "https://example.org/fig/"
html_title = "图测试站"
blog_path = "blog"
post_show_prev_next = False
fontawesome_included = True
exclude_patterns = ["_build"]
myst_enable_extensions = ["dollarmath"]
mlnotes_required_fields = ["date", "area", "tags"]
numfig = True
numfig_format = {"figure": "图 %s"}
latex_engine = "xelatex"
mlnotes_timezone = "Asia/Shanghai"  # the dates in these posts are Beijing time
bibtex_bibfiles = []  # no post here cites a paper
