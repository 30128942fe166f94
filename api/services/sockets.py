"""The WebSocket sessions of the chat widget and of the agent console.

A socket's URL carries no token (access logs would keep it): its first frame must be
{"type": "auth", "token": ..., "after": <last message id seen>} within a few seconds, or it is
closed with 4401. Each session then has three tasks: one sends the frames queued for it
(api.services.hub), one reads the client's frames, one re-checks the token at its expiry and
every few seconds (a deactivated or demoted agent is cut off at once); the session ends when
any of them stops. A token may hold a few sockets at once (tabs), not an unbounded number.
"""
from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime
from typing import Any, Awaitable, Callable, Iterable

from fastapi.encoders import jsonable_encoder
from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect

from api.core.config import ApiSettings
from api.core.errors import error_frame
from api.core.identity import AgentIdentity, CustomerIdentity
from api.core.security import TokenError
from api.services import auth
from api.services.gateway import ChatGateway
from api.services.hub import Frame, Subscriber
from api.services.outbox import Unit, queue_frame
from bot.data.models import AgentAccount, utcnow
from bot.services import agent_desk
from bot.services.errors import ServiceError

CLOSE_BAD_TOKEN = 4401
CLOSE_TOO_MANY_SOCKETS = 4429
MAX_CLIENT_ID = 64
MAX_AUTH_FRAME = 4096

FrameHandler = Callable[[dict[str, Any]], Awaitable[None]]


class TypingGate:
    """Passes a typing frame when the state changes or a full interval has passed, and never
    more than five a second: a client cannot flood the other side with typing frames."""

    def __init__(self, interval_seconds: float) -> None:
        self._interval = interval_seconds
        self._last_on: bool | None = None
        self._last_at = float("-inf")

    def allow(self, on: bool) -> bool:
        now = time.monotonic()
        since = now - self._last_at
        if since < self._interval / 5 or (on == self._last_on and since < self._interval):
            return False
        self._last_on, self._last_at = on, now
        return True


async def serve_customer(websocket: WebSocket, gateway: ChatGateway, settings: ApiSettings) -> None:
    """Replay what the widget has not seen, then live frames; take its messages and typing."""
    await websocket.accept()
    hello = await _first_frame(websocket, settings)
    if hello is None:
        return

    def check(unit: Unit) -> CustomerIdentity:
        return auth.conversation_identity(unit.session, settings, hello.get("token"))

    identity = await _authenticate(websocket, gateway, check)
    if identity is None:
        return
    subscriber = Subscriber(asyncio.get_running_loop())
    if not gateway.hub.join_conversation(identity.conversation_id, subscriber, settings.max_sockets_per_token):
        await websocket.close(code=CLOSE_TOO_MANY_SOCKETS)
        return
    try:
        after = hello.get("after")
        after = after if isinstance(after, int) and after > 0 else 0
        messages, state = await run_in_threadpool(gateway.replay, identity, after)
        first = [{"type": "message", "message": jsonable_encoder(m)} for m in messages]
        first.append({"type": "state", "state": jsonable_encoder(state)})
        typing = TypingGate(settings.typing_interval_seconds)

        async def on_frame(frame: dict[str, Any]) -> None:
            await _customer_frame(frame, identity, gateway, subscriber, typing)

        watch = _watch(websocket, gateway, settings, lambda unit: check(unit) is not None, identity.expires_at)
        await _serve(websocket, subscriber, first, on_frame, watch)
    finally:
        gateway.hub.leave_conversation(identity.conversation_id, subscriber)


async def serve_agent(websocket: WebSocket, gateway: ChatGateway, settings: ApiSettings) -> None:
    """The desk's live view: the queue now and on every change, messages, customer typing."""
    await websocket.accept()
    hello = await _first_frame(websocket, settings)
    if hello is None:
        return
    token = hello.get("token")

    def check(unit: Unit) -> tuple[AgentIdentity, Frame]:
        found = auth.agent_identity(unit.session, settings, token)
        return found, queue_frame(unit.session, unit.session.get(AgentAccount, found.id))

    found = await _authenticate(websocket, gateway, check)
    if found is None:
        return
    identity, first_queue = found
    subscriber = Subscriber(asyncio.get_running_loop())
    if not gateway.hub.join_desk(subscriber, identity, settings.max_sockets_per_token):
        await websocket.close(code=CLOSE_TOO_MANY_SOCKETS)
        return
    try:
        typing = TypingGate(settings.typing_interval_seconds)

        async def on_frame(frame: dict[str, Any]) -> None:
            await _agent_frame(frame, identity, gateway, subscriber, typing)

        def unchanged(unit: Unit) -> bool:
            return auth.agent_identity(unit.session, settings, token).role == identity.role

        watch = _watch(websocket, gateway, settings, unchanged, identity.expires_at)
        await _serve(websocket, subscriber, [first_queue], on_frame, watch)
    finally:
        gateway.hub.leave_desk(subscriber)


async def _first_frame(websocket: WebSocket, settings: ApiSettings) -> dict[str, Any] | None:
    """The client's {"type": "auth", "token": ...} frame, or None after closing with 4401."""
    try:
        raw = await asyncio.wait_for(websocket.receive_text(), timeout=settings.socket_auth_seconds)
        frame = json.loads(raw) if len(raw) <= MAX_AUTH_FRAME else None
    except (asyncio.TimeoutError, ValueError, KeyError, WebSocketDisconnect, RuntimeError):
        frame = None
    if isinstance(frame, dict) and frame.get("type") == "auth" and isinstance(frame.get("token"), str):
        return frame
    await _close(websocket, CLOSE_BAD_TOKEN)
    return None


async def _authenticate(websocket: WebSocket, gateway: ChatGateway, check: Callable[[Unit], Any]) -> Any:
    """The identity, or None after closing the socket with 4401 (the page signs in again)."""
    try:
        return await gateway.run(check)
    except (TokenError, ServiceError):
        await _close(websocket, CLOSE_BAD_TOKEN)
        return None


async def _watch(
    websocket: WebSocket, gateway: ChatGateway, settings: ApiSettings, still_valid: Callable[[Unit], bool],
    expires_at: datetime | None,
) -> None:
    """Re-check the session at the token's expiry and every few seconds; close with 4401 once it fails."""
    while True:
        wait = settings.socket_recheck_seconds
        if expires_at is not None:
            wait = min(wait, max((expires_at - utcnow()).total_seconds(), 0.0) + 0.5)
        await asyncio.sleep(wait)
        try:
            valid = await gateway.run(still_valid)
        except (TokenError, ServiceError):
            valid = False
        if not valid:
            await _close(websocket, CLOSE_BAD_TOKEN)
            return


async def _close(websocket: WebSocket, code: int) -> None:
    try:
        await websocket.close(code=code)
    except RuntimeError:  # the client has already gone
        pass


async def _serve(
    websocket: WebSocket, subscriber: Subscriber, first: Iterable[Frame], on_frame: FrameHandler,
    watch: Awaitable[None],
) -> None:
    tasks = {
        asyncio.create_task(subscriber.pump(websocket, first)),
        asyncio.create_task(_read(websocket, subscriber, on_frame)),
        asyncio.create_task(watch),
    }
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        if not task.cancelled() and task.exception() and not isinstance(task.exception(), WebSocketDisconnect):
            raise task.exception()  # type: ignore[misc]


async def _read(websocket: WebSocket, subscriber: Subscriber, on_frame: FrameHandler) -> None:
    while True:
        try:
            raw = await websocket.receive_text()
        except WebSocketDisconnect:
            return
        try:
            frame = json.loads(raw)
        except ValueError:
            frame = None
        if not isinstance(frame, dict):
            subscriber.offer(error_frame("invalid_request"))
            continue
        await on_frame(frame)


async def _customer_frame(
    frame: dict[str, Any], identity: CustomerIdentity, gateway: ChatGateway, subscriber: Subscriber, typing: TypingGate
) -> None:
    kind, client_id = frame.get("type"), frame.get("client_id")
    if kind == "typing":
        on = bool(frame.get("on"))
        if typing.allow(on):
            await gateway.run(_customer_typing, identity.conversation_id, on)
        return
    text = frame.get("text")
    client_id_ok = client_id is None or (isinstance(client_id, str) and len(client_id) <= MAX_CLIENT_ID)
    if kind != "message" or not isinstance(text, str) or not client_id_ok:
        subscriber.offer(error_frame("invalid_request", client_id=client_id if client_id_ok else None))
        return
    try:
        message, pending = await run_in_threadpool(gateway.accept, identity, text, client_id)
    except ServiceError as exc:
        subscriber.offer(error_frame(exc.code, client_id=client_id))
        return
    subscriber.offer({"type": "ack", "client_id": client_id, "message": jsonable_encoder(message)})
    if pending:
        gateway.spawn(gateway.forward(identity.conversation_id))
    else:
        gateway.spawn(gateway.assist_agent(identity.conversation_id, message.id, message.text))


def _customer_typing(unit: Unit, conversation_id: str, on: bool) -> None:
    """Shown to the agent once one has joined; nobody else needs it."""
    holder = agent_desk.holder_of(unit.session, conversation_id)
    if holder is not None:
        frame = {"type": "typing", "conversation_id": conversation_id, "on": on}
        unit.outbox.to_agents(frame, holder.username)


async def _agent_frame(
    frame: dict[str, Any], identity: AgentIdentity, gateway: ChatGateway, subscriber: Subscriber, typing: TypingGate
) -> None:
    """Agents send messages over HTTP; over the socket only "typing" in a conversation they hold."""
    conversation_id = frame.get("conversation_id")
    if frame.get("type") != "typing" or not isinstance(conversation_id, str):
        subscriber.offer(error_frame("invalid_request"))
        return
    on = bool(frame.get("on"))
    if typing.allow(on):
        await gateway.run(_agent_typing, conversation_id, identity, on)


def _agent_typing(unit: Unit, conversation_id: str, identity: AgentIdentity, on: bool) -> None:
    holder = agent_desk.holder_of(unit.session, conversation_id)
    if holder is not None and holder.id == identity.id:
        unit.outbox.to_conversation(conversation_id, {"type": "typing", "who": "agent", "on": on})
