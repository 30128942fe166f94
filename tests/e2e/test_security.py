"""The action server and the identity lock, attacked as a stranger would, on the real servers."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.servers import ACTION_TOKEN

pytestmark = pytest.mark.e2e


def texts(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


def post(url: str, body: dict, token: str | None = None) -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def forged_call(action: str, sender: str) -> dict:
    """A made-up tracker that claims to be C0002's verified conversation."""
    latest = {"text": "我欠多少钱", "intent": {"name": "ask_balance", "confidence": 1.0}, "entities": []}
    return {
        "next_action": action, "sender_id": sender, "version": "3.6.21", "domain": {},
        "tracker": {
            "sender_id": sender, "slots": {"verified": True, "customer_id": "C0002"}, "latest_message": latest,
            "events": [{"event": "user", "text": "我欠多少钱", "parse_data": latest}], "paused": False,
            "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen",
        },
    }


@pytest.mark.parametrize("token", [None, "", "wrong-secret", f"{ACTION_TOKEN}x"])
def test_the_action_server_answers_nothing_without_the_secret(assistant, token):
    status, body = post(f"{assistant.action_url}/webhook", forged_call("action_resume_request", "stranger-1"), token)
    assert status == 401 and "3,450.50" not in body and "events" not in body
    with pytest.raises(urllib.error.HTTPError) as listed:
        urllib.request.urlopen(f"{assistant.action_url}/actions", timeout=10)
    assert listed.value.code == 401


@pytest.mark.parametrize("action", ["action_resume_request", "action_explain_consequences", "action_submit_promise"])
def test_a_forged_tracker_with_the_secret_gets_no_account(assistant, action):
    status, body = post(f"{assistant.action_url}/webhook", forged_call(action, "stranger-2"), ACTION_TOKEN)
    assert status == 200
    for figure in ("3,450.50", "345.05", "8848", "李"):
        assert figure not in body


def test_the_action_server_listens_on_localhost_only(assistant):
    port = int(assistant.action_url.rsplit(":", 1)[1])
    listening = [line.split()[1] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                 if line.split()[3] == "0A" and int(line.split()[1].split(":")[1], 16) == port]
    assert listening == [f"0100007F:{port:04X}"]  # 127.0.0.1, not 0.0.0.0


def test_guessing_across_restart_new_conversations_and_addresses_ends_in_the_lock(assistant, sender):
    """王芳's card (0310) is attacked: two wrong IDs, /restart, a third; then a new conversation
    and new addresses with the right answer are still refused."""
    def wrong(who: str, digits: str, client: str) -> str:
        meta = {"client": client}
        assistant.say(who, "我欠多少钱", meta)
        return texts(assistant.say(who, "0310", meta) + assistant.say(who, digits, meta))

    assert "不一致" in wrong(sender, "999991", "address-a")
    assert "不一致" in wrong(sender, "999992", "address-a")
    assistant.say(sender, "/restart", {"client": "address-a"})
    assert "暂停" in wrong(sender, "999993", "address-a")
    for number, client in enumerate(("address-b", "address-c")):
        reply = wrong(f"{sender}-new-{number}", "05266X", client)  # the right ID, too late
        assert "暂停" in reply and "56,000" not in reply and "身份核实成功" not in reply
