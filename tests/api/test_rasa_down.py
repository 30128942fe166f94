"""When the assistant cannot answer, nothing is lost: the message is kept and a person follows up."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.data.db import session_factory, session_scope
from bot.data.models import ChatMessage, Conversation, HandoffRequest
from bot.services.conversations import NOTICE_ASSISTANT_UNAVAILABLE, NOTICE_ASSISTANT_UNAVAILABLE_SAVED
from tests.api.conftest import agent_headers, chat_socket, free_port, send, start_chat


def assert_followed_up(client, settings, database_url, chat, text: str) -> None:
    """The message is stored, the cardholder told, the conversation queued for a person."""
    with session_factory(database_url)() as session:
        messages = list(session.scalars(
            select(ChatMessage).where(ChatMessage.conversation_id == chat.conversation_id).order_by(ChatMessage.id)))
        assert [(m.sender, m.text) for m in messages] == [("customer", text), ("system", NOTICE_ASSISTANT_UNAVAILABLE)]
        assert session.get(Conversation, chat.conversation_id).mode == "waiting"
        handoff = session.scalars(
            select(HandoffRequest).where(HandoffRequest.conversation_id == chat.conversation_id)).one()
        assert handoff.reason == "assistant_unavailable" and handoff.status == "waiting"
        assert handoff.summary["last_messages"] == [text] and handoff.summary["customer"]["name"] == "张*"
    page = client.get("/api/chat/messages", headers=chat.headers).json()
    assert page["messages"][-1]["sender"] == "system" and page["messages"][-1]["text"] == NOTICE_ASSISTANT_UNAVAILABLE
    assert page["state"]["mode"] == "waiting"
    assert page["state"]["queue_position"] == 0 and page["state"]["estimated_wait_minutes"] == 0
    queue = client.get("/api/agent/queue", headers=agent_headers(settings, "agent1")).json()["items"]
    assert [(i["conversation_id"], i["reason"], i["verified"], i["customer_masked"]) for i in queue] == [
        (chat.conversation_id, "assistant_unavailable", True, "张*")]


def test_rasa_not_listening(make_client, settings, database_url):
    client = make_client(rasa_url=f"http://127.0.0.1:{free_port()}")
    chat = start_chat(client, "C0001")
    response = send(client, chat, "我欠多少钱", "a")
    assert response.status_code == 202 and response.json()["message"]["text"] == "我欠多少钱"
    assert_followed_up(client, settings, database_url, chat, "我欠多少钱")


@pytest.mark.parametrize("behaviour", ["error", "slow"])
def test_rasa_failing_or_too_slow(make_client, settings, database_url, failing_rasa, behaviour):
    fake = failing_rasa(behaviour)
    client = make_client(rasa_url=fake.url, rasa_timeout_seconds=0.5)
    chat = start_chat(client, "C0001")
    assert send(client, chat, "我欠多少钱", "a").status_code == 202
    assert fake.requests == 1
    assert_followed_up(client, settings, database_url, chat, "我欠多少钱")
    # while the cardholder waits, the assistant is tried again (never silent); still one queue entry
    send(client, chat, "有人吗", "b")
    assert fake.requests == 2
    texts = [m["text"] for m in client.get("/api/chat/messages", headers=chat.headers).json()["messages"]]
    assert texts == ["我欠多少钱", NOTICE_ASSISTANT_UNAVAILABLE, "有人吗", NOTICE_ASSISTANT_UNAVAILABLE]
    with session_factory(database_url)() as session:
        assert len(session.scalars(select(HandoffRequest)).all()) == 1


def test_the_widget_socket_sees_the_notice_and_the_queue_state(make_client, database_url):
    client = make_client(rasa_url=f"http://127.0.0.1:{free_port()}")
    chat = start_chat(client)
    with chat_socket(client, chat.token) as ws:
        assert ws.receive_json()["state"]["mode"] == "bot"
        ws.send_json({"type": "message", "text": "你好", "client_id": "w1"})
        frames = [ws.receive_json() for _ in range(6)]
    kinds = [(f["type"], f.get("who"), f.get("on")) for f in frames]
    assert kinds == [("message", None, None), ("ack", None, None), ("typing", "bot", True),
                     ("message", None, None), ("state", None, None), ("typing", "bot", False)]
    assert frames[3]["message"]["text"] == NOTICE_ASSISTANT_UNAVAILABLE
    assert frames[4]["state"] == {"mode": "waiting", "queue_position": 0, "estimated_wait_minutes": 0, "agent_name": None}


def test_a_saturated_assistant_makes_messages_wait_not_fail(settings, database_url, failing_rasa):
    """At most `rasa_max_concurrency` messages are with Rasa at once; the others wait their turn
    and are all answered (here: Rasa answers a plain bubble, slowly, so nobody is handed off)."""
    import asyncio

    from api.main import create_app

    fake = failing_rasa("quiet", delay=0.3)
    app = create_app(settings.copy(update={"rasa_url": fake.url, "rasa_max_concurrency": 2, "rasa_timeout_seconds": 10.0}))
    gateway = app.state.gateway
    client_app = TestClient(app)
    chats = [start_chat(client_app) for _ in range(6)]
    for number, chat in enumerate(chats):
        gateway.in_unit(lambda unit, c=chat, n=number: gateway._accept(unit, c.conversation_id, f"消息{n}", None))

    async def burst() -> None:
        await asyncio.gather(*(gateway.forward(chat.conversation_id) for chat in chats))

    asyncio.run(burst())
    assert fake.requests == 6 and fake.most_in_flight == 2
    with session_factory(database_url)() as session:
        states = session.scalars(select(ChatMessage.forward_state).where(ChatMessage.sender == "customer")).all()
        notices = session.scalars(select(ChatMessage).where(ChatMessage.sender == "system")).all()
    assert states == ["done"] * 6 and notices == []


def test_an_anonymous_visitor_outside_hours_is_told_the_hours_not_promised_a_follow_up(
    make_client, database_url, monkeypatch
):
    from bot.services import handoff

    monkeypatch.setattr(handoff, "within_service_hours", lambda moment, rules: False)
    client = make_client(rasa_url=f"http://127.0.0.1:{free_port()}")
    chat = start_chat(client)
    assert send(client, chat, "我欠多少钱", "a").status_code == 202
    page = client.get("/api/chat/messages", headers=chat.headers).json()
    notice = page["messages"][-1]["text"]
    assert notice.startswith(NOTICE_ASSISTANT_UNAVAILABLE_SAVED) and "09:00-21:00" in notice and "跟进" not in notice
    assert page["state"]["mode"] == "bot"
    with session_factory(database_url)() as session:
        assert session.scalars(select(HandoffRequest)).all() == []


@pytest.mark.parametrize("mode", ["waiting", "callback", "closed"])
def test_the_assistant_is_asked_whatever_the_mode_unless_an_agent_holds_it(make_client, database_url, failing_rasa, mode):
    """Never silent: waiting for a person, for a callback, or after a close, the assistant answers."""
    fake = failing_rasa("quiet", delay=0.01)  # answers at once, a plain bubble
    client = make_client(rasa_url=fake.url)
    chat = start_chat(client, "C0001")
    with session_scope(session_factory(database_url)) as session:
        session.get(Conversation, chat.conversation_id).mode = mode
    assert send(client, chat, "我真的撑不下去了", "m").status_code == 202
    assert fake.requests == 1
