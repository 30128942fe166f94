"""Scoring predictions: per-intent precision, recall and F1, and what changed between two models.

The predictions come from `rasa test nlu --successes` (intent_successes.json and
intent_errors.json list every test message with the intent predicted and its confidence), so
the figures here and Rasa's own report agree, and a side-by-side can go message by message.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class Prediction:
    """One test message: the intent it should have, the one predicted, and how sure the model was."""

    text: str
    expected: str
    predicted: str | None
    confidence: float | None = None

    @property
    def correct(self) -> bool:
        return self.predicted == self.expected


def intent_report(predictions: Sequence[Prediction]) -> dict:
    """Precision, recall, F1 and support per expected intent, with accuracy and macro/weighted F1.

    A fallback counts as a miss of the true intent and as a prediction of no intent.
    """
    true_positive, predicted, support = Counter(), Counter(), Counter()
    for p in predictions:
        support[p.expected] += 1
        if p.predicted:
            predicted[p.predicted] += 1
        if p.correct:
            true_positive[p.expected] += 1
    per_intent = {}
    for intent in sorted(support):
        precision = _ratio(true_positive[intent], predicted[intent])
        recall = _ratio(true_positive[intent], support[intent])
        f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
        per_intent[intent] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                              "support": support[intent]}
    total = len(predictions)
    macro = sum(v["f1"] for v in per_intent.values()) / len(per_intent) if per_intent else 0.0
    weighted = sum(v["f1"] * v["support"] for v in per_intent.values()) / total if total else 0.0
    return {"accuracy": round(_ratio(sum(true_positive.values()), total), 4), "macro_f1": round(macro, 4),
            "weighted_f1": round(weighted, 4), "messages": total, "intents": per_intent}


def compare(before: Sequence[Prediction], after: Sequence[Prediction]) -> dict:
    """What a new model gets right that the old one got wrong, and the reverse, message by message."""
    old = {(p.text, p.expected): p for p in before}
    improved, worsened = [], []
    for new in after:
        previous = old.get((new.text, new.expected))
        if previous is None or previous.correct == new.correct:
            continue
        row = {"text": new.text, "expected": new.expected, "before": previous.predicted,
               "before_confidence": previous.confidence, "after": new.predicted, "after_confidence": new.confidence}
        (improved if new.correct else worsened).append(row)
    report_before, report_after = intent_report(before), intent_report(after)
    changed_intents = []
    for intent, figures in report_after["intents"].items():
        was = report_before["intents"].get(intent)
        if was and was["f1"] != figures["f1"]:
            changed_intents.append({"intent": intent, "before": was["f1"], "after": figures["f1"],
                                    "delta": round(figures["f1"] - was["f1"], 4)})
    return {
        "before": {k: report_before[k] for k in ("accuracy", "macro_f1", "weighted_f1")},
        "after": {k: report_after[k] for k in ("accuracy", "macro_f1", "weighted_f1")},
        "improved": improved, "worsened": worsened,
        "intents": sorted(changed_intents, key=lambda row: row["delta"]),
    }


def predictions_from_rasa_report(results_dir: Path) -> list[Prediction]:
    """Every test message of a `rasa test nlu --successes` run, in the test file's order where known."""
    found: list[Prediction] = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = results_dir / name
        if path.is_file():
            found.extend(_prediction(row) for row in json.loads(path.read_text(encoding="utf-8")))
    return found


def entity_figures(results_dir: Path) -> dict[str, dict]:
    """Per extractor (DIET, the normalizer...), the micro-averaged entity precision, recall and F1."""
    figures = {}
    for path in sorted(results_dir.glob("*_report.json")):
        extractor = path.name[: -len("_report.json")]
        if extractor in ("intent", "response_selection") or extractor.endswith("_errors"):
            continue
        report = json.loads(path.read_text(encoding="utf-8"))
        average = report.get("micro avg") or report.get("weighted avg") or {}
        if average:
            figures[extractor] = {k: round(float(average.get(k, 0.0)), 4) for k in ("precision", "recall", "f1-score")}
            figures[extractor]["support"] = int(average.get("support", 0))
    return figures


def _prediction(row: dict) -> Prediction:
    predicted = row.get("intent_prediction") or {}
    name = predicted.get("name") or None
    confidence = predicted.get("confidence")
    return Prediction(str(row.get("text", "")), str(row.get("intent", "")),
                      None if name == FALLBACK_INTENT else name,
                      round(float(confidence), 4) if isinstance(confidence, (int, float)) else None)


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0

