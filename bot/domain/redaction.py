"""Verification answers (the card and ID digits a cardholder types) masked wherever they are kept.

A user message is a verification answer when its turn set the card_last4 or id_last6 slot, or
the NLU found such an entity in it. The whole message's digits are masked then: a cardholder
who writes "卡号尾号六二一七" gives the answer in words, and no agent, trainer or log needs it.
Works on tracker events in Rasa's JSON form, as the tracker store and the action server see them.
"""
from __future__ import annotations

import copy
import re
from typing import Any, Mapping, Sequence

SECRET_SLOTS: tuple[str, ...] = ("card_last4", "id_last6")
MASK = "****"
# ASCII and full-width digits, Chinese numerals (financial forms too) and the ID's check letter X.
_DIGITS = re.compile(r"[0-9０-９XxＸｘ零〇○一二三四五六七八九两幺壹贰叁肆伍陆柒捌玖]")

Event = Mapping[str, Any]


def has_digits(text: str) -> bool:
    """Whether `text` holds anything digit-like: an attempt at an answer, not a question."""
    return bool(_DIGITS.search(text))


def mask_digits(text: str) -> str:
    """Every digit-like character of `text` as "*"; the rest kept so the message still reads."""
    return _DIGITS.sub("*", text)


def secret_turns(events: Sequence[Event]) -> set[int]:
    """Indices of the user events that answered the identity questions."""
    found: set[int] = set()
    current: int | None = None
    for index, event in enumerate(events):
        kind = event.get("event")
        if kind == "user":
            current = index
            entities = (event.get("parse_data") or {}).get("entities") or []
            if any(isinstance(e, Mapping) and e.get("entity") in SECRET_SLOTS for e in entities):
                found.add(index)
        elif kind == "slot" and current is not None and _is_secret_slot(event):
            found.add(current)
    return found


def redact_events(events: Sequence[Event]) -> list[dict[str, Any]]:
    """A copy of `events` with verification answers and identity slot values masked."""
    secret = secret_turns(events)
    return [redact_event(e) if i in secret or _is_secret_slot(e) else dict(e) for i, e in enumerate(events)]


def redact_event(event: Event) -> dict[str, Any]:
    """One event with its verification digits masked (a user message, or an identity slot)."""
    masked = copy.deepcopy(dict(event))
    if masked.get("event") == "slot":
        masked["value"] = MASK if masked.get("value") not in (None, "") else masked.get("value")
        return masked
    if isinstance(masked.get("text"), str):
        masked["text"] = mask_digits(masked["text"])
    parse = masked.get("parse_data")
    if isinstance(parse, dict):
        if isinstance(parse.get("text"), str):
            parse["text"] = mask_digits(parse["text"])
        for entity in parse.get("entities") or []:
            if isinstance(entity, dict):
                entity["value"] = mask_digits(str(entity.get("value", "")))
    return masked


def redacted_user_texts(events: Sequence[Event]) -> list[str]:
    """What the cardholder wrote, in order, verification answers masked."""
    return [str(e["text"]) for e in redact_events(events) if e.get("event") == "user" and e.get("text")]


def _is_secret_slot(event: Event) -> bool:
    return event.get("event") == "slot" and event.get("name") in SECRET_SLOTS and event.get("value") not in (None, "")

