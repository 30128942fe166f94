"""The event consumer's /health and /ready, as an orchestrator's checks read them."""
from __future__ import annotations

import asyncio
import json

from bot.data.db import session_factory
from bot.events.health import ConsumerState, serve_health


class _Connection:
    """Only what /ready asks of aio-pika's robust connection."""

    def __init__(self, closed: bool) -> None:
        self.is_closed = closed


async def _get(port: int, path: str) -> tuple[int, dict]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, body = raw.decode().partition("\r\n\r\n")
    return int(head.split(" ")[1]), json.loads(body)


def _answers(state: ConsumerState, database_url: str, paths: list[str]) -> list[tuple[int, dict]]:
    async def run() -> list[tuple[int, dict]]:
        server = await serve_health("127.0.0.1", 0, state, session_factory(database_url))
        port = server.sockets[0].getsockname()[1]
        try:
            return [await _get(port, path) for path in paths]
        finally:
            server.close()
            await server.wait_closed()
    return asyncio.run(run())


def test_ready_only_while_reading_the_queue_with_the_database_answering(database_url):
    reading = ConsumerState(reading=True, connection=_Connection(closed=False))
    assert _answers(reading, database_url, ["/health", "/ready"]) == [
        (200, {"status": "alive"}), (200, {"status": "ready"})]


def test_not_ready_names_what_fails(database_url):
    broker_down = ConsumerState(reading=True, connection=_Connection(closed=True))
    assert _answers(broker_down, database_url, ["/ready"]) == [
        (503, {"status": "not ready", "failing": ["rabbitmq"]})]
    not_started = ConsumerState()
    no_database = "postgresql://postgres@127.0.0.1:1/bank"  # nothing listens on port 1
    assert _answers(not_started, no_database, ["/health", "/ready", "/other"]) == [
        (200, {"status": "alive"}), (503, {"status": "not ready", "failing": ["rabbitmq", "database"]}),
        (404, {"status": "unknown path"})]
