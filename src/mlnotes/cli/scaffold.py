"""``mlnotes init DIR --language en|zh_CN``: a new site that builds strictly out of the box.

It writes the smallest complete site: conf.py, a taxonomy, one sample post with a citation and a
formula, its bibliography, a Makefile with the two commands (``make html``, ``make test``), one
test, ``.readthedocs.yaml`` with its requirements, and ``.gitignore``.  Every file is written in
the site's language (an English site's files hold no Chinese), and nothing is overwritten: an
existing file is a :class:`~mlnotes.cli.siteconf.CliError` before anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from string import Template

from mlnotes.cli.siteconf import CliError
from mlnotes.core.version import __version__

LANGUAGES = ("en", "zh_CN")


@dataclass(frozen=True)
class Words:
    """The words of one language that the templates are filled with."""

    title: str
    author: str
    timezone: str
    search: str
    area: str
    tag: str
    home: str
    intro: str
    post_title: str
    summary: str
    body: str
    references: str


WORDS = {
    "en": Words(
        title="My machine-learning notes",
        author="The authors",
        timezone="UTC",
        search="en",
        area="Machine learning",
        tag="Attention",
        home="Notes on machine-learning papers: the intuition first, then the mathematics.",
        intro="Latest notes",
        post_title="Attention is all you need",
        summary="The Transformer models sequences with attention alone, without recurrence.",
        body="The Transformer replaces recurrence by attention {footcite:p}`vaswani2017attention`. "
             "Every query looks at every key and takes a weighted average of the values:",
        references="References",
    ),
    "zh_CN": Words(
        title="我的机器学习论文笔记",
        author="笔记作者",
        timezone="Asia/Shanghai",
        search="zh",
        area="机器学习",
        tag="注意力机制",
        home="机器学习论文笔记：先讲直觉，再讲数学。",
        intro="最新笔记",
        post_title="Attention Is All You Need：只用注意力的 Transformer",
        summary="Transformer 用注意力取代循环结构来建模序列。",
        body="Transformer 用注意力取代了循环结构 {footcite:p}`vaswani2017attention`。"
             "每个 query 与所有 key 计算相似度，再对 value 加权平均：",
        references="参考文献",
    ),
}

CONF_PY = Template('''\
"""Sphinx configuration of $title_repr (written by `mlnotes init`)."""

import os

project = $title_repr
author = $author_repr
copyright = "$year, " + author
language = "$language"

# The site's address: Read the Docs sets READTHEDOCS_CANONICAL_URL; elsewhere, put yours here.
# The Atom feeds need it for their absolute links.
html_baseurl = os.environ.get("READTHEDOCS_CANONICAL_URL", "https://example.org/")

extensions = ["myst_parser", "sphinxcontrib.bibtex", "mlnotes"]
exclude_patterns = ["_build", ".venv", "tests", "README.md"]

myst_enable_extensions = ["dollarmath", "amsmath"]

# Citations: {footcite:p}`key` in a post, the entries in refs.bib
bibtex_bibfiles = ["refs.bib"]

# ablog: a post is a page whose front matter says `blogpost: true`
blog_path = "blog"
blog_title = project
post_date_format = "%Y-%m-%d"

# mlnotes: the vocabulary, the facets posts are listed by, what every post must say
mlnotes_taxonomy = "taxonomy.toml"
mlnotes_facets = ["area", "tag", "paper"]
mlnotes_required_fields = ["date", "area", "tags"]
mlnotes_timezone = "$timezone"
# new posts (`mlnotes new`) go to posts/<year>/
mlnotes_posts_dir = "posts"
mlnotes_strict_bib = True  # a refs.bib entry that no post cites fails the build

html_theme = "pydata_sphinx_theme"
html_title = project
html_search_language = "$search"
fontawesome_included = True
''')

TAXONOMY = Template('''\
# The site's vocabularies: one table per facet (see the mlnotes documentation).

[areas.ml]
name = "$area_en"
${names}
[tags.attention]
name = "$tag"
aliases = ["attention"]
''')

INDEX = Template('''\
# $title

$home

## $intro

```{mlnotes-latest}
```
''')

POST = Template('''\
---
blogpost: true
date: $date
area: ml
tags: attention
summary: $summary
---

# $post_title

$body

$$$$
\\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right)V
$$$$

## $references

```{footbibliography}
```
''')

REFS_BIB = '''\
@inproceedings{vaswani2017attention,
  title     = {Attention Is All You Need},
  author    = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki and Uszkoreit, Jakob and Jones, Llion
               and Gomez, Aidan N. and Kaiser, Lukasz and Polosukhin, Illia},
  booktitle = {Advances in Neural Information Processing Systems},
  year      = {2017},
  eprint    = {1706.03762},
  archivePrefix = {arXiv},
  url       = {https://arxiv.org/abs/1706.03762}
}
'''

MAKEFILE = '''\
# The two commands: `make html` builds the site strictly, `make test` runs the tests.
PYTHON     ?= python3
BUILDDIR   ?= _build
SPHINXOPTS ?= -n -W --keep-going

.PHONY: html test
html:
\t$(PYTHON) -m sphinx -b html $(SPHINXOPTS) -d $(BUILDDIR)/doctrees . $(BUILDDIR)/html

test:
\t$(PYTHON) -m unittest discover --start-directory tests --verbose
'''

TEST = '''\
"""The site builds with no warning at all (sphinx-build -n -W), and the sample post is on it.

Plain unittest, so `make test` needs nothing beyond what builds the site (pytest runs it too)."""

import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

SITE = Path(__file__).resolve().parents[1]


class StrictBuild(unittest.TestCase):
    def test_strict_build(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "html"
            result = subprocess.run(
                [sys.executable, "-m", "sphinx", "-b", "html", "-n", "-W", "--keep-going", "-q",
                 "-d", str(Path(tmp) / "doctrees"), str(SITE), str(out)],
                capture_output=True, text=True, check=False,
            )
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertTrue((out / "index.html").is_file())
            self.assertTrue(list(out.glob("posts/*/*.html")), "the posts were not built")


if __name__ == "__main__":
    unittest.main()
'''

READTHEDOCS = '''\
# Read the Docs: build the HTML strictly (a warning fails the build).
version: 2
build:
  os: ubuntu-24.04
  tools:
    python: "3.12"
python:
  install:
    - requirements: requirements.txt
sphinx:
  configuration: conf.py
  fail_on_warning: true
'''

GITIGNORE = '''\
_build/
.venv/
.cache/
__pycache__/
'''


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _names(language: str, name: str) -> str:
    """The area's ``names`` line in the site's language (none for English, whose name is ``name``)."""
    return "" if language == "en" else f'names = {{ {language} = "{name}" }}\n'


def site_files(language: str, today: date, title: str | None = None, author: str | None = None) -> dict[str, str]:
    """Relative path → text of every file of a new site in *language*."""
    if language not in WORDS:
        raise CliError(f"mlnotes init: --language must be one of {', '.join(LANGUAGES)}, got {language!r}")
    words = WORDS[language]
    title = title or words.title
    post = (
        f"posts/{today.year:04d}/attention.md",
        POST.substitute(date=today.isoformat(), summary=words.summary, post_title=words.post_title,
                        body=words.body, references=words.references),
    )
    return {
        "conf.py": CONF_PY.substitute(title_repr=_quote(title), author_repr=_quote(author or words.author),
                                      year=today.year, language=language, timezone=words.timezone,
                                      search=words.search),
        "taxonomy.toml": TAXONOMY.substitute(area_en=WORDS["en"].area, tag=words.tag,
                                             names=_names(language, words.area)),
        "index.md": INDEX.substitute(title=title, home=words.home, intro=words.intro),
        post[0]: post[1],
        "refs.bib": REFS_BIB,
        "Makefile": MAKEFILE,
        "tests/test_build.py": TEST,
        "requirements.txt": f"sphinx-mlnotes>={__version__}\n",
        ".readthedocs.yaml": READTHEDOCS,
        ".gitignore": GITIGNORE,
    }


def init_site(target: Path, language: str, today: date, title: str | None = None,
              author: str | None = None) -> list[Path]:
    """Write a new site into *target* (created if needed); the paths written, in order.

    Nothing is written when any of the files already exists, so a second ``init`` into the same
    folder, or into an existing project, cannot destroy work."""
    files = site_files(language, today, title, author)
    if target.exists() and not target.is_dir():
        raise CliError(f"mlnotes init: {target} exists and is not a folder")
    clashes = [name for name in files if (target / name).exists()]
    if clashes:
        raise CliError(f"mlnotes init: {target} already has {', '.join(clashes)}; nothing was written "
                       "(choose a new folder, or move those files away)")
    written = []
    for name, text in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written

