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
# A read-only FHIR token for the demo clinic (try: curl -H "Authorization: Bearer <token>" …/fhir/R4/Patient).
$PY manage.py fhir_demo_token
# The task worker, restarted if it dies (as systemd's Restart=always does in production, see deploy/). Each
# start re-queues what a killed run left: tasks whose lease expired, narrations a Ctrl-C cut short.
# A worker that exits by itself with status 0 was stopped on purpose (Ctrl-C) and is not restarted.
(
  trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM
  while true; do
    $PY manage.py db_worker --queue-name "*" --interval 1 --no-reload &
    child=$!
    wait "$child" && break
    echo "task worker stopped unexpectedly (status $?); restarting it in 2 s" >&2
    sleep 2
  done
) &
WORKER=$!
trap 'kill -TERM $WORKER 2>/dev/null || true; wait $WORKER 2>/dev/null || true' EXIT INT TERM
echo "Toxin Clinic demo on http://127.0.0.1:${PORT}/  (task worker supervisor pid $WORKER; Ctrl-C stops both)"
PORT="$PORT" WORKERS_KILL_TIMEOUT="${WORKERS_KILL_TIMEOUT:-2}" ./scripts/serve.sh
