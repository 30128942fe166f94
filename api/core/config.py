"""The API's settings: the shared ones plus the gateway's own, read once from the environment."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlparse

from pydantic import SecretStr, validator

from bot.settings import REPO_ROOT, Settings, load_settings

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


class ApiSettings(Settings):
    """Token secrets have demo values only in demo mode (see bot.settings); limits are the gateway's."""

    rasa_url: str = "http://localhost:5005"
    rasa_timeout_seconds: float = 15.0
    rasa_max_concurrency: int = 8
    bank_session_secret: SecretStr = SecretStr("demo-only-bank-session-secret-change-me")
    chat_token_secret: SecretStr = SecretStr("demo-only-chat-token-secret-change-me")
    agent_token_secret: SecretStr = SecretStr("demo-only-agent-token-secret-change-me")
    max_message_chars: int = 1000
    rate_limit_per_minute: int = 20
    # Token lifetimes; a conversation token never outlives the bank session it came from.
    bank_token_minutes: int = 30
    chat_token_minutes: int = 120
    agent_token_minutes: int = 480
    # Throttles in the `limits` notation; several ";"-separated windows make a growing back-off.
    login_limits_per_account: str = "5 per 15 minutes; 10 per hour; 20 per day"
    login_limits_per_address: str = "20 per 15 minutes; 60 per hour; 200 per day"
    conversation_limits_per_address: str = "10 per minute; 60 per hour; 300 per day"
    limits_storage_url: str = "memory://"
    # Sockets: the first frame must authenticate in time; open sockets are re-checked.
    socket_auth_seconds: float = 10.0
    socket_recheck_seconds: float = 30.0
    max_sockets_per_token: int = 3
    typing_interval_seconds: float = 1.0
    # Several gateway instances: live frames cross them through Redis pub/sub (api.services.fanout).
    # Empty: one instance, frames stay in the process. redis:// or rediss:// (TLS); a password may
    # be in the URL. Instances of one deployment share the channel prefix; another deployment on
    # the same Redis takes its own.
    redis_url: str = ""
    redis_channel_prefix: str = "overdue-gateway"
    # /ready gives each dependency this long to answer.
    readiness_timeout_seconds: float = 2.0
    # /metrics wants `Authorization: Bearer <METRICS_TOKEN>` when set (outside demo mode a real
    # secret, as every other); unset, it is open: nginx does not pass /metrics from outside, and
    # Prometheus scrapes each instance's own port.
    metrics_token: Optional[SecretStr] = None
    # Behind a proxy (nginx): the addresses whose X-Forwarded-For is believed; empty: none.
    forwarded_allow_ips: str = ""
    static_dir: Path = STATIC_DIR
    # The trainers' side: Rasa's tracker store (read only, for review) and the project folder
    # whose data/ they edit and whose models/workbench/ they train into.
    tracker_store_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'tracker.db'}"
    training_workspace: Path = REPO_ROOT

    @validator("redis_url")
    def _redis_url_scheme(cls, value: str) -> str:  # noqa: N805
        """Refused with a message that does not repeat the URL (it may hold a password)."""
        value = value.strip()
        parsed = urlparse(value)
        if value and not (parsed.scheme in ("redis", "rediss") and parsed.hostname or parsed.scheme == "unix"):
            raise ValueError("REDIS_URL must look like redis://[user:password@]host[:port][/db] (rediss:// for TLS)")
        return value

    @validator("metrics_token", pre=True)
    def _empty_token_is_none(cls, value: Any) -> Any:  # noqa: N805
        """METRICS_TOKEN= (empty) means no token, not an empty one (which the secret check would refuse)."""
        return None if value is None or (isinstance(value, str) and not value.strip()) else value


def load_api_settings(**overrides: object) -> ApiSettings:
    return load_settings(ApiSettings, **overrides)  # type: ignore[return-value]
