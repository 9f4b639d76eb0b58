#!/usr/bin/env bash
# What `make html` needs beyond Python: Graphviz's `dot` (the {diagram} figures) and the Noto CJK
# fonts (the Chinese labels of every figure: matplotlib lays them out with the font's metrics, and
# the PDF embeds it). Installs the Debian packages with apt-get when run as root; otherwise names
# the command and stops, so that a build never fails later with a less clear message.
set -euo pipefail

PACKAGES=(graphviz fonts-noto-cjk)

missing() {
  local what=()
  command -v dot >/dev/null 2>&1 || what+=("graphviz (dot)")
  local fonts=""
  if command -v fc-list >/dev/null 2>&1; then
    fonts=$(fc-list : family 2>/dev/null || true)
  fi
  [[ "$fonts" == *"Noto Sans CJK SC"* ]] || what+=("Noto Sans CJK SC font")
  printf '%s\n' "${what[@]}"
}

# shellcheck source=apt-ensure.sh
source "$(dirname "$0")/apt-ensure.sh"
apt_ensure "the figures need Graphviz and the Noto CJK fonts"
