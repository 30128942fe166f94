"""When wrong answers to the identity questions lock verification, and for how long.

Failures are counted per card (last 4), per conversation and per client address, in the
bank's database: typing /restart, opening a new conversation or changing address does not
start a guesser from zero. Once `max_failures` wrong answers fall in the window, each further
wrong answer doubles the wait (15 min, 30 min, 1 h, ... up to `max_lock`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable


@dataclass(frozen=True)
class LockPolicy:
    """How many wrong answers one key may give, and how long the locks after them last."""

    max_failures: int
    first_lock: timedelta
    max_lock: timedelta
    window: timedelta


def _recent(failures: Iterable[datetime], policy: LockPolicy, now: datetime) -> list[datetime]:
    return sorted(moment for moment in failures if timedelta(0) <= now - moment < policy.window)


def locked_until(failures: Iterable[datetime], policy: LockPolicy, now: datetime) -> datetime | None:
    """The end of the lock these failures cause, or None when another attempt is allowed now."""
    recent = _recent(failures, policy, now)
    beyond = len(recent) - policy.max_failures
    if beyond < 0:
        return None
    wait = min(policy.first_lock * (2 ** min(beyond, 32)), policy.max_lock)
    until = recent[-1] + wait
    return until if until > now else None


def attempts_left(failures: Iterable[datetime], policy: LockPolicy, now: datetime) -> int:
    """Wrong answers still allowed before a lock; after a lock has run out, one more."""
    return max(policy.max_failures - len(_recent(failures, policy, now)), 1)


def minutes_until(until: datetime, now: datetime) -> int:
    """Whole minutes to tell the cardholder, never 0 while a lock still runs."""
    return max(math.ceil((until - now).total_seconds() / 60), 1)
