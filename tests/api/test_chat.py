"""Cardholder messages: stored with ids before anything else, replayed by id, never twice, within limits."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from starlette.websockets import WebSocketDisconnect

from bot.data.db import session_factory
from bot.data.models import ChatMessage
from bot.services.conversations import NOTICE_ASSISTANT_UNAVAILABLE
from tests.api.conftest import agent_headers, chat_socket, queue_handoff, send, start_chat


def error_code(response) -> str:
    return response.json()["detail"]["code"]


def stored(database_url: str, conversation_id: str) -> list[ChatMessage]:
    with session_factory(database_url)() as session:
        return list(session.scalars(
            select(ChatMessage).where(ChatMessage.conversation_id == conversation_id).order_by(ChatMessage.id)))


@pytest.fixture
def held_chat(client, settings, database_url):
    """A signed-in cardholder's conversation held by agent1, so nothing goes to Rasa."""
    chat = start_chat(client, "C0001")
    handoff_id = queue_handoff(database_url, chat.conversation_id, customer_id="C0001")
    claimed = client.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=agent_headers(settings, "agent1"))
    assert claimed.status_code == 200
    return chat


def test_message_is_stored_and_replayed_after_an_id(client, held_chat, database_url):
    first = send(client, held_chat, " 第一条 ", "c-1")
    assert first.status_code == 202
    message = first.json()["message"]
    assert message["sender"] == "customer" and message["text"] == "第一条" and message["created_at"].endswith("+00:00")
    second = send(client, held_chat, "第二条", "c-2").json()
    everything = client.get("/api/chat/messages", headers=held_chat.headers).json()
    ids = [m["id"] for m in everything["messages"]]
    assert ids == sorted(ids) and message["id"] in ids and everything["state"]["mode"] == "agent"
    after_first = client.get(f"/api/chat/messages?after={message['id']}", headers=held_chat.headers).json()["messages"]
    assert [m["text"] for m in after_first] == ["第二条"]
    assert after_first[0]["id"] == second["message"]["id"]
    assert [m.text for m in stored(database_url, held_chat.conversation_id)][-2:] == ["第一条", "第二条"]


def test_a_retried_client_id_is_stored_once(client, held_chat, database_url):
    body = {"text": "我想分期", "client_id": "retry-me"}
    first = client.post("/api/chat/messages", headers=held_chat.headers, json=body).json()["message"]
    again = client.post("/api/chat/messages", headers=held_chat.headers, json=body).json()["message"]
    assert again == first
    texts = [m.text for m in stored(database_url, held_chat.conversation_id)]
    assert texts.count("我想分期") == 1


def test_the_same_client_id_in_another_conversation_is_another_message(client, held_chat):
    other = start_chat(client)
    a = send(client, held_chat, "一", "same").json()
    b = send(client, other, "二", "same").json()
    assert a["message"]["id"] != b["message"]["id"]


@pytest.mark.parametrize("text, status, code", [
    ("", 422, "empty_message"),
    ("   \n ", 422, "empty_message"),
    ("啊" * 1001, 413, "message_too_long"),
])
def test_empty_and_overlong_messages_are_refused_with_json(client, held_chat, database_url, text, status, code):
    before = len(stored(database_url, held_chat.conversation_id))
    response = send(client, held_chat, text, "x")
    assert response.status_code == status
    assert response.json()["detail"]["code"] == code and response.json()["detail"]["message"]
    assert len(stored(database_url, held_chat.conversation_id)) == before


def test_the_length_cap_comes_from_settings(make_client):
    client = make_client(max_message_chars=5)
    chat = start_chat(client, "C0001")
    assert client.post("/api/chat/messages", headers=chat.headers, json={"text": "一二三四五"}).status_code == 202
    assert client.post("/api/chat/messages", headers=chat.headers, json={"text": "一二三四五六"}).status_code == 413


def test_malformed_bodies_get_the_error_format(client, held_chat):
    response = client.post("/api/chat/messages", headers=held_chat.headers, json={"client_id": "no-text"})
    assert response.status_code == 422 and error_code(response) == "invalid_request"
    unknown = client.get("/api/no-such-thing")
    assert unknown.status_code == 404 and unknown.json()["detail"]["code"] == "http_404"


def test_rate_limit_per_conversation(make_client):
    client = make_client(rate_limit_per_minute=3)
    chat, other = start_chat(client, "C0001"), start_chat(client, "C0002")
    for n in range(3):
        assert send(client, chat, f"第{n}条", f"r{n}").status_code == 202
    limited = send(client, chat, "太快了", "r3")
    assert limited.status_code == 429 and error_code(limited) == "rate_limited" and limited.headers["Retry-After"]
    # a retry of a message already stored is not a new message, so it is not limited
    assert send(client, chat, "第0条", "r0").status_code == 202
    # the limit is per conversation
    assert send(client, other, "你好", "o1").status_code == 202


def test_websocket_replays_what_was_missed_then_goes_live(client, held_chat, settings):
    sent = [send(client, held_chat, t, t).json()["message"]
            for t in ("甲", "乙", "丙")]
    with chat_socket(client, held_chat.token, sent[0]['id']) as ws:
        replayed = [ws.receive_json(), ws.receive_json()]
        assert [f["message"]["text"] for f in replayed] == ["乙", "丙"]
        state = ws.receive_json()
        assert state == {"type": "state", "state": {"mode": "agent", "queue_position": None,
                                                    "estimated_wait_minutes": None, "agent_name": "客服小李"}}
        reply = client.post(f"/api/agent/conversations/{held_chat.conversation_id}/messages",
                            headers=agent_headers(settings, "agent1"), json={"text": "您好，我是客服小李"})
        live = ws.receive_json()
        assert live["type"] == "message" and live["message"]["id"] == reply.json()["message"]["id"]
        assert live["message"]["sender"] == "agent" and live["message"]["agent_name"] == "客服小李"
    # reconnecting after the last id seen replays nothing but the state
    with chat_socket(client, held_chat.token, live['message']['id']) as ws:
        assert ws.receive_json()["type"] == "state"


def test_websocket_messages_are_acked_once_per_client_id(client, held_chat, database_url):
    with chat_socket(client, held_chat.token) as ws:
        frames = [ws.receive_json() for _ in range(2)]  # the agent's join notice, then the state
        assert [f["type"] for f in frames] == ["message", "state"]
        ws.send_json({"type": "message", "text": "在吗", "client_id": "ws-1"})
        echo, ack = ws.receive_json(), ws.receive_json()
        assert echo["type"] == "message" and echo["message"]["text"] == "在吗"
        assert ack == {"type": "ack", "client_id": "ws-1", "message": echo["message"]}
        ws.send_json({"type": "message", "text": "在吗", "client_id": "ws-1"})
        assert ws.receive_json() == ack  # a retry: acked with the stored message, not stored again
        ws.send_json({"type": "message", "text": "", "client_id": "ws-2"})
        error = ws.receive_json()
        assert error["type"] == "error" and error["code"] == "empty_message" and error["client_id"] == "ws-2"
        ws.send_text("not json")
        assert ws.receive_json()["code"] == "invalid_request"
    assert [m.text for m in stored(database_url, held_chat.conversation_id)].count("在吗") == 1


@pytest.mark.parametrize("token", ["", "garbage", "eyJhbGciOiJIUzI1NiJ9.e30.x"])
def test_websocket_with_a_bad_token_closes_with_4401(client, token):
    with chat_socket(client, token) as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4401


def test_a_closed_conversation_is_taken_up_again_by_the_assistant(client, held_chat, settings, database_url):
    """Never silent: after an agent closes, the cardholder's next message goes to the assistant.
    (Rasa is a closed port here, so the answer is the "assistant unavailable" notice.)"""
    closed = client.post(f"/api/agent/conversations/{held_chat.conversation_id}/close",
                         headers=agent_headers(settings, "agent1"), json={"outcome": "resolved"})
    assert closed.json()["state"]["mode"] == "closed"
    again = send(client, held_chat, "还在吗", "late")
    assert again.status_code == 202
    texts = [m.text for m in stored(database_url, held_chat.conversation_id)]
    assert texts[-2:] == ["还在吗", NOTICE_ASSISTANT_UNAVAILABLE]
    assert client.get("/api/chat/messages", headers=held_chat.headers).json()["state"]["mode"] != "closed"


def test_messages_in_agent_mode_never_reach_rasa(client, held_chat, database_url):
    """RASA_URL is a closed port here: a forwarded message would leave an "unavailable" notice."""
    send(client, held_chat, "请问怎么还款", "m")
    texts = [m.text for m in stored(database_url, held_chat.conversation_id)]
    assert NOTICE_ASSISTANT_UNAVAILABLE not in texts
    with session_factory(database_url)() as session:
        assert session.scalar(select(func.count()).select_from(ChatMessage).where(ChatMessage.sender == "bot")) == 0


def test_an_empty_client_id_names_nothing(client, held_chat, database_url):
    """Two messages sent with client_id "" are two messages, not a crash on the unique index."""
    assert send(client, held_chat, "第一条", "").status_code == 202
    assert send(client, held_chat, "第二条", "").status_code == 202
    assert {"第一条", "第二条"} <= {m.text for m in stored(database_url, held_chat.conversation_id)}
