extensions = ["myst_parser", "mlnotes"]
project = "math"
author = "测试作者"
copyright = "2026, 测试作者"
version = release = "1"
language = "zh_CN"
html_baseurl = "https://example.org/site/"
blog_path = "blog"
fontawesome_included = True
exclude_patterns = ["_build"]
myst_enable_extensions = ["dollarmath", "amsmath"]
epub_basename = "math"
mlnotes_timezone = "Asia/Shanghai"  # the dates in these posts are Beijing time
bibtex_bibfiles = []  # no post here cites a paper
