"""A cardholder and an agent in two real browsers, over the real API, Rasa and action servers.

The screenshots this test takes are the ones the README shows.
"""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, SHOTS, TIMEOUT, open_console, send, signed_in_cardholder


def test_cardholder_asks_for_a_person_and_an_agent_answers(browser, web):
    SHOTS.mkdir(exist_ok=True)
    cardholder = signed_in_cardholder(browser, web, "C0001", "张*")
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
