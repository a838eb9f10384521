#!/usr/bin/env bash
# Serve the demo: migrate, load demo data once, then run the web server and a task worker together.
set -euo pipefail
PORT="${PORT:-8000}"
PY=.venv/bin/python
# DEBUG stays off unless asked for: the demo serves the app's own 404/500 pages, never Django's debug page.
export TOXINCLINIC_DEV=1 DEBUG="${DEBUG:-0}"
# Keep SQLite connections open between requests: closing the last one forces a WAL checkpoint each time.
export DB_CONN_MAX_AGE="${DB_CONN_MAX_AGE:-60}"
$PY manage.py migrate --noinput -v 0
# Every app's static files in one folder, so granian serves them all (not only core's).
$PY manage.py collectstatic --noinput -v 0
$PY manage.py demo_seed --if-empty --patients "${DEMO_PATIENTS:-200}"
$PY manage.py db_worker --queue-name "*" --interval 1 --no-reload &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM
echo "Toxin Clinic demo on http://127.0.0.1:${PORT}/  (worker pid $WORKER; Ctrl-C stops both)"
PORT="$PORT" ./scripts/serve.sh
