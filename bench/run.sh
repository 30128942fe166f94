#!/usr/bin/env bash
# `make bench`: start the stack as `make run` does (throttles opened wide: the load comes from one
# address), then load it straight at Rasa and through the gateway, and write the figures under
# bench/results/<label>/ (one JSON per load, summary.json, summary.md and latency.png).
#
#   bench/run.sh [label]              label defaults to "latest"
#   bench/run.sh profile --profile    instead of the loads: where Rasa's time goes under load (py-spy)
#   bench/run.sh cluster --cluster    the cluster (scripts/cluster.py) with 1, 2 and 4 of each process
#                                     on PostgreSQL, Redis and RabbitMQ: 50 conversations through nginx
#
# Both run on the local PostgreSQL (databases bench_bank and bench_tracker, made afresh), the
# storage a bank runs; the SQLite files of `make run` are a demo's, one writer at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
LABEL=${1:-latest}
OUT=bench/results/$LABEL
PY=.venv/bin/python
export APP_ENV=${APP_ENV:-demo}
export LOGIN_LIMITS_PER_ACCOUNT="100000 per minute" LOGIN_LIMITS_PER_ADDRESS="100000 per minute"
export CONVERSATION_LIMITS_PER_ADDRESS="100000 per minute" RATE_LIMIT_PER_MINUTE=100000
export RASA_MAX_CONCURRENCY=${RASA_MAX_CONCURRENCY:-64}
rm -rf "$OUT" && mkdir -p "$OUT"

scripts/services.sh
export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_bank
export TRACKER_STORE_URL=postgresql://postgres@127.0.0.1:5432/bench_tracker
fresh_databases() {
  for db in bench_bank bench_tracker; do
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" postgres
  done
}

if [[ "${2:-}" == "--cluster" ]]; then
  export CLUSTER_PORT=${CLUSTER_PORT:-8080} RASA_TIMEOUT_SECONDS=60
  for size in ${CLUSTER_SIZES:-1 2 4}; do
    fresh_databases
    CLUSTER_SIZE=$size CLUSTER_DIR=$PWD/$OUT/cluster-$size "$PY" scripts/cluster.py >"$OUT/cluster-$size.log" 2>&1 &
    CLUSTER=$!
    trap 'kill $CLUSTER 2>/dev/null || true' EXIT INT TERM
    scripts/wait_for.sh "http://127.0.0.1:$CLUSTER_PORT/ready" 900
    "$PY" bench/load.py --target gateway --url "http://127.0.0.1:$CLUSTER_PORT" --conversations 4 --think 0 >/dev/null
    "$PY" bench/load.py --target gateway --url "http://127.0.0.1:$CLUSTER_PORT" --conversations 50 --think 0 \
      --out "$OUT/cluster$size-gateway-50-closed.json"
    "$PY" bench/load.py --target gateway --url "http://127.0.0.1:$CLUSTER_PORT" --conversations 50 --think 3 \
      --out "$OUT/cluster$size-gateway-50-paced.json"
    ps -eo rss=,args= | grep -E "rasa run|actions.server|uvicorn|bot.events" | grep -v grep >"$OUT/memory-cluster$size.txt" || true
    kill "$CLUSTER"; wait "$CLUSTER" || true
  done
  "$PY" bench/report.py "$OUT"
  exit 0
fi

fresh_databases
"$PY" -m bot.data.prepare_storage >/dev/null
scripts/run.sh >"$OUT/stack.log" 2>&1 &
STACK=$!
stop() { kill "$STACK" 2>/dev/null || true; wait "$STACK" 2>/dev/null || true; }
trap stop EXIT INT TERM
scripts/wait_for.sh "http://127.0.0.1:${API_PORT:-8000}/" 600

"$PY" bench/load.py --target rasa --conversations 2 --think 0 >/dev/null   # warm-up: first parses load lazily
"$PY" bench/load.py --target gateway --conversations 2 --think 0 >/dev/null
if [[ "${2:-}" == "--profile" ]]; then
  RASA_PID=$(pgrep -f "rasa run" | head -1)
  .venv/bin/py-spy record --pid "$RASA_PID" --duration 30 --rate 200 --format raw --output "$OUT/rasa.txt" --nonblocking &
  SPY=$!
  "$PY" bench/load.py --target rasa --conversations 50 --think 0 --turns 12 --out "$OUT/rasa-50-closed.json"
  wait "$SPY" || true
  "$PY" bench/profile_report.py "$OUT/rasa.txt" | tee "$OUT/profile.txt"
  exit 0
fi
for target in rasa gateway; do
  for n in ${BENCH_CONVERSATIONS:-1 10 50 100}; do
    "$PY" bench/load.py --target "$target" --conversations "$n" --think 3 --out "$OUT/$target-$n-paced.json"
  done
  "$PY" bench/load.py --target "$target" --conversations 50 --think 0 --out "$OUT/$target-50-closed.json"
done
"$PY" bench/load.py --target rasa --conversations 1 --think 0 --turns 50 --out "$OUT/rasa-1-long.json"
ps -eo rss=,args= | grep -E "rasa run|actions.server|uvicorn" | grep -v grep >"$OUT/memory.txt" || true
"$PY" bench/report.py "$OUT"
