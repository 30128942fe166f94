"""Several gateway instances on one database and one Redis: live frames reach every instance.

Two apps stand for two instances behind nginx (the cardholder on A, the agent on B). They use
the real Redis at 127.0.0.1:6379 with a channel prefix of the test's own, so parallel runs do
not hear each other. An outage is made with a small TCP proxy in front of the real Redis.
"""
from __future__ import annotations

import json
import queue
import socket
import threading
import time
import uuid
from typing import Callable, Iterator

import pytest
from starlette.websockets import WebSocketDisconnect

from api.services import fanout
from tests.api.conftest import agent_headers, chat_socket, desk_socket, queue_handoff, send, start_chat

REDIS = ("127.0.0.1", 6379)
CLOSE_TRY_AGAIN = 1013


def receive_within(ws, seconds: float = 10.0) -> dict:
    """The socket's next frame; the test fails instead of hanging when none comes."""
    try:
        message = ws._send_queue.get(timeout=seconds)  # what the app sent to this test socket
    except queue.Empty:
        pytest.fail(f"no frame within {seconds}s")
    if isinstance(message, BaseException):
        raise message
    ws._raise_on_close(message)
    return json.loads(message["text"])


def frames_until(ws, last: Callable[[dict], bool], seconds: float = 10.0) -> list[dict]:
    """Every frame up to and including the first one `last` accepts."""
    frames = [receive_within(ws, seconds)]
    while not last(frames[-1]):
        frames.append(receive_within(ws, seconds))
    return frames


def typing_off(frame: dict) -> bool:
    return frame["type"] == "typing" and frame["on"] is False


@pytest.fixture
def redis_settings() -> dict:
    return {"redis_url": "redis://{}:{}/0".format(*REDIS), "redis_channel_prefix": f"test-{uuid.uuid4().hex}",
            "typing_interval_seconds": 0.0}


@pytest.fixture
def instances(make_client, redis_settings):
    """Instance A and instance B."""
    return make_client(**redis_settings), make_client(**redis_settings)


def test_cardholder_on_one_instance_and_agent_on_another_see_each_other_live_once(instances, settings, database_url):
    a, b = instances
    chat = start_chat(a, "C0001")
    handoff_id = queue_handoff(database_url, chat.conversation_id, reason="complaint", customer_id="C0001")
    agent = agent_headers(settings, "agent1")
    assert b.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=agent).status_code == 200
    with chat_socket(a, chat.token) as widget, desk_socket(b, agent["Authorization"][7:]) as desk:
        assert receive_within(desk)["type"] == "queue"
        replayed = frames_until(widget, lambda f: f["type"] == "state")
        assert replayed[-1]["state"]["mode"] == "agent"

        widget.send_json({"type": "typing", "on": True})
        widget.send_json({"type": "message", "text": "我的手机13800006217", "client_id": "k1"})
        widget_frames = frames_until(widget, lambda f: f["type"] == "ack")
        desk.send_json({"type": "typing", "conversation_id": chat.conversation_id, "on": True})
        reply = b.post(f"/api/agent/conversations/{chat.conversation_id}/messages", headers=agent,
                       json={"text": "您好，我来帮您处理"})
        assert reply.status_code == 200
        # each side ends with a "typing off" from the other: everything before it came exactly once
        desk.send_json({"type": "typing", "conversation_id": chat.conversation_id, "on": False})
        widget_frames += frames_until(widget, typing_off)
        widget.send_json({"type": "typing", "on": False})
        desk_frames = frames_until(desk, typing_off)
    # views that are sent whole each time may come again (the claim's state frame may reach A after
    # the widget joined; assist follows each message): only messages and typing are counted
    widget_frames = [f for f in widget_frames if f["type"] != "state"]
    desk_frames = [f for f in desk_frames if f["type"] not in ("assist", "queue")]

    def messages(frames: list[dict], sender: str) -> list[dict]:
        return [f["message"] for f in frames if f["type"] == "message" and f["message"]["sender"] == sender]

    assert [m["text"] for m in messages(widget_frames, "customer")] == ["我的手机13800006217"]  # their own words
    assert [m["text"] for m in messages(widget_frames, "agent")] == ["您好，我来帮您处理"]
    assert sorted(f["type"] for f in widget_frames) == ["ack", "message", "message", "typing", "typing"]
    assert [f.get("on") for f in widget_frames if f["type"] == "typing"] == [True, False]

    assert sorted(f["type"] for f in desk_frames) == ["message", "message", "typing", "typing"]
    assert [m["text"] for m in messages(desk_frames, "customer")] == ["我的手机138****6217"]  # masked for agents
    assert [m["id"] for m in messages(desk_frames, "customer")] == [m["id"] for m in messages(widget_frames, "customer")]
    assert [m["id"] for m in messages(desk_frames, "agent")] == [m["id"] for m in messages(widget_frames, "agent")]
    assert [f["on"] for f in desk_frames if f["type"] == "typing"] == [True, False]


def test_a_handoff_queued_on_one_instance_appears_on_the_desks_of_another(instances, settings):
    a, b = instances
    supervisor = agent_headers(settings, "super1")
    with desk_socket(b, supervisor["Authorization"][7:]) as desk:
        assert receive_within(desk) == {"type": "queue", "items": []}
        chat = start_chat(a, "C0002")
        send(a, chat, "人呢", "s1")  # Rasa is down here: instance A queues the conversation for a person
        frames = frames_until(desk, lambda f: f["type"] == "queue" and f["items"])
    assert [f["message"]["sender"] for f in frames if f["type"] == "message"] == ["customer", "system"]
    assert [item["conversation_id"] for item in frames[-1]["items"]] == [chat.conversation_id]


def test_without_redis_url_frames_stay_in_the_process(client):
    assert client.app.state.fanout is None  # the other tests of tests/api show the frames still arrive


class RedisCable:
    """A TCP proxy to the real Redis that the test can cut and mend, as a network outage would."""

    def __init__(self) -> None:
        self.port = _free_port()
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self.mend()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def mend(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            doomed, self._sockets = [*self._sockets, self._listener], []
        for sock in doomed:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(REDIS)
            with self._lock:
                self._sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=_pipe, args=(source, target), daemon=True).start()


def _pipe(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    for sock in (source, target):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cable() -> Iterator[RedisCable]:
    proxy = RedisCable()
    yield proxy
    proxy.cut()


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def redis_ready(instance) -> bool:
    return instance.get("/ready").json()["checks"]["redis"]["ok"]


def test_after_a_redis_outage_sockets_reconnect_and_are_replayed_what_they_missed(
        make_client, redis_settings, settings, database_url, cable, monkeypatch):
    monkeypatch.setattr(fanout, "FIRST_RETRY_SECONDS", 0.1)
    monkeypatch.setattr(fanout, "LONGEST_RETRY_SECONDS", 0.3)
    a, b = (make_client(**{**redis_settings, "redis_url": cable.url}) for _ in range(2))
    chat = start_chat(a, "C0001")
    handoff_id = queue_handoff(database_url, chat.conversation_id, customer_id="C0001")
    agent = agent_headers(settings, "agent1")
    assert b.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=agent).status_code == 200
    path = f"/api/agent/conversations/{chat.conversation_id}/messages"
    with chat_socket(a, chat.token) as widget:
        last_id = max(f["message"]["id"] for f in frames_until(widget, lambda f: f["type"] == "state")
                      if f["type"] == "message")

        cable.cut()
        wait_for(lambda: not redis_ready(a))
        assert a.get("/ready").status_code == 503
        assert b.post(path, headers=agent, json={"text": "断线时的回复"}).status_code == 200  # stored, not seen live

        cable.mend()
        with pytest.raises(WebSocketDisconnect) as closed:
            frames_until(widget, lambda f: False)
        assert closed.value.code == CLOSE_TRY_AGAIN
    wait_for(lambda: redis_ready(a) and redis_ready(b))

    with chat_socket(a, chat.token, after=last_id) as widget:
        replayed = frames_until(widget, lambda f: f["type"] == "state")
        assert [f["message"]["text"] for f in replayed if f["type"] == "message"] == ["断线时的回复"]
        assert b.post(path, headers=agent, json={"text": "恢复后的回复"}).status_code == 200
        assert receive_within(widget)["message"]["text"] == "恢复后的回复"  # live again, through Redis
