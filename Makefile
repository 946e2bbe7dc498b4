# The two commands: `make run` serves the portal with demo data (and runs the worker); `make test` runs every test.
# `make bench` measures the pages under gunicorn and wrk against a minimal baseline (README, "Benchmarks").
PYTHON ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app ideaportal

BENCH_DB ?= sqlite
BENCH_SIZE ?= 10000
BENCH_DURATION ?= 5s

.PHONY: run test bench install install-test migrate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	$(FLASK) db upgrade

# The job engine's worker (mail, digests, scheduled work) runs beside the web server and stops with it.
run: migrate
	$(FLASK) demo load --if-empty
	$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --debug --host 127.0.0.1 --port $(PORT)

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Seeds (once per size) or reuses instance/bench-<size>.sqlite3 or the PostgreSQL database ideaportal_bench_<size>.
bench: install
	$(BIN)/python benchmarks/http/run.py --db $(BENCH_DB) --size $(BENCH_SIZE) --duration $(BENCH_DURATION) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
