# mixdesk developer commands. `make demo` and `make test` set everything up
# themselves (a virtual environment in .venv, plus Debian packages for tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint typecheck unit release-check bench fuzz clean

$(STAMP): pyproject.toml hatch_build.py qc/measure/native/kernels.c
	bash .ci/system-deps.sh --build
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## The main job, on the embedded virtual DAW (no DAW needed): generate stems, mix them
## over OSC, render a bounce, and let the watch daemon check it (mixdesk demo).
demo: setup
	$(BIN)/mixdesk demo

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

## Build the wheel and sdist, install the wheel into a fresh venv outside the repo, and
## run the installed mixdesk from outside it (--version, rules, demo, check). CI runs it.
release-check: setup
	bash .ci/release-check.sh $(BIN)/python

bench: setup
	$(BIN)/python benchmarks/bench_check.py

## Fuzz every parser under atheris for FUZZ_SECONDS each (default 60); fails on a crash.
## New inputs and crashes go under $$TMPDIR (see docs/fuzzing.md).
FUZZ_SECONDS ?= 60
fuzz: setup
	$(BIN)/python -m tests.fuzz.run all --seconds $(FUZZ_SECONDS)

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache
