"""The cluster as `make run-cluster` starts it (scripts/cluster.py): 2 gateways, 2 Rasa and 2 action
servers, the event consumer and nginx, on the local PostgreSQL, Redis and RabbitMQ, with databases,
Redis numbers, queue and ports of its own so it never touches a developer's running cluster.

Collected only by `make test-cluster` (tests/conftest.py leaves this folder out otherwise).
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest
import redis
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from tests import databases
from tests.servers import ALWAYS_OPEN, _write_rules, delete_queue

REPO = Path(__file__).resolve().parents[2]
LOG_DIR = REPO / "results" / "logs" / "cluster"
PORTS = {"public": 18080, "gateways": 18100, "rasa": 15100, "actions": 15150}
REDIS_LOCKS, REDIS_LIMITS = "redis://127.0.0.1:6379/4", "redis://127.0.0.1:6379/5"
RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"
PG_SERVER = make_url("postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass
class RunningCluster:
    public_url: str
    database_url: str
    tracker_url: str
    run_dir: Path
    size: int = 2

    def gateway_url(self, index: int) -> str:
        return f"http://127.0.0.1:{PORTS['gateways'] + index}"

    def health_url(self, name: str) -> str:
        kind, index = name.rsplit("-", 1)
        paths = {"rasa": (PORTS["rasa"], "/"), "actions": (PORTS["actions"], "/health"),
                 "gateway": (PORTS["gateways"], "/health")}
        port, path = paths[kind]
        return f"http://127.0.0.1:{port + int(index)}{path}"

    def pid(self, name: str) -> int:
        return int((self.run_dir / f"{name}.pid").read_text())

    def kill(self, name: str) -> int:
        """SIGKILL the instance (and its children): no goodbye, as a crash or an OOM kill."""
        pid = self.pid(name)
        os.killpg(pid, signal.SIGKILL)
        return pid

    def wait_rejoined(self, name: str, old_pid: int, seconds: float = 300) -> int:
        """The supervisor started it again and it answers its health check; its new pid."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                pid = self.pid(name)
                if pid != old_pid and answers(self.health_url(name)):
                    return pid
            except (OSError, ValueError):
                pass
            time.sleep(1)
        raise AssertionError(f"{name} did not rejoin within {seconds:.0f}s")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def cluster(tmp_path_factory) -> Iterator[RunningCluster]:
    run_id = uuid.uuid4().hex[:8]
    bank = databases.create_database(PG_SERVER, f"cluster_bank_{run_id}")
    tracker = databases.create_database(PG_SERVER, f"cluster_tracker_{run_id}")
    for url in (REDIS_LOCKS, REDIS_LIMITS):
        redis.Redis.from_url(url).flushdb()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    rules = _write_rules(tmp_path_factory.mktemp("cluster") / "product_rules.yml", ALWAYS_OPEN)
    env = {
        **os.environ, "APP_ENV": "demo", "CLUSTER_SIZE": "2", "CLUSTER_DIR": str(LOG_DIR),
        "CLUSTER_PORT": str(PORTS["public"]), "CLUSTER_GATEWAY_PORT": str(PORTS["gateways"]),
        "CLUSTER_RASA_PORT": str(PORTS["rasa"]), "CLUSTER_ACTION_PORT": str(PORTS["actions"]),
        "DATABASE_URL": bank, "TRACKER_STORE_URL": tracker, "REDIS_URL": REDIS_LOCKS,
        "LIMITS_STORAGE_URL": REDIS_LIMITS, "RABBITMQ_URL": RABBITMQ_URL,
        "RABBITMQ_QUEUE": f"cluster_test_{run_id}", "RABBITMQ_EXCHANGE": f"cluster-test-{run_id}",
        "PRODUCT_RULES_PATH": str(rules),
        # the load comes from one address: the throttles for sign-ins and new chats stand aside
        "LOGIN_LIMITS_PER_ACCOUNT": "100000 per minute", "LOGIN_LIMITS_PER_ADDRESS": "100000 per minute",
        "CONVERSATION_LIMITS_PER_ADDRESS": "100000 per minute", "RATE_LIMIT_PER_MINUTE": "100000",
    }
    out = (LOG_DIR / "cluster.out").open("ab")
    process = subprocess.Popen([str(REPO / ".venv" / "bin" / "python"), "scripts/cluster.py"], cwd=REPO, env=env,
                               stdout=out, stderr=subprocess.STDOUT)
    public = f"http://127.0.0.1:{PORTS['public']}"
    try:
        deadline = time.monotonic() + 900
        while not answers(f"{public}/ready"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the cluster did not start:\n{(LOG_DIR / 'cluster.out').read_text()[-3000:]}")
            time.sleep(2)
        yield RunningCluster(public, bank, tracker, LOG_DIR / "run")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(90)
        except subprocess.TimeoutExpired:
            process.kill()
        for url in (bank, tracker):
            databases.drop_database(PG_SERVER, url)
        delete_queue(RABBITMQ_URL, env["RABBITMQ_QUEUE"], env["RABBITMQ_EXCHANGE"])


@pytest.fixture(scope="session")
def tracker_engine(cluster):
    engine = create_engine(cluster.tracker_url, future=True, pool_pre_ping=True)  # outlives the PostgreSQL restart
    yield engine
    engine.dispose()
