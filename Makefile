# Min vårdplan. `make run` serves the demo; `make test` runs every test. Both set themselves up.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PYTEST := $(BIN)/pytest
CHROMIUM := /usr/bin/chromium
# The test identity provider's port: the development OIDC_ISSUER (portal/config.py) points here.
TESTIDP_PORT ?= 5001

.PHONY: run test test-clock bench bench-compare bench-scale lighthouse wrk soak security-scan lint translations translations-update chromium faketime clean

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

# The demo under gunicorn, as in production (gunicorn.conf.py: workers from the CPU count, an access log without
# query strings) but with the development settings; see docs/deploy.md for a real deployment.
run: $(BIN)/.installed translations
	$(FLASK) db upgrade
	$(FLASK) forms import
	$(FLASK) demo-data
	$(FLASK) content import
	@echo "Min vårdplan is at http://127.0.0.1:5000 (gunicorn, settings in gunicorn.conf.py; stop with Ctrl+C)."
	@# Beside it, the test identity provider for e-ID (testidp/, never in production); stopped with the portal.
	@$(BIN)/python -m testidp --port $(TESTIDP_PORT) & idp=$$!; trap 'kill $$idp 2>/dev/null' EXIT INT TERM; \
	  echo "e-ID: a test identity provider runs at http://127.0.0.1:$(TESTIDP_PORT). On the sign-in page choose"; \
	  echo "  'Logga in med e-legitimation', then pick a demo person (or type a personal number) on its page."; \
	  $(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

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

# SQLite, and with TEST_DATABASE_URL also PostgreSQL, side by side (scripts/test_suites.sh).
test: $(BIN)/.installed-test chromium translations lint
	PYTEST=$(PYTEST) scripts/test_suites.sh

# The SQLite suite at six awkward moments (midnight in Sweden, New Year, DST, 29 February…); about 25 minutes.
test-clock: $(BIN)/.installed-test chromium faketime translations
	scripts/test_clock.sh

wrk:
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's wrk for the throughput bench…"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else \
	    echo "make bench needs wrk: sudo apt-get install wrk"; exit 1; \
	  fi; \
	fi

# Opening threads of 10, 30 and 10,000 messages, then req/s of the main pages as a ratio to hello-world (gunicorn).
bench: $(BIN)/.installed-test translations wrk
	$(BIN)/python bench/thread_open.py
	@if [ -n "$${TEST_DATABASE_URL:-}" ]; then BENCH_DATABASE_URL="$$TEST_DATABASE_URL" $(BIN)/python bench/thread_open.py; fi
	$(BIN)/python bench/throughput.py
	@if [ -n "$${TEST_DATABASE_URL:-}" ]; then BENCH_DATABASE_URL="$$TEST_DATABASE_URL" $(BIN)/python bench/throughput.py; fi

# Before and after a change: the main pages of commit BEFORE and of this working tree, timed in turns (bench/compare.py).
bench-compare: $(BIN)/.installed-test translations
	@if [ -z "$(BEFORE)" ]; then echo "usage: make bench-compare BEFORE=<commit>"; exit 2; fi
	$(BIN)/python bench/compare.py $(BEFORE)

# Lighthouse 12, mobile (simulated slow 4G, 4x slower CPU), on the first loads of /login, /plan/, /plan/timeline and
# /plan/messages of a scratch demo under gunicorn: scores, LCP, FCP, TBT, CLS, requests and bytes, median of 3 runs.
# Installs Lighthouse from the npm registry into .lighthouse/ the first time (needs Node 18+); about 4 minutes.
lighthouse: $(BIN)/.installed-test translations chromium
	CHROME_PATH=$(CHROMIUM) $(BIN)/python scripts/lighthouse.py

# Every page of a patient, a relative, a nurse and an editor timed in a country-sized PostgreSQL database (scale_big:
# 100,000 patients, 2 million messages, 10 million access events …) and one a hundredth of its size (scale_small),
# as big/small ratios. Needs PostgreSQL: SCALE_DATABASE_URL, else TEST_DATABASE_URL's server, else postgres@127.0.0.1.
# About 5 minutes to build; SCALE_REUSE=1 keeps the databases of an earlier run.
bench-scale: $(BIN)/.installed-test translations
	$(BIN)/python bench/scale.py

# Load and crash (issue 12): gunicorn with 4 workers, 50 senders for 60 s, two kill -9 of workers, then every
# acknowledged message must be stored exactly once with its access event. SQLite, then PostgreSQL when
# TEST_DATABASE_URL is set (in a database `soak` made and dropped beside it). About 1.5 minutes per database.
soak: $(BIN)/.installed-test translations
	$(BIN)/python scripts/soak.py sqlite
	@if [ -n "$${TEST_DATABASE_URL:-}$${SOAK_DATABASE_URL:-}" ]; then $(BIN)/python scripts/soak.py postgresql; fi

# sqlmap (Debian's package) against the name search, id parameters and sign-in of a demo on 127.0.0.1; fails on any
# finding. See docs/security-testing.md, which also says how to run a DAST scanner (wapiti or ZAP).
security-scan: $(BIN)/.installed translations
	scripts/security_scan.sh

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
