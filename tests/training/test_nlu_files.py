"""The NLU file writer: a trainer's change is one line added or moved, everything else kept."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.training import nlu_files
from bot.training.nlu_files import Entity, TrainingDataError

REFUSE = '''version: "3.1"

# Refusals to pay. Keep "不想还" here; "还不起" is hardship.
nlu:
- intent: refuse_to_pay
  examples: |
    - 我就是不还
    - 不想还了
    # threats to the bank are complaints, not refusals
    - 有本事去告我

- intent: ask_consequence
  examples: |
    - 不还会怎样
    - 我不会还的
'''
PROMISE = '''version: "3.1"
nlu:
- intent: promise_to_pay
  examples: |
    - 我[下周五](date)还[5000](amount)
    - 月底还[两千]{"entity": "amount", "value": "2000"}
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    nlu = tmp_path / "data" / "nlu"
    nlu.mkdir(parents=True)
    (nlu / "refuse.yml").write_text(REFUSE, encoding="utf-8")
    (nlu / "promise.yml").write_text(PROMISE, encoding="utf-8")
    return tmp_path


def test_examples_are_read_with_intent_plain_text_and_entities(project):
    found = {e.text: e for e in nlu_files.examples(project / "data" / "nlu")}
    assert found["我就是不还"].intent == "refuse_to_pay"
    assert found["有本事去告我"].intent == "refuse_to_pay"  # a comment inside the block does not end it
    assert found["我下周五还5000"].entities == [Entity(1, 4, "date"), Entity(5, 9, "amount")]
    assert found["月底还两千"].entities == [Entity(3, 5, "amount", "2000")]
    assert nlu_files.intents(project / "data" / "nlu") == {"ask_consequence": 2, "promise_to_pay": 2, "refuse_to_pay": 3}


def test_a_correction_moves_the_line_and_keeps_every_other_line_and_comment(project):
    changes = nlu_files.plan_example(project, project / "data" / "nlu", "我不会还的", "refuse_to_pay")
    assert [c.name for c in changes] == ["data/nlu/refuse.yml"]
    diff = changes[0].diff
    assert "+    - 我不会还的" in diff and "-    - 我不会还的" in diff
    nlu_files.apply_all(changes)
    after = (project / "data" / "nlu" / "refuse.yml").read_text(encoding="utf-8")
    assert after == REFUSE.replace("    - 有本事去告我\n", "    - 有本事去告我\n    - 我不会还的\n", 1).replace(
        "    - 不还会怎样\n    - 我不会还的\n", "    - 不还会怎样\n")
    assert '# Refusals to pay. Keep "不想还" here' in after and "# threats to the bank" in after


def test_a_new_example_goes_after_the_last_example_of_its_intent_with_its_entities(project):
    change, = nlu_files.plan_example(project, project / "data" / "nlu", "我明天还3000", "promise_to_pay",
                                     [Entity(1, 3, "date"), Entity(4, 8, "amount", "3000")])
    change.apply()
    text = (project / "data" / "nlu" / "promise.yml").read_text(encoding="utf-8")
    assert text == PROMISE + '    - 我[明天](date)还[3000](amount)\n'
    assert "3000" in change.diff
    example = [e for e in nlu_files.examples(project / "data" / "nlu") if e.text == "我明天还3000"][0]
    assert example.entities == [Entity(1, 3, "date"), Entity(4, 8, "amount")]


def test_a_value_other_than_the_text_is_written_as_json_markup():
    assert nlu_files.annotate("月底还两千", [Entity(3, 5, "amount", "2000")]) == \
        '月底还[两千]{"entity": "amount", "value": "2000"}'


@pytest.mark.parametrize("text, intent, entities, reason", [
    ("我就是不还", "refuse_to_pay", [], "已经是"),
    ("随便说说", "no_such_intent", [], "没有意图"),
    ("有[括号]", "refuse_to_pay", [], "方括号"),
    ("我明天还", "promise_to_pay", [Entity(3, 9, "date")], "位置"),
    ("我明天还", "promise_to_pay", [Entity(1, 3, "date"), Entity(2, 4, "amount")], "重叠"),
    ("   ", "refuse_to_pay", [], "不能为空"),
])
def test_a_change_the_data_cannot_take_is_refused_in_chinese(project, text, intent, entities, reason):
    with pytest.raises(TrainingDataError, match=reason):
        nlu_files.plan_example(project, project / "data" / "nlu", text, intent, entities)


def test_a_file_changed_after_the_preview_is_not_overwritten(project):
    changes = nlu_files.plan_example(project, project / "data" / "nlu", "我不还", "refuse_to_pay")
    path = project / "data" / "nlu" / "refuse.yml"
    path.write_text(path.read_text(encoding="utf-8") + "    - 别人加的\n", encoding="utf-8")
    with pytest.raises(TrainingDataError, match="重新预览"):
        nlu_files.apply_all(changes)
    assert "我不还\n" not in path.read_text(encoding="utf-8")


def test_the_real_data_round_trips_line_for_line():
    """Every example line of the repository's files is read back as it is written."""
    nlu = Path(__file__).resolve().parents[2] / "data" / "nlu"
    for path in nlu_files.nlu_files(nlu):
        lines = path.read_text(encoding="utf-8").splitlines()
        for example in nlu_files.examples(nlu):
            if example.path == path:
                assert lines[example.line].strip() == f"- {example.annotated}"
                assert nlu_files.annotate(example.text, example.entities).replace(" ", "") == \
                    example.annotated.replace(" ", "")
