"""Tokens and who may do what: forged, expired, someone else's, anonymous; agent against supervisor."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import jwt
import pytest
from sqlalchemy import update

from api.core.security import issue_token
from bot.data.db import session_factory, session_scope
from bot.data.models import AgentAccount
from tests.api.conftest import AGENT_PASSWORD, agent_headers, bank_token, bearer, send, start_chat


def error_code(response) -> str:
    return response.json()["detail"]["code"]


def test_bank_login_and_demo_customers(client):
    response = client.post("/api/bank/login", json={"customer_id": "C0001", "password": "demo-password"})
    assert response.status_code == 200
    body = response.json()
    assert body["customer_id"] == "C0001" and body["name_masked"] == "张*" and body["expires_at"].endswith("+00:00")
    customers = client.get("/api/bank/demo-customers").json()
    assert customers == [
        {"customer_id": "C0001", "name_masked": "张*", "card_last4": "6217"},
        {"customer_id": "C0002", "name_masked": "李*", "card_last4": "8848"},
        {"customer_id": "C0003", "name_masked": "王*", "card_last4": "0310"},
    ]


@pytest.mark.parametrize("customer_id, password", [("C0001", "wrong"), ("C9999", "demo-password")])
def test_bank_login_refuses_bad_credentials(client, customer_id, password):
    response = client.post("/api/bank/login", json={"customer_id": customer_id, "password": password})
    assert response.status_code == 401
    assert error_code(response) == "bad_credentials" and response.json()["detail"]["message"]


def test_anonymous_and_signed_in_conversations(client):
    anonymous = client.post("/api/chat/conversations")
    assert anonymous.status_code == 201 and anonymous.json()["verified_customer"] is False
    signed_in = client.post("/api/chat/conversations", headers=bearer(bank_token(client, "C0001")))
    assert signed_in.status_code == 201 and signed_in.json()["verified_customer"] is True
    assert anonymous.json()["conversation_id"] != signed_in.json()["conversation_id"]


def _forged(settings, kind: str, subject: str, **claims) -> str:
    return issue_token("not-the-secret-but-long-enough-to-sign", kind, subject, 30, **claims).token


def _expired(secret: str, kind: str, subject: str, **claims) -> str:
    past = datetime.now(timezone.utc) - timedelta(hours=1)
    return jwt.encode({**claims, "sub": subject, "typ": kind, "exp": past}, secret, algorithm="HS256")


def test_forged_and_expired_bank_tokens_start_nothing(client, settings):
    forged = client.post("/api/chat/conversations", headers=bearer(_forged(settings, "bank", "C0001")))
    assert forged.status_code == 401 and error_code(forged) == "invalid_token"
    expired_token = _expired(settings.secret("bank_session_secret"), "bank", "C0001")
    expired = client.post("/api/chat/conversations", headers=bearer(expired_token))
    assert expired.status_code == 401 and error_code(expired) == "expired_token"
    garbage = client.post("/api/chat/conversations", headers=bearer("not.a.jwt"))
    assert garbage.status_code == 401 and error_code(garbage) == "invalid_token"
    not_bearer = client.post("/api/chat/conversations", headers={"Authorization": "Basic abc"})
    assert not_bearer.status_code == 401


def test_conversation_token_checks(client, settings):
    chat = start_chat(client, "C0001")
    assert client.get("/api/chat/messages", headers=chat.headers).status_code == 200
    no_token = client.get("/api/chat/messages")
    assert no_token.status_code == 401 and error_code(no_token) == "invalid_token"
    forged_token = _forged(settings, "conversation", chat.conversation_id, cid="C0001")
    forged = client.get("/api/chat/messages", headers=bearer(forged_token))
    assert error_code(forged) == "invalid_token"
    expired = _expired(settings.secret("chat_token_secret"), "conversation", chat.conversation_id, cid="C0001")
    assert error_code(client.get("/api/chat/messages", headers=bearer(expired))) == "expired_token"
    # a bank token is not a conversation token, even though it is genuine
    bank = bank_token(client, "C0001")
    assert error_code(client.get("/api/chat/messages", headers=bearer(bank))) == "invalid_token"


def test_a_cardholder_cannot_reach_another_cardholders_conversation(client, settings):
    zhang, li = start_chat(client, "C0001"), start_chat(client, "C0002")
    send(client, zhang, "我的卡号6222021234566217", "z1")
    # Li's token only ever opens Li's conversation
    seen_by_li = client.get("/api/chat/messages", headers=li.headers).json()["messages"]
    assert all(m["conversation_id"] == li.conversation_id for m in seen_by_li)
    assert not any("6217" in m["text"] for m in seen_by_li)
    # a token naming Zhang's conversation but issued to Li (real secret, wrong customer) is refused
    crossed = issue_token(settings.secret("chat_token_secret"), "conversation", zhang.conversation_id, 30, cid="C0002").token
    assert error_code(client.get("/api/chat/messages", headers=bearer(crossed))) == "invalid_token"
    # and so is an anonymous token for a signed-in customer's conversation
    anonymous = issue_token(settings.secret("chat_token_secret"), "conversation", zhang.conversation_id, 30, cid=None).token
    assert error_code(client.post("/api/chat/messages", headers=bearer(anonymous), json={"text": "hi"})) == "invalid_token"


def test_agent_login(client):
    response = client.post("/api/agent/login", json={"username": "agent1", "password": AGENT_PASSWORD})
    assert response.status_code == 200
    assert {k: response.json()[k] for k in ("username", "display_name", "role")} == {
        "username": "agent1", "display_name": "客服小李", "role": "agent"}
    for username, password in (("agent1", "wrong-password"), ("nobody", AGENT_PASSWORD)):
        refused = client.post("/api/agent/login", json={"username": username, "password": password})
        assert refused.status_code == 401 and error_code(refused) == "bad_credentials"


def test_agent_tokens_are_checked(client, settings, database_url):
    assert client.get("/api/agent/queue", headers=agent_headers(settings, "agent1")).status_code == 200
    assert error_code(client.get("/api/agent/queue")) == "invalid_token"
    forged = bearer(_forged(settings, "agent", "super1"))
    assert error_code(client.get("/api/agent/queue", headers=forged)) == "invalid_token"
    expired = _expired(settings.secret("agent_token_secret"), "agent", "agent1")
    assert error_code(client.get("/api/agent/queue", headers=bearer(expired))) == "expired_token"
    # a cardholder's conversation token opens nothing in the console
    chat = start_chat(client, "C0001")
    assert error_code(client.get("/api/agent/queue", headers=chat.headers)) == "invalid_token"
    # a deactivated account's token stops working at once
    with session_scope(session_factory(database_url)) as session:
        session.execute(update(AgentAccount).where(AgentAccount.username == "agent2").values(active=False))
    assert client.get("/api/agent/queue", headers=agent_headers(settings, "agent2")).status_code == 401


def test_supervisor_only_endpoints(client, settings):
    as_agent = agent_headers(settings, "agent1")
    forbidden = client.get("/api/agent/agents", headers=as_agent)
    assert forbidden.status_code == 403 and error_code(forbidden) == "forbidden"
    assert client.post("/api/agent/handoffs/1/assign", headers=as_agent, json={"username": "agent1"}).status_code == 403
    listing = client.get("/api/agent/agents", headers=agent_headers(settings, "super1"))
    assert listing.status_code == 200
    assert [(a["username"], a["role"], a["active_conversations"]) for a in listing.json()["items"]] == [
        ("agent1", "agent", 0), ("agent2", "agent", 0), ("super1", "supervisor", 0)]
