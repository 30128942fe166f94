"""The event consumer (bot.events) on the real RabbitMQ: Rasa's events keep the contact log's figures,
once per event whatever the order and however often they come, and no text a cardholder wrote is kept."""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import random
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import aio_pika
import pytest
from aio_pika.exceptions import ChannelClosed
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.clock import as_utc
from bot.data.db import engine_for, session_factory, session_scope
from bot.data.models import Base, Cardholder, ContactLog, ConversationEvent
from bot.events import consumer as consumer_module
from bot.events import store as store_module
from bot.events.consumer import Tally, consume, declare_queue
from bot.events.figures import StoredEvent, conversation_figures, merged_intents
from bot.events.records import MalformedEvent, parse_event
from bot.events.settings import ConsumerSettings, load_consumer_settings
from bot.events.store import store_event
from tests.api.conftest import free_port
from bot.services.contact_log import log_contact

RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
REPO = Path(__file__).resolve().parent.parent
START = datetime(2026, 11, 5, 2, 0, 7, tzinfo=timezone.utc).timestamp() + 0.4817723  # 10:00 at the bank
IDLE = 0.8

# (what the cardholder wrote, the intent Rasa read, the action that answered, a slot it set or None)
TURNS_A = [
    ("你好，我是王小明", "greet", "utter_greet", None),
    ("我的卡号6222039876540011还欠多少", "ask_balance", "action_account_position", ("amount", "3456.78")),
    ("下周五还两千，手机13912345678", "promise_to_pay", "action_record_promise", ("date", "2026-11-13")),
    ("谢谢再见", "goodbye", "utter_goodbye", None),
]
TURNS_B = [
    ("在吗在吗", "greet", "utter_greet", None),
    ("想分期，身份证110101199003071234", "request_installment", "installment_form", ("installment_term", 12)),
    ("好的就这样", "affirm", "action_book_plan", None),
    ("在吗还在不", "greet", "utter_greet", None),
]
TEXTS = [text for text, *_ in TURNS_A + TURNS_B]
SLOT_VALUES = ["3456.78", "2026-11-13"]


# --- Rasa's events, as its PikaEventBroker publishes them --------------------------------------

def rasa_events(sender: str, start: float, turns: list[tuple[str, str, str, Any]]) -> list[dict[str, Any]]:
    """A session start, then per turn: user, featurization, action, slot, bot, action_listen."""
    moments = itertools.count()

    def at() -> float:
        return start + next(moments) * 0.2513377

    def action(name: str, policy: str | None = "RulePolicy") -> dict[str, Any]:
        return {"event": "action", "timestamp": at(), "name": name, "policy": policy, "confidence": 1.0,
                "action_text": None, "hide_rule_turn": False}

    events = [action("action_session_start", None), {"event": "session_started", "timestamp": at()},
              action("action_listen", None)]
    for text, intent, answer, slot in turns:
        message_id = uuid.uuid4().hex
        events.append({"event": "user", "timestamp": at(), "text": text, "input_channel": "rest",
                       "message_id": message_id, "metadata": {"customer_id": "C0001"},
                       "parse_data": {"intent": {"name": intent, "confidence": 0.93}, "entities": [],
                                      "text": text, "message_id": message_id, "metadata": {},
                                      "intent_ranking": [{"name": intent, "confidence": 0.93}]}})
        events.append({"event": "user_featurization", "timestamp": at(), "use_text_for_featurization": False})
        events.append(action(answer))
        if slot:
            events.append({"event": "slot", "timestamp": at(), "name": slot[0], "value": slot[1]})
        events.append({"event": "bot", "timestamp": at(), "text": f"好的：{text}", "data": {"elements": None},
                       "metadata": {"utter_action": answer if answer.startswith("utter_") else "utter_ok"}})
        events.append(action("action_listen"))
    return [{"sender_id": sender, **event} for event in events]


def expected(events: list[dict[str, Any]]) -> dict[str, Any]:
    """What the contact log should say of one conversation's events."""
    users = [e for e in events if e["event"] == "user"]
    moments = [datetime.fromtimestamp(e["timestamp"], timezone.utc) for e in events]
    return {"intents": list(dict.fromkeys(e["parse_data"]["intent"]["name"] for e in users)),
            "user_turns": len(users), "first_event_at": min(moments), "last_event_at": max(moments)}


def bodies(*conversations: list[dict[str, Any]]) -> list[bytes]:
    return [json.dumps(event).encode("utf-8") for events in conversations for event in events]


CONVERSATION_A = rasa_events("conv-a", START, TURNS_A)
CONVERSATION_B = rasa_events("conv-b", START + 1.1, TURNS_B)  # the two interleave in time
ALL = bodies(CONVERSATION_A, CONVERSATION_B)


# --- the broker, a queue and an exchange of this test's own ------------------------------------

@pytest.fixture
def names():
    suffix = uuid.uuid4().hex[:10]
    queue, exchange = f"test_contact_events_{suffix}", f"test-rasa-exchange-{suffix}"
    yield queue, exchange
    asyncio.run(_delete(queue, exchange))


async def _delete(queue: str, exchange: str) -> None:
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue)
        await channel.exchange_delete(exchange)


def settings_for(database_url: str, names: tuple[str, str]) -> ConsumerSettings:
    queue, exchange = names
    return load_consumer_settings(rabbitmq_url=RABBITMQ_URL, rabbitmq_queue=queue, rabbitmq_exchange=exchange,
                                  database_url=database_url, event_retry_seconds=0.1, event_prefetch=5)


def publish(settings: ConsumerSettings, messages: list[bytes]) -> None:
    """Publish as Rasa does: persistent messages to the fanout exchange, the queue declared and bound."""
    async def send() -> None:
        connection = await aio_pika.connect(RABBITMQ_URL)
        async with connection:
            channel = await connection.channel()
            await declare_queue(channel, settings)
            exchange = await channel.get_exchange(settings.rabbitmq_exchange)
            for body in messages:
                await exchange.publish(aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT), "")
    asyncio.run(send())


def run_until_idle(settings: ConsumerSettings) -> Tally:
    return asyncio.run(consume(settings, idle_exit=IDLE))


def waiting(settings: ConsumerSettings) -> int:
    async def count() -> int:
        connection = await aio_pika.connect(RABBITMQ_URL)
        async with connection:
            queue = await (await connection.channel()).declare_queue(settings.rabbitmq_queue, passive=True)
            return queue.declaration_result.message_count
    return asyncio.run(count())


def snapshot(url: str) -> dict[str, Any]:
    """Every contact-log row and stored event the consumer wrote, ids and clock times left out."""
    with session_factory(url)() as session:
        entries = {e.conversation_id: {
            "channel": e.channel, "started_at": as_utc(e.started_at), "updated_at": as_utc(e.updated_at),
            "verified": e.verified, "cardholder_id": e.cardholder_id, "intents": e.intents, "outcome": e.outcome,
            "note": e.note, "first_event_at": e.first_event_at and as_utc(e.first_event_at),
            "last_event_at": e.last_event_at and as_utc(e.last_event_at), "user_turns": e.user_turns,
        } for e in session.scalars(select(ContactLog))}
        events = sorted((e.event_key, e.conversation_id, e.kind, e.name or "", as_utc(e.occurred_at))
                        for e in session.scalars(select(ConversationEvent)))
    return {"contact_log": entries, "events": events}


def assert_expected(state: dict[str, Any]) -> None:
    for conversation_id, events in (("conv-a", CONVERSATION_A), ("conv-b", CONVERSATION_B)):
        entry, wanted = state["contact_log"][conversation_id], expected(events)
        assert {key: entry[key] for key in wanted} == wanted
        assert entry["started_at"] == wanted["first_event_at"] and entry["updated_at"] == wanted["last_event_at"]
        assert entry["outcome"] == "open" and entry["verified"] is False
    assert state["contact_log"]["conv-a"]["intents"] == ["greet", "ask_balance", "promise_to_pay", "goodbye"]
    assert state["contact_log"]["conv-b"]["intents"] == ["greet", "request_installment", "affirm"]
    assert state["contact_log"]["conv-b"]["user_turns"] == 4
    assert len(state["events"]) == len(ALL) == len({key for key, *_ in state["events"]})


def texts_found(url: str, texts: list[str]) -> set[tuple[str, str]]:
    """Where each text stands: (table, text) for any column of any table, and on SQLite
    ("file", text) for a byte of the file. The bank's seeded figures may hold a value by chance
    (a statement dated like a promise), so a test compares before and after."""
    found = set()
    with engine_for(url).connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                cells = " ".join(str(value) for value in row)
                found |= {(table.name, text) for text in texts if text in cells}
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        stored = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        found |= {("file", text) for text in texts if text.encode("utf-8") in stored}
    return found


@pytest.fixture
def fresh_database_url(_migrated_template, tmp_path) -> Iterator[str]:
    """A second migrated database, empty: a copy of the session's template (a SQLite file, or a
    PostgreSQL template database when the tests run on PostgreSQL)."""
    if isinstance(_migrated_template, Path):
        path = tmp_path / "fresh.db"
        path.write_bytes(_migrated_template.read_bytes())
        yield f"sqlite:///{path}"
        return
    from tests import databases

    server = databases.server_url()
    url = databases.create_database(server, databases.unique_name("events_fresh"), template=_migrated_template)
    try:
        yield url
    finally:
        databases.drop_database(server, url)


# --- the pure layer ------------------------------------------------------------------------------

def test_an_event_becomes_a_record_without_text():
    user = next(e for e in CONVERSATION_A if e["event"] == "user" and e["parse_data"]["intent"]["name"] == "ask_balance")
    record = parse_event(json.dumps(user).encode())
    assert (record.conversation_id, record.kind, record.name) == ("conv-a", "user", "ask_balance")
    assert record.occurred_at == datetime.fromtimestamp(user["timestamp"], timezone.utc)
    assert "6222" not in repr(record) and len(record.key) == 64
    # the same event, serialized again with its keys in another order: the same key
    assert parse_event(json.dumps(dict(reversed(list(user.items()))), ensure_ascii=False).encode()).key == record.key
    # another message at the same moment is another event
    assert parse_event(json.dumps({**user, "message_id": "other"}).encode()).key != record.key

    slot = parse_event(json.dumps({"sender_id": "c", "event": "slot", "timestamp": 1.0, "name": "amount",
                                   "value": "3456.78"}).encode())
    assert slot.name == "amount" and "3456" not in repr(slot)
    bot = parse_event(json.dumps({"sender_id": "c", "event": "bot", "timestamp": 1.0, "text": "您好",
                                  "metadata": {"utter_action": "utter_greet"}}).encode())
    assert bot.name == "utter_greet"
    assert parse_event(b'{"sender_id": "c", "event": "user", "timestamp": 2}').name is None  # no parse data


@pytest.mark.parametrize("body, reason", [
    (b"{not json", "not JSON"),
    (b"\xff\xfe", "not JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"event": "user", "timestamp": 1.0}', "no usable sender_id"),
    (b'{"sender_id": "", "event": "user", "timestamp": 1.0}', "no usable sender_id"),
    (json.dumps({"sender_id": "x" * 129, "event": "user", "timestamp": 1.0}).encode(), "no usable sender_id"),
    (b'{"sender_id": "c", "timestamp": 1.0}', "no usable event type"),
    (b'{"sender_id": "c", "event": "DROP TABLE", "timestamp": 1.0}', "no usable event type"),
    (b'{"sender_id": "c", "event": "user"}', "no usable timestamp"),
    (b'{"sender_id": "c", "event": "user", "timestamp": "yesterday"}', "no usable timestamp"),
    (b'{"sender_id": "c", "event": "user", "timestamp": true}', "no usable timestamp"),
])
def test_what_is_not_a_rasa_event_is_refused(body, reason):
    with pytest.raises(MalformedEvent) as refused:
        parse_event(body)
    assert refused.value.reason == reason


def test_figures_follow_time_not_arrival():
    moment = datetime(2026, 11, 5, tzinfo=timezone.utc)
    events = [StoredEvent("k3", "user", "goodbye", moment.replace(second=3)),
              StoredEvent("k1", "user", "greet", moment.replace(second=1)),
              StoredEvent("k0", "action", "action_listen", moment),
              StoredEvent("k2", "user", "greet", moment.replace(second=2)),
              StoredEvent("k4", "bot", "utter_goodbye", moment.replace(second=4, tzinfo=None))]  # SQLite: naive UTC
    figures = conversation_figures(events)
    assert figures.intents == ("greet", "goodbye") and figures.user_turns == 3
    assert figures.first_event_at == moment and figures.last_event_at == moment.replace(second=4)
    assert all(conversation_figures(list(p)) == figures for p in itertools.permutations(events))
    assert conversation_figures([]) is None


def test_merged_intents_put_the_events_order_first_and_keep_what_only_actions_saw():
    assert merged_intents(("greet", "ask_balance"), ["ask_balance", "inform"]) == ["greet", "ask_balance", "inform"]
    once = merged_intents(("greet", "ask_balance"), ["ask_balance", "greet"])
    assert once == ["greet", "ask_balance"] and merged_intents(("greet", "ask_balance"), once) == once


# --- the store, without the broker ---------------------------------------------------------------

def records_of(events: list[dict[str, Any]]):
    return [parse_event(json.dumps(event).encode()) for event in events]


def derived(url: str, conversation_id: str) -> tuple[Any, ...]:
    with session_factory(url)() as session:
        e = session.scalars(select(ContactLog).where(ContactLog.conversation_id == conversation_id)).one()
        return (e.intents, e.user_turns, as_utc(e.first_event_at), as_utc(e.last_event_at), as_utc(e.started_at),
                e.outcome, e.verified, e.cardholder_id)


def test_any_order_with_repeats_ends_in_the_same_state(database_url, sessions):
    states = set()
    for n in range(6):
        events = rasa_events(f"perm-{n}", START, TURNS_A)
        records = records_of(events) + records_of(random.Random(n).sample(events, 5))  # five delivered twice
        random.Random(100 + n).shuffle(records)
        for record in records:
            store_event(sessions, record, channel="web")
        states.add(json.dumps(derived(database_url, f"perm-{n}"), default=str))
    assert len(states) == 1
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(ConversationEvent)) == 6 * len(CONVERSATION_A)


def test_events_before_the_first_user_message_open_no_entry(database_url, sessions):
    events = rasa_events("quiet", START, TURNS_A)
    opening = records_of(events[:3])  # session start, action_listen: nobody wrote yet
    for record in opening:
        store_event(sessions, record, channel="web")
    with sessions() as session:
        assert session.scalar(select(ContactLog).where(ContactLog.conversation_id == "quiet")) is None
    for record in records_of(events[3:]):
        store_event(sessions, record, channel="web")
    intents, turns, first, *_ = derived(database_url, "quiet")
    assert turns == 4 and first == opening[0].occurred_at  # the earlier events count once it is a contact


def test_actions_and_events_merge_whichever_writes_first(database_url, sessions):
    with session_scope(sessions) as session:
        holder_id = session.scalar(select(Cardholder.id).where(Cardholder.customer_id == "C0001"))

    def action(session, conversation_id: str) -> None:
        log_contact(session, conversation_id, channel="rest", verified=True, cardholder_id=holder_id,
                    intents=["greet", "ask_balance", "inform"], outcome="promise_recorded")

    with session_scope(sessions) as session:
        action(session, "actions-first")
    for record in records_of(rasa_events("actions-first", START, TURNS_A)):
        store_event(sessions, record, channel="web")
    for record in records_of(rasa_events("events-first", START, TURNS_A)):
        store_event(sessions, record, channel="web")
    with session_scope(sessions) as session:
        action(session, "events-first")
        log_contact(session, "events-first", channel="rest", verified=False, cardholder_id=None, intents=[],
                    outcome="informed")  # a weaker outcome later takes nothing away

    first, second = derived(database_url, "actions-first"), derived(database_url, "events-first")
    assert first == second
    intents, turns, first_event_at, _last, started_at, outcome, verified, cardholder = first
    assert intents == ["greet", "ask_balance", "promise_to_pay", "goodbye", "inform"]  # events' order, then the rest
    assert (turns, outcome, verified, cardholder) == (4, "promise_recorded", True, holder_id)
    assert started_at == first_event_at  # the contact started with its first event, not with the first action


def test_the_dashboard_counts_turns_per_conversation_from_the_events(database_url, sessions):
    from datetime import date

    from bot.services.dashboard import figures

    with session_scope(sessions) as session:  # an entry the consumer never saw is left out of the turns
        log_contact(session, "no-events", channel="rest", verified=False, cardholder_id=None, intents=[],
                    outcome="informed")
    for record in records_of(CONVERSATION_A + rasa_events("short", START, TURNS_B[:1])):
        store_event(sessions, record, channel="web")
    with session_scope(sessions) as session:
        turns = figures(session, None, date(2026, 11, 1), date(2026, 11, 30), today=date(2026, 11, 20))["totals"]
    assert turns["user_turns"] == {"median": 2.5, "p90": 4.0, "conversations": 2}


# --- the consumer on RabbitMQ --------------------------------------------------------------------

def test_events_keep_the_contact_log_and_a_redelivery_changes_nothing(database_url, names):
    settings = settings_for(database_url, names)
    seeded = texts_found(database_url, TEXTS + SLOT_VALUES)
    publish(settings, ALL)
    tally = run_until_idle(settings)
    assert (tally.stored, tally.repeated, tally.rejected, tally.retried) == (len(ALL), 0, 0, 0)
    state = snapshot(database_url)
    assert_expected(state)

    publish(settings, ALL)  # every message again, as after a lost acknowledgement
    tally = run_until_idle(settings)
    assert (tally.stored, tally.repeated) == (0, len(ALL))
    assert snapshot(database_url) == state
    assert waiting(settings) == 0

    assert texts_found(database_url, TEXTS + SLOT_VALUES) == seeded  # no text, typed or slot, stored


def test_shuffled_events_end_where_ordered_ones_do(database_url, names, fresh_database_url):
    in_order = settings_for(database_url, names)
    publish(in_order, ALL)
    run_until_idle(in_order)

    shuffled = settings_for(fresh_database_url, names)
    messages = list(ALL)
    random.Random(2026).shuffle(messages)
    publish(shuffled, messages)
    assert run_until_idle(shuffled).stored == len(ALL)
    assert snapshot(shuffled.database_url) == snapshot(database_url)
    assert_expected(snapshot(shuffled.database_url))


def test_a_failed_write_is_not_acknowledged_and_lands_once(database_url, names, monkeypatch, caplog):
    settings = settings_for(database_url, names)
    real, failing_key, seen = store_module.apply_event_figures, [], []
    original_store = consumer_module.store_event

    def fails_once(entry, figures):
        if not failing_key:  # after the event's row was inserted: the rollback must take it away again
            failing_key.append(entry.conversation_id)
            raise OperationalError("UPDATE contact_log", {}, Exception("disk I/O error"))
        return real(entry, figures)

    def watched(factory, record, *, channel):
        seen.append(record.key)
        return original_store(factory, record, channel=channel)

    monkeypatch.setattr(store_module, "apply_event_figures", fails_once)
    monkeypatch.setattr(consumer_module, "store_event", watched)
    publish(settings, ALL)
    with caplog.at_level(logging.WARNING, logger="bot.events.consumer"):
        tally = run_until_idle(settings)

    assert tally.retried == 1 and tally.failures == ["OperationalError"]
    assert tally.stored == len(ALL) and tally.repeated == 0  # the retry found nothing of the failed attempt
    twice = [key for key in set(seen) if seen.count(key) == 2]
    assert len(twice) == 1 and len(seen) == len(ALL) + 1  # one message came back, no other
    assert_expected(snapshot(database_url))
    assert "goes back to the queue" in caplog.text and "OperationalError" in caplog.text
    assert not any(text in caplog.text for text in TEXTS) and "parse_data" not in caplog.text


def test_a_malformed_message_is_rejected_and_does_not_block_the_queue(database_url, names, caplog):
    settings = settings_for(database_url, names)
    no_sender = json.dumps({k: v for k, v in CONVERSATION_A[3].items() if k != "sender_id"}).encode()
    publish(settings, [b"{not json", no_sender, *ALL])
    with caplog.at_level(logging.WARNING, logger="bot.events.consumer"):
        tally = run_until_idle(settings)
    assert (tally.rejected, tally.stored, tally.retried) == (2, len(ALL), 0)
    assert waiting(settings) == 0  # rejected for good, not back in the queue
    assert_expected(snapshot(database_url))
    assert "not JSON" in caplog.text and "no usable sender_id" in caplog.text
    assert "{not json" not in caplog.text and TEXTS[0] not in caplog.text


# --- the process, fed by Rasa's own broker -------------------------------------------------------

def test_the_process_reads_what_rasas_broker_publishes_and_stops_on_sigterm(database_url, names, monkeypatch):
    """Started before Rasa, the consumer declares the exchange and queue as Rasa's broker does, so
    Rasa's declarations agree with them; SIGTERM ends it cleanly."""
    queue, exchange = names
    health_port = free_port()
    environment = {**os.environ, "APP_ENV": "demo", "DATABASE_URL": database_url, "RABBITMQ_URL": RABBITMQ_URL,
                   "RABBITMQ_QUEUE": queue, "RABBITMQ_EXCHANGE": exchange, "CONSUMER_HEALTH_PORT": str(health_port)}
    process = subprocess.Popen([sys.executable, "-m", "bot.events.consumer"], cwd=REPO, env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_for_queue(queue)
        _wait_for(lambda: _status(f"http://127.0.0.1:{health_port}/ready") == 200)
        for name, value in (("RABBITMQ_URL", RABBITMQ_URL), ("RABBITMQ_QUEUE", queue), ("RABBITMQ_EXCHANGE", exchange)):
            monkeypatch.setenv(name, value)
        asyncio.run(_publish_with_rasa([*CONVERSATION_A, *CONVERSATION_B]))
        _wait_for(lambda: len(snapshot(database_url)["events"]) == len(ALL))
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "stopped (%d stored" % len(ALL) in output
    assert not any(text in output for text in TEXTS)
    assert_expected(snapshot(database_url))


async def _publish_with_rasa(events: list[dict[str, Any]]) -> None:
    from bot.nlu.scaling import EnvironmentEventBroker  # Rasa's PikaEventBroker, configured as Rasa runs it

    broker = await EnvironmentEventBroker.from_endpoint_config(None)
    try:
        for event in events:
            broker.publish(event)
        await asyncio.sleep(1.0)  # publish() hands each event to a task of its own
    finally:
        await broker.close()


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code
    except OSError:
        return None


def _wait_for_queue(queue: str) -> None:
    async def exists() -> bool:
        connection = await aio_pika.connect(RABBITMQ_URL)
        async with connection:
            try:
                await (await connection.channel()).declare_queue(queue, passive=True)
            except ChannelClosed:
                return False
            return True
    _wait_for(lambda: asyncio.run(exists()))


def _wait_for(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)
