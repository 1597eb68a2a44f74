# Orderflow — `make run` to start it with demo data, `make test` to run every test.
SHELL := /bin/bash
PYTHON ?= python3
# Every target here runs Orderflow as a development install: without SECRET_KEY, the settings use a
# key generated once into var/secret_key (production sets SECRET_KEY; ORDERFLOW_DEV=0 to check that).
export ORDERFLOW_DEV ?= 1
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-16s %s\n", $$1, $$2}'

# requirements.txt and requirements-dev.txt name the direct dependencies; requirements.lock pins
# every package, direct and indirect, and is what gets installed: exactly those, nothing resolved
# anew (--no-deps), then `pip check` fails if the lock misses a dependency.
PIP_VERSION := 26.3
PIP_TOOLS := pip==$(PIP_VERSION) pip-tools==7.7.0

$(STAMP): requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet pip==$(PIP_VERSION)
	$(PIP) install --quiet --no-deps -r requirements.lock
	$(PIP) check
	touch $(STAMP)

install: $(STAMP) ## create the virtual environment and install the Python packages pinned in requirements.lock

# pip-tools runs in a throwaway environment. Pins already in the lock are kept while the
# requirements allow them, so the same files give the same lock; new packages are resolved from
# the package index. UPGRADE=1 resolves everything to the newest allowed versions instead.
lock: ## regenerate requirements.lock from requirements*.txt after changing them (UPGRADE=1: newest versions)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "make lock needs Python 3.11: the lock is for CPython 3.11")'
	tools=$$(mktemp -d) && trap 'rm -rf "$$tools"' EXIT && \
	$(PYTHON) -m venv "$$tools" && "$$tools/bin/pip" install --quiet $(PIP_TOOLS) && \
	CUSTOM_COMPILE_COMMAND="make lock" "$$tools/bin/pip-compile" --quiet --allow-unsafe --strip-extras \
		--no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade) \
		--output-file=requirements.lock requirements-dev.txt

migrate: install ## apply database migrations
	$(PY) manage.py migrate --noinput

demo: migrate ## load the demo data (idempotent)
	$(PY) manage.py seed_demo
	$(PY) manage.py setup_schedules

run: demo frontend ## set up and start Orderflow at http://127.0.0.1:8000 (web, worker, scheduler)
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) -m orderflow.run

test: install ## run every test: Python (SQLite; PostgreSQL when DATABASE_URL is set), front end, browser
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest
	$(MAKE) frontend-test
	$(MAKE) e2e

test-python: install ## only the Python tests
	$(PY) -m pytest

frontend/node_modules/.installed: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend: frontend/node_modules/.installed ## build the browser app into frontend/dist (served under /static/app/)
	cd frontend && npm run build

frontend-test: frontend/node_modules/.installed ## type-check, lint (ESLint, Prettier) and unit-test the browser app
	cd frontend && npm run typecheck && npm run lint && npm test

e2e: install frontend/node_modules/.installed ## browser tests in Debian's Chromium (apt-get install -y chromium fonts-noto-cjk)
	tests/e2e/run.sh

lint: install frontend/node_modules/.installed ## ruff, the import layers of DESIGN.md (import-linter), mypy, the front end's Prettier check and generated API types
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	cd frontend && npm run format:check
	cd frontend && PYTHON=$(abspath $(PY)) npm run api-types:check

format: install ## format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install ## run the benchmarks (PostgreSQL at 127.0.0.1:5432, Redis at 127.0.0.1:6379; N8N_PEER=dir adds n8n: bench/RESULTS.md)
	$(PY) bench/order_ingest.py $(BENCH_ARGS)
	$(PY) bench/ingest.py $(BENCH_ARGS)
	$(PY) bench/tracking.py $(BENCH_ARGS)
	$(PY) bench/reserve.py $(BENCH_ARGS)
	$(PY) bench/runtime.py $(BENCH_ARGS)
	$(PY) bench/kpis.py $(BENCH_ARGS)
	$(PY) bench/reconcile.py $(BENCH_ARGS)
	tests/e2e/run.sh --grep 200-node

test-fuzz: install ## the API fuzzed from its schema on PostgreSQL (schemathesis, per role), the webhook verifiers with hypothesis (FUZZ_ARGS, e.g. --max-examples 20)
	$(PY) tests/fuzz/schema_fuzz.py $(FUZZ_ARGS)
	ORDERFLOW_FUZZ_EXAMPLES=$${ORDERFLOW_FUZZ_EXAMPLES:-300} $(PY) -m pytest tests/fuzz -q -p no:logging

test-faults: install ## faults injected on PostgreSQL and Redis (workers SIGKILLed, Redis stopped, PostgreSQL restarted — the shared servers: see tests/faults/run.py) with a report (FAULT_ARGS)
	$(PY) tests/faults/run.py $(FAULT_ARGS)

soak: install ## orders at a steady rate through the API with three flows running; memory, latency, outbox lag, stock_audit (SOAK_ARGS, default 3 minutes at 50/s)
	$(PY) tests/faults/soak.py $(or $(SOAK_ARGS),--minutes 3 --rate 50)

audit: install ## known vulnerabilities in the pinned Python packages (pip-audit over requirements.lock) and the front end's production packages (npm audit --omit=dev); needs the package indexes
	$(VENV)/bin/pip-audit --strict --requirement requirements.lock --no-deps --disable-pip --progress-spinner off
	cd frontend && npm audit --omit=dev --audit-level=high

messages: install ## refresh locale/zh_Hans/LC_MESSAGES/django.po from the code and recompile it (needs gettext)
	$(PY) manage.py makemessages -l zh_Hans --ignore=".venv/*" --ignore="frontend/*" --ignore="tests/*" --ignore="bench/*"
	$(PY) manage.py compilemessages -l zh_Hans --ignore=".venv/*"

clean: ## remove the virtual environment, the SQLite database and build output
	rm -rf $(VENV) var staticfiles frontend/dist frontend/node_modules

.PHONY: help install lock migrate demo run test test-python frontend frontend-test e2e lint format bench messages clean test-fuzz audit test-faults soak
