# thidua — the two commands a newcomer needs are `make run` and `make test`.
# Everything installs into .venv from requirements.lock (hashes pinned), so a fresh
# machine needs only Python >= 3.11, make and access to PyPI.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run LAN=1` at a venue: serve the venue's Wi-Fi and print this laptop's address in the voting
# cards' QR codes, so delegates' phones can reach it.
ifeq ($(LAN),1)
HOST := 0.0.0.0
LAN_ADDRESS = $(shell $(PYTHON) -m thidua.lib.lan)
export THIDUA_PUBLIC_URL = http://$(LAN_ADDRESS):$(PORT)
endif
# The PostgreSQL server `make test` runs the suite against a second time, when it answers.
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/thidua
# The PostgreSQL pass runs with Redis as the shared cache, as production does (its own database index:
# the tests empty it).
REDIS_TEST_URL ?= redis://127.0.0.1:6379/9
# The worker runs on CPU time the web server does not want: Linux's idle class where chrt is found, and
# nice 10 (docs/deployment.md, "The worker"; measured in bench/queue_load_bench.py).
BELOW_THE_WEB := $(if $(shell command -v chrt 2>/dev/null),chrt --idle 0 ,)nice -n 10

# The demo's printed logins sign in with the password alone: two-factor sign-in, on by default everywhere
# else, is off for `make run` and `make dev` unless THIDUA_TWO_FACTOR_REQUIRED is set (docs/deployment.md).
run dev: export THIDUA_TWO_FACTOR_REQUIRED ?= 0

.PHONY: run dev test test-sqlite test-postgres check lock demo samples clean install backup restore

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

install: $(VENV)/.installed

## Serve the demo on http://$(HOST):$(PORT) (migrate, load the demo idempotently, print the logins).
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py demo_logins
	@echo "thidua: http://$(HOST):$(PORT)/$(if $(filter 1,$(LAN)), — điện thoại của đại biểu: $(THIDUA_PUBLIC_URL)/,)"
	@# The worker runs the background tasks (e-mails, printed here as no THIDUA_EMAIL_HOST is set; the
	@# documents' PDFs) beside gunicorn, below its CPU priority so that a conversion never slows a page or
	@# a vote, and stops with it: Ctrl+C reaches both, and the trap ends it whatever ends gunicorn.
	$(BELOW_THE_WEB) $(PY) manage.py run_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(VENV)/bin/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile - --forwarded-allow-ips=""

## Development server with auto-reload and DEBUG on.
dev: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(BELOW_THE_WEB) $(PY) manage.py run_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	THIDUA_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

## Reload the demo data from scratch (the demo's own rows only).
demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --reset

## The whole suite on SQLite, then again on PostgreSQL when a server answers. The slowest end-to-end
## tests (marker `once`: the whole year in a browser) run in one pass only: PostgreSQL's, as production,
## or SQLite's when no PostgreSQL answers.
test: install
	@if $(PY) -m thidua.lib.pgprobe "$(PG_TEST_URL)"; then \
		$(MAKE) --no-print-directory test-sqlite ONCE='-m "not once"' && \
		$(MAKE) --no-print-directory test-postgres; \
	else \
		$(MAKE) --no-print-directory test-sqlite || exit 1; \
		echo "PostgreSQL does not answer at $(PG_TEST_URL): suite ran on SQLite only."; \
		if [ -n "$$CI" ]; then echo "CI must run PostgreSQL too."; exit 1; fi; \
	fi

test-sqlite: install
	DATABASE_URL= $(PY) -m pytest $(ONCE) $(PYTEST_ARGS)

test-postgres: install
	@if $(PY) -m thidua.lib.redisprobe "$(REDIS_TEST_URL)"; then redis="$(REDIS_TEST_URL)"; \
	else \
		echo "Redis does not answer at $(REDIS_TEST_URL): PostgreSQL pass without the shared cache."; \
		if [ -n "$$CI" ]; then echo "CI must run Redis too."; exit 1; fi; redis=; \
	fi; \
	echo "DATABASE_URL=$(PG_TEST_URL) THIDUA_REDIS_URL=$$redis"; \
	DATABASE_URL=$(PG_TEST_URL) THIDUA_REDIS_URL=$$redis $(PY) -m pytest $(PYTEST_ARGS)

## Lint, types, migrations, and security: bandit on our code (medium and high findings fail; each
## exception is a `# nosec` with its reason on the line), pip-audit on the locked packages (see
## thidua/lib/depaudit.py for what happens when the vulnerability service cannot be reached).
check: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/bandit -c pyproject.toml -r . --severity-level medium --quiet
	$(PY) -m thidua.lib.depaudit requirements.lock

## Back up the database and the media files into one archive with a SHA-256 manifest
## (THIDUA_BACKUP_DIR, default var/backups; DIR=… for another folder).
backup: install
	$(PY) manage.py backup $(DIR)

## Replace the database and media files with a backup's: `make restore FILE=var/backups/thidua-….tar.gz`.
## Checks every hash first and asks before replacing anything; stop the app processes before.
restore: install
	@if [ -z "$(FILE)" ]; then echo "make restore FILE=path/to/thidua-YYYYMMDD-HHMMSS.tar.gz"; exit 2; fi
	$(PY) manage.py restore "$(FILE)"

## Render docs/samples/*.png: every page of each document the cluster issues (tests/test_samples.py
## compares fresh renders with them, so a change of layout is accepted by running this), the voting cards and a paper
## ballot, made from the replayed Cụm 4 conference of 2023 in a throwaway SQLite database (LibreOffice
## converts the documents to PDF, poppler's pdftoppm draws the pages), and the news site's home page and
## seed article on a desktop and a phone (Chromium). Run it after changing a layout.
samples: install
	$(PY) -m thidua.demo.samples
	THIDUA_SAMPLES_DIR=$(CURDIR)/docs/samples DATABASE_URL= $(PY) -m pytest -q -p no:cacheprovider tests/browser/test_news_in_browser.py

## Regenerate requirements.lock from pyproject.toml (after changing a dependency).
lock: install
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --generate-hashes \
		--python-version 3.11 --quiet -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
