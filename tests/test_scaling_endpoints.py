"""The lock store and event broker that endpoints.yml names, on the real Redis and RabbitMQ,
and the prepared check of the action server's answers."""
from __future__ import annotations

import asyncio
import json
import uuid

import aio_pika
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore

from bot.nlu import action_validation
from bot.nlu.scaling import (
    EnvironmentEventBroker, EnvironmentLockStore, pika_broker_config, redis_lock_store_arguments,
)

REDIS_URL = "redis://127.0.0.1:6379/2"
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"


def test_redis_url_becomes_the_lock_store_arguments():
    assert redis_lock_store_arguments("rediss://bank:s%40cret@cache.internal:6380/3") | {"key_prefix": None} == {
        "host": "cache.internal", "port": 6380, "db": 3, "username": "bank", "password": "s@cret",
        "use_ssl": True, "key_prefix": None,
    }
    assert redis_lock_store_arguments("redis://127.0.0.1")["port"] == 6379
    with pytest.raises(ValueError, match="REDIS_URL"):
        redis_lock_store_arguments("http://127.0.0.1:6379")


def test_rabbitmq_url_becomes_the_broker_config(monkeypatch):
    monkeypatch.setenv("RABBITMQ_QUEUE", "events_here")
    config = pika_broker_config("amqps://bank:pw@mq.internal/prod")
    assert config.url == "amqps://bank:pw@mq.internal/prod"
    assert (config.kwargs["username"], config.kwargs["password"], config.kwargs["port"]) == ("bank", "pw", 5671)
    assert config.kwargs["queues"] == ["events_here"]
    with pytest.raises(ValueError, match="RABBITMQ_URL"):
        pika_broker_config("redis://127.0.0.1")


def test_without_redis_the_lock_is_in_memory(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert isinstance(EnvironmentLockStore(endpoint_config=None), InMemoryLockStore)


def test_two_rasa_instances_never_process_one_conversation_at_once(monkeypatch):
    """Two lock stores on one Redis stand for two Rasa processes: the second waits for the first."""
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    first, second = EnvironmentLockStore(), EnvironmentLockStore()
    assert isinstance(first, RedisLockStore) and isinstance(second, RedisLockStore)
    conversation = f"lock-test-{uuid.uuid4().hex}"
    order: list[str] = []

    async def turn(store, name: str, hold: float) -> None:
        async with store.lock(conversation, lock_lifetime=10, wait_time_in_seconds=0.05):
            order.append(f"{name} starts")
            await asyncio.sleep(hold)
            order.append(f"{name} ends")

    async def both() -> None:
        first_turn = asyncio.create_task(turn(first, "first", 0.5))
        await asyncio.sleep(0.1)
        await turn(second, "second", 0)
        await first_turn

    asyncio.run(both())
    assert order == ["first starts", "first ends", "second starts", "second ends"]


def test_without_rabbitmq_no_broker(monkeypatch):
    monkeypatch.delenv("RABBITMQ_URL", raising=False)
    assert asyncio.run(EnvironmentEventBroker.from_endpoint_config(None)) is None


def test_events_reach_the_consumers_queue_on_rabbitmq(monkeypatch):
    queue_name, exchange = f"test_events_{uuid.uuid4().hex[:8]}", f"test-exchange-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("RABBITMQ_URL", RABBITMQ_URL)
    monkeypatch.setenv("RABBITMQ_QUEUE", queue_name)
    monkeypatch.setenv("RABBITMQ_EXCHANGE", exchange)

    async def publish_and_read() -> dict:
        broker = await EnvironmentEventBroker.from_endpoint_config(None)
        try:
            broker.publish({"event": "action", "name": "action_listen", "sender_id": "c-1", "timestamp": 1.0})
            connection = await aio_pika.connect_robust(RABBITMQ_URL)
            async with connection:
                channel = await connection.channel()
                queue = await channel.declare_queue(queue_name, durable=True)
                for _ in range(50):
                    message = await queue.get(fail=False)
                    if message is not None:
                        await message.ack()
                        await queue.delete(if_unused=False, if_empty=False)
                        await channel.exchange_delete(exchange)
                        return json.loads(message.body)
                    await asyncio.sleep(0.1)
                raise AssertionError("the event never reached the queue")
        finally:
            await broker.close()

    assert asyncio.run(publish_and_read())["name"] == "action_listen"


def test_action_answers_are_checked_as_rasa_checks_them():
    action_validation.install()
    action = RemoteAction("action_x", None)
    assert action._validate_action_result({"events": [{"event": "slot", "name": "a", "value": 1}], "responses": []})
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list"})
    with pytest.raises(ValidationError):
        action._validate_action_result({"events": [{"event": "no_such_event"}]})
