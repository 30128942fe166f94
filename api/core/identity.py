"""Who is calling: a cardholder bound to one conversation, or a console account."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.services.agents import is_supervisor


@dataclass(frozen=True)
class CustomerIdentity:
    """A conversation token's holder: one conversation, and the bank customer if signed in."""

    conversation_id: str
    customer_id: str | None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class AgentIdentity:
    id: int
    username: str
    display_name: str
    role: str
    expires_at: datetime | None = None

    @property
    def is_supervisor(self) -> bool:
        return is_supervisor(self)
