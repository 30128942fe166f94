#!/usr/bin/env bash
# Starts the action server, the Rasa server (REST channel + HTTP API) and the web API
# (bank page, chat gateway, agent console); Ctrl-C stops them all.
# With --shell, chats in this terminal instead of serving HTTP.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV_BIN=.venv/bin
ACTION_PORT=${ACTION_PORT:-5055}
RASA_PORT=${RASA_PORT:-5005}
API_PORT=${API_PORT:-8000}
export RASA_URL=${RASA_URL:-http://localhost:$RASA_PORT}
export RASA_API_TOKEN=${RASA_API_TOKEN:-demo-only-rasa-api-token}
mkdir -p var/log

pids=()
stop() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

"$VENV_BIN/rasa" run actions --actions actions --port "$ACTION_PORT" >var/log/actions.log 2>&1 &
pids+=($!)
scripts/wait_for.sh "http://localhost:$ACTION_PORT/health" 120

if [[ "${1:-}" == "--shell" ]]; then
  "$VENV_BIN/rasa" shell --model models --endpoints endpoints.yml
  exit 0
fi

"$VENV_BIN/rasa" run --interface "${RASA_HOST:-127.0.0.1}" --model models --enable-api --auth-token "$RASA_API_TOKEN" --port "$RASA_PORT" \
  --endpoints endpoints.yml --credentials credentials.yml >var/log/rasa.log 2>&1 &
pids+=($!)
scripts/wait_for.sh "http://localhost:$RASA_PORT/status?token=$RASA_API_TOKEN" 300
"$VENV_BIN/uvicorn" api.main:app --host "${API_HOST:-0.0.0.0}" --port "$API_PORT" >var/log/api.log 2>&1 &
pids+=($!)
scripts/wait_for.sh "http://localhost:$API_PORT/api/bank/demo-customers" 60
echo "Bank site and chat: http://localhost:$API_PORT   agent console: http://localhost:$API_PORT/agent"
echo "Rasa server:   http://localhost:$RASA_PORT  (REST channel: POST /webhooks/rest/webhook)"
echo "Action server: http://localhost:$ACTION_PORT"
echo "Logs in var/log/. Ctrl-C stops everything."
wait -n "${pids[@]}"
