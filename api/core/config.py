"""One settings object for the API, read from the environment, with clearly named demo defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from bot.customer_assertion import shared_secret
from bot.settings import Settings

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
DEMO_PREFIX = "demo-only-"


@dataclass(frozen=True)
class ApiSettings:
    """Secrets default to values starting with "demo-only-"; set the environment variables in production."""

    database_url: str
    rasa_url: str = "http://localhost:5005"
    rasa_api_token: str = field(default="demo-only-rasa-api-token", repr=False)
    rasa_timeout_seconds: float = 15.0
    bank_session_secret: str = field(default="demo-only-bank-session-secret-change-me", repr=False)
    chat_token_secret: str = field(default="demo-only-chat-token-secret-change-me", repr=False)
    agent_token_secret: str = field(default="demo-only-agent-token-secret-change-me", repr=False)
    gateway_shared_secret: str = field(default="", repr=False)
    demo_bank_password: str = field(default="demo-password", repr=False)
    max_message_chars: int = 1000
    rate_limit_per_minute: int = 20
    bank_token_minutes: int = 30
    chat_token_minutes: int = 12 * 60
    agent_token_minutes: int = 10 * 60
    static_dir: Path = STATIC_DIR

    @classmethod
    def from_env(cls, **overrides: object) -> "ApiSettings":
        """Each field from the upper-cased environment variable of its name, else its default."""
        values: dict[str, object] = {
            "database_url": Settings.from_env().database_url,
            "gateway_shared_secret": shared_secret(),
        }
        for spec in fields(cls):
            raw = os.environ.get(spec.name.upper())
            if raw is not None:
                values[spec.name] = _parse(spec.type, raw)
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]

    def demo_secrets_in_use(self) -> list[str]:
        """Names of secrets still at their demo value, for a warning at start-up."""
        secrets = ("rasa_api_token", "bank_session_secret", "chat_token_secret", "agent_token_secret",
                   "gateway_shared_secret")
        return [name.upper() for name in secrets if str(getattr(self, name)).startswith(DEMO_PREFIX)]


def _parse(kind: object, raw: str) -> object:
    kind = str(kind)
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "Path":
        return Path(raw)
    return raw
