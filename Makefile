# Minsheng: two commands do all set-up on a fresh machine with Python 3.11.
#   make run   install, migrate, load the demo county, serve on http://127.0.0.1:$(PORT)
#   make test  install and run every test
PYTHON ?= python3.11
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

.PHONY: run test lint typecheck install check clean

# Python 3.11 may be installed as python3 only; fall back to it when python3.11 is absent.
PYTHON_BIN := $(shell command -v $(PYTHON) 2>/dev/null || command -v python3)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON_BIN) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Apache ECharts for the statistics charts, from npm, served locally (settings.STATICFILES_DIRS).
$(NPM_STAMP): package-lock.json
	npm ci --no-audit --no-fund
	touch $(NPM_STAMP)

install: $(STAMP) $(NPM_STAMP)

run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	$(MANAGE) load_demo_board
	$(MANAGE) insight_index
	$(MANAGE) triage retrain --level 3 --from-tree --if-missing
	$(MANAGE) collectstatic --noinput --verbosity 0
	MINSHENG_ALLOW_GENERATED_SECRET_KEY=1 $(MANAGE) serve --port $(PORT)

test: install
	$(BIN)/pytest -p no:cacheprovider -n 2

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy minsheng

check: lint typecheck test

clean:
	rm -rf $(VENV) var/static .pytest_cache .mypy_cache .ruff_cache

# The English catalogue (docs/architecture.md, "Translations"). `make messages` refreshes
# minsheng/locale/en from the code and fails while any entry is untranslated or fuzzy;
# `make compilemessages` then writes the django.mo that is committed next to the .po.
.PHONY: messages compilemessages
LOCALE_IGNORE := --ignore=.venv --ignore=node_modules --ignore=var --ignore=bench --ignore=tests
EN_PO := minsheng/locale/en/LC_MESSAGES/django.po

messages: $(STAMP)
	$(MANAGE) makemessages -l en --no-obsolete $(LOCALE_IGNORE)
	@stats=$$(msgfmt --statistics -c -o /dev/null $(EN_PO) 2>&1) || { echo "$$stats"; exit 1; }; \
	echo "$$stats"; if echo "$$stats" | grep -Eq "fuzzy|untranslated"; then \
	echo "Translate the new entries in $(EN_PO), then run: make compilemessages"; exit 1; fi

compilemessages: $(STAMP)
	$(MANAGE) compilemessages -l en $(LOCALE_IGNORE)
