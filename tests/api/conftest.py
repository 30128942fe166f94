"""Fixtures for the API tests: an app on the per-test database, tokens, handoffs made as the bot makes them.

By default RASA_URL points at a closed local port, so any test that reaches Rasa by mistake
shows up as an "assistant unavailable" notice. Tests of the real bot path use `assistant`
(the real Rasa server and action server, from tests/servers.py).
"""
from __future__ import annotations

import json
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.core.config import ApiSettings, load_api_settings
from api.core.security import issue_token
from api.main import create_app
from bot.data.db import session_factory, session_scope
from bot.data.models import Cardholder, HandoffRequest
from bot.data.seed import seed_demo_agents
from bot.domain.product_rules import load_rules
from bot.services.accounts import account_position, primary_account
from bot.services.handoff import ConversationFacts, request_handoff
from bot.clock import bank_today

AGENT_PASSWORD = "test-agent-password"


def free_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def settings(database_url, tmp_path, in_service_hours) -> ApiSettings:
    with session_scope(session_factory(database_url)) as session:
        seed_demo_agents(session, AGENT_PASSWORD)
    return load_api_settings(
        database_url=database_url, rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout_seconds=1.0,
        static_dir=tmp_path / "static", training_workspace=tmp_path / "workspace",
        tracker_store_url=f"sqlite:///{tmp_path / 'tracker.db'}",
    )


@pytest.fixture
def make_client(settings) -> Iterator[Callable[..., TestClient]]:
    """`make_client(**overrides)`: a started app on the test database, with settings changed as asked."""
    clients: list[TestClient] = []

    def make(**overrides: object) -> TestClient:
        client = TestClient(create_app(settings.copy(update=overrides)))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client) -> TestClient:
    return make_client()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Chat:
    """A cardholder's conversation as the widget holds it."""

    conversation_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


def send(client: TestClient, chat: Chat, text: str, client_id: str | None = None):
    """The widget's POST of one message."""
    return client.post("/api/chat/messages", headers=chat.headers, json={"text": text, "client_id": client_id})


def bank_token(client: TestClient, customer_id: str) -> str:
    response = client.post("/api/bank/login", json={"customer_id": customer_id, "password": "demo-password"})
    assert response.status_code == 200, response.text
    return response.json()["token"]


def start_chat(client: TestClient, customer_id: str | None = None) -> Chat:
    headers = bearer(bank_token(client, customer_id)) if customer_id else {}
    response = client.post("/api/chat/conversations", headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    return Chat(body["conversation_id"], body["token"])


def agent_headers(settings: ApiSettings, username: str) -> dict[str, str]:
    """A console token as login issues it (logging in each time would cost a password hash)."""
    return bearer(issue_token(settings.secret("agent_token_secret"), "agent", username, 60).token)


@contextmanager
def chat_socket(client: TestClient, token: str, after: int = 0):
    """The widget's socket: connect, then authenticate with the first frame (no token in the URL)."""
    with client.websocket_connect("/api/chat/ws") as ws:
        ws.send_json({"type": "auth", "token": token, "after": after})
        yield ws


@contextmanager
def desk_socket(client: TestClient, token: str):
    """The console's socket, authenticated the same way."""
    with client.websocket_connect("/api/agent/ws") as ws:
        ws.send_json({"type": "auth", "token": token})
        yield ws


def queue_handoff(database_url: str, conversation_id: str, reason: str = "requested", texts: list[str] | None = None,
                  customer_id: str | None = None) -> int:
    """Queue the conversation exactly as actions/handoff.py does, through bot.services.handoff."""
    rules = load_rules()
    with session_scope(session_factory(database_url)) as session:
        holder = session.scalar(select(Cardholder).where(Cardholder.customer_id == customer_id)) if customer_id else None
        account = primary_account(session, holder.id) if holder else None
        position = account_position(session, account, bank_today(), rules) if account else None
        facts = ConversationFacts(
            conversation_id=conversation_id, reason=reason, intents=["request_human"], user_texts=texts or ["转人工"],
            cardholder=holder, account=account, position=position,
        )
        return request_handoff(session, facts, rules).id


def handoff_row(database_url: str, handoff_id: int) -> HandoffRequest:
    with session_factory(database_url)() as session:
        return session.get(HandoffRequest, handoff_id)


QUIET_ANSWER = json.dumps([{"recipient_id": "x", "text": "好的。"}]).encode()


class FailingRasa:
    """A stand-in that fails or says little: answers 500 ("error"), sleeps past the client's
    timeout ("slow"), never answers at all ("hang"), or after `delay` answers one plain bubble
    that hands nobody off ("quiet"). It counts the requests it holds at once."""

    def __init__(self, behaviour: str, delay: float = 3.0) -> None:
        self.requests = self.in_flight = self.most_in_flight = 0
        outer, lock = self, threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                with lock:
                    outer.requests += 1
                    outer.in_flight += 1
                    outer.most_in_flight = max(outer.most_in_flight, outer.in_flight)
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    time.sleep(3600 if behaviour == "hang" else delay if behaviour in ("slow", "quiet") else 0)
                finally:
                    with lock:
                        outer.in_flight -= 1
                self.send_response(500 if behaviour == "error" else 200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"error": "boom"}' if behaviour == "error" else QUIET_ANSWER)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def failing_rasa() -> Iterator[Callable[..., FailingRasa]]:
    started: list[FailingRasa] = []

    def start(behaviour: str, delay: float = 3.0) -> FailingRasa:
        fake = FailingRasa(behaviour, delay)
        started.append(fake)
        return fake

    yield start
    for fake in started:
        fake.stop()


def pytest_collection_modifyitems(config, items) -> None:
    """The schema fuzz (test_openapi_fuzz) wants no 5xx from any input, but GET /ready answers 503
    by design while a dependency is down, and that module's Rasa is a closed port on purpose. /ready
    takes no input to fuzz; tests/api/test_health_metrics.py checks both of its answers."""
    for item in items:
        if "test_openapi_fuzz" in item.nodeid and item.name.endswith("[get-/ready]"):
            item.add_marker(pytest.mark.skip(reason="/ready is 503 by design while Rasa is unreachable"))
