"""The gateway's calls to the Rasa server: the REST channel, the tracker, resuming a paused tracker.

At most `max_concurrency` messages are with Rasa at once; the rest wait for a slot in arrival
order (asyncio's semaphore is first come, first served) instead of failing, so a burst queues
rather than overloading the one process that answers.
"""
from __future__ import annotations

import asyncio
import time
import weakref
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable
from urllib.parse import quote

import httpx


def responses_of(replies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One reply per domain response: Rasa's REST channel sends a response's custom payload as a
    message of its own right after the response's text, as the tracker does not."""
    joined: list[dict[str, Any]] = []
    for reply in replies:
        previous = joined[-1] if joined else None
        if set(reply) <= {"recipient_id", "custom"} and previous is not None and "custom" not in previous:
            previous["custom"] = reply.get("custom")
        else:
            joined.append(dict(reply))
    return joined


# (call, seconds, the failure or None): how the app's metrics see each call (api.services.metrics)
Observer = Callable[[str, float, Exception | None], None]


class RasaUnavailable(Exception):
    """Rasa did not answer in time, refused the connection or answered with an error.

    `retryable`: the request certainly did not complete (no connection, or the balancer found the
    instance gone), so asking again (another instance) cannot answer one message twice; a timeout
    is not retryable, as Rasa may still be answering.
    """

    code = "assistant_unavailable"

    def __init__(self, message: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


RETRYABLE_STATUS = frozenset({502, 503})


class RasaClient:
    """Calls over a pool of kept-alive connections, one pool per event loop (a connection belongs
    to the loop that opened it): a new connection per message cost a third of the gateway's time."""

    # Rasa's web server (Sanic) closes an idle connection after 5 s; the pool lets go of it first,
    # so a message never goes out on a connection the server is closing.
    KEEPALIVE_S = 4.0

    def __init__(self, base_url: str, api_token: str, timeout_seconds: float, max_concurrency: int = 8,
                 observe: Observer | None = None) -> None:
        self._base_url = base_url.rstrip("/")
        self._observe = observe
        self._token = api_token
        self.timeout_seconds = timeout_seconds
        self._timeout = httpx.Timeout(timeout_seconds)
        self._slots = asyncio.Semaphore(max_concurrency)
        self._limits = httpx.Limits(max_connections=max_concurrency + 4, max_keepalive_connections=max_concurrency + 4,
                                    keepalive_expiry=self.KEEPALIVE_S)
        # made once: building it (the CA bundle) for every call cost more than the call itself
        self._tls = httpx.create_ssl_context()
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx.AsyncClient] = \
            weakref.WeakKeyDictionary()

    def _client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None or client.is_closed:
            client = httpx.AsyncClient(base_url=self._base_url, timeout=self._timeout, verify=self._tls,
                                       limits=self._limits)
            self._clients[loop] = client
        return client

    async def aclose(self) -> None:
        """Close this loop's connections (the app's shutdown)."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the bounded places with Rasa for the length of the block."""
        async with self._slots:
            yield

    async def send(
        self, conversation_id: str, text: str, message_id: int, client_key: str | None
    ) -> list[dict[str, Any]]:
        """The bot's replies to `text`. The metadata names the stored message (so a retry can find
        whether Rasa already has it) and the client's address key (wrong identity answers count
        per address); identity itself is in the bank's database, never in a message."""
        metadata: dict[str, Any] = {"message_id": message_id}
        if client_key:
            metadata["client"] = client_key
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        replies = await self._request("POST", "/webhooks/rest/webhook", body=body, call="message")
        if not isinstance(replies, list):
            raise RasaUnavailable(f"unexpected reply from Rasa: {str(replies)[:200]}")
        return responses_of([reply for reply in replies if isinstance(reply, dict)])

    async def replies_to(self, conversation_id: str, message_id: int) -> list[dict[str, Any]] | None:
        """The replies Rasa already gave to a stored message, read back from its tracker; None
        when Rasa never received it. A message whose forwarder died is answered exactly once."""
        tracker = await self._request("GET", self._tracker_path(conversation_id), params=self._params("ALL"),
                                      call="tracker")
        events = tracker.get("events") if isinstance(tracker, dict) else None
        if not isinstance(events, list):
            raise RasaUnavailable(f"unexpected tracker from Rasa: {str(tracker)[:200]}")
        start = next((i for i, e in enumerate(events)
                      if e.get("event") == "user" and (e.get("metadata") or {}).get("message_id") == message_id), None)
        if start is None:
            return None
        replies: list[dict[str, Any]] = []
        for event in events[start + 1:]:  # a message answered part by part is several user events
            if event.get("event") == "user" and (event.get("metadata") or {}).get("message_id") != message_id:
                break
            if event.get("event") == "bot":
                data = event.get("data") or {}
                reply = {"text": event.get("text"), "buttons": data.get("buttons"), "custom": data.get("custom")}
                replies.append({key: value for key, value in reply.items() if value})
        return replies

    async def parse(self, text: str) -> dict[str, Any]:
        """What the model reads in `text` (intent, entities); /model/parse touches no tracker, so a
        conversation paused for an agent stays as it is."""
        parsed = await self._request("POST", "/model/parse", body={"text": text}, params={"token": self._token},
                                     call="parse")
        if not isinstance(parsed, dict):
            raise RasaUnavailable(f"unexpected parse from Rasa: {str(parsed)[:200]}")
        return parsed

    async def resume(self, conversation_id: str) -> None:
        """Un-pause the tracker so the assistant answers again after an agent.

        A paused tracker ends on the handoff action without the `action_listen` a normal turn
        ends with; without it the policies read the next message as a continuation and fall
        back, so it is appended too.
        """
        path = self._tracker_path(conversation_id)
        tracker = await self._request("GET", path, params=self._params("NONE"), call="tracker")
        if not isinstance(tracker, dict):
            raise RasaUnavailable(f"unexpected tracker from Rasa: {str(tracker)[:200]}")
        events = [{"event": "resume"}] if tracker.get("paused") else []
        if tracker.get("latest_action_name") != "action_listen":
            events.append({"event": "action", "name": "action_listen"})
        if events:
            await self._request("POST", f"{path}/events", body=events, params=self._params("NONE"),
                                call="tracker_events")

    @staticmethod
    def _tracker_path(conversation_id: str) -> str:
        return f"/conversations/{quote(conversation_id, safe='')}/tracker"

    def _params(self, include_events: str) -> dict[str, str]:
        # Rasa's HTTP API takes its token only as a query parameter; it stays on localhost and
        # the log filter (bot.log_redaction) removes it from any line that quotes a URL.
        return {"token": self._token, "include_events": include_events}

    async def _request(self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None,
                       call: str = "other") -> Any:
        """`call` names the kind of call for the metrics (the path holds a conversation id)."""
        started = time.perf_counter()
        try:
            response = await self._client().request(method, path, json=body, params=params)
            response.raise_for_status()
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            self._observed(call, started, exc)
            retryable = isinstance(exc, (httpx.ConnectError, httpx.RemoteProtocolError)) or (
                isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code in RETRYABLE_STATUS)
            raise RasaUnavailable(f"{method} {path}: {type(exc).__name__}", retryable) from exc
        self._observed(call, started, None)
        return answer

    def _observed(self, call: str, started: float, error: Exception | None) -> None:
        if self._observe is not None:
            self._observe(call, time.perf_counter() - started, error)
