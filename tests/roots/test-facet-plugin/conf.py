"""A site whose own conf.py registers a facet (no package, no entry point) and gives it every
role a built-in facet can have: header links, a sidebar cloud, search words, the book's parts."""

from mlnotes.core.problems import Problem
from mlnotes.facets import Facet, Resolved, register_facet, split_values


class DatasetFacet(Facet):
    name = "dataset"
    title = "数据集"
    sidebar = "cloud"
    book_role = "parts"

    def terms(self):
        # the shared helpers: names in the site's language, errors located like the built-in ones
        entries = self.taxonomy.entries("datasets", "a name")
        return {slug: self.taxonomy.term(slug, where, body) for slug, where, body in entries}

    def resolve(self, raw):
        out = Resolved()
        for value in split_values(raw):
            if value in self.terms():
                out.terms.append(value)
            else:
                out.problems.append(Problem("dataset", f"unknown dataset {value!r}"))
        return out


def setup(app):
    register_facet(app, DatasetFacet)


extensions = ["myst_parser", "mlnotes"]
project = "plugin"
author = "测试作者"
copyright = "2026, 测试作者"
version = release = "1.0"
language = "zh_CN"
html_baseurl = "https://example.org/p/"
fontawesome_included = True
exclude_patterns = ["_build"]
# the plugin facet comes first, so it (not the area) orders the book's parts
mlnotes_facets = ["dataset", "area", "tag"]
mlnotes_required_fields = ["date", "area"]
html_sidebars = {"posts/**": ["mlnotes/postcard.html", "mlnotes/tagcloud.html"]}
latex_documents = [("book", "book.tex", "插件之书", "测试作者", "manual")]
latex_docclass = {"manual": "book"}
latex_toplevel_sectioning = "part"
mlnotes_timezone = "Asia/Shanghai"  # the dates in these posts are Beijing time
bibtex_bibfiles = []  # no post here cites a paper
