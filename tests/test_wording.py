"""How the assistant writes: dates a person reads, short bubbles, no legal claims it cannot make."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from bot.domain.compliance import find_forbidden
from bot.domain.wording import format_date
from tests.domain_files import response_texts

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2026, 12, 1)
# A plan being confirmed and the tables of plans and rates may be long: they are read line by line.
LISTINGS = {"utter_ask_installment_confirmed", "utter_ask_consequence/overview",
            "utter_ask_consequence/crime"}
MAX_BUBBLE = 120
# The longest a placeholder is written: a reference, a date, a count, a rate, else an amount.
TYPICAL = {"reference": "HND20261201ABCDEF", "card_last4": "6217", "channel": "手机银行"}
COUNTS = re.compile(r"days|years|term|attempts|minutes|ahead|months|requested")


def _typical(name: str) -> str:
    if name in TYPICAL:
        return TYPICAL[name]
    if "date" in name or name.endswith("_end"):
        return "2027年12月31日"
    if "rate" in name:
        return "14.33%"
    if name in ("start", "end", "hotline"):
        return "09:00"
    return "365" if COUNTS.search(name) else "99,999.99"


@pytest.mark.parametrize("day, written", [
    (date(2026, 10, 19), "10月19日"),
    (date(2026, 1, 5), "1月5日"),
    (date(2027, 1, 5), "2027年1月5日"),
    (date(2025, 12, 31), "2025年12月31日"),
])
def test_dates_are_written_as_a_person_writes_them(day, written):
    assert format_date(day, TODAY) == written


def _responses() -> list[tuple[str, str]]:
    return [(name, text) for name, text in response_texts() if text and not text.startswith("http")]


@pytest.mark.parametrize("name, text", _responses())
def test_every_bubble_is_short(name, text):
    if name in LISTINGS:
        return
    filled = re.sub(r"\{(\w+)\}", lambda m: _typical(m.group(1)), text)
    assert len(filled) <= MAX_BUBBLE, f"{name}: {len(filled)} characters"


@pytest.mark.parametrize("name, text", _responses())
def test_no_date_is_written_the_machine_way(name, text):
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), name


def test_the_not_cardholder_reply_makes_no_legal_claim():
    reply = dict(_responses())["utter_not_cardholder"]
    assert find_forbidden(reply) == [] and "责任" not in reply
    assert find_forbidden("您无需为他人的信用卡承担任何责任，也无需转告。") != []  # what it used to say
