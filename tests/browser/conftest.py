"""Browser fixtures: the system's headless Chromium driven by Playwright (no browser download),
the API on a free port over the real Rasa and action servers, and the steps the browser tests share."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from bot.data.db import session_factory, session_scope
from bot.data.seed import seed_demo_agents
from bot.training.workspace import Workspace
from tests.servers import LOGS, REPO, TOKEN
from tests.training import small_workspace

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
BANK_PASSWORD = "browser-test-bank-password"
AGENT_PASSWORD = "browser-test-agent-password"
SHOTS = Path(__file__).resolve().parent / "screenshots"
TIMEOUT = 30_000


def _install_chromium() -> str:
    """Install Debian's chromium with apt-get; returns apt's output for the failure message."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    output = []
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800, check=False)
        output.append(done.stdout[-2000:] + done.stderr[-2000:])
        if done.returncode != 0:
            break
    return "\n".join(output)


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """/usr/bin/chromium, installed through apt-get when it is missing."""
    if not CHROMIUM.exists():
        if shutil.which("apt-get") is None:
            pytest.skip("chromium is missing and there is no apt-get to install it")
        log = _install_chromium()
        if not CHROMIUM.exists():
            pytest.fail(f"apt-get could not install chromium:\n{log}")
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def browser(chromium_executable):
    """One headless Chromium for the session."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _page(browser, viewport: dict, **options) -> Iterator:
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser):
    """A desktop-sized page in a fresh context (its own sessionStorage)."""
    yield from _page(browser, DESKTOP)


@pytest.fixture
def phone_page(browser):
    """A phone-sized page (the chat panel goes full screen at <= 480px)."""
    yield from _page(browser, PHONE, is_mobile=True, has_touch=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def training_workspace(tmp_path_factory) -> Workspace:
    """The small copy of the project the trainers' workbench changes and trains in these tests."""
    return small_workspace.build(tmp_path_factory.mktemp("workspace"))


@pytest.fixture(scope="session")
def web(assistant, training_workspace) -> Iterator[str]:
    """The API (gateway, pages, console, workbench) on a free port, talking to the real Rasa server."""
    with session_scope(session_factory(assistant.database_url)) as session:
        seed_demo_agents(session, AGENT_PASSWORD, reset=True)
    port = _free_port()
    env = {**assistant.env, "RASA_URL": assistant.rasa_url, "RASA_API_TOKEN": TOKEN,
           "DEMO_BANK_PASSWORD": BANK_PASSWORD, "TRAINING_WORKSPACE": str(training_workspace.root)}
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


def desktop_page(browser):
    """A desktop-sized page in a context of its own (its own sessionStorage)."""
    return browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai").new_page()


def send(page, text: str) -> None:
    """The cardholder writes in the chat widget."""
    page.fill("#chat-input", text)
    page.click("#chat-send")


def open_console(browser, web: str, username: str = "agent1", path: str = "/agent"):
    """A staff page (the agent console, the dashboard, the trainers' workbench), signed in."""
    agent = desktop_page(browser)
    agent.goto(f"{web}{path}")
    agent.fill("#agent-username", username)
    agent.fill("#agent-password", AGENT_PASSWORD)
    agent.click("#agent-login")
    return agent


def signed_in_cardholder(browser, web: str, customer_id: str, masked_name: str):
    """A demo cardholder signed in on the bank site, the chat opened."""
    from playwright.sync_api import expect

    cardholder = desktop_page(browser)
    cardholder.goto(web)
    cardholder.select_option("#login-customer", customer_id)
    cardholder.fill("#login-password", BANK_PASSWORD)
    cardholder.click("#login-submit")
    expect(cardholder.locator("#login-name")).to_contain_text(masked_name, timeout=TIMEOUT)
    cardholder.click("#chat-launcher")
    return cardholder
