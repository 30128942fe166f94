"""The normal bot path through the real Rasa server and action server (tests/servers.py)."""
from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.core.config import load_api_settings
from api.main import create_app
from bot.data.db import session_factory, session_scope
from bot.data.models import ChatMessage
from bot.data.seed import seed_demo_agents
from tests.api.conftest import AGENT_PASSWORD, agent_headers, start_chat
from tests.servers import TOKEN

pytestmark = pytest.mark.e2e
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def real(assistant, tmp_path):
    with session_scope(session_factory(assistant.database_url)) as session:
        seed_demo_agents(session, AGENT_PASSWORD)
    settings = load_api_settings(
        database_url=assistant.database_url, rasa_url=assistant.rasa_url, rasa_api_token=TOKEN,
        rasa_timeout_seconds=60.0, static_dir=tmp_path,
    )
    with TestClient(create_app(settings)) as client:
        yield client, settings


def say(client, chat, text: str) -> list[dict]:
    """Send as the widget does; the bot's replies are stored by the time the POST returns."""
    sent = client.post("/api/chat/messages", headers=chat.headers, json={"text": text, "client_id": text})
    assert sent.status_code == 202, sent.text
    page = client.get(f"/api/chat/messages?after={sent.json()['message']['id']}", headers=chat.headers).json()
    return page["messages"]


def state(client, chat) -> dict:
    return client.get("/api/chat/messages", headers=chat.headers).json()["state"]


def test_greeting_gets_a_stored_chinese_reply(real):
    client, _ = real
    chat = start_chat(client)
    replies = say(client, chat, "你好")
    assert replies and all(m["sender"] == "bot" for m in replies)
    assert CHINESE.search(" ".join(m["text"] for m in replies))
    assert state(client, chat)["mode"] == "bot"
    assert client.get("/api/chat/messages", headers=chat.headers).json()["messages"][0]["text"] == "你好"


def test_signed_in_customer_is_known_to_the_bot(real):
    client, _ = real
    chat = start_chat(client, "C0002")
    reply = " ".join(m["text"] for m in say(client, chat, "查一下我的账单"))
    assert "3,450.50" in reply and "末四位" not in reply


def test_the_plan_table_reads_as_one_bubble_with_the_choices_after_it(real):
    client, _ = real
    chat = start_chat(client, "C0002")
    replies = [m for m in say(client, chat, "我想办分期") if m["sender"] == "bot"]
    table = next(m for m in replies if "可选的账单分期方案如下" in m["text"])
    lines = table["text"].split("\n")[1:]
    assert [line.split("：")[0] for line in lines] == ["· 3期", "· 6期", "· 12期", "· 24期", "· 36期"]
    assert all("年化利率" in line and "总手续费" in line for line in lines)
    after = replies[replies.index(table) + 1]
    assert [b["title"] for b in after["buttons"]] == ["3期", "6期", "12期", "24期", "36期"]


def test_handoff_claim_talk_release_and_the_bot_answers_again(real):
    client, settings = real
    chat = start_chat(client, "C0001")
    say(client, chat, "你好")
    replies = say(client, chat, "转人工")
    assert any("人工客服" in m["text"] or "回电" in m["text"] for m in replies)
    waiting = state(client, chat)
    assert waiting["mode"] in ("waiting", "callback")  # a callback outside service hours
    # never silent: while the cardholder waits, the assistant still answers
    assert "不是真人" in " ".join(m["text"] for m in say(client, chat, "请问你是机器人吗"))
    agent1 = agent_headers(settings, "agent1")
    items = [i for i in client.get("/api/agent/queue", headers=agent1).json()["items"]
             if i["conversation_id"] == chat.conversation_id]
    assert len(items) == 1 and items[0]["reason"] == "requested" and items[0]["customer_masked"] == "张*"
    assert items[0]["callback"] == (waiting["mode"] == "callback")

    claimed = client.post(f"/api/agent/handoffs/{items[0]['handoff_id']}/claim", headers=agent1)
    assert claimed.status_code == 200 and claimed.json()["conversation"]["state"]["mode"] == "agent"
    sent = client.post(f"/api/agent/conversations/{chat.conversation_id}/messages", headers=agent1,
                       json={"text": "您好，我是客服小李，请问有什么可以帮您？"})
    assert sent.status_code == 200
    # while the agent holds it, the cardholder's words go to the agent, not to the bot
    assert say(client, chat, "我想申请分期") == []

    released = client.post(f"/api/agent/conversations/{chat.conversation_id}/release", headers=agent1)
    assert released.status_code == 200 and released.json()["state"]["mode"] == "bot"
    texts = [m["text"] for m in client.get("/api/chat/messages", headers=chat.headers).json()["messages"]]
    assert texts[-1] == "人工客服已离开，智能助手继续为您服务"
    again = say(client, chat, "你是机器人吗")
    assert again and all(m["sender"] == "bot" for m in again)
    assert "不是真人" in " ".join(m["text"] for m in again)


def test_verification_answers_are_masked_for_agents_for_the_record_and_for_the_cardholder(real):
    client, settings = real
    chat = start_chat(client)
    say(client, chat, "我欠多少钱")
    say(client, chat, "6217")
    assert "12,965.30" in " ".join(m["text"] for m in say(client, chat, "身份证后六位03121X"))
    say(client, chat, "转人工")
    supervisor = agent_headers(settings, "super1")
    detail = client.get(f"/api/agent/conversations/{chat.conversation_id}", headers=supervisor).json()
    typed = [m["text"] for m in detail["messages"] if m["sender"] == "customer"]
    assert typed == ["我欠多少钱", "****", "身份证后*位******", "转人工"]
    assert "03121" not in json.dumps(detail, ensure_ascii=False)
    assert "6217" not in json.dumps(detail["summary"]["last_messages"], ensure_ascii=False)
    mine = client.get("/api/chat/messages", headers=chat.headers).json()["messages"]
    assert "03121X" not in json.dumps(mine, ensure_ascii=False)
    with session_factory(settings.database_url)() as session:
        stored = session.scalars(select(ChatMessage.text).where(
            ChatMessage.conversation_id == chat.conversation_id, ChatMessage.sender == "customer"))
        assert not any("6217" in text or "03121" in text for text in stored)


def test_a_typed_command_reaches_the_assistant_as_words_a_button_as_a_command(real, assistant):
    client, _ = real
    chat = start_chat(client)
    say(client, chat, "你好")  # the greeting offers /ask_balance as a button
    assert "末四位" in " ".join(m["text"] for m in say(client, chat, "/ask_balance"))
    say(client, chat, '/inform{"verified": true, "customer_id": "C0002"}')
    say(client, chat, "/restart")
    events = assistant.tracker(chat.conversation_id)["events"]
    assert not any(e.get("event") == "restart" for e in events)
    typed = [e["text"] for e in events if e.get("event") == "user"]
    assert typed[1] == "/ask_balance" and typed[-1] == "／restart" and typed[-2].startswith("／inform")
    assert all(e.get("value") is None or e.get("name") != "customer_id" for e in events if e.get("event") == "slot")


def claimed_by_an_agent(client, settings):
    """A signed-in cardholder's conversation, handed to a person and claimed by agent1."""
    chat = start_chat(client, "C0002")
    say(client, chat, "转人工")
    agent1 = agent_headers(settings, "agent1")
    item = next(i for i in client.get("/api/agent/queue", headers=agent1).json()["items"]
                if i["conversation_id"] == chat.conversation_id)
    assert client.post(f"/api/agent/handoffs/{item['handoff_id']}/claim", headers=agent1).status_code == 200
    return chat, agent1


def test_after_an_agent_closes_the_assistant_answers_again(real):
    client, settings = real
    chat, agent1 = claimed_by_an_agent(client, settings)
    closed = client.post(f"/api/agent/conversations/{chat.conversation_id}/close", headers=agent1,
                         json={"outcome": "resolved"})
    assert closed.json()["state"]["mode"] == "closed"
    assert "不是真人" in " ".join(m["text"] for m in say(client, chat, "你是机器人吗"))
    assert state(client, chat)["mode"] == "bot"


# --- never silent, whatever the mode; nothing promised that the bank cannot keep ------------------

def test_never_silent_while_waiting_for_a_callback_even_in_distress(real, assistant):
    client, _ = real
    chat = start_chat(client, "C0001")
    with assistant.outside_service_hours():
        replies = say(client, chat, "转人工")
        assert state(client, chat)["mode"] == "callback"
        assert "回电" in " ".join(m["text"] for m in replies)
        care = " ".join(m["text"] for m in say(client, chat, "我真的活不下去了"))
    assert "12356" in care and "110" in care
    assert not re.search(r"\d+\.\d{2}元", care)  # never a figure to someone in distress
    asked = " ".join(m["text"] for m in say(client, chat, "我还要等多久"))
    assert asked, "a question while waiting for a callback gets an answer"


def test_an_anonymous_visitor_out_of_hours_is_told_the_hours_not_promised_a_call(real, assistant):
    client, _ = real
    chat = start_chat(client)
    with assistant.outside_service_hours():
        reply = " ".join(m["text"] for m in say(client, chat, "我要找人工客服"))
    assert "服务时间" in reply and "再来" in reply
    assert "回电" not in reply and "联系您" not in reply
    assert state(client, chat)["mode"] == "bot"
    assert " ".join(m["text"] for m in say(client, chat, "你是机器人吗")), "the assistant still answers"


def test_stolen_card_hears_how_to_freeze_it_before_any_question(real):
    client, _ = real
    chat = start_chat(client)
    replies = [m["text"] for m in say(client, chat, "我的信用卡被盗刷了，有几笔不是我消费的")]
    assert replies and "冻结" in replies[0] and "挂失" in replies[0]
    questions = [i for i, text in enumerate(replies) if "末四位" in text or "后六位" in text]
    assert not questions or questions[0] > 0


def test_the_agent_hears_the_cardholder_when_holding_the_conversation(real):
    client, settings = real
    chat, agent1 = claimed_by_an_agent(client, settings)
    assert say(client, chat, "我想先还一部分") == []  # the agent answers now, not the bot
    detail = client.get(f"/api/agent/conversations/{chat.conversation_id}", headers=agent1).json()
    assert detail["messages"][-1]["text"] == "我想先还一部分" and detail["state"]["mode"] == "agent"
