# ClosetAds: `make demo` starts everything with demo data; `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

# The development server follows the simulated clock of `simulate --http` (embedded mode only:
# never with a DATABASE_URL; the settings refuse it in production anyway).
# `make demo WEB_PORT=8123` serves on another port; the printed sign-in links follow it.
WEB_PORT ?= 8000
BASE_ENV := CLOSETADS_BASE_URL=http://127.0.0.1:$(WEB_PORT)
DEV_ENV := DEBUG=1 WEB_PORT=$(WEB_PORT) $(BASE_ENV) $(if $(DATABASE_URL),,CLOSETADS_SIMULATED_CLOCK=1)

.PHONY: help demo run test test-fast lint format migrations-check deploy-check bench screenshots clean messages

# Translations (docs/architecture/i18n.md): locale/<lang>/LC_MESSAGES/django.po is committed,
# its .mo is built here from it (GNU gettext's msgfmt, as Django's compilemessages does) and
# never committed. `make messages` updates the catalogs from the sources, then builds them.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
MSGFMT_MISSING := msgfmt not found: install GNU gettext (apt-get install gettext; brew install gettext) to update the catalogs

help:
	@echo "make demo    start web + worker + beat with a demo marketplace at http://127.0.0.1:8000 (WEB_PORT=N for another port)"
	@echo "make test    run the whole test suite (SQLite; PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)"
	@echo "make lint    ruff, import contracts (lint-imports), mypy"
	@echo "make messages  update locale/*/django.po from the sources and build the .mo files"
	@echo "make screenshots  PNGs of the seller pages into docs/screenshots/"
	@echo "make bench   benchmarks (needs PostgreSQL + Redis), figures into dev/bench/results.json"

$(STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

# core.pofile.build_mo: GNU msgfmt where installed (it also checks the placeholders), else its own
# compiler (core/pofile.py), so a machine with only Python and make builds them too.
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(STAMP)
	$(BIN)/python -m core.pofile $< $@

messages: $(STAMP)
	@command -v msgfmt >/dev/null 2>&1 || { echo "$(MSGFMT_MISSING)"; exit 1; }
	$(BIN)/python manage.py makemessages --all --no-obsolete --ignore=.venv --ignore=var --ignore=bench --ignore=static
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var

# The demo serves hashed, compressed static files with long-lived cache headers, as
# production does (collected into var/staticfiles first).
DEMO_ENV := $(DEV_ENV) CLOSETADS_COMPRESSED_STATIC=1

demo: $(STAMP) $(MO_FILES)
	$(BIN)/python manage.py migrate --noinput
	CLOSETADS_COMPRESSED_STATIC=1 $(BIN)/python manage.py collectstatic --noinput -v0
	$(BASE_ENV) $(BIN)/python manage.py load_demo
	@echo "Starting web, worker and beat (Ctrl-C stops all of them)..."
	$(DEMO_ENV) $(BIN)/honcho start -f Procfile.dev

run: $(STAMP) $(MO_FILES)
	$(DEV_ENV) $(BIN)/honcho start -f Procfile.dev

# A Chromium for the browser tests first: Debian's, else apt-get (as root), else Playwright's
# own download; where none can be had, one line saying what to install (dev/browser.py).
test: $(STAMP) $(MO_FILES)
	@$(BIN)/python -m dev.browser
	$(BIN)/python -m pytest

# ruff; the import contracts (import-linter, pyproject.toml); mypy with django-stubs.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .

migrations-check: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: $(STAMP) $(MO_FILES)
	$(BIN)/python -m dev.bench.run

# Screenshots of the seller pages for the README (temp SQLite demo data, Chromium as for make test).
screenshots: $(STAMP) $(MO_FILES)
	@$(BIN)/python -m dev.browser
	$(BIN)/python -m dev.screenshots

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
