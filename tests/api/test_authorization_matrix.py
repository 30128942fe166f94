"""Who may call what: every route of the OpenAPI document and every socket, tried as every role.

The table below must name each route the app serves (a new route without a row fails the
first test). Each route is then called as anonymous, as the cardholder of the conversation,
as another cardholder, with a bank-site session, as the agent holding the conversation, as
another agent, as a supervisor and as a trainer: the intended callers are let through (any answer but
401/403), everyone else is refused with 401 or 403.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocketDisconnect

from api.main import create_app
from bot.data.db import session_factory, session_scope
from bot.data.models import Complaint
from bot.services.accounts import cardholder_by_customer_id
from bot.services.records import record_complaint
from tests.api.conftest import AGENT_PASSWORD, agent_headers, bank_token, bearer, queue_handoff, start_chat

ROLES = ("anonymous", "cardholder", "other_cardholder", "bank_session", "agent_holding", "agent_other", "supervisor",
         "trainer")
PUBLIC = frozenset(ROLES)
CARDHOLDERS = frozenset({"cardholder", "other_cardholder"})  # each with their own conversation's token
AGENTS = frozenset({"agent_holding", "agent_other", "supervisor"})
HOLDER = frozenset({"agent_holding"})
TRAINER = frozenset({"trainer"})  # never an agent's or a supervisor's: trainers change what the bot understands
SUPERVISOR = frozenset({"supervisor"})
TRAINER_ROUTES = [
    ("get", "/conversations"), ("get", "/conversations/{conversation_id}"),
    ("post", "/conversations/{conversation_id}/mark"), ("post", "/conversations/{conversation_id}/test-story"),
    ("get", "/intents"), ("post", "/examples/preview"), ("post", "/examples"), ("post", "/imports"),
    ("post", "/imports/handoffs"), ("get", "/imports"), ("post", "/imports/{item_id}/ignore"), ("get", "/checks"),
    ("post", "/evaluations"), ("get", "/evaluations/{job_id}"), ("get", "/evaluations/{job_id}/pictures/{name}.png"),
    ("post", "/training"), ("get", "/training/{job_id}"), ("get", "/models"), ("post", "/models/rollback"),
    ("post", "/models/{name}/activate"), ("get", "/audit"),
]

ALLOWED: dict[tuple[str, str], frozenset[str]] = {
    # operations: liveness and readiness for the load balancer; metrics open unless METRICS_TOKEN is set
    ("get", "/health"): PUBLIC,
    ("get", "/ready"): PUBLIC,
    ("get", "/metrics"): PUBLIC,
    ("post", "/api/bank/login"): PUBLIC,
    ("get", "/api/bank/demo-customers"): PUBLIC,
    ("post", "/api/chat/conversations"): frozenset({"anonymous", "bank_session"}),
    ("get", "/api/chat/messages"): CARDHOLDERS,
    ("post", "/api/chat/messages"): CARDHOLDERS,
    ("post", "/api/agent/login"): PUBLIC,
    ("get", "/api/agent/queue"): AGENTS,
    ("post", "/api/agent/handoffs/{handoff_id}/claim"): AGENTS,  # another agent gets 409, not the conversation
    ("post", "/api/agent/handoffs/{handoff_id}/assign"): frozenset({"supervisor"}),
    ("get", "/api/agent/conversations/{conversation_id}"): frozenset({"agent_holding", "supervisor"}),
    ("post", "/api/agent/conversations/{conversation_id}/messages"): HOLDER,
    ("post", "/api/agent/conversations/{conversation_id}/notes"): frozenset({"agent_holding", "supervisor"}),
    ("post", "/api/agent/conversations/{conversation_id}/release"): HOLDER,
    ("post", "/api/agent/conversations/{conversation_id}/close"): HOLDER,
    ("post", "/api/agent/conversations/{conversation_id}/promise"): HOLDER,
    ("post", "/api/agent/conversations/{conversation_id}/plan"): HOLDER,
    ("post", "/api/agent/conversations/{conversation_id}/dispute"): HOLDER,
    ("post", "/api/agent/complaints/{complaint_id}/resolve"): frozenset({"agent_holding", "supervisor"}),
    ("get", "/api/agent/agents"): frozenset({"supervisor"}),
    # agent assist: for whoever answers the cardholder, and supervisors; the tools for every agent
    ("get", "/api/agent/conversations/{conversation_id}/assist"): frozenset({"agent_holding", "supervisor"}),
    ("post", "/api/agent/conversations/{conversation_id}/check"): frozenset({"agent_holding", "supervisor"}),
    ("get", "/api/agent/conversations/{conversation_id}/wrap-up"): frozenset({"agent_holding", "supervisor"}),
    ("get", "/api/agent/calculator"): AGENTS,
    ("get", "/api/agent/knowledge"): AGENTS,
    ("get", "/api/agent/labels"): AGENTS,
    ("get", "/api/agent/assist-report"): frozenset({"supervisor"}),
    ("get", "/api/dashboard/figures"): SUPERVISOR,
    ("get", "/api/dashboard/contact-log.csv"): SUPERVISOR,
    **{(method, f"/api/trainer{path}"): TRAINER for method, path in TRAINER_ROUTES},
}
SOCKETS_ALLOWED = {"/api/chat/ws": CARDHOLDERS, "/api/agent/ws": AGENTS}

BODIES = {
    "/api/bank/login": {"customer_id": "C0001", "password": "demo-password"},
    "/api/agent/login": {"username": "agent1", "password": AGENT_PASSWORD},
    "/api/chat/messages": {"text": "你好", "client_id": "matrix"},
    "/assign": {"username": "agent2"},
    "/messages": {"text": "您好"},
    "/notes": {"text": "备注"},
    "/close": {"outcome": "resolved"},
    "/promise": {"amount": "500.00", "date": "2099-01-01"},
    "/plan": {"term_months": 12},
    "/dispute": {"description": "这笔消费不是我本人"},
    "/resolve": {"resolution": "已致歉并处理"},
    "/check": {"text": "您好"},
    "/mark": {"reviewed": True},
    "/examples/preview": {"text": "我是不会还钱的", "intent": "refuse_to_pay"},
    "/examples": {"text": "我是不会还钱的", "intent": "refuse_to_pay"},
    "/evaluations": {},
}
QUERIES = {"/checks": "?with_rasa=false", "/wrap-up": "?outcome=informed", "/calculator": "?amount=12680&term_months=12", "/knowledge": "?q=宽限期"}


@dataclass
class World:
    """Zhang's conversation, handed off and held by agent1; Li's conversation; one complaint."""

    client: object
    tokens: dict[str, str | None]
    conversation_id: str
    handoff_id: int
    complaint_id: int

    def headers(self, role: str) -> dict[str, str]:
        token = self.tokens[role]
        return bearer(token) if token else {}


@pytest.fixture
def world(client, settings, database_url) -> World:
    zhang, li = start_chat(client, "C0001"), start_chat(client, "C0002")
    handoff_id = queue_handoff(database_url, zhang.conversation_id, reason="complaint", customer_id="C0001")
    agents = {role: agent_headers(settings, name)["Authorization"][7:]
              for role, name in (("agent_holding", "agent1"), ("agent_other", "agent2"), ("supervisor", "super1"))}
    assert client.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=bearer(agents["agent_holding"])).status_code == 200
    with session_scope(session_factory(database_url)) as session:
        complaint = record_complaint(session, cardholder_by_customer_id(session, "C0001"), "attitude", "态度不好",
                                     False, zhang.conversation_id)
        complaint_id = complaint.id
    tokens = {"anonymous": None, "cardholder": zhang.token, "other_cardholder": li.token,
              "bank_session": bank_token(client, "C0003"), **agents,
              "trainer": agent_headers(settings, "trainer1")["Authorization"][7:]}
    return World(client, tokens, zhang.conversation_id, handoff_id, complaint_id)


def _documented(app) -> set[tuple[str, str]]:
    return {(method, path) for path, item in app.openapi()["paths"].items() for method in item}


def test_every_route_and_socket_has_a_row(settings):
    app = create_app(settings)
    assert _documented(app) == set(ALLOWED)
    sockets = {route.path for route in app.routes if isinstance(route, WebSocketRoute)}
    assert sockets == set(SOCKETS_ALLOWED)


@pytest.mark.parametrize("method, path", sorted(ALLOWED))
def test_only_the_intended_callers_get_through(world, method, path):
    url = (path.replace("{handoff_id}", str(world.handoff_id))
           .replace("{conversation_id}", world.conversation_id)
           .replace("{complaint_id}", str(world.complaint_id)).replace("{item_id}", "1")
           .replace("{job_id}", "train-none").replace("{name}.png", "intent_histogram.png")
           .replace("{name}", "wb-none.tar.gz"))
    url += next((query for suffix, query in QUERIES.items() if path.endswith(suffix)), "")
    body = next((b for suffix, b in BODIES.items() if path.endswith(suffix)), None)
    allowed = ALLOWED[(method, path)]
    # the refused first: a refusal changes nothing, an allowed call may (a close, a release)
    for role in sorted(ROLES, key=lambda r: r in allowed):
        kwargs = {"headers": world.headers(role)}
        if method == "post":
            kwargs["json"] = body
        status = world.client.request(method.upper(), url, **kwargs).status_code
        if role in allowed:
            assert status not in (401, 403), (role, method, path, status)
        else:
            assert status in (401, 403), (role, method, path, status)


@pytest.mark.parametrize("path", sorted(SOCKETS_ALLOWED))
def test_only_the_intended_callers_open_a_socket(world, path):
    for role in ROLES:
        with world.client.websocket_connect(path) as ws:
            ws.send_json({"type": "auth", "token": world.tokens[role] or ""})
            if role in SOCKETS_ALLOWED[path]:
                assert ws.receive_json()["type"] in ("message", "state", "queue"), role
                continue
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            assert closed.value.code == 4401, role


def test_an_agent_sees_no_complaint_of_a_conversation_they_do_not_hold(world):
    refused = world.client.post(f"/api/agent/complaints/{world.complaint_id}/resolve",
                                headers=world.headers("agent_other"), json=BODIES["/resolve"])
    assert refused.status_code == 403
    with session_factory(world.client.app.state.settings.database_url)() as session:
        assert session.get(Complaint, world.complaint_id).resolution is None
