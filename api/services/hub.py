"""Live WebSocket frames: which sockets of this API process listen to what, and sending to them.

Cardholder sockets subscribe to their conversation; agent sockets subscribe to the desk.
Publishers may run on any thread (sync routes run in a thread pool), so a frame is handed to
the socket's own event loop and queued; one task per socket sends them in order. Frames are
published only after the database commit, and every message is stored, so a socket that drops
or falls behind loses nothing: the client reconnects with `after=<last id>` and is replayed.

The hub is this process's registry. With one instance it delivers frames itself; with several
instances (REDIS_URL) a relay (api.services.fanout) takes what is published, passes it through
Redis, and every instance delivers it to its own sockets with `deliver_to_conversation` and
`deliver_to_agents`. The socket limits count this process's sockets: with N instances a token
may hold N times MAX_SOCKETS_PER_TOKEN, still a bounded number.
"""
from __future__ import annotations

import asyncio
import threading
from typing import Any, Iterable, Protocol

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

    def reconnect(self) -> None:
        """Close the socket with "try again" once what is queued has gone: frames were missed, so the
        client reconnects and is replayed."""
        self.offer(_OVERFLOW)

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


class Relay(Protocol):
    """Carries published frames to every instance (each then delivers them to its own sockets)."""

    def publish_to_conversation(self, conversation_id: str, frame: Frame) -> None: ...

    def publish_to_agents(self, frame: Frame, holder: str | None) -> None: ...


class Hub:
    """Who listens to what in this process; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conversations: dict[str, set[Subscriber]] = {}
        self._agents: dict[Subscriber, AgentIdentity] = {}
        self._relay: Relay | None = None

    def relay_through(self, relay: Relay | None) -> None:
        """Publish through `relay` from now on (None: deliver in this process again)."""
        self._relay = relay

    def local_only(self) -> "Hub":
        """The same registry, delivering only to this process's sockets whatever the relay: for
        frames every instance computes for itself (each desk's own queue view)."""
        view = Hub.__new__(Hub)
        view.__dict__.update(self.__dict__)
        view._relay = None
        return view

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

    def counts(self) -> tuple[int, int]:
        """Live sockets in this process: (cardholders', agents')."""
        with self._lock:
            return sum(len(listeners) for listeners in self._conversations.values()), len(self._agents)

    def reconnect_everyone(self) -> None:
        """Every socket of this process reconnects and is replayed (frames may have been missed)."""
        with self._lock:
            subscribers = [s for listeners in self._conversations.values() for s in listeners] + list(self._agents)
        for subscriber in subscribers:
            subscriber.reconnect()

    def to_conversation(self, conversation_id: str, frame: Frame) -> None:
        """To the conversation's sockets, on every instance."""
        relay = self._relay
        if relay is not None:
            relay.publish_to_conversation(conversation_id, frame)
        else:
            self.deliver_to_conversation(conversation_id, frame)

    def to_agents(self, frame: Frame, holder: str | None) -> None:
        """To every supervisor, and to the agent holding the conversation, on every instance."""
        relay = self._relay
        if relay is not None:
            relay.publish_to_agents(frame, holder)
        else:
            self.deliver_to_agents(frame, holder)

    def deliver_to_conversation(self, conversation_id: str, frame: Frame) -> None:
        """To the conversation's sockets in this process."""
        with self._lock:
            listeners = list(self._conversations.get(conversation_id, ()))
        for subscriber in listeners:
            subscriber.offer(frame)

    def deliver_to_agents(self, frame: Frame, holder: str | None) -> None:
        """To this process's desk sockets of supervisors and of `holder`."""
        for subscriber, agent in self.agents():
            if agent.is_supervisor or agent.username == holder:
                subscriber.offer(frame)
