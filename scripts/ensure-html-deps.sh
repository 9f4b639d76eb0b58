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

need=$(missing)
if [ -z "$need" ]; then
  exit 0
fi
cmd="apt-get update && apt-get install -y --no-install-recommends ${PACKAGES[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "mlnotes: the figures need Graphviz and the Noto CJK fonts; missing: $(echo $need | tr '\n' ' ')" >&2
  echo "mlnotes: install them with:  sudo sh -c '$cmd'" >&2
  exit 1
fi
echo "mlnotes: installing Graphviz and the Noto CJK fonts from Debian packages (missing: $(echo $need | tr '\n' ' '))" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
need=$(missing)
if [ -n "$need" ]; then
  echo "mlnotes: still missing after installation: $need" >&2
  exit 1
fi
