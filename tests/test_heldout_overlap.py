"""scripts/heldout_overlap.py: the near-copy check that keeps the held-out NLU figures honest.

Bot-independent: loads the script by path and uses only PyYAML, no Rasa, no database.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("heldout_overlap", REPO / "scripts" / "heldout_overlap.py")
assert _spec is not None and _spec.loader is not None
overlap = importlib.util.module_from_spec(_spec)
sys.modules["heldout_overlap"] = overlap  # dataclasses look their module up by name
_spec.loader.exec_module(overlap)

Example = overlap.Example


def near_copy(heldout: str, training: str, intent: str = "ask_fee", other: str | None = None) -> bool:
    """Whether `heldout` is flagged against a one-example training set (of intent `other`)."""
    return bool(overlap.near_copies([Example(heldout, intent)], [Example(training, other or intent)]))


def test_identical_texts_score_one_and_unrelated_texts_zero() -> None:
    assert overlap.similarity("利息怎么算", "利息怎么算") == 1.0
    assert overlap.similarity("利息怎么算", "我要找人工") == 0.0


def test_dice_of_bigram_sets() -> None:
    # 你好呀 -> {你好, 好呀}; 你好 -> {你好}: 2*1 / (2+1)
    assert overlap.similarity("你好呀", "你好") == pytest.approx(2 / 3)
    assert overlap.similarity("嗯", "嗯") == 1.0  # a single character is its own unit
    assert overlap.similarity("嗯", "哦") == 0.0


def test_case_and_whitespace_are_ignored() -> None:
    assert overlap.similarity("Hello 你好", "hello你好") == 1.0


def test_entity_annotations_are_stripped() -> None:
    assert overlap.strip_annotations("分[12期](installment_term)手续费") == "分12期手续费"
    assert overlap.strip_annotations('我[下周五]{"entity": "date"}还') == "我下周五还"
    assert overlap.strip_annotations("[3000](amount:3000)元") == "3000元"
    assert overlap.similarity("分[12期](installment_term)手续费多少", "分12期手续费多少") == 1.0
    assert near_copy("分12期手续费多少", "分[12期](installment_term)手续费多少")


def test_one_word_edit_is_flagged() -> None:
    assert near_copy("逾期的利息到底怎么算", "逾期利息到底怎么算")
    assert near_copy("我下个月五号之前一定还款", "我下个月十号之前一定还款")


def test_unrelated_sentence_is_not_flagged() -> None:
    assert not near_copy("宽限期有几天", "分期手续费和利息有什么区别")
    assert not near_copy("卡会不会被冻结", "我想申请减免违约金")


def test_different_intents_are_not_compared() -> None:
    assert near_copy("利息怎么算", "利息怎么算")
    assert not near_copy("利息怎么算", "利息怎么算", intent="ask_fee", other="request_fee_waiver")


def test_retrieval_sub_intents_are_distinct_intents() -> None:
    assert not near_copy("宽限期有几天", "宽限期有几天", intent="ask_fee/grace_days", other="ask_fee/late_fee")
    assert near_copy("宽限期有几天呀", "宽限期有几天", intent="ask_fee/grace_days")


def test_retrieval_intent_named_without_sub_intent_is_compared_with_its_sub_intents() -> None:
    # held-out still says `ask_fee` while training moved to `ask_fee/grace_days`: still caught
    assert near_copy("宽限期有几天呀", "宽限期有几天", intent="ask_fee", other="ask_fee/grace_days")
    assert near_copy("宽限期有几天呀", "宽限期有几天", intent="ask_fee/grace_days", other="ask_fee")
    assert not near_copy("宽限期有几天呀", "宽限期有几天", intent="ask_fee", other="ask_feel/x")


def test_threshold_is_inclusive() -> None:
    [match] = overlap.best_matches([Example("你好呀", "greet")], [Example("你好", "greet")])
    assert overlap.is_near_copy(match, threshold=2 / 3)
    assert not overlap.is_near_copy(match, threshold=0.7)


def test_best_match_is_the_most_similar_training_example() -> None:
    training = [Example("我要投诉", "complain"), Example("我要投诉你们的催收员", "complain"),
                Example("我要投诉你们的催收员", "deny")]
    [match] = overlap.best_matches([Example("我要投诉你们的催收", "complain")], training)
    assert match.training == training[1]
    assert match.score == pytest.approx(2 * 8 / (8 + 9))


def test_yaml_loading_block_and_list_forms_and_skips_non_intents(tmp_path: Path) -> None:
    path = tmp_path / "nlu.yml"
    path.write_text(
        'version: "3.1"\n'
        "nlu:\n"
        "- intent: ask_fee/grace_days\n"
        "  examples: |\n"
        "    - 宽限期有[几天](duration)\n"
        "    - 有宽限期吗\n"
        "- intent: greet\n"
        "  examples:\n"
        "  - text: 你好\n"
        "- synonym: 滞纳金\n"
        "  examples: |\n"
        "    - 违约金\n"
        "- regex: card\n"
        "  examples: |\n"
        "    - \\d{4}\n",
        encoding="utf-8",
    )
    assert overlap.load_examples([tmp_path]) == [
        Example("宽限期有几天", "ask_fee/grace_days"), Example("有宽限期吗", "ask_fee/grace_days"),
        Example("你好", "greet"),
    ]


def test_cli_exit_code_follows_the_share(tmp_path: Path) -> None:
    train = tmp_path / "train.yml"
    heldout = tmp_path / "heldout.yml"
    train.write_text("nlu:\n- intent: ask_fee\n  examples: |\n    - 逾期利息到底怎么算\n", encoding="utf-8")
    heldout.write_text("nlu:\n- intent: ask_fee\n  examples: |\n    - 逾期的利息到底怎么算\n"
                       "    - 宽限期有几天\n", encoding="utf-8")
    args = ["--heldout", str(heldout), "--train", str(train)]
    assert overlap.main(args) == 1  # 1 of 2
    assert overlap.main([*args, "--max-share", "0.5"]) == 0


def test_nearest_neighbour_predicts_the_intent_of_the_closest_training_example() -> None:
    training = overlap.with_bigrams([Example("利息怎么算", "ask_fee"), Example("我要找人工客服", "request_human")])
    assert overlap.nearest_intent("人工客服在吗", training) == "request_human"
    assert overlap.nearest_intent("利息是怎么算的", training) == "ask_fee"


def test_real_heldout_file_is_not_a_copy_of_the_training_data() -> None:
    heldout = overlap.load_examples([overlap.DEFAULT_HELDOUT])
    training = overlap.load_examples([overlap.DEFAULT_TRAIN])
    copies = overlap.near_copies(heldout, training)
    share = len(copies) / len(heldout)
    listing = "\n".join(f"{m.score:.2f} [{m.heldout.intent}] {m.heldout.text} ~ {m.training.text}"
                        for m in copies[:15])
    assert share <= overlap.MAX_SHARE, f"{len(copies)} of {len(heldout)} held-out examples are near-copies:\n{listing}"
