"""The consumer's /health and /ready, for the orchestrator and the balancer's checks.

The consumer speaks AMQP, not HTTP, so this is a small HTTP listener of its own
(CONSUMER_HEALTH_PORT; off when unset): /health answers while the process runs, /ready only while
it reads the queue and the bank database answers, with a 503 naming what fails otherwise.
"""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

CHECK_SECONDS = 2.0


@dataclass
class ConsumerState:
    """What /ready reads: consume() sets `reading` while it holds the queue, and its connection
    (aio-pika's robust one reconnects by itself, and says meanwhile that it is closed)."""

    reading: bool = False
    connection: Any = None

    @property
    def broker_ok(self) -> bool:
        return self.reading and self.connection is not None and not self.connection.is_closed


async def serve_health(host: str, port: int, state: ConsumerState, factory: sessionmaker) -> asyncio.AbstractServer:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await asyncio.wait_for(reader.readline(), CHECK_SECONDS)).decode("latin-1")
            path = request_line.split(" ")[1] if request_line.count(" ") >= 2 else ""
            status, body = await _check(path, state, factory)
            payload = json.dumps(body).encode()
            writer.write(f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
                         f"Connection: close\r\n\r\n".encode() + payload)
            await writer.drain()
        except (asyncio.TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()

    return await asyncio.start_server(answer, host, port)


async def _check(path: str, state: ConsumerState, factory: sessionmaker) -> tuple[str, dict]:
    if path == "/health":
        return "200 OK", {"status": "alive"}
    if path != "/ready":
        return "404 Not Found", {"status": "unknown path"}
    failing = [] if state.broker_ok else ["rabbitmq"]
    if not await _database_answers(factory):
        failing.append("database")
    return ("503 Service Unavailable", {"status": "not ready", "failing": failing}) if failing else \
        ("200 OK", {"status": "ready"})


async def _database_answers(factory: sessionmaker) -> bool:
    def ping() -> None:
        with factory() as session:
            session.execute(text("SELECT 1"))

    try:
        await asyncio.wait_for(asyncio.to_thread(ping), CHECK_SECONDS)
        return True
    except Exception:  # noqa: BLE001 - any failure means not ready; the class is not needed here
        return False
