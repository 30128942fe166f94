"""Throttles for sign-ins and new conversations, on the `limits` library's moving windows.

Each throttle is a list of windows ("5 per 15 minutes; 10 per hour; 20 per day"): a guesser
who keeps going meets the longer windows, so the wait grows. The storage is in memory for one
process and Redis (`LIMITS_STORAGE_URL=redis://...`) when several gateway instances share it.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, TypeVar

from limits import RateLimitItem, parse_many, storage, strategies

if TYPE_CHECKING:
    from api.core.config import ApiSettings

T = TypeVar("T")


class Throttled(Exception):
    """Too many attempts; `retry_after` seconds until the next is allowed."""

    def __init__(self, code: str, retry_after: int) -> None:
        super().__init__(code)
        self.code, self.retry_after = code, retry_after


@dataclass(frozen=True)
class Limit:
    """A named set of windows; the name keeps the counters of two throttles apart."""

    name: str
    windows: tuple[RateLimitItem, ...]
    refusal: str  # the error code a client gets

    @classmethod
    def parse(cls, name: str, spec: str, refusal: str) -> "Limit":
        return cls(name, tuple(parse_many(spec)), refusal)


class Throttle:
    """Counts attempts per key across windows; refuses with the wait of the window that ran out."""

    def __init__(self, storage_url: str) -> None:
        self._storage = storage.storage_from_string(storage_url)  # the limiter only holds a weak reference
        self._limiter = strategies.MovingWindowRateLimiter(self._storage)

    def check(self, limit: Limit, key: str) -> None:
        """Raise Throttled if any window of `limit` is already used up for `key`."""
        blocked = [item for item in limit.windows if not self._limiter.test(item, limit.name, key)]
        if blocked:
            raise Throttled(limit.refusal, self._retry_after(limit, blocked, key))

    def record(self, limit: Limit, key: str) -> None:
        """Count one attempt against every window (the next `check` refuses once one is full)."""
        for item in limit.windows:
            self._limiter.hit(item, limit.name, key)

    def _retry_after(self, limit: Limit, blocked: list[RateLimitItem], key: str) -> int:
        resets = [self._limiter.get_window_stats(item, limit.name, key)[0] for item in blocked]
        return max(int(max(resets) - time.time()) + 1, 1)


@dataclass(frozen=True)
class Guards:
    """The app's throttles: sign-ins per account and per address, new conversations per address."""

    throttle: Throttle
    login_account: Limit
    login_address: Limit
    new_conversation: Limit

    @classmethod
    def from_settings(cls, settings: "ApiSettings") -> "Guards":
        return cls(
            Throttle(settings.limits_storage_url),
            Limit.parse("login-account", settings.login_limits_per_account, "too_many_attempts"),
            Limit.parse("login-address", settings.login_limits_per_address, "too_many_attempts"),
            Limit.parse("conversation-address", settings.conversation_limits_per_address, "too_many_conversations"),
        )

    def sign_in(self, account: str, address: str, attempt: Callable[[], T | None]) -> T | None:
        """Run a password check unless the account or the address is throttled; count a failure
        against both (so neither one password against many accounts nor many against one works)."""
        account_key = account.strip().lower()
        self.throttle.check(self.login_account, account_key)
        self.throttle.check(self.login_address, address)
        result = attempt()
        if result is None:
            self.throttle.record(self.login_account, account_key)
            self.throttle.record(self.login_address, address)
        return result

    def new_conversation_from(self, address: str) -> None:
        self.throttle.check(self.new_conversation, address)
        self.throttle.record(self.new_conversation, address)
