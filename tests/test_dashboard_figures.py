"""The supervisors' figures (bot/services/dashboard.py): whether a promise was kept, how old an open
case is, the cardholder as the contact log CSV shows them, and no CSV cell a spreadsheet would run."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, select

from bot.data.db import session_scope
from bot.data.models import CardAccount, Cardholder, CaseStatus, Payment, PromiseToPay
from bot.services import conversation_review
from bot.services.contact_log import log_contact
from bot.services.dashboard import (
    AGE_BUCKETS,
    CSV_HEADER,
    InvalidDateRange,
    age_bucket,
    contact_log_csv,
    figures,
    masked_customer,
    promise_result,
)
from bot.services.records import record_complaint, record_promise
from bot.settings import BANK_TIMEZONE

FIRST, LAST, TODAY = date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 20)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A moment of the bank's day (Asia/Shanghai), as the database stores it (UTC)."""
    return datetime.combine(day, time(hour, minute), BANK_TIMEZONE).astimezone(timezone.utc)


def holder_and_account(session, customer_id: str = "C0001") -> tuple[Cardholder, CardAccount]:
    holder = session.scalar(select(Cardholder).where(Cardholder.customer_id == customer_id))
    return holder, holder.accounts[0]


def promise(session, amount: str, made: datetime, promised: date, status: str = "open") -> PromiseToPay:
    """A promise recorded as the assistant records one, then dated back to `made`."""
    _holder, account = holder_and_account(session)
    record = record_promise(session, account, Decimal(amount), promised, False, None)
    record.created_at, record.status = made, status
    session.flush()
    return record


# --- promise_result ------------------------------------------------------------------------------

MADE = at(date(2026, 11, 10), 9)
PROMISED = date(2026, 11, 15)


@pytest.mark.parametrize("payments, today, expected", [
    ([(at(PROMISED, 12), "1000.00")], TODAY, "kept"),
    ([(at(date(2026, 11, 11)), "400.00"), (at(date(2026, 11, 14)), "600.00")], TODAY, "kept"),  # paid in parts
    ([(at(PROMISED, 23, 59), "1000.00")], TODAY, "kept"),  # the last minute of the bank's promised day
    ([(at(PROMISED + timedelta(days=1), 0, 0), "1000.00")], TODAY, "broken"),  # the next bank day is late
    ([(at(date(2026, 11, 12)), "999.99")], TODAY, "broken"),  # one fen short
    ([(MADE - timedelta(minutes=1), "1000.00")], TODAY, "broken"),  # paid before the promise: not for it
    ([], TODAY, "broken"),
    ([], PROMISED, "pending"),  # the promised day is today: not broken yet
    ([], PROMISED - timedelta(days=1), "pending"),
    ([(at(date(2026, 11, 12)), "200.00")], PROMISED, "pending"),  # part paid, the day not over
])
def test_promise_result_weighs_the_payments_between_the_promise_and_its_day(sessions, payments, today, expected):
    with session_scope(sessions) as session:
        record = promise(session, "1000.00", MADE, PROMISED)
        paid = [(moment, Decimal(amount)) for moment, amount in payments]
        assert promise_result(record, paid, today) == expected


@pytest.mark.parametrize("status", ["cancelled", "replaced"])
def test_a_withdrawn_promise_is_neither_kept_nor_broken(sessions, status):
    with session_scope(sessions) as session:
        record = promise(session, "1000.00", MADE, PROMISED, status=status)
        assert promise_result(record, [(at(PROMISED), Decimal("1000.00"))], TODAY) == "cancelled"
        assert promise_result(record, [], TODAY) == "cancelled"


def test_promise_figures_read_the_accounts_payments(sessions):
    """Through figures(): the payments are the account's rows in the database, naive UTC in SQLite."""
    with session_scope(sessions) as session:
        _holder, account = holder_and_account(session)
        promise(session, "1000.00", MADE, PROMISED)  # kept by the payment below
        promise(session, "500.00", at(date(2026, 11, 16)), date(2026, 11, 18))  # broken
        promise(session, "300.00", at(date(2026, 11, 19)), date(2026, 11, 25))  # pending
        promise(session, "800.00", at(date(2026, 11, 19)), date(2026, 11, 25), status="replaced")
        session.add(Payment(account_id=account.id, amount=Decimal("1000.00"), paid_at=at(date(2026, 11, 13)),
                            channel="手机银行"))
    with session_scope(sessions) as session:
        result = figures(session, None, FIRST, LAST, today=TODAY)["promises"]
    assert result["count"] == 4 and result["amount"] == "2600.00"
    assert {kind: result[kind]["count"] for kind in ("kept", "broken", "pending", "cancelled")} == \
        {"kept": 1, "broken": 1, "pending": 1, "cancelled": 1}
    assert result["kept"]["amount"] == "1000.00" and result["kept"]["label"] == "已履行"
    assert result["kept_rate"] == 0.5  # kept / (kept + broken): pending ones are not judged yet


# --- age_bucket ----------------------------------------------------------------------------------

@pytest.mark.parametrize("days, bucket", [
    (0, "0-2"), (2, "0-2"), (3, "3-7"), (7, "3-7"), (8, "8-30"), (30, "8-30"), (31, ">30"), (400, ">30"),
])
def test_age_bucket_boundaries(days, bucket):
    assert age_bucket(days) == bucket
    assert bucket in AGE_BUCKETS


def test_open_cases_are_aged_in_bank_days(sessions):
    """A complaint made at 00:30 Shanghai time (the previous UTC day) is aged from the bank's day."""
    with session_scope(sessions) as session:
        holder, _account = holder_and_account(session)
        ages = {3: CaseStatus.OPEN, 8: CaseStatus.IN_REVIEW, 31: CaseStatus.OPEN, 5: CaseStatus.RESOLVED}
        for days, status in ages.items():
            complaint = record_complaint(session, holder, "attitude", "态度不好", False, None)
            complaint.created_at, complaint.status = at(TODAY - timedelta(days=days), 0, 30), status
    with session_scope(sessions) as session:
        kinds = figures(session, None, FIRST, LAST, today=TODAY)["cases"]["kinds"]
    assert kinds["complaint"]["ages"] == {"0-2": 0, "3-7": 1, "8-30": 1, ">30": 1}
    assert kinds["complaint"]["open"] == 3
    assert kinds["complaint"]["opened"] == 3  # the 31-day-old one was opened before the window


# --- masked_customer -----------------------------------------------------------------------------

@pytest.mark.parametrize("name, last4, shown", [
    ("张伟", "6217", "张** ****6217"),
    ("欧阳娜娜", "0310", "欧** ****0310"),  # the length of a name says nothing either
    (None, "8848", "****8848"),
    ("李娜", None, "李**"),
    (None, None, ""),
    ("", "", ""),
])
def test_masked_customer(name, last4, shown):
    assert masked_customer(name, last4) == shown


# --- the contact log CSV -------------------------------------------------------------------------

def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("note", [
    "=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1",
])
def test_no_csv_cell_starts_a_formula(sessions, note):
    with session_scope(sessions) as session:
        holder, _account = holder_and_account(session)
        holder.name = "=cmd|' /C calc'!A0"  # a name typed in by someone
        entry = log_contact(session, "=conv-1", channel="web", verified=True, cardholder_id=holder.id,
                            intents=[], outcome="informed")
        entry.started_at = entry.updated_at = at(date(2026, 11, 5))
        entry.note = note
    with session_scope(sessions) as session:
        rows = read_csv(contact_log_csv(session, FIRST, LAST))
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == 2
    row = dict(zip(CSV_HEADER, rows[1]))
    assert not any(cell.startswith(FORMULA_START) for cell in rows[1])
    assert row["备注"] == "'" + note
    assert row["对话编号"] == "'=conv-1"
    assert row["客户"] == "'=** ****6217"
    assert row["开始时间"] == "2026-11-05 10:00" and row["已核身"] == "是"


def test_csv_keeps_ordinary_text_as_it_is(sessions):
    with session_scope(sessions) as session:
        holder, _account = holder_and_account(session, "C0002")
        entry = log_contact(session, "conv-2", channel="web", verified=False, cardholder_id=holder.id,
                            intents=[], outcome="promise_recorded")
        entry.started_at = entry.updated_at = at(date(2026, 11, 6), 23, 30)
        entry.note = "客户承诺 11 月 20 日还款 1,000 元；卡号6222031234568848"
    with session_scope(sessions) as session:
        row = dict(zip(CSV_HEADER, read_csv(contact_log_csv(session, FIRST, LAST))[1]))
    assert row["对话编号"] == "conv-2" and row["已核身"] == "否" and row["客户"] == "李** ****8848"
    assert row["备注"] == "客户承诺 11 月 20 日还款 1,000 元；卡号**** **** **** 8848"  # masked again
    assert row["开始时间"] == "2026-11-06 23:30"  # the bank's time, not UTC


# --- the window and the tracker store ------------------------------------------------------------

def test_a_reversed_or_too_long_range_is_refused(sessions):
    with session_scope(sessions) as session:
        with pytest.raises(InvalidDateRange, match="结束日期不能早于开始日期"):
            figures(session, None, LAST, FIRST)
        with pytest.raises(InvalidDateRange, match="366"):
            contact_log_csv(session, FIRST, FIRST + timedelta(days=366))


def test_fallback_figures_per_day_carry_their_own_denominator(sessions, tmp_path):
    """A day's fallback rate divides by that day's tracker conversations (every channel), not the bank's chats."""
    engine = create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    conversation_review.EVENTS.metadata.create_all(engine)
    day = date(2026, 11, 3)

    def user(sender: str, intent: str, moment: datetime) -> dict:
        data = {"event": "user", "text": "你好", "timestamp": moment.timestamp(),
                "parse_data": {"intent": {"name": intent, "confidence": 0.9}}}
        return {"sender_id": sender, "type_name": "user", "timestamp": moment.timestamp(), "intent_name": intent,
                "data": json.dumps(data)}

    with engine.begin() as connection:
        connection.execute(conversation_review.EVENTS.insert(), [
            user("a", "greet", at(day, 9)), user("b", "nlu_fallback", at(day, 10)), user("b", "greet", at(day, 11)),
            user("c", "greet", at(day + timedelta(days=1), 9)),
        ])
    with session_scope(sessions) as session:
        result = figures(session, engine, FIRST, LAST, today=TODAY)
    assert result["per_day"][day.isoformat()]["tracker_conversations"] == 2
    assert result["per_day"][day.isoformat()]["fallback_conversations"] == 1
    assert result["per_day"][(day + timedelta(days=1)).isoformat()]["tracker_conversations"] == 1
    assert result["totals"]["fallback_rate"] == round(1 / 3, 4)
    assert result["totals"]["fallback_message_rate"] == 0.25


def test_an_unreadable_tracker_store_leaves_only_the_fallback_figures_out(sessions, tmp_path):
    (tmp_path / "tracker.db").write_bytes(b"not a database" * 100)
    engine = create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    with session_scope(sessions) as session:
        result = figures(session, engine, FIRST, LAST, today=TODAY)
    assert result["totals"]["fallback_rate"] is None and result["totals"]["tracker_conversations"] is None
    assert result["totals"]["conversations"] == 0 and len(result["per_day"]) == 30
