# Lousihui: `make run` for a working site, `make test` for the whole suite.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install install-dev migrate messages seed lint format typecheck worker beat bench echarts screenshots clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $(VENV)/.runtime $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

messages: $(VENV)/.runtime
	$(PY) manage.py compile_locale

migrate: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

## The embedded default: SQLite, local-memory cache, eager Celery, console e-mail. No services needed.
run: install messages seed
	@$(PY) manage.py seed_demo --accounts
	$(PY) manage.py runserver $(HOST):$(PORT)

## The whole suite, on PostgreSQL, Redis, a Celery worker and Chromium where they answer
## (tests that need a missing one skip with the reason; REQUIRE_SERVICES=1 makes that a failure).
test: install-dev messages
	@eval "$$($(PY) -m tests.live_services)"; $(PY) -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: install-dev
	$(VENV)/bin/mypy .

## A Celery worker and beat against REDIS_URL (default redis://127.0.0.1:6379/0).
worker: install
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(VENV)/bin/celery -A lousihui worker -l info --concurrency 2

beat: install
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(VENV)/bin/celery -A lousihui beat -l info

bench: install-dev
	$(PY) -m bench $(BENCH_ARGS)

## Rebuilds static/vendor/echarts/echarts.min.js with only the charts the pages use (needs Node and npm).
echarts:
	cd frontend/echarts && npm ci --no-audit --no-fund && node build.mjs

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache .mypy_cache .ruff_cache
