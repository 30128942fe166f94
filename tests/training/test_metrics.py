"""Intent scores and the side-by-side of two models, as the trainer reads them."""
from __future__ import annotations

import json

import pytest

from bot.training.metrics import Prediction, compare, entity_figures, intent_report, predictions_from_rasa_report


def test_precision_recall_and_f1_per_intent():
    report = intent_report([
        Prediction("a", "refuse_to_pay", "refuse_to_pay"),
        Prediction("b", "refuse_to_pay", "ask_consequence"),
        Prediction("c", "ask_consequence", "ask_consequence"),
        Prediction("d", "ask_consequence", None),  # fallback: a miss, and no intent predicted
    ])
    refuse, consequence = report["intents"]["refuse_to_pay"], report["intents"]["ask_consequence"]
    assert refuse == {"precision": 1.0, "recall": 0.5, "f1": pytest.approx(0.6667, abs=1e-4), "support": 2}
    assert consequence["precision"] == 0.5 and consequence["recall"] == 0.5 and consequence["f1"] == 0.5
    assert report["accuracy"] == 0.5 and report["messages"] == 4
    assert report["macro_f1"] == pytest.approx((0.6667 + 0.5) / 2, abs=1e-4)


def test_an_empty_test_set_scores_zero_not_a_crash():
    assert intent_report([]) == {"accuracy": 0.0, "macro_f1": 0.0, "weighted_f1": 0.0, "messages": 0, "intents": {}}


def test_the_comparison_names_each_message_that_got_better_or_worse():
    before = [Prediction("我不会还的", "refuse_to_pay", "ask_consequence", 0.91),
              Prediction("不还会怎样", "ask_consequence", "ask_consequence", 0.97),
              Prediction("你好", "greet", "greet", 0.99)]
    after = [Prediction("我不会还的", "refuse_to_pay", "refuse_to_pay", 0.88),
             Prediction("不还会怎样", "ask_consequence", "refuse_to_pay", 0.6),
             Prediction("你好", "greet", "greet", 0.99)]
    result = compare(before, after)
    assert [(r["text"], r["before"], r["after"]) for r in result["improved"]] == \
        [("我不会还的", "ask_consequence", "refuse_to_pay")]
    assert [r["text"] for r in result["worsened"]] == ["不还会怎样"]
    assert result["before"]["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert {row["intent"] for row in result["intents"]} == {"refuse_to_pay", "ask_consequence"}


def test_predictions_and_entity_figures_are_read_from_a_rasa_report(tmp_path):
    (tmp_path / "intent_successes.json").write_text(json.dumps([
        {"text": "你好", "intent": "greet", "intent_prediction": {"name": "greet", "confidence": 0.991234}}]))
    (tmp_path / "intent_errors.json").write_text(json.dumps([
        {"text": "嗯", "intent": "affirm", "intent_prediction": {"name": "nlu_fallback", "confidence": 0.4}}]))
    (tmp_path / "DIETClassifier_report.json").write_text(json.dumps(
        {"amount": {"precision": 1, "recall": 1, "f1-score": 1, "support": 3},
         "micro avg": {"precision": 0.9, "recall": 0.8, "f1-score": 0.847, "support": 10}}))
    (tmp_path / "intent_report.json").write_text("{}")
    assert predictions_from_rasa_report(tmp_path) == [Prediction("你好", "greet", "greet", 0.9912),
                                                      Prediction("嗯", "affirm", None, 0.4)]
    assert entity_figures(tmp_path) == {"DIETClassifier": {"precision": 0.9, "recall": 0.8, "f1-score": 0.847,
                                                           "support": 10}}
