# mixdesk developer commands. `make demo` and `make test` set everything up
# themselves (a virtual environment in .venv, plus Debian packages for tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## The main job: generate an example bounce and check it.
demo: setup
	$(BIN)/python examples/make_bounce.py out/example-bounce.wav --seconds 60
	$(BIN)/mixdesk check out/example-bounce.wav

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check qc bridge tests examples benchmarks

typecheck: setup
	$(BIN)/mypy

unit: setup
	bash .ci/system-deps.sh
	$(BIN)/pytest

## Everything CI runs: lint, strict typing, tests.
test: lint typecheck unit

bench: setup
	$(BIN)/python benchmarks/bench_check.py

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache
