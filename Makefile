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

## The main job: generate two example bounces (one loud and clipped, one gentle) and
## check them against the default and Spotify profiles. Exit 1 from mixdesk means
## "findings", which the loud bounce is meant to have, so only 2 (an error) fails.
demo: setup
	$(BIN)/python examples/make_bounce.py out/example-bounce.wav --seconds 60
	$(BIN)/python examples/make_bounce.py out/gentle.wav --seconds 60 --gentle
	$(BIN)/mixdesk check --profile default,spotify out/example-bounce.wav out/gentle.wav || [ $$? -eq 1 ]

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
