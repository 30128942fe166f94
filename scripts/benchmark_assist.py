"""How fast a suggestion reaches the agent: from the cardholder's message to the assist frame.

Starts the Rasa server on the trained model (only /model/parse is used: the conversations are
held by agents) and the API in this process, on a fresh SQLite database with the demo data; then
20 conversations (the default), each held by an agent whose console socket is open, are live at
once. Two loads, each message's latency measured from its POST to the assist frame on the holder's
socket (median, 95th percentile, maximum):

* paced: every cardholder writes a message every 2.5 to 7.5 s (a person typing), `--messages` each;
* burst: all conversations send a message at the same instant, `--rounds` times (the worst case:
  one Rasa process reads the 20 messages one after the other).

    .venv/bin/python scripts/benchmark_assist.py [--conversations 20] [--messages 10] [--rounds 5]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("APP_ENV", "demo")

import httpx  # noqa: E402
import websockets  # noqa: E402

from bot.clock import bank_today  # noqa: E402
from bot.data.db import migrate, session_factory, session_scope  # noqa: E402
from bot.data.models import Cardholder  # noqa: E402
from bot.data.seed import DEMO_AGENTS, seed_demo, seed_demo_agents  # noqa: E402
from bot.domain.product_rules import load_rules  # noqa: E402
from bot.services.accounts import account_position, primary_account  # noqa: E402
from bot.services.handoff import ConversationFacts, request_handoff  # noqa: E402

MODEL = REPO / "models" / "assistant.tar.gz"
TOKEN = "benchmark-rasa-token"
AGENT_PASSWORD = "benchmark-agent-password"
MESSAGES = ("我这个月工资还没发，下周五能还吗", "我每月只能还1200", "能不能分期", "利息怎么算的",
            "会不会影响征信", "我真的没钱了", "这笔消费不是我的", "我下周一先还2000")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise SystemExit(f"{url}: the process exited")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not come up in {seconds:.0f}s")


def seed(url: str) -> None:
    migrate(url)
    with session_scope(session_factory(url)) as session:
        seed_demo(session, bank_today())
        seed_demo_agents(session, AGENT_PASSWORD)


def hand_off(url: str, conversation_id: str, customer_id: str) -> None:
    """Queue the conversation for a person exactly as actions/handoff.py does."""
    rules = load_rules()
    with session_scope(session_factory(url)) as session:
        holder = session.query(Cardholder).filter_by(customer_id=customer_id).one()
        account = primary_account(session, holder.id)
        facts = ConversationFacts(conversation_id, "requested", ["request_human"], ["转人工"], holder, account,
                                  account_position(session, account, bank_today(), rules))
        request_handoff(session, facts, rules)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def held_conversations(client: httpx.AsyncClient, database_url: str, count: int) -> tuple[dict, list[tuple]]:
    """`count` signed-in conversations, each handed off and claimed by one of the demo agents."""
    agents = [name for name, _, role in DEMO_AGENTS if role == "agent"]
    tokens = {}
    for name in agents:
        login = await client.post("/api/agent/login", json={"username": name, "password": AGENT_PASSWORD})
        tokens[name] = login.json()["token"]
    chats = []
    for index in range(count):
        customer_id = f"C000{index % 3 + 1}"
        bank = await client.post("/api/bank/login", json={"customer_id": customer_id, "password": "demo-password"})
        started = (await client.post("/api/chat/conversations", headers=bearer(bank.json()["token"]))).json()
        hand_off(database_url, started["conversation_id"], customer_id)
        chats.append((started["conversation_id"], started["token"], agents[index % len(agents)]))
    queue = (await client.get("/api/agent/queue", headers=bearer(tokens[agents[0]]))).json()["items"]
    handoff_of = {item["conversation_id"]: item["handoff_id"] for item in queue}
    for conversation_id, _, holder in chats:
        claimed = await client.post(f"/api/agent/handoffs/{handoff_of[conversation_id]}/claim", headers=bearer(tokens[holder]))
        claimed.raise_for_status()
    return tokens, chats


class Stopwatch:
    """When each assist frame reached its holder, by message id."""

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}

    async def listen(self, api: str, token: str) -> None:
        async with websockets.connect(api.replace("http", "ws") + "/api/agent/ws") as ws:
            await ws.send(json.dumps({"type": "auth", "token": token}))
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("type") == "assist" and frame["assist"].get("message_id"):
                    self.arrived[frame["assist"]["message_id"]] = time.perf_counter()

    async def latency(self, message_id: int, sent_at: float, wait: float = 30.0) -> float | None:
        deadline = sent_at + wait
        while message_id not in self.arrived and time.perf_counter() < deadline:
            await asyncio.sleep(0.005)
        return self.arrived[message_id] - sent_at if message_id in self.arrived else None


async def measure(api: str, database_url: str, conversations: int, messages: int, rounds: int) -> dict[str, list]:
    """Seconds from each cardholder message's POST to its assist frame, for the paced and the burst load."""
    watch = Stopwatch()
    rng = random.Random(7)
    async with httpx.AsyncClient(base_url=api, timeout=60) as client:
        tokens, chats = await held_conversations(client, database_url, conversations)
        listeners = [asyncio.create_task(watch.listen(api, token)) for token in tokens.values()]
        await asyncio.sleep(1.0)  # the sockets are authenticated

        async def say(token: str, text: str) -> float | None:
            sent_at = time.perf_counter()
            response = await client.post("/api/chat/messages", headers=bearer(token), json={"text": text})
            response.raise_for_status()
            return await watch.latency(response.json()["message"]["id"], sent_at)

        await asyncio.gather(*(say(token, "你好") for _, token, _ in chats))  # warm-up, not counted

        async def cardholder(index: int, token: str) -> list[float | None]:
            await asyncio.sleep(rng.uniform(0, 5))
            out = []
            for n in range(messages):
                out.append(await say(token, MESSAGES[(index + n) % len(MESSAGES)]))
                await asyncio.sleep(rng.uniform(2.5, 7.5))
            return out

        paced = [x for got in await asyncio.gather(*(cardholder(i, token) for i, (_, token, _) in enumerate(chats)))
                 for x in got]
        burst: list[float | None] = []
        for round_number in range(rounds):
            burst += await asyncio.gather(*(say(token, MESSAGES[(round_number + i) % len(MESSAGES)])
                                            for i, (_, token, _) in enumerate(chats)))
        for task in listeners:
            task.cancel()
        return {"paced": paced, "burst": burst}


def report(name: str, latencies: list[float | None], what: str) -> None:
    ms = sorted(1000 * x for x in latencies if x is not None)
    lost = sum(1 for x in latencies if x is None)
    if not ms:
        print(f"{name}: no assist frame arrived")
        return
    p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
    print(f"{name} ({what}, {len(latencies)} messages): median {statistics.median(ms):.0f} ms, "
          f"p95 {p95:.0f} ms, max {ms[-1]:.0f} ms" + (f", {lost} frames missing after 30 s" if lost else ""))


def start_rasa(port: int, workdir: Path) -> subprocess.Popen:
    """Only the model's /model/parse is asked for: no action server, an in-memory tracker store."""
    log_path, endpoints = workdir / "rasa.log", workdir / "endpoints.yml"
    endpoints.write_text("{}\n", encoding="utf-8")
    log = log_path.open("w")
    process = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "rasa"), "run", "--enable-api", "--auth-token", TOKEN, "--model", str(MODEL),
         "--port", str(port), "--interface", "127.0.0.1", "--endpoints", str(endpoints)],
        cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "APP_ENV": "demo"},
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/status?token={TOKEN}", 300, process)
    except SystemExit:
        print(log_path.read_text()[-3000:])
        raise
    return process


def start_api(database_url: str, rasa_url: str, port: int, workdir: Path) -> subprocess.Popen:
    """The API as `make run` starts it (its own process), with the throttles opened: every
    conversation of the benchmark comes from one address."""
    many = "10000 per minute"
    env = {**os.environ, "APP_ENV": "demo", "DATABASE_URL": database_url, "RASA_URL": rasa_url, "RASA_API_TOKEN": TOKEN,
           "LOGIN_LIMITS_PER_ACCOUNT": many, "LOGIN_LIMITS_PER_ADDRESS": many,
           "CONVERSATION_LIMITS_PER_ADDRESS": many, "RATE_LIMIT_PER_MINUTE": "10000"}
    process = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "uvicorn"), "--factory", "api.main:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        cwd=REPO, env=env, stdout=(workdir / "api.log").open("w"), stderr=subprocess.STDOUT,
    )
    wait_for(f"http://127.0.0.1:{port}/api/bank/demo-customers", 60, process)
    return process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--messages", type=int, default=10, help="messages per cardholder, paced load")
    parser.add_argument("--rounds", type=int, default=5, help="bursts of one message per conversation")
    args = parser.parse_args()
    if not MODEL.exists():
        raise SystemExit(f"no trained model at {MODEL}: run `make train` first")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        database_url = f"sqlite:///{workdir / 'bank.db'}"
        seed(database_url)
        rasa_port, api_port = free_port(), free_port()
        rasa = start_rasa(rasa_port, workdir)
        try:
            api = start_api(database_url, f"http://127.0.0.1:{rasa_port}", api_port, workdir)
            try:
                results = asyncio.run(measure(f"http://127.0.0.1:{api_port}", database_url, args.conversations,
                                              args.messages, args.rounds))
            finally:
                api.terminate()
                api.wait(timeout=30)
        finally:
            rasa.terminate()
            rasa.wait(timeout=60)
    print(f"assist latency, {args.conversations} agent conversations live at once, {os.cpu_count()} CPUs:")
    report("paced", results["paced"], "each cardholder writes every 2.5-7.5 s")
    report("burst", results["burst"], f"all {args.conversations} write at the same instant, {args.rounds} times")


if __name__ == "__main__":
    main()
