"""Scripted cardholders for the cluster tests: sign in at the bank, chat through nginx, and keep
what a careful tester would check afterwards (which messages were accepted, what came back)."""
from __future__ import annotations

import asyncio
import json
import math
import time
from dataclasses import dataclass, field

import httpx
import websockets

SCRIPT = ("你好", "我欠了多少钱", "逾期了会有什么后果", "利息和违约金怎么算", "能不能分期还", "好的谢谢")
CARDHOLDERS = ("C0001", "C0002", "C0003")
TURN_TIMEOUT_S = 90.0


@dataclass
class Chat:
    """One conversation as the cardholder saw it."""

    index: int
    conversation_id: str = ""
    accepted: list[int] = field(default_factory=list)  # ids of the messages the gateway stored
    bot_messages: list[int] = field(default_factory=list)
    unanswered_turns: list[int] = field(default_factory=list)
    refusals: list[int] = field(default_factory=list)  # clear 503s, each retried with the same client id
    stored_unheard: list[int] = field(default_factory=list)  # answers stored whose frames never came
    spans: list[tuple[float, float]] = field(default_factory=list)  # each turn: sent, answered (monotonic)
    reconnects: int = 0
    failure: str = ""


async def converse(base_url: str, index: int, think_s: float, script: tuple[str, ...] = SCRIPT) -> Chat:
    """Six messages, each sent once its predecessor was answered; a 503 is retried as the widget
    would, with the same client id (the gateway stores a client id once)."""
    chat = Chat(index)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        try:
            login = await _with_retries(chat, lambda: client.post(
                "/api/bank/login", json={"customer_id": CARDHOLDERS[index % 3], "password": "demo-password"}))
            started = await _with_retries(chat, lambda: client.post(
                "/api/chat/conversations", headers={"Authorization": f"Bearer {login.json()['token']}"}))
        except httpx.HTTPError as error:
            chat.failure = f"start: {error!r}"
            return chat
        chat.conversation_id, token = started.json()["conversation_id"], started.json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        arrivals: asyncio.Queue[int] = asyncio.Queue()
        reader = asyncio.create_task(_listen(base_url.replace("http", "ws", 1) + "/api/chat/ws", token, chat, arrivals))
        try:
            for turn, text in enumerate(script, start=1):
                try:
                    sent = await _with_retries(chat, lambda: client.post(
                        "/api/chat/messages", headers=headers, json={"text": text, "client_id": f"t{turn}"}))
                except httpx.HTTPError as error:
                    chat.failure = f"turn {turn}: {error!r}"
                    return chat
                chat.accepted.append(sent.json()["message"]["id"])
                sent_at = time.monotonic()
                try:
                    await asyncio.wait_for(_answer_to(chat.accepted[-1], arrivals), TURN_TIMEOUT_S)
                    chat.spans.append((sent_at, time.monotonic()))
                except asyncio.TimeoutError:
                    chat.spans.append((sent_at, math.inf))
                    chat.unanswered_turns.append(turn)
                    chat.stored_unheard += await _stored_answers(client, headers, chat.accepted[-1])
                await asyncio.sleep(think_s)
        finally:
            reader.cancel()
    return chat


def turns_in_flight(chats: list[Chat], moment: float) -> int:
    """How many turns were sent and not yet answered at `moment` (time.monotonic())."""
    return sum(sent <= moment <= answered for chat in chats for sent, answered in chat.spans)


async def _answer_to(message_id: int, arrivals: asyncio.Queue) -> None:
    """Until a bot message stored after `message_id` arrives: a late bubble of the previous turn's
    answer (frames of one answer can reach a busy machine's socket more than a second apart) is
    not this message's answer."""
    while await arrivals.get() < message_id:
        pass


async def _stored_answers(client: httpx.AsyncClient, headers: dict[str, str], message_id: int) -> list[int]:
    """For an unanswered turn: the bot messages the gateway stored after it, to tell a lost frame
    from an answer that never came."""
    page = await client.get(f"/api/chat/messages?after={message_id}", headers=headers)
    return [m["id"] for m in page.json()["messages"] if m["sender"] in ("bot", "system")] if page.is_success else []


async def _with_retries(chat: Chat, call, attempts: int = 20) -> httpx.Response:
    for _ in range(attempts):
        response = await call()
        if response.status_code != 503:
            response.raise_for_status()
            return response
        chat.refusals.append(response.status_code)
        await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
    response.raise_for_status()
    return response


async def _listen(socket_url: str, token: str, chat: Chat, arrivals: asyncio.Queue) -> None:
    """The conversation's socket, kept open as the widget keeps it: when it closes (a gateway
    whose Redis subscription lapsed closes its sockets with 1013, "try again"), it reconnects and
    asks for what came after the last message seen."""
    last_seen = 0
    while True:
        try:
            async with websockets.connect(socket_url) as socket:
                await socket.send(json.dumps({"type": "auth", "token": token, "after": last_seen}))
                async for raw in socket:
                    frame = json.loads(raw)
                    message = frame.get("message") if frame.get("type") == "message" else None
                    if not message:
                        continue
                    last_seen = max(last_seen, message["id"])
                    if message.get("sender") in ("bot", "system") and message["id"] not in chat.bot_messages:
                        chat.bot_messages.append(message["id"])
                        arrivals.put_nowait(message["id"])
        except (websockets.WebSocketException, OSError, asyncio.TimeoutError):
            pass
        chat.reconnects += 1
        await asyncio.sleep(0.5)


async def many(base_url: str, conversations: int, think_s: float) -> list[Chat]:
    async def staggered(index: int) -> Chat:
        await asyncio.sleep(index * 0.05)
        return await converse(base_url, index, think_s)

    return list(await asyncio.gather(*(staggered(i) for i in range(conversations))))
