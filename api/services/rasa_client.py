"""The gateway's calls to the Rasa server: the REST channel, and resuming a paused tracker."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from bot.customer_assertion import sign_customer


class RasaUnavailable(Exception):
    """Rasa did not answer in time, refused the connection or answered with an error."""

    code = "assistant_unavailable"


class RasaClient:
    """A new HTTP connection per call keeps it free of event-loop ties; Rasa calls are few per message."""

    def __init__(self, base_url: str, api_token: str, timeout_seconds: float, gateway_secret: str) -> None:
        self._base_url = base_url.rstrip("/")
        self._token = api_token
        self._timeout = httpx.Timeout(timeout_seconds)
        self._secret = gateway_secret

    async def send(self, conversation_id: str, text: str, customer_id: str | None) -> list[dict[str, Any]]:
        """The bot's replies to `text`; a signed customer id goes along only for a signed-in cardholder."""
        body: dict[str, Any] = {"sender": conversation_id, "message": text}
        if customer_id:
            body["metadata"] = {
                "customer_id": customer_id,
                "customer_signature": sign_customer(customer_id, conversation_id, self._secret),
            }
        replies = await self._request("POST", "/webhooks/rest/webhook", body=body)
        if not isinstance(replies, list):
            raise RasaUnavailable(f"unexpected reply from Rasa: {str(replies)[:200]}")
        return [reply for reply in replies if isinstance(reply, dict)]

    async def resume(self, conversation_id: str) -> None:
        """Un-pause the tracker so the assistant answers again after an agent.

        A paused tracker ends on the handoff action without the `action_listen` a normal turn
        ends with; without it the policies read the next message as a continuation and fall
        back, so it is appended too.
        """
        path = f"/conversations/{quote(conversation_id, safe='')}/tracker"
        params = {"token": self._token, "include_events": "NONE"}
        tracker = await self._request("GET", path, params=params)
        if not isinstance(tracker, dict):
            raise RasaUnavailable(f"unexpected tracker from Rasa: {str(tracker)[:200]}")
        events = [{"event": "resume"}] if tracker.get("paused") else []
        if tracker.get("latest_action_name") != "action_listen":
            events.append({"event": "action", "name": "action_listen"})
        if events:
            await self._request("POST", f"{path}/events", body=events, params=params)

    async def _request(self, method: str, path: str, body: Any = None, params: dict[str, str] | None = None) -> Any:
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                response = await client.request(method, f"{self._base_url}{path}", json=body, params=params)
                response.raise_for_status()
                return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(f"{method} {path}: {exc!r}") from exc
