# The two commands: `make run` serves the portal with demo data (and runs the worker); `make test` runs every test.
# `make bench` measures the pages under gunicorn and wrk against a minimal baseline (README, "Benchmarks").
PYTHON ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app ideaportal
INSTANCE := $(or $(IDEAPORTAL_INSTANCE_PATH),instance)

BENCH_DB ?= sqlite
BENCH_SIZE ?= 10000
BENCH_DURATION ?= 5s

.PHONY: run test bench install install-test migrate reset-demo clean

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

# Back to a fresh demo portal: the SQLite database, the job queue and the written mail in instance/ are deleted,
# then migrated and loaded again (the secret key stays). Refuses when DATABASE_URL names another database.
reset-demo: install
	@if [ -n "$$DATABASE_URL" ]; then echo "reset-demo only resets the SQLite demo in $(INSTANCE)/; unset DATABASE_URL." >&2; exit 1; fi
	rm -f $(INSTANCE)/ideaportal.sqlite3 $(INSTANCE)/ideaportal.sqlite3-wal $(INSTANCE)/ideaportal.sqlite3-shm \
	      $(INSTANCE)/jobs.sqlite3 $(INSTANCE)/jobs.sqlite3-wal $(INSTANCE)/jobs.sqlite3-shm
	rm -rf $(INSTANCE)/mail
	$(FLASK) db upgrade
	$(FLASK) demo load

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Seeds (once per size) or reuses instance/bench-<size>.sqlite3 or the PostgreSQL database ideaportal_bench_<size>.
bench: install
	$(BIN)/python benchmarks/http/run.py --db $(BENCH_DB) --size $(BENCH_SIZE) --duration $(BENCH_DURATION) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
