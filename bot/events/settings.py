"""The event consumer's settings: the shared ones (the bank database) plus the broker's, read once."""
from __future__ import annotations

from typing import Any, Optional
from urllib.parse import urlparse

from pydantic import SecretStr, root_validator

from bot.settings import DEMO, Settings, load_settings

DEMO_BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"


class ConsumerSettings(Settings):
    """RABBITMQ_URL carries the password (amqps:// for TLS) and has a default only in demo mode;
    the queue and exchange names match what Rasa's broker is given (bot.nlu.scaling)."""

    rabbitmq_url: Optional[SecretStr] = None
    rabbitmq_queue: str = "contact_events"
    rabbitmq_exchange: str = "rasa-exchange"
    # Messages the broker hands over before the first is acknowledged; each is written in turn.
    event_prefetch: int = 20
    # After a failed database write: the pause before the event goes back to the queue.
    event_retry_seconds: float = 2.0
    # /health and /ready (bot.events.health); unset: no listener.
    consumer_health_port: Optional[int] = None
    consumer_health_host: str = "127.0.0.1"

    @root_validator(skip_on_failure=True)
    def _broker_url(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        url = values.get("rabbitmq_url")
        if url is None:
            if values.get("app_env") != DEMO:
                raise ValueError("RABBITMQ_URL must be set (amqp://user:password@host:5672/vhost, amqps:// for TLS)")
            values["rabbitmq_url"] = url = SecretStr(DEMO_BROKER_URL)
        parsed = urlparse(url.get_secret_value())
        if parsed.scheme not in ("amqp", "amqps") or not parsed.hostname:
            raise ValueError("RABBITMQ_URL must look like amqp://user:password@host[:port][/vhost] (amqps:// for TLS)")
        if values.get("event_prefetch", 1) < 1:
            raise ValueError("EVENT_PREFETCH must be at least 1")
        return values


def load_consumer_settings(**overrides: Any) -> ConsumerSettings:
    return load_settings(ConsumerSettings, **overrides)  # type: ignore[return-value]
