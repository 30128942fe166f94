"""Browser fixtures: the system's headless Chromium driven by Playwright (no browser download)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


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
