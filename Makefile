# The two commands of the README: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DB ?= annotator.db

.PHONY: setup run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $(STAMP)

## Create .venv and install annotator with its test tools.
setup: $(STAMP)

## Import the seed corpus, suggest spans with the built-in model, open the window.
run: $(STAMP)
	$(BIN)/annotator import seeds/ --db $(DB)
	$(BIN)/annotator suggest --db $(DB)
	$(BIN)/annotator gui --db $(DB)

## Run the whole test suite (headless: Qt renders offscreen).
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check annotator tests benchmarks
	$(BIN)/mypy annotator

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
