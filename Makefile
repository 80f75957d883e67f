# Two commands do everything on a fresh Debian machine with Python 3.11+, Node and npm:
#   make run    set up, then run the app, a worker and beat on http://localhost:3000
#   make test   set up (with test tools and Chromium), then lint and run the whole suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BUN := .tools/node_modules/.bin/bun
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test setup setup-test lint unit e2e bench messages lock clean help

help:
	@echo "make run    - install what is missing, then start cbe_app on http://localhost:$${PORT:-3000}"
	@echo "make test   - install test tools and Chromium if missing, lint, then run every test"

run: setup
	$(PY) -m cbe_app run

test: setup-test lint
	$(PY) -m pytest

lint: setup-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

setup: $(VENV)/.runtime $(BUN)

setup-test: setup $(VENV)/.dev chromium

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "cbe_app needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt $(VENV)/bin/python
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

# Reflex would download bun from the internet; the npm registry has it.
$(BUN): .tools/package.json .tools/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js and npm (apt-get install nodejs npm)"; exit 1; }
	npm ci --prefix .tools --no-audit --no-fund --loglevel=error
	@touch $@

# Browser tests drive Debian's Chromium; a tool's own browser download cannot work offline.
chromium:
	@if command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's chromium and CJK fonts for the browser tests..."; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else \
		echo "Browser tests need Debian's Chromium and CJK fonts: sudo apt-get install chromium fonts-noto-cjk"; \
		exit 1; \
	fi

.PHONY: chromium

e2e: setup-test
	$(PY) -m pytest -m e2e

unit: setup-test
	$(PY) -m pytest -m "not e2e and not worker"

bench: setup
	$(PY) bench/demo_load.py
	$(PY) bench/sync.py
	$(PY) bench/dashboard.py

messages: setup-test
	./scripts/messages.sh

lock:
	./scripts/lock.sh

clean:
	rm -rf $(VENV) .tools/node_modules .web .states data test-artifacts
