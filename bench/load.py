"""Load on the running assistant: N scripted conversations at once, straight to Rasa or through the
gateway, and the latency of every turn.

A conversation is a signed-in cardholder's six messages (greeting, balance, consequences, fees,
installment, thanks). Straight to Rasa a turn is one POST to the REST channel; through the gateway
it is the time from the POST of the message to the first bot message on the conversation's socket
(the gateway answers the POST at once and forwards to Rasa in the background). `--think` is the
pause between a reply and the next message (0: a closed loop, every conversation as fast as it is
answered).

    .venv/bin/python bench/load.py --target gateway --conversations 50 --think 3
    .venv/bin/python bench/load.py --target rasa --conversations 10 --out bench/results/rasa-10.json

Prints one JSON line (p50, p95, p99 in ms, messages a second, errors) and writes it with every
turn's latency to --out.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import websockets

SCRIPT = ("你好", "我欠了多少钱", "逾期了会有什么后果", "利息和违约金怎么算", "能不能分期还", "好的谢谢")
CARDHOLDERS = ("C0001", "C0002", "C0003")
DEMO_BANK_PASSWORD = "demo-password"
TURN_TIMEOUT_S = 60.0


@dataclass
class Run:
    """What one load produced: each turn's latency in seconds, by its place in the conversation."""

    target: str
    conversations: int
    think_s: float
    latencies: list[float] = field(default_factory=list)
    by_turn: dict[int, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, turn: int, latency: float) -> None:
        self.latencies.append(latency)
        self.by_turn.setdefault(turn, []).append(latency)

    def summary(self) -> dict:
        ordered = sorted(self.latencies)
        return {
            "target": self.target, "conversations": self.conversations, "think_s": self.think_s,
            "messages": len(ordered), "errors": len(self.errors),
            "p50_ms": _ms(_quantile(ordered, 0.50)), "p95_ms": _ms(_quantile(ordered, 0.95)),
            "p99_ms": _ms(_quantile(ordered, 0.99)), "mean_ms": _ms(statistics.fmean(ordered) if ordered else None),
            "messages_per_s": round(len(ordered) / self.seconds, 2) if self.seconds else None,
            "seconds": round(self.seconds, 1),
            "p50_ms_by_turn": {turn: _ms(_quantile(sorted(v), 0.5)) for turn, v in sorted(self.by_turn.items())},
        }


async def straight_to_rasa(run: Run, rasa_url: str, script: tuple[str, ...], index: int) -> None:
    sender = f"bench-{uuid.uuid4().hex[:12]}"
    async with httpx.AsyncClient(base_url=rasa_url, timeout=TURN_TIMEOUT_S) as client:
        for turn, text in enumerate(script, start=1):
            started = time.perf_counter()
            try:
                response = await client.post("/webhooks/rest/webhook", json={"sender": sender, "message": text})
                response.raise_for_status()
                run.add(turn, time.perf_counter() - started)
            except httpx.HTTPError as error:
                run.errors.append(f"{index}/{turn}: {error.__class__.__name__}")
            await asyncio.sleep(run.think_s)


async def through_gateway(run: Run, gateway_url: str, script: tuple[str, ...], index: int) -> None:
    async with httpx.AsyncClient(base_url=gateway_url, timeout=TURN_TIMEOUT_S) as client:
        customer = CARDHOLDERS[index % len(CARDHOLDERS)]
        try:
            login = await client.post("/api/bank/login", json={"customer_id": customer, "password": DEMO_BANK_PASSWORD})
            login.raise_for_status()
            started = await client.post("/api/chat/conversations",
                                        headers={"Authorization": f"Bearer {login.json()['token']}"})
            started.raise_for_status()
        except httpx.HTTPError as error:  # a conversation that could not start: every turn of it lost
            run.errors += [f"{index}/start: {error.__class__.__name__} {getattr(error, 'response', None)}"] * len(script)
            return
        token = started.json()["token"]
        socket_url = gateway_url.replace("http", "ws", 1) + "/api/chat/ws"
        async with websockets.connect(socket_url, max_size=2**20) as socket:
            await socket.send(json.dumps({"type": "auth", "token": token, "after": 0}))
            bot_messages: asyncio.Queue[float] = asyncio.Queue()
            reader = asyncio.create_task(_read_bot_messages(socket, bot_messages))
            try:
                for turn, text in enumerate(script, start=1):
                    await _drain(bot_messages)
                    started_at = time.perf_counter()
                    try:
                        sent = await client.post("/api/chat/messages", headers={"Authorization": f"Bearer {token}"},
                                                 json={"text": text, "client_id": f"{index}-{turn}"})
                        sent.raise_for_status()
                        arrived = await asyncio.wait_for(bot_messages.get(), TURN_TIMEOUT_S)
                        run.add(turn, arrived - started_at)
                        await asyncio.sleep(0.3)  # the rest of this turn's replies
                    except (httpx.HTTPError, asyncio.TimeoutError) as error:
                        run.errors.append(f"{index}/{turn}: {error.__class__.__name__}")
                    await asyncio.sleep(run.think_s)
            finally:
                reader.cancel()


async def _read_bot_messages(socket, arrivals: asyncio.Queue) -> None:
    async for raw in socket:
        frame = json.loads(raw)
        message = frame.get("message") if frame.get("type") == "message" else None
        if message and message.get("sender") == "bot":
            arrivals.put_nowait(time.perf_counter())


async def _drain(queue: asyncio.Queue) -> None:
    while not queue.empty():
        queue.get_nowait()


async def load(target: str, url: str, conversations: int, think_s: float, script: tuple[str, ...]) -> Run:
    run = Run(target, conversations, think_s)
    one = straight_to_rasa if target == "rasa" else through_gateway
    started = time.perf_counter()

    async def staggered(index: int) -> None:
        await asyncio.sleep(random.uniform(0, min(think_s, 1.0)))  # not all in the same millisecond
        await one(run, url, script, index)

    await asyncio.gather(*(staggered(i) for i in range(conversations)), return_exceptions=False)
    run.seconds = time.perf_counter() - started
    return run


def _quantile(ordered: list[float], q: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", choices=["rasa", "gateway"], required=True)
    parser.add_argument("--url", help="default: http://127.0.0.1:5005 (rasa) or http://127.0.0.1:8000 (gateway)")
    parser.add_argument("--conversations", type=int, default=10)
    parser.add_argument("--think", type=float, default=3.0, help="seconds between a reply and the next message")
    parser.add_argument("--turns", type=int, default=len(SCRIPT), help="repeat the script up to this many turns")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    url = args.url or ("http://127.0.0.1:5005" if args.target == "rasa" else "http://127.0.0.1:8000")
    script = tuple(SCRIPT[i % len(SCRIPT)] for i in range(args.turns))
    run = asyncio.run(load(args.target, url, args.conversations, args.think, script))
    summary = run.summary()
    print(json.dumps(summary, ensure_ascii=False))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({**summary, "latencies_s": run.latencies, "errors_seen": run.errors[:50]},
                                       ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
