#!/usr/bin/env bash
# Held-out NLU figures for the README: intent F1 and entity accuracy.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python scripts/evaluate_nlu.py --model models/assistant.tar.gz --data tests/nlu_heldout.yml
