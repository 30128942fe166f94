"""Rasa's REST channel, answering every part of a multi-part message (bot.nlu.multipart).

Registered in credentials.yml under this class's path; the URL stays /webhooks/rest/webhook.
Each part reaches the assistant as a message of its own, carrying the metadata of the whole
(the gateway finds all their replies by the stored message's id); a message that says one thing
is handled exactly as before.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint

from bot.nlu.multipart import Part, clauses, plan_parts

Handler = Callable[[UserMessage], Awaitable[Any]]
MIN_CHARS = 8


class MultiPartRestInput(RestInput):
    """The REST channel whose messages may be answered part by part."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        app_holder: dict[str, Any] = {}

        async def answer_each_part(message: UserMessage) -> None:
            app = app_holder.get("app")
            texts = await self._parts(app.ctx.agent, message.text) if app is not None else None
            if not texts:
                await on_new_message(message)
                return
            for index, text in enumerate(texts):
                metadata = {**(message.metadata or {}), "part": index + 1, "parts": len(texts)}
                await on_new_message(UserMessage(text, message.output_channel, message.sender_id,
                                                 input_channel=message.input_channel, metadata=metadata))

        blueprint = super().blueprint(answer_each_part)

        @blueprint.listener("before_server_start")
        async def remember_app(app: Any, _loop: Any) -> None:
            app_holder["app"] = app

        return blueprint

    @staticmethod
    async def _parts(agent: Any, text: str | None) -> list[str] | None:
        """The parts to answer in order, or None to handle the message whole."""
        if not text or text.startswith("/") or len(text) < MIN_CHARS:
            return None
        pieces = clauses(text)
        if len(pieces) < 2 or agent is None or not agent.is_ready():
            return None
        parsed = []
        for piece in pieces:
            result = await agent.parse_message(piece)
            if (result.get("intent") or {}).get("name") == "distress":
                return None  # distress outranks everything: the whole message is answered as such
            intent = result.get("intent") or {}
            parsed.append(Part(piece, intent.get("name") or "", float(intent.get("confidence") or 0.0)))
        return plan_parts(parsed)
