"""A page in another language than the site (front matter ``language``) gets its own
``<html lang>``; a value that is no language tag is a located warning and changes nothing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sphinx.util.console import strip_colors


def lang_of(html: str) -> str:
    found = re.search(r"<html[^>]* lang=\"([^\"]+)\"", html)
    assert found, "no <html lang>"
    return found.group(1)


def test_page_language_and_bad_tag(make_app, rootdir: Path, tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-minimal", src)
    (src / "deutsch.md").write_text("---\norphan: true\nlanguage: de_AT\n---\n\n# Hallo\n\nEin Absatz.\n",
                                    encoding="utf-8")
    (src / "bad.md").write_text("---\norphan: true\nlanguage: German language\n---\n\n# Bad\n", encoding="utf-8")
    app = make_app("html", srcdir=src)
    app.build()
    warnings = [line for line in strip_colors(app._warning.getvalue()).replace(str(src) + "/", "").splitlines()
                if "WARNING" in line]
    assert warnings == [
        "bad.md:3: WARNING: language: 'German language' is not a language tag (write a BCP 47 tag such as "
        "'en', 'zh-CN' or 'pt-BR'; the page keeps the site's language) [mlnotes.frontmatter]"]
    out = app.outdir
    assert lang_of((out / "deutsch.html").read_text(encoding="utf-8")) == "de-AT"
    assert lang_of((out / "bad.html").read_text(encoding="utf-8")) == "en"
    assert lang_of((out / "index.html").read_text(encoding="utf-8")) == "en"  # other pages keep the site's
