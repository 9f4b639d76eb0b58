#!/usr/bin/env bash
# Make sure the system tools the tests use are present: xelatex + latexmk (TeX Live from Debian),
# xeCJK and the Noto CJK fonts, poppler-utils (pdftotext/pdffonts) for the PDF tests, and jing
# (RELAX NG validator, with Java) for validating the Atom feeds against RFC 4287's schema, and
# chromium for the browser tests (search, axe-core, Lighthouse; driven by playwright-core, never
# downloaded), a Java runtime for jing and the Nu HTML Checker (vnu.jar from npm), and epubcheck.
# Installs the Debian packages with apt-get when run as root; otherwise names the command.
set -euo pipefail

PACKAGES=(latexmk texlive-xetex texlive-lang-chinese texlive-latex-extra texlive-fonts-recommended
          fonts-freefont-otf fonts-noto-cjk poppler-utils jing chromium default-jre-headless epubcheck graphviz)

missing() {
  local what=()
  command -v xelatex  >/dev/null 2>&1 || what+=("xelatex")
  command -v latexmk  >/dev/null 2>&1 || what+=("latexmk")
  command -v pdftotext >/dev/null 2>&1 || what+=("pdftotext")
  command -v pdffonts >/dev/null 2>&1 || what+=("pdffonts")
  command -v jing     >/dev/null 2>&1 || what+=("jing")
  command -v chromium >/dev/null 2>&1 || what+=("chromium")
  command -v java     >/dev/null 2>&1 || what+=("java")
  command -v epubcheck >/dev/null 2>&1 || what+=("epubcheck")
  command -v dot      >/dev/null 2>&1 || what+=("graphviz")
  if command -v kpsewhich >/dev/null 2>&1; then
    [ -n "$(kpsewhich xeCJK.sty 2>/dev/null)" ] || what+=("xeCJK.sty")
  fi
  if command -v fc-list >/dev/null 2>&1; then
    # capture first: with pipefail, `fc-list | grep -q` fails when grep closes the pipe early
    local fonts
    fonts=$(fc-list : family 2>/dev/null || true)
    [[ "$fonts" == *"Noto Serif CJK SC"* ]] || what+=("Noto Serif CJK SC font")
  else
    what+=("fontconfig")
  fi
  printf '%s\n' "${what[@]}"
}

need=$(missing)
if [ -z "$need" ]; then
  exit 0
fi

cmd="apt-get update && apt-get install -y --no-install-recommends ${PACKAGES[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "mlnotes: the PDF, feed, EPUB and browser tests need TeX Live, CJK fonts, jing, Java, epubcheck and chromium; missing: $(echo $need | tr '\n' ' ')" >&2
  echo "mlnotes: install them with:  sudo sh -c '$cmd'" >&2
  echo "mlnotes: (or run 'MLNOTES_NO_SYSTEM_DEPS=1 make test' to skip those tests knowingly)" >&2
  exit 1
fi

echo "mlnotes: installing TeX Live, CJK fonts, jing, Java, epubcheck and chromium from Debian packages (missing: $(echo $need | tr '\n' ' '))" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"

need=$(missing)
if [ -n "$need" ]; then
  echo "mlnotes: still missing after installation: $need" >&2
  exit 1
fi
