"""The cluster under load and faults, checked as an operator would: every message a cardholder sent
is stored, reached Rasa exactly once, in order, and was answered; an agent and a cardholder on
different gateway instances talk live; killed instances are replaced while conversations go on."""
from __future__ import annotations

import asyncio
import json
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
import websockets
from sqlalchemy import create_engine, select, text

from bot.data.models import ChatMessage, ContactLog
from tests.cluster.chat_driver import SCRIPT, Chat, many, turns_in_flight


def assert_each_message_answered_once(cluster, tracker_engine, chats: list[Chat], *, allow_notice: bool = False) -> None:
    """The gateway stored every accepted message, in order, and finished it; Rasa's tracker holds
    each exactly once, in the order sent; each one was followed by an answer."""
    assert [c.failure for c in chats if c.failure] == []
    assert [(c.index, c.unanswered_turns, c.stored_unheard) for c in chats if c.unanswered_turns] == []
    bank = create_engine(cluster.database_url, future=True)
    try:
        with bank.connect() as connection:
            for chat in chats:
                rows = connection.execute(select(ChatMessage.id, ChatMessage.sender, ChatMessage.text,
                                                 ChatMessage.forward_state)
                                          .where(ChatMessage.conversation_id == chat.conversation_id)
                                          .order_by(ChatMessage.id)).all()
                customer = [row for row in rows if row.sender == "customer"]
                assert [row.id for row in customer] == chat.accepted
                assert [row.text for row in customer] == list(SCRIPT)
                assert {row.forward_state for row in customer} == {"done"}
                senders = [row.sender for row in rows]
                answered = [senders[i + 1] in ("bot", "system") for i, s in enumerate(senders) if s == "customer"
                            if i + 1 < len(senders)]
                assert len(answered) == len(SCRIPT) and all(answered), (chat.conversation_id, senders)
                if not allow_notice:
                    assert "system" not in senders, (chat.conversation_id, senders)
    finally:
        bank.dispose()
    with tracker_engine.connect() as connection:
        for chat in chats:
            seen = [json.loads(data).get("metadata", {}).get("message_id") for (data,) in connection.execute(
                text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
                {"s": chat.conversation_id})]
            reached = [mid for mid in seen if mid in chat.accepted]
            assert reached == sorted(set(reached)), f"{chat.conversation_id}: a message reached Rasa twice {seen}"
            if not allow_notice:
                assert reached == chat.accepted, chat.conversation_id


def test_fifty_conversations_at_once_each_message_answered_exactly_once(cluster, tracker_engine):
    started = time.monotonic()
    chats = asyncio.run(many(cluster.public_url, 50, think_s=1.0))
    seconds = time.monotonic() - started
    assert_each_message_answered_once(cluster, tracker_engine, chats)
    print(f"50 conversations, {50 * len(SCRIPT)} messages in {seconds:.0f}s")


def test_the_event_consumer_keeps_the_contact_log(cluster):
    """Every conversation Rasa saw has its contact-log line, with what the cardholder asked."""
    chats = asyncio.run(many(cluster.public_url, 3, think_s=0.2))
    bank = create_engine(cluster.database_url, future=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            with bank.connect() as connection:
                entries = {row.conversation_id: row for row in connection.execute(
                    select(ContactLog).where(ContactLog.conversation_id.in_([c.conversation_id for c in chats])))}
            if len(entries) == 3 and all("ask_balance" in (e.intents or []) for e in entries.values()):
                break
            assert time.monotonic() < deadline, f"contact log not current: {entries}"
            time.sleep(1)
    finally:
        bank.dispose()


def test_an_agent_on_one_gateway_talks_with_a_cardholder_on_the_other(cluster):
    asyncio.run(_agent_and_cardholder_apart(cluster.gateway_url(1), cluster.gateway_url(2)))


async def _agent_and_cardholder_apart(cardholder_url: str, agent_url: str) -> None:
    async with httpx.AsyncClient(base_url=cardholder_url, timeout=60) as bank_site, \
            httpx.AsyncClient(base_url=agent_url, timeout=60) as console:
        login = await bank_site.post("/api/bank/login", json={"customer_id": "C0002", "password": "demo-password"})
        started = (await bank_site.post("/api/chat/conversations",
                                        headers={"Authorization": f"Bearer {login.json()['token']}"})).json()
        conversation, chat_headers = started["conversation_id"], {"Authorization": f"Bearer {started['token']}"}
        agent = (await console.post("/api/agent/login",
                                    json={"username": "agent1", "password": "demo-agent-password"})).json()
        agent_headers = {"Authorization": f"Bearer {agent['token']}"}
        async with websockets.connect(cardholder_url.replace("http", "ws") + "/api/chat/ws") as widget, \
                websockets.connect(agent_url.replace("http", "ws") + "/api/agent/ws") as desk:
            await widget.send(json.dumps({"type": "auth", "token": started["token"], "after": 0}))
            await desk.send(json.dumps({"type": "auth", "token": agent["token"]}))
            await asyncio.sleep(0.5)
            await bank_site.post("/api/chat/messages", headers=chat_headers,
                                 json={"text": "转人工", "client_id": "h1"})
            queued = await _frame(desk, lambda f: f.get("type") == "queue" and any(
                item.get("conversation_id") == conversation for item in f.get("items", [])))
            handoff = next(i for i in queued["items"] if i["conversation_id"] == conversation)
            claimed = await console.post(f"/api/agent/handoffs/{handoff['handoff_id']}/claim", headers=agent_headers)
            assert claimed.status_code == 200, claimed.text

            reply = await console.post(f"/api/agent/conversations/{conversation}/messages", headers=agent_headers,
                                       json={"text": "您好，我是客服，我来帮您看一下账单。"})
            assert reply.status_code == 200, reply.text
            seen = await _frames(widget, lambda f: f.get("type") == "message"
                                 and f["message"].get("sender") == "agent", seconds=5)
            assert [f["message"]["text"] for f in seen] == ["您好，我是客服，我来帮您看一下账单。"]

            await bank_site.post("/api/chat/messages", headers=chat_headers, json={"text": "我想分期还款", "client_id": "h2"})
            heard = await _frames(desk, lambda f: f.get("type") == "message"
                                  and f["message"].get("text") == "我想分期还款", seconds=5)
            assert len(heard) == 1 and heard[0]["message"]["conversation_id"] == conversation


async def _frame(socket, wanted, seconds: float = 90) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        raw = await asyncio.wait_for(socket.recv(), max(deadline - time.monotonic(), 0.1))
        frame = json.loads(raw)
        if wanted(frame):
            return frame


async def _frames(socket, wanted, seconds: float) -> list[dict]:
    """Every wanted frame within `seconds` (to see that one came, and only once)."""
    found: list[dict] = []
    deadline = time.monotonic() + seconds
    try:
        while (left := deadline - time.monotonic()) > 0:
            frame = json.loads(await asyncio.wait_for(socket.recv(), left))
            if wanted(frame):
                found.append(frame)
    except asyncio.TimeoutError:
        pass
    return found


def test_killed_rasa_and_action_server_are_replaced_and_nothing_is_lost(cluster, tracker_engine):
    killed: dict[str, int] = {}
    kill_moments: list[float] = []

    def kill_mid_run() -> None:
        time.sleep(6)
        for name in ("rasa-1", "actions-1"):
            kill_moments.append(time.monotonic())
            killed[name] = cluster.kill(name)

    killer = threading.Thread(target=kill_mid_run)
    killer.start()
    chats = asyncio.run(many(cluster.public_url, 30, think_s=1.0))
    killer.join()
    assert set(killed) == {"rasa-1", "actions-1"}
    assert_each_message_answered_once(cluster, tracker_engine, chats, allow_notice=True)
    # only a turn in the hands of a killed process may end with the notice (and a person follows it up)
    notices, in_flight = _system_notices(cluster, chats), sum(turns_in_flight(chats, m) for m in kill_moments)
    print(f"kill: {in_flight} turns in flight, {notices} ended with the assistant-unavailable notice")
    assert notices <= in_flight, f"{notices} notices for {in_flight} turns in flight at the kills"
    for name, old_pid in killed.items():
        cluster.wait_rejoined(name, old_pid)
    # the replaced instances serve again: a new round goes through cleanly
    after = asyncio.run(many(cluster.public_url, 10, think_s=0.5))
    assert_each_message_answered_once(cluster, tracker_engine, after)


def test_a_postgresql_restart_gives_clear_errors_and_loses_no_message(cluster, tracker_engine):
    def restart_mid_run() -> None:
        time.sleep(4)
        version = sorted(Path("/etc/postgresql").iterdir())[-1].name
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"], check=True)

    restarter = threading.Thread(target=restart_mid_run)
    restarter.start()
    chats = asyncio.run(many(cluster.public_url, 10, think_s=1.0))
    restarter.join()
    assert_each_message_answered_once(cluster, tracker_engine, chats, allow_notice=True)
    after = asyncio.run(many(cluster.public_url, 5, think_s=0.5))
    assert_each_message_answered_once(cluster, tracker_engine, after)


def _system_notices(cluster, chats: list[Chat]) -> int:
    bank = create_engine(cluster.database_url, future=True)
    try:
        with bank.connect() as connection:
            return connection.scalar(select(text("count(*)")).select_from(ChatMessage.__table__).where(
                ChatMessage.conversation_id.in_([c.conversation_id for c in chats]), ChatMessage.sender == "system"))
    finally:
        bank.dispose()
