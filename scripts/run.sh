#!/usr/bin/env bash
# Starts the action server, the Rasa server (REST channel + HTTP API) and the web API
# (bank page, chat gateway, agent console); Ctrl-C stops them all.
# With --shell, chats in this terminal instead of serving HTTP.
# Settings come from the environment (bot/settings.py); `make run` sets APP_ENV=demo, where
# demo secrets are allowed. Outside demo mode every secret must be set or nothing starts.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV_BIN=.venv/bin
export ACTION_PORT=${ACTION_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
API_PORT=${API_PORT:-8000}
export RASA_URL=${RASA_URL:-http://localhost:$RASA_PORT}
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://127.0.0.1:$ACTION_PORT/webhook}
export TRACKER_STORE_URL=${TRACKER_STORE_URL:-sqlite:///$PWD/var/tracker.db}
# The shared secrets as the Python processes read them (and checked), for Rasa too.
eval "$("$VENV_BIN/python" -m bot.settings --export)"
mkdir -p var/log

pids=()
stop() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

"$VENV_BIN/python" -m actions.server >var/log/actions.log 2>&1 &
pids+=($!)
scripts/wait_for.sh "http://127.0.0.1:$ACTION_PORT/health" 120

if [[ "${1:-}" == "--shell" ]]; then
  "$VENV_BIN/rasa" shell --model models --endpoints endpoints.yml
  exit 0
fi

# the model a trainer activated last keeps serving after a restart, unless `make train` built a newer one
MODEL=$("$VENV_BIN/python" -m api.workbench_cli start-model 2>/dev/null || echo models)
"$VENV_BIN/rasa" run --interface "${RASA_HOST:-127.0.0.1}" --model "$MODEL" --enable-api --auth-token "$RASA_API_TOKEN" \
  --port "$RASA_PORT" --endpoints endpoints.yml --credentials credentials.yml >var/log/rasa.log 2>&1 &
pids+=($!)
scripts/wait_for.sh "http://127.0.0.1:$RASA_PORT/" 300
"$VENV_BIN/uvicorn" --factory api.main:create_app --host "${API_HOST:-0.0.0.0}" --port "$API_PORT" \
  ${FORWARDED_ALLOW_IPS:+--proxy-headers --forwarded-allow-ips "$FORWARDED_ALLOW_IPS"} >var/log/api.log 2>&1 &
pids+=($!)
scripts/wait_for.sh "http://127.0.0.1:$API_PORT/" 60
echo "Bank site and chat: http://localhost:$API_PORT   agent console: http://localhost:$API_PORT/agent"
echo "Trainers' workbench: http://localhost:$API_PORT/trainer   supervisors' dashboard: http://localhost:$API_PORT/dashboard"
echo "Rasa server:   http://127.0.0.1:$RASA_PORT  (localhost only; REST channel: POST /webhooks/rest/webhook)"
echo "Action server: http://127.0.0.1:$ACTION_PORT  (localhost only; requests need ACTION_SERVER_TOKEN)"
echo "Logs in var/log/. Ctrl-C stops everything."
wait -n "${pids[@]}"
