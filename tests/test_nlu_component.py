"""The Rasa component built through Rasa's own API: values filled, garbage dropped, gaps filled."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.engine.validation import validate
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import bot.nlu.component as component_module
from bot.nlu.component import ChineseEntityNormalizer

MONDAY = date(2026, 11, 23)
NAME = "ChineseEntityNormalizer"


@pytest.fixture
def normalizer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ChineseEntityNormalizer:
    """Created the way Rasa's graph creates it, with "today" pinned in Asia/Shanghai."""
    monkeypatch.setattr(component_module, "today_in_shanghai", lambda: MONDAY)
    return ChineseEntityNormalizer.create(
        ChineseEntityNormalizer.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("chinese_entity_normalizer"),
        ExecutionContext(GraphSchema({}), "test-model"),
    )


def diet(entity: str, text: str, part: str, value: Any = None) -> dict[str, Any]:
    """An entity as DIETClassifier leaves it: the raw span text as its value."""
    start = text.index(part)
    return {
        "entity": entity,
        "start": start,
        "end": start + len(part),
        "value": part if value is None else value,
        "extractor": "DIETClassifier",
        "confidence_entity": 0.97,
    }


def run(normalizer: ChineseEntityNormalizer, text: str, *entities: dict) -> list[dict]:
    message = Message(data={TEXT: text, ENTITIES: list(entities)})
    [processed] = normalizer.process([message])
    assert ENTITIES in processed.output_properties
    return processed.get(ENTITIES)


def summary(entities: list[dict]) -> list[tuple]:
    return [(e["entity"], e["start"], e["end"], e["value"], e["extractor"]) for e in entities]


def test_fills_values_of_diet_entities(normalizer: ChineseEntityNormalizer) -> None:
    text = "明天还三千五"
    entities = run(normalizer, text, diet("date", text, "明天"), diet("amount", text, "三千五"))
    assert summary(entities) == [
        ("date", 0, 2, "2026-11-24", "DIETClassifier"),
        ("amount", 3, 6, 3500, "DIETClassifier"),
    ]
    assert all(NAME in e["processors"] for e in entities)
    assert entities[1]["confidence_entity"] == 0.97


@pytest.mark.parametrize(
    ("text", "entity", "part", "expected"),
    [
        ("我想分12期", "installment_term", "12期", 12),
        ("分一年半吧", "installment_term", "一年半", 18),
        ("下周五之前还", "date", "下周五", "2026-12-04"),
        ("下个月10号", "date", "下个月10号", "2026-12-10"),
        ("尾号6217的卡", "card_last4", "6217", "6217"),
        ("卡号后四位是六二一七", "card_last4", "六二一七", "6217"),
        ("身份证后六位是03121x", "id_last6", "03121x", "03121X"),
        ("先还一千二百三十四块五", "amount", "一千二百三十四块五", 1234.5),
        ("先还3,450.50", "amount", "3,450.50", 3450.5),
    ],
)
def test_fills_each_entity_kind(
    normalizer: ChineseEntityNormalizer, text: str, entity: str, part: str, expected: Any
) -> None:
    [found] = run(normalizer, text, diet(entity, text, part))
    assert (found["entity"], found["value"], found["extractor"]) == (
        entity,
        expected,
        "DIETClassifier",
    )


def test_value_is_taken_from_the_text_span_not_a_rewritten_value(
    normalizer: ChineseEntityNormalizer,
) -> None:
    text = "还两千块"
    [found] = run(normalizer, text, diet("amount", text, "两千块", value="两千块钱"))
    assert found["value"] == 2000


@pytest.mark.parametrize(
    ("text", "entity", "part"),
    [
        ("好的谢谢", "date", "好的"),
        ("我没钱", "amount", "没钱"),
        ("分期可以吗", "installment_term", "分期"),
        ("卡号621", "card_last4", "621"),
        ("身份证后六位2003", "id_last6", "2003"),
        ("不知道", "amount", "不知道"),
    ],
)
def test_drops_entities_that_do_not_normalize(
    normalizer: ChineseEntityNormalizer, text: str, entity: str, part: str
) -> None:
    assert run(normalizer, text, diet(entity, text, part)) == []


def test_garbage_is_dropped_and_the_real_entity_added(
    normalizer: ChineseEntityNormalizer,
) -> None:
    text = "明天还三千五"
    entities = run(normalizer, text, diet("amount", text, "还"))
    assert summary(entities) == [
        ("date", 0, 2, "2026-11-24", NAME),
        ("amount", 3, 6, 3500, NAME),
    ]


def test_adds_missing_entities(normalizer: ChineseEntityNormalizer) -> None:
    entities = run(normalizer, "下个月10号还12680元，剩下的分12期")
    assert summary(entities) == [
        ("date", 0, 6, "2026-12-10", NAME),
        ("amount", 7, 13, 12680, NAME),
        ("installment_term", 18, 21, 12, NAME),
    ]


def test_whole_message_numbers(normalizer: ChineseEntityNormalizer) -> None:
    assert summary(run(normalizer, "6217")) == [("card_last4", 0, 4, "6217", NAME)]
    assert summary(run(normalizer, "03121X")) == [("id_last6", 0, 6, "03121X", NAME)]


def test_does_not_add_over_an_existing_entity(normalizer: ChineseEntityNormalizer) -> None:
    text = "明天还三千五"
    entities = run(normalizer, text, diet("amount", text, "三千五"))
    assert [e["entity"] for e in entities] == ["amount", "date"]
    assert [e["extractor"] for e in entities] == ["DIETClassifier", NAME]


def test_leaves_other_entities_alone(normalizer: ChineseEntityNormalizer) -> None:
    text = "我是张三，明天还"
    name = diet("person", text, "张三")
    entities = run(normalizer, text, dict(name))
    assert entities[0] == name
    assert summary(entities[1:]) == [("date", 5, 7, "2026-11-24", NAME)]


def test_messages_without_text_are_untouched(normalizer: ChineseEntityNormalizer) -> None:
    message = Message(data={"intent": {"name": "greet"}})
    [processed] = normalizer.process([message])
    assert processed.get(ENTITIES) is None


def test_adding_can_be_switched_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(component_module, "today_in_shanghai", lambda: MONDAY)
    quiet = ChineseEntityNormalizer.create(
        {**ChineseEntityNormalizer.get_default_config(), "add_missing_entities": False},
        LocalModelStorage(tmp_path),
        Resource("quiet"),
        ExecutionContext(GraphSchema({}), "test-model"),
    )
    assert run(quiet, "明天还三千五") == []


def test_training_data_passes_through(normalizer: ChineseEntityNormalizer) -> None:
    data = TrainingData([Message(data={TEXT: "明天还三千五", "intent": "promise_to_pay"})])
    assert normalizer.process_training_data(data) is data


def test_today_is_the_bank_day_by_default() -> None:
    from bot.nlu.normalizer import today_in_shanghai

    assert component_module.today_in_shanghai is today_in_shanghai


def test_is_registered_as_an_untrained_entity_extractor() -> None:
    registered = DefaultV1Recipe._from_registry(NAME)
    assert registered.clazz is ChineseEntityNormalizer
    assert DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR in registered.types
    assert registered.is_trainable is False


def test_rasa_builds_and_validates_a_pipeline_with_it() -> None:
    config = {
        "recipe": "default.v1",
        "language": "zh",
        "pipeline": [
            {"name": "JiebaTokenizer"},
            {"name": "CountVectorsFeaturizer"},
            {"name": "DIETClassifier", "epochs": 1},
            {"name": "bot.nlu.component.ChineseEntityNormalizer"},
            {"name": "EntitySynonymMapper"},
        ],
        "policies": [],
    }
    model_config = DefaultV1Recipe().graph_config_for_recipe(config, {})
    validate(model_config)
    nodes = [
        node
        for node in model_config.predict_schema.nodes.values()
        if node.uses is ChineseEntityNormalizer
    ]
    assert [node.fn for node in nodes] == ["process"]


def test_rasa_loads_it_from_a_trained_model(tmp_path: Path) -> None:
    """Predict graphs load every component; ours has nothing stored and is just created."""
    loaded = ChineseEntityNormalizer.load(
        ChineseEntityNormalizer.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("chinese_entity_normalizer"),
        ExecutionContext(GraphSchema({}), "test-model"),
    )
    assert isinstance(loaded, ChineseEntityNormalizer)


def test_the_context_rules_win_over_a_learned_type(normalizer: ChineseEntityNormalizer) -> None:
    """DIET once tagged the card and ID digits of one message as amounts; verification failed."""
    text = "卡号尾号8848，身份证后六位200315"
    entities = run(normalizer, text, diet("amount", text, "8848"), diet("amount", text, "200315"))
    assert sorted((e["entity"], e["value"]) for e in entities) == [("card_last4", "8848"), ("id_last6", "200315")]
    text = "３６期总手续费多少"  # DIET once tagged only "６期": 36 months became 6
    assert summary(run(normalizer, text, diet("installment_term", text, "６期"))) == [
        ("installment_term", 0, 3, 36, NAME)]
    text = "明天还三千五"  # where the rules agree, DIET's entity stands
    assert [e["extractor"] for e in run(normalizer, text, diet("amount", text, "三千五"))][0] == "DIETClassifier"
