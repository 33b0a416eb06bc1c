# Quick start: `make run` then `make test`. Both create .venv when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint typecheck bench golden clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	touch $(STAMP) $@

run: $(STAMP)  ## build and deliver one edition from the bundled samples into outbox/
	$(BIN)/digest run

test: $(TEST_STAMP)  ## the whole suite; exit 5 (no tests collected) counts as a failure
	$(BIN)/python -m pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

bench: $(TEST_STAMP)  ## speed and quality figures, as ratios against baselines run alongside
	$(BIN)/python bench/run_all.py

golden: $(TEST_STAMP)  ## regenerate the golden rendered digest after an intended template change
	DIGEST_REGEN_GOLDEN=1 $(BIN)/python -m pytest tests/render/test_edition.py -q

clean:
	rm -rf outbox var build test-artifacts .pytest_cache .mypy_cache .ruff_cache
