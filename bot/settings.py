"""Settings read from the environment once per process, with demo defaults only in demo mode.

`Settings` is what every process shares (the bank database, the product rules, the secrets
that two processes hold); the API adds its own fields in `api.core.config.ApiSettings`.
Outside `APP_ENV=demo` a secret must be set, at least 32 characters long and not a demo
value, or the process refuses to start: a bank never runs on a secret printed in a README.

`python -m bot.settings --export` prints the shared secrets as shell `export` lines, so the
start script hands Rasa the same values the Python processes read.
"""
from __future__ import annotations

import shlex
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseSettings, SecretStr, ValidationError, root_validator

REPO_ROOT = Path(__file__).resolve().parent.parent
BANK_TIMEZONE = ZoneInfo("Asia/Shanghai")
DEMO = "demo"
DEMO_PREFIX = "demo-only-"
MIN_SECRET_LENGTH = 32


class SettingsError(RuntimeError):
    """The environment does not hold what this process needs to start safely."""


class Settings(BaseSettings):
    """Shared by the action server and the API. Every field is the upper-cased env variable."""

    app_env: str = "production"
    database_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'bank.db'}"
    product_rules_path: Path = REPO_ROOT / "bot" / "product_rules.yml"
    agent_phrases_path: Path = REPO_ROOT / "bot" / "agent_phrases.yml"
    contact_channel: str = "web"
    # Rasa's HTTP API token (held by Rasa and the API) and the action server's shared secret
    # (held by Rasa, which sends it, and the action server, which checks it).
    rasa_api_token: SecretStr = SecretStr("demo-only-rasa-api-token-change-me")
    action_server_token: SecretStr = SecretStr("demo-only-action-server-token-change-me")
    action_host: str = "127.0.0.1"
    action_port: int = 5055
    # How long a conversation stays verified after the card and ID digits matched.
    identity_ttl_minutes: int = 30
    # Demo mode only: the demo bank login and the seeded demo agents.
    demo_bank_password: str = "demo-password"
    demo_agent_password: str = "demo-agent-password"

    class Config:
        case_sensitive = False

    @property
    def is_demo(self) -> bool:
        return self.app_env == DEMO

    @root_validator(skip_on_failure=True)
    def _no_weak_secret_outside_demo(cls, values: dict[str, Any]) -> dict[str, Any]:  # noqa: N805
        if values.get("app_env") == DEMO:
            return values
        weak = [name.upper() for name, value in values.items()
                if isinstance(value, SecretStr) and _is_weak(value.get_secret_value())]
        if weak:
            raise ValueError(
                f"APP_ENV={values.get('app_env')!r} needs real secrets: set {', '.join(weak)} "
                f"(at least {MIN_SECRET_LENGTH} characters, not a '{DEMO_PREFIX}' value), or run with APP_ENV=demo"
            )
        return values

    def secret(self, name: str) -> str:
        """The plain value of a secret field, for the one place that uses it."""
        value = getattr(self, name)
        return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


def _is_weak(secret: str) -> bool:
    return len(secret) < MIN_SECRET_LENGTH or secret.startswith(DEMO_PREFIX)


def load_settings(kind: type[Settings] = Settings, **overrides: Any) -> Settings:
    """Read `kind` from the environment; a clear SettingsError instead of a validation dump."""
    try:
        return kind(**overrides)
    except ValidationError as exc:
        raise SettingsError("; ".join(str(error["msg"]) for error in exc.errors())) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's shared settings, read once."""
    return load_settings()


def _export_lines(settings: Settings) -> list[str]:
    names = ("app_env", "rasa_api_token", "action_server_token", "database_url")
    return [f"export {name.upper()}={shlex.quote(settings.secret(name))}" for name in names]


if __name__ == "__main__":
    if sys.argv[1:] != ["--export"]:
        raise SystemExit("usage: python -m bot.settings --export")
    try:
        print("\n".join(_export_lines(get_settings())))
    except SettingsError as error:
        raise SystemExit(f"error: {error}") from None
