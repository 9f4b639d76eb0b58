# Sourced by scripts/ensure-*.sh (not run on its own): the one way they install what is missing.
# The caller defines PACKAGES (Debian packages) and missing() (prints one line per missing tool,
# nothing when all are there), then calls:  apt_ensure "<what they are for>" ["<extra hint>"]
# All present: returns at once. As root: installs PACKAGES with apt-get and checks again.
# Otherwise: prints the apt-get command (and the hint) and exits 1, so a build never fails later
# with a less clear message.

apt_ensure() {
  local purpose="$1" hint="${2:-}" need cmd
  need=$(missing)
  [ -z "$need" ] && return 0
  cmd="apt-get update && apt-get install -y --no-install-recommends ${PACKAGES[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "mlnotes: $purpose; missing: $(echo $need | tr '\n' ' ')" >&2
    echo "mlnotes: install them with:  sudo sh -c '$cmd'" >&2
    [ -z "$hint" ] || echo "mlnotes: $hint" >&2
    exit 1
  fi
  echo "mlnotes: installing ${PACKAGES[*]} from Debian packages (missing: $(echo $need | tr '\n' ' '))" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"
  need=$(missing)
  if [ -n "$need" ]; then
    echo "mlnotes: still missing after installation: $need" >&2
    exit 1
  fi
}
