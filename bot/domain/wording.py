"""How figures are written for a person reading a chat: dates as 10月19日, not 2026-10-19."""
from __future__ import annotations

from datetime import date


def format_date(day: date, today: date) -> str:
    """10月19日; the year only when it is not this year (2027年1月5日)."""
    text = f"{day.month}月{day.day}日"
    return text if day.year == today.year else f"{day.year}年{text}"
