"""Liveness, readiness and metrics as the load balancer, the cluster's supervisor and Prometheus see them.

Rasa is a stand-in here (it answers GET /status as Rasa does: only with the API token, 409 while
no model is loaded); the default test settings point RASA_URL at a closed port. Redis is the real
one at 127.0.0.1:6379, or a closed port for the outage.
"""
from __future__ import annotations

import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from pydantic import SecretStr

from tests.api.conftest import agent_headers, chat_socket, free_port, queue_handoff, send, start_chat

REDIS_URL = "redis://127.0.0.1:6379/0"


class StandInRasa:
    """Answers GET /status like Rasa's HTTP API: 401 without its token, 409 without a model."""

    def __init__(self, token: str) -> None:
        self.model_loaded = True

        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                url = urlparse(self.path)
                if url.path != "/status":
                    status, body = 404, {}
                elif parse_qs(url.query).get("token") != [token]:
                    status, body = 401, {"reason": "NotAuthenticated"}
                elif not outer.model_loaded:
                    status, body = 409, {"reason": "Conflict"}
                else:
                    status, body = 200, {"model_file": "assistant.tar.gz"}
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(body).encode())

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def rasa(settings) -> Iterator[StandInRasa]:
    stand_in = StandInRasa(settings.secret("rasa_api_token"))
    yield stand_in
    stand_in.stop()


def redis(**extra: object) -> dict:
    return {"redis_url": REDIS_URL, "redis_channel_prefix": f"test-{uuid.uuid4().hex}", **extra}


# --- liveness and readiness -------------------------------------------------------------------

def test_health_answers_without_asking_any_dependency(make_client):
    client = make_client(database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere")
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 503 and ready.json()["checks"]["database"]["ok"] is False


def test_ready_when_the_database_rasa_and_redis_answer(make_client, rasa):
    client = make_client(rasa_url=rasa.url, **redis())
    response = client.get("/ready")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready", "checks": {name: {"ok": True, "reason": None}
                                                             for name in ("database", "rasa", "redis")}}


def test_without_redis_url_readiness_does_not_ask_redis(make_client, rasa):
    response = make_client(rasa_url=rasa.url).get("/ready")
    assert response.status_code == 200 and set(response.json()["checks"]) == {"database", "rasa"}


def test_not_ready_when_rasa_is_unreachable_or_has_no_model(client, make_client, rasa):
    response = client.get("/ready")  # the test settings' RASA_URL is a closed port
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["checks"]["database"]["ok"] is True
    assert body["checks"]["rasa"] == {"ok": False, "reason": "unreachable"}

    rasa.model_loaded = False
    body = make_client(rasa_url=rasa.url).get("/ready").json()
    assert body["checks"]["rasa"] == {"ok": False, "reason": "no model loaded"}
    wrong_token = make_client(rasa_url=rasa.url, rasa_api_token=SecretStr("not-the-token")).get("/ready").json()
    assert wrong_token["checks"]["rasa"] == {"ok": False, "reason": "token refused"}
    assert "not-the-token" not in json.dumps(wrong_token)


def test_not_ready_when_redis_is_down_and_no_password_is_shown(make_client, rasa):
    started = time.monotonic()
    client = make_client(rasa_url=rasa.url, **redis(redis_url=f"redis://:s3cret-pass@127.0.0.1:{free_port()}/0"))
    assert time.monotonic() - started < 5  # an instance starts even while Redis is down
    response = client.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert {name for name, check in body["checks"].items() if not check["ok"]} == {"redis"}
    assert body["checks"]["redis"]["reason"] == "unreachable"
    assert "s3cret" not in response.text and "redis://" not in response.text


# --- metrics -----------------------------------------------------------------------------------

def sample(text: str, name: str, **labels: str) -> float | None:
    """The value of one series in the Prometheus text, None when it is absent."""
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    match = re.search(rf"^{re.escape(name)}\{{{re.escape(wanted)}\}} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else None


def test_metrics_count_requests_by_route_template_and_gauge_the_queue(client, settings, database_url):
    chats = [start_chat(client, "C0001"), start_chat(client), start_chat(client)]
    for chat in chats[:2]:
        queue_handoff(database_url, chat.conversation_id)
    agent = agent_headers(settings, "agent1")
    for chat in chats:
        assert client.get(f"/api/agent/conversations/{chat.conversation_id}", headers=agent).status_code in (200, 403)
    assert client.get("/api/chat/messages", headers=chats[2].headers).status_code == 200
    assert client.get("/api/chat/messages").status_code == 401
    assert client.get("/no/such/page/" + chats[0].conversation_id).status_code == 404

    with chat_socket(client, chats[2].token) as widget:
        while widget.receive_json()["type"] != "state":
            pass
        text = client.get("/metrics").text

    assert sample(text, "gateway_http_requests_total", method="POST", route="/api/chat/conversations",
                  status="201") == 3
    assert sample(text, "gateway_http_requests_total", method="GET", route="/api/chat/messages", status="200") == 1
    assert sample(text, "gateway_http_requests_total", method="GET", route="/api/chat/messages", status="401") == 1
    route = "/api/agent/conversations/{conversation_id}"
    seen = sum(sample(text, "gateway_http_requests_total", method="GET", route=route, status=status) or 0
               for status in ("200", "403"))
    assert seen == 3
    assert sample(text, "gateway_http_requests_total", method="GET", route="unmatched", status="404") == 1
    assert sample(text, "gateway_http_request_duration_seconds_count", method="POST", route="/api/chat/conversations",
                  status="201") == 3
    assert sample(text, "gateway_handoff_queue_length", queue="live") == 2
    assert sample(text, "gateway_live_sockets", side="cardholder") == 1
    assert sample(text, "gateway_live_sockets", side="agent") == 0
    assert not any(chat.conversation_id in text for chat in chats)
    assert "张" not in text and "C0001" not in text


def test_metrics_time_rasa_calls_and_count_their_failures(client):
    chat = start_chat(client)
    send(client, chat, "你好", "m1")  # Rasa is a closed port: the gateway's call fails
    deadline = time.monotonic() + 10
    while True:
        text = client.get("/metrics").text
        if sample(text, "gateway_rasa_errors_total", call="message", error="connection"):
            break
        assert time.monotonic() < deadline, "the failed Rasa call was not counted"
        time.sleep(0.1)
    assert sample(text, "gateway_rasa_request_duration_seconds_count", call="message") >= 1
    assert chat.conversation_id not in text


def test_metrics_need_the_token_when_one_is_set(make_client):
    token = "metrics-token-" + "x" * 32
    client = make_client(metrics_token=SecretStr(token))
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    assert "gateway_http_requests_total" in answer.text
    assert client.get("/health").status_code == 200  # liveness stays open for the load balancer


def test_metrics_are_open_without_a_token(client):
    assert client.get("/metrics", headers={"Authorization": "Basic whatever"}).status_code == 200
