#!/usr/bin/env bash
# `make load`: a clinic day, compressed, against PostgreSQL with several app processes and a task worker.
#
#   1. a fresh database LOAD_DB on the PostgreSQL server of LOAD_PG_URL (dropped and created), migrated,
#      `demo_seed --patients 200`, then loadtest/seed.py (a login per person, trays of vials, today's visits);
#   2. the task worker (manage.py db_worker) and the web server (scripts/serve.sh: granian, LOAD_WEB_WORKERS
#      processes x LOAD_WEB_THREADS threads), each in its own process group;
#   3. locust --headless with loadtest/locustfile.py for LOAD_MINUTES minutes (a separate process, niced);
#   4. loadtest/report.py: figures per operation, every acknowledged write checked in the database, the
#      worker's queue drained; with LOAD_DOCS=1 (the default for runs of 10 minutes or more) the report
#      replaces the section "Load" of docs/reliability.md.
# Everything started here is stopped on exit, also on failure or Ctrl-C (trap). The database is kept for
# inspection until the next run drops it. The run's files (plan with credentials, logs, CSV, report) are in
# var/load/<time>/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=$ROOT/.venv/bin/python
LOAD_MINUTES="${LOAD_MINUTES:-10}"
LOAD_PORT="${LOAD_PORT:-8700}"
LOAD_DB="${LOAD_DB:-toxinclinic_load}"
LOAD_PG_URL="${LOAD_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
LOAD_WEB_WORKERS="${LOAD_WEB_WORKERS:-3}"
LOAD_WEB_THREADS="${LOAD_WEB_THREADS:-4}"
LOAD_NICE="${LOAD_NICE:-5}"
LOAD_PATIENTS="${LOAD_PATIENTS:-200}"
SECONDS_RUN=$(awk "BEGIN{printf \"%d\", $LOAD_MINUTES*60}")
if [ -z "${LOAD_DOCS:-}" ]; then
  LOAD_DOCS=$([ "$SECONDS_RUN" -ge 600 ] && echo 1 || echo 0)
fi
RUN="$ROOT/var/load/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RUN"
chmod 700 "$RUN"

export DATABASE_URL="${LOAD_PG_URL%/*}/$LOAD_DB"
export DJANGO_SETTINGS_MODULE=toxinclinic.settings TOXINCLINIC_DEV=1 DEBUG=0 DB_CONN_MAX_AGE=60
export TOXINCLINIC_VAR="$RUN/var" LOG_LEVEL="${LOG_LEVEL:-WARNING}" PYTHONPATH="$ROOT"
unset TEST_DB_NAME
if [ -n "${LOAD_REDIS_URL:-}" ]; then export REDIS_URL="$LOAD_REDIS_URL"; else unset REDIS_URL; fi

PIDS=()
stop_all() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  echo "load: stopped everything it started (${#PIDS[@]} process groups); run files in $RUN"
  exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Start "$@" in a new session (its own process group) with output to $1.log; remember the group.
start() {
  local name=$1; shift
  setsid "$@" >"$RUN/$name.log" 2>&1 &
  PIDS+=($!)
}

t0=$(date +%s)
echo "load: fresh database $LOAD_DB"
"$PY" - "$LOAD_PG_URL" "$LOAD_DB" <<'EOF'
import sys, psycopg
url, name = sys.argv[1], sys.argv[2]
with psycopg.connect(url, autocommit=True) as c:
    c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    c.execute(f'CREATE DATABASE "{name}"')
EOF
step() { echo "load: $1 ($(( $(date +%s) - t0 )) s)"; }
step "migrate, collectstatic"
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0
step "demo_seed --patients $LOAD_PATIENTS"
"$PY" manage.py demo_seed --patients "$LOAD_PATIENTS" --seed 2026 >"$RUN/demo_seed.log" 2>&1
step "loadtest/seed.py: logins, trays, today's visits"
"$PY" -m loadtest.seed --out "$RUN/plan.json"
step "start the task worker and the web server"
t_seed=$(date +%s)

start worker "$PY" manage.py db_worker --queue-name "*" --interval 1 --no-reload
start web env PORT="$LOAD_PORT" WEB_WORKERS="$LOAD_WEB_WORKERS" WEB_THREADS="$LOAD_WEB_THREADS" \
  WORKERS_KILL_TIMEOUT=3 ./scripts/serve.sh
for _ in $(seq 1 150); do
  curl -fsS -o /dev/null "http://127.0.0.1:$LOAD_PORT/healthz" 2>/dev/null && break
  sleep 0.2
done
curl -fsS -o /dev/null "http://127.0.0.1:$LOAD_PORT/healthz" || { echo "load: the server did not start"; tail -20 "$RUN/web.log"; exit 1; }

# The machine's load average every 10 s while locust runs.
start loadavg bash -c "while true; do echo \"\$(date +%s) \$(cut -d' ' -f1 /proc/loadavg)\"; sleep 10; done"

USERS=$("$PY" -c "import json,sys; p=json.load(open(sys.argv[1])); print(len(p['patients'])+len(p['staff']))" "$RUN/plan.json")
# People arrive over the first fifth of the run (at most two minutes), as sign-ins spread over a morning:
# each browser sign-in costs the server one Argon2 hash (100 MB, about 0.2 s of a core on a quiet machine).
RAMP=$(( SECONDS_RUN / 5 )); [ "$RAMP" -gt 120 ] && RAMP=120; [ "$RAMP" -lt 10 ] && RAMP=10
RATE=$(awk "BEGIN{printf \"%.2f\", $USERS/$RAMP}")
BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
LOCUST_STARTED=$(date +%s.%N)
echo "load: locust, $USERS people (spawn $RATE/s) for ${SECONDS_RUN}s against 127.0.0.1:$LOAD_PORT"
set +e
LOAD_PLAN="$RUN/plan.json" LOAD_OUT="$RUN" LOAD_SECONDS="$SECONDS_RUN" \
  nice -n "$LOAD_NICE" "$ROOT/.venv/bin/locust" -f loadtest/locustfile.py --headless \
  -u "$USERS" -r "$RATE" -t "${SECONDS_RUN}s" --stop-timeout 90 \
  --host "http://127.0.0.1:$LOAD_PORT" --csv "$RUN/locust" --only-summary --exit-code-on-error 0 \
  >"$RUN/locust.log" 2>&1
LOCUST_STATUS=$?
set -e
LOCUST_ENDED=$(date +%s.%N)
tail -5 "$RUN/locust.log"
[ "$LOCUST_STATUS" -eq 0 ] || { echo "load: locust exited with $LOCUST_STATUS"; tail -40 "$RUN/locust.log"; exit 1; }

# What ran, for the report: processes with their CPU seconds so far, and the load average samples.
"$PY" - "$RUN" <<EOF
import json, os, subprocess, sys
run = sys.argv[1]
plan = json.load(open(f"{run}/plan.json"))
kinds = [s["kind"] for s in plan["staff"]]
samples = []
for line in open(f"{run}/loadavg.log"):
    t, la = line.split()
    if $LOCUST_STARTED <= float(t) <= $LOCUST_ENDED + 5:
        samples.append([float(t), float(la)])
ps = subprocess.run(["ps", "-eo", "pid,pgid,cputimes,args"], capture_output=True, text=True).stdout
cpu = {"web": 0, "worker": 0}
for line in ps.splitlines()[1:]:
    pid, pgid, secs, args = line.split(None, 3)
    if int(pgid) == ${PIDS[1]}:
        cpu["web"] += int(secs)
    elif int(pgid) == ${PIDS[0]}:
        cpu["worker"] += int(secs)
meta = {
    "date": "$(date -u +%Y-%m-%d) $(date -u +%H:%M) UTC",
    "minutes": $LOAD_MINUTES,
    "users": $USERS,
    "patients": len(plan["patients"]),
    "nurses": kinds.count("nurse"),
    "clinicians": kinds.count("clinician") + kinds.count("injector"),
    "coordinators": kinds.count("coordinator"),
    "visits": len(plan["visits"]),
    "machine": f"{os.cpu_count()} cores, PostgreSQL 15 on the same machine",
    "processes": "granian $LOAD_WEB_WORKERS worker processes x $LOAD_WEB_THREADS threads (scripts/serve.sh), "
                 "1 db_worker, locust 1 process (nice $LOAD_NICE), DB_CONN_MAX_AGE=60, "
                 + ("Redis cache" if os.environ.get("REDIS_URL") else "local-memory cache per process")
                 + f"; server CPU over the whole run (seed excluded): web {cpu['web']} s, worker {cpu['worker']} s",
    "loadavg_before": "$BEFORE",
    "loadavg": samples,
    "locust_started": $LOCUST_STARTED,
    "ramp_seconds": $RAMP,
    "seed_seconds": $t_seed - $t0,
    "shared_note": os.environ.get("LOAD_NOTE", ""),
    "patient_pause": os.environ.get("LOAD_PATIENT_PAUSE", "90,210").replace(",", "–"),
}
json.dump(meta, open(f"{run}/run.json", "w"), indent=1)
EOF

DOCS_ARGS=()
[ "$LOAD_DOCS" = 1 ] && DOCS_ARGS=(--docs docs/reliability.md)
"$PY" -m loadtest.report "$RUN" "${DOCS_ARGS[@]}"
echo "load: took $(( $(date +%s) - t0 )) s in all (set-up $(( t_seed - t0 )) s)"
