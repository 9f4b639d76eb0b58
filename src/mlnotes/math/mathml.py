"""Math rendered at build time as MathML: no MathJax, no CDN, nothing to run in the browser.

``setup_mathml`` registers the HTML math renderer ``mathml`` with Sphinx (the same API as
``sphinx.ext.mathjax`` and ``sphinx.ext.imgmath``) and makes it the site's default when
``html_math_renderer`` is not set in ``conf.py``.  The EPUB builder uses it too (EPUB 3 reading
systems render MathML); its package document then declares the ``mathml`` property on every
page that carries math, as EPUB 3 requires.

TeX becomes MathML with latex2mathml, after two repairs of our own:

- before conversion (:func:`preprocess`), TeX that latex2mathml does not know is rewritten to
  TeX it does: amsmath environments (``aligned``, ``gathered``, numbered ``align``/``equation``
  whose number Sphinx prints), ``\\arg``, ``\\mathop``, ``\\operatorname*{arg\\,min}``;
- after conversion (:func:`_upright_and_limits`, :func:`_spacing`), the MathML is adjusted so
  Chromium's MathML Core renders it as TeX would: upright ``\\mathrm`` letters, operator names
  spaced like TeX's ``\\log x``, limits of ``\\max``/``\\sum`` under the operator in display style, ``\\!``.

A formula that still cannot be converted (latex2mathml raises, leaves a command it does not
know, or builds a fraction or script with a missing part) is reported as a located warning of
type ``mlnotes.math`` and rendered as its TeX source in ``<code class="math-error">``: the
build never crashes on math, and ``-W`` fails it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element, tostring

from docutils import nodes
from latex2mathml.converter import convert_to_element
from latex2mathml.symbols_parser import convert_symbol
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.locale import _
from sphinx.util.math import get_node_equation_number

from mlnotes.core.problems import Problem, report

if TYPE_CHECKING:
    from sphinx.builders.html import StandaloneHTMLBuilder
    from sphinx.writers.html5 import HTML5Translator

RENDERER = "mathml"


class MathConversionError(ValueError):
    """TeX that cannot be turned into faithful MathML; the message says why."""


# -- TeX before conversion -------------------------------------------------------------------

#: environments latex2mathml lacks → the one it knows that renders the same way.  Numbered
#: environments lose their own numbering: Sphinx numbers the whole block (``(1)`` at the right).
_ENVIRONMENTS = {
    "aligned": "align*",
    "align": "align*",
    "alignat": "align*",
    "alignat*": "align*",
    "alignedat": "align*",
    "flalign": "align*",
    "flalign*": "align*",
    "eqnarray": "align*",
    "eqnarray*": "align*",
    "split": "split",
}
#: environments whose rows are centred, one formula per line
_GATHER = ("gathered", "gather", "gather*", "multline", "multline*")
#: environments that only wrap one formula
_EQUATION = ("equation", "equation*", "math", "displaymath")

_REWRITES: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    # Sphinx prints the number and anchors the label; amsmath's own must not print again
    (re.compile(r"\\label\s*\{[^{}]*\}"), ""),
    (re.compile(r"\\tag\*?\s*\{[^{}]*\}"), ""),
    (re.compile(r"\\(?:nonumber|notag)\b"), ""),
    # alignat{2} takes a column count: drop it with the environment name
    (re.compile(r"\\begin\s*\{(alignat\*?|alignedat)\}\s*\{\d+\}"), lambda m: r"\begin{" + m.group(1) + "}"),
    (re.compile(r"\\(begin|end)\s*\{(" + "|".join(re.escape(e) for e in _ENVIRONMENTS) + r")\}"),
     lambda m: f"\\{m.group(1)}{{{_ENVIRONMENTS[m.group(2)]}}}"),
    (re.compile(r"\\(?:begin|end)\s*\{(?:" + "|".join(re.escape(e) for e in _EQUATION) + r")\}"), ""),
    (re.compile(r"\\begin\s*\{(?:" + "|".join(re.escape(e) for e in _GATHER) + r")\}"), r"\\displaylines{"),
    (re.compile(r"\\end\s*\{(?:" + "|".join(re.escape(e) for e in _GATHER) + r")\}"), "}"),
    # arg max / arg min as one operator with limits underneath, like \operatorname*{arg\,max}
    (re.compile(r"\\mathop\s*\{\s*\\arg\s*\\(max|min)\s*\}"
                r"|\\arg\s*\\(max|min)(?![a-zA-Z])"
                r"|\\operatorname\*\s*\{\s*arg\s*(?:\\[,;: ]|~|\s)*\s*(max|min)\s*\}"),
     lambda m: "\\arg" + (m.group(1) or m.group(2) or m.group(3))),
    (re.compile(r"\\arg(?![a-zA-Z])"), r"\\operatorname{arg}"),
    # \mathop{\mathrm{E}} and \operatorname*{E}: a named operator with limits
    (re.compile(r"\\mathop\s*\{\s*(?:\\mathrm\s*)?\{?\s*([A-Za-z]+)\s*\}?\s*\}"), r"\\operatorname*{\1}"),
)


def preprocess(tex: str) -> str:
    """TeX that latex2mathml does not know, rewritten to TeX it does."""
    for pattern, replacement in _REWRITES:
        tex = pattern.sub(replacement, tex)
    return tex.strip()


def wrap_display(tex: str) -> str:
    """What Sphinx does with a display block: blank-line separated equations are aligned rows,
    and an equation with ``\\\\`` at its top level is split across lines."""
    parts = [part.strip() for part in re.split(r"\n\s*\n", tex) if part.strip()]
    if len(parts) > 1:
        return r"\begin{aligned}" + r"\\".join(parts) + r"\end{aligned}"
    only = parts[0] if parts else ""
    if r"\\" in only and not re.search(r"\\begin\s*\{", only):
        return r"\begin{aligned}" + only + r"\end{aligned}"
    return only


# -- MathML after conversion -----------------------------------------------------------------

_TOKENS = {"mi", "mo", "mn", "mtext", "ms"}
_ARITY = {"mfrac": 2, "msub": 2, "msup": 2, "munder": 2, "mover": 2, "mroot": 2, "msubsup": 3, "munderover": 3}
_ENTITY = re.compile(r"&#(x[0-9A-Fa-f]+|[0-9]+);")
#: operators whose scripts are limits (under/over) in display style, as in TeX
_LIMIT_OPERATORS = {
    "max", "min", "sup", "inf", "lim", "lim sup", "lim inf", "limsup", "liminf", "arg max", "arg min",
    "det", "gcd", "Pr",
    "\u2211", "\u220f", "\u2210", "\u22c3", "\u22c2", "\u2a01", "\u2a02", "\u2a00", "\u22c1", "\u22c0",
}
_SCRIPT_TO_LIMITS = {"msub": "munder", "msup": "mover", "msubsup": "munderover"}
_CLOSING = set(")]}\u27e9\u230b\u2309")
_BARS = {"|", "\u2016"}
_SIGNS = {"+", "-", "\u2212", "\u00b1", "\u2213"}
_NAMED_SPACES = {"negativethinmathspace", "negativemediummathspace", "negativethickmathspace"}


def _decode(text: str | None) -> str | None:
    """latex2mathml writes characters as numeric references inside element text; make them
    characters so the tree serialises (and escapes) like any other text."""
    if text is None:
        return None
    return _ENTITY.sub(lambda m: chr(int(m.group(1)[1:], 16) if m.group(1)[0] == "x" else int(m.group(1))), text)


def _name(element: Element) -> str:
    return _decode(element.text or "") or ""


def _is_operator_name(element: Element) -> bool:
    """``\\log``, ``\\exp``, ``\\operatorname{softmax}``: two or more letters in one token."""
    text = _name(element).replace("\u2009", " ").replace("\u2006", " ")
    return element.tag in ("mi", "mo") and len(text) >= 2 and bool(re.fullmatch(r"[A-Za-z][A-Za-z ]*", text))


def _sized_delimiters(math: Element) -> None:
    """``\\big\\|``, ``\\Big\\{``, ``\\bigl\\langle``: latex2mathml keeps a named delimiter's
    command as the operator's text; give it the character."""
    for element in math.iter("mo"):
        text = element.text or ""
        if text.startswith("\\"):
            code = convert_symbol(text)
            if code:
                element.text = chr(int(code, 16))


def _validate(math: Element) -> None:
    for element in math.iter():
        if element.tag in _TOKENS:
            raw = element.text or ""
            unknown = re.findall(r"\\[A-Za-z]+|\\.", raw)
            if unknown:
                raise MathConversionError(f"unknown command {unknown[0]}")
            if element.tag != "mtext" and raw == "&":
                raise MathConversionError("'&' outside an alignment environment (use aligned, cases or a matrix)")
            if len(element):
                raise MathConversionError(
                    f"<{element.tag}> with markup inside (unsupported use of \\mathop or similar)"
                )
        expected = _ARITY.get(element.tag)
        if expected is not None and len(element) != expected:
            what = {"mfrac": "a fraction", "mroot": "a root"}.get(element.tag, "a sub/superscript or limit")
            raise MathConversionError(f"{what} with a missing part (\\frac and ^/_ need braced arguments)")
        if element.tag == "mspace" and element.get("linebreak") == "newline":
            raise MathConversionError(r"a line break '\\' outside an alignment environment (use aligned)")


#: elements whose children are a sequence (not positional like msub's base and script)
_SEQUENCES = {"math", "mrow", "mtd", "mstyle", "mpadded", "msqrt", "menclose", "mphantom", "merror"}
_THIN = "0.1667em"


def _is_operator_symbol(text: str) -> bool:
    return len(text) == 1 and (unicodedata.category(text) == "Sm" or text in ";:\u2022")


def _upright_and_limits(math: Element) -> None:
    for parent in list(math.iter()):
        for child in list(parent):
            # \mathrm{d}: latex2mathml maps the letter to itself, leaving an italic single-letter <mi>
            if (child.tag == "mi" and child.get("mathvariant") is None and child.text
                    and _ENTITY.fullmatch(child.text) and re.fullmatch(r"[A-Za-z]", _name(child))):
                child.set("mathvariant", "normal")
            # \sim, \pm, \bullet, \Longrightarrow, ';' and ':' come out as identifiers; as operators
            # they get the spacing of relations, binary operators and punctuation
            if child.tag == "mi" and child.get("mathvariant") is None and _is_operator_symbol(_name(child)):
                child.tag = "mo"
                if _name(child) == "~":  # \sim (a TeX ~ is a no-break space in <mtext>)
                    child.text = "\u223c"
            # \! and friends: MathML Core has no named (negative) spaces
            if child.tag == "mspace" and child.get("width") in _NAMED_SPACES:
                parent.remove(child)
                continue
            base = child[0] if child.tag in _SCRIPT_TO_LIMITS and len(child) else child
            if base.tag == "mo" and _name(base).replace("\u2009", " ").replace("\u2006", " ") in _LIMIT_OPERATORS:
                # limits under/over in display style, scripts in text style (like \sum and \max in TeX)
                base.set("movablelimits", "true")
                if child is not base:
                    child.tag = _SCRIPT_TO_LIMITS[child.tag]
            elif base.tag == "mo" and _is_operator_name(base):
                base.tag = "mi"  # \operatorname{softmax}, \bmod: upright text, spaced below


_PRIMES = re.compile("[\u2032\u2033\u2034\u2057']+")


def _primes(math: Element) -> None:
    """A Unicode math font's prime (U+2032) is already raised: set as a superscript it floats
    too high and too big.  ``h'`` becomes h followed by the prime; ``z_i'`` the subscript of z′."""
    for parent in list(math.iter()):
        for index, child in enumerate(list(parent)):
            if child.tag not in ("msup", "msubsup") or len(child) != (2 if child.tag == "msup" else 3):
                continue
            script = child[-1]
            if script.tag == "mrow" and len(script) == 1:
                script = script[0]
            if script.tag not in ("mi", "mo") or len(script) or not _PRIMES.fullmatch(_name(script)):
                continue
            prime = Element("mo", {"lspace": "0", "rspace": "0"})
            prime.text = _name(script).replace("'", "\u2032")
            base = Element("mrow")
            base.extend([child[0], prime])
            if child.tag == "msup":
                replacement = base
            else:
                replacement = Element("msub")
                replacement.extend([base, child[1]])
            replacement.tail = child.tail
            parent.remove(child)
            parent.insert(index, replacement)


def _atom(element: Element) -> Element:
    return element[0] if element.tag in (*_SCRIPT_TO_LIMITS.values(), *_SCRIPT_TO_LIMITS) and len(element) else element


def _is_close(element: Element | None) -> bool:
    return element is not None and element.tag == "mo" and _name(element) in _CLOSING


def _spacing(math: Element) -> None:
    """TeX's spacing where MathML Core's operator dictionary differs."""
    for element in math.iter("mo"):
        text = _name(element)
        if element.get("minsize") is not None or (text in _BARS and element.get("lspace") is None):
            # \big( and |x|: delimiters are ordinary atoms in TeX, with no space of their own
            element.set("lspace", "0")
            element.set("rspace", "0")
        elif text == "/":
            element.set("lspace", "0")
            element.set("rspace", "0")
    for parent in list(math.iter()):
        if parent.tag not in _SEQUENCES:
            continue
        children = list(parent)
        for index, child in enumerate(children):
            previous = children[index - 1] if index else None
            following = children[index + 1] if index + 1 < len(children) else None
            atom = _atom(child)
            # -x after an operator or an opening bracket is a sign, not a subtraction
            if (atom.tag == "mo" and _name(atom) in _SIGNS and atom.get("form") is None
                    and previous is not None and previous.tag == "mo" and not _is_close(previous)
                    and _name(previous) not in _BARS and previous.get("form") != "postfix"):
                atom.set("form", "prefix")
            if not _is_operator_name(atom):
                continue
            if atom.tag == "mo":  # \max, \lim: their spacing is ours, not the dictionary's
                atom.set("lspace", "0")
                atom.set("rspace", "0")
            # an operator name takes a thin space from an ordinary atom or closing bracket
            # before it and from an ordinary atom after it: \frac12\ln x, \log x, but \log(x)
            if previous is not None and (previous.tag not in ("mo", "mspace") or _is_close(previous)
                                         or _name(previous) in _BARS):
                parent.insert(list(parent).index(child), Element("mspace", {"width": _THIN}))
            if (following is not None and (following.tag not in ("mo", "mspace") or _name(following) in _BARS)
                    and not (following.tag == "mrow" and len(following) and following[0].tag == "mo")):
                parent.insert(list(parent).index(child) + 1, Element("mspace", {"width": _THIN}))


def _serialise(math: Element) -> str:
    for element in math.iter():
        element.text = _decode(element.text)
        element.tail = _decode(element.tail)
    return tostring(math, encoding="unicode", short_empty_elements=True)


def tex_to_mathml(tex: str, *, display: bool, annotation: str | None = None) -> str:
    """One formula as a ``<math>`` element (string); raises :class:`MathConversionError`.
    *annotation* is the TeX kept in the output, when it differs from what is converted."""
    source = preprocess(tex)
    if not source:
        raise MathConversionError("empty formula")
    try:
        math = convert_to_element(source, display="block" if display else "inline")
    except Exception as exc:  # latex2mathml raises bare exceptions named after the problem
        reason = re.sub(r"(?<!^)(?=[A-Z])", " ", type(exc).__name__).lower().removesuffix(" error")
        detail = f": {exc}" if str(exc) else ""
        raise MathConversionError(f"latex2mathml: {reason}{detail}") from exc
    _sized_delimiters(math)
    _validate(math)
    _upright_and_limits(math)
    _primes(math)
    _spacing(math)
    # the TeX rides along as an annotation: copied by readers, shown by none
    row = math[0] if len(math) == 1 and math[0].tag == "mrow" else None
    semantics = Element("semantics")
    content = row if row is not None else Element("mrow")
    if row is None:
        content.extend(list(math))
        for child in list(math):
            math.remove(child)
    else:
        math.remove(row)
    semantics.append(content)
    note = Element("annotation", {"encoding": "application/x-tex"})
    note.text = (annotation if annotation is not None else tex).strip()
    semantics.append(note)
    math.append(semantics)
    return _serialise(math)


# -- the renderer ----------------------------------------------------------------------------

@dataclass
class _MathState:
    """Per-builder: conversions done so far and warnings already given (a formula in an
    excerpt shown on several pages is converted and reported once)."""

    cache: dict[tuple[str, bool], str | MathConversionError] = field(default_factory=dict)
    warned: set[tuple[str | None, int | None, str]] = field(default_factory=set)
    converted: int = 0
    failed: int = 0


def _state(translator: HTML5Translator) -> _MathState:
    builder = translator.builder
    state: _MathState | None = getattr(builder, "_mlnotes_math", None)
    if state is None:
        state = _MathState()
        # the state lives and dies with the builder (one per build, also in tests that build twice)
        builder._mlnotes_math = state  # type: ignore[attr-defined]  # our attribute; Sphinx's builders lack it
    return state


def _location(translator: HTML5Translator, node: nodes.Element) -> tuple[str | None, int | None]:
    env = translator.builder.env
    docname = env.path2doc(node.source) if node.source else None
    line = node.line
    parent = node.parent
    while line is None and parent is not None:  # inline math can lack a line; its paragraph has one
        line = parent.line
        parent = parent.parent
    return docname or translator.builder.current_docname, line


_EQREF = re.compile(r"\\(eqref|ref)\s*\{([^{}]+)\}")
_PLACEHOLDER = "MLNOTESEQREF{}"


def _equation_link(translator: HTML5Translator, node: nodes.Element, kind: str, label: str) -> str | None:
    """``\\eqref{label}`` inside a formula: a link to the equation with Sphinx's number."""
    builder = translator.builder
    domain: Any = builder.env.domains["math"]
    dummy = addnodes.pending_xref("", refdomain="math", reftype="eq", reftarget=label)
    dummy.source, dummy.line = node.source, node.line
    ref = domain.resolve_xref(builder.env, builder.current_docname, builder, "eq", label, dummy, nodes.Text(""))
    if ref is None:
        return None
    text = ref.astext() if kind == "eqref" else ref.astext().strip("()")
    href = ref.get("refuri") or "#" + ref.get("refid", "")
    return (f'<a xmlns="http://www.w3.org/1999/xhtml" class="reference internal" href="{translator.attval(href)}">'
            f"{translator.encode(text)}</a>")


def render(translator: HTML5Translator, node: nodes.Element, tex: str, *, display: bool) -> str:
    """The MathML of *tex*, or its source in ``<code>`` after a located warning."""
    state = _state(translator)
    references = _EQREF.findall(tex)
    source = _EQREF.sub(lambda m: r"\text{" + _PLACEHOLDER.format(references.index(m.groups())) + "}", tex)
    key = (tex, display)
    if key not in state.cache:
        try:
            state.cache[key] = tex_to_mathml(source, display=display, annotation=tex)
            state.converted += 1
        except MathConversionError as exc:
            state.cache[key] = exc
            state.failed += 1
    result = state.cache[key]
    docname, line = _location(translator, node)
    problems: list[Problem] = []
    if isinstance(result, str):
        for index, (kind, label) in enumerate(references):
            link = _equation_link(translator, node, kind, label)
            if link is None:
                problems.append(Problem("math", f"\\{kind}{{{label}}}: no equation has the label {label!r}",
                                        docname=docname, line=line,
                                        hint="label the equation ($$ ... $$ (label) or :label:) or fix the name"))
                link = "(??)"
            result = result.replace(f"<mtext>{_PLACEHOLDER.format(index)}</mtext>", f"<mtext>{link}</mtext>")
        output = result
    else:
        problems.append(Problem(
            "math", f"cannot render math as MathML: {result}: {tex.strip()!r}", docname=docname, line=line,
            hint="rewrite the formula with commands latex2mathml supports (mlnotes' author guide lists "
                 "them); until then the page shows its TeX source",
        ))
        output = f'<code class="math-error">{translator.encode(tex.strip())}</code>'
    for problem in problems:
        if (docname, line, problem.message) not in state.warned:
            state.warned.add((docname, line, problem.message))
            report([problem])
    return output


def visit_math(translator: HTML5Translator, node: nodes.math) -> None:
    translator.body.append(render(translator, node, node.astext(), display=False))
    raise nodes.SkipNode


def visit_math_block(translator: HTML5Translator, node: nodes.math_block) -> None:
    translator.body.append(translator.starttag(node, "div", CLASS="math notranslate nohighlight"))
    if node.get("number"):
        number = get_node_equation_number(translator, node)
        translator.body.append(f'<span class="eqno">({number})')
        translator.add_permalink_ref(node, _("Link to this equation"))
        translator.body.append("</span>")
    tex = node.astext() if node.get("no-wrap", node.get("nowrap", False)) else wrap_display(node.astext())
    translator.body.append(render(translator, node, tex, display=True))
    translator.body.append("</div>\n")
    raise nodes.SkipNode


# -- wiring ----------------------------------------------------------------------------------

def _default_renderer(app: Sphinx, config: Config) -> None:
    """``mathml`` unless conf.py chose a renderer (``html_math_renderer = "mathjax"`` still works)."""
    if not config.html_math_renderer:
        config.html_math_renderer = RENDERER


def declare_mathml_in_opf(outdir: Path) -> int:
    """EPUB 3 requires ``properties="mathml"`` on manifest items that contain MathML; Sphinx's
    content.opf has no properties.  Add them; return how many items were marked."""
    opf = outdir / "content.opf"
    if not opf.is_file():
        return 0
    text = opf.read_text(encoding="utf-8")
    marked = 0

    def mark(match: re.Match[str]) -> str:
        nonlocal marked
        item, href = match.group(0), match.group(1)
        page = outdir / href
        if "properties=" in item or not page.is_file() or not href.endswith((".xhtml", ".html")):
            return item
        if "<math" not in page.read_text(encoding="utf-8"):
            return item
        marked += 1
        return item[: -len(match.group(2))] + ' properties="mathml"' + match.group(2)

    text = re.sub(r'<item\b[^>]*\bhref="([^"]+)"[^>]*?(\s*/>)', mark, text)
    opf.write_text(text, encoding="utf-8")
    return marked


def epub_content_written(builder: StandaloneHTMLBuilder) -> None:
    """Mark the MathML pages in the EPUB's ``content.opf`` (see :func:`declare_mathml_in_opf`).

    Called by the EPUB builder (:meth:`mlnotes.book.book.BookEpubBuilder.build_content`) right
    after it has written ``content.opf`` and before it zips the book: Sphinx emits no event in
    between."""
    if builder.math_renderer_name == RENDERER:
        declare_mathml_in_opf(Path(builder.outdir))


def setup_mathml(app: Sphinx) -> None:
    app.add_html_math_renderer(RENDERER, inline_renderers=(visit_math, None), block_renderers=(visit_math_block, None))
    # before the config-inited handlers at the default priority (500), so those that read
    # html_math_renderer (Sphinx's math support among them) already see ours
    app.connect("config-inited", _default_renderer, priority=400)
