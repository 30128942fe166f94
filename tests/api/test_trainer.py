"""The trainers' workbench over HTTP: review, correct, import, check, save a test, all audited,
and only for trainers. The workspace is a small copy of the project in the test's folder; the
tracker store holds events in the shape Rasa's SQL tracker store writes them."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine

from bot.services.conversation_review import EVENTS
from bot.training import nlu_files
from tests.api.conftest import agent_headers
from tests.training import small_workspace

CARD = "6222021234567890123"


def user(text: str, intent: str, confidence: float, at: float) -> dict:
    return {"event": "user", "timestamp": at, "text": text, "metadata": {"customer_id": "C0001"},
            "parse_data": {"text": text, "intent": {"name": intent, "confidence": confidence},
                           "intent_ranking": [{"name": intent, "confidence": confidence}], "entities": []}}


def action(name: str, at: float) -> dict:
    return {"event": "action", "timestamp": at, "name": name}


def write_tracker(url: str, conversations: dict[str, list[dict]]) -> None:
    """Rows as rasa.core.tracker_store.SQLTrackerStore writes them."""
    engine = create_engine(url)
    EVENTS.metadata.create_all(engine)
    with engine.begin() as connection:
        for sender, events in conversations.items():
            for event in events:
                connection.execute(EVENTS.insert().values(
                    sender_id=sender, type_name=event["event"], timestamp=event["timestamp"],
                    intent_name=(event.get("parse_data") or {}).get("intent", {}).get("name"),
                    action_name=event.get("name"), data=json.dumps(event, ensure_ascii=False)))
    engine.dispose()


@pytest.fixture
def bench(settings, client) -> dict:
    """A small workspace, two conversations (one misread), a trainer's and an agent's headers."""
    ws = small_workspace.build(Path(settings.training_workspace).resolve(), per_intent=12)
    now = time.time()
    write_tracker(settings.tracker_store_url, {
        "web-misread": [action("action_session_start", now - 60), user("我是不会还钱的", "ask_consequence", 0.91, now - 50),
                        action("utter_ask_consequence", now - 49),
                        user(f"我的卡号是{CARD}", "inform", 0.55, now - 40)],
        "web-fine": [user("你好", "greet", 0.99, now - 3600), action("utter_greet", now - 3599)],
    })
    return {"ws": ws, "trainer": agent_headers(settings, "trainer1"), "agent": agent_headers(settings, "agent1")}


def test_a_trainer_finds_the_misread_message_masked_with_intent_and_confidence(client, bench):
    found = client.get("/api/trainer/conversations", params={"max_confidence": 0.95}, headers=bench["trainer"]).json()
    assert [c["conversation_id"] for c in found["items"]] == ["web-misread"] and found["total"] == 1
    detail = client.get("/api/trainer/conversations/web-misread", headers=bench["trainer"]).json()
    users = [t for t in detail["turns"] if t["kind"] == "user"]
    assert users[0]["text"] == "我是不会还钱的" and users[0]["intent"] == "ask_consequence"
    assert users[0]["confidence"] == 0.91
    assert CARD not in json.dumps(detail, ensure_ascii=False) and "customer_id" not in json.dumps(detail)
    assert "卡号是" in users[1]["text"]


def test_a_correction_is_previewed_then_written_into_the_data_and_audited(client, bench):
    body = {"text": "我是不会还钱的", "intent": "refuse_to_pay"}
    preview = client.post("/api/trainer/examples/preview", json=body, headers=bench["trainer"]).json()
    assert preview["applied"] is False and "+    - 我是不会还钱的" in preview["changes"][0]["diff"]
    ws = bench["ws"]
    assert not any(e.text == "我是不会还钱的" for e in nlu_files.examples(ws.nlu_dir))
    applied = client.post("/api/trainer/examples", json=body, headers=bench["trainer"])
    assert applied.status_code == 200 and applied.json()["applied"] is True
    written = [e for e in nlu_files.examples(ws.nlu_dir) if e.text == "我是不会还钱的"]
    assert [(e.intent, e.path.name) for e in written] == [("refuse_to_pay", "refuse.yml")]
    yaml.safe_load(written[0].path.read_text(encoding="utf-8"))  # still valid YAML
    audit = client.get("/api/trainer/audit", headers=bench["trainer"]).json()["items"]
    assert audit[0]["actor"] == "trainer1" and audit[0]["action"] == "add_example"
    assert "我是不会还钱的" in audit[0]["detail"]["diff"]
    again = client.post("/api/trainer/examples", json=body, headers=bench["trainer"])
    assert again.status_code == 422 and "已经是" in again.json()["detail"]["message"]


def test_marks_narrow_the_list_and_are_audited(client, bench):
    marked = client.post("/api/trainer/conversations/web-misread/mark", headers=bench["trainer"],
                         json={"flagged": True, "tags": ["意图错误"], "reviewed": True}).json()
    assert marked["flagged"] and marked["tags"] == ["意图错误"] and marked["reviewed"]
    unreviewed = client.get("/api/trainer/conversations?unreviewed=true", headers=bench["trainer"]).json()["items"]
    assert [c["conversation_id"] for c in unreviewed] == ["web-fine"]
    flagged = client.get("/api/trainer/conversations?flagged=true", headers=bench["trainer"]).json()["items"]
    assert [c["conversation_id"] for c in flagged] == ["web-misread"]
    actions = {e["action"] for e in client.get("/api/trainer/audit", headers=bench["trainer"]).json()["items"]}
    assert {"flag", "tag", "review"} <= actions


def test_a_conversation_saved_as_a_test_story_is_masked(client, bench):
    saved = client.post("/api/trainer/conversations/web-misread/test-story", headers=bench["trainer"]).json()
    path = bench["ws"].root / saved["file"]
    assert saved["file"].startswith("tests/conversations/") and path.is_file()
    text = path.read_text(encoding="utf-8")
    story = yaml.safe_load(text)["stories"][0]
    assert story["steps"][0] == {"user": "我是不会还钱的", "intent": "ask_consequence"}
    assert CARD not in text


def test_imported_messages_are_masked_labelled_and_settled(client, bench):
    csv_file = f"text,label\n我这个月实在还不上,report_hardship\n卡号{CARD}被冻结了,\n".encode("utf-8-sig")
    result = client.post("/api/trainer/imports?filename=calls.csv", content=csv_file, headers=bench["trainer"]).json()
    assert result["imported"] == 2 and result["errors"] == []
    items = client.get("/api/trainer/imports", headers=bench["trainer"]).json()["items"]
    assert CARD not in json.dumps(items, ensure_ascii=False)
    hardship = next(i for i in items if i["label"] == "report_hardship")
    added = client.post("/api/trainer/examples", headers=bench["trainer"],
                        json={"text": hardship["text"], "intent": "report_hardship", "import_id": hardship["id"]})
    assert added.status_code == 200
    other = next(i for i in items if i["id"] != hardship["id"])
    assert client.post(f"/api/trainer/imports/{other['id']}/ignore", headers=bench["trainer"]).json()["status"] == "ignored"
    statuses = {i["id"]: i["status"] for i in client.get("/api/trainer/imports", headers=bench["trainer"]).json()["items"]}
    assert statuses == {hardship["id"]: "added", other["id"]: "ignored"}


def test_checks_find_a_text_under_two_intents(client, bench):
    assert client.get("/api/trainer/checks?with_rasa=false", headers=bench["trainer"]).json()["ok"] is True
    greeting = next(e.text for e in nlu_files.examples(bench["ws"].nlu_dir) if e.intent == "greet")
    path = next(e.path for e in nlu_files.examples(bench["ws"].nlu_dir) if e.intent == "refuse_to_pay")
    path.write_text(path.read_text(encoding="utf-8") + f"    - {greeting}\n", encoding="utf-8")  # a careless edit
    checked = client.get("/api/trainer/checks?with_rasa=false", headers=bench["trainer"]).json()
    assert checked["ok"] is False
    assert any(f["kind"] == "conflict" and greeting in f["texts"] for f in checked["findings"])


def test_model_actions_explain_why_they_cannot_run(client, bench):
    evaluation = client.post("/api/trainer/evaluations", json={}, headers=bench["trainer"])
    assert evaluation.status_code == 409 and "还没有" in evaluation.json()["detail"]["message"]
    rollback = client.post("/api/trainer/models/rollback", headers=bench["trainer"])
    assert rollback.status_code == 409 and "没有可以回滚" in rollback.json()["detail"]["message"]
    activate = client.post("/api/trainer/models/wb-none.tar.gz/activate", headers=bench["trainer"])
    assert activate.status_code == 409 and "没有模型" in activate.json()["detail"]["message"]
    models = client.get("/api/trainer/models", headers=bench["trainer"]).json()
    assert models["models"] == [] and models["serving"] is None and models["rasa_error"]


def test_agents_and_cardholders_cannot_use_the_workbench_and_trainers_cannot_use_the_desk(client, bench):
    refused = client.get("/api/trainer/conversations", headers=bench["agent"])
    assert refused.status_code == 403 and refused.json()["detail"]["message"] == "您没有权限执行此操作。"
    assert client.get("/api/trainer/conversations").status_code == 401
    assert client.get("/api/agent/queue", headers=bench["trainer"]).status_code == 403
    assert client.get("/api/dashboard/figures", headers=bench["trainer"]).status_code == 403


def test_before_rasa_ever_ran_the_list_is_empty_not_an_error(make_client, settings, tmp_path):
    client = make_client(tracker_store_url=f"sqlite:///{tmp_path / 'not-yet' / 'tracker.db'}")
    found = client.get("/api/trainer/conversations", headers=agent_headers(settings, "trainer1"))
    assert found.status_code == 200 and found.json() == {"items": [], "total": 0}


@pytest.mark.parametrize("query", ["date_to=0001-01-05", "date_from=9999-12-31&date_to=9999-12-31"])
def test_dates_no_record_can_have_are_refused_plainly(client, settings, query):
    for path in ("/api/dashboard/figures", "/api/dashboard/contact-log.csv"):
        refused = client.get(f"{path}?{query}", headers=agent_headers(settings, "super1"))
        assert refused.status_code == 422 and "日期须在" in refused.json()["detail"]["message"]
    refused = client.get(f"/api/trainer/conversations?{query}", headers=agent_headers(settings, "trainer1"))
    assert refused.status_code == 422


def test_an_unreadable_tracker_store_is_said_so(make_client, settings, tmp_path):
    (tmp_path / "broken.db").write_bytes(b"not a database" * 100)
    client = make_client(tracker_store_url=f"sqlite:///{tmp_path / 'broken.db'}")
    refused = client.get("/api/trainer/conversations", headers=agent_headers(settings, "trainer1"))
    assert refused.status_code == 503 and "TRACKER_STORE_URL" in refused.json()["detail"]["message"]
