"""Which answers about fees and consequences are true for a question and an account.

The texts live in the domain and in data/responses/faq.yml; this decides which of them apply,
so the assistant answers the question asked, never states a consequence that has not happened
or will not happen, and speaks of crime only when asked about crime (../shared/DOMAIN.md,
"criminal line": a question about being sued gets the civil facts).
"""
from __future__ import annotations

import re

from bot.domain.account_position import AccountPosition

_CRIME_QUESTION = re.compile(r"牢|刑|犯罪|诈骗|恶意透支|报警|警察|被抓|抓人|抓我|抓走|抓起来|拘留|进去|蹲|监狱|公安")

OVERVIEW = "overview"
CRIME = "crime"


def asks_about_crime(text: str) -> bool:
    """The criminal line is stated only when the cardholder's own words are about crime."""
    return bool(_CRIME_QUESTION.search(text or ""))


def consequence_topic(selected: str | None, text: str) -> str:
    """The sub-question to answer: crime words always get the crime answer, nothing else does."""
    if asks_about_crime(text):
        return CRIME
    if selected == CRIME:  # the model heard crime where the words are not about it: answer broadly
        return OVERVIEW
    return selected or OVERVIEW


def _standing(position: AccountPosition) -> list[str]:
    if not position.is_overdue:
        return ["utter_consequence_current"]
    return ["utter_consequence_reported" if position.credit_reported else "utter_consequence_grace"]


def _card(position: AccountPosition) -> list[str]:
    if not position.is_overdue:
        return []
    return ["utter_card_suspended" if position.card_suspended else "utter_consequence_card_countdown"]


def consequence_responses(position: AccountPosition) -> list[str]:
    """Names of the responses that describe this account's consequences truthfully."""
    if not position.is_overdue:
        return ["utter_consequence_current"]
    return [*_standing(position), "utter_consequence_costs", *_card(position)]


def personal_responses(topic: str, position: AccountPosition) -> list[str]:
    """The verified cardholder's own figures that belong beside the answer to `topic`."""
    if topic == OVERVIEW:
        return consequence_responses(position)
    if topic in ("credit_report", "blacklist", "future_loans", "grace_days"):
        return _standing(position)
    if topic == "card_suspension":
        return _card(position)
    if topic in ("interest", "compound_interest", "late_fee"):
        return ["utter_explain_fees_personal"]
    return []
