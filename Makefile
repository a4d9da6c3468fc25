# Vigie's task runner. `make run` starts the platform on embedded defaults; `make test` checks everything.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# A development tool: its commands run Vigie in development mode (development keys, local hosts; the
# server says so loudly), which needs no other setup. Production sets DEBUG=0 and its keys (README).
export DEBUG ?= 1

.PHONY: install run test test-fast lint typecheck contracts migrations-check schema-check pytest pytest-sqlite \
	pytest-services browser nginx pango clean

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed pango

# WeasyPrint (the incident sheet in PDF) draws its text with Debian's Pango and fonts.
pango:
	@ldconfig -p | grep -q libpangoft2-1.0 && fc-list | grep -qi dejavu || { echo "installing Debian's Pango and DejaVu fonts"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; }

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py collectstatic --noinput -v0
	HOST=$(HOST) PORT=$(PORT) PY=$(PY) deploy/run-embedded.sh

# Debian's Chromium for the browser tests (never a browser download).
browser:
	@test -x /usr/bin/chromium || { echo "installing Debian's chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

contracts: install
	$(BIN)/lint-imports --no-cache

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

schema-check: install
	$(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

# Debian's nginx for the deploy tests (`nginx -t` on deploy/nginx/), installed like chromium.
nginx:
	@test -x /usr/sbin/nginx || { echo "installing Debian's nginx-light"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }

# pytest as it is configured (DATABASE_URL, REDIS_URL as set), for one folder or test: PYTEST_ARGS="tests/backend/core -x".
pytest: install browser nginx
	$(BIN)/pytest $(PYTEST_ARGS)

# The embedded default that every newcomer runs: SQLite, in-memory channel layer and cache. Tests marked
# `services` (row locks, concurrency, Redis across processes) are left to the PostgreSQL + Redis leg.
EMBEDDED := env -u DATABASE_URL -u REDIS_URL -u VIGIE_REQUIRE_SERVICES

pytest-sqlite: install browser nginx
	@start=$$(date +%s); $(EMBEDDED) $(BIN)/pytest -p no:cacheprovider -m "not services" $(PYTEST_ARGS); \
	  status=$$?; echo "pytest on SQLite: $$(( $$(date +%s) - start )) s"; exit $$status

# Production's databases, the whole suite: when DATABASE_URL is PostgreSQL, or when VIGIE_REQUIRE_SERVICES=1
# (.ci/run; then a missing PostgreSQL or Redis fails the run).
pytest-services: install browser nginx
	@if [[ "$$DATABASE_URL" =~ ^postgres(ql)?:// || "$$VIGIE_REQUIRE_SERVICES" == 1 ]]; then \
	  start=$$(date +%s); $(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS); \
	  status=$$?; echo "pytest on PostgreSQL + Redis: $$(( $$(date +%s) - start )) s"; exit $$status; \
	else echo "pytest on PostgreSQL + Redis: not run (DATABASE_URL is not PostgreSQL)"; fi

test: lint typecheck contracts migrations-check schema-check pytest-sqlite pytest-services

# The inner loop: SQLite only, no browser, no deploy checks, no PostgreSQL-only tests; no linters.
test-fast: install
	$(EMBEDDED) $(BIN)/pytest -m "not browser and not deploy and not services" $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) vigie.sqlite3 var media staticfiles
