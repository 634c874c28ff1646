# The two commands of the README: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DB ?= annotator.db

.PHONY: setup run test lint dist clean x11-libs screenshots pg-server

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev,train,hub,dask]"
	touch $(STAMP)

## Create .venv and install annotator (editable) with its test tools and every extra (training,
## the team hub's PostgreSQL driver, Dask).
setup: $(STAMP)

## Import the seed corpus, suggest spans with the built-in model, open the window.
run: $(STAMP) x11-libs
	$(BIN)/annotator import seeds/ --db $(DB)
	$(BIN)/annotator suggest --db $(DB)
	$(BIN)/annotator gui --db $(DB)

## Qt's X11 plugin needs system libraries that PyPI's wheels do not ship: install them where we
## may (root with apt-get), else say which.
x11-libs: $(STAMP)
	@missing="$$($(BIN)/python -c 'from annotator.cli.gui import missing_x11_packages as m; print(" ".join(m()))')"; \
	if [ -n "$$missing" ] && [ -n "$$DISPLAY" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Qt's X11 libraries: $$missing"; \
	    apt-get install -y -qq $$missing >/dev/null || { apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; }; \
	  else echo "Qt needs these system packages to open a window: $$missing (apt-get install $$missing)"; fi; \
	fi

## The hub tests start a throwaway PostgreSQL server (tests/hub/pg_server.py): install Debian's
## server package where its programs are missing and we may (root with apt-get), else fail.
pg-server:
	@if command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing PostgreSQL's server programs for the hub tests (apt-get install postgresql)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -qq postgresql >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; }; \
	else echo "the hub tests need PostgreSQL's server programs (initdb, pg_ctl): apt-get install postgresql"; exit 1; fi

## Build the wheel and the sdist into dist/ (what `pip install` of a release gets).
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist . >/dev/null
	@ls dist

## Run the whole test suite (headless: Qt renders offscreen), the wheel test on the dist/ just built.
test: dist pg-server
	ANNOTATOR_DIST=dist QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

## Redraw docs/screenshot.png, docs/review.png, docs/review-empty.png, docs/arguments.png and
## docs/review-arguments.png from the current code
## (offscreen, on a temporary project built from seeds/).
screenshots: $(STAMP)
	$(BIN)/python -m annotator.gui.screenshots docs

lint: $(STAMP)
	$(BIN)/ruff check annotator tests benchmarks training
	$(BIN)/mypy annotator
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
