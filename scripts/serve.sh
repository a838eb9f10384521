#!/usr/bin/env bash
# The web server, as `make demo` and the benchmarks run it: granian (WSGI) on 127.0.0.1:$PORT.
#
# WEB_WORKERS processes (default: one per CPU core) with WEB_THREADS threads each (default 1). One thread per
# process is deliberate on SQLite: a thread that holds the database's single write lock must get the GIL
# back after every statement, and with several request threads per process it waits behind them (up to the
# 5 ms switch interval each time). Measured with benchmarks/bench_diary_api.py: 2 workers x 1 thread saved
# diary days 25-30 % faster than 2 x 8, with the same /healthz floor. Raise WEB_THREADS on PostgreSQL.
set -euo pipefail
PORT="${PORT:-8000}"
WEB_WORKERS="${WEB_WORKERS:-$(nproc 2>/dev/null || echo 2)}"
WEB_THREADS="${WEB_THREADS:-1}"
STATIC_DIR="${TOXINCLINIC_VAR:-var}/static"
# A worker that dies (kill -9, out of memory) is replaced after RESPAWN_INTERVAL seconds instead of taking
# granian down with it; the others keep serving meanwhile.
RESPAWN_INTERVAL="${RESPAWN_INTERVAL:-1}"
# Ctrl-C reaches the workers as well as granian's main process; a worker signalled directly does not
# always stop when asked (measured: half of the stops hung until killed), so it is killed after this many
# seconds instead of hanging the shutdown.
WORKERS_KILL_TIMEOUT="${WORKERS_KILL_TIMEOUT:-5}"
HOST="${HOST:-127.0.0.1}"
args=(--interface wsgi --host "$HOST" --port "$PORT" --workers "$WEB_WORKERS" --blocking-threads "$WEB_THREADS" --no-ws
  --respawn-failed-workers --respawn-interval "$RESPAWN_INTERVAL" --workers-kill-timeout "$WORKERS_KILL_TIMEOUT")
if [ -d "$STATIC_DIR" ]; then
  args+=(--static-path-route /static --static-path-mount "$STATIC_DIR")
fi
exec "${GRANIAN:-$(dirname "$0")/../.venv/bin/granian}" "${args[@]}" toxinclinic.wsgi:application
