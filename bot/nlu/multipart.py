"""One message, several things said: which parts to answer, and in which order.

"卡被盗刷了，会影响征信吗？我下周五先还5000" holds a situation, a question and a promise. The
classifier gives a message one intent, so the assistant answered only one of them. Here the
message is cut into clauses, each clause's intent (from the same model) decides whether it is a
part of its own, and the parts are ordered: the urgent first, then questions, then the one task
that opens a form (a second form would take the later parts as its answers, so a message runs at
most one; the others are left for the cardholder to raise again). Distress never reaches here:
it outranks everything in the message (bot.nlu.distress).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Answered at once, in this order, before anything else.
URGENT = ("report_fraud", "request_human", "complain", "not_cardholder", "verify_collector")
# Answered without a form (or as an aside inside one).
QUESTIONS = ("ask_consequence", "ask_fee", "ask_payment_method", "bot_challenge")
# Each opens a form or verification; the first of them in this order is kept (a promise the
# cardholder offers is what fits their hardship: the lightest arrangement comes first).
TASKS = (
    "dispute_bill", "promise_to_pay", "report_hardship", "request_installment", "claim_paid", "ask_balance",
    "request_fee_waiver", "change_promise", "ask_case_status", "stop_contact", "request_certificate",
    "refuse_to_pay",
)
MIN_CONFIDENCE = 0.7
_CLAUSE_END = re.compile(r"(?<=[。！？!?；;，,\n])")


@dataclass(frozen=True)
class Part:
    text: str
    intent: str
    confidence: float


def clauses(text: str) -> list[str]:
    """The message cut after each sentence or clause mark; empty pieces dropped."""
    return [piece.strip() for piece in _CLAUSE_END.split(text) if piece.strip()]


def plan_parts(parsed: list[Part]) -> list[str] | None:
    """The texts to answer one after another, most urgent first; None when the message says one thing.

    A clause without a confident intent of its own (a name, a fragment, a greeting) stays with the
    clause before it; clauses with the same intent are answered together.
    """
    merged: list[Part] = []
    for part in parsed:
        own = part.confidence >= MIN_CONFIDENCE and part.intent in URGENT + QUESTIONS + TASKS
        same = merged and merged[-1].intent == part.intent
        if merged and (not own or same):
            last = merged[-1]
            merged[-1] = Part(last.text + part.text, last.intent, last.confidence)
        elif own:
            merged.append(part)
        elif not merged:
            merged.append(part)  # a leading greeting or fragment: kept with what follows
    if merged and merged[0].intent not in URGENT + QUESTIONS + TASKS and len(merged) > 1:
        first, second = merged[0], merged[1]
        merged[:2] = [Part(first.text + second.text, second.intent, second.confidence)]
    by_intent = {part.intent: part.text for part in merged}
    if len(by_intent) < 2:
        return None
    urgent = [by_intent[i] for i in URGENT if i in by_intent]
    questions = [by_intent[i] for i in QUESTIONS if i in by_intent]
    # a stolen card's own task is the dispute it starts at once; no second form after it
    task = None if "report_fraud" in by_intent else next((by_intent[i] for i in TASKS if i in by_intent), None)
    plan = [*urgent, *questions, *([task] if task else [])]
    return plan if len(plan) > 1 else None  # one part left: the model reads the whole message
