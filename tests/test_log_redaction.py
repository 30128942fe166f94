"""The log filter removes secrets before a line is written, and the log scan would see them if not."""
from __future__ import annotations

import io
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bot.log_redaction import RedactingFilter, install

REPO = Path(__file__).resolve().parent.parent
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJDMDAwMSJ9.c2lnbmF0dXJlLXZhbHVl"
LEAKS = [
    f'127.0.0.1:5000 - "GET /api/chat/ws?token={JWT}&after=3 HTTP/1.1" 101',
    "GET /conversations/web-1/tracker?token=e2e-test-token&include_events=NONE",
    f"Authorization: Bearer {JWT}",
    '< TEXT \'{"type":"auth","token":"opaque-token-value-1234"}\'',
    "card 6222021234566217 declined",
    "ID 11010519851203121X on file",
    "phone 13800006217",
]


def _scan(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "scripts" / "scan_logs.py"), str(folder)],
                          capture_output=True, text=True, cwd=REPO)


@pytest.mark.parametrize("line", LEAKS)
def test_the_scan_finds_a_planted_leak(tmp_path, line):
    (tmp_path / "app.log").write_text(f"INFO starting\n{line}\n", encoding="utf-8")
    found = _scan(tmp_path)
    assert found.returncode == 1 and "app.log:2" in found.stderr


def test_the_filter_removes_every_leak_before_it_is_written(tmp_path):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("leaky-library")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        install(["leaky-library"])
        assert any(isinstance(f, RedactingFilter) for f in handler.filters)
        for line in LEAKS:
            logger.warning("%s", line)
        try:
            raise ValueError(f"request failed for url ?token={JWT}")
        except ValueError:
            logger.exception("boom")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "[redacted]" in written and "ValueError" in written
    (tmp_path / "app.log").write_text(written, encoding="utf-8")
    clean = _scan(tmp_path)
    assert clean.returncode == 0, clean.stderr
