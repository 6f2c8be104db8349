# Minsheng: two commands do all set-up on a fresh machine with Python 3.11.
#   make run   install, migrate, load the demo county, serve on http://127.0.0.1:$(PORT)
#   make test  install and run every test
PYTHON ?= python3.11
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck install check clean

# Python 3.11 may be installed as python3 only; fall back to it when python3.11 is absent.
PYTHON_BIN := $(shell command -v $(PYTHON) 2>/dev/null || command -v python3)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON_BIN) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) collectstatic --noinput --verbosity 0
	$(MANAGE) serve --port $(PORT)

test: install
	$(BIN)/pytest -p no:cacheprovider -n 2

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy minsheng

check: lint typecheck test

clean:
	rm -rf $(VENV) var/static .pytest_cache .mypy_cache .ruff_cache
