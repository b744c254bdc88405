# wire-ingest: the two commands of the README, and the ones developers use.
# Every target sets up its own virtualenv (.venv) first; Python 3.11+ is the only prerequisite.

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: install run test bench goldens clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(BIN)/.installed

## run the main job on the embedded defaults (SQLite store, embedded broker): poll
## config/feeds.yaml (the drop folder var/drop/inbox/) until Ctrl-C
run: install
	mkdir -p var/drop/inbox
	$(BIN)/wire run

## set up and pass the tests (needs PostgreSQL and Redis on 127.0.0.1, as .ci/run ensures)
test: install
	$(BIN)/pytest -q

## the benchmarks: prints figures and ratios against a baseline measured in the same run
bench: install
	$(BIN)/python -m bench

## rewrite the parser goldens' expected output and the compiled read statements (review the diff)
goldens: install
	$(BIN)/python scripts/regen_goldens.py
	$(BIN)/python scripts/compile_reads.py

clean:
	rm -rf $(VENV) wire.db wire.db-* wire-broker.db* .pytest_cache
