#!/usr/bin/env bash
# The whole test run: data validation, one training, dialogue tests, held-out NLU figures,
# then pytest (unit, actions on a temporary database, API, end-to-end through the real servers,
# and two real browsers over the whole stack).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
mkdir -p results

echo "== rasa data validate"
"$BIN/rasa" data validate --quiet  # errors fail here; tests/test_data_validation.py fails on any warning that matters

echo "== training (skipped when data and config are unchanged)"
"$BIN/rasa" train --fixed-model-name assistant --out models --quiet

echo "== test stories through the dialogue policies"
"$BIN/rasa" test core --stories tests/test_stories.yml --model models/assistant.tar.gz \
  --out results/core --fail-on-prediction-errors --quiet
"$BIN/python" -c 'import json; c = json.load(open("results/core/story_report.json"))["conversation_accuracy"]; print("test stories:", c["correct"], "of", c["total"], "correct")'

echo "== held-out NLU evaluation"
"$BIN/python" scripts/evaluate_nlu.py --model models/assistant.tar.gz --data tests/nlu_heldout.yml

echo "== browser for the page tests"
scripts/install_browser.sh

echo "== pytest"
"$BIN/python" -m pytest "$@"
