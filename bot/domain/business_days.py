"""Business-day arithmetic for when a payment posts (weekends skipped; holidays are the bank's to add)."""
from __future__ import annotations

from datetime import date, timedelta


def add_business_days(start: date, days: int) -> date:
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current
