"""The handoff lifecycle and who may touch a conversation: claim, talk, notes, outcomes, release, close."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from bot.clock import bank_today
from bot.data.db import session_factory, session_scope
from bot.data.models import CaseStatus, Complaint, ContactLog, InstallmentPlanRecord, PromiseToPay
from bot.services.conversations import NOTICE_ASSISTANT_UNAVAILABLE
from bot.services.records import record_complaint
from tests.api.conftest import agent_headers, chat_socket, desk_socket, handoff_row, queue_handoff, send, start_chat


def error_code(response) -> str:
    return response.json()["detail"]["code"]


@pytest.fixture
def headers(settings):
    return {name: agent_headers(settings, name) for name in ("agent1", "agent2", "super1")}


@pytest.fixture
def queued(client, database_url):
    """Zhang (signed in) asked for a person; the bot queued the conversation as actions/handoff.py does."""
    chat = start_chat(client, "C0001")
    handoff_id = queue_handoff(database_url, chat.conversation_id, reason="complaint", customer_id="C0001",
                               texts=["你们太过分了", "我的卡号6222021234566217"])
    return chat, handoff_id


def next_frame(ws, kind: str) -> dict:
    while (frame := ws.receive_json())["type"] != kind:
        pass
    return frame


def claim(client, headers, handoff_id, who="agent1"):
    return client.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=headers[who])


def test_queue_lists_waiting_handoffs_most_urgent_first(client, database_url, headers, queued):
    chat, complaint_id = queued
    other = start_chat(client)
    requested_id = queue_handoff(database_url, other.conversation_id, reason="requested")
    items = client.get("/api/agent/queue", headers=headers["agent1"]).json()["items"]
    assert [i["handoff_id"] for i in items] == [complaint_id, requested_id]
    first = items[0]
    assert first["status"] == "waiting" and first["reason"] == "complaint" and first["verified"] is True
    assert first["customer_masked"] == "张*" and first["total_due"] == "12,965.30" and first["sentiment"] == "negative"
    assert first["assigned_agent"] is None and first["callback"] is False and first["waiting_seconds"] >= 0
    assert first["reference"].startswith("HND") and first["conversation_id"] == chat.conversation_id


def test_claim_then_double_claim(client, headers, queued, database_url):
    chat, handoff_id = queued
    claimed = claim(client, headers, handoff_id)
    assert claimed.status_code == 200
    detail = claimed.json()["conversation"]
    assert detail["state"] == {"mode": "agent", "queue_position": None, "estimated_wait_minutes": None,
                               "agent_name": "客服小李"}
    assert detail["handoff"]["status"] == "claimed" and detail["handoff"]["assigned_agent"] == "agent1"
    assert detail["summary"]["reason"] == "complaint" and detail["messages"][-1]["text"] == "人工客服客服小李已加入对话"
    # someone else cannot take it; the holder claiming again changes nothing
    taken = claim(client, headers, handoff_id, "agent2")
    assert taken.status_code == 409 and error_code(taken) == "already_claimed"
    assert claim(client, headers, handoff_id).status_code == 200
    messages = client.get("/api/chat/messages", headers=chat.headers).json()["messages"]
    assert [m["text"] for m in messages].count("人工客服客服小李已加入对话") == 1
    assert handoff_row(database_url, handoff_id).claimed_at is not None
    assert claim(client, headers, 999_999).status_code == 404


def test_agents_see_waiting_and_their_own_supervisors_see_all(client, headers, queued, database_url):
    _chat, handoff_id = queued
    claim(client, headers, handoff_id)
    assert [i["handoff_id"] for i in client.get("/api/agent/queue", headers=headers["agent2"]).json()["items"]] == []
    mine = client.get("/api/agent/queue", headers=headers["agent1"]).json()["items"]
    assert [(i["handoff_id"], i["status"]) for i in mine] == [(handoff_id, "claimed")]
    everything = client.get("/api/agent/queue", headers=headers["super1"]).json()["items"]
    assert [(i["handoff_id"], i["assigned_agent"]) for i in everything] == [(handoff_id, "agent1")]
    agents = client.get("/api/agent/agents", headers=headers["super1"]).json()["items"]
    assert {a["username"]: a["active_conversations"] for a in agents} == {"agent1": 1, "agent2": 0, "super1": 0}


def test_only_the_holder_writes(client, headers, queued):
    chat, handoff_id = queued
    path = f"/api/agent/conversations/{chat.conversation_id}"
    # before anyone holds it, nobody can write, though an agent may look at a waiting conversation
    assert client.post(f"{path}/messages", headers=headers["agent1"], json={"text": "您好"}).status_code == 403
    assert client.get(path, headers=headers["agent2"]).status_code == 200
    claim(client, headers, handoff_id)
    for action, body in (("messages", {"text": "您好"}), ("notes", {"text": "备注"}), ("release", None),
                         ("close", {"outcome": "x"}), ("promise", {"amount": "100", "date": str(bank_today())}),
                         ("plan", {"term_months": 12}), ("dispute", {"description": "不认这笔"})):
        refused = client.post(f"{path}/{action}", headers=headers["agent2"], json=body)
        assert refused.status_code == 403 and error_code(refused) == "not_assigned", action
    # another agent cannot even read it once it is held; a supervisor can
    assert error_code(client.get(path, headers=headers["agent2"])) == "not_visible"
    assert client.get(path, headers=headers["super1"]).status_code == 200
    # a supervisor who does not hold it does not write to the cardholder either
    assert client.post(f"{path}/messages", headers=headers["super1"], json={"text": "您好"}).status_code == 403


def test_live_chat_between_agent_and_cardholder(client, headers, queued):
    chat, handoff_id = queued
    claim(client, headers, handoff_id)
    with desk_socket(client, headers['agent1']['Authorization'][7:]) as desk, \
            chat_socket(client, chat.token) as widget:
        assert desk.receive_json()["type"] == "queue"
        while widget.receive_json()["type"] != "state":
            pass
        widget.send_json({"type": "typing", "on": True})
        assert desk.receive_json() == {"type": "typing", "conversation_id": chat.conversation_id, "on": True}
        widget.send_json({"type": "message", "text": "我的手机13800006217", "client_id": "k1"})
        pushed = desk.receive_json()
        assert pushed["type"] == "message" and pushed["message"]["text"] == "我的手机138****6217"  # masked for agents
        assert widget.receive_json()["message"]["text"] == "我的手机13800006217"  # the cardholder's own words
        assert widget.receive_json()["type"] == "ack"
        desk.send_json({"type": "typing", "conversation_id": chat.conversation_id, "on": True})
        assert widget.receive_json() == {"type": "typing", "who": "agent", "on": True}
        sent = client.post(f"/api/agent/conversations/{chat.conversation_id}/messages", headers=headers["agent1"],
                           json={"text": "您好，我来帮您处理"})
        assert sent.status_code == 200
        frame = widget.receive_json()
        assert frame["message"]["sender"] == "agent" and frame["message"]["agent_name"] == "客服小李"
        assert next_frame(desk, "message")["message"]["id"] == frame["message"]["id"]  # assist frames may come between


def test_notes_stay_internal_and_personal_data_is_masked(client, headers, queued):
    chat, handoff_id = queued
    claim(client, headers, handoff_id)
    path = f"/api/agent/conversations/{chat.conversation_id}"
    note = client.post(f"{path}/notes", headers=headers["agent1"], json={"text": "客户情绪激动，身份证11010519851203121X"})
    assert note.status_code == 200
    assert note.json()["note"]["agent"] == "agent1" and "11010519851203121X" not in note.json()["note"]["text"]
    assert client.post(f"{path}/notes", headers=headers["super1"], json={"text": "主管已知悉"}).status_code == 200
    detail = client.get(path, headers=headers["agent1"]).json()
    assert [n["agent"] for n in detail["notes"]] == ["agent1", "super1"]
    cardholder_view = client.get("/api/chat/messages", headers=chat.headers).json()["messages"]
    assert not any("情绪" in m["text"] or "主管" in m["text"] for m in cardholder_view)
    send(client, chat, "卡号6222021234566217", "p")
    agent_texts = [m["text"] for m in client.get(path, headers=headers["agent1"]).json()["messages"]]
    assert "卡号**** **** **** 6217" in agent_texts and not any("622202123456" in t for t in agent_texts)
    assert detail["summary"]["customer"] == {"customer_id": "C0001", "name": "张*"}


def test_outcomes_use_the_bots_rules(client, headers, queued, database_url):
    chat, handoff_id = queued
    claim(client, headers, handoff_id)
    path = f"/api/agent/conversations/{chat.conversation_id}"
    promised = bank_today() + timedelta(days=3)
    ok = client.post(f"{path}/promise", headers=headers["agent1"], json={"amount": "3000.00", "date": str(promised)})
    assert ok.status_code == 200
    assert ok.json()["reference"].startswith("PTP") and ok.json()["amount"] == "3,000.00"
    assert ok.json()["below_minimum"] is False and ok.json()["date"] == str(promised)
    for body, code in (({"amount": "0", "date": str(promised)}, "not_positive"),
                       ({"amount": "100", "date": str(bank_today() - timedelta(days=1))}, "in_past"),
                       ({"amount": "100", "date": str(bank_today() + timedelta(days=365))}, "too_far")):
        refused = client.post(f"{path}/promise", headers=headers["agent1"], json=body)
        assert refused.status_code == 422 and error_code(refused) == code
    plan = client.post(f"{path}/plan", headers=headers["agent1"], json={"term_months": 12}).json()
    assert plan["reference"].startswith("INS") and plan["monthly_payment"] == "1,140.35" and plan["annual_rate"] == "14.31%"
    assert error_code(client.post(f"{path}/plan", headers=headers["agent1"], json={"term_months": 7})) == "invalid_term"
    dispute = client.post(f"{path}/dispute", headers=headers["agent1"], json={"description": "5月3日那笔消费不是我"})
    assert dispute.json()["reference"].startswith("DSP")
    with session_factory(database_url)() as session:
        promise = session.scalars(select(PromiseToPay).where(PromiseToPay.conversation_id == chat.conversation_id)).one()
        assert promise.created_by == "agent1"
        assert session.scalars(select(InstallmentPlanRecord)).one().created_by == "agent1"
        log = session.scalars(select(ContactLog).where(ContactLog.conversation_id == chat.conversation_id)).one()
        assert log.outcome == "plan_booked" and log.verified


def test_outcomes_need_a_verified_cardholder(client, headers, database_url):
    chat = start_chat(client)  # anonymous, never verified
    handoff_id = queue_handoff(database_url, chat.conversation_id)
    claim(client, headers, handoff_id)
    refused = client.post(f"/api/agent/conversations/{chat.conversation_id}/plan", headers=headers["agent1"],
                          json={"term_months": 12})
    assert refused.status_code == 409 and error_code(refused) == "customer_not_verified"


def test_complaint_resolution(client, headers, queued, database_url):
    chat, handoff_id = queued
    with session_scope(session_factory(database_url)) as session:
        complaint = record_complaint(session, None, "attitude", "态度不好", False, chat.conversation_id)
        complaint_id, reference = complaint.id, complaint.reference
    path = f"/api/agent/complaints/{complaint_id}/resolve"
    assert error_code(client.post(path, headers=headers["agent1"], json={"resolution": "已道歉"})) == "not_assigned"
    claim(client, headers, handoff_id)
    detail = client.get(f"/api/agent/conversations/{chat.conversation_id}", headers=headers["agent1"]).json()
    assert detail["summary"]["complaints"] == [{"id": complaint_id, "reference": reference, "category": "attitude",
                                                "status": "open"}]
    resolved = client.post(path, headers=headers["agent1"], json={"resolution": "已向客户道歉并核实"})
    assert resolved.status_code == 200 and resolved.json() == {"reference": reference}
    by_reference = client.post(f"/api/agent/complaints/{reference}/resolve", headers=headers["super1"],
                               json={"resolution": "主管复核"})
    assert by_reference.status_code == 200
    with session_factory(database_url)() as session:
        stored = session.get(Complaint, complaint_id)
        assert stored.status == CaseStatus.RESOLVED and stored.resolution == "主管复核"
    assert client.post("/api/agent/complaints/424242/resolve", headers=headers["super1"],
                       json={"resolution": "x"}).status_code == 404


def test_supervisor_reassigns(client, headers, queued):
    chat, handoff_id = queued
    claim(client, headers, handoff_id)
    moved = client.post(f"/api/agent/handoffs/{handoff_id}/assign", headers=headers["super1"], json={"username": "agent2"})
    assert moved.status_code == 200 and moved.json()["assigned_agent"] == "agent2" and moved.json()["status"] == "claimed"
    path = f"/api/agent/conversations/{chat.conversation_id}"
    assert client.post(f"{path}/messages", headers=headers["agent1"], json={"text": "还在吗"}).status_code == 403
    assert client.post(f"{path}/messages", headers=headers["agent2"], json={"text": "我是小王"}).status_code == 200
    state = client.get("/api/chat/messages", headers=chat.headers).json()["state"]
    assert state["agent_name"] == "客服小王"
    unknown = client.post(f"/api/agent/handoffs/{handoff_id}/assign", headers=headers["super1"], json={"username": "ghost"})
    assert unknown.status_code == 404 and error_code(unknown) == "agent_not_found"


def test_release_needs_rasa_and_changes_nothing_without_it(client, headers, queued):
    """RASA_URL is a closed port: the bot cannot be resumed, so the agent keeps the conversation."""
    chat, handoff_id = queued
    claim(client, headers, handoff_id)
    refused = client.post(f"/api/agent/conversations/{chat.conversation_id}/release", headers=headers["agent1"])
    assert refused.status_code == 503 and error_code(refused) == "assistant_unavailable"
    assert client.get("/api/chat/messages", headers=chat.headers).json()["state"]["mode"] == "agent"
    assert client.post(f"/api/agent/conversations/{chat.conversation_id}/release",
                       headers=headers["agent2"]).status_code == 403


def test_close_ends_the_conversation(client, headers, queued, database_url):
    chat, handoff_id = queued
    claim(client, headers, handoff_id)
    closed = client.post(f"/api/agent/conversations/{chat.conversation_id}/close", headers=headers["agent1"],
                         json={"outcome": "promise_recorded"})
    assert closed.json() == {"state": {"mode": "closed", "queue_position": None, "estimated_wait_minutes": None,
                                       "agent_name": None}}
    row = handoff_row(database_url, handoff_id)
    assert row.status == "closed" and row.outcome == "promise_recorded" and row.closed_at is not None
    assert client.get("/api/agent/queue", headers=headers["super1"]).json()["items"] == []
    again = claim(client, headers, handoff_id, "agent2")
    assert again.status_code == 409 and error_code(again) == "handoff_closed"
    assert client.post(f"/api/agent/conversations/{chat.conversation_id}/messages", headers=headers["agent1"],
                       json={"text": "再见"}).status_code == 403


def test_waiting_cardholders_see_their_place_move(client, headers, database_url):
    first, second = start_chat(client), start_chat(client)
    first_id = queue_handoff(database_url, first.conversation_id, reason="complaint")
    queue_handoff(database_url, second.conversation_id, reason="requested")
    # the gateway puts a conversation into "waiting" when the bot's reply carries the handoff;
    # here Rasa is down, which queues it the same way
    send(client, second, "人呢", "s")
    with chat_socket(client, second.token) as widget, \
            desk_socket(client, headers['agent1']['Authorization'][7:]) as desk:
        frames = [widget.receive_json() for _ in range(3)]
        assert [f["type"] for f in frames] == ["message", "message", "state"]
        assert frames[1]["message"]["text"] == NOTICE_ASSISTANT_UNAVAILABLE
        assert frames[2]["state"]["queue_position"] == 1 and frames[2]["state"]["estimated_wait_minutes"] == 2
        assert len(desk.receive_json()["items"]) == 2
        claim(client, headers, first_id)
        assert widget.receive_json()["state"]["queue_position"] == 0
        joined, queue_frame = desk.receive_json(), desk.receive_json()  # agent1 now holds the first one
        assert joined["message"]["conversation_id"] == first.conversation_id and queue_frame["type"] == "queue"
        # the second was already queued as "requested"; Rasa being down refreshed that same request
        assert [(i["reason"], i["status"]) for i in queue_frame["items"]] == [("complaint", "claimed"),
                                                                             ("requested", "waiting")]


def test_console_socket_checks_its_token_and_shows_supervisors_everything(client, headers):
    chat = start_chat(client, "C0002")
    with desk_socket(client, chat.token) as refused:  # a cardholder's token
        with pytest.raises(WebSocketDisconnect) as closed:
            refused.receive_json()
    assert closed.value.code == 4401
    with desk_socket(client, headers['super1']['Authorization'][7:]) as desk:
        assert desk.receive_json() == {"type": "queue", "items": []}
        send(client, chat, "李娜的手机13900008848", "s1")  # Rasa is down here: the notice follows
        seen = [desk.receive_json() for _ in range(2)]
        assert [f["message"]["sender"] for f in seen] == ["customer", "system"]
        assert seen[0]["message"]["text"] == "李娜的手机139****8848"
        assert desk.receive_json()["type"] == "queue"
