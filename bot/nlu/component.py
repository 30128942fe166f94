"""Rasa NLU component: gives DIET's Chinese entities clean values and adds the ones it missed.

Placed after DIETClassifier in config.yml:

    - name: bot.nlu.component.ChineseEntityNormalizer

DIET finds spans ("三千五", "下周五") but their value is the raw text; slots need 3500 and
an ISO date. An entity of ours whose text does not normalize is dropped, so raw garbage never
reaches a slot. Entities the rule-based extractor finds where DIET found nothing are added.
"""
from __future__ import annotations

import logging
from datetime import date
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.normalizer import ENTITY_NAMES, FoundEntity, extract_entities, normalize, today_in_shanghai

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class ChineseEntityNormalizer(GraphComponent, EntityExtractorMixin):
    """Normalizes amount, installment_term, date, card_last4 and id_last6 entities."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """The component's default config (see parent class for full docstring)."""
        return {
            # jieba user dictionary; relative paths are taken from the repo root.
            # None means data/jieba/userdict.txt, used only if it exists.
            "jieba_userdict": None,
            # Add entities found by rules where no other extractor found one.
            "add_missing_entities": True,
        }

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._config = {**self.get_default_config(), **config}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ChineseEntityNormalizer:
        """Creates the component; it has nothing to train or persist."""
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data keeps its annotated entities as they are."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Normalizes our entities on each message and adds the ones nobody found."""
        today = today_in_shanghai()
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            ruled = extract_entities(text, today, userdict=self._config["jieba_userdict"])
            entities = [
                entity
                for entity in message.get(ENTITIES, [])
                if not self._contradicted(entity, ruled, text, today) and self._normalized(entity, text, today)
            ]
            if self._config["add_missing_entities"]:
                entities += self._missing_entities(entities, ruled)
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def _normalized(self, entity: Dict[Text, Any], text: Text, today: date) -> bool:
        """Fills the value of one of our entities in place; False if it must be dropped."""
        name = entity.get(ENTITY_ATTRIBUTE_TYPE)
        if name not in ENTITY_NAMES:
            return True
        span = self._span_text(entity, text)
        value = normalize(name, span, today) if span else None
        if value is None:
            logger.debug("Dropping %s entity %r: it does not normalize.", name, span)
            return False
        entity[ENTITY_ATTRIBUTE_VALUE] = value
        self.add_processor_name(entity)
        return True

    @staticmethod
    def _span_text(entity: Dict[Text, Any], text: Text) -> Optional[Text]:
        """The text the entity covers; its value may already be rewritten by a synonym."""
        start, end = entity.get(ENTITY_ATTRIBUTE_START), entity.get(ENTITY_ATTRIBUTE_END)
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
            return text[start:end]
        value = entity.get(ENTITY_ATTRIBUTE_VALUE)
        return value if isinstance(value, str) else None

    def _contradicted(self, entity: Dict[Text, Any], ruled: List[FoundEntity], text: Text, today: date) -> bool:
        """DIET's entity loses where the context rules read the same text otherwise: as another
        type ("尾号8848" is a card's last four, not an amount) or as a longer span worth something
        else (DIET's "６期" inside "３６期" would make 36 months 6)."""
        name = entity.get(ENTITY_ATTRIBUTE_TYPE)
        start, end = entity.get(ENTITY_ATTRIBUTE_START), entity.get(ENTITY_ATTRIBUTE_END)
        if name not in ENTITY_NAMES or not isinstance(start, int) or not isinstance(end, int):
            return False
        overlapping = [f for f in ruled if f.start < end and start < f.end]
        if any(f.entity != name for f in overlapping):
            return True
        longer = [f for f in overlapping if f.end - f.start > end - start]
        span = self._span_text(entity, text)
        return bool(longer) and any(normalize(name, span or "", today) != f.value for f in longer)

    def _missing_entities(self, existing: List[Dict[Text, Any]], ruled: List[FoundEntity]) -> List[Dict[Text, Any]]:
        taken = [
            (e[ENTITY_ATTRIBUTE_START], e[ENTITY_ATTRIBUTE_END])
            for e in existing
            if isinstance(e.get(ENTITY_ATTRIBUTE_START), int)
            and isinstance(e.get(ENTITY_ATTRIBUTE_END), int)
        ]
        found = [
            {
                ENTITY_ATTRIBUTE_TYPE: f.entity,
                ENTITY_ATTRIBUTE_START: f.start,
                ENTITY_ATTRIBUTE_END: f.end,
                ENTITY_ATTRIBUTE_VALUE: f.value,
            }
            for f in ruled
            if all(f.end <= start or f.start >= end for start, end in taken)
        ]
        return self.add_extractor_name(found)

