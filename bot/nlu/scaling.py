"""Rasa's lock store and event broker, chosen by the environment alone (`lock_store` and
`event_broker` in endpoints.yml name the classes below).

With one Rasa process (`make run`) nothing needs setting: conversations are locked in memory
and no event leaves the process. With several Rasa processes sharing one tracker store,
REDIS_URL makes the lock a Redis lock, so one conversation is processed by one instance at a
time, and RABBITMQ_URL streams every tracker event to RabbitMQ for the event consumer
(bot.events.consumer). endpoints.yml cannot do this by itself: Rasa refuses a `${VAR}` that is
not set, so an optional setting needs a class that looks at the environment.

URLs carry their own credentials and TLS (`rediss://user:password@host:6380/0`,
`amqps://user:password@host:5671/vhost`); they are never logged.
"""
from __future__ import annotations

import os
from asyncio import AbstractEventLoop
from typing import Any, Optional
from urllib.parse import unquote, urlparse

from rasa.core.brokers.broker import EventBroker
from rasa.core.brokers.pika import PikaEventBroker
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.nlu import action_validation

DEFAULT_EXCHANGE = "rasa-exchange"
DEFAULT_QUEUE = "contact_events"


def redis_lock_store_arguments(url: str) -> dict[str, Any]:
    """RedisLockStore's keyword arguments from a redis:// or rediss:// URL (it takes no URL)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("redis", "rediss") or not parsed.hostname:
        raise ValueError("REDIS_URL must look like redis://[user:password@]host[:port][/db] (rediss:// for TLS)")
    database = parsed.path.strip("/") or "0"
    return {
        "host": parsed.hostname,
        "port": parsed.port or 6379,
        "db": int(database),
        "username": unquote(parsed.username) if parsed.username else None,
        "password": unquote(parsed.password) if parsed.password else None,
        "use_ssl": parsed.scheme == "rediss",
        "key_prefix": os.environ.get("REDIS_LOCK_PREFIX", "overdue"),
    }


def pika_broker_config(url: str) -> EndpointConfig:
    """The Pika broker's endpoint config from an amqp:// or amqps:// URL.

    Rasa's broker wants the user and password beside the URL as well; it publishes every event
    to a fanout exchange and to the durable queue the consumer reads (RABBITMQ_QUEUE), so events
    wait there even while no consumer runs.
    """
    parsed = urlparse(url)
    if parsed.scheme not in ("amqp", "amqps") or not parsed.hostname:
        raise ValueError("RABBITMQ_URL must look like amqp://user:password@host[:port][/vhost] (amqps:// for TLS)")
    return EndpointConfig(
        url=url,
        username=parsed.username or "guest",
        password=parsed.password or "guest",
        port=parsed.port or (5671 if parsed.scheme == "amqps" else 5672),
        queues=[os.environ.get("RABBITMQ_QUEUE", DEFAULT_QUEUE)],
        exchange_name=os.environ.get("RABBITMQ_EXCHANGE", DEFAULT_EXCHANGE),
        raise_on_failure=False,  # a broker outage keeps the events in memory and retries; turns go on
    )


class EnvironmentLockStore:
    """`lock_store.type`: Redis when REDIS_URL is set, else Rasa's in-memory lock.

    Rasa calls the class with `endpoint_config=`; what it returns is one of Rasa's own stores.
    Creating it also installs the cheaper check of the action server's answers
    (bot.nlu.action_validation), since every `rasa run` creates its lock store once.
    """

    def __new__(cls, endpoint_config: Optional[EndpointConfig] = None) -> LockStore:  # type: ignore[misc]
        action_validation.install()
        url = os.environ.get("REDIS_URL", "").strip()
        return RedisLockStore(**redis_lock_store_arguments(url)) if url else InMemoryLockStore()


class EnvironmentEventBroker(EventBroker):
    """`event_broker.type`: RabbitMQ (Pika) when RABBITMQ_URL is set, else no broker."""

    @classmethod
    async def from_endpoint_config(
        cls, broker_config: Optional[EndpointConfig], event_loop: Optional[AbstractEventLoop] = None,
    ) -> Optional[EventBroker]:
        url = os.environ.get("RABBITMQ_URL", "").strip()
        if not url:
            return None
        return await PikaEventBroker.from_endpoint_config(pika_broker_config(url), event_loop)

    def publish(self, event: dict[str, Any]) -> None:  # never instantiated: from_endpoint_config returns Rasa's
        raise NotImplementedError
