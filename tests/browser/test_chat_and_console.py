"""A cardholder and an agent in two real browsers, over the real API, Rasa and action servers.

The screenshots this test takes are the ones the README shows.
"""
from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from playwright.sync_api import Page, expect

from bot.data.db import session_factory, session_scope
from bot.data.seed import seed_demo_agents
from tests.browser.conftest import DESKTOP, PHONE
from tests.servers import LOGS, REPO, TOKEN

BANK_PASSWORD = "browser-test-bank-password"
AGENT_PASSWORD = "browser-test-agent-password"
SHOTS = Path(__file__).resolve().parent / "screenshots"
TIMEOUT = 30_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def web(assistant, tmp_path_factory) -> Iterator[str]:
    """The API (gateway, pages, console) on a free port, talking to the real Rasa server."""
    with session_scope(session_factory(assistant.database_url)) as session:
        seed_demo_agents(session, AGENT_PASSWORD, reset=True)
    port = _free_port()
    env = {**assistant.env, "RASA_URL": assistant.rasa_url, "RASA_API_TOKEN": TOKEN,
           "DEMO_BANK_PASSWORD": BANK_PASSWORD}
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / "api.log"
    server = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "uvicorn"), "--factory", "api.main:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "debug"],
        cwd=REPO, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/bank/demo-customers", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"API did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def send(page: Page, text: str) -> None:
    page.fill("#chat-input", text)
    page.click("#chat-send")


def open_console(browser, web: str) -> Page:
    agent = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    agent.goto(f"{web}/agent")
    agent.fill("#agent-username", "agent1")
    agent.fill("#agent-password", AGENT_PASSWORD)
    agent.click("#agent-login")
    return agent


def test_cardholder_asks_for_a_person_and_an_agent_answers(browser, web):
    SHOTS.mkdir(exist_ok=True)
    cardholder = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai").new_page()
    cardholder.goto(web)
    cardholder.select_option("#login-customer", "C0001")
    cardholder.fill("#login-password", BANK_PASSWORD)
    cardholder.click("#login-submit")
    expect(cardholder.locator("#login-name")).to_contain_text("张*", timeout=TIMEOUT)

    cardholder.click("#chat-launcher")
    send(cardholder, "我现在欠了多少钱")
    # logged in on the bank site: no identity questions, the figures straight away
    expect(cardholder.locator(".msg-bot", has_text="12,965.30")).to_be_visible(timeout=TIMEOUT)
    expect(cardholder.locator(".msg-bot", has_text="末四位")).to_have_count(0)

    send(cardholder, "<script>window.__injected = 1</script><img src=x onerror=\"window.__injected = 2\">")
    expect(cardholder.locator(".msg-customer", has_text="<script>window.__injected")).to_be_visible(timeout=TIMEOUT)
    assert cardholder.evaluate("window.__injected") is None

    send(cardholder, "我要找人工客服")
    expect(cardholder.locator("#chat-banner")).to_contain_text("正在为您转接人工客服", timeout=TIMEOUT)
    queued = cardholder.locator(".msg-bot", has_text="参考编号HND")
    expect(queued).to_be_visible(timeout=TIMEOUT)
    reference = re.search(r"参考编号(HND\w+)", queued.last.inner_text()).group(1)

    agent = open_console(browser, web)
    item = agent.locator(".queue-item", has_text=reference)  # other tests' handoffs share this queue
    expect(item).to_be_visible(timeout=TIMEOUT)
    item.locator(".claim").click()
    expect(agent.locator("#summary")).to_contain_text("12,965.30", timeout=TIMEOUT)
    expect(cardholder.locator("#chat-banner")).to_contain_text("已加入对话", timeout=TIMEOUT)

    agent.fill("#agent-reply", "您好，我是客服小李。我看到您逾期35天，我们一起看看分期方案好吗？")
    agent.click("#agent-send")
    expect(cardholder.locator(".msg-agent", has_text="一起看看分期方案")).to_be_visible(timeout=TIMEOUT)

    send(cardholder, "好的，麻烦你了")
    expect(agent.locator("#transcript .msg", has_text="好的，麻烦你了")).to_be_visible(timeout=TIMEOUT)
    agent.screenshot(path=str(SHOTS / "agent_console.png"))

    agent.click("#release")
    expect(cardholder.locator("#chat-banner")).to_contain_text("智能助手继续为您服务", timeout=TIMEOUT)
    send(cardholder, "你是机器人吗")
    expect(cardholder.locator(".msg-bot", has_text="不是真人")).to_be_visible(timeout=TIMEOUT)
    cardholder.screenshot(path=str(SHOTS / "chat_widget.png"))


def test_anonymous_visitor_on_a_phone_must_verify(browser, web):
    SHOTS.mkdir(exist_ok=True)
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai",
                                is_mobile=True, has_touch=True).new_page()
    phone.goto(web)
    phone.click("#anonymous")  # opens the chat without a login
    panel = phone.locator("#chat-panel")
    expect(panel).to_be_visible(timeout=TIMEOUT)
    assert panel.bounding_box()["width"] >= PHONE["width"] - 2
    send(phone, "我欠了多少钱")
    expect(phone.locator(".msg-bot", has_text="末四位")).to_be_visible(timeout=TIMEOUT)
    send(phone, "6217")
    send(phone, "03121X")
    expect(phone.locator(".msg-bot", has_text="12,965.30")).to_be_visible(timeout=TIMEOUT)
    expect(phone.locator(".msg-time").first).to_have_text(re.compile(r"^\d{2}:\d{2}$"))
    phone.screenshot(path=str(SHOTS / "chat_widget_phone.png"))
