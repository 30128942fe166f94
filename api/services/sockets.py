"""The WebSocket sessions of the chat widget and of the agent console.

Each socket has two tasks: one sends the frames queued for it (api.services.hub), the other
reads the client's frames; the session ends when either stops.
"""
from __future__ import annotations

import asyncio
import json
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
from bot.services import agent_desk
from bot.services.errors import ServiceError

CLOSE_BAD_TOKEN = 4401
MAX_CLIENT_ID = 64


async def serve_customer(websocket: WebSocket, gateway: ChatGateway, settings: ApiSettings, token: str, after: int) -> None:
    """Replay what the widget has not seen, then live frames; take its messages and typing."""
    await websocket.accept()
    identity = await _authenticate(
        websocket, gateway, lambda unit: auth.conversation_identity(unit.session, settings, token)
    )
    if identity is None:
        return
    subscriber = Subscriber(asyncio.get_running_loop())
    gateway.hub.join_conversation(identity.conversation_id, subscriber)
    try:
        messages, state = await run_in_threadpool(gateway.replay, identity, max(after, 0))
        first = [{"type": "message", "message": jsonable_encoder(m)} for m in messages]
        first.append({"type": "state", "state": jsonable_encoder(state)})

        async def on_frame(frame: dict[str, Any]) -> None:
            await _customer_frame(frame, identity, gateway, subscriber)

        await _serve(websocket, subscriber, first, on_frame)
    finally:
        gateway.hub.leave_conversation(identity.conversation_id, subscriber)


async def serve_agent(websocket: WebSocket, gateway: ChatGateway, settings: ApiSettings, token: str) -> None:
    """The desk's live view: the queue now and on every change, messages, customer typing."""
    await websocket.accept()
    found = await _authenticate(websocket, gateway, lambda unit: _agent_and_queue(unit, settings, token))
    if found is None:
        return
    identity, first_queue = found
    subscriber = Subscriber(asyncio.get_running_loop())
    gateway.hub.join_desk(subscriber, identity)
    try:
        async def on_frame(frame: dict[str, Any]) -> None:
            await _agent_frame(frame, identity, gateway, subscriber)

        await _serve(websocket, subscriber, [first_queue], on_frame)
    finally:
        gateway.hub.leave_desk(subscriber)


async def _authenticate(websocket: WebSocket, gateway: ChatGateway, check: Callable[[Unit], Any]) -> Any:
    """The identity, or None after closing the socket with 4401 (the page signs in again)."""
    try:
        return await gateway.run(check)
    except (TokenError, ServiceError):
        await websocket.close(code=CLOSE_BAD_TOKEN)
        return None


def _agent_and_queue(unit: Unit, settings: ApiSettings, token: str) -> tuple[AgentIdentity, Frame]:
    account = auth.agent_account(unit.session, settings, token)
    return auth.agent_identity(account), queue_frame(unit.session, account)


async def _serve(
    websocket: WebSocket, subscriber: Subscriber, first: Iterable[Frame],
    on_frame: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    sender = asyncio.create_task(subscriber.pump(websocket, first))
    reader = asyncio.create_task(_read(websocket, subscriber, on_frame))
    done, pending = await asyncio.wait({sender, reader}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        if not task.cancelled() and task.exception() and not isinstance(task.exception(), WebSocketDisconnect):
            raise task.exception()  # type: ignore[misc]


async def _read(
    websocket: WebSocket, subscriber: Subscriber, on_frame: Callable[[dict[str, Any]], Awaitable[None]]
) -> None:
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
    frame: dict[str, Any], identity: CustomerIdentity, gateway: ChatGateway, subscriber: Subscriber
) -> None:
    kind, client_id = frame.get("type"), frame.get("client_id")
    if kind == "typing":
        await gateway.run(_customer_typing, identity.conversation_id, bool(frame.get("on")))
        return
    text = frame.get("text")
    client_id_ok = client_id is None or (isinstance(client_id, str) and len(client_id) <= MAX_CLIENT_ID)
    if kind != "message" or not isinstance(text, str) or not client_id_ok:
        subscriber.offer(error_frame("invalid_request", client_id=client_id if client_id_ok else None))
        return
    try:
        message, created = await run_in_threadpool(gateway.accept, identity, text, client_id)
    except ServiceError as exc:
        subscriber.offer(error_frame(exc.code, client_id=client_id))
        return
    subscriber.offer({"type": "ack", "client_id": client_id, "message": jsonable_encoder(message)})
    if created:
        gateway.spawn(gateway.forward(identity.conversation_id, message.id))


def _customer_typing(unit: Unit, conversation_id: str, on: bool) -> None:
    """Shown to the agent once one has joined; nobody else needs it."""
    holder = agent_desk.holder_of(unit.session, conversation_id)
    if holder is not None:
        frame = {"type": "typing", "conversation_id": conversation_id, "on": on}
        unit.outbox.to_agents(frame, holder.username)


async def _agent_frame(
    frame: dict[str, Any], identity: AgentIdentity, gateway: ChatGateway, subscriber: Subscriber
) -> None:
    """Agents send messages over HTTP; over the socket only "typing" in a conversation they hold."""
    conversation_id = frame.get("conversation_id")
    if frame.get("type") != "typing" or not isinstance(conversation_id, str):
        subscriber.offer(error_frame("invalid_request"))
        return
    await gateway.run(_agent_typing, conversation_id, identity, bool(frame.get("on")))


def _agent_typing(unit: Unit, conversation_id: str, identity: AgentIdentity, on: bool) -> None:
    holder = agent_desk.holder_of(unit.session, conversation_id)
    if holder is not None and holder.id == identity.id:
        unit.outbox.to_conversation(conversation_id, {"type": "typing", "who": "agent", "on": on})
