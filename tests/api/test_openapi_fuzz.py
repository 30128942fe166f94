"""schemathesis against the app's own OpenAPI document: whatever a client sends, no 500, and
every documented answer matches its schema.

The app runs in a real uvicorn server on a free port. Each operation gets generated valid and
invalid paths, queries and bodies, sent with a real token of the role that may call it (the
tokens are set after generation, so the inputs, not the authentication, are what varies).
Rasa is a closed port here: nothing leaves the machine.
"""
from __future__ import annotations

import threading
import time
from typing import Iterator

import pytest
import schemathesis
import uvicorn
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.experimental import OPEN_API_3_1

from api.main import create_app
from tests.api.conftest import agent_headers, free_port, queue_handoff, start_chat

OPEN_API_3_1.enable()  # FastAPI writes OpenAPI 3.1
EXAMPLES = 25


@pytest.fixture(scope="module")
def server_settings(tmp_path_factory):
    """One database and one server for the whole module (starting one per operation is slow)."""
    from bot.clock import bank_today
    from bot.data.db import migrate, session_factory, session_scope
    from bot.data.seed import seed_demo, seed_demo_agents
    from api.core.config import load_api_settings
    from tests.api.conftest import AGENT_PASSWORD

    folder = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{folder / 'bank.db'}"
    migrate(url)
    with session_scope(session_factory(url)) as session:
        seed_demo(session, bank_today())
        seed_demo_agents(session, AGENT_PASSWORD)
    return load_api_settings(
        database_url=url, rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout_seconds=1.0,
        static_dir=tmp_path_factory.mktemp("static"), login_limits_per_account="100000 per minute",
        login_limits_per_address="100000 per minute", conversation_limits_per_address="100000 per minute",
        rate_limit_per_minute=100000, training_workspace=folder / "workspace",
        tracker_store_url=f"sqlite:///{folder / 'tracker.db'}",
    )


@pytest.fixture(scope="module")
def fuzzed(server_settings) -> Iterator[tuple]:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(server_settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    client = TestClient(create_app(server_settings))
    chat = start_chat(client, "C0001")
    handoff_id = queue_handoff(server_settings.database_url, chat.conversation_id, customer_id="C0001")
    supervisor = agent_headers(server_settings, "super1")
    client.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=supervisor)
    schema = schemathesis.from_uri(f"{base}/openapi.json", data_generation_methods=["positive", "negative"])
    yield schema, base, {"chat": chat.headers, "agent": supervisor, "trainer": agent_headers(server_settings, "trainer1")}
    server.should_exit = True
    thread.join(timeout=10)


def _operations():
    app = create_app()
    return sorted((method, path) for path, item in app.openapi()["paths"].items() for method in item)


@pytest.mark.parametrize("method, path", _operations())
def test_no_input_gets_a_500_and_answers_match_the_schema(fuzzed, method, path):
    schema, base, headers = fuzzed
    operation = schema[path][method.upper()]
    token = (headers["trainer"] if path.startswith("/api/trainer/") else
             headers["agent"] if path.startswith(("/api/agent/", "/api/dashboard/")) else headers["chat"])

    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def check(case) -> None:
        case.headers = {**(case.headers or {}), **token}
        response = case.call(base_url=base, timeout=30)
        case.validate_response(response, checks=(not_a_server_error, response_schema_conformance))

    check()
