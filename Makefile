# fairmark: the two commands of the README.
#   make demo   set up .venv and run the Bank Marketing audit (reports in out/bank-marketing/)
#   make test   set up .venv with the test extras and run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The shared real-data folder sits beside the repository; loaders take it as data home.
SHARED_DATA := $(abspath ../shared/data)
export FAIRMARK_DATA_HOME ?= $(if $(wildcard $(SHARED_DATA)),$(SHARED_DATA),)

.PHONY: demo test lint bench clean

$(BIN)/.installed-core: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[demo]'
	touch $@

$(BIN)/.installed-test: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,spark]'
	touch $@ $(BIN)/.installed-core

demo: $(BIN)/.installed-core
	$(BIN)/fairmark demo

test: $(BIN)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(BIN)/.installed-test
	$(BIN)/ruff check src tests benchmarks

bench: $(BIN)/.installed-test
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/bench_audit.py

clean:
	rm -rf $(VENV) out .fairmark .pytest_cache
