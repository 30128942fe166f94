"""The gateway tried as an attacker would: guessing passwords, flooding, tokens in URLs and logs,
sockets that outlive their right to exist, bad ids and amounts, and the headers of every page."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update
from starlette.websockets import WebSocketDisconnect

from api.core.headers import CONTENT_SECURITY_POLICY
from api.core.security import issue_token, read_token
from bot.data.db import session_factory, session_scope
from bot.data.models import AgentAccount
from bot.services.agents import deactivate_agent, set_role
from tests.api.conftest import (
    AGENT_PASSWORD,
    agent_headers,
    bank_token,
    bearer,
    chat_socket,
    desk_socket,
    queue_handoff,
    start_chat,
)


def error(response) -> dict:
    return response.json()["detail"]


# --- throttled sign-ins and conversations -------------------------------------------------

def test_bank_login_locks_an_account_after_repeated_wrong_passwords(client):
    for _ in range(5):
        wrong = client.post("/api/bank/login", json={"customer_id": "C0001", "password": "guess"})
        assert wrong.status_code == 401
    refused = client.post("/api/bank/login", json={"customer_id": "C0001", "password": "demo-password"})
    assert refused.status_code == 429 and error(refused)["code"] == "too_many_attempts"
    assert "分钟后再试" in error(refused)["message"] and int(refused.headers["Retry-After"]) > 60
    # another account from elsewhere is not affected by this account's lock
    assert client.post("/api/bank/login", json={"customer_id": "C0002", "password": "demo-password"}).status_code == 200


def test_agent_login_is_throttled_per_address_across_accounts(make_client):
    client = make_client(login_limits_per_address="3 per 15 minutes")
    for name in ("agent1", "agent2", "super1"):
        assert client.post("/api/agent/login", json={"username": name, "password": "guess-1"}).status_code == 401
    refused = client.post("/api/agent/login", json={"username": "agent1", "password": AGENT_PASSWORD})
    assert refused.status_code == 429 and error(refused)["code"] == "too_many_attempts"


def test_a_right_password_is_not_counted(client):
    for _ in range(8):
        assert client.post("/api/agent/login", json={"username": "agent1", "password": AGENT_PASSWORD}).status_code == 200


def test_new_conversations_are_throttled_per_address(make_client):
    client = make_client(conversation_limits_per_address="3 per minute")
    for _ in range(3):
        assert client.post("/api/chat/conversations").status_code == 201
    refused = client.post("/api/chat/conversations")
    assert refused.status_code == 429 and error(refused)["code"] == "too_many_conversations"
    assert error(refused)["message"].startswith("发起新对话过于频繁")


# --- tokens and sockets -----------------------------------------------------------------

def test_a_chat_token_never_outlives_its_bank_session(client, settings):
    bank = bank_token(client, "C0001")
    chat = client.post("/api/chat/conversations", headers=bearer(bank)).json()
    bank_exp = read_token(settings.secret("bank_session_secret"), "bank", bank)["exp"]
    chat_exp = read_token(settings.secret("chat_token_secret"), "conversation", chat["token"])["exp"]
    assert chat_exp <= bank_exp
    anonymous = client.post("/api/chat/conversations").json()
    anonymous_exp = read_token(settings.secret("chat_token_secret"), "conversation", anonymous["token"])["exp"]
    assert anonymous_exp - time.time() <= settings.chat_token_minutes * 60


def test_a_token_in_the_socket_url_is_not_accepted(client):
    chat = start_chat(client)
    with client.websocket_connect(f"/api/chat/ws?token={chat.token}") as ws:
        ws.send_json({"type": "message", "text": "你好"})  # no auth frame first
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4401


def test_a_socket_that_never_authenticates_is_closed(make_client):
    client = make_client(socket_auth_seconds=0.3)
    with client.websocket_connect("/api/agent/ws") as ws:
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4401


def test_sockets_per_token_are_capped(make_client):
    client = make_client(max_sockets_per_token=2)
    chat = start_chat(client)
    with chat_socket(client, chat.token) as first, chat_socket(client, chat.token) as second:
        assert first.receive_json()["type"] == "state" and second.receive_json()["type"] == "state"
        with chat_socket(client, chat.token) as third:
            with pytest.raises(WebSocketDisconnect) as closed:
                third.receive_json()
    assert closed.value.code == 4429


def test_a_socket_is_closed_when_its_token_expires(client, settings):
    chat = start_chat(client)
    soon = datetime.now(timezone.utc) + timedelta(seconds=2)
    claims = read_token(settings.secret("chat_token_secret"), "conversation", chat.token)
    short = issue_token(settings.secret("chat_token_secret"), "conversation", chat.conversation_id, 60,
                        not_after=soon, cid=claims.get("cid")).token
    with chat_socket(client, short) as ws:
        assert ws.receive_json()["type"] == "state"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4401 and datetime.now(timezone.utc) >= soon.replace(microsecond=0)


@pytest.mark.parametrize("change", ["deactivated", "demoted"])
def test_an_agent_socket_is_closed_when_the_account_changes(make_client, settings, database_url, change):
    client = make_client(socket_recheck_seconds=0.3)
    with desk_socket(client, agent_headers(settings, "super1")["Authorization"][7:]) as desk:
        assert desk.receive_json()["type"] == "queue"
        with session_scope(session_factory(database_url)) as session:
            if change == "deactivated":
                deactivate_agent(session, "super1")
            else:
                set_role(session, "super1", "agent")
        with pytest.raises(WebSocketDisconnect) as closed:
            desk.receive_json()
    assert closed.value.code == 4401
    still = client.get("/api/agent/agents", headers=agent_headers(settings, "super1"))
    assert still.status_code in (401, 403)


def test_typing_frames_are_throttled(client, settings, database_url):
    chat = start_chat(client, "C0001")
    handoff_id = queue_handoff(database_url, chat.conversation_id, customer_id="C0001")
    agent = agent_headers(settings, "agent1")
    assert client.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=agent).status_code == 200
    with desk_socket(client, agent["Authorization"][7:]) as desk, chat_socket(client, chat.token) as widget:
        assert desk.receive_json()["type"] == "queue"
        for _ in range(30):
            widget.send_json({"type": "typing", "on": True})
        widget.send_json({"type": "message", "text": "在吗", "client_id": "after-typing"})
        frames = []
        while not (frames and frames[-1].get("type") == "message" and frames[-1]["message"]["text"] == "在吗"):
            frames.append(desk.receive_json())
    assert sum(1 for f in frames if f["type"] == "typing") == 1


# --- bad input is a clear 4xx in Chinese ---------------------------------------------------

@pytest.mark.parametrize("path", [
    "/api/agent/handoffs/١٢٣٤٥٦٧٨٩٠١٢٣/claim",          # non-ASCII digits, far past 64 bits
    "/api/agent/handoffs/99999999999999999999999/claim",
    "/api/agent/handoffs/-1/claim",
    "/api/agent/conversations/web-%E2%91%A0/promise",    # ①
    "/api/agent/complaints/%C2%B2/resolve",              # ² counts as a digit to str.isdigit
])
def test_bad_ids_are_a_422(client, settings, path):
    body = {"amount": "100", "date": "2030-01-01", "resolution": "已处理"}
    response = client.post(path, headers=agent_headers(settings, "agent1"), json=body)
    assert response.status_code == 422 and error(response)["code"] == "invalid_request"
    assert "请求内容不正确" in error(response)["message"]


@pytest.mark.parametrize("amount", ["1e30", "NaN", "Infinity", "12.345", 10**40])
def test_absurd_amounts_are_a_422(client, settings, database_url, amount):
    chat = start_chat(client, "C0001")
    handoff_id = queue_handoff(database_url, chat.conversation_id, customer_id="C0001")
    agent = agent_headers(settings, "agent1")
    client.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=agent)
    response = client.post(f"/api/agent/conversations/{chat.conversation_id}/promise", headers=agent,
                           json={"amount": amount, "date": "2030-01-01"})
    assert response.status_code == 422 and error(response)["fields"] == ["amount"]


def test_after_beyond_any_id_is_a_422(client):
    chat = start_chat(client)
    response = client.get(f"/api/chat/messages?after={2**70}", headers=chat.headers)
    assert response.status_code == 422


# --- headers --------------------------------------------------------------------------------

def test_every_response_carries_the_security_headers(make_client, tmp_path):
    static = tmp_path / "pages"
    static.mkdir()
    (static / "index.html").write_text("<title>widget</title>", encoding="utf-8")
    client = make_client(static_dir=static)
    for response in (client.get("/"), client.post("/api/chat/conversations"), client.get("/api/agent/queue")):
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY and "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Frame-Options"] == "DENY"
    assert client.post("/api/chat/conversations").headers["Cache-Control"] == "no-store"


def test_the_pages_have_no_inline_script_or_style():
    from api.core.config import STATIC_DIR

    for page in STATIC_DIR.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>" not in html and " style=" not in html and " on" + "click=" not in html, page.name
        assert all('src="/static/' in tag for tag in html.split("<script")[1:]), page.name


def test_deactivated_accounts_cannot_sign_in(client, database_url):
    with session_scope(session_factory(database_url)) as session:
        session.execute(update(AgentAccount).where(AgentAccount.username == "agent2").values(active=False))
    refused = client.post("/api/agent/login", json={"username": "agent2", "password": AGENT_PASSWORD})
    assert refused.status_code == 401
