"""Agent assist in the console, over the real API, Rasa and action servers: what the cardholder means,
a suggested reply put into the box, the compliance guard stopping a threat before it reaches the
cardholder, its approved rewording sent instead, and closing with the drafted wrap-up note.

The screenshot this test takes is the one the README shows.
"""
from __future__ import annotations

import re

from playwright.sync_api import expect

from bot.domain.labels import INTENTS, OUTCOMES, UNSURE_INTENT
from tests.browser.conftest import SHOTS, TIMEOUT, open_console, send, signed_in_cardholder

THREAT = "你再不还钱我们就起诉你"
CARDHOLDER_SAYS = "我这个月工资还没发，能不能下周五再还"


def test_assist_reads_suggests_and_the_guard_stops_a_threat(browser, web):
    SHOTS.mkdir(exist_ok=True)
    cardholder = signed_in_cardholder(browser, web, "C0002", "李*")
    send(cardholder, "我要找人工客服")
    queued = cardholder.locator(".msg-bot", has_text="参考编号HND")
    expect(queued).to_be_visible(timeout=TIMEOUT)
    reference = re.search(r"参考编号(HND\w+)", queued.last.inner_text()).group(1)

    agent = open_console(browser, web)
    # the labels come from the API: outcomes to close with, the standard terms with 12 months chosen
    expect(agent.locator("#close-outcome option")).to_have_count(len(OUTCOMES), timeout=TIMEOUT)
    expect(agent.locator("#plan-term")).to_have_value("12")
    item = agent.locator(".queue-item", has_text=reference)  # other tests' handoffs share this queue
    expect(item).to_be_visible(timeout=TIMEOUT)
    item.locator(".claim").click()
    expect(agent.locator("#summary")).to_contain_text("8848", timeout=TIMEOUT)
    expect(cardholder.locator("#chat-banner")).to_contain_text("已加入对话", timeout=TIMEOUT)

    send(cardholder, CARDHOLDER_SAYS)
    said = agent.locator("#transcript .msg-customer", has_text=CARDHOLDER_SAYS)
    expect(said).to_be_visible(timeout=TIMEOUT)
    # the panel reads this very message (its live frame), not the request for a person before it
    expect(agent.locator("#assist")).to_have_attribute("data-message-id", said.get_attribute("data-id"),
                                                      timeout=TIMEOUT)
    intent = agent.locator("#assist-intent").inner_text().strip()
    assert intent in INTENTS.values() and intent != UNSURE_INTENT, intent
    expect(agent.locator("#assist-confidence")).to_have_text(re.compile(r"\d+%"))
    expect(agent.locator("#assist-offer-title")).not_to_be_empty()

    suggestion = agent.locator(".suggestion").first
    expect(suggestion).to_be_visible(timeout=TIMEOUT)
    suggested = suggestion.inner_text().strip()
    suggestion.click()
    expect(agent.locator("#agent-reply")).to_have_value(suggested)
    expect(agent.locator("#agent-send")).to_be_enabled()

    agent.fill("#agent-reply", THREAT)
    agent.click("#agent-send")
    guard = agent.locator("#guard")
    expect(guard).to_be_visible(timeout=TIMEOUT)
    expect(guard.locator("#guard-reasons li").first).to_be_visible()
    rewording = agent.locator("#guard-rewording").inner_text().strip()
    assert rewording and "起诉你" not in rewording
    expect(agent.locator("#agent-reply")).to_have_value(THREAT)  # kept for the agent to change, not sent
    agent.screenshot(path=str(SHOTS / "agent_assist.png"))

    agent.click("#guard-use-rewording")
    expect(guard).to_be_hidden()
    expect(agent.locator("#agent-reply")).to_have_value(rewording)
    agent.click("#agent-send")
    expect(cardholder.locator(".msg-agent", has_text=rewording)).to_be_visible(timeout=TIMEOUT)
    expect(agent.locator("#agent-reply")).to_have_value("")
    # the threat reached neither the cardholder nor the transcript
    expect(cardholder.locator(".msg-agent", has_text=THREAT)).to_have_count(0)
    expect(agent.locator("#transcript .msg", has_text=THREAT)).to_have_count(0)

    agent.select_option("#close-outcome", "informed")
    agent.click("#close")
    expect(agent.locator("#wrapup")).to_be_visible(timeout=TIMEOUT)
    expect(agent.locator("#wrapup-note")).not_to_have_value("")
    agent.click("#wrapup-confirm")
    expect(agent.locator("#wrapup")).to_be_hidden(timeout=TIMEOUT)
    expect(agent.locator("#conv-state")).to_have_attribute("data-mode", "closed", timeout=TIMEOUT)
