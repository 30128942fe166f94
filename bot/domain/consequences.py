"""Which consequence facts apply to an account, in the order the assistant states them.

The texts live in the domain file; this decides which of them are true for an account,
so the assistant never states a consequence that has not happened or will not happen.
"""
from __future__ import annotations

import re

from bot.domain.account_position import AccountPosition

_LEGAL_QUESTION = re.compile(r"起诉|告我|法院|坐牢|判刑|犯罪|诈骗|恶意透支|报警|警察|抓|刑事|违法|拘留|律师")


def asks_about_law(text: str) -> bool:
    """Legal facts are stated only when the cardholder asks about them."""
    return bool(_LEGAL_QUESTION.search(text or ""))


def consequence_responses(position: AccountPosition) -> list[str]:
    """Names of the responses that describe this account's consequences truthfully."""
    if not position.is_overdue:
        return ["utter_consequence_current"]
    standing = "utter_consequence_reported" if position.credit_reported else "utter_consequence_grace"
    card = "utter_card_suspended" if position.card_suspended else "utter_consequence_card_countdown"
    return [standing, "utter_consequence_costs", card]
