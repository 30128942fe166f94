"""A Rasa instance that dies behind the balancer: the message goes to another one, answered once."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import select

from bot.data.db import session_factory
from bot.data.models import HandoffRequest
from tests.api.conftest import send, start_chat


class DyingThenHealthyRasa:
    """The first POST meets a dead instance (the balancer's 502); the tracker does not have the
    message; the next POST reaches a live instance that answers (or, `answer=[]`, answers nothing,
    as Rasa does when the action server dies in the middle of the turn's only action)."""

    def __init__(self, answer: list | None = None) -> None:
        answer = [{"recipient_id": "x", "text": "您好，我来帮您查一下。"}] if answer is None else answer
        self.calls: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _json(self, status: int, body: object) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(body).encode())

            def do_POST(self) -> None:  # noqa: N802
                self.rfile.read(int(self.headers["Content-Length"]))
                outer.calls.append("POST")
                if outer.calls.count("POST") == 1:
                    self._json(502, {"error": "bad gateway"})
                else:
                    self._json(200, answer)

            def do_GET(self) -> None:  # noqa: N802
                outer.calls.append("GET")
                self._json(200, {"events": [{"event": "action", "name": "action_listen"}]})

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_a_message_that_met_a_dead_instance_is_answered_by_another_once(make_client, database_url):
    rasa = DyingThenHealthyRasa()
    try:
        client = make_client(rasa_url=rasa.url)
        chat = start_chat(client, "C0001")
        assert send(client, chat, "我欠多少钱", "a").status_code == 202
        messages = client.get("/api/chat/messages", headers=chat.headers).json()["messages"]
        assert [(m["sender"], m["text"]) for m in messages] == [
            ("customer", "我欠多少钱"), ("bot", "您好，我来帮您查一下。")]
        assert rasa.calls == ["POST", "GET", "POST"]  # asked the tracker before sending again
        with session_factory(database_url)() as session:
            assert session.scalars(select(HandoffRequest)).all() == []  # no person needed
    finally:
        rasa.server.shutdown()


def test_an_empty_answer_is_never_silence(make_client, database_url):
    rasa = DyingThenHealthyRasa(answer=[])
    try:
        client = make_client(rasa_url=rasa.url)
        chat = start_chat(client, "C0001")
        assert send(client, chat, "逾期了会有什么后果", "a").status_code == 202
        messages = client.get("/api/chat/messages", headers=chat.headers).json()["messages"]
        assert [(m["sender"], m["text"]) for m in messages] == [
            ("customer", "逾期了会有什么后果"), ("system", "抱歉，智能助手暂时无法回复。您的消息已保存，人工客服会尽快跟进。")]
        with session_factory(database_url)() as session:
            assert len(session.scalars(select(HandoffRequest)).all()) == 1  # a person follows it up
    finally:
        rasa.server.shutdown()
