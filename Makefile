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

.PHONY: install run test lint typecheck contracts migrations-check schema-check pytest browser nginx clean

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

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

pytest: install browser nginx
	$(BIN)/pytest $(PYTEST_ARGS)

test: lint typecheck contracts migrations-check schema-check pytest

clean:
	rm -rf $(VENV) vigie.sqlite3 var media staticfiles
