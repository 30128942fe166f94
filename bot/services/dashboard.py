"""The supervisor's figures over the bank's days (Asia/Shanghai), and the contact log as a CSV file.

Which conversations count: chats on the bank site (conversations) that started within the days and
in which the cardholder wrote at least once; a chat opened without a word is no contact. A
conversation is contained when nobody asked for a person in it (no handoff request); the rest are
handoffs, so contained + handoffs = conversations, day by day. The fallback figures come from
Rasa's tracker store (every channel), each day with its own count of tracker conversations (the
rate's denominator: the bank's chats are another set); without a tracker-store engine, or with
one that cannot be read (Rasa never started, so no file yet), they are None and the rest stands.

Money is a Decimal rendered as a string ("1234.50"); a rate is a float between 0 and 1 (None when
there is nothing to divide by); a duration is in seconds.
"""
from __future__ import annotations

import csv
import io
import logging
import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any, Iterable, Sequence

from sqlalchemy import exists, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.clock import as_utc, bank_date_of, bank_today
from bot.data.models import (
    AgentAccount,
    AssistEvent,
    CardAccount,
    Cardholder,
    CaseStatus,
    ChatMessage,
    Complaint,
    ContactLog,
    Conversation,
    DisputeCase,
    FeeWaiverRequest,
    HandoffRequest,
    HardshipApplication,
    InstallmentPlanRecord,
    Payment,
    PromiseToPay,
)
from bot.domain import labels
from bot.domain.money import to_money
from bot.log_redaction import redact
from bot.services.conversation_review import outcome_label, tracker_summaries
from bot.services.errors import ExplainedError
from bot.services.training_records import chunks
from bot.settings import BANK_TIMEZONE

MAX_DAYS = 366
AGE_BUCKETS: dict[str, str] = {"0-2": "0-2天", "3-7": "3-7天", "8-30": "8-30天", ">30": "30天以上"}
OPEN_CASE_STATUSES = (CaseStatus.OPEN, CaseStatus.IN_REVIEW)
PROMISE_RESULTS: dict[str, str] = {"kept": "已履行", "broken": "未按时履行", "pending": "未到期", "cancelled": "已取消或被替换"}
WITHDRAWN_PROMISE_STATUSES = ("cancelled", "replaced")
CHANNELS: dict[str, str] = {"web": "网页", "rest": "网页"}  # the gateway reaches Rasa over its REST channel
CSV_HEADER = ("对话编号", "渠道", "开始时间", "最后更新", "已核身", "意图", "结果", "备注", "记录人", "客户")
GUARD = "guard"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CHUNK = 500
log = logging.getLogger(__name__)


class InvalidDateRange(ExplainedError):
    code = "invalid_date_range"


@dataclass(frozen=True)
class _Window:
    """The bank's days [first, last] as UTC moments [start, end) for the queries."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return _day_start(self.first)

    @property
    def end(self) -> datetime:
        return _day_start(self.last + timedelta(days=1))

    @property
    def days(self) -> list[str]:
        return [(self.first + timedelta(days=n)).isoformat() for n in range((self.last - self.first).days + 1)]


def figures(session: Session, tracker_engine: Engine | None, date_from: date, date_to: date, *,
            today: date | None = None) -> dict[str, Any]:
    """Every figure of the dashboard for the bank's days `date_from`..`date_to` (both included).

    `today` (the bank's) decides which promises are past their date and how old open cases are.
    """
    window = _window(date_from, date_to)
    today = today or bank_today()
    per_day = {day: _empty_day() for day in window.days}
    totals = _conversation_figures(session, window, per_day)
    totals.update(_waiting_figures(session, window, per_day))
    totals.update(_fallback_figures(tracker_engine, window, per_day))
    totals.update(_turn_figures(session, window))
    return {
        "date_from": window.first.isoformat(),
        "date_to": window.last.isoformat(),
        "today": today.isoformat(),
        "days": window.days,
        "per_day": per_day,
        "totals": totals,
        "promises": _promise_figures(session, window, today, per_day),
        "plans": _plan_figures(session, window, per_day),
        "cases": _case_figures(session, window, today),
        "complaints": _complaint_figures(session, window, per_day),
        "outcomes": _outcome_figures(session, window),
        "agents": _agent_figures(session, window),
        "compliance": _compliance_figures(session, window),
    }


def contact_log_csv(session: Session, date_from: date, date_to: date) -> bytes:
    """The contact log of the bank's days as a spreadsheet opens it: UTF-8 with BOM, Chinese header,
    the bank's time; the cardholder only as surname and card tail, notes masked again, and no cell
    that a spreadsheet would run as a formula."""
    window = _window(date_from, date_to)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for entry, agent_name, holder_name, last4 in _contact_rows(session, window):
        writer.writerow([_safe_cell(value) for value in (
            entry.conversation_id, CHANNELS.get(entry.channel, entry.channel), _minute(entry.started_at),
            _minute(entry.updated_at), "是" if entry.verified else "否",
            "、".join(labels.intent_label(name) for name in entry.intents or []),
            outcome_label(entry.outcome) or "", redact(entry.note or ""), agent_name or "",
            masked_customer(holder_name, last4),
        )])
    return buffer.getvalue().encode("utf-8-sig")


def masked_customer(name: str | None, card_last4: str | None) -> str:
    """张伟 with card ...6217 -> "张** ****6217": enough to find the record in the bank, not to identify."""
    parts = [f"{name[:1]}**" if name else "", f"****{card_last4}" if card_last4 else ""]
    return " ".join(part for part in parts if part)


# --- conversations, handoffs, waiting ----------------------------------------------------------------

def _conversation_figures(session: Session, window: _Window, per_day: dict[str, dict[str, Any]]) -> dict[str, Any]:
    wrote = exists().where(ChatMessage.conversation_id == Conversation.id, ChatMessage.sender == "customer")
    started: dict[str, datetime] = {conversation_id: created_at for conversation_id, created_at in session.execute(
        select(Conversation.id, Conversation.created_at).where(
            Conversation.created_at >= window.start, Conversation.created_at < window.end, wrote))}
    handed = _handoffs_of(session, list(started))
    for conversation_id, created_at in started.items():
        day = per_day[bank_date_of(created_at).isoformat()]
        day["conversations"] += 1
        day["handoffs" if conversation_id in handed else "contained"] += 1
    total, handoffs, answered = len(started), len(handed), sum(handed.values())
    return {"conversations": total, "contained": total - handoffs, "containment_rate": _rate(total - handoffs, total),
            "handoffs": handoffs, "handoff_rate": _rate(handoffs, total), "handoffs_answered": answered}


def _handoffs_of(session: Session, conversation_ids: list[str]) -> dict[str, bool]:
    """The conversations that asked for a person, each with whether an agent took it."""
    found: dict[str, bool] = {}
    for chunk in chunks(conversation_ids):
        rows = session.execute(select(HandoffRequest.conversation_id, HandoffRequest.claimed_at).where(
            HandoffRequest.conversation_id.in_(chunk)))
        for conversation_id, claimed_at in rows:
            found[conversation_id] = found.get(conversation_id, False) or claimed_at is not None
    return found


def _waiting_figures(session: Session, window: _Window, per_day: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """How long cardholders waited for a person: from the handoff request to an agent taking it."""
    rows = session.execute(select(HandoffRequest.created_at, HandoffRequest.claimed_at).where(
        HandoffRequest.created_at >= window.start, HandoffRequest.created_at < window.end,
        HandoffRequest.claimed_at.is_not(None))).all()
    by_day: dict[str, list[float]] = defaultdict(list)
    for created_at, claimed_at in rows:
        by_day[bank_date_of(created_at).isoformat()].append(_seconds(created_at, claimed_at))
    for day, waits in by_day.items():
        per_day[day]["waiting_median_seconds"] = _median(waits)
    waits = [w for day in by_day.values() for w in day]
    return {"waiting_seconds": {"median": _median(waits), "p90": _p90(waits), "count": len(waits)}}


def _fallback_figures(engine: Engine | None, window: _Window, per_day: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """How often the assistant did not understand, from the tracker store (None without one, or
    when it cannot be read: the bank's figures are still worth showing)."""
    unknown: dict[str, Any] = {"tracker_conversations": None, "fallback_conversations": None, "fallback_rate": None,
                               "user_messages": None, "fallback_messages": None, "fallback_message_rate": None}
    if engine is None:
        return unknown
    try:
        summaries = tracker_summaries(engine, window.first, window.last)
    except SQLAlchemyError as exc:  # the class only: the message may carry the store's URL
        log.warning("dashboard: the tracker store cannot be read (%s); fallback figures left out", type(exc).__name__)
        return unknown
    for day in per_day.values():
        day["tracker_conversations"] = day["fallback_conversations"] = 0
    for summary in summaries:
        day = per_day.get(summary.started.astimezone(BANK_TIMEZONE).date().isoformat())
        if day is not None:
            day["tracker_conversations"] += 1
            day["fallback_conversations"] += 1 if summary.fallback else 0
    fallen = sum(1 for s in summaries if s.fallback)
    messages = sum(s.user_messages for s in summaries)
    fallback_messages = sum(s.fallback_messages for s in summaries)
    return {"tracker_conversations": len(summaries), "fallback_conversations": fallen,
            "fallback_rate": _rate(fallen, len(summaries)), "user_messages": messages,
            "fallback_messages": fallback_messages, "fallback_message_rate": _rate(fallback_messages, messages)}


def _turn_figures(session: Session, window: _Window) -> dict[str, Any]:
    """How many times cardholders wrote per conversation, from the contact log's figures that the
    event consumer keeps (bot.events); conversations it has not seen are left out, not counted as 0."""
    turns = [float(n) for n in session.scalars(select(ContactLog.user_turns).where(
        ContactLog.started_at >= window.start, ContactLog.started_at < window.end, ContactLog.user_turns.is_not(None)))]
    return {"user_turns": {"median": _median(turns), "p90": _p90(turns), "conversations": len(turns)}}


# --- promises and plans --------------------------------------------------------------------------

def _promise_figures(session: Session, window: _Window, today: date,
                     per_day: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Promises made within the days, and whether each was kept.

    A promise is kept when the account's payments from the moment it was made to the end of the
    promised day (the bank's) add up to at least the promised amount; broken when that day has
    passed without it; pending while the day is still to come. One cancelled or replaced by the
    cardholder is counted apart, neither kept nor broken. Payments are counted whether posted or
    not (the cardholder paid), and one payment may keep two promises of the same account.
    """
    promises = list(session.scalars(select(PromiseToPay).where(
        PromiseToPay.created_at >= window.start, PromiseToPay.created_at < window.end)))
    payments = _payments_of(session, promises)
    result = {kind: {"label": label, "count": 0, "amount": Decimal("0.00")} for kind, label in PROMISE_RESULTS.items()}
    for promise in promises:
        outcome = promise_result(promise, payments.get(promise.account_id, []), today)
        result[outcome]["count"] += 1
        result[outcome]["amount"] += promise.amount
        day = per_day[bank_date_of(promise.created_at).isoformat()]
        day["promises"] += 1
        day["promise_amount"] = _money(Decimal(day["promise_amount"]) + promise.amount)
    kept, broken = result["kept"]["count"], result["broken"]["count"]
    return {
        "count": len(promises),
        "amount": _money(sum((p.amount for p in promises), Decimal("0"))),
        **{kind: {**figures_, "amount": _money(figures_["amount"])} for kind, figures_ in result.items()},
        "kept_rate": _rate(kept, kept + broken),
    }


def promise_result(promise: PromiseToPay, payments: Iterable[tuple[datetime, Decimal]], today: date) -> str:
    """kept, broken, pending or cancelled: see _promise_figures for the rule."""
    if promise.status in WITHDRAWN_PROMISE_STATUSES:
        return "cancelled"
    made, deadline = as_utc(promise.created_at), _day_start(promise.promised_date + timedelta(days=1))
    paid = sum((amount for paid_at, amount in payments if made <= as_utc(paid_at) < deadline), Decimal("0"))
    if paid >= promise.amount:
        return "kept"
    return "broken" if promise.promised_date < today else "pending"


def _payments_of(session: Session, promises: Sequence[PromiseToPay]) -> dict[int, list[tuple[datetime, Decimal]]]:
    if not promises:
        return {}
    earliest = min(as_utc(p.created_at) for p in promises)
    rows = session.execute(select(Payment.account_id, Payment.paid_at, Payment.amount).where(
        Payment.account_id.in_({p.account_id for p in promises}), Payment.paid_at >= earliest))
    found: dict[int, list[tuple[datetime, Decimal]]] = defaultdict(list)
    for account_id, paid_at, amount in rows:
        found[account_id].append((paid_at, amount))
    return found


def _plan_figures(session: Session, window: _Window, per_day: dict[str, dict[str, Any]]) -> dict[str, Any]:
    plans = list(session.scalars(select(InstallmentPlanRecord).where(
        InstallmentPlanRecord.created_at >= window.start, InstallmentPlanRecord.created_at < window.end)))
    for plan in plans:
        per_day[bank_date_of(plan.created_at).isoformat()]["plans"] += 1
    terms = Counter(plan.term_months for plan in plans)
    return {"count": len(plans), "principal": _money(sum((p.principal for p in plans), Decimal("0"))),
            "by_term": {str(term): terms[term] for term in sorted(terms)}}


# --- cases and complaints ------------------------------------------------------------------------

def _case_figures(session: Session, window: _Window, today: date) -> dict[str, Any]:
    """Per kind: opened within the days, and the ones still open today by age in days."""
    kinds: dict[str, dict[str, Any]] = {}
    for kind, model, condition in _case_sources():
        rows = session.execute(select(model.created_at, model.status).where(*condition, or_(
            model.status.in_(OPEN_CASE_STATUSES), model.created_at >= window.start))).all()
        ages = {bucket: 0 for bucket in AGE_BUCKETS}
        opened = 0
        for created_at, status in rows:
            if window.start <= as_utc(created_at) < window.end:
                opened += 1
            if status in OPEN_CASE_STATUSES:
                ages[age_bucket((today - bank_date_of(created_at)).days)] += 1
        kinds[kind] = {"label": labels.CASE_KINDS.get(kind, kind), "opened": opened, "open": sum(ages.values()),
                       "ages": ages}
    return {"kinds": kinds, "age_buckets": dict(AGE_BUCKETS)}


def _case_sources() -> list[tuple[str, Any, tuple[Any, ...]]]:
    return [
        ("dispute", DisputeCase, (DisputeCase.kind == "charge",)),
        ("payment_trace", DisputeCase, (DisputeCase.kind == "payment_trace",)),
        ("hardship", HardshipApplication, ()),
        ("fee_waiver", FeeWaiverRequest, ()),
        ("complaint", Complaint, ()),
    ]


def age_bucket(days: int) -> str:
    """0-2, 3-7, 8-30 or >30 days since a case was opened (the bank's calendar days)."""
    if days <= 2:
        return "0-2"
    if days <= 7:
        return "3-7"
    return "8-30" if days <= 30 else ">30"


def _complaint_figures(session: Session, window: _Window, per_day: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rows = session.execute(select(Complaint.category, Complaint.created_at).where(
        Complaint.created_at >= window.start, Complaint.created_at < window.end)).all()
    categories = Counter(category for category, _ in rows)
    for _, created_at in rows:
        per_day[bank_date_of(created_at).isoformat()]["complaints"] += 1
    return {"total": len(rows), "by_category": {
        category: {"label": labels.COMPLAINT_CATEGORIES.get(category, category), "count": categories[category]}
        for category in sorted(categories, key=lambda c: (-categories[c], c))}}


def _outcome_figures(session: Session, window: _Window) -> dict[str, dict[str, Any]]:
    outcomes = Counter(session.scalars(select(ContactLog.outcome).where(
        ContactLog.started_at >= window.start, ContactLog.started_at < window.end)))
    return {outcome: {"label": outcome_label(outcome), "count": outcomes[outcome]}
            for outcome in sorted(outcomes, key=lambda o: (-outcomes[o], o))}


# --- agents and compliance -----------------------------------------------------------------------

def _agent_figures(session: Session, window: _Window) -> list[dict[str, Any]]:
    """Per agent: conversations taken within the days, how many closed, the median time from taking
    one to closing it, and the replies the compliance guard blocked, warned about or let through."""
    taken = session.execute(select(HandoffRequest.assigned_agent_id, HandoffRequest.conversation_id,
                                   HandoffRequest.claimed_at, HandoffRequest.closed_at).where(
        HandoffRequest.assigned_agent_id.is_not(None), HandoffRequest.claimed_at >= window.start,
        HandoffRequest.claimed_at < window.end)).all()
    guard = session.execute(select(AssistEvent.agent_id, AssistEvent.action).where(
        AssistEvent.kind == GUARD, AssistEvent.created_at >= window.start, AssistEvent.created_at < window.end)).all()
    agent_ids = {row[0] for row in taken} | {row[0] for row in guard}
    if not agent_ids:
        return []
    people = {a.id: a for a in session.scalars(select(AgentAccount).where(AgentAccount.id.in_(agent_ids)))}
    rows = [_agent_row(people[agent_id], [r for r in taken if r[0] == agent_id], [a for i, a in guard if i == agent_id])
            for agent_id in agent_ids if agent_id in people]
    return sorted(rows, key=lambda r: (-r["conversations"], r["username"]))


def _agent_row(agent: AgentAccount, taken: list[Any], guard_actions: list[str]) -> dict[str, Any]:
    handled = [_seconds(claimed_at, closed_at) for _, _, claimed_at, closed_at in taken if closed_at is not None]
    actions = Counter(guard_actions)
    return {"agent_id": agent.id, "username": agent.username, "display_name": agent.display_name,
            "conversations": len({conversation_id for _, conversation_id, _, _ in taken}), "closed": len(handled),
            "median_handling_seconds": _median(handled), "blocked": actions["blocked"], "warned": actions["warned"],
            "overridden": actions["overridden"]}


def _compliance_figures(session: Session, window: _Window) -> dict[str, Any]:
    """The guard's verdicts on agents' replies, and which rules blocked them most."""
    events = session.execute(select(AssistEvent.action, AssistEvent.detail).where(
        AssistEvent.kind == GUARD, AssistEvent.created_at >= window.start, AssistEvent.created_at < window.end)).all()
    actions = Counter(action for action, _ in events)
    rules = Counter(rule for action, detail in events if action == "blocked"
                    for rule in (detail or {}).get("rules", []))
    return {"blocked": actions["blocked"], "warned": actions["warned"], "overridden": actions["overridden"],
            "rules": {rule: rules[rule] for rule in sorted(rules, key=lambda r: (-rules[r], r))}}


# --- the contact log CSV -------------------------------------------------------------------------

def _contact_rows(session: Session, window: _Window) -> list[tuple[ContactLog, str | None, str | None, str | None]]:
    # plain tuples: Result.tuples() is SQLAlchemy 2.0, and the project is pinned to 1.4 (Rasa 3)
    entries = [tuple(row) for row in session.execute(
        select(ContactLog, AgentAccount.display_name, Cardholder.name, Cardholder.id)
        .outerjoin(AgentAccount, AgentAccount.id == ContactLog.noted_by)
        .outerjoin(Cardholder, Cardholder.id == ContactLog.cardholder_id)
        .where(ContactLog.started_at >= window.start, ContactLog.started_at < window.end)
        .order_by(ContactLog.started_at, ContactLog.id))]
    tails = _card_tails(session, {holder_id for *_, holder_id in entries if holder_id is not None})
    return [(entry, agent, name, tails.get(holder_id)) for entry, agent, name, holder_id in entries]


def _card_tails(session: Session, cardholder_ids: set[int]) -> dict[int, str]:
    """The last four digits of each cardholder's first card (the one the assistant speaks about)."""
    if not cardholder_ids:
        return {}
    tails: dict[int, str] = {}
    for holder_id, last4 in session.execute(select(CardAccount.cardholder_id, CardAccount.card_last4).where(
            CardAccount.cardholder_id.in_(cardholder_ids)).order_by(CardAccount.id)):
        tails.setdefault(holder_id, last4)
    return tails


def _safe_cell(value: str) -> str:
    """A cell a spreadsheet would read as a formula (=, +, -, @) is kept as text."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _minute(moment: datetime | None) -> str:
    return as_utc(moment).astimezone(BANK_TIMEZONE).strftime("%Y-%m-%d %H:%M") if moment else ""


# --- small helpers -------------------------------------------------------------------------------

def _window(date_from: date, date_to: date) -> _Window:
    if date_to < date_from:
        raise InvalidDateRange("结束日期不能早于开始日期")
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise InvalidDateRange(f"一次最多查看{MAX_DAYS}天")
    return _Window(date_from, date_to)


def _empty_day() -> dict[str, Any]:
    return {"conversations": 0, "contained": 0, "handoffs": 0, "waiting_median_seconds": None,
            "tracker_conversations": None, "fallback_conversations": None, "promises": 0, "promise_amount": "0.00",
            "plans": 0, "complaints": 0}


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, BANK_TIMEZONE).astimezone(timezone.utc)


def _seconds(start: datetime, end: datetime) -> float:
    return (as_utc(end) - as_utc(start)).total_seconds()


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _p90(values: list[float]) -> float | None:
    """The nearest-rank 90th percentile: a wait that 90% of cardholders did not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(math.ceil(0.9 * len(ordered)) - 1, 0)], 1)


def _money(amount: Decimal) -> str:
    return str(to_money(amount))
