"""Dates are resolved in Asia/Shanghai: "today" is the bank's today, not the server's."""
from __future__ import annotations

from datetime import date, datetime, timezone

from bot.settings import BANK_TIMEZONE


def now_in_bank_tz() -> datetime:
    return datetime.now(BANK_TIMEZONE)


def bank_today() -> date:
    return now_in_bank_tz().date()


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def bank_date_of(moment: datetime) -> date:
    """The bank's calendar day of a stored (timezone-aware or UTC-naive) moment."""
    return as_utc(moment).astimezone(BANK_TIMEZONE).date()
