"""Who is calling: a cardholder bound to one conversation, or a console account."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CustomerIdentity:
    """A conversation token's holder: one conversation, and the bank customer if signed in."""

    conversation_id: str
    customer_id: str | None


@dataclass(frozen=True)
class AgentIdentity:
    id: int
    username: str
    display_name: str
    role: str

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"
