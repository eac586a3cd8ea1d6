# refsvc: `make run` starts the service on its embedded default, `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
export REFSVC_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: run test audit-deps bench fixtures services system-deps clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when a requirements file changes.
$(VENV)/.installed: requirements.txt $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## run: the web server (gunicorn -c gunicorn.conf.py wsgi:app) and the link checker side by side,
## on SQLite under instance/; REFSVC_WORKERS, REFSVC_THREADS and REFSVC_BIND change the serving
run: $(VENV)/.installed
	PORT=$(PORT) scripts/run

## test: everything the tests need (packages, chromium, PostgreSQL and Redis running), the pins
## audited for known vulnerabilities, then pytest
test: $(VENV)/.installed-dev system-deps services tests/web/node_modules/.installed audit-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# axe-core for the browser tests' accessibility checks (tests/web/package.json)
tests/web/node_modules/.installed: tests/web/package.json tests/web/package-lock.json
	cd tests/web && npm ci --silent --no-audit --no-fund
	touch $@

## audit-deps: pip-audit over the pins; fails on a vulnerable pin, skips loudly without the network
audit-deps: $(VENV)/.installed-dev
	$(BIN)/python scripts/audit-deps

system-deps:
	@scripts/system-deps

services:
	@scripts/services

## bench: the speed figures the README quotes (each a ratio against a baseline in the same run)
bench: $(VENV)/.installed-dev
	$(BIN)/pip install --quiet -r requirements-bench.txt
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python bench/api_speed.py
	cd tools/citeproc-js && npm ci --silent
	$(BIN)/python bench/engine_speed.py
	$(BIN)/python bench/references_speed.py
	$(BIN)/python bench/doi_batch.py
	$(BIN)/python bench/link_check.py
	$(BIN)/python bench/description_check.py
	$(BIN)/python -m tests.links.description_report
	$(BIN)/python bench/load.py

## fixtures: re-render the corpus with citeproc-js (needs node and npm)
fixtures:
	cd tools/citeproc-js && npm ci --silent && node render.js

clean:
	rm -rf $(VENV) instance .pytest_cache
