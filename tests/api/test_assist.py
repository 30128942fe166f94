"""Agent assist through the API: the guard on the agent's replies, suggestions recorded, live assist
frames for the holder and supervisors only, the calculator, knowledge, labels and the wrap-up."""
from __future__ import annotations

from datetime import timedelta

import pytest
import yaml
from sqlalchemy import select

from bot.clock import bank_today
from bot.data.db import session_factory
from bot.data.models import AssistEvent, ChatMessage, ContactLog
from tests.api.conftest import agent_headers, chat_socket, desk_socket, queue_handoff, send, start_chat
from tests.api.test_handoffs import next_frame
from tests.domain_files import REPO


@pytest.fixture
def headers(settings):
    return {name: agent_headers(settings, name) for name in ("agent1", "agent2", "super1")}


@pytest.fixture
def held(client, database_url, headers):
    """Zhang (signed in, C0001) asked for a person and agent1 took the conversation."""
    chat = start_chat(client, "C0001")
    handoff_id = queue_handoff(database_url, chat.conversation_id, reason="hardship", customer_id="C0001",
                               texts=["我最近失业了", "还不上"])
    assert client.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=headers["agent1"]).status_code == 200
    return chat


def events(database_url, conversation_id):
    with session_factory(database_url)() as session:
        rows = session.scalars(select(AssistEvent).where(AssistEvent.conversation_id == conversation_id)
                               .order_by(AssistEvent.id))
        return [(e.kind, e.action, e.item) for e in rows]


def reply(client, headers, chat, text, **extra):
    return client.post(f"/api/agent/conversations/{chat.conversation_id}/messages", headers=headers["agent1"],
                       json={"text": text, **extra})


def agent_messages(database_url, conversation_id):
    with session_factory(database_url)() as session:
        return list(session.scalars(select(ChatMessage.text).where(
            ChatMessage.conversation_id == conversation_id, ChatMessage.sender == "agent")))


def test_a_threat_is_blocked_with_the_reason_and_a_rewording_and_never_reaches_the_cardholder(client, database_url,
                                                                                           headers, held):
    refused = reply(client, headers, held, "你再不还钱我们就起诉你。今天能还多少？", confirmed=True)
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert detail["code"] == "reply_blocked" and detail["check"]["verdict"] == "block"
    assert detail["check"]["reasons"] and "威胁" in detail["check"]["reasons"][0]
    rewording = detail["check"]["rewording"]
    assert "起诉你" not in rewording and rewording.endswith("今天能还多少？")
    assert agent_messages(database_url, held.conversation_id) == []  # confirming does not override a block
    sent = reply(client, headers, held, rewording)
    assert sent.status_code == 200 and sent.json()["check"]["verdict"] == "ok"
    assert agent_messages(database_url, held.conversation_id) == [rewording]
    assert ("guard", "blocked", "threat") in events(database_url, held.conversation_id)


def test_a_warning_is_sent_only_once_confirmed_and_the_override_is_recorded(client, database_url, headers, held):
    first = reply(client, headers, held, "您放心，不会坐牢的。")
    assert first.status_code == 409 and first.json()["detail"]["code"] == "reply_needs_confirmation"
    assert agent_messages(database_url, held.conversation_id) == []
    assert reply(client, headers, held, "您放心，不会坐牢的。", confirmed=True).status_code == 200
    assert [e[1] for e in events(database_url, held.conversation_id) if e[0] == "guard"] == ["warned", "overridden"]
    report = client.get("/api/agent/assist-report", headers=headers["super1"]).json()
    assert [(g["agent"], g["action"], g["rules"]) for g in report["guard"]] == [
        ("agent1", "overridden", ["categorical"]), ("agent1", "warned", ["categorical"])]


def test_full_numbers_are_blocked_and_the_rewording_masks_them(client, headers, held):
    refused = reply(client, headers, held, "您的卡号6222021234566217已经冻结。")
    check = refused.json()["detail"]["check"]
    assert refused.status_code == 422 and "6222021234566217" not in str(check)


def test_live_assist_goes_to_the_holder_and_supervisors_and_suggestions_are_measured(client, database_url, headers,
                                                                                     held):
    token = {name: h["Authorization"][7:] for name, h in headers.items()}
    with desk_socket(client, token["agent1"]) as holder, desk_socket(client, token["super1"]) as supervisor, \
            desk_socket(client, token["agent2"]) as other, chat_socket(client, held.token) as widget:
        for ws in (holder, supervisor, other):
            assert ws.receive_json()["type"] == "queue"
        while widget.receive_json()["type"] != "state":
            pass
        assert send(client, held, "我每月只能还1200").status_code == 202
        frame = next_frame(holder, "assist")["assist"]
        assert frame["conversation_id"] == held.conversation_id and 2 <= len(frame["suggestions"]) <= 3
        assert next_frame(supervisor, "assist")["assist"]["message_id"] == frame["message_id"]
        # the other agent: a later queue change arrives, and nothing of this conversation's assist before it
        li = start_chat(client, "C0002")
        claimed = client.post(f"/api/agent/handoffs/{queue_handoff(database_url, li.conversation_id)}/claim",
                              headers=headers["agent2"])
        assert claimed.status_code == 200
        seen = []
        while (seen_frame := other.receive_json())["type"] != "queue":
            seen.append(seen_frame["type"])
        assert "assist" not in seen
    chosen = frame["suggestions"][0]
    assert reply(client, headers, held, chosen["text"], suggestion_id=chosen["id"],
                 suggestion_text=chosen["text"]).status_code == 200
    recorded = events(database_url, held.conversation_id)
    assert ("suggestion", "used", chosen["id"]) in recorded
    ignored = {item for kind, action, item in recorded if action == "ignored"}
    assert ignored == {s["id"] for s in frame["suggestions"][1:]}
    figures = {s["id"]: s for s in client.get("/api/agent/assist-report", headers=headers["super1"]).json()["suggestions"]}
    assert figures[chosen["id"]]["used"] == 1 and figures[chosen["id"]]["shown"] >= 1


def test_an_edited_suggestion_is_recorded_as_edited(client, database_url, headers, held):
    send(client, held, "我想分期")
    offered = client.get(f"/api/agent/conversations/{held.conversation_id}/assist", headers=headers["agent1"]).json()
    chosen = offered["suggestions"][0]
    assert reply(client, headers, held, chosen["text"] + "您看可以吗？", suggestion_id=chosen["id"],
                 suggestion_text=chosen["text"]).status_code == 200
    assert ("suggestion", "edited", chosen["id"]) in events(database_url, held.conversation_id)


def test_assist_on_request_reads_the_latest_message_without_rasa(client, headers, held):
    send(client, held, "能不能分期")
    got = client.get(f"/api/agent/conversations/{held.conversation_id}/assist", headers=headers["agent1"])
    assert got.status_code == 200
    body = got.json()
    assert body["reading"] is None  # the model is not running here: no guess at the intent
    assert body["offer"]["kind"] in ("ask_budget", "promise", "installment", "personalized")
    assert client.get(f"/api/agent/conversations/{held.conversation_id}/assist",
                      headers=headers["agent2"]).status_code == 403


@pytest.mark.parametrize("term, monthly, fee, rate", [(3, "4,321.77", "285.30", "13.45%"),
                                                      (12, "1,140.35", "1,004.26", "14.31%")])
def test_the_calculator_gives_the_domain_check_values_and_a_disclosure(client, headers, term, monthly, fee, rate):
    got = client.get(f"/api/agent/calculator?amount=12680&term_months={term}", headers=headers["agent2"]).json()
    assert (got["monthly_payment"], got["total_fee"], got["annual_rate"]) == (monthly, fee, rate)
    assert monthly in got["disclosure"] and rate in got["disclosure"]


@pytest.mark.parametrize("query", ["amount=12680&term_months=18", "amount=0&term_months=12", "amount=abc&term_months=3"])
def test_the_calculator_refuses_what_the_rules_do_not_offer(client, headers, query):
    assert client.get(f"/api/agent/calculator?{query}", headers=headers["agent1"]).status_code == 422


@pytest.mark.parametrize("query, expected", [("宽限期有几天", "宽限期"), ("卡被盗刷怎么冻结", "冻结"),
                                             ("会不会坐牢", "恶意透支"), ("征信保留多久", "5年")])
def test_knowledge_finds_the_rule(client, headers, query, expected):
    items = client.get("/api/agent/knowledge", params={"q": query}, headers=headers["agent1"]).json()["items"]
    assert items and expected in items[0]["text"], items[:2]
    assert all("{" not in item["text"] for item in items)


def test_labels_name_every_intent_of_the_assistant(client, headers):
    labels = client.get("/api/agent/labels", headers=headers["agent1"]).json()
    domain = yaml.safe_load((REPO / "domain.yml").read_text(encoding="utf-8"))
    assert set(domain["intents"]) <= set(labels["intents"])
    assert {"threat", "personal_data", "categorical"} <= set(labels["guard_reasons"])


def test_the_wrap_up_note_is_drafted_confirmed_and_kept_in_the_contact_log(client, database_url, headers, held):
    path = f"/api/agent/conversations/{held.conversation_id}"
    promised = (bank_today() + timedelta(days=5)).isoformat()
    promise = client.post(f"{path}/promise", headers=headers["agent1"], json={"amount": "1268.00", "date": promised})
    assert promise.status_code == 200
    reference = promise.json()["reference"]
    note = client.get(f"{path}/wrap-up?outcome=promise_recorded", headers=headers["agent1"]).json()["note"]
    assert note.startswith("结果：已登记还款承诺") and reference in note and "1,268.00" in note and "下一步" in note
    closed = client.post(f"{path}/close", headers=headers["agent1"],
                         json={"outcome": "promise_recorded", "note": note + "\n客户手机13812345678"})
    assert closed.status_code == 200
    with session_factory(database_url)() as session:
        entry = session.scalar(select(ContactLog).where(ContactLog.conversation_id == held.conversation_id))
        assert entry.outcome == "promise_recorded" and reference in entry.note
        assert "13812345678" not in entry.note and "138****5678" in entry.note
