# mlnotes — the two commands are `make html` and `make test`; everything else is optional.
# Each target bootstraps .venv from requirements.lock when it is missing or older than the lock.

SHELL       := /bin/bash
PYTHON      ?= python3
VENV        ?= .venv
BIN         := $(VENV)/bin
STAMP       := $(VENV)/.mlnotes-installed
BUILDDIR    ?= _build
# Strict by default: nitpicky, warnings are errors, but report all of them.
SPHINXOPTS  ?= -n -W --keep-going
# Read and write in parallel on every core (every extension we load is declared parallel safe).
SPHINXJOBS  ?= -j auto
SPHINXBUILD := $(BIN)/sphinx-build
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help venv htmldeps html latexpdf epub linkcheck livehtml lint test check floors bench clean post paper lock texlive fuzz-incremental

help:
	@echo "make html        build the site into $(BUILDDIR)/html (strict: -n -W --keep-going)"
	@echo "make test        run the test suite (includes the strict build and the PDF tests)"
	@echo "make lint        ruff on src, tests, tools and mypy --strict on src/mlnotes (make test runs it)"
	@echo "make check       quality gate: strict build, links, feeds, nothing-lost audit (make test runs it)"
	@echo "make floors      the wheel with every dependency at its floor (.ci/constraints-min.txt) builds strictly (make test runs it)"
	@echo "make latexpdf    build the PDF of the whole collection ($(BUILDDIR)/latex/mlnotes.pdf)"
	@echo "make epub        build the EPUB ($(BUILDDIR)/epub)"
	@echo "make linkcheck   check external links (needs a network)"
	@echo "make livehtml    live preview on http://127.0.0.1:8000 (rebuilds on save)"
	@echo "make post TITLE='...' SLUG=... [AREA=...] [TAGS='a, b']   create a new post"
	@echo "make paper ID=2103.00020 (or ID=10.xxxx/...)   add a paper to refs.bib from arXiv/Crossref"
	@echo "make fuzz-incremental  long property test: incremental build == clean build [MLNOTES_FUZZ_STEPS=200]"
	@echo "make bench       build-speed benchmark against plain ablog [BENCH_ARGS='--sizes 100 --repeat 1']"
	@echo "make lock        re-pin requirements.lock from pyproject.toml"
	@echo "make clean       remove build output"

$(STAMP): requirements.lock pyproject.toml scripts/bootstrap-venv.sh
	@VENV=$(VENV) PYTHON=$(PYTHON) bash scripts/bootstrap-venv.sh

venv: $(STAMP)

# mlnotes.frontend is sphinx-build with a check first: when no input changed since the last clean build
# it says so and returns at once (see docs/performance.md); otherwise it runs sphinx-build itself.
# Graphviz and the CJK fonts the figures need (installed as root, else the command is named)
htmldeps:
	@bash scripts/ensure-html-deps.sh

html: $(STAMP) htmldeps
	$(BIN)/python -m mlnotes.frontend -b html $(SPHINXOPTS) $(SPHINXJOBS) -d $(BUILDDIR)/doctrees/html . $(BUILDDIR)/html
	@echo "mlnotes: site built in $(BUILDDIR)/html/index.html"

texlive:
	@bash scripts/ensure-system-deps.sh

latexpdf: $(STAMP) texlive htmldeps
	$(SPHINXBUILD) -M latexpdf . $(BUILDDIR) $(SPHINXOPTS)
	@echo "mlnotes: PDF in $(BUILDDIR)/latex/mlnotes.pdf"

epub: $(STAMP) htmldeps
	$(SPHINXBUILD) -b epub $(SPHINXOPTS) -d $(BUILDDIR)/doctrees/epub . $(BUILDDIR)/epub

linkcheck: $(STAMP)
	$(BIN)/mlnotes linkcheck --root .

# The resident preview (src/mlnotes/frontend/preview.py): one process keeps Sphinx and the environment
# in memory and rebuilds only what a save changed; conf.py, templates, the taxonomy or mlnotes' own code
# restart it. sphinx-autobuild stays a dev dependency: `make bench` compares the two.
livehtml: $(STAMP) htmldeps
	$(BIN)/python -m mlnotes.frontend.preview --host 127.0.0.1 --port 8000 \
	  -b html $(SPHINXOPTS) $(SPHINXJOBS) -d $(BUILDDIR)/doctrees/livehtml . $(BUILDDIR)/livehtml

# The PDF and feed-schema tests are part of the suite: TeX Live and jing are installed (as root)
# or named (otherwise). MLNOTES_NO_SYSTEM_DEPS=1 skips those tests knowingly (pytest reports it).
BROWSER_STAMP := tests/browser/node_modules/.mlnotes-installed
$(BROWSER_STAMP): tests/browser/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "mlnotes: the browser tests need Node.js and npm (Debian: apt-get install nodejs npm)"; exit 1; }
	cd tests/browser && npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

# ruff and mypy read their settings from pyproject.toml ([tool.ruff], [tool.mypy]).
lint: $(STAMP)
	$(BIN)/ruff check src tests tools
	$(BIN)/mypy

test: $(STAMP) lint
	@if [ -z "$$MLNOTES_NO_SYSTEM_DEPS" ]; then bash scripts/ensure-system-deps.sh && $(MAKE) --no-print-directory $(BROWSER_STAMP); fi
	@if [ -z "$$MLNOTES_NO_SYSTEM_DEPS" ]; then $(MAKE) --no-print-directory check; fi
	$(MAKE) --no-print-directory floors
	$(BIN)/python -m pytest $(PYTEST_ARGS)

check: $(STAMP)
	$(BIN)/mlnotes check --builddir $(BUILDDIR)/check

# The declared dependency floors hold: the wheel installed from the package index with every direct
# dependency pinned at its floor (.ci/constraints-min.txt) builds the two `mlnotes init` sites with
# -n -W. That venv is cached in .cache/floors/ by the constraints' hash (a clean clone installs it).
floors: $(STAMP)
	$(BIN)/python -m tools.check_floors

# The long run of tests/test_incremental_clean.py (make test runs a short one): random change sequences,
# shrinking what fails; --runxfail so that known differences are reported, not expected.
fuzz-incremental: $(STAMP)
	MLNOTES_FUZZ_STEPS=$${MLNOTES_FUZZ_STEPS:-200} MLNOTES_FUZZ_EXAMPLES=$${MLNOTES_FUZZ_EXAMPLES:-3} \
	  $(BIN)/python -m pytest -p no:cacheprovider tests/test_incremental_clean.py -k equals_clean $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m tools.bench $(BENCH_ARGS)
	$(BIN)/python -m tools.bench_figures $(BENCH_FIGURES_ARGS)
	$(BIN)/python -m tools.bench_search $(BENCH_SEARCH_ARGS)

# post, paper, check and linkcheck are the one command `mlnotes` (src/mlnotes/cli), installed into .venv
post: $(STAMP)
	@$(BIN)/mlnotes new --title "$(TITLE)" $(if $(SLUG),--slug "$(SLUG)") $(if $(AREA),--field "area=$(AREA)") $(if $(TAGS),--field "tags=$(TAGS)")

paper: $(STAMP)
	@$(BIN)/mlnotes add-paper "$(ID)"

lock: $(STAMP)
	$(BIN)/python -m pip install -q pip-tools
	$(BIN)/pip-compile --quiet --extra test --extra dev --extra figures --all-build-deps --generate-hashes --allow-unsafe \
	  --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements.lock pyproject.toml

clean:
	rm -rf $(BUILDDIR)
