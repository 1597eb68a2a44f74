# Orderflow — `make run` to start it with demo data, `make test` to run every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-16s %s\n", $$1, $$2}'

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP) ## create the virtual environment and install the Python packages

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

frontend-test: frontend/node_modules/.installed ## type-check, lint and unit-test the browser app
	cd frontend && npm run typecheck && npm run lint && npm test

e2e: install frontend/node_modules/.installed ## browser tests in Debian's Chromium (apt-get install -y chromium fonts-noto-cjk)
	tests/e2e/run.sh

lint: install ## ruff lint and format check, the import layers of DESIGN.md (import-linter)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install ## format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install ## run the benchmarks (PostgreSQL at 127.0.0.1:5432, Redis at 127.0.0.1:6379; N8N_PEER=dir adds n8n: bench/RESULTS.md)
	$(PY) bench/order_ingest.py $(BENCH_ARGS)
	$(PY) bench/reserve.py $(BENCH_ARGS)
	$(PY) bench/runtime.py $(BENCH_ARGS)

messages: install ## refresh locale/zh_Hans/LC_MESSAGES/django.po from the code and recompile it (needs gettext)
	$(PY) manage.py makemessages -l zh_Hans --ignore=".venv/*" --ignore="frontend/*" --ignore="tests/*" --ignore="bench/*"
	$(PY) manage.py compilemessages -l zh_Hans --ignore=".venv/*"

clean: ## remove the virtual environment, the SQLite database and build output
	rm -rf $(VENV) var staticfiles frontend/dist frontend/node_modules

.PHONY: help install migrate demo run test test-python frontend frontend-test e2e lint format bench messages clean
