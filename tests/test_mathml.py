"""Math rendered at build time as MathML (src/mlnotes/math/mathml.py): the converter's repairs, the
renderer's output in HTML and EPUB, equation numbers and references, and the located warning
for a formula that cannot be converted."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from sphinx.util.console import strip_colors

from mlnotes.math.mathml import MathConversionError, declare_mathml_in_opf, tex_to_mathml

MATHML = "http://www.w3.org/1998/Math/MathML"
NS = {"m": MATHML}


def tree(tex: str, display: bool = False) -> etree._Element:
    """Converted formula, parsed as XML (which also proves it is well-formed)."""
    return etree.fromstring(tex_to_mathml(tex, display=display))


def tokens(element: etree._Element) -> list[tuple[str, str]]:
    return [(etree.QName(e).localname, e.text or "") for e in element.iter()
            if etree.QName(e).localname in ("mi", "mo", "mn", "mtext", "mspace")]


# -- the converter -----------------------------------------------------------------------------

def test_inline_and_block_with_tex_annotation() -> None:
    inline = tree(r"\alpha + \beta_i^2")
    assert inline.get("display") == "inline" and etree.QName(inline).namespace == MATHML
    assert inline.find("m:semantics/m:annotation", NS).text == r"\alpha + \beta_i^2"
    assert ("mi", "α") in tokens(inline) and ("mo", "+") in tokens(inline)
    assert tree("x", display=True).get("display") == "block"


def test_text_is_escaped_never_markup() -> None:
    out = tex_to_mathml(r"a < b \text{<script>alert(1)</script> & 中文}", display=False)
    assert "<script>" not in out and "&lt;script&gt;" in out and "&amp;" in out
    # spaces kept as no-break
    assert ("mtext", "<script>alert(1)</script>\xa0&\xa0中文") in tokens(etree.fromstring(out))


def test_aligned_becomes_a_table_with_aligned_columns() -> None:
    math = tree(r"\begin{aligned} a &= b \\ c + d &= e \end{aligned}", display=True)
    rows = math.findall(".//m:mtr", NS)
    assert len(rows) == 2
    assert [td.get("columnalign") for td in rows[0].findall("m:mtd", NS)] == ["right", "left"]
    assert not [t for t in tokens(math) if t[1] == "&"]


def test_numbered_environments_leave_the_number_to_sphinx() -> None:
    math = tree(r"\begin{align} a &= b \label{x} \\ c &= d \end{align}", display=True)
    assert len(math.findall(".//m:mtr", NS)) == 2
    assert not [t for t in tokens(math) if re.fullmatch(r"\(\d+\)", t[1])]  # no "(1)" of latex2mathml's own
    gathered = tree(r"\begin{gathered} a \\ b \end{gathered}", display=True)
    assert len(gathered.findall(".//m:mtr", NS)) == 2


def test_upright_operator_names_and_tex_spacing() -> None:
    math = tree(r"\mathrm{d}x + \log x + \log(x) + \operatorname{softmax}(z) + \frac12\ln y")
    mi = {e.text: e for e in math.iter(f"{{{MATHML}}}mi")}
    assert mi["d"].get("mathvariant") == "normal"  # \mathrm of one letter stays upright
    assert mi["softmax"] is not None and mi["log"] is not None
    seq = tokens(math)
    log_x = seq.index(("mi", "log"))
    assert seq[log_x + 1] == ("mspace", "") and seq[log_x + 2] == ("mi", "x")  # \log x: thin space
    log_paren = [i for i, t in enumerate(seq) if t == ("mi", "log")][1]
    assert seq[log_paren + 1] == ("mo", "(")  # \log(x): none
    ln = seq.index(("mi", "ln"))
    assert seq[ln - 1] == ("mspace", "")  # \frac12\ln: thin space before the name


def test_relations_and_punctuation_are_operators() -> None:
    seq = tokens(tree(r"W \sim U;\ a \pm b \bullet c \Longrightarrow d"))
    assert {("mo", "\u223c"), ("mo", ";"), ("mo", "\u00b1"), ("mo", "\u2022"), ("mo", "\u27f9")} <= set(seq)
    assert ("mi", "~") not in seq


def test_limits_under_operators_in_display_style() -> None:
    math = tree(r"\max_{i} x_i + \sum_{j=1}^{n} y_j + \arg\min_\theta L", display=True)
    under = math.findall(".//m:munder", NS) + math.findall(".//m:munderover", NS)
    assert {(u[0].text or "").replace("\u2009", " ") for u in under} == {"max", "\u2211", "arg min"}
    assert all(u[0].get("movablelimits") == "true" for u in under)  # scripts again in text style


def test_primes_sized_delimiters_and_arg() -> None:
    math = tree(r"h'(x) + z_i' + \big\| v \big\| + \Big\{ w \Big\} + \arg x")
    text = "".join(t[1] for t in tokens(math))
    assert "\u2032" in text and not math.findall(".//m:msup", NS)  # the prime is not a superscript
    assert "\u2016" in text and "{" in text and "}" in text and "\\" not in text
    assert ("mi", "arg") in tokens(math)


@pytest.mark.parametrize(("tex", "reason"), [
    (r"\frac{a}", "a fraction with a missing part"),
    (r"\foo{x}", r"unknown command \foo"),
    (r"a & b", "'&' outside an alignment environment"),
    (r"\left( x", "latex2mathml: extra left or missing right"),
    ("", "empty formula"),
])
def test_what_cannot_be_converted_says_why(tex: str, reason: str) -> None:
    with pytest.raises(MathConversionError, match=re.escape(reason)):
        tex_to_mathml(tex, display=False)


def test_every_formula_of_the_site_converts(site) -> None:
    """All math of the 45 posts (the strict build would fail on one that did not)."""
    assert site.first.returncode == 0, site.first.stderr[-3000:]
    pages = sorted((site.out / "posts").rglob("*.html"))
    count = sum(p.read_text(encoding="utf-8").count("<math ") for p in pages)
    assert count > 3000
    assert not [p for p in pages if "math-error" in p.read_text(encoding="utf-8")]


# -- the renderer in a build -------------------------------------------------------------------

def _warnings(app) -> list[str]:
    text = strip_colors(app._warning.getvalue()).replace(str(app.srcdir) + "/", "")
    return sorted(line for line in text.splitlines() if "WARNING" in line)


@pytest.fixture
def math_root(rootdir: Path, tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(rootdir / "test-math", src)
    return src


BAD_FORMULA_WARNING = (
    "index.md:28: WARNING: cannot render math as MathML: a fraction with a missing part (\\frac and ^/_ need "
    "braced arguments): '\\\\frac{a}' (rewrite the formula with commands latex2mathml "
    "supports (mlnotes' author guide lists them); until then the page shows its TeX source) [mlnotes.math]"
)


def test_html_output(make_app, math_root: Path) -> None:
    app = make_app("html", srcdir=math_root)
    app.build()
    assert app.builder.math_renderer_name == "mathml"  # the default when conf.py chooses none
    assert _warnings(app) == [BAD_FORMULA_WARNING]
    page = (app.outdir / "index.html").read_text(encoding="utf-8")
    # every formula is well-formed MathML
    formulas = re.findall(r"<math\b.*?</math>", page, re.S)
    assert len(formulas) == 9
    for formula in formulas:
        etree.fromstring(formula)
    assert "<mtext>损失</mtext>" in page
    # numbered and labelled equations: Sphinx's anchors and numbers
    assert re.search(r'<div class="math notranslate nohighlight" id="equation-eq-loss">\s*'
                     r'<span class="eqno">\(1\)<a class="headerlink" href="#equation-eq-loss"', page)
    assert re.search(r'id="equation-eq-euler">\s*<span class="eqno">\(2\)', page)
    assert re.search(r'<span class="eqno">\(3\)<a class="headerlink" href="#equation-[0-9a-f-]+"', page)  # amsmath
    # {eq} and {math:numref} roles, and \eqref inside a formula, link to the equation
    assert '<a class="reference internal" href="#equation-eq-loss">(1)</a> 与 ' \
           '<a class="reference internal" href="#equation-eq-euler">(2)</a>' in page
    assert '<mtext><a xmlns="http://www.w3.org/1999/xhtml" class="reference internal" ' \
           'href="#equation-eq-loss">(1)</a></mtext>' in page
    # the formula that failed is shown as its source, the page has no MathJax
    assert r'<code class="math-error">\frac{a}</code>' in page
    assert "mathjax" not in page.lower().replace("mathjax_ignore", "")


def test_unknown_equation_label_is_reported(make_app, math_root: Path) -> None:
    index = math_root / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace(r"\eqref{eq-loss}", r"\eqref{eq-nope}"),
                     encoding="utf-8")
    app = make_app("html", srcdir=math_root)
    app.build()
    assert ("index.md:26: WARNING: \\eqref{eq-nope}: no equation has the label 'eq-nope' (label the equation "
            "($$ ... $$ (label) or :label:) or fix the name) [mlnotes.math]") in _warnings(app)
    assert "<mtext>(??)</mtext>" in (app.outdir / "index.html").read_text(encoding="utf-8")


def test_conf_py_can_still_choose_mathjax(make_app, math_root: Path) -> None:
    app = make_app("html", srcdir=math_root, confoverrides={"html_math_renderer": "mathjax"})
    app.build()
    page = (app.outdir / "index.html").read_text(encoding="utf-8")
    assert "<math " not in page and "tex-mml-chtml.js" in page


def test_epub_declares_and_carries_mathml(make_app, math_root: Path) -> None:
    app = make_app("epub", srcdir=math_root)
    app.build()
    assert _warnings(app) == [BAD_FORMULA_WARNING]
    opf = (app.outdir / "content.opf").read_text(encoding="utf-8")
    assert re.search(r'<item id="[^"]+" href="index.xhtml" media-type="application/xhtml\+xml" '
                     r'properties="mathml" />', opf)
    assert re.search(r'href="genindex.xhtml" media-type="application/xhtml\+xml" />', opf)  # no math there
    epub = app.outdir / "math.epub"
    with zipfile.ZipFile(epub) as z:
        assert 'properties="mathml"' in z.read("content.opf").decode()
        page = etree.fromstring(z.read("index.xhtml"))  # XHTML: must parse as XML
    assert len(page.findall(".//m:math", NS)) == 9
    jar, java = Path("/usr/share/java/epubcheck.jar"), shutil.which("java")
    if jar.is_file() and java:  # Debian's epubcheck: no error may concern MathML
        result = subprocess.run([java, "-jar", str(jar), str(epub)], check=False, capture_output=True, text=True,
                                timeout=300)
        messages = (result.stdout + result.stderr).replace(str(epub), "EPUB")
        assert "Messages:" in messages
        assert not [line for line in messages.splitlines()
                    if re.search(r"ERROR|FATAL", line) and re.search(r"math|OPF-014", line, re.I)]


def test_declare_mathml_in_opf_marks_only_pages_with_math(tmp_path: Path) -> None:
    (tmp_path / "a.xhtml").write_text('<html><body><math xmlns="http://www.w3.org/1998/Math/MathML"/></body></html>')
    (tmp_path / "b.xhtml").write_text("<html><body>none</body></html>")
    (tmp_path / "content.opf").write_text(
        '<manifest>\n<item id="a" href="a.xhtml" media-type="application/xhtml+xml" />\n'
        '<item id="b" href="b.xhtml" media-type="application/xhtml+xml" />\n'
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>\n</manifest>')
    assert declare_mathml_in_opf(tmp_path) == 1
    assert (tmp_path / "content.opf").read_text() == (
        '<manifest>\n<item id="a" href="a.xhtml" media-type="application/xhtml+xml" properties="mathml" />\n'
        '<item id="b" href="b.xhtml" media-type="application/xhtml+xml" />\n'
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>\n</manifest>')
