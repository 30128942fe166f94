#!/usr/bin/env bash
# `make test-cluster`: the whole test suite again on the production settings (PostgreSQL for the
# bank data and Rasa's tracker store, Redis for the conversation lock and the live frames,
# RabbitMQ for Rasa's events), then the cluster (scripts/cluster.py: 2 gateways, 2 Rasa, 2 action
# servers, the event consumer, nginx) under load and faults, then the log scan over both.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export APP_ENV=${APP_ENV:-demo}
mkdir -p results/logs

echo "== model (the one \`make test\` trained, restored from the training cache)"
"$BIN/rasa" train --fixed-model-name assistant --out models --quiet
scripts/install_browser.sh

echo "== pytest on the production settings"
export TEST_DATABASE_URL=${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
export TEST_REDIS_URL=${TEST_REDIS_URL:-redis://127.0.0.1:6379/3}
export TEST_RABBITMQ_URL=${TEST_RABBITMQ_URL:-amqp://guest:guest@127.0.0.1:5672/}
"$BIN/python" -m pytest --log-file=results/logs/pytest-production.log --log-file-level=INFO "$@"

echo "== the cluster under load and faults"
unset TEST_DATABASE_URL TEST_REDIS_URL TEST_RABBITMQ_URL
TEST_CLUSTER=1 "$BIN/python" -m pytest tests/cluster -s --log-file=results/logs/pytest-cluster.log --log-file-level=INFO

echo "== no token, secret, card or ID number or verification answer in any log"
"$BIN/python" scripts/scan_logs.py results/logs
