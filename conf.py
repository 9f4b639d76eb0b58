"""Sphinx configuration of the mlnotes site.  Settings only; the logic lives in src/mlnotes/."""

import os

# -- Project -------------------------------------------------------------------------------
project = "mlnotes"
author = "mlnotes 编辑部"
copyright = "2026, mlnotes 编辑部"
version = release = "2026.11"
language = "zh_CN"

# The site's canonical address.  On ReadTheDocs READTHEDOCS_CANONICAL_URL is set for every
# build (and is RTD's own recommendation for html_baseurl); elsewhere we fall back to the
# documented default.  Feeds use the same base so their links are absolute and resolve.
DEFAULT_BASEURL = "https://mlnotes.readthedocs.io/zh-cn/latest/"
SITE_URL = os.environ.get("READTHEDOCS_CANONICAL_URL") or DEFAULT_BASEURL
html_baseurl = SITE_URL

# -- What belongs to the site ----------------------------------------------------------------
# conf.py sits at the top of the repository, so say exactly what is source: never README.md,
# tests/, src/, .venv/ or build output.
root_doc = "index"
include_patterns = ["index.md", "book.md", "posts/**", "docs/**"]
exclude_patterns = ["_build", ".venv", ".drafts", "tests", "src", "docs/examples"]  # docs/examples: a plugin and its own site

extensions = [
    "myst_parser",
    "sphinx_design",
    "sphinxcontrib.bibtex",
    "mlnotes",  # sets up ablog too
]

# -- MyST ------------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "attrs_inline"]
myst_heading_anchors = 3

# -- Figures: {plot} and {diagram} (mlnotes/figures) are numbered, and {numref} says 图 N ------
numfig = True
numfig_format = {"figure": "图 %s", "table": "表 %s", "code-block": "代码 %s", "section": "%s 节"}

# -- Citations -------------------------------------------------------------------------------
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "unsrt"
bibtex_reference_style = "author_year"
bibtex_foot_reference_style = "foot"

# -- ablog: posts are pages whose front matter has `blogpost: true` --------------------------
blog_title = "mlnotes 机器学习论文笔记"
blog_path = "blog"
# ablog writes no feeds of its own (no base URL): mlnotes writes valid ones under feeds/
blog_baseurl = ""
blog_post_pattern = []
blog_authors = {"mlnotes": ("mlnotes 编辑部", None)}
blog_default_author = "mlnotes"
blog_feed_subtitle = "机器学习论文笔记"
post_date_format = "%Y-%m-%d"
post_date_format_short = "%m-%d"
post_auto_excerpt = 1
post_show_prev_next = False  # mlnotes writes previous/next by date itself (prevnext.py)
# pydata-sphinx-theme switches this on itself; setting it here keeps the config stable so an
# unchanged rebuild is not a full rebuild.
fontawesome_included = True

# -- mlnotes ---------------------------------------------------------------------------------
mlnotes_date_formats = ["%Y-%m-%d", "%Y-%m-%d %H:%M"]
mlnotes_timezone = "Asia/Shanghai"
mlnotes_required_fields = ["date", "area", "tags"]
mlnotes_taxonomy = "taxonomy.toml"
mlnotes_facets = ["area", "tag", "series", "paper", "venue", "year"]
mlnotes_page_size = 10
mlnotes_strict_bib = True  # an uncited refs.bib entry fails the build
mlnotes_cite_key_prefix = "mlnotes"  # "cite this note" keys: mlnotes-<file name>

# -- HTML ------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "mlnotes 机器学习论文笔记"
html_last_updated_fmt = "%Y-%m-%d"
html_search_language = "zh"
html_theme_options = {
    "navigation_with_keys": False,
    "header_links_before_dropdown": 3,  # the rest go under 更多, so the search button stays on the bar
    "show_toc_level": 2,
    "footer_start": ["mlnotes-copyright"],  # © line in the site's language (mlnotes catalog)
    "footer_end": [],
    "secondary_sidebar_items": ["page-toc"],
    # git date of the page's source and "edit this page" (mlnotes lastupdated.py, editlink.py)
    "article_footer_items": ["mlnotes-last-updated", "mlnotes-edit"],
}
# mlnotes' own sidebars (ablog's link to its blog/ pages, which mlnotes replaces with topics/)
html_sidebars = {
    "posts/**": ["mlnotes/postcard.html", "mlnotes/recentposts.html", "mlnotes/topics.html"],
    "topics/**": ["mlnotes/recentposts.html", "mlnotes/topics.html", "mlnotes/tagcloud.html"],
    "index": [],
    "book": [],
}

# -- LaTeX / PDF -----------------------------------------------------------------------------
latex_engine = "xelatex"
latex_use_xindy = False
latex_documents = [("book", "mlnotes.tex", "mlnotes 机器学习论文笔记", "mlnotes 编辑部", "manual")]
# A book: \frontmatter (title page, the preface from book.md, contents), one \part per area,
# one \chapter per post, \backmatter with the bibliography (mlnotes/book.py builds that order;
# it also places the table of contents, after the preface).
latex_docclass = {"manual": "book"}
latex_toplevel_sectioning = "part"
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "11pt",
    "extraclassoptions": "openany,oneside",
    "maketitle": r"\frontmatter\sphinxmaketitle",
    "tableofcontents": "",
    "fontpkg": r"""
\setmainfont{FreeSerif}
\setsansfont{FreeSans}
\setmonofont{FreeMono}
""",
    "preamble": r"""
\usepackage{xeCJK}
\setCJKmainfont{Noto Serif CJK SC}
\setCJKsansfont{Noto Sans CJK SC}
\setCJKmonofont{Noto Sans Mono CJK SC}
% babel has no Chinese captions and Sphinx loads it for English; override them there,
% or \renewcommand would be undone at \begin{document}.
\addto\captionsenglish{%
  \renewcommand{\contentsname}{目录}%
  \renewcommand{\bibname}{参考文献}%
  \renewcommand{\indexname}{索引}%
  \renewcommand{\figurename}{图}%
  \renewcommand{\tablename}{表}%
  \renewcommand{\partname}{}%
  \renewcommand{\chaptername}{第}%
}
% 第一部分 …, 第 N 章 on the chapter page (fncychap's Sonny style) and in the running head
\makeatletter
\def\@chappos{章}
\renewcommand{\DOCH}{\raggedleft\CNV\FmN{\@chapapp}\space\CNoV\thechapter\space\CNV\FmN{\@chappos}\par\nobreak\vskip 40\p@}
\makeatother
\renewcommand{\thepart}{第\ifcase\value{part}\or 一\or 二\or 三\or 四\or 五\or 六\or 七\or 八\or 九\or 十\else\arabic{part}\fi 部分}
""",
}

# -- EPUB ------------------------------------------------------------------------------------
epub_basename = "mlnotes"
epub_title = "mlnotes 机器学习论文笔记"
epub_author = author
epub_publisher = author
epub_copyright = copyright
epub_show_urls = "no"
epub_use_index = False  # the notes have no index entries: no empty index page in the book
epub_language = "zh-CN"  # BCP 47; Sphinx would write language's "zh_CN", which EPUB rejects
epub_description = "机器学习论文笔记：按领域分部、按日期成章的全部笔记，书末附参考文献。"
