"""Dates are resolved in Asia/Shanghai: "today" is the bank's today, not the server's."""
from __future__ import annotations

from datetime import date, datetime

from bot.settings import BANK_TIMEZONE


def now_in_bank_tz() -> datetime:
    return datetime.now(BANK_TIMEZONE)


def bank_today() -> date:
    return now_in_bank_tz().date()


def bank_date_of(moment: datetime) -> date:
    """The bank's calendar day of a stored (timezone-aware or UTC-naive) moment."""
    if moment.tzinfo is None:
        from datetime import timezone

        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(BANK_TIMEZONE).date()
