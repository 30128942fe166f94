"""The data checks a trainer runs before training."""
from __future__ import annotations

from pathlib import Path

from bot.training import checks
from bot.training.nlu_files import Example, entities_of

P = Path("data/nlu/x.yml")


def ex(intent: str, annotated: str) -> Example:
    return Example(intent, annotated, P, 0)


def test_the_same_text_under_two_intents_is_an_error():
    found = checks.conflicts([ex("refuse_to_pay", "我不会还的"), ex("ask_consequence", "我不会还的"),
                              ex("refuse_to_pay", "不还")])
    assert len(found) == 1
    assert found[0].level == "error" and found[0].intents == ("ask_consequence", "refuse_to_pay")
    assert "我不会还的" in found[0].message


def test_near_duplicates_across_intents_are_found_by_their_words_not_within_one_intent():
    found = checks.near_duplicates([ex("refuse_to_pay", "我就是不想还钱"), ex("report_hardship", "我就是不想还钱了"),
                                    ex("refuse_to_pay", "我就是不想还钱啊"), ex("greet", "你好")])
    pairs = {frozenset(f.texts) for f in found}
    assert frozenset({"我就是不想还钱", "我就是不想还钱了"}) in pairs
    assert all(len(set(f.intents)) == 2 for f in found)
    assert not any("你好" in f.texts for f in found)


def test_intents_below_the_minimum_are_named_with_their_count():
    found = checks.too_few([ex("greet", f"你好{i}") for i in range(12)] + [ex("thank", "谢谢")] * 3)
    assert [(f.intents, f.level) for f in found] == [(("thank",), "warning")]
    assert "3" in found[0].message and "10" in found[0].message


def test_an_entity_never_annotated_is_a_warning_unless_the_normalizer_fills_it():
    examples = [ex("promise_to_pay", "我[明天](date)还")]
    found = {f.message.split()[1]: f.level for f in checks.entities_never_annotated(examples, ["date", "amount", "merchant"])}
    assert found == {"amount": "info", "merchant": "warning"}
    assert entities_of("我[明天](date)还") and checks.entities_never_annotated(examples, ["date"]) == []


def test_the_repository_data_has_no_errors(tmp_path):
    from bot.training.workspace import REPO_ROOT, Workspace

    findings = checks.run_checks(Workspace(REPO_ROOT), with_rasa=False)
    assert [f.message for f in findings if f.level == "error"] == []
