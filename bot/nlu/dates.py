"""Dates as cardholders say them (明天, 下周五, 15号, 下个月底, 11.30), resolved against today.

"Today" is always passed in, so that every date is computed from the bank's calendar day in
Asia/Shanghai rather than from the server's clock, and so that tests can pin it.
"""
from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Callable

from bot.clock import bank_today
from bot.nlu.numbers import parse_digit_string, parse_int


RELATIVE_DAYS = {
    "今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3,
    "昨天": -1, "昨日": -1, "前天": -2,
}
WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEK = "(?:周|星期|礼拜)"
WEEKEND = 5  # 周末 is the coming Saturday (Sunday itself when said on a Sunday)
MID_MONTH = 15  # 月中
_THIS = "(?:这个|这|本)"
_NEXT = "(?:下个|下)"
_AFTER = "(?:以后|之后|后)"
_N = "[0-9零〇一二两三四五六七八九十]+"
_YEAR = "[0-9零〇一二三四五六七八九]{4}"


_PAYDAY = re.compile(r"发工资|发薪|工资到账|开工资|出粮|发钱|工资下来|工资发")


def mentions_payday(text: str) -> bool:
    """发工资那天 names a day only the cardholder knows: ask which day of the month it is."""
    return bool(_PAYDAY.search(text or ""))


def today_in_shanghai() -> date:
    """The bank's calendar day: the one a cardholder in China means by 今天."""
    return bank_today()


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    """Same day of month `months` later; a missing day (31st, 29 Feb) becomes month end."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return _day_in_month(year, month0 + 1, day.day)


def _day_in_month(year: int, month: int, day: int) -> date:
    """Day `day` of a month, clamped to month end (31号 in November is the 30th)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _exact(year: int | None, month: int | None, day: int | None) -> date | None:
    try:
        return date(year, month, day)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _month_day_ahead(month: int | None, day: int | None, today: date) -> date | None:
    """11月30号: this year's, or next year's once this year's has passed."""
    this_year = _exact(today.year, month, day)
    if this_year is None:
        return _exact(today.year + 1, month, day)  # 2月29号 in a leap year ahead
    return this_year if this_year >= today else _exact(today.year + 1, month, day)


def _day_ahead(day: int | None, today: date) -> date | None:
    """15号: this month's 15th unless it has passed, then next month's."""
    if day is None or not 1 <= day <= 31:
        return None
    this_month = _day_in_month(today.year, today.month, day)
    if this_month >= today:
        return this_month
    following = _next_month(today)
    return _day_in_month(following.year, following.month, day)


def _weekday_on_or_after(weekday: int, today: date) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _weekday_next_week(weekday: int, today: date) -> date:
    """下周五: the Friday of next week, weeks starting on Monday."""
    return today - timedelta(days=today.weekday()) + timedelta(days=7 + weekday)


def _next_month(today: date) -> date:
    return _add_months(today.replace(day=1), 1)


_Resolver = Callable[[re.Match[str], date], "date | None"]

_RULES: list[tuple[str, _Resolver]] = [
    ("|".join(RELATIVE_DAYS), lambda m, t: t + timedelta(days=RELATIVE_DAYS[m[0]])),
    (f"{_NEXT}{_WEEK}(?P<wd>[一二三四五六日天])",
     lambda m, t: _weekday_next_week(WEEKDAYS[m["wd"]], t)),
    (f"{_THIS}?{_WEEK}(?P<wd>[一二三四五六日天])",
     lambda m, t: _weekday_on_or_after(WEEKDAYS[m["wd"]], t)),
    (f"{_NEXT}{_WEEK}", lambda m, t: t + timedelta(days=7)),
    (f"{_THIS}?{_WEEK}末", lambda m, t: _weekday_on_or_after(WEEKEND, t) if t.weekday() != 6 else t),
    (f"{_NEXT}{_WEEK}末", lambda m, t: _weekday_next_week(WEEKEND, t)),
    (f"{_THIS}?月中", lambda m, t: _day_ahead(MID_MONTH, t)),
    (f"{_NEXT}月中", lambda m, t: _day_of(_next_month(t), MID_MONTH)),
    (f"{_THIS}?月[底末]", lambda m, t: _last_day(t.year, t.month)),
    (f"{_NEXT}月[底末]", lambda m, t: _last_day(_next_month(t).year, _next_month(t).month)),
    (f"{_NEXT}月初", lambda m, t: _next_month(t)),
    (f"{_NEXT}月", lambda m, t: _add_months(t, 1)),
    ("年[底末]", lambda m, t: date(t.year, 12, 31)),
    (f"(?P<d>{_N})[号日]", lambda m, t: _day_ahead(parse_int(m["d"]), t)),
    (f"{_THIS}月(?P<d>{_N})[号日]", lambda m, t: _day_of(t, parse_int(m["d"]))),
    (f"{_NEXT}月(?P<d>{_N})[号日]?", lambda m, t: _day_of(_next_month(t), parse_int(m["d"]))),
    (f"(?P<m>{_N})月(?P<d>{_N})[号日]?",
     lambda m, t: _month_day_ahead(parse_int(m["m"]), parse_int(m["d"]), t)),
    (r"(?P<m>[0-9]{1,2})[./](?P<d>[0-9]{1,2})",
     lambda m, t: _month_day_ahead(int(m["m"]), int(m["d"]), t)),
    (f"(?P<m>{_N})月[底末]",
     lambda m, t: _month_end_ahead(parse_int(m["m"]), t)),
    (r"(?P<y>[0-9]{4})(?P<sep>[-/.])(?P<m>[0-9]{1,2})(?P=sep)(?P<d>[0-9]{1,2})",
     lambda m, t: _exact(int(m["y"]), int(m["m"]), int(m["d"]))),
    (f"(?P<y>{_YEAR})年(?P<m>{_N})月(?P<d>{_N})[号日]?",
     lambda m, t: _exact(_year(m["y"]), parse_int(m["m"]), parse_int(m["d"]))),
    (f"(?P<n>{_N})[天日]{_AFTER}", lambda m, t: _days_later(parse_int(m["n"]), 1, t)),
    (f"(?P<n>{_N})个?{_WEEK}{_AFTER}", lambda m, t: _days_later(parse_int(m["n"]), 7, t)),
    (f"(?P<n>{_N})个月{_AFTER}", lambda m, t: _months_later(parse_int(m["n"]), t)),
]
RULES = [(re.compile(pattern), resolve) for pattern, resolve in _RULES]


def _day_of(month: date, day: int | None) -> date | None:
    """Day `day` of the month `month` falls in (下个月10号)."""
    if day is None or not 1 <= day <= 31:
        return None
    return _day_in_month(month.year, month.month, day)


def _year(text: str) -> int | None:
    digits = parse_digit_string(text)
    return int(digits) if digits else None


def _month_end_ahead(month: int | None, today: date) -> date | None:
    if month is None or not 1 <= month <= 12:
        return None
    end = _last_day(today.year, month)
    return end if end >= today else _last_day(today.year + 1, month)


def _days_later(count: int | None, unit_days: int, today: date) -> date | None:
    if count is None or not 0 < count * unit_days <= 366:
        return None
    return today + timedelta(days=count * unit_days)


def _months_later(count: int | None, today: date) -> date | None:
    if count is None or not 0 < count <= 12:
        return None
    return _add_months(today, count)


def resolve_date(text: str, today: date) -> date | None:
    """The date a whole expression such as 下个月10号 names, or None if it names none."""
    text = re.sub(r"\s+", "", text)
    for pattern, resolve in RULES:
        if match := pattern.fullmatch(text):
            return resolve(match, today)
    return None
