#!/usr/bin/env bash
# NLU figures for the README, each beside a nearest-neighbour baseline (the intent of the most
# similar training sentence): held-out intent F1 and entity accuracy of models/assistant.tar.gz,
# then a 5-fold stratified cross-validation of config.yml on data/nlu (trains 5 models in a
# temporary directory; models/ is not touched). Writes results/nlu_heldout.json and
# results/nlu_cross_validation.json. FOLDS=0 skips the cross-validation.
set -euo pipefail
cd "$(dirname "$0")/.."
export APP_ENV=${APP_ENV:-demo}
BIN=.venv/bin
FOLDS=${FOLDS:-5}

echo "== held-out examples are not copies of training examples"
"$BIN/python" scripts/heldout_overlap.py || echo "(the held-out figures below are inflated by near-copies)"

echo "== held-out NLU evaluation"
"$BIN/python" scripts/evaluate_nlu.py --model models/assistant.tar.gz --data tests/nlu_heldout.yml \
  --out results/nlu_heldout.json

if [ "$FOLDS" -gt 0 ]; then
  echo "== ${FOLDS}-fold cross-validation on data/nlu (slow: trains ${FOLDS} models)"
  "$BIN/python" scripts/evaluate_nlu.py --skip-heldout --cross-validation "$FOLDS" \
    --config config.yml --train-data data/nlu --cv-out results/nlu_cross_validation.json
fi

echo "== summary: model vs nearest-neighbour baseline"
"$BIN/python" - "$FOLDS" <<'PY'
import json, sys
from pathlib import Path

rows = [("held-out", Path("results/nlu_heldout.json"))]
if int(sys.argv[1]) > 0:
    rows.append((f"{sys.argv[1]}-fold CV", Path("results/nlu_cross_validation.json")))
print(f"{'':14}{'examples':>9}{'weighted F1 model / NN':>26}{'macro F1 model / NN':>24}")
for name, path in rows:
    r = json.loads(path.read_text(encoding="utf-8"))
    model, nn = (r, r["nearest_neighbour"]) if "model" not in r else (r["model"], r["nearest_neighbour"])
    print(f"{name:14}{r['examples']:>9}"
          f"{model['intent_f1_weighted']:>17.3f} / {nn['intent_f1_weighted']:.3f}"
          f"{model['intent_f1_macro']:>15.3f} / {nn['intent_f1_macro']:.3f}")
PY
