"""No message lost, none answered twice: the API killed mid-way, restarted, and the real assistant.

1. The API is killed (SIGKILL) while a cardholder's message is stored but not yet answered
   (Rasa hangs, as it would on a deploy); restarted against the real Rasa, the sweep forwards
   the message and it is answered exactly once.
2. Rasa had already answered when the API died: the restarted API reads the answer back from
   Rasa's tracker instead of asking twice.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.core.config import load_api_settings
from api.main import create_app
from bot.data.db import session_factory, session_scope
from bot.data.models import ChatMessage, utcnow
from bot.services.conversations import open_conversation
from bot.services.delivery import PENDING
from tests.api.conftest import FailingRasa, free_port
from tests.servers import LOGS, REPO, TOKEN

pytestmark = pytest.mark.e2e


def _api(assistant, rasa_url: str, port: int, log_name: str) -> subprocess.Popen:
    env = {**assistant.env, "RASA_URL": rasa_url, "RASA_API_TOKEN": TOKEN, "RASA_TIMEOUT_SECONDS": "5"}
    LOGS.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "uvicorn"), "--factory", "api.main:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "debug"],
        cwd=REPO, env=env, stdout=(LOGS / log_name).open("a"), stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/bank/demo-customers", timeout=2)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the API did not start")


def _call(port: int, method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data, headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _user_events(assistant, conversation_id: str, message_id: int) -> int:
    events = assistant.tracker(conversation_id)["events"]
    return sum(1 for e in events if e.get("event") == "user" and (e.get("metadata") or {}).get("message_id") == message_id)


def _replies_after(database_url: str, conversation_id: str, message_id: int) -> list[str]:
    with session_factory(database_url)() as session:
        rows = session.scalars(select(ChatMessage).where(
            ChatMessage.conversation_id == conversation_id, ChatMessage.id > message_id).order_by(ChatMessage.id))
        return [m.text for m in rows if m.sender == "bot"]


def test_a_message_stored_when_the_api_died_is_answered_once_after_restart(assistant):
    hung = FailingRasa("hang")
    port = free_port()
    api = _api(assistant, hung.url, port, "api-killed.log")
    try:
        chat = _call(port, "POST", "/api/chat/conversations")
        sent = _call(port, "POST", "/api/chat/messages", {"text": "你是机器人吗", "client_id": "kill-1"}, chat["token"])
        deadline = time.monotonic() + 10
        while hung.requests == 0 and time.monotonic() < deadline:  # stored, leased, on its way to Rasa
            time.sleep(0.05)
        os.kill(api.pid, signal.SIGKILL)
        api.wait(timeout=10)
    finally:
        hung.stop()
    message_id = sent["message"]["id"]
    with session_factory(assistant.database_url)() as session:
        assert session.get(ChatMessage, message_id).forward_state == PENDING

    api = _api(assistant, assistant.rasa_url, port, "api-restarted.log")
    try:
        deadline = time.monotonic() + 90  # the dead process's lease runs out, then the sweep forwards it
        while not _replies_after(assistant.database_url, chat["conversation_id"], message_id):
            assert time.monotonic() < deadline, "the stored message was never answered"
            time.sleep(0.5)
        time.sleep(11)  # one more sweep: it must not send the message again
    finally:
        api.terminate()
        api.wait(timeout=30)
    replies = _replies_after(assistant.database_url, chat["conversation_id"], message_id)
    assert len(replies) == 1 and "不是真人" in replies[0]
    assert _user_events(assistant, chat["conversation_id"], message_id) == 1


def test_an_answer_rasa_gave_before_the_crash_is_read_back_not_asked_again(assistant, tmp_path):
    settings = load_api_settings(database_url=assistant.database_url, rasa_url=assistant.rasa_url,
                                 rasa_api_token=TOKEN, rasa_timeout_seconds=30.0, static_dir=tmp_path)
    with session_scope(session_factory(assistant.database_url)) as session:
        conversation = open_conversation(session, None)
        conversation_id = conversation.id
        message = ChatMessage(conversation_id=conversation_id, sender="customer", text="你是机器人吗",
                              forward_state=PENDING, forward_lease_until=utcnow() - timedelta(seconds=1),
                              created_at=utcnow() - timedelta(minutes=1))
        session.add(message)
        session.flush()
        message_id = message.id
    # the dead forwarder had reached Rasa, which answered; the answer never got stored
    assistant.say(conversation_id, "你是机器人吗", {"message_id": message_id})
    with TestClient(create_app(settings)):  # start-up sweeps at once
        deadline = time.monotonic() + 60
        while not _replies_after(assistant.database_url, conversation_id, message_id):
            assert time.monotonic() < deadline, "the answer was never stored"
            time.sleep(0.2)
    assert "不是真人" in _replies_after(assistant.database_url, conversation_id, message_id)[0]
    assert _user_events(assistant, conversation_id, message_id) == 1
    with session_factory(assistant.database_url)() as session:
        assert session.get(ChatMessage, message_id).forward_state == "done"
