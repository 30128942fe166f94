"""A supervisor reads the dashboard in a real browser: every chart drawn, the contact log exported
as a CSV that a spreadsheet opens in Chinese, with no cardholder's number in it."""
from __future__ import annotations

import csv
import io
import re

from tests.browser.conftest import SHOTS, TIMEOUT, open_console, send, signed_in_cardholder

CSV_HEADER = "对话编号,渠道,开始时间,最后更新,已核身,意图,结果,备注,记录人,客户"


def test_the_dashboard_draws_its_charts_and_exports_the_contact_log(browser, web):
    from playwright.sync_api import expect

    cardholder = signed_in_cardholder(browser, web, "C0001", "张*")
    send(cardholder, "我欠了多少钱")  # at least one conversation in today's figures
    expect(cardholder.locator(".msg-bot").last).to_be_visible(timeout=TIMEOUT)
    cardholder.context.close()

    supervisor = open_console(browser, web, "super1", "/dashboard")
    canvases = supervisor.locator("canvas")
    expect(canvases.first).to_be_visible(timeout=TIMEOUT)
    count = canvases.count()
    assert count >= 6
    expect(supervisor.locator('canvas[data-drawn="true"]')).to_have_count(count, timeout=TIMEOUT)
    assert re.fullmatch(r"\d+", supervisor.locator("#total-conversations").inner_text().strip())
    assert int(supervisor.locator("#total-conversations").inner_text()) >= 1
    supervisor.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)

    with supervisor.expect_download() as download:
        supervisor.click("#export-csv")
    data = open(download.value.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert ",".join(rows[0]) == CSV_HEADER and len(rows) >= 2
    for row in rows[1:]:  # past the conversation id: no card, ID or phone number, only masked forms
        assert not re.search(r"\d{11,}", ",".join(row[1:])), row
    assert any(row[-1].endswith("****6217") for row in rows[1:])
    supervisor.context.close()
