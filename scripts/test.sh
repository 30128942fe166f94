#!/usr/bin/env bash
# The whole test run: data validation, one training, dialogue tests, held-out NLU figures,
# then pytest (unit, actions on a temporary database, API, end-to-end through the real servers,
# and two real browsers over the whole stack), then a scan of every log the stack wrote.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export APP_ENV=${APP_ENV:-demo}
rm -rf results/logs
mkdir -p results/logs

echo "== rasa data validate"
"$BIN/rasa" data validate --quiet  # errors fail here; tests/test_data_validation.py fails on any warning that matters

echo "== training (skipped when data and config are unchanged)"
"$BIN/rasa" train --fixed-model-name assistant --out models --quiet

echo "== test stories through the dialogue policies (written ones and conversations trainers saved)"
rm -rf results/test_stories && mkdir -p results/test_stories
cp tests/test_stories.yml results/test_stories/
cp tests/conversations/*.yml results/test_stories/ 2>/dev/null || true
"$BIN/rasa" test core --stories results/test_stories --model models/assistant.tar.gz \
  --out results/core --fail-on-prediction-errors --quiet
"$BIN/python" -c 'import json; c = json.load(open("results/core/story_report.json"))["conversation_accuracy"]; print("test stories:", c["correct"], "of", c["total"], "correct")'

echo "== held-out examples are not copies of training examples"
"$BIN/python" scripts/heldout_overlap.py

echo "== held-out NLU evaluation"
"$BIN/python" scripts/evaluate_nlu.py --model models/assistant.tar.gz --data tests/nlu_heldout.yml

echo "== browser for the page tests"
scripts/install_browser.sh

echo "== pytest"
# In-process records at INFO (at DEBUG, Rasa's training-data parser repeats the example answers
# of the NLU files); the API servers the tests start log at DEBUG, socket frames included.
"$BIN/python" -m pytest --log-file=results/logs/pytest.log --log-file-level=INFO "$@"

echo "== no token, secret, card or ID number or verification answer in any log"
"$BIN/python" scripts/scan_logs.py results/logs
