# Two commands on a fresh machine with only python3 and make: `make run`, `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint bench clean

# What running needs, and nothing more (no test tools, no browser driver).
$(RUN_STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e .
	touch $@

# The rest: pytest and its plugins, hypothesis, Playwright, ruff, mypy.
$(TEST_STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	touch $@

run: $(RUN_STAMP)
	$(BIN)/voicesim serve

# The gates, then the whole suite (pytest -m "not slow" is the fast tier).
test: $(TEST_STAMP)
	@scripts/ensure-chromium
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest -q

lint: $(TEST_STAMP)
	$(BIN)/ruff check simulator tests benchmarks
	$(BIN)/mypy

bench: $(TEST_STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info
