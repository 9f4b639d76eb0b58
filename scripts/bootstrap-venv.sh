#!/usr/bin/env bash
# Create or refresh .venv from requirements.lock (hash-pinned), then install mlnotes itself
# in editable mode. Called by the Makefile whenever the lock file or pyproject.toml is newer
# than the venv's stamp, so `make html` / `make test` are the whole set-up.
set -euo pipefail

VENV=${VENV:-.venv}
PY=${PYTHON:-python3}
STAMP="$VENV/.mlnotes-installed"

if ! command -v "$PY" >/dev/null 2>&1; then
  echo "mlnotes: '$PY' not found; install Python 3.11 or newer (Debian/Ubuntu: apt-get install python3 python3-venv)" >&2
  exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "mlnotes: needs Python >= 3.11, '$PY' is $("$PY" -V 2>&1); set PYTHON=python3.11 (or newer)" >&2
  exit 1
fi

make_venv() { "$PY" -m venv "$VENV" >/dev/null 2>&1; }

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import pip' >/dev/null 2>&1; then
  rm -rf "$VENV"
  echo "mlnotes: creating $VENV with $("$PY" -V 2>&1)" >&2
  if ! make_venv; then
    rm -rf "$VENV"
    pkg="python3-venv"
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "mlnotes: '$PY -m venv' failed; installing $pkg with apt-get" >&2
      DEBIAN_FRONTEND=noninteractive apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg"
      make_venv || { echo "mlnotes: '$PY -m venv $VENV' still fails" >&2; exit 1; }
    else
      echo "mlnotes: '$PY -m venv' failed; on Debian/Ubuntu install the venv module: sudo apt-get install $pkg" >&2
      exit 1
    fi
  fi
fi

pip() { "$VENV/bin/python" -m pip --disable-pip-version-check -q "$@"; }
echo "mlnotes: installing pinned dependencies from requirements.lock into $VENV" >&2
pip install --require-hashes --no-deps -r requirements.lock
# the distribution was called "mlnotes" before it became sphinx-mlnotes: a venv made then still has
# that editable install (same package, same entry points); drop it so only one distribution owns it
if pip show mlnotes >/dev/null 2>&1; then pip uninstall -y mlnotes; fi
pip install --no-deps --no-build-isolation -e .
"$VENV/bin/python" -m pip --disable-pip-version-check check >&2
touch "$STAMP"
