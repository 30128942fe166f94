"""The real Rasa server and action server, started once per test session on free ports.

Shared by the end-to-end, API and browser tests (registered in tests/conftest.py).

They use the model trained by `make train` (which `make test` runs first), a temporary bank
database seeded with the demo cardholders and a temporary tracker store: SQLite files, or on the
production settings (`make test-cluster`) PostgreSQL databases of their own (TEST_DATABASE_URL,
tests/databases.py), the Redis lock store (TEST_REDIS_URL) and the RabbitMQ event broker
(TEST_RABBITMQ_URL, a queue of their own). Their logs go to results/logs/, which the log scan
after the test run reads (scripts/scan_logs.py).
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from bot.clock import bank_today, now_in_bank_tz
from bot.data.db import migrate, session_factory, session_scope
from bot.data.seed import seed_demo
from tests import databases

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "models" / "assistant.tar.gz"
LOGS = REPO / "results" / "logs"
TOKEN = "e2e-test-token"
ACTION_TOKEN = "e2e-action-server-shared-secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, log: Path, seconds: int) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"{url} did not come up in {seconds}s:\n{log.read_text()[-3000:]}")


ALWAYS_OPEN = {"start": "00:00", "end": "23:59:59"}


def _write_rules(path: Path, service_hours: dict[str, str]) -> Path:
    """The bank's rules with these service hours (the action server reads the file again on change)."""
    rules = yaml.safe_load((REPO / "bot" / "product_rules.yml").read_text(encoding="utf-8"))
    rules["service_hours"] = service_hours
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    return path


def _closed_now() -> dict[str, str]:
    """A one-minute service window six hours away: whatever the hour the tests run, agents are off duty."""
    start = (now_in_bank_tz() + timedelta(hours=6)).replace(second=0, microsecond=0)
    start = min(start, start.replace(hour=23, minute=58))
    return {"start": start.strftime("%H:%M"), "end": (start + timedelta(minutes=1)).strftime("%H:%M")}


@dataclass
class Assistant:
    rasa_url: str
    database_url: str
    env: dict
    action_url: str

    def say(self, sender: str, text: str, metadata: dict | None = None) -> list[dict]:
        """Send one message through the REST channel; the bot's replies."""
        body = json.dumps({"sender": sender, "message": text, "metadata": metadata or {}}).encode()
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook", body, {"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            assert response.status == 200
            return json.loads(response.read())

    def tracker(self, sender: str) -> dict:
        with urllib.request.urlopen(f"{self.rasa_url}/conversations/{sender}/tracker?token={TOKEN}", timeout=30) as r:
            return json.loads(r.read())

    @contextmanager
    def outside_service_hours(self) -> Iterator[None]:
        """Agents off duty for the length of a test; on duty all day again afterwards."""
        path = Path(self.env["PRODUCT_RULES_PATH"])
        _write_rules(path, _closed_now())
        try:
            yield
        finally:
            _write_rules(path, ALWAYS_OPEN)

    def sessions(self):
        return session_factory(self.database_url)


def _database(request: pytest.FixtureRequest, tmp: Path, name: str) -> str:
    """A SQLite file, or with TEST_DATABASE_URL a PostgreSQL database of its own; the finalizer
    registered here runs after the fixture's own teardown, so the servers have stopped by the drop."""
    server = databases.server_url()
    if server is None:
        return f"sqlite:///{tmp / f'{name}.db'}"
    url = databases.create_database(server, databases.unique_name(f"{name}_e2e"))
    request.addfinalizer(lambda: databases.drop_database(server, url))
    return url


def _production_services(request: pytest.FixtureRequest) -> dict[str, str]:
    """The Redis lock store and the RabbitMQ broker when the run asks for them (a queue and an
    exchange of this run's own, deleted afterwards)."""
    env: dict[str, str] = {}
    if os.environ.get("TEST_REDIS_URL"):
        env["REDIS_URL"] = os.environ["TEST_REDIS_URL"]
    if os.environ.get("TEST_RABBITMQ_URL"):
        suffix = databases.unique_name("e2e")
        env |= {"RABBITMQ_URL": os.environ["TEST_RABBITMQ_URL"], "RABBITMQ_QUEUE": f"events_{suffix}",
                "RABBITMQ_EXCHANGE": f"exchange_{suffix}"}
        request.addfinalizer(lambda: delete_queue(env["RABBITMQ_URL"], env["RABBITMQ_QUEUE"], env["RABBITMQ_EXCHANGE"]))
    return env


def delete_queue(url: str, queue: str, exchange: str) -> None:
    """Delete a run's RabbitMQ queue and exchange, on a thread of its own: a session's teardown may
    run inside another event loop (the browser tests' Playwright)."""
    import asyncio
    import threading

    import aio_pika

    async def delete() -> None:
        async with await aio_pika.connect(url) as connection:
            channel = await connection.channel()
            await channel.queue_delete(queue)
            await channel.exchange_delete(exchange)

    worker = threading.Thread(target=lambda: asyncio.run(delete()))
    worker.start()
    worker.join(30)


@pytest.fixture(scope="session")
def assistant(request, tmp_path_factory) -> Iterator[Assistant]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first (`make test` does)")
    tmp = tmp_path_factory.mktemp("e2e")
    database_url = _database(request, tmp, "bank")
    tracker_url = _database(request, tmp, "tracker")
    migrate(database_url)
    with session_scope(session_factory(database_url)) as session:
        seed_demo(session, bank_today())
    action_port, rasa_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "APP_ENV": "demo",
        "PRODUCT_RULES_PATH": str(_write_rules(tmp / "product_rules.yml", ALWAYS_OPEN)),
        "DATABASE_URL": database_url,
        "TRACKER_STORE_URL": tracker_url,
        **_production_services(request),
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "ACTION_PORT": str(action_port),
        "ACTION_SERVER_TOKEN": ACTION_TOKEN,
        "RASA_API_TOKEN": TOKEN,
        "RASA_TELEMETRY_ENABLED": "false",
    }
    bin_dir = REPO / ".venv" / "bin"
    LOGS.mkdir(parents=True, exist_ok=True)
    logs = {name: LOGS / f"{name}.log" for name in ("actions", "rasa")}
    actions = subprocess.Popen(
        [str(bin_dir / "python"), "-m", "actions.server"],
        cwd=REPO, env=env, stdout=logs["actions"].open("w"), stderr=subprocess.STDOUT,
    )
    rasa = subprocess.Popen(
        [str(bin_dir / "rasa"), "run", "--model", str(MODEL), "--enable-api", "--auth-token", TOKEN,
         "--port", str(rasa_port), "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"],
        cwd=REPO, env=env, stdout=logs["rasa"].open("w"), stderr=subprocess.STDOUT,
    )
    try:
        _wait(f"http://127.0.0.1:{action_port}/health", actions, logs["actions"], 120)
        _wait(f"http://127.0.0.1:{rasa_port}/", rasa, logs["rasa"], 300)
        yield Assistant(f"http://127.0.0.1:{rasa_port}", database_url, env, f"http://127.0.0.1:{action_port}")
    finally:
        for process in (rasa, actions):
            process.terminate()
        for process in (rasa, actions):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
