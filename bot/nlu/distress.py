"""Rasa NLU component: a message that signals distress is read as `distress`, whatever else it says.

Placed after DIETClassifier and before FallbackClassifier in config.yml:

    - name: bot.nlu.distress.DistressFirst

The word list is bot.domain.distress; the model still learns the intent from its examples, and
this component only makes sure such a message is never answered as a balance question.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.domain.distress import signals_distress

DISTRESS = "distress"
INTENT_RANKING = "intent_ranking"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DistressFirst(GraphComponent):
    """Sets the intent to `distress` (confidence 1.0) when the message signals it."""

    @classmethod
    def create(
        cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
        execution_context: ExecutionContext,
    ) -> "DistressFirst":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if not signals_distress(message.get(TEXT) or ""):
                continue
            top = {INTENT_NAME_KEY: DISTRESS, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [r for r in message.get(INTENT_RANKING) or [] if r.get(INTENT_NAME_KEY) != DISTRESS]
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING, [top, *ranking], add_to_output=True)
        return messages
