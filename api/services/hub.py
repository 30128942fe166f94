"""Live WebSocket fan-out inside one API process.

Cardholder sockets subscribe to their conversation; agent sockets subscribe to the desk.
Publishers may run on any thread (sync routes run in a thread pool), so a frame is handed to
the socket's own event loop and queued; one task per socket sends them in order. Frames are
published only after the database commit, and every message is stored, so a socket that drops
or falls behind loses nothing: the client reconnects with `after=<last id>` and is replayed.

One process only: with several API workers, replace this with a broker (e.g. Redis pub/sub).
"""
from __future__ import annotations

import asyncio
import threading
from typing import Any, Iterable

from starlette.websockets import WebSocket

from api.core.identity import AgentIdentity

Frame = dict[str, Any]
OUTBOX_LIMIT = 1000
_OVERFLOW: Frame = {"type": "_overflow"}
CLOSE_TRY_AGAIN = 1013


class Subscriber:
    """One socket's outbox of frames."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[Frame] = asyncio.Queue(OUTBOX_LIMIT)

    def offer(self, frame: Frame) -> None:
        """Queue `frame` for sending; safe from any thread, never blocks."""
        try:
            self._loop.call_soon_threadsafe(self._put, frame)
        except RuntimeError:  # the socket's loop has closed: nobody to send to
            pass

    def _put(self, frame: Frame) -> None:
        try:
            self._queue.put_nowait(frame)
        except asyncio.QueueFull:  # a client this far behind reconnects and is replayed
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(_OVERFLOW)

    async def pump(self, websocket: WebSocket, first: Iterable[Frame] = ()) -> None:
        """Send `first`, then queued frames, each stored message at most once."""
        sent: set[int] = set()
        for frame in first:
            await _send(websocket, frame, sent)
        while True:
            frame = await self._queue.get()
            if frame is _OVERFLOW:
                await websocket.close(code=CLOSE_TRY_AGAIN)
                return
            await _send(websocket, frame, sent)


async def _send(websocket: WebSocket, frame: Frame, sent: set[int]) -> None:
    message_id = frame.get("message", {}).get("id") if frame.get("type") == "message" else None
    if message_id is not None:
        if message_id in sent:
            return
        sent.add(message_id)
    await websocket.send_json(frame)


class Hub:
    """Who listens to what; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conversations: dict[str, set[Subscriber]] = {}
        self._agents: dict[Subscriber, AgentIdentity] = {}

    def join_conversation(self, conversation_id: str, subscriber: Subscriber, limit: int) -> bool:
        """Listen to a conversation; False (and not joined) when it already has `limit` sockets."""
        with self._lock:
            listeners = self._conversations.setdefault(conversation_id, set())
            if len(listeners) >= limit:
                return False
            listeners.add(subscriber)
            return True

    def leave_conversation(self, conversation_id: str, subscriber: Subscriber) -> None:
        with self._lock:
            listeners = self._conversations.get(conversation_id, set())
            listeners.discard(subscriber)
            if not listeners:
                self._conversations.pop(conversation_id, None)

    def join_desk(self, subscriber: Subscriber, agent: AgentIdentity, limit: int) -> bool:
        """Listen to the desk; False (and not joined) when this agent already has `limit` sockets."""
        with self._lock:
            if sum(1 for other in self._agents.values() if other.id == agent.id) >= limit:
                return False
            self._agents[subscriber] = agent
            return True

    def leave_desk(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._agents.pop(subscriber, None)

    def watched_conversations(self) -> list[str]:
        with self._lock:
            return list(self._conversations)

    def agents(self) -> list[tuple[Subscriber, AgentIdentity]]:
        with self._lock:
            return list(self._agents.items())

    def to_conversation(self, conversation_id: str, frame: Frame) -> None:
        with self._lock:
            listeners = list(self._conversations.get(conversation_id, ()))
        for subscriber in listeners:
            subscriber.offer(frame)

    def to_agents(self, frame: Frame, holder: str | None) -> None:
        """To every supervisor, and to the agent holding the conversation."""
        for subscriber, agent in self.agents():
            if agent.is_supervisor or agent.username == holder:
                subscriber.offer(frame)
