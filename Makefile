# Muster developer commands. On a fresh clone: `make run` (the whole system), `make test` (the suite).
# `make help` lists every target.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reinstall only when pyproject.toml changes. Running needs Muster alone; the test tools come with `make test`.
RUN_STAMP := $(VENV)/.muster-run-installed
STAMP := $(VENV)/.muster-installed
PYTEST_ARGS ?=
BENCH_ARGS ?=
CHECKED := models workflows activities portal services seed devtools benchmarks compliance storage telemetry worker.py settings.py

.DEFAULT_GOAL := run
.PHONY: help setup run test check bench migrate seed clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: $(STAMP) ## create .venv and install Muster with its test tools

$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e .
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install -e ".[test]"
	touch $(STAMP)

run: $(RUN_STAMP) ## migrate, seed the demo agency, start Temporal, mail catcher, worker and portal
	$(BIN)/python -m devtools.run

test: setup ## run the test suite; extra pytest arguments via PYTEST_ARGS="-k name -x"
	$(BIN)/pytest -q $(PYTEST_ARGS)

check: setup ## ruff, mypy and bandit
	$(BIN)/ruff check .
	$(BIN)/mypy $(CHECKED)
	$(BIN)/bandit -q -r models workflows activities portal services seed devtools compliance storage telemetry worker.py settings.py -c pyproject.toml

bench: setup ## benchmarks vs same-run baselines (40,000 officers x 10 records); BENCH_ARGS=--state-scale: 120,000 x 100
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

migrate: $(RUN_STAMP) ## apply database migrations (MUSTER_DATABASE_URL, default var/muster.db)
	$(BIN)/alembic upgrade head

seed: $(RUN_STAMP) ## create the demo agency if it does not exist
	$(BIN)/python -m seed.demo

clean: ## DELETES var/ (the local database, Temporal history, mailbox) and tool caches
	rm -rf var .pytest_cache .mypy_cache .ruff_cache .hypothesis test-results
	find . -path ./$(VENV) -prune -o -type d -name __pycache__ -exec rm -rf {} +
