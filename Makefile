# PaperBot: `make demo` and `make test` set everything up on a fresh machine (Python 3.11+).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast test-future lint typecheck bench clean install deploy-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/paperbot demo

# The checks pre-commit runs (.pre-commit-config.yaml), then the whole suite (slow tests included).
test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest

# The same without the slow end-to-end tests (CI runs them all through `make test`).
test-fast: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -m "not slow"

# The whole suite again with the wall clock 400 days ahead in every Python process it starts
# (tests/timeshift/sitecustomize.py): no test may depend on today's date. CI runs both.
test-future: $(STAMP)
	PYTHONPATH=$(CURDIR)/tests/timeshift PAPERBOT_TIME_SHIFT_DAYS=400 \
		$(BIN)/python -m pytest -W ignore::pytest.PytestAssertRewriteWarning

lint: $(STAMP)
	$(BIN)/ruff check bot storage adapters app tests benchmarks
	$(BIN)/ruff format --check bot storage adapters app tests benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy --strict bot

# The image builds where Docker and the base image are present; otherwise the deploy files are
# checked (compose config when available, hadolint, tests/deploy). CI runs it (.ci/run).
deploy-check: $(STAMP)
	VENV=$(VENV) scripts/deploy_check.sh

# Quick figures; see README "Performance" for every benchmark and its command.
bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python -m benchmarks.ranking_speed

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
