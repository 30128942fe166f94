"""A reviewed conversation written as a Rasa test story, so what it did right stays right.

The events come masked (bot.services.conversation_review.story_events): user texts without
card, ID or phone numbers, no slot values but categorical ones. A story keeps what the
dialogue policies are tested on: each user message with its intent, each action the bot took,
form activations, and the categorical slots that steer the dialogue.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from bot.training.nlu_files import TrainingDataError

# Bookkeeping actions a test story does not state (Rasa runs them itself).
SKIPPED_ACTIONS = frozenset({"action_listen", "action_session_start", "action_extract_slots"})
SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def story_steps(events: Iterable[Mapping[str, Any]], categorical_slots: Mapping[str, Iterable[str]]) -> list[dict]:
    """The steps of a test story from a conversation's events, starting after its last restart."""
    steps: list[dict] = []
    for event in events:
        kind = event.get("event")
        if kind in ("restart", "session_started"):
            steps = []
        elif kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if intent:
                steps.append({"user": str(event.get("text") or ""), "intent": intent})
        elif kind == "action" and event.get("name") and event["name"] not in SKIPPED_ACTIONS:
            steps.append({"action": event["name"]})
        elif kind == "active_loop":
            steps.append({"active_loop": event.get("name")})
        elif kind == "slot" and event.get("name") in categorical_slots and \
                event.get("value") in set(categorical_slots[event["name"]]) | {None}:
            steps.append({"slot_was_set": [{event["name"]: event.get("value")}]})
    if not any("user" in step for step in steps):
        raise TrainingDataError("这段对话没有可以保存的用户消息")
    return steps


def story_yaml(name: str, steps: list[dict]) -> str:
    """A test-stories file holding one story, in the layout of tests/test_stories.yml."""
    body = yaml.safe_dump({"stories": [{"story": name, "steps": steps}]}, allow_unicode=True, sort_keys=False,
                          width=1000)
    return 'version: "3.1"\n\n# Saved from a reviewed conversation; texts masked.\n' + body


def save_story(folder: Path, day: str, conversation_id: str, steps: list[dict]) -> Path:
    """tests/conversations/<day>_<id>.yml; saving the same conversation again replaces it."""
    safe = SAFE_NAME.sub("_", conversation_id)[:60]
    path = folder / f"{day}_{safe}.yml"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(story_yaml(f"{day} {safe}", steps), encoding="utf-8")
    return path


def categorical_slots(domain: Path) -> dict[str, list[str]]:
    """The domain's categorical slots and their values (names of choices, never personal data)."""
    data = yaml.safe_load(domain.read_text(encoding="utf-8")) or {} if domain.is_file() else {}
    return {name: list(slot.get("values") or []) for name, slot in (data.get("slots") or {}).items()
            if isinstance(slot, dict) and slot.get("type") == "categorical"}
