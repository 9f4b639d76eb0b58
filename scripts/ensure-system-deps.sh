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

# shellcheck source=apt-ensure.sh
source "$(dirname "$0")/apt-ensure.sh"
apt_ensure "the PDF, feed, EPUB and browser tests need TeX Live, CJK fonts, jing, Java, epubcheck and chromium" \
  "(or run 'MLNOTES_NO_SYSTEM_DEPS=1 make test' to skip those tests knowingly)"
