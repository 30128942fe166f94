"""Whether this instance can serve: the bank database, Rasa and (when configured) Redis answer.

The load balancer and the cluster's supervisor ask /ready often, so each check is one cheap
question with a short timeout, and all run at once. A failing check says which dependency and a
short reason (an error kind, an HTTP status): never a URL, which may carry a password or token.
"""
from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

import httpx
from redis.exceptions import AuthenticationError as RedisAuthenticationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from api.services.fanout import NotListening, RedisFanout
from api.services.outbox import Database

# check name -> None when it passed, else the reason it failed
Results = dict[str, "str | None"]


class Readiness:
    """The checks of one instance."""

    def __init__(self, database: Database, rasa_url: str, rasa_token: str, timeout_seconds: float,
                 fanout: RedisFanout | None = None) -> None:
        self._database, self._fanout, self._timeout = database, fanout, timeout_seconds
        self._rasa_status, self._rasa_token = f"{rasa_url.rstrip('/')}/status", rasa_token
        self._tls = httpx.create_ssl_context()  # made once: building it costs more than the check

    async def run(self) -> Results:
        checks: dict[str, Callable[[], Awaitable[None]]] = {"database": self._database_answers,
                                                            "rasa": self._rasa_answers}
        if self._fanout is not None:
            checks["redis"] = self._redis_answers
        outcomes = await asyncio.gather(*(self._timed(check) for check in checks.values()))
        return dict(zip(checks, outcomes))

    async def _timed(self, check: Callable[[], Awaitable[None]]) -> str | None:
        try:
            await asyncio.wait_for(check(), self._timeout)
        except (asyncio.TimeoutError, httpx.TimeoutException):
            return "timeout"
        except CheckFailed as failed:
            return str(failed)
        except Exception as exc:  # noqa: BLE001 - any failure means not ready; only its kind is told
            return type(exc).__name__
        return None

    async def _database_answers(self) -> None:
        await run_in_threadpool(self._select_one)

    def _select_one(self) -> None:
        with self._database.session() as session:
            session.execute(text("SELECT 1"))

    async def _redis_answers(self) -> None:
        """A PING, and this instance's listener subscribed (else live frames do not reach it)."""
        assert self._fanout is not None
        try:
            await self._fanout.check()
        except NotListening:
            raise CheckFailed("not subscribed") from None
        except RedisAuthenticationError:
            raise CheckFailed("authentication failed") from None
        except (RedisTimeoutError, asyncio.TimeoutError):
            raise CheckFailed("timeout") from None
        except (RedisConnectionError, OSError):
            raise CheckFailed("unreachable") from None

    async def _rasa_answers(self) -> None:
        """Rasa's /status: it answers only with the right token and a model loaded."""
        async with httpx.AsyncClient(timeout=self._timeout, verify=self._tls) as client:
            try:
                response = await client.get(self._rasa_status, params={"token": self._rasa_token})
            except httpx.TimeoutException:
                raise CheckFailed("timeout") from None
            except httpx.TransportError as exc:
                raise CheckFailed("unreachable" if isinstance(exc, httpx.ConnectError) else type(exc).__name__) from None
        if response.status_code in (401, 403):
            raise CheckFailed("token refused")
        if response.status_code == 409:
            raise CheckFailed("no model loaded")
        if response.status_code != 200:
            raise CheckFailed(f"HTTP {response.status_code}")


class CheckFailed(Exception):
    """A check's short, safe reason."""
