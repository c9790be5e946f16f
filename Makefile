# Quick start: `make demo` and `make test`. Both set themselves up on first use (a virtualenv in
# .venv, prodsmoke with its dev extra, and a Chromium: a headless shell where one can be had, a
# full Chromium otherwise; scripts/ensure-browser says which) and are cheap to run again.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test lint typecheck unit browser postgres clean

demo: $(INSTALLED) browser
	$(BIN)/smoke demo

test: lint typecheck unit

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/check-layers

typecheck: $(INSTALLED)
	$(BIN)/mypy

# pytest exits 5 when nothing was collected (e.g. a filtered run); that is not a failure here.
unit: $(INSTALLED) browser postgres
	$(BIN)/pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then rc=0; fi; exit $$rc

browser: $(INSTALLED)
	@scripts/ensure-browser $(BIN)

# The history tests start a real PostgreSQL server (tests/pg_server.py) from Debian's package.
# Installed when missing if we are root with apt-get; elsewhere those tests are skipped, saying so.
postgres:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing postgresql (the history tests run a real server)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else \
	  echo "note: no PostgreSQL server binaries: the PostgreSQL history tests will be skipped"; \
	fi

# With constraints.txt: the Playwright CI, the scheduled workflow and the Lambda image run.
$(INSTALLED): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt -e '.[dev]'
	@touch $@

clean:
	rm -rf $(VENV) smoke-results .mypy_cache .ruff_cache
