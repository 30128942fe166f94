"""The supervisors' dashboard API: the figures of a date range and the contact log as CSV, for
supervisors only; conversations made through the gateway and handoffs queued as the bot queues them."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import bank_today
from bot.data.db import session_factory, session_scope
from bot.data.models import Cardholder
from bot.data.seed import DEMO_CARDHOLDERS
from bot.services.contact_log import log_contact
from bot.services.dashboard import CSV_HEADER
from tests.api.conftest import agent_headers, queue_handoff, send, start_chat

FIGURES = "/api/dashboard/figures"
CSV = "/api/dashboard/contact-log.csv"
KEYS = {"date_from", "date_to", "today", "days", "per_day", "totals", "promises", "plans", "cases", "complaints",
        "outcomes", "agents", "compliance"}
TOTALS = {"conversations", "contained", "containment_rate", "handoffs", "handoff_rate", "handoffs_answered",
          "waiting_seconds", "tracker_conversations", "fallback_conversations", "fallback_rate", "user_messages",
          "fallback_messages", "fallback_message_rate"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def headers(settings):
    return {name: agent_headers(settings, name) for name in ("agent1", "super1", "trainer1")}


@pytest.fixture
def client(make_client, failing_rasa, tmp_path):
    """A Rasa that answers at once with a plain bubble (no handoff of its own), an empty tracker store."""
    quiet_rasa = failing_rasa("quiet", delay=0.01)
    return make_client(rasa_url=quiet_rasa.url, tracker_store_url=f"sqlite:///{tmp_path / 'tracker.db'}")


def this_month() -> dict[str, str]:
    today = bank_today()
    return {"date_from": (today - timedelta(days=29)).isoformat(), "date_to": today.isoformat()}


def test_a_supervisor_gets_every_figure(client, headers):
    response = client.get(FIGURES, headers=headers["super1"], params=this_month())
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == KEYS and TOTALS <= set(body["totals"])
    assert body["date_to"] == body["today"] == bank_today().isoformat()
    assert len(body["days"]) == 30 and list(body["per_day"]) == body["days"]
    assert set(body["promises"]) >= {"count", "amount", "kept", "broken", "pending", "cancelled", "kept_rate"}
    assert set(body["cases"]["kinds"]) == {"dispute", "payment_trace", "hardship", "fee_waiver", "complaint"}
    assert body["totals"]["conversations"] == 0 and body["totals"]["containment_rate"] is None
    assert body["totals"]["tracker_conversations"] == 0  # the tracker store is there, still empty
    assert response.headers["cache-control"] == "no-store"


def test_the_default_range_is_the_last_30_bank_days(client, headers):
    body = client.get(FIGURES, headers=headers["super1"]).json()
    assert body["date_to"] == bank_today().isoformat()
    assert body["date_from"] == (bank_today() - timedelta(days=29)).isoformat()


def test_containment_counts_a_handed_off_conversation_apart(client, headers, database_url):
    contained = start_chat(client, "C0002")
    assert send(client, contained, "我这个月要还多少", "c1").status_code == 202
    handed = start_chat(client, "C0001")
    assert send(client, handed, "我要转人工", "h1").status_code == 202
    handoff_id = queue_handoff(database_url, handed.conversation_id, customer_id="C0001")
    start_chat(client)  # opened, never a word: no contact
    claimed = client.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=headers["agent1"])
    assert claimed.status_code == 200, claimed.text

    body = client.get(FIGURES, headers=headers["super1"], params=this_month()).json()
    totals = body["totals"]
    assert (totals["conversations"], totals["contained"], totals["handoffs"]) == (2, 1, 1)
    assert totals["containment_rate"] == 0.5 and totals["handoff_rate"] == 0.5
    assert totals["handoffs_answered"] == 1 and totals["waiting_seconds"]["count"] == 1
    days = body["per_day"].values()
    assert sum(d["conversations"] for d in days) == 2
    assert sum(d["contained"] for d in days) == 1 and sum(d["handoffs"] for d in days) == 1
    assert [(a["username"], a["conversations"], a["closed"]) for a in body["agents"]] == [("agent1", 1, 0)]


def test_date_from_after_date_to_is_refused_in_chinese(client, headers):
    today = bank_today()
    for path in (FIGURES, CSV):
        response = client.get(path, headers=headers["super1"],
                              params={"date_from": today.isoformat(), "date_to": (today - timedelta(days=1)).isoformat()})
        assert response.status_code == 422
        detail = response.json()["detail"]
        assert detail["code"] == "invalid_date_range" and CHINESE.search(detail["message"])
        assert detail["message"] == "结束日期不能早于开始日期"


def test_more_than_a_year_is_refused(client, headers):
    response = client.get(FIGURES, headers=headers["super1"], params={"date_from": "2025-01-01", "date_to": "2026-01-02"})
    assert response.status_code == 422 and response.json()["detail"]["message"] == "一次最多查看366天"


def test_a_date_that_is_no_date_is_a_422(client, headers):
    response = client.get(FIGURES, headers=headers["super1"], params={"date_from": "2026-13-40"})
    assert response.status_code == 422 and response.json()["detail"]["fields"] == ["date_from"]


@pytest.mark.parametrize("who", ["agent1", "trainer1"])
@pytest.mark.parametrize("path", [FIGURES, CSV])
def test_an_agent_or_a_trainer_gets_403(client, headers, who, path):
    response = client.get(path, headers=headers[who])
    assert response.status_code == 403
    assert response.json()["detail"] == {"code": "forbidden", "message": "您没有权限执行此操作。"}


@pytest.mark.parametrize("path", [FIGURES, CSV])
def test_no_token_is_a_401(client, path):
    response = client.get(path)
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert CHINESE.search(response.json()["detail"]["message"])


def test_the_contact_log_csv_shows_cardholders_only_masked(client, headers, database_url):
    # Zhang's conversation closed by an agent whose wrap-up quoted every number (the desk masks it) ...
    chat = start_chat(client, "C0001")
    send(client, chat, "转人工", "z1")
    handoff_id = queue_handoff(database_url, chat.conversation_id, customer_id="C0001")
    assert client.post(f"/api/agent/handoffs/{handoff_id}/claim", headers=headers["agent1"]).status_code == 200
    zhang = DEMO_CARDHOLDERS[0]
    closed = client.post(f"/api/agent/conversations/{chat.conversation_id}/close", headers=headers["agent1"], json={
        "outcome": "promise_recorded",
        "note": f"客户卡号{zhang.card_number}，身份证{zhang.id_number}，手机{zhang.phone}，承诺月底还款"})
    assert closed.status_code == 200, closed.text
    # ... and the others logged by the assistant, a note with their numbers written straight into the row
    with session_scope(session_factory(database_url)) as session:
        for demo in DEMO_CARDHOLDERS[1:]:
            holder = session.scalar(select(Cardholder).where(Cardholder.customer_id == demo.customer_id))
            entry = log_contact(session, f"conv-{demo.customer_id}", channel="web", verified=True,
                                cardholder_id=holder.id, intents=["ask_balance"], outcome="informed")
            entry.note = f"卡号 {demo.card_number} 证件 {demo.id_number} 电话 {demo.phone}"

    response = client.get(CSV, headers=headers["super1"], params=this_month())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    first, last = this_month().values()
    assert response.headers["content-disposition"] == f'attachment; filename="contact-log-{first}-{last}.csv"'
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(CSV_HEADER)
    assert text.splitlines()[0] == "对话编号,渠道,开始时间,最后更新,已核身,意图,结果,备注,记录人,客户"
    assert len(text.splitlines()) == 1 + len(DEMO_CARDHOLDERS)
    digits = re.sub(r"\D", "", text)
    for demo in DEMO_CARDHOLDERS:
        for secret in (demo.card_number, demo.id_number, demo.phone, demo.name):
            assert secret not in text  # the name too: the customer column shows the surname only
        assert demo.card_number not in digits and demo.phone not in digits  # not even with spaces in between
        assert f"{demo.name[0]}** ****{demo.card_number[-4:]}" in text
        assert f"**** **** **** {demo.card_number[-4:]}" in text and f"{demo.phone[:3]}****{demo.phone[-4:]}" in text
    assert "客服小李" in text  # who wrote the wrap-up
