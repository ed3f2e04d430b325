# Marketplace: `make run` serves the site, `make test` runs the whole suite.
# Both create .venv, install pinned requirements and start embedded PostgreSQL and Redis
# (data under .var/) unless DATABASE_URL / REDIS_URL point at external servers.

PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test bench lint format messages clean-var

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

run: $(VENV)/.runtime-installed
	$(BIN)/python -m marketplace.devtools.launcher run

test: $(VENV)/.dev-installed
	$(BIN)/python -m marketplace.devtools.launcher test $(PYTEST_ARGS)

bench: $(VENV)/.dev-installed
	$(BIN)/python -m marketplace.devtools.launcher bench $(BENCH_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(VENV)/.dev-installed
	$(BIN)/python -m marketplace.devtools.launcher messages

clean-var:
	$(BIN)/python -m marketplace.devtools.engines down || true
	rm -rf .var
