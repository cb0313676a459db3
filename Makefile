# Min vårdplan. `make run` serves the demo; `make test` runs every test. Both set themselves up.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PYTEST := $(BIN)/pytest
CHROMIUM := /usr/bin/chromium

.PHONY: run test test-clock bench lint translations translations-update chromium faketime clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(BIN)/.installed-test: pyproject.toml $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

translations: $(BIN)/.installed
	$(BIN)/pybabel compile -d translations --statistics

translations-update: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output --width 120 -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete --width 120

run: $(BIN)/.installed translations
	$(FLASK) db upgrade
	$(FLASK) forms import
	$(FLASK) demo-data
	$(FLASK) content import
	@echo "Min vårdplan is at http://127.0.0.1:5000 (stop with Ctrl+C)."
	$(FLASK) run --host 127.0.0.1 --port 5000

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Debian's chromium at $(CHROMIUM)."; \
	    echo "Install it with: sudo apt-get install chromium   (then run make test again)"; exit 1; \
	  fi; \
	fi

faketime:
	@if ! command -v faketime >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's faketime for the clock tests…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null; \
	  else \
	    echo "make test-clock needs faketime: sudo apt-get install faketime"; exit 1; \
	  fi; \
	fi

lint: $(BIN)/.installed-test
	$(BIN)/ruff check .

test: $(BIN)/.installed-test chromium translations lint
	env -u TEST_DATABASE_URL $(PYTEST)
	@if [ -n "$${TEST_DATABASE_URL:-}" ]; then \
	  echo "== The same suite on PostgreSQL ($${TEST_DATABASE_URL%%@*}@…) =="; \
	  $(PYTEST); \
	fi

# The SQLite suite at six awkward moments (midnight in Sweden, New Year, DST, 29 February…); about 25 minutes.
test-clock: $(BIN)/.installed-test chromium faketime translations
	scripts/test_clock.sh

bench: $(BIN)/.installed-test translations
	$(BIN)/python bench/thread_open.py
	@if [ -n "$${TEST_DATABASE_URL:-}" ]; then BENCH_DATABASE_URL="$$TEST_DATABASE_URL" $(BIN)/python bench/thread_open.py; fi

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
