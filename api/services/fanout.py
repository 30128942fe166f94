"""Live frames across gateway instances through Redis pub/sub (REDIS_URL set).

A cardholder may be connected to instance A while the agent holding their conversation is on
instance B, so a frame published on one instance must reach the sockets of all of them. The hub
(api.services.hub) stays each process's registry of sockets; this relay publishes what the hub is
given to one Redis channel, and one listener per instance delivers every frame it receives,
its own included, to that instance's sockets: each frame reaches each instance exactly once
(Redis sends a channel's message once to each subscribed connection, and an instance holds one).

Frames are published after the database commit (api.services.outbox), possibly from worker
threads: `publish_*` only hands the frame to the app's event loop, where one task sends them to
Redis in the order they were given.

When Redis drops, the listener logs a warning and subscribes again with back-off, and /ready
reports Redis down meanwhile. Frames published during the outage are lost to the other
instances (this instance still delivers its own), but nothing stored is lost: message frames
carry message ids, and once the listener is back every socket of the instance is closed with
"try again" (1013), so each client reconnects with `after=<last id>` and is replayed the
messages it missed; a desk gets its queue afresh on connecting.

Queue views are per agent and computed from the database, so they are not relayed: the outbox
sends a conversation's state frame with every change of the queue, and an instance that receives
a state frame published by another instance refreshes its own desks' queues and its waiting
cardholders' places (at most one refresh at a time).

Frames carry what the sockets show, cardholders' messages included, and whoever can publish on
the channel can show a socket anything: Redis is guarded as the database is (a password, and
rediss:// for TLS when it is off this host). URLs are never logged.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from typing import Any, Callable

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from api.services.hub import Frame, Hub
from api.services.outbox import Database, unit_of_work

log = logging.getLogger(__name__)

FIRST_RETRY_SECONDS = 0.5
LONGEST_RETRY_SECONDS = 15.0
POLL_SECONDS = 1.0  # how often the listener wakes
PING_SECONDS, SILENT_SECONDS = 5.0, 16.0  # a subscription that hears nothing for this long is dropped
STARTUP_WAIT_SECONDS = 3.0  # an instance's own first frames should not be published before it listens
REFRESH_DELAY_SECONDS = 0.1  # several state frames in a row make one refresh
PUBLISH_BACKLOG = 10_000


class NotListening(Exception):
    """Redis may answer, but this instance does not receive live frames (yet)."""


class RedisFanout:
    """This instance's relay: publishes the hub's frames to Redis and delivers what Redis sends."""

    def __init__(self, hub: Hub, url: str, channel_prefix: str, timeout_seconds: float,
                 refresh_desks: Callable[[], None] | None = None) -> None:
        self._hub, self._url, self._timeout = hub, url, timeout_seconds
        self.channel = f"{channel_prefix}:frames"
        self._refresh_desks = refresh_desks
        self._origin = uuid.uuid4().hex  # tells this instance's frames from the others'
        self._loop: asyncio.AbstractEventLoop | None = None
        self._outgoing: asyncio.Queue[str] | None = None
        self._client: aioredis.Redis | None = None
        self._tasks: list[asyncio.Task] = []
        self._subscribed: asyncio.Event | None = None
        self._tried: asyncio.Event | None = None  # the listener's first attempt is over, whatever its outcome
        self._publish_down_until = 0.0
        self._refresh_task: asyncio.Task | None = None
        self._refresh_again = False

    # --- the hub's relay (any thread) -----------------------------------------------------
    def publish_to_conversation(self, conversation_id: str, frame: Frame) -> None:
        self._publish({"to": "conversation", "conversation_id": conversation_id, "frame": frame})

    def publish_to_agents(self, frame: Frame, holder: str | None) -> None:
        self._publish({"to": "agents", "holder": holder, "frame": frame})

    def _publish(self, envelope: dict[str, Any]) -> None:
        loop = self._loop
        if loop is None:  # not started, or stopped: this instance's sockets still get it
            self._deliver(envelope)
            return
        data = json.dumps({**envelope, "origin": self._origin}, ensure_ascii=False, separators=(",", ":"))
        try:
            loop.call_soon_threadsafe(self._enqueue, data)
        except RuntimeError:  # the loop has closed: the app is shutting down
            pass

    def _enqueue(self, data: str) -> None:
        assert self._outgoing is not None
        try:
            self._outgoing.put_nowait(data)
        except asyncio.QueueFull:  # Redis is this far behind: deliver here, the others replay later
            self._deliver(json.loads(data))

    # --- the app's lifespan --------------------------------------------------------------
    async def start(self) -> None:
        """Start publishing and listening; wait (briefly) until this instance listens."""
        self._loop = asyncio.get_running_loop()
        self._subscribed, self._tried = asyncio.Event(), asyncio.Event()
        self._outgoing = asyncio.Queue(PUBLISH_BACKLOG)
        self._client = self._connect()
        self._tasks = [self._loop.create_task(self._publish_forever(), name="fanout-publish"),
                       self._loop.create_task(self._listen_forever(), name="fanout-listen")]
        self._hub.relay_through(self)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._tried.wait(), STARTUP_WAIT_SECONDS)
        if not self.listening:
            log.warning("live frames: Redis is not reachable at start-up; retrying in the background")

    async def stop(self) -> None:
        self._hub.relay_through(None)
        self._loop = None
        tasks = [*self._tasks, *([self._refresh_task] if self._refresh_task else [])]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.close(close_connection_pool=True)
            self._client = None
        self._subscribed = self._tried = None

    # --- readiness -----------------------------------------------------------------------
    @property
    def listening(self) -> bool:
        return self._subscribed is not None and self._subscribed.is_set()

    async def check(self) -> None:
        """Raise unless Redis answers a PING and this instance is subscribed."""
        if self._client is None:
            raise NotListening("not started")
        await asyncio.wait_for(self._client.ping(), self._timeout)
        if not self.listening:
            raise NotListening("not subscribed")

    # --- the two tasks -------------------------------------------------------------------
    def _connect(self) -> aioredis.Redis:
        return aioredis.from_url(self._url, socket_connect_timeout=self._timeout, socket_timeout=self._timeout,
                                 socket_keepalive=True)

    async def _publish_forever(self) -> None:
        """Send queued frames in order; while Redis fails, deliver them on this instance only."""
        assert self._outgoing is not None
        failures = 0
        while True:
            data = await self._outgoing.get()
            if time.monotonic() >= self._publish_down_until:
                try:
                    await self._send(data)
                    failures = 0
                    continue
                except (RedisError, OSError, asyncio.TimeoutError) as exc:
                    failures += 1
                    self._publish_down_until = time.monotonic() + _backoff(failures)
                    if failures == 1 or failures % 20 == 0:
                        log.warning("live frames: cannot publish to Redis (%s); delivering on this instance only",
                                    type(exc).__name__)
            self._deliver(json.loads(data))

    async def _send(self, data: str) -> None:
        """PUBLISH, once more on a fresh connection if the pooled one had died (Redis restarted)."""
        assert self._client is not None
        try:
            await self._client.publish(self.channel, data)
        except (RedisConnectionError, OSError):
            await self._client.publish(self.channel, data)

    async def _listen_forever(self) -> None:
        """Subscribe and deliver; after a drop, subscribe again with back-off, then have every
        socket of this instance reconnect (it may have missed frames)."""
        failures = 0
        while True:
            client = self._connect()
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                if failures:
                    log.warning("live frames through Redis again after %d failed attempt(s)", failures)
                    self._publish_down_until = 0.0
                    self._hub.reconnect_everyone()
                failures = 0
                assert self._subscribed is not None and self._tried is not None
                self._subscribed.set()
                self._tried.set()
                await self._deliver_until_silent(pubsub)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - whatever broke the subscription, subscribe again
                if self._subscribed is not None and self._tried is not None:
                    self._subscribed.clear()
                    self._tried.set()
                failures += 1
                if failures == 1 or failures % 20 == 0:  # once per outage, then now and then
                    log.warning("live frames: no Redis subscription (%s, %d attempt(s)); retrying",
                                type(exc).__name__, failures)
                await asyncio.sleep(_backoff(failures))
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.close()
                with contextlib.suppress(Exception):
                    await client.close(close_connection_pool=True)

    async def _deliver_until_silent(self, pubsub: Any) -> None:
        """Deliver what arrives; a PING every few seconds finds a connection that died without a
        word (a cut network sends no reset), so a silent Redis counts as a dropped one."""
        loop = asyncio.get_running_loop()
        heard = next_ping = loop.time()
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=POLL_SECONDS)
            now = loop.time()
            if message is not None:
                heard = now
                if message.get("type") == "message":
                    self._received(message["data"])
            if now - heard > SILENT_SECONDS:
                raise ConnectionError("no answer from Redis")
            if now >= next_ping:
                await pubsub.ping("fanout")
                next_ping = now + PING_SECONDS

    # --- delivery on this instance -------------------------------------------------------
    def _received(self, data: bytes | str) -> None:
        try:
            envelope = json.loads(data)
        except ValueError:
            log.warning("live frames: an unreadable message on the channel was ignored")
            return
        if not isinstance(envelope, dict) or not isinstance(envelope.get("frame"), dict):
            return
        self._deliver(envelope)
        frame = envelope["frame"]
        if envelope.get("origin") != self._origin and frame.get("type") == "state":
            self._schedule_refresh()

    def _deliver(self, envelope: dict[str, Any]) -> None:
        frame = envelope["frame"]
        if envelope.get("to") == "conversation" and isinstance(envelope.get("conversation_id"), str):
            self._hub.deliver_to_conversation(envelope["conversation_id"], frame)
        elif envelope.get("to") == "agents":
            holder = envelope.get("holder")
            self._hub.deliver_to_agents(frame, holder if isinstance(holder, str) else None)

    def _schedule_refresh(self) -> None:
        if self._refresh_desks is None or self._loop is None:
            return
        if self._refresh_task is not None and not self._refresh_task.done():
            self._refresh_again = True
            return
        self._refresh_task = self._loop.create_task(self._refresh())

    async def _refresh(self) -> None:
        assert self._refresh_desks is not None
        while True:
            self._refresh_again = False
            await asyncio.sleep(REFRESH_DELAY_SECONDS)
            try:
                await asyncio.get_running_loop().run_in_executor(None, self._refresh_desks)
            except Exception:  # noqa: BLE001 - the next change refreshes again
                log.warning("live frames: refreshing this instance's desks failed", exc_info=True)
            if not self._refresh_again:
                return


def desk_refresher(database: Database, hub: Hub) -> Callable[[], None]:
    """Recompute this instance's desk queues and waiting cardholders' places (delivered here only)."""
    local = hub.local_only()

    def refresh() -> None:
        if not local.agents() and not local.watched_conversations():
            return
        with unit_of_work(database, local) as unit:
            unit.outbox.queue(unit.session)

    return refresh


def _backoff(failures: int) -> float:
    return min(FIRST_RETRY_SECONDS * 2 ** (failures - 1), LONGEST_RETRY_SECONDS)
