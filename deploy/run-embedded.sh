#!/usr/bin/env bash
# Starts daphne and the worker together (embedded mode); Ctrl-C stops both.
set -euo pipefail
PY=${PY:-.venv/bin/python}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
# Development only: development mode (public keys, local hosts) unless told otherwise.
export DEBUG=${DEBUG:-1}
"$PY" manage.py run_worker &
worker=$!
trap 'kill -TERM $worker 2>/dev/null; wait $worker 2>/dev/null' EXIT INT TERM
# The same Python as the README's commands (`make run`: .venv/bin/python).
echo "Vigie : http://$HOST:$PORT/ (agents : http://$HOST:$PORT/connexion/, Python : $PY, worker pid $worker)"
# backend.core.serve is daphne that finishes the requests in flight on SIGTERM (deploy/README.md).
"$PY" -m backend.core.serve -b "$HOST" -p "$PORT" backend.asgi:application
