"""A reviewed conversation saved as a Rasa test story."""
from __future__ import annotations

import yaml
import pytest

from bot.training.nlu_files import TrainingDataError
from bot.training.stories import save_story, story_steps

EVENTS = [
    {"event": "action", "name": "action_session_start"},
    {"event": "session_started"},
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "我想分期", "parse_data": {"intent": {"name": "ask_installment", "confidence": 0.97}}},
    {"event": "slot", "name": "request", "value": "installment"},
    {"event": "slot", "name": "card_last4", "value": "****"},
    {"event": "action", "name": "verify_identity_form"},
    {"event": "active_loop", "name": "verify_identity_form"},
    {"event": "bot", "text": "请提供卡号后四位"},
    {"event": "action", "name": "action_listen"},
]


def test_steps_keep_intents_actions_forms_and_categorical_slots_only():
    steps = story_steps(EVENTS, {"request": ["installment", "promise"]})
    assert steps == [{"user": "我想分期", "intent": "ask_installment"},
                     {"slot_was_set": [{"request": "installment"}]},
                     {"action": "verify_identity_form"}, {"active_loop": "verify_identity_form"}]


def test_a_conversation_without_a_user_message_cannot_be_saved():
    with pytest.raises(TrainingDataError):
        story_steps(EVENTS[:3], {})


def test_the_saved_file_is_a_test_story_rasa_reads(tmp_path):
    path = save_story(tmp_path, "2026-12-03", "web/abc 1", story_steps(EVENTS, {}))
    assert path.name == "2026-12-03_web_abc_1.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["version"] == "3.1"
    assert data["stories"][0]["steps"][0] == {"user": "我想分期", "intent": "ask_installment"}
