"""The event consumer: `python -m bot.events.consumer [--idle-exit SECONDS]`.

Reads Rasa's tracker events from RabbitMQ and keeps the contact log's figures current (see
bot.events.store). A message is acknowledged only after its write has committed, so a crash or
a lost connection redelivers it and the event's key makes the second delivery change nothing.
A failed database write sends the message back to the queue after a pause; a message that is not
one of Rasa's events is rejected for good (RabbitMQ drops it, or dead-letters it when the
operator's policy names a dead-letter exchange) so it never blocks the ones behind it.

The exchange and the queue are declared exactly as Rasa's PikaEventBroker declares them (a
fanout exchange, not durable; a durable queue without arguments): RabbitMQ refuses a second
declaration that differs, so the consumer may start before or after Rasa. Logs carry the
conversation id and the event's kind, never a message's body.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass, field
from typing import Awaitable

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractQueue
from aiormq.exceptions import AMQPError, ChannelInvalidStateError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot import log_redaction
from bot.data.db import session_factory
from bot.events.health import ConsumerState, serve_health
from bot.events.records import EventRecord, MalformedEvent, parse_event
from bot.events.settings import ConsumerSettings, load_consumer_settings
from bot.events.store import store_event
from bot.settings import SettingsError

log = logging.getLogger("bot.events.consumer")
POLL_SECONDS = 0.2
CONNECT_RETRY_SECONDS = 5.0


@dataclass
class Tally:
    """What one run did, for its last log line and for tests."""

    stored: int = 0
    repeated: int = 0
    rejected: int = 0
    retried: int = 0
    failures: list[str] = field(default_factory=list)


async def declare_queue(channel: AbstractChannel, settings: ConsumerSettings) -> AbstractQueue:
    """The durable queue bound to Rasa's fanout exchange, declared with Rasa's own arguments."""
    exchange = await channel.declare_exchange(settings.rabbitmq_exchange, aio_pika.ExchangeType.FANOUT)
    queue = await channel.declare_queue(settings.rabbitmq_queue, durable=True)
    await queue.bind(exchange, "")
    return queue


async def consume(settings: ConsumerSettings, *, stop: asyncio.Event | None = None,
                  idle_exit: float | None = None, factory: sessionmaker | None = None,
                  state: ConsumerState | None = None) -> Tally:
    """Consume until `stop` is set, or until no message came for `idle_exit` seconds."""
    stop = stop or asyncio.Event()
    state = state or ConsumerState()
    factory = factory or session_factory(settings.database_url)
    tally = Tally()
    inbox: asyncio.Queue[AbstractIncomingMessage] = asyncio.Queue()
    connection = await aio_pika.connect_robust(settings.secret("rabbitmq_url"))
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=settings.event_prefetch)
        queue = await declare_queue(channel, settings)
        tag = await queue.consume(inbox.put)
        state.reading, state.connection = True, connection
        log.info("event consumer: reading queue %s", settings.rabbitmq_queue)
        loop = asyncio.get_running_loop()
        last_message = loop.time()
        while not stop.is_set():
            try:
                message = await asyncio.wait_for(inbox.get(), POLL_SECONDS)
            except asyncio.TimeoutError:
                if idle_exit is not None and loop.time() - last_message >= idle_exit:
                    break
                continue
            await handle(message, factory, settings, tally)
            last_message = loop.time()
        state.reading = False
        with contextlib.suppress(AMQPError, ChannelInvalidStateError, OSError):
            await queue.cancel(tag)
        # Messages handed over but not handled go back to the queue when the channel closes.
    log.info("event consumer: stopped (%d stored, %d repeated, %d rejected, %d retried)",
             tally.stored, tally.repeated, tally.rejected, tally.retried)
    return tally


async def handle(message: AbstractIncomingMessage, factory: sessionmaker, settings: ConsumerSettings,
                 tally: Tally) -> None:
    """Store one message's event, then acknowledge it; or put it back, or reject it."""
    try:
        record = parse_event(message.body)
    except MalformedEvent as problem:
        log.warning("event consumer: rejected a message that is not a Rasa event (%s)", problem.reason)
        tally.rejected += 1
        await _settle(message.reject(requeue=False))
        return
    try:
        stored = await asyncio.to_thread(store_event, factory, record, channel=settings.contact_channel)
    except SQLAlchemyError as exc:  # the class only: a database error may quote what it was writing
        _failed(record, type(exc).__name__, tally)
        await asyncio.sleep(settings.event_retry_seconds)
        await _settle(message.nack(requeue=True))
        return
    if stored:
        tally.stored += 1
    else:
        tally.repeated += 1
    await _settle(message.ack())


async def _settle(answer: Awaitable[None]) -> None:
    """Acknowledge, reject or return a message; on a channel lost meanwhile the broker redelivers
    it to the reconnected consumer, and its key makes that harmless."""
    try:
        await answer
    except (AMQPError, ChannelInvalidStateError, OSError) as exc:
        log.warning("event consumer: the broker did not take the answer (%s); the message will come again",
                    type(exc).__name__)


def _failed(record: EventRecord, reason: str, tally: Tally) -> None:
    log.warning("event consumer: could not store a %s event of conversation %s (%s); it goes back to the queue",
                record.kind, record.conversation_id, reason)
    tally.retried += 1
    tally.failures.append(reason)


async def run(settings: ConsumerSettings, idle_exit: float | None) -> None:
    """consume() until SIGTERM or SIGINT, finishing the message in hand first. A broker that cannot
    be reached at start is tried again (once connected, aio-pika reconnects by itself)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    state, factory = ConsumerState(), session_factory(settings.database_url)
    health = None
    if settings.consumer_health_port:
        health = await serve_health(settings.consumer_health_host, settings.consumer_health_port, state, factory)
    try:
        while not stop.is_set():
            try:
                await consume(settings, stop=stop, idle_exit=idle_exit, factory=factory, state=state)
                return
            except (AMQPError, OSError) as exc:  # the class only: the error may quote the URL
                state.reading = False
                log.warning("event consumer: RabbitMQ cannot be reached (%s); trying again in %.0f s",
                            type(exc).__name__, CONNECT_RETRY_SECONDS)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), CONNECT_RETRY_SECONDS)
    finally:
        if health is not None:
            health.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.events.consumer", description="Keep the contact log current from Rasa's events on RabbitMQ.")
    parser.add_argument("--idle-exit", type=float, metavar="SECONDS",
                        help="stop once no message has come for this long (for tests and catching up)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log_redaction.install(["aio_pika", "aiormq"])
    try:
        settings = load_consumer_settings()
    except SettingsError as error:
        log.error("event consumer: %s", error)
        return 2
    asyncio.run(run(settings, args.idle_exit))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
